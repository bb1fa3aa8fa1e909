// Reads isodrv.toml / [tool.isodrv] with toml++ and finds the nearest one for an input.
#include "cli/check_config.h"

#include <toml++/toml.h>

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string_view>
#include <unordered_map>

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
Result<std::optional<FileConfig>> load(const std::string& file, bool pyproject) {
  toml::table doc;
  try {
    doc = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return Error(Errc::invalid_argument, std::string(e.description()), file,
                 static_cast<std::uint32_t>(e.source().begin.line));
  }
  const toml::table* t = &doc;
  if (pyproject) {
    t = doc["tool"]["isodrv"].as_table();
    if (!t) return std::optional<FileConfig>();
  }
  auto c = read_table(file, *t);
  if (!c) return c.error();
  return std::optional<FileConfig>(std::move(c.value()));
}

// Whether a folder as written has no "." or ".." component: then the folder the input walk listed
// is the one its lexically normal absolute path names (a ".." after a symbolic link is not).
bool plain_folder(std::string_view folder) { return !check::scan_components(folder).dot; }

// `probe`: no when a listing of `dir` showed none of the names (the answer the probes would give).
enum class Probe { yes, no };

// What discovery remembers, per folder (absolute, normal, no trailing '/'): the index in `loaded`
// of the configuration that applies there (0: none). Each folder is probed once, at the first file
// that needs it, and its parents only up to the first folder already decided; a configuration
// file created later in a folder already probed is not seen by the rest of the run. Each
// configuration is kept once, so remembering a folder costs a string and an index.
struct Discovery {
  std::unordered_map<std::string, std::size_t> folders;
  std::vector<FileConfig> loaded{FileConfig{}};
  void clear() {
    folders.clear();
    loaded.resize(1);
  }
};

// `file` asked for by its name below the working directory `cwd` when it has one (cwd_relative).
bool is_regular(const std::string& file, std::string_view cwd) {
  struct stat st {};
  return ::stat(check::cwd_relative(file, cwd), &st) == 0 && S_ISREG(st.st_mode);
}

// The configuration in `dir` itself, by the names in order: its index in `d.loaded`, or nullopt
// when none of them is there (a pyproject.toml without [tool.isodrv] counts as absent).
Result<std::optional<std::size_t>> probe_folder(const std::string& dir, Discovery& d, std::string_view cwd) {
  std::string file;
  for (const std::string& name : config_file_names()) {
    file.assign(dir);
    if (file.back() != '/') file += '/';
    file += name;
    if (!is_regular(file, cwd)) continue;
    auto c = load(file, name == "pyproject.toml");
    if (!c) return c.error();
    if (*c) {
      d.loaded.push_back(std::move(**c));
      return std::optional<std::size_t>(d.loaded.size() - 1);
    }
  }
  return std::optional<std::size_t>();
}

// The parent of an absolute normal folder ("/a/b" -> "/a", "/a" -> "/"); "" for "/" itself.
std::string_view parent_folder(std::string_view dir) {
  if (dir.size() <= 1) return {};
  const std::size_t slash = dir.rfind('/');
  return slash == 0 || slash == std::string_view::npos ? dir.substr(0, 1) : dir.substr(0, slash);
}

// The index of the configuration for `dir`: the folder's own, else its parent's (remembered, or
// looked up in turn). The folders decided on the way are remembered with the answer found.
// `cwd`: the working directory, for shorter probes ("" none).
Result<std::size_t> find_in(std::string_view dir, Discovery& d, Probe probe, std::string_view cwd) {
  // Folders without a configuration file, innermost first: their entries, made when the folder
  // was first looked up (one hash and one copy of the name per new folder), take the answer at
  // the end. References to a map's elements stay valid when it rehashes.
  std::vector<std::size_t*> undecided;
  std::size_t answer = 0;
  std::string key;
  for (std::string_view cur = dir; !cur.empty(); cur = parent_folder(cur)) {
    key.assign(cur);
    auto [it, fresh] = d.folders.try_emplace(key, 0);
    if (!fresh) {
      answer = it->second;
      break;
    }
    if (probe == Probe::yes || cur != dir) {
      auto own = probe_folder(key, d, cwd);
      if (!own) {
        // Nothing is remembered for a folder whose lookup failed, as before.
        d.folders.erase(it);
        for (std::string_view f = dir; f != cur; f = parent_folder(f)) d.folders.erase(std::string(f));
        return own.error();
      }
      if (*own) {
        answer = **own;
        it->second = answer;
        break;
      }
    }
    undecided.push_back(&it->second);
  }
  for (std::size_t* f : undecided) *f = answer;
  return answer;
}

