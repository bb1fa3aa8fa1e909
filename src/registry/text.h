// Text conversions the registry needs: UTF-8 <-> UTF-16LE, Windows-1252, and the case folding
// used to compare key and value names. Internal to src/registry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf16.h"

namespace isodrv::registry::text {

// False on malformed UTF-8 (overlong forms, surrogates, values above U+10FFFF).
bool utf8_to_utf16(std::string_view in, std::u16string& out);
// False on a lone surrogate.
bool utf16_to_utf8(std::u16string_view in, std::string& out);
// Number of UTF-16 code units of valid UTF-8 text (src/base/utf16.h).
using base::utf16_length;

// UTF-16 code units <-> little-endian bytes.
void append_utf16le(std::u16string_view s, std::string& out);
std::u16string from_utf16le(const std::uint8_t* p, std::size_t bytes);

// Windows-1252. Unmapped bytes (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 code points of the
// same number, as MultiByteToWideChar does; characters with no Windows-1252 byte become '?'
// and set *lossy.
std::string cp1252_to_utf8(std::string_view in);
std::string utf8_to_cp1252(std::string_view utf8, bool* lossy = nullptr);

// Upper-case folding of one code point (ASCII, Latin-1, Latin Extended-A, basic Greek and
// Cyrillic); other code points are returned unchanged.
char32_t fold_char(char32_t c);
// Folds valid UTF-8 text (invalid sequences are copied byte by byte).
std::string fold(std::string_view utf8);

}  // namespace isodrv::registry::text
