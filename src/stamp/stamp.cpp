// `stamp`: tokens first, then DriverVer (in the -s section) and CatalogFile (in [Version]) on the
// token-resolved file, each as a rewrite of the lines that hold them or as one inserted line.
#include <algorithm>

#include "line_edits.h"
#include "tokens.h"

namespace isodrv::stamp {
namespace {

using detail::EditPlan;
using detail::LineMap;

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The line with its value (after '=', before a comment) replaced by `value`.
std::string replace_value(std::string_view text, std::string_view value) {
  const std::size_t ce = detail::code_end(text);
  const std::size_t eq = detail::find_equals(text, ce);
  if (eq == std::string_view::npos) {
    std::size_t ke = ce;
    while (ke > 0 && is_space(text[ke - 1])) --ke;
    std::string out(text.substr(0, ke));
    out += "=";
    out += value;
    if (ce < text.size()) out += " " + std::string(text.substr(ce));
    return out;
  }
  std::size_t vb = eq + 1;
  while (vb < ce && is_space(text[vb])) ++vb;
  std::size_t ve = ce;
  while (ve > vb && is_space(text[ve - 1])) --ve;
  std::string out(text.substr(0, vb));
  out += value;
  // Keep a comment that directly followed an empty value apart from the new value.
  if (ve == ce && ce < text.size()) out += ' ';
  out += text.substr(ve);
  return out;
}

// A new "Key = value" line laid out like `anchor` (indent, '=' column, spaces after '=').
std::string format_like(std::string_view anchor, std::string_view key, std::string_view value) {
  const std::size_t first = anchor.find_first_not_of(" \t");
  const std::size_t ce = detail::code_end(anchor);
  const std::size_t eq = first == std::string_view::npos || anchor[first] == '[' ? std::string_view::npos
                                                                                 : detail::find_equals(anchor, ce);
  std::string out;
  if (eq == std::string_view::npos) {
    out.append(key).append("=").append(value);
    return out;
  }
  const std::string_view indent = anchor.substr(0, first);
  std::size_t key_end = eq;
  while (key_end > first && is_space(anchor[key_end - 1])) --key_end;
  const std::string_view pre = anchor.substr(key_end, eq - key_end);
  std::size_t ve = eq + 1;
  while (ve < anchor.size() && is_space(anchor[ve])) ++ve;
  const std::string_view post = anchor.substr(eq + 1, ve - eq - 1);
  out.append(indent).append(key);
  if (pre.find('\t') != std::string_view::npos) {
    out.append(pre);
  } else if (!pre.empty()) {
    const std::size_t width = eq - first;  // where the anchor's '=' stands, counted from the key
    out.append(width > key.size() ? width - key.size() : 1, ' ');
  }
  out.append("=").append(post).append(value);
  return out;
}

Status validate_catalog(std::string_view name) {
  bool ok = !name.empty() && !is_space(name.front()) && !is_space(name.back());
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '/' || c == '\\' || c == ';' || c == '"' || c == '=' || c == ',' ||
        c == '%') {
      ok = false;
    }
  }
  if (!ok) {
    return Error(Errc::invalid_argument, "catalog file name '" + std::string(name) +
                                             "' must be a plain file name such as driver.cat (no path, quotes, ';', '=', ',' or '%')");
  }
  return {};
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && inf::iequals(s.substr(s.size() - suffix.size()), suffix);
}

// Where a new line goes in a section: after its Signature line for [Version], else after its last line.
std::uint32_t insertion_anchor(const inf::Section& s) {
  if (inf::iequals(s.name(), "Version")) {
    if (auto sig = s.find("Signature")) return sig->end_line();
  }
  if (s.line_count() > 0) return s.line_at(s.line_count() - 1).end_line();
  return s.header_lines().back();
}

