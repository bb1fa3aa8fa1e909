// What the report writers of src/diag share: the running counts a report ends with, and the
// factories of the JSON-based formats (render_json.cpp). Private to src/diag.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/diag.h"
#include "isodrv/report.h"

namespace isodrv::diag::detail {

// Counts over the files seen so far: all a report's closing lines need.
struct Tally {
  std::size_t files = 0, not_valid = 0, errors = 0, warnings = 0;
  std::map<int, std::pair<std::size_t, Severity>> codes;  // count and highest severity per code
  std::map<Mode, std::size_t> modes;                      // files per mode they were checked in
  Tally() = default;
  // Not copied: `slots` points into this tally's own `codes`.
  Tally(const Tally&) = delete;
  Tally& operator=(const Tally&) = delete;
  void add(const FileResult& f);
  // The entry of `codes` for each code seen, by code: every finding is counted, and a map search
  // per finding cost more than the rest of the counting (a map's entries do not move).
  std::vector<std::pair<std::size_t, Severity>*> slots;
  // Whether some file was checked in another mode than the run's (configuration files): the
  // summaries then count files per mode instead of naming one.
  bool modes_differ(Mode run) const { return modes.size() > 1 || (modes.size() == 1 && modes.begin()->first != run); }
};

std::string trimmed(std::string_view s);
// The same text as a view into `s` (no copy).
std::string_view trimmed_view(std::string_view s);

// The rule-table row of `code` in `mode` through the caller's lookup (RenderOptions::rules);
// nullopt without a lookup or for an unknown code.
inline std::optional<RuleDoc> rule_doc(const RenderOptions& o, int code, Mode mode) {
  return o.rules ? o.rules(code, mode) : std::nullopt;
}

// A finding's path as SARIF and GitHub want it (RenderOptions::base): `relative` to the base, or
// not under it, `absolute` (lexically normalised, "" when no cwd was given to resolve it).
struct OutputPath {
  std::string relative;
  std::string absolute;
  bool under_base = false;
};
OutputPath output_path(const std::string& path, const PathBase& o);

// Writers of ReportWriter's contract, for Format::json, jsonl and sarif.
std::unique_ptr<ReportWriter> make_json_writer(const RenderOptions& o, Mode mode, const std::string& version,
                                               std::ostream& out);
std::unique_ptr<ReportWriter> make_jsonl_writer(const RenderOptions& o, Mode mode, const std::string& version,
                                                std::ostream& out);
std::unique_ptr<ReportWriter> make_html_writer(const RenderOptions& o, Mode mode, const std::string& version,
                                               std::ostream& out);
std::unique_ptr<ReportWriter> make_sarif_writer(const RenderOptions& o, const PathBase& paths, Mode mode,
                                                const std::string& version, std::ostream& out);

}  // namespace isodrv::diag::detail
