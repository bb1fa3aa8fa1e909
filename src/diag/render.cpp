// Renderers for check reports: clang-style text, InfVerif's console format, JSON (DESIGN.md §4),
// SARIF 2.1.0 for code scanning, and GitHub workflow annotations. Rule metadata comes from the table.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "isodrv/diag.h"
#include "isodrv/rules.h"

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

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

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

void render_statistics(const Report& r, std::ostringstream& out) {
  std::map<int, std::pair<std::size_t, Severity>> counts;
  for (const auto& f : r.files) {
    for (const auto& d : f.diagnostics) {
      auto& c = counts[d.code];
      ++c.first;
      c.second = std::max(c.second, d.severity);
    }
  }
  out << "\nStatistics (mode /" << mode_name(r.mode) << "):\n";
  for (const auto& [code, c] : counts) {
    const rules::RuleInfo* info = rules::find_rule(code);
    out << "  " << code << "  " << severity_name(c.second) << "  " << c.first << "  "
        << (info ? info->slug : std::string_view("?")) << "\n";
  }
  out << "  total: " << r.errors() << " errors, " << r.warnings() << " warnings\n";
}

std::string joined(const std::vector<std::string>& v, std::string_view none = "none") {
  if (v.empty()) return std::string(none);
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The --info block of one file, indented by `indent`.
void render_summary(const FileResult& f, std::string_view indent, std::ostringstream& out) {
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

std::string render_text(const Report& r, const RenderOptions& o) {
  std::ostringstream out;
  for (const auto& f : r.files) {
    if (o.info) render_summary(f, "", out);
    for (const auto& d : f.diagnostics) {
      out << d.file;
      if (d.line) out << ":" << d.line << ":" << std::max<std::uint32_t>(d.column, 1);
      out << ": " << severity_name(d.severity) << ": " << d.message << " [" << d.code << "]\n";
      if (d.line && !d.source_line.empty()) {
        out << "  " << d.source_line << "\n";
        out << "  " << caret_line(d.source_line, std::max<std::uint32_t>(d.column, 1)) << "\n";
      }
      for (const auto& n : d.notes) {
        out << d.file << ":" << n.line << ":" << std::max<std::uint32_t>(n.column, 1) << ": note: " << n.message << "\n";
      }
    }
  }
  std::size_t files = r.files.size(), bad = 0;
  for (const auto& f : r.files) bad += !f.valid;
  out << r.errors() << " error" << (r.errors() == 1 ? "" : "s") << ", " << r.warnings() << " warning"
      << (r.warnings() == 1 ? "" : "s") << " in " << files << " file" << (files == 1 ? "" : "s") << " (" << bad
      << " not valid, mode /" << mode_name(r.mode) << ")\n";
  if (o.statistics) render_statistics(r, out);
  return out.str();
}

std::string render_infverif(const Report& r, const RenderOptions& o) {
  std::ostringstream out;
  for (const auto& f : r.files) {
    std::string name = f.path;
    if (auto slash = name.find_last_of("/\\"); slash != std::string::npos) name = name.substr(slash + 1);
    if (o.verbose || o.info || !f.diagnostics.empty()) out << "Validating " << name << "\n";
    if (o.info) render_summary(f, "  ", out);
    for (const auto& d : f.diagnostics) {
      out << "  " << (d.severity == Severity::error ? "ERROR" : "WARNING") << "(" << d.code << ") in " << f.path
          << ", line " << d.line;
      if (!d.target_os.empty()) out << ", target OS " << d.target_os;
      std::string msg = d.message;
      if (!msg.empty() && msg.back() != '.') msg.push_back('.');
      out << ": " << msg << "\n";
    }
    if (o.verbose || o.info || !f.diagnostics.empty()) out << "  INF is " << (f.valid ? "VALID" : "NOT VALID") << "\n";
  }
  if (o.statistics) render_statistics(r, out);
  return out.str();
}

// JSON for --format json, written straight into the output: a report for thousands of files
// would otherwise be built as a tree of nlohmann::json nodes first, which costs more than checking.
// The bytes are exactly what nlohmann::json::dump(2) gives (keys in sorted order, the same
// escapes); strings that are not valid UTF-8 go through nlohmann for its U+FFFD replacement.
// A plain growable buffer: std::string's append checks cost more than the bytes for the many
// short pieces JSON is made of. The text is copied into the result string once at the end.
class Sink {
 public:
  void reserve(std::size_t n) {
    if (n > cap_) grow(n - size_);
  }
  void append(const char* p, std::size_t n) {
    if (n > cap_ - size_) grow(n);
    char* d = buf_.get() + size_;
    // Most pieces are a few bytes (keys, punctuation, numbers): a loop beats a memcpy call.
    if (n <= 16) {
      for (std::size_t i = 0; i < n; ++i) d[i] = p[i];
    } else {
      std::memcpy(d, p, n);
    }
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  Sink& operator+=(std::string_view s) {
    append(s);
    return *this;
  }
  Sink& operator+=(char c) {
    if (size_ == cap_) grow(1);
    buf_[size_++] = c;
    return *this;
  }
  std::string_view text() const { return {buf_.get(), size_}; }
  std::size_t size() const { return size_; }
  void truncate(std::size_t n) { size_ = std::min(size_, n); }

 private:
  void grow(std::size_t n) {
    std::size_t cap = std::max({cap_ * 2, size_ + n, std::size_t{4096}});
    std::unique_ptr<char[]> b(new char[cap]);
    if (size_) std::memcpy(b.get(), buf_.get(), size_);
    buf_ = std::move(b);
    cap_ = cap;
  }
  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0, cap_ = 0;
};

class JsonWriter {
 public:
  explicit JsonWriter(std::size_t reserve) { out_.reserve(reserve); }
  std::string_view text() const { return out_.text(); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // Keys are the fixed names of DESIGN.md §4 and code numbers: plain ASCII, nothing to escape.
  void key(std::string_view k) {
    element();
    out_ += '"';
    out_ += k;
    out_ += "\": ";
    after_key_ = true;
  }
  void value(std::string_view v) {
    element();
    string(v);
  }
  void value(std::uint64_t v) {
    element();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);  // the digits std::to_string gives
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
  }
  void value(bool v) {
    element();
    out_ += v ? "true" : "false";
  }

 private:
  // Starts a value: after a key it follows on the same line; in a container it goes on a new line.
  void element() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_.empty()) return;
    if (depth_.back()) out_ += ',';
    depth_.back() = 1;
    out_ += '\n';
    indent();
  }
  // Two spaces per open container, appended from a constant rather than filled byte by byte.
  void indent() {
    static constexpr std::string_view kSpaces = "                                                                ";
    std::size_t n = 2 * depth_.size();
    for (; n > kSpaces.size(); n -= kSpaces.size()) out_.append(kSpaces);
    out_.append(kSpaces.data(), n);
  }
  void open(char c) {
    element();
    out_ += c;
    depth_.push_back(0);
  }
  void close(char c) {
    const bool any = depth_.back() != 0;
    depth_.pop_back();
    if (any) {
      out_ += '\n';
      indent();
    }
    out_ += c;
  }

  // Word-at-a-time tests (8 bytes): any byte with the high bit set; any byte that JSON escapes
  // (below 0x20, '"', '\\'). A false positive only sends the word to the byte loop.
  static constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  static constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  static std::uint64_t load8(const void* p) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }
  static bool has_zero_byte(std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; }
  static bool needs_escape(std::uint64_t w) {
    return ((w - kOnes * 0x20) & ~w & kHigh) != 0 || has_zero_byte(w ^ (kOnes * '"')) ||
           has_zero_byte(w ^ (kOnes * '\\'));
  }

  // Length of the well-formed UTF-8 sequence starting at p (lead byte >= 0x80), 0 when malformed.
  static std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
    auto cont = [&](const unsigned char* q, unsigned char lo, unsigned char hi) { return q < end && *q >= lo && *q <= hi; };
    const unsigned char c = *p;
    if (c >= 0xC2 && c <= 0xDF) return cont(p + 1, 0x80, 0xBF) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      return cont(p + 1, lo, hi) && cont(p + 2, 0x80, 0xBF) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      return cont(p + 1, lo, hi) && cont(p + 2, 0x80, 0xBF) && cont(p + 3, 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
  }

  // One pass validates UTF-8 and escapes; a malformed string is taken back and written by
  // nlohmann, which replaces the bad bytes with U+FFFD.
  void string(std::string_view s) {
    const std::size_t mark = out_.size();
    out_ += '"';
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = b + s.size();
    const std::size_t n = s.size();
    std::size_t run = 0;  // start of the pending run of bytes that need no escape
    std::size_t i = 0;
    while (i < n) {
      if (n - i >= 8) {
        const std::uint64_t w = load8(b + i);
        if ((w & kHigh) == 0 && !needs_escape(w)) {
          i += 8;
          continue;
        }
      }
      const unsigned char c = b[i];
      if (c >= 0x80) {
        const std::size_t len = utf8_sequence(b + i, end);
        if (len == 0) {
          out_.truncate(mark);
          out_ += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          return;
        }
        i += len;
        continue;
      }
      if (c >= 0x20 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      out_.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out_.append(esc, sizeof esc);
        }
      }
      ++i;
    }
    out_.append(s.data() + run, s.size() - run);
    out_ += '"';
  }

  Sink out_;
  std::vector<unsigned char> depth_;  // per open container: whether it has an element yet (bytes, not bits)
  bool after_key_ = false;
};

