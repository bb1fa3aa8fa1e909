// Text helpers every layer uses, defined once: trimming the blanks INF fields and our line-based
// formats ignore. Header-only; the base folder depends on nothing else in isodrv.
#pragma once

#include <string>
#include <string_view>

namespace isodrv::base {

// Space and tab: the blanks around INF fields, .reg lines and comments.
constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }

// `s` without blanks at either end.
constexpr std::string_view trim_view(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}
inline std::string trim(std::string_view s) { return std::string(trim_view(s)); }

// A line's text: blanks at either end, and a CR or LF left at its end, removed.
constexpr std::string_view trim_line_view(std::string_view s) {
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return trim_view(s);
}
inline std::string trim_line(std::string_view s) { return std::string(trim_line_view(s)); }

}  // namespace isodrv::base
