// Small text helpers shared by the rule families that read directive arguments (arguments.cpp,
// components.cpp, sections.cpp): trimming, name lists, GUID and number shapes.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/inf.h"
#include "rules/text.h"
#include "base/text.h"

namespace isodrv::rules::util {

using base::trim;

// Field i of a line substituted and trimmed, as trim(l.field(i)) gives it, with one string at most
// instead of two: a field the tokenizer marks as holding no '%' is its raw text, and a substituted
// one is trimmed in place.
inline std::string trimmed_field(const inf::Line& l, std::size_t i) {
  if (!l.field_has_percent(i)) return std::string(base::trim_view(l.raw_field(i)));
  std::string v = l.field(i);
  const std::string_view t = base::trim_view(v);
  const std::size_t begin = static_cast<std::size_t>(t.data() - v.data());
  const std::size_t size = t.size();
  v.erase(begin + size);
  v.erase(0, begin);
  return v;
}

// The same as a view: of the raw text when the field holds no '%', else of the substituted text,
// which is kept in `scratch` (reused from one call to the next: no string of its own).
inline std::string_view trimmed_field_view(const inf::Line& l, std::size_t i, std::string& scratch) {
  if (!l.field_has_percent(i)) return base::trim_view(l.raw_field(i));
  scratch.clear();
  l.field_into(i, scratch);
  return base::trim_view(scratch);
}

inline bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (rules::iequals(name, n)) return true;
  }
  return false;
}

inline bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The one GUID-form check (isodrv/inf_values.h).
using inf::is_braced_guid;

// True when some field of the line has text.
inline bool has_value(const inf::Line& l) {
  for (std::size_t i = 0; i < l.field_count(); ++i) {
    if (!base::trim_view(l.raw_field(i)).empty()) return true;  // a view: no copy of the field
  }
  return false;
}

// A field whose value is not known here: an unresolved %token% (1235 reports it) or a stampinf token.
inline bool unresolved(std::string_view v) {
  return v.find('%') != std::string_view::npos || v.find('$') != std::string_view::npos;
}

// Sections of an INF that share a base name and differ only by a decoration (Strings.0407, ...).
inline bool has_prefix_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && rules::iequals(s.substr(0, prefix.size()), prefix);
}

// Each document section once, by index: "already seen" without folding a copy of its name (the
// document's section lookup is already case-insensitive).
class SectionOnce {
 public:
  explicit SectionOnce(const inf::Document& doc) : seen_(doc.section_count(), false) {}
  bool first(const inf::Section& s) {
    if (s.index() >= seen_.size() || seen_[s.index()]) return false;
    seen_[s.index()] = true;
    return true;
  }

 private:
  std::vector<bool> seen_;
};

// Whether the line's key, as Windows reads it (after substitution), is one of `names` (directive
// names: none holds a '%'), like Line::key_is but without building a string for the usual keys:
// plain text, or exactly one %token% (the %DeviceDesc% of a Models line). A lone token that is
// neither a [Strings] key nor a DIRID stays "%name%" after substitution, so it matches no name;
// other keys are substituted once, as key_is does, and compared with each name.
inline bool key_is_one_of(const inf::Document& doc, const inf::Line& l, std::initializer_list<std::string_view> names) {
  const auto raw = l.raw_key();
  if (!raw) return false;
  std::string_view key = *raw;
  if (key.find('%') != std::string_view::npos) {
    std::optional<std::string_view> value;
    if (key.size() > 2 && key.front() == '%' && key.find('%', 1) == key.size() - 1) {
      const std::string_view token = key.substr(1, key.size() - 2);
      value = doc.string_value(token);
      if (!value && !inf::dirid_of_token(token)) return false;
    }
    if (!value) return is_one_of(doc.substitute(key), names);
    key = *value;
  }
  return is_one_of(key, names);
}

// Whether `s` holds `lower` at offset i, ASCII case-insensitively (`lower` given in lower case).
inline bool matches_ci_at(std::string_view s, std::size_t i, std::string_view lower) {
  for (std::size_t k = 0; k < lower.size(); ++k) {
    char c = s[i + k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != lower[k]) return false;
  }
  return true;
}

// Whether `s` contains `lower` (given in lower case), ASCII case-insensitively, without a lower-cased
// copy. When `lower` holds a byte that folding leaves alone (the '\\' of the registry paths searched
// for), only the places memchr finds for that byte are compared, not every offset of `s`.
inline bool contains_ci(std::string_view s, std::string_view lower) {
  if (lower.empty()) return true;
  if (lower.size() > s.size()) return false;
  const std::size_t j = lower.find_first_not_of("abcdefghijklmnopqrstuvwxyz");
  if (j != std::string_view::npos) {
    for (std::size_t p = s.find(lower[j], j); p != std::string_view::npos; p = s.find(lower[j], p + 1)) {
      if (p - j + lower.size() > s.size()) return false;  // later places only end further out
      if (matches_ci_at(s, p - j, lower)) return true;
    }
    return false;
  }
  for (std::size_t i = 0; i + lower.size() <= s.size(); ++i) {
    if (matches_ci_at(s, i, lower)) return true;
  }
  return false;
}

// Whether the text of a logical line (each of its physical lines, comments included) holds `c`: a
// cheap test before reading the line's fields one at a time.
inline bool line_text_has(const inf::Document& doc, const inf::Line& l, char c) {
  for (std::uint32_t n = l.line(), end = l.end_line(); n <= end && n != 0; ++n) {
    if (doc.physical_line(n).find(c) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace isodrv::rules::util
