// The JSON-based report formats, written file by file: JSON (DESIGN.md §4), JSON Lines (one record
// per file as it is checked, then a summary record) and SARIF 2.1.0 for code scanning.
#include <cstdio>
#include <ostream>
#include <set>
#include <unordered_map>

#include "diag/json_writer.h"
#include "diag/writers.h"
#include "isodrv/diag.h"
#include "isodrv/report.h"

namespace isodrv::diag::detail {
namespace {

constexpr std::string_view kDocsUri = "https://github.com/isodrv/isodrv/blob/main/docs/rules/";

// Output is handed on once this much is buffered: memory stays bounded whatever the run's size.
constexpr std::size_t kFlushAt = 1 << 16;

void flush(JsonWriter& w, std::ostream& out) {
  out.write(w.text().data(), static_cast<std::streamsize>(w.text().size()));
  w.clear();
}

// The rule slug of each code, asked of the caller's lookup (RenderOptions::rules) once per code
// of a run instead of once per finding. The lookup's views point into the rule table.
class Slugs {
 public:
  std::string_view of(const RenderOptions& o, int code, Mode mode) {
    auto [it, fresh] = slugs_.try_emplace(code);
    if (fresh) {
      const auto info = rule_doc(o, code, mode);
      it->second = info ? info->slug : std::string_view();
    }
    return it->second;
  }

 private:
  std::unordered_map<int, std::string_view> slugs_;
};

// The keys of a finding's object, each with the line break and indentation before it, made once
// for the depth findings are written at: every finding then writes each key as one copy.
struct FindingKeys {
  std::size_t depth = 0;  // 0: not made yet
  std::string code, column, line, message, notes, rule, section, severity, source, target_os;

