// UTF-16 facts every layer needs, defined once: how many UTF-16 code units (the unit Windows
// counts limits in) a UTF-8 string takes. Header-only; depends on nothing else in isodrv.
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

}  // namespace isodrv::base
