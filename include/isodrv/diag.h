// Diagnostics: what a rule reports, where, and how severe it is in the selected mode; plus the
// renderers (text, infverif, json, sarif, github) that turn a report into output.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isodrv::diag {

enum class Severity : std::uint8_t { none = 0, warning = 1, error = 2 };
std::string_view severity_name(Severity s);  // "error", "warning", "none"

// InfVerif's validation modes: /k declarative, /u universal, /w Windows Driver (isolation), /h WHQL.
enum class Mode : std::uint8_t { k, u, w, h };
std::string_view mode_name(Mode m);  // "k", "u", "w", "h"

struct Note {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message;
};

// How far a fix may be trusted (ruff's applicability): a safe fix leaves what the driver sees
// through the state-location API unchanged; an unsafe one moves state, so the driver's code must
// follow (the migration entry says how), and is applied only when asked for.
enum class FixSafety : std::uint8_t { safe, unsafe };
std::string_view fix_safety_name(FixSafety s);  // "safe", "unsafe"

// One edit of the original file: bytes [begin, end) replaced by `replacement`, which is already in
// the file's encoding and line ending. An insertion has begin == end.
struct Edit {
  std::uint32_t begin = 0, end = 0;
  std::string replacement;
  bool operator==(const Edit&) const = default;
};

// What the driver's code must do after an unsafe fix moved a value or a file: the API that finds
// the new location, the location before and after (registry key\value or Windows path) and the INF
// line the fix changed.
struct Migration {
  std::string kind;     // "parameters", "hardware-key", "driver-file", "removed"
  std::string api;      // e.g. "IoOpenDriverRegistryKey(DriverRegKeyParameters) / WdfDriverOpenParametersRegistryKey"
  std::string before, after;
  std::uint32_t line = 0;  // the INF line (before the fix)
  std::string inf_text;    // its text
};

// A fix of one finding. No edits with a `reason`: the rule has a fix, but none is correct here.
struct Fix {
  FixSafety safety = FixSafety::safe;
  std::string description;  // what the edits do, one line
  std::vector<Edit> edits;  // in the file as it was checked; sorted, not overlapping
  std::vector<Migration> migrations;
  std::string reason;       // why nothing is changed ("" when there are edits)
  bool available() const { return !edits.empty(); }
};

struct Diagnostic {
  int code = 0;
  Severity severity = Severity::error;
  std::string file;
  std::uint32_t line = 0;     // 0: the whole file
  std::uint32_t column = 0;   // 1-based UTF-16 units; 0 when unknown
  std::string section;
  std::string message;
  std::vector<Note> notes;
  std::string source_line;    // the physical source line, for carets and baselines
  std::string target_os;      // decoration when the finding concerns one Models variant
  std::optional<Fix> fix;     // filled by isodrv::fix for codes whose rule declares a fix
};

// Deterministic order: file, line, column, code, message.
bool operator<(const Diagnostic& a, const Diagnostic& b);

// What an INF declares, from the package model, for --info (InfVerif /info "INF summary").
struct InfSummary {
  std::string provider, class_name, class_guid, driver_ver, catalog;  // substituted; "" when absent
  std::string pnp_lockdown;                // the value as written; "" when absent
  std::vector<std::string> models;         // Models sections the package model reads, in order
  std::size_t devices = 0;                 // their model lines
  std::vector<std::string> hardware_ids;   // distinct, in order of appearance
  std::vector<std::string> services;       // AddService names, distinct
  std::size_t files_copied = 0;            // CopyFiles entries
  std::vector<std::string> destinations;   // their distinct destination DIRIDs, as written
};

struct FileResult {
  std::string path;
  bool valid = true;           // false exactly when an error-level diagnostic is present
  bool unreadable = false;     // the file could not be read at all (exit 3)
  std::string encoding;        // inf::encoding_name of the bytes as read; "" when not decoded
  std::vector<Diagnostic> diagnostics;
  std::optional<InfSummary> summary;  // with --info, when the file parsed
  // The mode the file was checked in (check sets it): configuration files may give folders of one
  // run different modes, and the reports say so where it differs from the run's mode.
  std::optional<Mode> mode;
};

struct Report {
  std::string tool_version;
  Mode mode = Mode::w;
  std::vector<FileResult> files;
  // With a baseline: how many findings it accepted (removed); the summaries say so.
  std::optional<std::size_t> baseline_accepted;
  std::size_t errors() const;
  std::size_t warnings() const;
};

enum class Format : std::uint8_t { text, infverif, json, sarif, github, jsonl, html };

// What the renderers show about a code: its row of the rule table (src/rules), as the caller's
// lookup gives it. Rendering sits below the rules and never asks them itself (docs/architecture.md);
// the CLI passes its lookup in RenderOptions::rules.
struct RuleDoc {
  std::string_view slug, topic, why, bad, good;
  bool implemented = false;
  bool isolation = false;
  Severity level = Severity::none;  // the code's level in the mode it was asked for
};
using RuleLookup = std::optional<RuleDoc> (*)(int code, Mode mode);

struct RenderOptions {
  Format format = Format::text;
  RuleLookup rules = nullptr;  // null: codes are rendered without names or help
  bool color = false;
  bool verbose = false;     // infverif: print a verdict for every file
  bool statistics = false;  // append counts per code
  bool info = false;        // print each file's INF summary (text, infverif; JSON always has it when set)
};

// Renders a report. Rule metadata (names, help) comes from opts.rules.
std::string render(const Report& report, const RenderOptions& opts);

// Writes a report file by file as the files are checked: what it keeps between files is counts
// per code, never the files or their findings, so memory does not grow with the size of a run.
// The bytes written are exactly those of render() over the same files.
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void file(const FileResult& f) = 0;  // in report order
  virtual void finish() = 0;                   // what follows the last file; call once
  // With a baseline: how many findings it accepted, for the summary (text, json, jsonl, html).
  // Set before finish(); unset, the summaries do not mention a baseline.
  void set_baseline_accepted(std::size_t n) { baseline_accepted_ = n; }

 protected:
  std::optional<std::size_t> baseline_accepted_;
};
std::unique_ptr<ReportWriter> make_writer(const RenderOptions& opts, Mode mode, const std::string& tool_version,
                                          std::ostream& out);

}  // namespace isodrv::diag
