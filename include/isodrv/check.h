// `isodrv check`: validates INF/INX files in InfVerif's modes and produces a diag::Report.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/diag.h"
#include "isodrv/rules.h"

namespace isodrv::check {

struct Options {
  rules::CheckSettings settings;
  unsigned codepage = 1252;
  unsigned jobs = 1;
  bool summary = false;  // --info: fill FileResult::summary
  // The project root (absolute, normalised): paths in results are relative to it, without "./"
  // or "..", so output and baselines are the same from any working directory. A file outside the
  // root keeps its absolute path. "" keeps paths as given.
  std::string project_root;
  // Called with the number of files done, from the checking threads one at a time, at most every
  // 64 files and once at the end; the output order does not depend on it.
  std::function<void(std::size_t)> on_progress;
};

// The path a result shows for `path` under `project_root` (see Options::project_root).
std::string display_path(const std::string& path, const std::string& project_root);
// The same with the working directory given (absolute; "" reads it): check_stream reads it once
// per run instead of once per file.
std::string display_path(const std::string& path, const std::string& project_root, std::string_view cwd);
// What the components of a path hold, as written: a "." or ".." one, an empty one (a doubled '/';
// the leading '/' of an absolute path and a trailing '/' do not count). One memchr step per
// component: the path checks of display_path and configuration discovery ask it for every file.
struct PathComponents {
  bool dot = false;
  bool empty = false;
};
PathComponents scan_components(std::string_view p);
// `path` spelled for a system call from the working directory `cwd` (absolute, as getcwd gives
// it): the part after "cwd/" when `path` lies below it, else `path` itself. The kernel then walks
// only the components below the working directory instead of every one from the root (on a list of
// absolute paths, each stat, open and configuration probe). getcwd's answer has no symbolic link,
// so the prefix names the working directory itself and any rest resolves the same from there.
inline const char* cwd_relative(const std::string& path, std::string_view cwd) {
  const std::size_t n = cwd.size();
  if (n < 2 || cwd[0] != '/' || cwd[n - 1] == '/' || path.size() < n + 2 || path[n] != '/' || path[n + 1] == '/' ||
      path.compare(0, n, cwd) != 0) {
    return path.c_str();
  }
  return path.c_str() + n + 1;
}
// The project root for a working directory: the enclosing git top-level (a folder holding .git),
// else `cwd` itself. Absolute and normalised.
std::string find_project_root(const std::string& cwd);

// Which codes are reported, as ruff selects rules: entries are codes or code prefixes ("13" is
// every 13xx code). A code is reported when the longest entry of `select` or `ignore` that is a
// prefix of it comes from `select` (an empty `select` selects everything; on a tie, ignore wins).
struct Selection {
  std::vector<std::string> select, ignore;
  // Per-file ignores: glob (fnmatch, '*' also crosses '/') on the result's path -> codes/prefixes.
  std::vector<std::pair<std::string, std::vector<std::string>>> per_file_ignores;
  bool warnings_as_errors = false;  // every reported warning counts as an error
  bool selects(int code, const std::string& path = {}) const;
};
// Drops unselected findings and, with warnings_as_errors, raises warnings; recomputes validity.
void apply_selection(const Selection& s, diag::Report& report);
void apply_selection(const Selection& s, diag::FileResult& f);
// Whether `entry` is a code or code prefix ("1322", "13"); rule codes have at most 4 digits.
bool valid_selector(const std::string& entry);

// Checks one file (by path; .inx files are read with stamp tokens accepted).
diag::FileResult check_file(const std::string& path, const Options& opts);
// Checks one file given its bytes.
diag::FileResult check_bytes(std::string_view bytes, const std::string& path, const Options& opts);
// The /w errors of an INF for `arch`, each "file:line: message [code]": the validator the driver
// store is given when it stages a package (store::AddOptions::validate).
std::vector<std::string> isolation_errors(std::string_view bytes, const std::string& path, inf::Arch arch);
// Checks many files in parallel; results keep the order of `paths`.
diag::Report check_files(const std::vector<std::string>& paths, const Options& opts);
// The same, handing each file's result to `sink` as soon as it and every file before it are done
// (one call at a time, in the order of `paths`), so a caller can write and drop it: memory does
// not grow with the number of files. Options::on_progress is called from the same place.
void check_stream(const std::vector<std::string>& paths, const Options& opts,
                  const std::function<void(diag::FileResult&&)>& sink);

// The same with the paths produced one at a time by `next` (false at the end), called under a
// lock from the checking threads: a caller can walk folders or read a list as checking proceeds.
void check_stream(const std::function<bool(std::string&)>& next, const Options& opts,
                  const std::function<void(diag::FileResult&&)>& sink);

// Expands folders recursively into their .inf/.inx files (sorted); files are kept as given.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, std::vector<std::string>& missing);

// The paths expand_inputs gives, in the same order, one at a time: a folder is walked depth first
// with each folder's entries sorted so that the order is that of the sorted full paths, holding
// only the listings on the way down; a list is read a line at a time. Memory does not grow with
// the number of files (only with the largest folder and the depth, and by a bit per input given:
// whether it is a folder, noted by the first pass for the next ones). rewind() starts over, for a
// second pass; the inputs are read again then, except the folders: the first pass keeps the
// listings of its first folders (up to kReplayBudget bytes), and the next pass takes them instead
// of listing those folders again (a tree of one folder per file otherwise lists each one twice).
class InputWalk {
 public:
  struct Source {
    std::string path;            // a file or folder to check, or with `list`, a file of paths
    bool list = false;           // one path per line ('#' comment lines, trailing blanks dropped) or
    std::shared_ptr<FILE> open;  // with -0 NUL-separated; `open`: an already open list (a spool)
  };
  InputWalk(std::vector<Source> sources, bool nul);
  ~InputWalk();
  bool next(std::string& path);
  void rewind();
  // Names (exact, as the file system spells them) that the listings note, e.g. configuration file
  // names: watched_in_folder() says whether the folder of the file next() returned last holds an
  // entry of one of these names, as its listing showed; nullopt when that path was not found by
  // listing a folder (an argument, a list's line) or no names are watched.
  std::vector<std::string> watched_names;
  std::optional<bool> watched_in_folder() const;
  // What the listings kept for the next pass may hold, in bytes (names and bookkeeping).
  static constexpr std::size_t kReplayBudget = std::size_t{4} << 20;
  std::size_t replay_budget = kReplayBudget;
  // Called with each input as given (an argument or a list's line) before it is expanded.
  std::function<void(const std::string&)> on_input;
  // The working directory (absolute, as getcwd gives it; "" none): inputs below it are asked about
  // by their name relative to it (cwd_relative).
  std::string cwd;

