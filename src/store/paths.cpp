// Windows paths of the emulated installation and their host paths below a store root: the one
// mapping (isodrv/store_paths.h). The ImagePath forms, drive C: and the fixed host spelling of
// DESIGN.md §2; the store, the install engine and the state-location API all resolve here.
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "isodrv/registry.h"
#include "isodrv/store_paths.h"

namespace isodrv::store {
namespace {

namespace fs = std::filesystem;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 0x20);
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 0x20);
    if (a != b) return false;
  }
  return true;
}

bool is_drive_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Host spellings fixed by DESIGN.md §2, keyed by the folded Windows path of their parent folder.
struct FixedName {
  std::string_view parent;  // '\'-joined below the drive (compared folded); "" for the drive itself
  std::string_view name;
};
constexpr FixedName kFixedNames[] = {
    {"", "Windows"},
    {"windows", "System32"},
    {"windows", "INF"},
    {"windows", "ServiceState"},
    {"windows", "DeviceState"},
    {"windows\\system32", "DriverStore"},
    {"windows\\system32", "drivers"},
    {"windows\\system32\\driverstore", "FileRepository"},
    {"windows\\system32\\drivers", "DriverData"},
};

// The host spelling of `component` inside `host_dir`, whose Windows path folded is `parent`.
std::string host_component(const std::string& host_dir, const std::string& parent, const std::string& component) {
  std::string folded = registry::fold_name(component);
  for (const auto& f : kFixedNames) {
    if (registry::fold_name(f.parent) == parent && registry::fold_name(f.name) == folded) return std::string(f.name);
  }
  // Windows looks names up case-insensitively; an entry that already exists keeps its spelling.
  std::error_code ec;
  if (fs::exists(fs::path(host_dir) / component, ec)) return component;
  fs::directory_iterator it(host_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (registry::fold_name(name) == folded) return name;
  }
  return component;
}

}  // namespace

Result<std::string> normalize_windows_path(std::string_view in) {
  std::string_view p = in;
  if (p.size() >= 2 && p.front() == '"' && p.back() == '"') p = p.substr(1, p.size() - 2);
  auto bad = [&](const std::string& why) {
    return Error(Errc::invalid_argument, "'" + std::string(in) + "': " + why);
  };
  if (p.empty()) return bad("the path is empty");

  std::string_view rest;  // below the drive, without a leading '\'
  std::string prefix;     // the drive path `rest` is relative to
  if (starts_with_nocase(p, "\\??\\")) {
    p.remove_prefix(4);
    if (p.size() < 2 || !is_drive_letter(p[0]) || p[1] != ':') return bad("\\??\\ must be followed by a drive path");
  }
  if (p.size() >= 2 && is_drive_letter(p[0]) && p[1] == ':') {
    if (p[0] != 'C' && p[0] != 'c') return bad("only drive C: exists in the emulated installation");
    if (p.size() > 2 && p[2] != '\\') return bad("a drive-relative path is not accepted");
    prefix = kSystemDrive;
    rest = p.size() > 3 ? p.substr(3) : std::string_view{};
  } else if (starts_with_nocase(p, "\\SystemRoot\\") || starts_with_nocase(p, "%SystemRoot%\\")) {
    prefix = kSystemRoot;
    rest = p.substr(p.find('\\', 1) + 1);
  } else if (starts_with_nocase(p, "%windir%\\")) {
    prefix = kSystemRoot;
    rest = p.substr(9);
  } else if (p.front() == '\\') {
    return bad("only \\SystemRoot\\, \\??\\C:\\ and C:\\ rooted paths are accepted");
  } else if (p.find(':') != std::string_view::npos || p.find('%') != std::string_view::npos) {
    return bad("unknown path form");
  } else {
    prefix = kSystemRoot;  // a relative ImagePath is relative to the system root
    rest = p;
  }
  if (!rest.empty() && rest.back() == '\\') rest.remove_suffix(1);

  std::string out = prefix;
  if (rest.empty()) return prefix == kSystemDrive ? out + "\\" : out;
  std::size_t start = 0;
  while (true) {
    std::size_t cut = rest.find('\\', start);
    std::string_view c = rest.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
    if (c.empty()) return bad("empty path component");
    if (c == "." || c == "..") {
      return Error(Errc::path_escape, "'" + std::string(in) + "': '.' and '..' components are refused");
    }
    for (char ch : c) {
      if (ch == '/') return Error(Errc::path_escape, "'" + std::string(in) + "': '/' is refused in a component");
      if (static_cast<unsigned char>(ch) < 0x20) return bad("control character in the path");
    }
    out += '\\';
    out += c;
    if (cut == std::string_view::npos) break;
    start = cut + 1;
  }
  return out;
}

