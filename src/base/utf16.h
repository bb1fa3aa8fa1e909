// UTF-16 facts every layer needs, defined once: how many UTF-16 code units (the unit Windows
// counts limits in) a UTF-8 string takes, and where a string is cut at a number of units. Header-only; depends on nothing else in isodrv.
#pragma once

#include <cstddef>
#include <string_view>

namespace isodrv::base {

// UTF-16 code units of UTF-8 text: one per lead byte, two for a four-byte sequence (a surrogate
// pair). Continuation bytes count nothing.
constexpr std::size_t utf16_length(std::string_view utf8) {
  std::size_t n = 0;
  for (char ch : utf8) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++n;  // every lead byte starts a character
    if ((c & 0xF8) == 0xF0) ++n;  // 4-byte sequences are surrogate pairs
  }
  return n;
}

// Bytes of the longest prefix of UTF-8 text that takes at most `max_units` UTF-16 units and ends on
// a character boundary: where Windows cuts a token at 511 units or a string at 4096.
constexpr std::size_t utf16_prefix_bytes(std::string_view utf8, std::size_t max_units) {
  std::size_t units = 0, i = 0;
  while (i < utf8.size()) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const std::size_t bytes = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    const std::size_t u = bytes == 4 ? 2 : 1;
    if (units + u > max_units) break;
    units += u;
    i += bytes;
  }
  return i < utf8.size() ? i : utf8.size();
}

}  // namespace isodrv::base
