// Small text helpers shared by the rule families that read directive arguments (arguments.cpp,
// components.cpp, sections.cpp): trimming, name lists, GUID and number shapes.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "isodrv/inf.h"

namespace isodrv::rules::util {

inline std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

inline bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (inf::iequals(name, n)) return true;
  }
  return false;
}

inline bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}: braces, dashes at the fixed places, hex digits elsewhere.
inline bool is_braced_guid(std::string_view g) {
  if (g.size() != 38 || g.front() != '{' || g.back() != '}') return false;
  for (std::size_t i = 1; i < 37; ++i) {
    const bool dash = i == 9 || i == 14 || i == 19 || i == 24;
    if (dash ? g[i] != '-' : !is_hex(g[i])) return false;
  }
  return true;
}

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