// An existing DriverVer field as it must be written back: a field that was quoted keeps its quotes,
// or a version such as "1.0,2" would come back as two fields.
std::string kept_field(const inf::Line& l, std::size_t i) {
  const std::string_view raw = l.raw_field(i);
  if (!l.field_quoted(i)) return std::string(raw);
  std::string out = "\"";
  for (char c : raw) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Whether a physical line ends in a continuation backslash (only possible for the file's last
// logical line, which has nothing to join). A line inserted after it would be joined into it.
bool continues(std::string_view text) {
  std::size_t e = detail::code_end(text);
  while (e > 0 && is_space(text[e - 1])) --e;
  return e > 0 && text[e - 1] == '\\';
}

// Where to insert a new line into `s`: after `anchor`, unless that line continues, then right after
// the section's first header.
std::uint32_t safe_anchor(std::uint32_t anchor, const inf::Section& s, const detail::LineMap& map) {
  return continues(map.text(anchor)) ? s.line() : anchor;
}

// The stamped file must read back as what was meant: the same encoding (a BOM-less file whose length
// becomes even can turn into UTF-16 by the detection rule), it still parses, and it has the DriverVer
// and CatalogFile lines that were written. Anything else is refused rather than written.
Status verify_output(const StampResult& res, const StampOptions& opts, std::size_t driverver_lines) {
  auto dec = inf::decode(res.bytes, opts.decode);
  if (!dec.ok() || dec->encoding != res.encoding) {
    return Error(Errc::unsupported,
                 std::string("the stamped file would be read as ") +
                     std::string(dec.ok() ? inf::encoding_name(dec->encoding) : "undecodable text") + " instead of " +
                     std::string(inf::encoding_name(res.encoding)) +
                     " (its NUL bytes and new length look like BOM-less UTF-16); remove the NUL bytes or save it with a BOM",
                 opts.path);
  }
  inf::ParseOptions popts;
  popts.decode = opts.decode;
  auto doc = inf::Document::parse(res.bytes, opts.path, popts);
  if (!doc.ok()) return Error(Errc::internal, "the stamped file would not parse: " + doc.error().message, opts.path);
  auto unexpected = [&](const std::string& what) {
    return Error(Errc::unsupported, "the stamped file would not read back as written (" + what + "); the file was left alone",
                 opts.path);
  };
  if (!res.driver_ver.empty()) {
    auto target = doc->section(opts.section);
    if (!target) return unexpected("[" + opts.section + "] is gone");
    const auto lines = target->find_all("DriverVer");
    if (lines.size() != std::max<std::size_t>(driverver_lines, 1)) return unexpected("DriverVer lines added or lost");
    for (const auto& l : lines) {
      if (l.field_count() != 2) return unexpected("DriverVer does not have two fields");
    }
  }
  if (opts.catalog) {
    auto version = doc->section("Version");
    auto cat = version ? version->find("CatalogFile") : std::nullopt;
    if (!cat || cat->raw_field(0) != *opts.catalog) return unexpected("CatalogFile does not read back");
  }
  return {};
}

Error at_line(Errc code, std::string msg, const std::string& path, std::uint32_t line) {
  return Error(code, std::move(msg), path, line);
}

// An error of a helper, reported against the file being stamped.
Error in_file(Error e, const std::string& path) {
  e.file = path;
  return e;
}

// What pass 2 (DriverVer and CatalogFile on the token-resolved file) reads and collects.
struct Pass2 {
  const StampOptions& opts;
  const inf::Document& doc;
  const inf::Section& version;  // [Version]
  const LineMap& map;
  EditPlan& plan;
  StampResult& res;
  std::vector<Note>& notes;
  std::size_t driverver_lines = 0;                       // DriverVer lines of the -s section before stamping
  std::optional<std::uint32_t> version_driverver_line;  // where CatalogFile goes after, if in [Version]
};

// The DriverVer value to write: the options' date and version, else those the file has.
Result<std::string> driver_ver_text(const StampOptions& opts, const std::vector<inf::Line>& lines) {
  std::string date_text = opts.date ? format_date(*opts.date) : std::string();
  std::string version_text = opts.version ? *opts.version : std::string();
  if (!lines.empty()) {
    if (date_text.empty()) date_text = kept_field(lines.front(), 0);
    if (version_text.empty()) version_text = kept_field(lines.front(), 1);
  }
  if (date_text.empty()) {
    return Error(Errc::invalid_argument, "no date to write: give -d (the file has no DriverVer date to keep)", opts.path);
  }
  if (version_text.empty()) {
    return Error(Errc::invalid_argument,
                 "no version to write: give -v, set STAMPINF_VERSION, or point -i at ntverp.h (the file has no "
                 "DriverVer version to keep)",
                 opts.path);
  }
  return date_text + "," + version_text;
}

// Rewrites every DriverVer line of the -s section, or inserts one.
Status plan_driver_ver(Pass2& p) {
  const StampOptions& opts = p.opts;
  auto target = p.doc.section(opts.section);
  if (!target) return Error(Errc::not_found, "section [" + opts.section + "] given with -s does not exist", opts.path);
  const auto lines = target->find_all("DriverVer");
  p.driverver_lines = lines.size();
  auto text = driver_ver_text(opts, lines);
  if (!text) return text.error();
  p.res.driver_ver = *text;
  for (const auto& l : lines) {
    if (l.end_line() != l.line()) {
      return at_line(Errc::unsupported, "DriverVer is continued over several lines; join it into one line to stamp it",
                     opts.path, l.line());
    }
    p.plan.rewrite(l.line(), replace_value(p.map.text(l.line()), p.res.driver_ver), EditKind::driver_ver);
  }
  if (lines.size() > 1) {
    p.notes.push_back(Note{lines[1].line(), "[" + std::string(target->name()) + "] has " + std::to_string(lines.size()) +
                                                " DriverVer lines; all of them were stamped"});
  }
  if (lines.empty()) {
    const std::uint32_t anchor = safe_anchor(insertion_anchor(*target), *target, p.map);
    p.plan.insert_after(anchor, format_like(p.map.text(anchor), "DriverVer", p.res.driver_ver), EditKind::driver_ver);
    if (target->index() == p.version.index()) p.version_driverver_line = anchor;
  } else if (target->index() == p.version.index()) {
    p.version_driverver_line = lines.back().line();
  }
  return {};
}

// Rewrites every CatalogFile line of [Version], or inserts one after its DriverVer.
Status plan_catalog(Pass2& p, const std::string& catalog) {
  const auto lines = p.version.find_all("CatalogFile");
  for (const auto& l : lines) {
    if (l.end_line() != l.line()) {
      return at_line(Errc::unsupported, "CatalogFile is continued over several lines; join it into one line to stamp it",
                     p.opts.path, l.line());
    }
    p.plan.rewrite(l.line(), replace_value(p.map.text(l.line()), catalog), EditKind::catalog_file);
  }
  if (lines.empty()) {
    const std::uint32_t anchor = p.version_driverver_line ? safe_anchor(*p.version_driverver_line, p.version, p.map)
                                                          : safe_anchor(insertion_anchor(p.version), p.version, p.map);
    // Lay the line out like its neighbour, using the neighbour's current (possibly stamped) text.
    p.plan.insert_after(anchor, format_like(p.plan.current(p.map, anchor), "CatalogFile", catalog), EditKind::catalog_file);
  }
  for (const auto& l : p.version) {
    auto key = l.raw_key();
    if (l.has_key() && key && key->size() > 12 && inf::iequals(key->substr(0, 12), "CatalogFile.")) {
      p.notes.push_back(Note{l.line(), std::string(*key) + " is kept; on its platform it takes precedence over the stamped CatalogFile"});
    }
  }
  if (!ends_with_ci(catalog, ".cat")) {
    p.notes.push_back(Note{0, "catalog file name '" + catalog + "' does not end in .cat (InfVerif 1214)"});
  }
  return {};
}

// The edits of both passes in output line order: token edits were made on lines that pass 2 may
// have shifted or rewritten again.
std::vector<Edit> merge_edits(std::vector<Edit> edits, std::vector<Edit> token_edits, const EditPlan& plan) {
  for (auto& te : token_edits) {
    te.line = plan.output_line(te.line);
    auto it = std::find_if(edits.begin(), edits.end(), [&](const Edit& e) { return !e.inserted && e.line == te.line; });
    if (it != edits.end()) {
      it->old_text = te.old_text;
    } else {
      edits.push_back(std::move(te));
    }
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.line < b.line; });
  return edits;
}

// The options' own values, before the file is read.
Status validate_options(const StampOptions& opts) {
  if (opts.catalog) {
    if (auto st = validate_catalog(*opts.catalog); !st.ok()) return in_file(st.error(), opts.path);
  }
  if (opts.version) {
    if (auto v = parse_driver_version(*opts.version); !v.ok()) return in_file(v.error(), opts.path);
  }
  return {};
}

}  // namespace