namespace {

// An INF-joined path in the form normalize_windows_path reads: "/" separates like "\\", empty and
// "." components go (SetupAPI joins DIRID folders and subdirectories that way); ".." stays, to be
// refused. Only "C:\\…" paths: an INF destination is always below a DIRID folder.
Result<std::string> inf_destination_path(std::string_view in) {
  if (in.size() < 3 || !starts_with_nocase(in, "C:") || (in[2] != '\\' && in[2] != '/')) {
    return Error(Errc::path_escape, "'" + std::string(in) + "' is not below C:\\");
  }
  std::string out(kSystemDrive);
  std::size_t start = 3;
  while (start <= in.size()) {
    std::size_t cut = in.find_first_of("\\/", start);
    if (cut == std::string_view::npos) cut = in.size();
    std::string_view c = in.substr(start, cut - start);
    if (!c.empty() && c != ".") {
      out += '\\';
      out += c;
    }
    start = cut + 1;
  }
  if (out.size() == kSystemDrive.size()) out += '\\';
  return out;
}

}  // namespace

Result<std::string> windows_to_host(const std::string& root, std::string_view windows_path, PathSpelling spelling) {
  std::string joined;
  if (spelling == PathSpelling::inf_destination) {
    auto p = inf_destination_path(windows_path);
    if (!p) return p.error();
    joined = std::move(*p);
    windows_path = joined;
  }
  auto norm = normalize_windows_path(windows_path);
  if (!norm) return norm.error();
  std::string host = root;
  while (host.size() > 1 && host.back() == '/') host.pop_back();
  std::string parent;  // folded Windows path below the drive
  std::string_view rest = std::string_view(*norm).substr(3);  // after "C:\"
  std::size_t start = 0;
  while (start < rest.size()) {
    std::size_t cut = rest.find('\\', start);
    std::string c(rest.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start));
    std::string spelled = host_component(host, parent, c);
    host += '/';
    host += spelled;
    if (!parent.empty()) parent += '\\';
    parent += registry::fold_name(c);
    if (cut == std::string_view::npos) break;
    start = cut + 1;
  }
  return host;
}

std::string host_folder(const std::string& root, const char* fixed_folder) {
  // Every component of a fixed folder has its fixed spelling: the mapping neither fails nor looks
  // at the file system (the root itself stands in for the impossible failure).
  auto host = windows_to_host(root, fixed_folder);
  return host ? *host : root;
}

Result<std::string> host_to_windows(const std::string& root, const std::string& host_path) {
  fs::path r = fs::path(root).lexically_normal();
  fs::path h = fs::path(host_path);
  auto outside = [&] {
    return Error(Errc::path_escape, "'" + host_path + "' is not below the store root " + root);
  };
  for (const auto& part : h) {
    if (part == "." || part == "..") return outside();
  }
  auto it = h.begin();
  for (const auto& part : r) {
    if (part.empty()) continue;  // the trailing "" of "dir/"
    if (it == h.end() || *it != part) return outside();
    ++it;
  }
  std::string out(kSystemDrive);
  out += '\\';
  bool first = true;
  for (; it != h.end(); ++it) {
    if (it->empty()) continue;
    if (it->string().find('\\') != std::string::npos) {
      return Error(Errc::invalid_argument, "'" + host_path + "': a host name with '\\' has no Windows path");
    }
    if (!first) out += '\\';
    out += it->string();
    first = false;
  }
  return out;
}

}  // namespace isodrv::store
