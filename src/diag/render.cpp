// Renderers for check reports: clang-style text, InfVerif's console format and GitHub workflow
// annotations, written file by file; the JSON-based formats are in render_json.cpp. Rule metadata
// comes from the rule table.
#include <algorithm>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>

#include "diag/writers.h"
#include "base/text.h"
#include "isodrv/diag.h"
#include "isodrv/report.h"

namespace isodrv::diag {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::none: return "none";
  }
  return "none";
}

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::k: return "k";
    case Mode::u: return "u";
    case Mode::w: return "w";
    case Mode::h: return "h";
  }
  return "w";
}

bool operator<(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.file, a.line, a.column, a.code, a.message) < std::tie(b.file, b.line, b.column, b.code, b.message);
}

std::size_t Report::errors() const {
  std::size_t n = 0;
  for (const auto& f : files) {
    for (const auto& d : f.diagnostics) n += d.severity == Severity::error;
  }
  return n;
}

std::size_t Report::warnings() const {
  std::size_t n = 0;
  for (const auto& f : files) {
    for (const auto& d : f.diagnostics) n += d.severity == Severity::warning;
  }
  return n;
}

namespace detail {

std::string trimmed(std::string_view s) { return base::trim_line(s); }
std::string_view trimmed_view(std::string_view s) { return base::trim_line_view(s); }

OutputPath output_path(const std::string& path, const PathBase& o) {
  OutputPath out;
  std::string abs;
  if (!path.empty() && path[0] == '/') abs = path;
  else if (!o.cwd.empty()) abs = o.cwd + "/" + path;
  if (abs.empty()) {
    out.relative = path;  // nothing to resolve against: as given
    out.under_base = true;
    return out;
  }
  // Lexical normalisation: "." and empty parts dropped, ".." takes back one part.
  std::vector<std::string_view> parts;
  std::string_view rest(abs);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  for (auto p : parts) (out.absolute += '/') += p;
  if (out.absolute.empty()) out.absolute = "/";
  const std::string& base = o.base;
  if (!base.empty()) {
    if (base == "/") {
      out.relative = out.absolute.substr(1);
      out.under_base = !out.relative.empty();
    } else if (out.absolute.size() > base.size() + 1 && out.absolute.compare(0, base.size(), base) == 0 &&
               out.absolute[base.size()] == '/') {
      out.relative = out.absolute.substr(base.size() + 1);
      out.under_base = true;
    }
  }
  return out;
}

void Tally::add(const FileResult& f) {
  ++files;
  not_valid += !f.valid;
  if (f.mode) ++modes[*f.mode];
  for (const auto& d : f.diagnostics) {
    errors += d.severity == Severity::error;
    warnings += d.severity == Severity::warning;
    std::pair<std::size_t, Severity>* c = nullptr;
    const auto at = static_cast<std::size_t>(d.code);
    if (d.code >= 0 && d.code < 65536) {
      if (at >= slots.size()) slots.resize(at + 1, nullptr);
      if (!slots[at]) slots[at] = &codes[d.code];
      c = slots[at];
    } else {
      c = &codes[d.code];
    }
    ++c->first;
    c->second = std::max(c->second, d.severity);
  }
}

}  // namespace detail

