// Small text helpers shared by the rule families that read directive arguments (arguments.cpp,
// components.cpp, sections.cpp): trimming, name lists, GUID and number shapes.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "isodrv/inf.h"
#include "base/text.h"

namespace isodrv::rules::util {

using base::trim;

inline bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (inf::iequals(name, n)) return true;
  }
  return false;
}

inline bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The one GUID-form check (isodrv/inf_values.h).
using inf::is_braced_guid;

// True when some field of the line has text.
inline bool has_value(const inf::Line& l) {
  for (std::size_t i = 0; i < l.field_count(); ++i) {
    if (!trim(l.raw_field(i)).empty()) return true;
  }
  return false;
}

// A field whose value is not known here: an unresolved %token% (1235 reports it) or a stampinf token.
inline bool unresolved(std::string_view v) {
  return v.find('%') != std::string_view::npos || v.find('$') != std::string_view::npos;
}

// Sections of an INF that share a base name and differ only by a decoration (Strings.0407, ...).
inline bool has_prefix_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && inf::iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace isodrv::rules::util
