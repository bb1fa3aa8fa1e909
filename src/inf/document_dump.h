// Everything a parse produced, written out as one string, so that two tokenizers can be required to
// build identical documents: the outcome (or the error), every internal table (field records with
// their flags, lines, sections, headers, notes, the arena) and what the public API reads back
// (keys and fields, raw and substituted). Used by the tokenizer tests and the differential fuzz
// target; header-only, since it is not part of the library's own work.
#pragma once

#include <cstdint>
#include <string>

#include "inf/document_impl.h"
#include "isodrv/inf.h"
#include "isodrv/result.h"

namespace isodrv::inf {

namespace dump_detail {
inline void num(std::string& out, std::uint64_t v) {
  out += std::to_string(v);
  out.push_back(' ');
}
inline void str(std::string& out, std::string_view s) {
  num(out, s.size());
  out.append(s);
  out.push_back('\n');
}
}  // namespace dump_detail

inline std::string dump_document(const Result<Document>& r) {
  using namespace dump_detail;
  std::string out;
  if (!r.ok()) {
    out += "error ";
    num(out, static_cast<std::uint64_t>(r.error().code));
    num(out, r.error().line);
    str(out, r.error().message);
    return out;
  }
  const Document& d = r.value();
  const Document::Impl& m = d.impl();
  str(out, m.text);
  str(out, m.arena);
  for (const FieldRec& f : m.fields) {
    num(out, f.at);
    num(out, f.len);
    num(out, f.flags);
  }
  out += "\nlines ";
  for (const LineRec& l : m.lines) {
    num(out, l.first_value);
    num(out, l.value_count);
    num(out, l.line);
    num(out, l.section_key);
  }
  out += "\nends ";
  for (auto [a, b] : m.end_lines) {
    num(out, a);
    num(out, b);
  }
  out += "\nsections ";
  for (const SectionRec& s : m.sections) {
    num(out, s.name_off);
    num(out, s.name_len);
    num(out, s.line);
    num(out, s.lines_begin);
    num(out, s.lines_count);
  }
  out += "\norder ";
  for (auto v : m.section_lines) num(out, v);
  out += "\nheaders ";
  for (auto [a, b] : m.headers) {
    num(out, a);
    num(out, b);
  }
  for (auto v : m.header_begin) num(out, v);
  out += "\nnotes ";
  for (const ParseNote& n : m.notes) {
    num(out, static_cast<std::uint64_t>(n.kind));
    num(out, n.line);
    num(out, n.column);
  }
  out += "\nstrings ";
  num(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(m.strings_section)));
  num(out, m.langid);
  out += "\nread ";
  for (std::size_t s = 0; s < d.section_count(); ++s) {
    Section sec = d.section_at(s);
    str(out, sec.name());
    for (Line l : sec) {
      const auto key = l.key();
      str(out, key ? *key : std::string("(no key)"));
      for (std::size_t i = 0; i < l.field_count(); ++i) {
        str(out, l.raw_field(i));
        str(out, l.field(i));
        num(out, l.field_quoted(i));
      }
    }
  }
  return out;
}

}  // namespace isodrv::inf