  void make_for(const JsonWriter& w) {
    using P = JsonWriter::KeyPlace;
    depth = w.depth();
    code = w.key_piece("code", P::first);
    column = w.key_piece("column", P::later);
    line = w.key_piece("line", P::later);
    message = w.key_piece("message", P::later);
    notes = w.key_piece("notes", P::later);
    rule = w.key_piece("rule", P::later);
    section = w.key_piece("section", P::later);
    severity = w.key_piece("severity", P::later);
    source = w.key_piece("source", P::later);
    target_os = w.key_piece("target_os", P::later);
  }
};

// A finding's notes. The JSON report writes a note's keys in alphabetical order (as every object of
// it) and the JSONL record writes line before column (its documented shape), so the caller says which.
enum class NoteKeys { alphabetical, line_first };

void write_notes(JsonWriter& w, const std::vector<Note>& notes, NoteKeys order) {
  w.begin_array();
  for (const auto& n : notes) {
    w.begin_object();
    if (order == NoteKeys::line_first) {
      w.key("line");
      w.value(static_cast<std::uint64_t>(n.line));
    }
    w.key("column");
    w.value(static_cast<std::uint64_t>(n.column));
    if (order == NoteKeys::alphabetical) {
      w.key("line");
      w.value(static_cast<std::uint64_t>(n.line));
    }
    w.key("message");
    w.value(n.message);
    w.end_object();
  }
  w.end_array();
}

void write_diagnostic(JsonWriter& w, const Diagnostic& d, std::string_view slug, FindingKeys& k) {
  w.begin_object();
  if (k.depth != w.depth()) k.make_for(w);
  w.put_key(k.code);
  w.value(static_cast<std::uint64_t>(d.code));
  w.put_key(k.column);
  w.value(static_cast<std::uint64_t>(d.column));
  w.put_key(k.line);
  w.value(static_cast<std::uint64_t>(d.line));
  w.put_key(k.message);
  w.value(d.message);
  if (!d.notes.empty()) {
    w.put_key(k.notes);
    write_notes(w, d.notes, NoteKeys::alphabetical);
  }
  w.put_key(k.rule);
  w.value(slug);
  w.put_key(k.section);
  w.value(d.section);
  w.put_key(k.severity);
  w.value(severity_name(d.severity));
  if (!d.source_line.empty()) {
    w.put_key(k.source);
    w.value(trimmed_view(d.source_line));
  }
  if (!d.target_os.empty()) {
    w.put_key(k.target_os);
    w.value(d.target_os);
  }
  w.end_object();
}

void write_strings(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.key(key);
  w.begin_array();
  for (const auto& s : v) w.value(s);
  w.end_array();
}

// --info, as the "summary" object of a file (keys sorted, like every object here).
void write_summary(JsonWriter& w, const InfSummary& s) {
  w.key("summary");
  w.begin_object();
  w.key("catalog");
  w.value(s.catalog);
  w.key("class");
  w.value(s.class_name);
  w.key("class_guid");
  w.value(s.class_guid);
  write_strings(w, "destinations", s.destinations);
  w.key("devices");
  w.value(static_cast<std::uint64_t>(s.devices));
  w.key("driver_ver");
  w.value(s.driver_ver);
  w.key("files_copied");
  w.value(static_cast<std::uint64_t>(s.files_copied));
  write_strings(w, "hardware_ids", s.hardware_ids);
  write_strings(w, "models", s.models);
  w.key("pnp_lockdown");
  w.value(s.pnp_lockdown);
  w.key("provider");
  w.value(s.provider);
  write_strings(w, "services", s.services);
  w.end_object();
}

// One file's object; `out` takes the text whenever enough has piled up, even within one file
// (a file may have a million findings).
void write_file(JsonWriter& w, const FileResult& f, const RenderOptions& o, Mode run_mode, Slugs& slugs,
                FindingKeys& keys, std::ostream& out) {
  w.begin_object();
  w.key("diagnostics");
  w.begin_array();
  for (const auto& d : f.diagnostics) {
    write_diagnostic(w, d, slugs.of(o, d.code, run_mode), keys);
    if (w.size() >= kFlushAt) flush(w, out);
  }
  w.end_array();
  if (f.mode && *f.mode != run_mode) {  // a configuration file gave its folder another mode
    w.key("mode");
    w.value(mode_name(*f.mode));
  }
  w.key("path");
  w.value(f.path);
  if (f.summary) write_summary(w, *f.summary);
  w.key("valid");
  w.value(f.valid);
  w.end_object();
}

void write_tool(JsonWriter& w, const std::string& version) {
  w.key("tool");
  w.begin_object();
  w.key("name");
  w.value(std::string_view("isodrv"));
  w.key("version");
  w.value(version);
  w.end_object();
}

// {"u": 2, "w": 3}: files per mode, written only when configuration files had some file checked in
// another mode than the run names.
void write_modes(JsonWriter& w, const Tally& t, Mode run) {
  if (!t.modes_differ(run)) return;
  w.key("modes");
  w.begin_object();
  for (const auto& [m, n] : t.modes) {
    w.key(mode_name(m));
    w.value(static_cast<std::uint64_t>(n));
  }
  w.end_object();
}

// {"1322": 4, ...}: keys are the codes as strings, in string order (as the report always had them).
void write_statistics(JsonWriter& w, const Tally& t) {
  std::map<std::string, std::size_t> counts;
  for (const auto& [code, c] : t.codes) counts[std::to_string(code)] = c.first;
  w.key("statistics");
  w.begin_object();
  for (const auto& [code, n] : counts) {
    w.key(code);
    w.value(static_cast<std::uint64_t>(n));
  }
  w.end_object();
}

class JsonReportWriter final : public ReportWriter {
 public:
  JsonReportWriter(const RenderOptions& o, Mode mode, const std::string& version, std::ostream& out)
      : o_(o), mode_(mode), version_(version), out_(out), w_(2 * kFlushAt) {
    w_.begin_object();
    w_.key("files");
    w_.begin_array();
  }
  void file(const FileResult& f) override {
    tally_.add(f);
    write_file(w_, f, o_, mode_, slugs_, keys_, out_);
    if (w_.size() >= kFlushAt) flush(w_, out_);
  }
  void finish() override {
    w_.end_array();
    w_.key("mode");
    w_.value(mode_name(mode_));
    if (o_.statistics) write_statistics(w_, tally_);
    w_.key("summary");
    w_.begin_object();
    if (baseline_accepted_) {
      w_.key("baseline_accepted");
      w_.value(static_cast<std::uint64_t>(*baseline_accepted_));
    }
    w_.key("errors");
    w_.value(static_cast<std::uint64_t>(tally_.errors));
    w_.key("files");
    w_.value(static_cast<std::uint64_t>(tally_.files));
    write_modes(w_, tally_, mode_);
    w_.key("warnings");
    w_.value(static_cast<std::uint64_t>(tally_.warnings));
    w_.end_object();
    write_tool(w_, version_);
    w_.end_object();
    w_.raw_text("\n");
    flush(w_, out_);
  }