void write_diagnostic(JsonWriter& w, const Diagnostic& d) {
  const rules::RuleInfo* info = rules::find_rule(d.code);
  w.begin_object();
  w.key("code");
  w.value(static_cast<std::uint64_t>(d.code));
  w.key("column");
  w.value(static_cast<std::uint64_t>(d.column));
  w.key("line");
  w.value(static_cast<std::uint64_t>(d.line));
  w.key("message");
  w.value(d.message);
  if (!d.notes.empty()) {
    w.key("notes");
    w.begin_array();
    for (const auto& n : d.notes) {
      w.begin_object();
      w.key("column");
      w.value(static_cast<std::uint64_t>(n.column));
      w.key("line");
      w.value(static_cast<std::uint64_t>(n.line));
      w.key("message");
      w.value(n.message);
      w.end_object();
    }
    w.end_array();
  }
  w.key("rule");
  w.value(info ? info->slug : std::string_view());
  w.key("section");
  w.value(d.section);
  w.key("severity");
  w.value(severity_name(d.severity));
  if (!d.source_line.empty()) {
    w.key("source");
    w.value(trimmed(d.source_line));
  }
  if (!d.target_os.empty()) {
    w.key("target_os");
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

std::string render_json(const Report& r, const RenderOptions& o) {
  std::size_t estimate = 256;
  for (const auto& f : r.files) estimate += 64 + f.path.size() + 400 * f.diagnostics.size();
  JsonWriter w(estimate);
  w.begin_object();
  w.key("files");
  w.begin_array();
  for (const auto& f : r.files) {
    w.begin_object();
    w.key("diagnostics");
    w.begin_array();
    for (const auto& d : f.diagnostics) write_diagnostic(w, d);
    w.end_array();
    w.key("path");
    w.value(f.path);
    if (f.summary) write_summary(w, *f.summary);
    w.key("valid");
    w.value(f.valid);
    w.end_object();
  }
  w.end_array();
  w.key("mode");
  w.value(mode_name(r.mode));
  if (o.statistics) {
    std::map<std::string, std::size_t> counts;
    for (const auto& f : r.files) {
      for (const auto& d : f.diagnostics) ++counts[std::to_string(d.code)];
    }
    w.key("statistics");
    w.begin_object();
    for (const auto& [code, n] : counts) {
      w.key(code);
      w.value(static_cast<std::uint64_t>(n));
    }
    w.end_object();
  }
  w.key("summary");
  w.begin_object();
  w.key("errors");
  w.value(static_cast<std::uint64_t>(r.errors()));
  w.key("files");
  w.value(static_cast<std::uint64_t>(r.files.size()));
  w.key("warnings");
  w.value(static_cast<std::uint64_t>(r.warnings()));
  w.end_object();
  w.key("tool");
  w.begin_object();
  w.key("name");
  w.value(std::string_view("isodrv"));
  w.key("version");
  w.value(r.tool_version);
  w.end_object();
  w.end_object();
  std::string out;
  out.reserve(w.text().size() + 1);
  out.append(w.text());
  out += '\n';
  return out;
}

// RFC 3986 percent-encoding of a relative path for SARIF artifact URIs.
std::string uri_for(std::string_view path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
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
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xFF) * 1099511628211ULL;
  };
  mix(std::to_string(d.code));
  mix(d.file);
  mix(d.section);
  mix(trimmed(d.source_line));
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

std::string render_sarif(const Report& r, const RenderOptions&) {
  // Rules: every code reported, in code order, so ruleIndex is stable.
  std::set<int> codes;
  for (const auto& f : r.files) {
    for (const auto& d : f.diagnostics) codes.insert(d.code);
  }
  std::map<int, std::size_t> index;
  nlohmann::json rules = nlohmann::json::array();
  for (int code : codes) {
    const rules::RuleInfo* info = rules::find_rule(code);
    index[code] = rules.size();
    nlohmann::json rule;
    rule["id"] = std::to_string(code);
    if (info) {
      rule["name"] = camel(info->slug);
      rule["shortDescription"] = {{"text", std::string(info->topic)}};
      std::string full = info->why.empty() ? std::string(info->topic) : std::string(info->why);
      rule["fullDescription"] = {{"text", full}};
      std::string help = full;
      if (!info->bad.empty()) help += "\n\nNot valid:\n" + std::string(info->bad) + "\n\nValid:\n" + std::string(info->good);
      rule["help"] = {{"text", help}};
      rule["defaultConfiguration"] = {{"level", sarif_level(rules::level(*info, r.mode))}};
      nlohmann::json tags = nlohmann::json::array({"inf"});
      if (info->isolation) tags.push_back("isolation");
      rule["properties"] = {{"tags", tags}};
    }
    rules.push_back(std::move(rule));
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : r.files) {
    for (const auto& d : f.diagnostics) {
      nlohmann::json res;
      res["ruleId"] = std::to_string(d.code);
      res["ruleIndex"] = index[d.code];
      res["level"] = sarif_level(d.severity);
      res["message"] = {{"text", d.message}};
      nlohmann::json phys = {{"artifactLocation", {{"uri", uri_for(d.file)}, {"uriBaseId", "%SRCROOT%"}}}};
      if (d.line) {
        phys["region"] = {{"startLine", d.line}, {"startColumn", std::max<std::uint32_t>(d.column, 1)}};
      }
      res["locations"] = nlohmann::json::array({{{"physicalLocation", phys}}});
      if (!d.notes.empty()) {
        nlohmann::json related = nlohmann::json::array();
        int id = 1;
        for (const auto& n : d.notes) {
          related.push_back({{"id", id++},
                             {"message", {{"text", n.message}}},
                             {"physicalLocation",
                              {{"artifactLocation", {{"uri", uri_for(d.file)}, {"uriBaseId", "%SRCROOT%"}}},
                               {"region", {{"startLine", std::max<std::uint32_t>(n.line, 1)},
                                           {"startColumn", std::max<std::uint32_t>(n.column, 1)}}}}}});
        }
        res["relatedLocations"] = related;
      }
      res["partialFingerprints"] = {{"isodrvFingerprint/v1", fingerprint(d)}};
      results.push_back(std::move(res));
    }
  }
  nlohmann::json run;
  run["tool"] = {{"driver",
                  {{"name", "isodrv"},
                   {"version", r.tool_version},
                   {"semanticVersion", r.tool_version},
                   {"informationUri", "https://github.com/isodrv/isodrv"},
                   {"rules", rules}}}};
  run["originalUriBaseIds"] = {{"%SRCROOT%", {{"description", {{"text", "The directory isodrv was run from"}}}}}};
  run["results"] = results;
  run["columnKind"] = "utf16CodeUnits";
  run["properties"] = {{"mode", mode_name(r.mode)}};
  nlohmann::json j;
  j["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  j["version"] = "2.1.0";
  j["runs"] = nlohmann::json::array({run});
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Workflow-command escaping (%, CR, LF in data; also : and , in properties).
std::string gh_escape(std::string_view s, bool property) {
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

std::string render_github(const Report& r, const RenderOptions&) {
  std::ostringstream out;
  for (const auto& f : r.files) {
    for (const auto& d : f.diagnostics) {
      out << "::" << (d.severity == Severity::error ? "error" : "warning") << " file=" << gh_escape(d.file, true);
      if (d.line) out << ",line=" << d.line << ",col=" << std::max<std::uint32_t>(d.column, 1);
      const rules::RuleInfo* info = rules::find_rule(d.code);
      out << ",title=" << gh_escape("isodrv " + std::to_string(d.code) + (info ? " " + std::string(info->slug) : ""), true)
          << "::" << gh_escape(d.message, false) << "\n";
    }
  }
  return out.str();
}

}  // namespace

std::string render(const Report& report, const RenderOptions& opts) {
  switch (opts.format) {
    case Format::text: return render_text(report, opts);
    case Format::infverif: return render_infverif(report, opts);
    case Format::json: return render_json(report, opts);
    case Format::sarif: return render_sarif(report, opts);
    case Format::github: return render_github(report, opts);
  }
  return {};
}

}  // namespace isodrv::diag