Result<StampResult> stamp(std::string_view bytes, const StampOptions& opts) {
  if (auto st = validate_options(opts); !st) return st.error();
  StampResult res;
  std::vector<Note> notes;  // line numbers of the token-resolved file until the end

  // Pass 1: tokens, on the input as it is.
  auto map0 = LineMap::build(bytes, opts.decode);
  if (!map0.ok()) return in_file(map0.error(), opts.path);
  res.encoding = map0->encoding();
  if (map0->flags().odd_length_utf16) notes.push_back(Note{0, "the UTF-16 text has an odd number of bytes; the last byte was dropped"});
  if (map0->flags().unpaired_surrogate) notes.push_back(Note{0, "the UTF-16 text has an unpaired surrogate, read as U+FFFD"});
  EditPlan tokens_plan;
  detail::plan_tokens(*map0, detail::token_values(opts.arch, opts.kmdf, opts.umdf), tokens_plan, notes);
  std::vector<Edit> token_edits;
  const std::string resolved = tokens_plan.empty() ? std::string(bytes) : tokens_plan.apply(*map0, token_edits);

  // Pass 2: DriverVer and CatalogFile, found through the parsed, token-resolved file.
  inf::ParseOptions popts;
  popts.decode = opts.decode;
  auto doc = inf::Document::parse(resolved, opts.path, popts);
  if (!doc.ok()) return doc.error().file.empty() ? in_file(doc.error(), opts.path) : doc.error();
  auto map1 = LineMap::build(resolved, opts.decode);
  if (!map1.ok()) return map1.error();
  EditPlan plan;
  auto version_section = doc->section("Version");
  if (!version_section) return Error(Errc::wrong_inf_style, "the file has no [Version] section", opts.path);
  Pass2 p{opts, *doc, *version_section, *map1, plan, res, notes, 0, std::nullopt};
  if (opts.date || opts.version) {
    if (auto st = plan_driver_ver(p); !st) return st.error();
  }
  if (!p.version_driverver_line) {
    if (auto existing = version_section->find("DriverVer")) p.version_driverver_line = existing->end_line();
  }
  if (opts.catalog) {
    if (auto st = plan_catalog(p, *opts.catalog); !st) return st.error();
  }

  std::vector<Edit> edits;
  res.bytes = plan.empty() ? resolved : plan.apply(*map1, edits);
  res.edits = merge_edits(std::move(edits), std::move(token_edits), plan);
  for (auto& n : notes) n.line = plan.output_line(n.line);
  std::stable_sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) { return a.line < b.line; });
  res.notes = std::move(notes);
  if (auto s = verify_output(res, opts, p.driverver_lines); !s.ok()) return s.error();
  return res;
}

}  // namespace isodrv::stamp
