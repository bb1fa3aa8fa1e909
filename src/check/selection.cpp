// Which findings a run reports (--select/--ignore/--extend-select, per-file ignores,
// --warnings-as-errors) and where a result's path is shown from (the project root).
#include <fnmatch.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>

#include "isodrv/check.h"

namespace isodrv::check {
namespace fs = std::filesystem;

namespace {

// The length of the longest entry of `list` that is a prefix of `code`, or -1.
int longest_prefix(const std::vector<std::string>& list, const std::string& code) {
  int best = -1;
  for (const auto& e : list) {
    if (code.starts_with(e)) best = std::max(best, static_cast<int>(e.size()));
  }
  return best;
}

bool glob_matches(const std::string& pattern, const std::string& path) {
  if (::fnmatch(pattern.c_str(), path.c_str(), 0) == 0) return true;
  // A pattern without '/' names files in any folder, as .gitignore does.
  if (pattern.find('/') == std::string::npos) {
    const std::string name = fs::path(path).filename().string();
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
  }
  return false;
}

// Whether `p` is already in lexically normal form with nothing to resolve: no empty, "." or ".."
// component and no trailing '/' (so std::filesystem's lexically_normal leaves it as it is).
bool plain_path(std::string_view p) {
  if (p.empty() || p.back() == '/') return false;
  const PathComponents c = scan_components(p);
  return !c.dot && !c.empty;
}

// display_path without std::filesystem for the usual case (a plain path, a plain absolute root):
// the path made absolute is below the root (shown relative to it) or not (shown absolute), as
// lexically_relative decides. nullopt when the general code must decide.
std::optional<std::string> display_path_plain(const std::string& path, const std::string& root, std::string_view given_cwd) {
  if (root.size() < 2 || root[0] != '/' || !plain_path(root) || !plain_path(path)) return std::nullopt;
  if (path[0] == '/') {  // compared in place: a copy only of what is shown
    if (path.size() <= root.size() + 1) return std::nullopt;
    if (path.compare(0, root.size(), root) == 0 && path[root.size()] == '/') return path.substr(root.size() + 1);
    return path;
  }
  char cwd[PATH_MAX];
  if (given_cwd.empty() && !::getcwd(cwd, sizeof cwd)) return std::nullopt;
  const std::string_view dir = given_cwd.empty() ? std::string_view(cwd) : given_cwd;
  if (dir != "/" && !plain_path(dir)) return std::nullopt;
  std::string abs;
  abs.reserve(dir.size() + 1 + path.size());
  abs.append(dir);
  if (dir != "/") abs.push_back('/');
  abs.append(path);
  if (abs.size() <= root.size() + 1) return std::nullopt;
  if (abs.compare(0, root.size(), root) == 0 && abs[root.size()] == '/') return abs.substr(root.size() + 1);
  return abs;  // a component differs from the root's, or the root is longer: "../…"
}

}  // namespace

PathComponents scan_components(std::string_view p) {
  PathComponents found;
  const char* const end = p.data() + p.size();
  // c: where each component starts; only its first bytes decide, the next '/' is a memchr away.
  for (const char* c = p.data() + (!p.empty() && p[0] == '/' ? 1 : 0); c < end;) {
    if (*c == '/') {
      found.empty = true;
    } else if (*c == '.') {
      const char* after = c + 1 < end && c[1] == '.' ? c + 2 : c + 1;
      if (after == end || *after == '/') found.dot = true;
    }
    const void* slash = std::memchr(c, '/', static_cast<std::size_t>(end - c));
    if (!slash) break;
    c = static_cast<const char*>(slash) + 1;
  }
  return found;
}

std::string display_path(const std::string& path, const std::string& project_root) {
  return display_path(path, project_root, std::string_view());
}

std::string display_path(const std::string& path, const std::string& project_root, std::string_view cwd) {
  if (project_root.empty() || path.empty() || path == "-") return path;
  if (auto plain = display_path_plain(path, project_root, cwd)) return std::move(*plain);
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec).lexically_normal();
  if (ec) return path;
  const fs::path rel = abs.lexically_relative(project_root);
  if (rel.empty() || *rel.begin() == "..") return abs.string();
  return rel.string();
}

std::string find_project_root(const std::string& cwd) {
  std::error_code ec;
  fs::path dir = fs::absolute(cwd, ec).lexically_normal();
  if (dir.has_filename() == false && dir != dir.root_path()) dir = dir.parent_path();
  for (fs::path d = dir;; d = d.parent_path()) {
    if (fs::exists(d / ".git", ec)) return d.string();
    if (d == d.root_path() || d.parent_path() == d) break;
  }
  return dir.string();
}

bool valid_selector(const std::string& entry) {
  return !entry.empty() && entry.size() <= 4 && entry.find_first_not_of("0123456789") == std::string::npos;
}

bool Selection::selects(int code, const std::string& path) const {
  const std::string c = std::to_string(code);
  const int sel = select.empty() ? 0 : longest_prefix(select, c);
  int ign = longest_prefix(ignore, c);
  if (!path.empty()) {
    for (const auto& [glob, codes] : per_file_ignores) {
      if (glob_matches(glob, path)) ign = std::max(ign, longest_prefix(codes, c));
    }
  }
  return sel >= 0 && sel > ign;
}

void apply_selection(const Selection& s, diag::Report& report) {
  for (auto& f : report.files) apply_selection(s, f);
}

void apply_selection(const Selection& s, diag::FileResult& f) {
  const bool filters = !s.select.empty() || !s.ignore.empty() || !s.per_file_ignores.empty();
  if (!filters && !s.warnings_as_errors) return;
  {
    if (filters) {
      std::erase_if(f.diagnostics, [&](const diag::Diagnostic& d) { return !s.selects(d.code, f.path); });
    }
    if (s.warnings_as_errors) {
      for (auto& d : f.diagnostics) {
        if (d.severity == diag::Severity::warning) d.severity = diag::Severity::error;
      }
    }
    f.valid = !f.unreadable && std::none_of(f.diagnostics.begin(), f.diagnostics.end(), [](const diag::Diagnostic& d) {
      return d.severity == diag::Severity::error;
    });
  }
}

}  // namespace isodrv::check