namespace {

using detail::Tally;

// A caret under the column, keeping tabs so it lines up with the echoed source line.
std::string caret_line(std::string_view source, std::uint32_t column) {
  std::string out;
  std::uint32_t units = 0;
  for (std::size_t i = 0; i < source.size() && units + 1 < column; ++i) {
    auto c = static_cast<unsigned char>(source[i]);
    if ((c & 0xC0) == 0x80) continue;
    out.push_back(source[i] == '\t' ? '\t' : ' ');
    units += (c & 0xF8) == 0xF0 ? 2 : 1;
  }
  out.push_back('^');
  return out;
}

void render_statistics(const Tally& t, const RenderOptions& o, Mode mode, std::ostream& out) {
  out << "\nStatistics (mode /" << mode_name(mode) << "):\n";
  for (const auto& [code, c] : t.codes) {
    const auto info = detail::rule_doc(o, code, mode);
    out << "  " << code << "  " << severity_name(c.second) << "  " << c.first << "  "
        << (info ? info->slug : std::string_view("?")) << "\n";
  }
  out << "  total: " << t.errors << " errors, " << t.warnings << " warnings\n";
}

std::string joined(const std::vector<std::string>& v, std::string_view none = "none") {
  if (v.empty()) return std::string(none);
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The --info block of one file, indented by `indent`.
void render_summary(const FileResult& f, std::string_view indent, std::ostream& out) {
  if (!f.summary) return;
  const InfSummary& s = *f.summary;
  auto or_absent = [](const std::string& v) { return v.empty() ? std::string("(absent)") : v; };
  out << indent << "INF summary of " << f.path << ":\n";
  out << indent << "  Provider:     " << or_absent(s.provider) << "\n";
  out << indent << "  Class:        " << or_absent(s.class_name) << " " << s.class_guid << "\n";
  out << indent << "  DriverVer:    " << or_absent(s.driver_ver) << "\n";
  out << indent << "  CatalogFile:  " << or_absent(s.catalog) << "\n";
  out << indent << "  PnpLockdown:  " << or_absent(s.pnp_lockdown) << "\n";
  out << indent << "  Models:       " << joined(s.models) << " (" << s.devices << " device line"
      << (s.devices == 1 ? "" : "s") << ")\n";
  out << indent << "  Hardware IDs: " << joined(s.hardware_ids) << "\n";
  out << indent << "  Services:     " << joined(s.services) << "\n";
  out << indent << "  Copied files: " << s.files_copied;
  if (!s.destinations.empty()) out << " (to DIRID " << joined(s.destinations) << ")";
  out << "\n";
}

// The line-oriented formats: each file's text is built in a reused buffer and written in one piece.
class LineWriter : public ReportWriter {
 public:
  LineWriter(const RenderOptions& o, const PathBase& paths, Mode mode, std::ostream& out)
      : o_(o), paths_(paths), mode_(mode), out_(out) {}
  void file(const FileResult& f) final {
    tally_.add(f);
    write_file(f, buf_);
    spill(0);
  }

 protected:
  virtual void write_file(const FileResult& f, std::ostream& out) = 0;
  // Hands the buffered text on once it exceeds `limit` bytes: called after each finding, so a
  // file with a million findings does not hold its whole text.
  void spill(std::streamoff limit = 1 << 16) {
    if (buf_.tellp() <= limit) return;
    const std::string s = buf_.str();
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
    buf_.str(std::string());
  }
  // "mode /w", or with folders checked in different modes (configuration files),
  // "modes /u: 2 files, /w: 3 files".
  std::string modes_text() const {
    if (!tally_.modes_differ(mode_)) return "mode /" + std::string(mode_name(mode_));
    std::string s = "modes";
    for (const auto& [m, n] : tally_.modes) {
      s += (s.size() == 5 ? " /" : ", /") + std::string(mode_name(m)) + ": " + std::to_string(n) + " file" + (n == 1 ? "" : "s");
    }
    return s;
  }
  RenderOptions o_;
  PathBase paths_;
  Mode mode_;
  std::ostream& out_;
  Tally tally_;

 private:
  std::ostringstream buf_;
};

class TextWriter final : public LineWriter {
 public:
  using LineWriter::LineWriter;
  void finish() override {
    const Tally& t = tally_;
    out_ << t.errors << " error" << (t.errors == 1 ? "" : "s") << ", " << t.warnings << " warning"
         << (t.warnings == 1 ? "" : "s") << " in " << t.files << " file" << (t.files == 1 ? "" : "s") << " ("
         << t.not_valid << " not valid, " << modes_text() << ")\n";
    if (o_.statistics) render_statistics(t, o_, mode_, out_);
    if (baseline_accepted_) {
      const std::size_t n = *baseline_accepted_;
      out_ << n << " finding" << (n == 1 ? "" : "s") << " accepted by the baseline\n";
    }
  }

 private:
  void write_file(const FileResult& f, std::ostream& out) override {
    if (o_.info) render_summary(f, "", out);
    for (const auto& d : f.diagnostics) {
      out << d.file;
      if (d.line) out << ":" << d.line << ":" << std::max<std::uint32_t>(d.column, 1);
      out << ": " << severity_name(d.severity) << ": " << d.message;
      if (!d.target_os.empty()) out << " (target OS " << d.target_os << ")";
      out << " [" << d.code << "]\n";
      if (d.line && !d.source_line.empty()) {
        out << "  " << d.source_line << "\n";
        out << "  " << caret_line(d.source_line, std::max<std::uint32_t>(d.column, 1)) << "\n";
      }
      for (const auto& n : d.notes) {
        out << d.file << ":" << n.line << ":" << std::max<std::uint32_t>(n.column, 1) << ": note: " << n.message << "\n";
      }
      spill();
    }
  }
};

class InfVerifWriter final : public LineWriter {
 public:
  using LineWriter::LineWriter;
  void finish() override {
    if (o_.statistics) render_statistics(tally_, o_, mode_, out_);
  }

 private:
  void write_file(const FileResult& f, std::ostream& out) override {
    std::string name = f.path;
    if (auto slash = name.find_last_of("/\\"); slash != std::string::npos) name = name.substr(slash + 1);
    const bool verdict = o_.verbose || o_.info || !f.diagnostics.empty();
    if (verdict) out << "Validating " << name << "\n";
    if (o_.info) render_summary(f, "  ", out);
    for (const auto& d : f.diagnostics) {
      out << "  " << (d.severity == Severity::error ? "ERROR" : "WARNING") << "(" << d.code << ") in " << f.path
          << ", line " << d.line;
      if (!d.target_os.empty()) out << ", target OS " << d.target_os;
      std::string msg = d.message;
      if (!msg.empty() && msg.back() != '.') msg.push_back('.');
      out << ": " << msg << "\n";
      spill();
    }
    if (verdict) out << "  INF is " << (f.valid ? "VALID" : "NOT VALID") << "\n";
  }
};

// Where a workflow-command text goes: a property (file=, title=) or the message after "::".
enum class GhText { property, message };

// Workflow-command escaping (%, CR, LF in data; also : and , in properties).
std::string gh_escape(std::string_view s, GhText where) {
  const bool property = where == GhText::property;
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out.push_back(c);
    }
  }
  return out;
}