 private:
  struct Frame;
  bool next_from_list(std::string& path);
  bool next_from_tree(std::string& path);
  void push_folder(const std::string& dir);
  Frame list_folder(const std::string& dir) const;
  void keep_for_replay(const Frame& f);
  bool entry_is_folder(const std::string& entry);
  void set_list_buffer();
  static constexpr std::size_t kListBuffer = std::size_t{64} << 10;
  std::vector<Source> sources_;
  bool nul_;
  std::size_t source_ = 0;
  std::FILE* list_ = nullptr;   // the list being read, when the current source is one
  bool own_list_ = false;
  std::vector<Frame> frames_;   // the folders being walked, outermost first
  std::vector<Frame> replay_;   // the first pass's listings in walk order, for the next pass
  std::size_t replay_next_ = 0, replay_bytes_ = 0;
  int pass_ = 0;                // rewinds so far: the first pass keeps listings, the second takes them
  bool last_from_tree_ = false;
  std::vector<bool> entry_folders_;  // per input as given, in order: a folder (the first pass's stat)
  std::size_t entry_index_ = 0;      // inputs given so far in this pass
  char* line_ = nullptr;        // getdelim's buffer
  std::unique_ptr<char[]> list_buffer_;  // stdio's buffer for the list files (outlives list_)
  std::size_t line_cap_ = 0;
};

// Reads a /product platform definition (format in docs/rules/README.md): one inbox INF per line,
// optionally followed by the sections it defines; or a folder, whose *.inf files are read for
// their names and section headers.
Result<rules::Product> load_product(const std::string& path);

// Suppression: `; isodrv: ignore[1322] reason` on the line or the line above. Removes matched
// diagnostics and reports each suppression that matched nothing as code 9001.
void apply_inline_suppressions(const inf::Document& doc, diag::FileResult& result);

// Baseline: a previous --format json report; findings matching code, file, section and the
// trimmed text of their line are dropped.
struct Baseline {
  struct Entry {
    int code;
    std::string file, section, text;
  };
  std::vector<Entry> entries;
};
// Entry paths are normalised against `project_root` (absolute ones made relative to it), so a
// baseline written from any folder, with absolute or relative inputs, matches.
Result<Baseline> load_baseline(const std::string& path, const std::string& project_root = {});
// Removes the accepted findings and returns how many there were.
std::size_t apply_baseline(const Baseline& b, diag::Report& report);
// The same, one file at a time (each accepted finding is used once over the whole run).
class BaselineFilter {
 public:
  explicit BaselineFilter(const Baseline& b);
  ~BaselineFilter();
  void apply(diag::FileResult& f);
  // How many findings it has accepted so far.
  std::size_t accepted() const { return count_; }

 private:
  struct Accepted;
  std::unique_ptr<Accepted> accepted_;
  std::size_t count_ = 0;
};

}  // namespace isodrv::check
