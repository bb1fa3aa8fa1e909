// `isodrv check`: validates INF/INX files in InfVerif's modes and produces a diag::Report.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "isodrv/diag.h"
#include "isodrv/rules.h"

namespace isodrv::check {

struct Options {
  rules::CheckSettings settings;
  unsigned codepage = 1252;
  unsigned jobs = 1;
  bool summary = false;  // --info: fill FileResult::summary
  // Called with the number of files done, from the checking threads one at a time, at most every
  // 64 files and once at the end; the output order does not depend on it.
  std::function<void(std::size_t)> on_progress;
};

// Checks one file (by path; .inx files are read with stamp tokens accepted).
diag::FileResult check_file(const std::string& path, const Options& opts);
// Checks one file given its bytes.
diag::FileResult check_bytes(std::string_view bytes, const std::string& path, const Options& opts);
// Checks many files in parallel; results keep the order of `paths`.
diag::Report check_files(const std::vector<std::string>& paths, const Options& opts);
// The same, handing each file's result to `sink` as soon as it and every file before it are done
// (one call at a time, in the order of `paths`), so a caller can write and drop it: memory does
// not grow with the number of files. Options::on_progress is called from the same place.
void check_stream(const std::vector<std::string>& paths, const Options& opts,
                  const std::function<void(diag::FileResult&&)>& sink);

// Expands folders recursively into their .inf/.inx files (sorted); files are kept as given.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, std::vector<std::string>& missing);

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
Result<Baseline> load_baseline(const std::string& path);
void apply_baseline(const Baseline& b, diag::Report& report);
// The same, one file at a time (each accepted finding is used once over the whole run).
class BaselineFilter {
 public:
  explicit BaselineFilter(const Baseline& b);
  ~BaselineFilter();
  void apply(diag::FileResult& f);

 private:
  struct Accepted;
  std::unique_ptr<Accepted> accepted_;
};

}  // namespace isodrv::check