class GithubWriter final : public LineWriter {
 public:
  using LineWriter::LineWriter;
  void finish() override {}

 private:
  void write_file(const FileResult& f, std::ostream& out) override {
    for (const auto& d : f.diagnostics) {
      // GitHub places annotations by a path relative to the workspace (the base).
      const detail::OutputPath where = detail::output_path(d.file, paths_);
      const std::string& file = where.under_base ? where.relative : where.absolute;
      out << "::" << (d.severity == Severity::error ? "error" : "warning") << " file=" << gh_escape(file, GhText::property);
      if (d.line) out << ",line=" << d.line << ",col=" << std::max<std::uint32_t>(d.column, 1);
      const auto info = detail::rule_doc(o_, d.code, mode_);
      out << ",title=" << gh_escape("isodrv " + std::to_string(d.code) + (info ? " " + std::string(info->slug) : ""),
                                      GhText::property)
          << "::" << gh_escape(d.message, GhText::message) << "\n";
      spill();
    }
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_writer(const RenderOptions& opts, const PathBase& paths, Mode mode,
                                          const std::string& tool_version, std::ostream& out) {
  switch (opts.format) {
    case Format::text: return std::make_unique<TextWriter>(opts, paths, mode, out);
    case Format::infverif: return std::make_unique<InfVerifWriter>(opts, paths, mode, out);
    case Format::github: return std::make_unique<GithubWriter>(opts, paths, mode, out);
    case Format::json: return detail::make_json_writer(opts, mode, tool_version, out);
    case Format::jsonl: return detail::make_jsonl_writer(opts, mode, tool_version, out);
    case Format::sarif: return detail::make_sarif_writer(opts, paths, mode, tool_version, out);
    case Format::html: return detail::make_html_writer(opts, mode, tool_version, out);
  }
  return nullptr;
}

std::unique_ptr<ReportWriter> make_writer(const RenderOptions& opts, Mode mode, const std::string& tool_version,
                                          std::ostream& out) {
  return make_writer(opts, PathBase{}, mode, tool_version, out);
}

std::string render(const Report& report, const RenderOptions& opts) {
  std::ostringstream out;
  auto w = make_writer(opts, report.mode, report.tool_version, out);
  if (report.baseline_accepted) w->set_baseline_accepted(*report.baseline_accepted);
  for (const auto& f : report.files) w->file(f);
  w->finish();
  return out.str();
}

}  // namespace isodrv::diag