 private:
  RenderOptions o_;
  Mode mode_;
  std::string version_;
  std::ostream& out_;
  JsonWriter w_;
  Tally tally_;
  Slugs slugs_;
  FindingKeys keys_;
};

// The folder a package is read from: the INF's own folder.
std::string package_folder(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// JSON Lines: a {"type":"file"} record per file, written when the file has been checked, and one
// {"type":"summary"} record at the end. The diagnostics are those of --format json, except that
// "source" is the line as read (untrimmed), so `report merge` gives back exactly what check had.
class JsonlWriter final : public ReportWriter {
 public:
  JsonlWriter(const RenderOptions& o, Mode mode, const std::string& version, std::ostream& out)
      : o_(o), mode_(mode), version_(version), out_(out), w_(2 * kFlushAt, JsonWriter::Layout::one_line) {}
  void file(const FileResult& f) override {
    tally_.add(f);
    w_.begin_object();
    w_.key("type");
    w_.value(std::string_view("file"));
    w_.key("path");
    w_.value(f.path);
    w_.key("package");
    w_.value(package_folder(f.path));
    w_.key("encoding");
    w_.value(f.encoding);
    if (f.mode && *f.mode != mode_) {
      w_.key("mode");
      w_.value(mode_name(*f.mode));
    }
    w_.key("valid");
    w_.value(f.valid);
    w_.key("unreadable");
    w_.value(f.unreadable);
    w_.key("diagnostics");
    w_.begin_array();
    for (const auto& d : f.diagnostics) {
      write_record(d);
      if (w_.size() >= kFlushAt) flush(w_, out_);
    }
    w_.end_array();
    if (f.summary) write_summary(w_, *f.summary);
    w_.end_object();
    w_.raw_text("\n");
    // A record is handed on at once: a consumer reading the pipe sees each file when it is done.
    flush(w_, out_);
    out_.flush();
  }
  void finish() override {
    w_.begin_object();
    w_.key("type");
    w_.value(std::string_view("summary"));
    w_.key("mode");
    w_.value(mode_name(mode_));
    w_.key("files");
    w_.value(static_cast<std::uint64_t>(tally_.files));
    w_.key("not_valid");
    w_.value(static_cast<std::uint64_t>(tally_.not_valid));
    w_.key("errors");
    w_.value(static_cast<std::uint64_t>(tally_.errors));
    w_.key("warnings");
    w_.value(static_cast<std::uint64_t>(tally_.warnings));
    if (baseline_accepted_) {
      w_.key("baseline_accepted");
      w_.value(static_cast<std::uint64_t>(*baseline_accepted_));
    }
    write_modes(w_, tally_, mode_);
    write_statistics(w_, tally_);
    write_tool(w_, version_);
    w_.end_object();
    w_.raw_text("\n");
    flush(w_, out_);
  }

 private:
  void write_record(const Diagnostic& d) {
    const auto info = rule_doc(o_, d.code, mode_);
    w_.begin_object();
    w_.key("code");
    w_.value(static_cast<std::uint64_t>(d.code));
    w_.key("rule");
    w_.value(info ? info->slug : std::string_view());
    w_.key("severity");
    w_.value(severity_name(d.severity));
    w_.key("line");
    w_.value(static_cast<std::uint64_t>(d.line));
    w_.key("column");
    w_.value(static_cast<std::uint64_t>(d.column));
    w_.key("message");
    w_.value(d.message);
    w_.key("section");
    w_.value(d.section);
    if (!d.source_line.empty()) {
      w_.key("source");
      w_.value(d.source_line);
    }
    if (!d.target_os.empty()) {
      w_.key("target_os");
      w_.value(d.target_os);
    }
    if (!d.notes.empty()) {
      w_.key("notes");
      write_notes(w_, d.notes, NoteKeys::line_first);
    }
    w_.end_object();
  }

  RenderOptions o_;
  Mode mode_;
  std::string version_;
  std::ostream& out_;
  JsonWriter w_;
  Tally tally_;
};

// RFC 3986 percent-encoding of a relative path for SARIF artifact URIs.
std::string uri_for(std::string_view path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || c == '+') {
      out.push_back(static_cast<char>(c));
    } else if (c == '\\') {
      out.push_back('/');
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// FNV-1a, printed as 16 hex digits: a fingerprint that survives line moves.
std::string fingerprint(const Diagnostic& d) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view s) {
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    h = (h ^ 0xFF) * 1099511628211ULL;
  };
  mix(std::to_string(d.code));
  mix(d.file);
  mix(d.section);
  mix(trimmed_view(d.source_line));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string sarif_level(Severity s) { return s == Severity::error ? "error" : s == Severity::warning ? "warning" : "note"; }

std::string camel(std::string_view slug) {
  std::string out;
  bool up = true;
  for (char c : slug) {
    if (c == '-') {
      up = true;
      continue;
    }
    out.push_back(up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    up = false;
  }
  return out;
}


// {"text": s}
void text_object(JsonWriter& w, std::string_view key, std::string_view s) {
  w.key(key);
  w.begin_object();
  w.key("text");
  w.value(s);
  w.end_object();
}

// An artifact's URI: relative to %SRCROOT% when under the base, else an absolute file:// URI
// (a relative reference that starts with '/' is not a valid SARIF URI).
struct SarifUri {
  std::string uri;
  bool relative = true;
};

SarifUri sarif_uri(const std::string& path, const PathBase& o) {
  const OutputPath p = output_path(path, o);
  if (p.under_base) return {uri_for(p.relative), true};
  return {"file://" + uri_for(p.absolute), false};
}

// The artifact, and the region when there is a line (0: a finding about the whole file).
void physical_location(JsonWriter& w, const SarifUri& uri, std::uint32_t line, std::uint32_t column) {
  w.key("physicalLocation");
  w.begin_object();
  w.key("artifactLocation");
  w.begin_object();
  w.key("uri");
  w.value(uri.uri);
  if (uri.relative) {
    w.key("uriBaseId");
    w.value(std::string_view("%SRCROOT%"));
  }
  w.end_object();
  if (line != 0) {
    w.key("region");
    w.begin_object();
    w.key("startColumn");
    w.value(static_cast<std::uint64_t>(std::max<std::uint32_t>(column, 1)));
    w.key("startLine");
    w.value(static_cast<std::uint64_t>(line));
    w.end_object();
  }
  w.end_object();
}

void write_rule(JsonWriter& w, int code, const RenderOptions& o, Mode mode) {
  const auto info = rule_doc(o, code, mode);
  w.begin_object();
  if (!info) {
    w.key("id");
    w.value(std::to_string(code));
    w.end_object();
    return;
  }
  w.key("defaultConfiguration");
  w.begin_object();
  w.key("level");
  w.value(sarif_level(info->level));
  w.end_object();
  std::string full = info->why.empty() ? std::string(info->topic) : std::string(info->why);
  text_object(w, "fullDescription", full);
  std::string help = full;
  if (!info->bad.empty()) help += "\n\nNot valid:\n" + std::string(info->bad) + "\n\nValid:\n" + std::string(info->good);
  text_object(w, "help", help);
  // Each implemented rule has its page; the others are listed in the index.
  w.key("helpUri");
  w.value(std::string(kDocsUri) + (info->implemented ? std::to_string(code) + ".md" : std::string("README.md")));
  w.key("id");
  w.value(std::to_string(code));
  w.key("name");
  w.value(camel(info->slug));
  w.key("properties");
  w.begin_object();
  w.key("tags");
  w.begin_array();
  w.value(std::string_view("inf"));
  if (info->isolation) w.value(std::string_view("isolation"));
  w.end_array();
  w.end_object();
  text_object(w, "shortDescription", info->topic);
  w.end_object();
}

// SARIF: results come before tool.driver.rules (keys are in sorted order), but each result's
// ruleIndex is a position in that list, known only at the end. The results are therefore spooled
// to a temporary file with the code in place of the index (between two 0x01 bytes, which JSON text
// never holds raw) and copied out with the indexes filled in: memory stays flat, disk takes the bytes.
class SarifWriter final : public ReportWriter {
 public:
  SarifWriter(const RenderOptions& o, const PathBase& paths, Mode mode, const std::string& version, std::ostream& out)
      : o_(o), paths_(paths), mode_(mode), version_(version), out_(out), w_(2 * kFlushAt), spool_(std::tmpfile()) {
    w_.begin_object();
    w_.key("$schema");
    w_.value(std::string_view("https://json.schemastore.org/sarif-2.1.0.json"));
    w_.key("runs");
    w_.begin_array();
    w_.begin_object();
    w_.key("columnKind");
    w_.value(std::string_view("utf16CodeUnits"));
    w_.key("originalUriBaseIds");
    w_.begin_object();
    w_.key("%SRCROOT%");
    w_.begin_object();
    text_object(w_, "description", paths.base_given ? "The folder given by --sarif-base" : "The project root: --project-root, else the enclosing git top-level, else the current folder");
    if (paths.base_given) {
      w_.key("uri");
      w_.value("file://" + uri_for(paths.base == "/" ? paths.base : paths.base + "/"));
    }
    w_.end_object();
    w_.end_object();
    w_.key("properties");
    w_.begin_object();
    w_.key("mode");
    w_.value(mode_name(mode_));
    w_.end_object();
    w_.key("results");
    w_.begin_array();
  }
  ~SarifWriter() override {
    if (spool_) std::fclose(spool_);
  }
  void file(const FileResult& f) override {
    tally_.add(f);
    for (const auto& d : f.diagnostics) {
      write_result(d);
      if (w_.size() >= kFlushAt) spool();
    }
  }
  void finish() override {
    w_.end_array();
    spool();
    unspool();
    w_.key("tool");
    w_.begin_object();
    w_.key("driver");
    w_.begin_object();
    w_.key("informationUri");
    w_.value(std::string_view("https://github.com/isodrv/isodrv"));
    w_.key("name");
    w_.value(std::string_view("isodrv"));
    w_.key("rules");
    w_.begin_array();
    for (const auto& [code, c] : tally_.codes) write_rule(w_, code, o_, mode_);
    w_.end_array();
    w_.key("semanticVersion");
    w_.value(version_);
    w_.key("version");
    w_.value(version_);
    w_.end_object();
    w_.end_object();
    w_.end_object();
    w_.end_array();
    w_.key("version");
    w_.value(std::string_view("2.1.0"));
    w_.end_object();
    w_.raw_text("\n");
    flush(w_, out_);
  }

 private:
  void write_result(const Diagnostic& d) {
    const SarifUri uri = sarif_uri(d.file, paths_);
    w_.begin_object();
    w_.key("level");
    w_.value(sarif_level(d.severity));
    w_.key("locations");
    w_.begin_array();
    w_.begin_object();
    physical_location(w_, uri, d.line, d.column);
    w_.end_object();
    w_.end_array();
    text_object(w_, "message", d.message);
    w_.key("partialFingerprints");
    w_.begin_object();
    w_.key("isodrvFingerprint/v1");
    w_.value(fingerprint(d));
    w_.end_object();
    if (!d.notes.empty()) {
      w_.key("relatedLocations");
      w_.begin_array();
      std::uint64_t id = 1;
      for (const auto& n : d.notes) {
        w_.begin_object();
        w_.key("id");
        w_.value(id++);
        text_object(w_, "message", n.message);
        physical_location(w_, uri, std::max<std::uint32_t>(n.line, 1), n.column);
        w_.end_object();
      }
      w_.end_array();
    }
    w_.key("ruleId");
    w_.value(std::to_string(d.code));
    w_.key("ruleIndex");
    w_.raw("\x01" + std::to_string(d.code) + "\x01");
    w_.end_object();
  }

  void spool() {
    if (spool_) {
      std::fwrite(w_.text().data(), 1, w_.text().size(), spool_);
    } else {
      memory_.append(w_.text());  // no temporary file could be made: keep the text instead
    }
    w_.clear();
  }

  // Copies the spooled text to the output, each marked code replaced by its rule's index.
  void unspool() {
    std::map<int, std::size_t> index;
    for (const auto& [code, c] : tally_.codes) index.emplace(code, index.size());
    std::string chunk(kFlushAt, '\0'), out, code;
    bool in_marker = false;
    auto copy = [&](std::string_view text) {
      for (std::size_t i = 0; i < text.size();) {
        if (in_marker) {
          const std::size_t end = text.find('\x01', i);
          code.append(text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
          if (end == std::string_view::npos) return;
          out += std::to_string(index[std::stoi(code)]);
          code.clear();
          in_marker = false;
          i = end + 1;
        } else {
          const std::size_t start = text.find('\x01', i);
          out.append(text.substr(i, start == std::string_view::npos ? std::string_view::npos : start - i));
          if (start == std::string_view::npos) break;
          in_marker = true;
          i = start + 1;
        }
      }
      out_.write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    };
    if (spool_) {
      std::rewind(spool_);
      for (std::size_t n; (n = std::fread(chunk.data(), 1, chunk.size(), spool_)) > 0;) copy({chunk.data(), n});
    } else {
      copy(memory_);
    }
  }

  RenderOptions o_;
  PathBase paths_;
  Mode mode_;
  std::string version_;
  std::ostream& out_;
  JsonWriter w_;
  Tally tally_;
  std::FILE* spool_;
  std::string memory_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_json_writer(const RenderOptions& o, Mode mode, const std::string& version,
                                               std::ostream& out) {
  return std::make_unique<JsonReportWriter>(o, mode, version, out);
}
std::unique_ptr<ReportWriter> make_jsonl_writer(const RenderOptions& o, Mode mode, const std::string& version,
                                                std::ostream& out) {
  return std::make_unique<JsonlWriter>(o, mode, version, out);
}
std::unique_ptr<ReportWriter> make_sarif_writer(const RenderOptions& o, const PathBase& paths, Mode mode,
                                                const std::string& version, std::ostream& out) {
  return std::make_unique<SarifWriter>(o, paths, mode, version, out);
}

}  // namespace isodrv::diag::detail
