// Reads isodrv.toml / [tool.isodrv] with toml++ and finds the nearest one for an input.
#include "cli/check_config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string_view>

#include "isodrv/check.h"

namespace isodrv::cli {
namespace {

namespace fs = std::filesystem;

Error config_error(const std::string& file, const toml::node* where, const std::string& msg) {
  std::uint32_t line = where ? static_cast<std::uint32_t>(where->source().begin.line) : 0;
  return Error(Errc::invalid_argument, msg, file, line);
}

Result<std::string> read_string(const std::string& file, const toml::node& n, const std::string& key) {
  if (auto v = n.value<std::string>()) return *v;
  return config_error(file, &n, key + " must be a string");
}

// A list of codes or prefixes: ["13", 1322] (numbers are accepted as codes).
Result<std::vector<std::string>> read_codes(const std::string& file, const toml::node& n, const std::string& key) {
  const toml::array* arr = n.as_array();
  if (!arr) return config_error(file, &n, key + " must be a list of codes, e.g. [\"13\", \"1322\"]");
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    std::string code;
    if (auto s = item.value<std::string>()) code = *s;
    else if (auto i = item.value<std::int64_t>()) code = std::to_string(*i);
    if (!check::valid_selector(code)) return config_error(file, &item, key + ": '" + code + "' is not a rule code or code prefix");
    out.push_back(code);
  }
  return out;
}

// Reads one settings table; every key is known, so a typo is an error rather than ignored.
Result<FileConfig> read_table(const std::string& file, const toml::table& t) {
  FileConfig c;
  c.file = file;
  c.dir = fs::path(file).parent_path().string();
  for (const auto& [k, node] : t) {
    const std::string key(k.str());
    if (key == "mode" || key == "target-os" || key == "format" || key == "baseline") {
      auto v = read_string(file, node, key);
      if (!v) return v.error();
      (key == "mode" ? c.mode : key == "target-os" ? c.target_os : key == "format" ? c.format : c.baseline) = *v;
    } else if (key == "select" || key == "ignore" || key == "extend-select") {
      auto v = read_codes(file, node, key);
      if (!v) return v.error();
      if (key == "select") c.select = *v;
      else (key == "ignore" ? c.ignore : c.extend_select) = *v;
    } else if (key == "warnings-as-errors") {
      auto b = node.value<bool>();
      if (!b) return config_error(file, &node, "warnings-as-errors must be true or false");
      c.warnings_as_errors = *b;
    } else if (key == "per-file-ignores") {
      const toml::table* pfi = node.as_table();
      if (!pfi) return config_error(file, &node, "per-file-ignores must be a table of \"glob\" = [codes]");
      for (const auto& [glob, codes] : *pfi) {
        auto v = read_codes(file, codes, "per-file-ignores");
        if (!v) return v.error();
        c.per_file_ignores.emplace_back(std::string(glob.str()), *v);
      }
    } else {
      return config_error(file, &node,
                          "unknown setting '" + key + "' (known: mode, target-os, select, ignore, extend-select, "
                          "per-file-ignores, warnings-as-errors, baseline, format)");
    }
  }
  return c;
}

// The settings in `file`, or nullopt for a pyproject.toml without [tool.isodrv].
Result<std::optional<FileConfig>> load(const fs::path& file, bool pyproject) {
  toml::table doc;
  try {
    doc = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    return Error(Errc::invalid_argument, std::string(e.description()), file.string(),
                 static_cast<std::uint32_t>(e.source().begin.line));
  }
  const toml::table* t = &doc;
  if (pyproject) {
    t = doc["tool"]["isodrv"].as_table();
    if (!t) return std::optional<FileConfig>();
  }
  auto c = read_table(file.string(), *t);
  if (!c) return c.error();
  return std::optional<FileConfig>(std::move(c.value()));
}

// `probe`: no when a listing of `dir` showed none of the names (the answer the probes would give).
enum class Probe { yes, no };

Result<FileConfig> find_in(const fs::path& dir, std::map<std::string, FileConfig>& cache, Probe probe = Probe::yes) {
  if (auto it = cache.find(dir.string()); it != cache.end()) return it->second;
  std::error_code ec;
  for (const std::string& name : config_file_names()) {
    if (probe == Probe::no) break;
    const fs::path f = dir / name;
    if (!fs::is_regular_file(f, ec)) continue;
    auto c = load(f, name == "pyproject.toml");
    if (!c) return c.error();
    if (*c) return cache[dir.string()] = std::move(**c);
  }
  FileConfig none;
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    auto up = find_in(dir.parent_path(), cache);
    if (!up) return up;
    none = *up;
  }
  return cache[dir.string()] = none;
}

// Whether a folder as written has no "." or ".." component: then the folder the input walk listed
// is the one its lexically normal absolute path names (a ".." after a symbolic link is not).
bool plain_folder(std::string_view folder) {
  for (std::size_t b = 0; b <= folder.size();) {
    std::size_t e = folder.find('/', b);
    if (e == std::string_view::npos) e = folder.size();
    const std::string_view part = folder.substr(b, e - b);
    if (part == "." || part == "..") return false;
    b = e + 1;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& config_file_names() {
  static const std::vector<std::string> kNames = {"isodrv.toml", ".isodrv.toml", "pyproject.toml"};
  return kNames;
}

Result<FileConfig> find_config(const std::string& path, ConfigFor what, const ConfigHints& hints) {
  static std::map<std::string, FileConfig> cache;
  // The files of a run come folder after folder: the last file's folder, spelled as given, maps
  // to the same answer without making the path absolute and normal again (two path parses and a
  // handful of allocations per file). Only a plain file name after the last '/' qualifies: its
  // folder is then the given folder part, however that normalises.
  static std::string last_folder;
  static std::optional<Result<FileConfig>> last;
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
  const std::string_view folder = slash == std::string::npos ? std::string_view() : std::string_view(path).substr(0, slash + 1);
  const bool plain = what == ConfigFor::file && !name.empty() && name != "." && name != "..";
  if (plain && last && folder == last_folder) return *last;
  // Inputs come folder after folder: a bounded cache keeps memory flat over a million folders.
  if (cache.size() > 4096) cache.clear();
  std::error_code ec;
  fs::path p = (hints.cwd && !path.empty() && path[0] != '/' ? fs::path(*hints.cwd) / path : fs::absolute(path, ec))
                   .lexically_normal();
  if (what == ConfigFor::file || !fs::is_directory(p, ec)) p = p.parent_path();
  const bool listed_without = what == ConfigFor::file && hints.folder_has_config_name == false && plain_folder(folder);
  Result<FileConfig> found = find_in(p, cache, listed_without ? Probe::no : Probe::yes);
  if (plain) {
    last_folder.assign(folder);
    last = found;
  } else {
    last.reset();
  }
  return found;
}

}  // namespace isodrv::cli