// Whether an absolute path is normal as it is: no "." or ".." component, no doubled '/'.
bool normal_absolute(std::string_view p) {
  if (p.empty() || p[0] != '/') return false;
  const check::PathComponents c = check::scan_components(p);
  return !c.dot && !c.empty;
}

// `path` made absolute (against `cwd` when given, else the working directory) and lexically
// normal: by joining strings when that is already normal, else through std::filesystem.
std::string absolute_normal(const std::string& path, const std::string* cwd) {
  if (!path.empty() && path[0] == '/') {
    if (normal_absolute(path)) return path;
  } else if (cwd && !path.empty() && normal_absolute(*cwd)) {
    std::string abs;
    abs.reserve(cwd->size() + 1 + path.size());
    abs = *cwd;
    if (abs.back() != '/') abs += '/';
    abs += path;
    if (normal_absolute(abs)) return abs;
  }
  std::error_code ec;
  return (cwd && !path.empty() && path[0] != '/' ? fs::path(*cwd) / path : fs::absolute(path, ec)).lexically_normal().string();
}

// The folder whose configuration applies to `abs` (absolute, normal): the folder it is in, or
// for a folder (when `what` allows one) itself; without a trailing '/' except for "/".
std::string config_folder(std::string abs, ConfigFor what) {
  const bool trailing = abs.size() > 1 && abs.back() == '/';
  if (trailing) abs.pop_back();  // "/a/b/" names the folder "/a/b", as its parent_path does
  std::error_code ec;
  if (!trailing && (what == ConfigFor::file || !fs::is_directory(abs, ec))) abs = std::string(parent_folder(abs));
  return abs.empty() ? std::string("/") : abs;
}

}  // namespace

const std::vector<std::string>& config_file_names() {
  static const std::vector<std::string> kNames = {"isodrv.toml", ".isodrv.toml", "pyproject.toml"};
  return kNames;
}

Result<const FileConfig*> find_config_ref(const std::string& path, ConfigFor what, const ConfigHints& hints) {
  static Discovery discovery;
  // The files of a run come folder after folder: the last file's folder, spelled as given, maps
  // to the same answer without making the path absolute and normal again. Only a plain file name
  // after the last '/' qualifies: its folder is then the given folder part, however that normalises.
  static std::string last_folder;
  static std::optional<std::size_t> last;
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
  const std::string_view folder = slash == std::string::npos ? std::string_view() : std::string_view(path).substr(0, slash + 1);
  const bool plain = what == ConfigFor::file && !name.empty() && name != "." && name != "..";
  if (plain && last && folder == last_folder) return &discovery.loaded[*last];
  // Inputs come folder after folder: a bounded memory keeps it flat over a million folders.
  if (discovery.folders.size() > 4096) {
    discovery.clear();
    last.reset();
  }
  // A file named by an absolute normal path (a list of absolute paths: every file) is in the
  // folder its path names up to the last '/': taken as a view, without a copy.
  std::string made;
  const std::string_view dir = plain && normal_absolute(path)
                                   ? parent_folder(path)
                                   : std::string_view(made = config_folder(absolute_normal(path, hints.cwd), what));
  const bool listed_without = what == ConfigFor::file && hints.folder_has_config_name == false && plain_folder(folder);
  Result<std::size_t> found =
      find_in(dir, discovery, listed_without ? Probe::no : Probe::yes, hints.cwd ? std::string_view(*hints.cwd) : std::string_view());
  if (!found) {
    last.reset();
    return found.error();
  }
  if (plain) {
    last_folder.assign(folder);
    last = *found;
  } else {
    last.reset();
  }
  return &discovery.loaded[*found];
}

Result<FileConfig> find_config(const std::string& path, ConfigFor what, const ConfigHints& hints) {
  auto c = find_config_ref(path, what, hints);
  if (!c) return c.error();
  return **c;
}

}  // namespace isodrv::cli
