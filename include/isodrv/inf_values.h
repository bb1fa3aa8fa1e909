// The INF's lexical facts — numbers, hex bytes, DriverVer dates and versions, GUIDs — each read by
// one parser here, which check, the store, install and ranking all call (docs/inf-engine.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isodrv::inf {

// ---------------------------------------------------------------------------------------------
// Numbers (SetupGetIntField): blanks around, an optional sign, then 0x/0X and hex digits or
// decimal digits. A leading 0 does not mean octal.
// ---------------------------------------------------------------------------------------------
struct NumberText {
  std::uint64_t magnitude = 0;  // the digits' value, without the sign
  bool negative = false;        // a leading '-'
  bool has_sign = false;        // a leading '-' or '+'
  bool hex = false;             // written with 0x
};

// The lexical scan only: nullopt for anything but the form above, or digits beyond 64 bits.
std::optional<NumberText> scan_number(std::string_view text);

// How a field treats a sign.
enum class Sign : std::uint8_t {
  // No sign: flags, DIRIDs, service types, decorations and the other numeric fields isodrv checks
  // strictly (a sign there is reported rather than wrapped; docs/inf-engine.md says why).
  none,
  // Registry data (REG_DWORD / REG_QWORD from one field): '+' is allowed and '-' negates with the
  // two's-complement wrap of the type's width, so -1 is 0xFFFFFFFF for a REG_DWORD.
  wraps,
};

// A number of `bits` width (8..64). Unsigned values must fit the width; a negative one (Sign::wraps)
// must fit the signed range of the width and is returned as its bit pattern.
std::optional<std::uint64_t> parse_number(std::string_view text, unsigned bits = 32, Sign sign = Sign::none);

// The common case: an unsigned 32-bit field.
inline std::optional<std::uint32_t> parse_u32(std::string_view text) {
  auto v = parse_number(text, 32, Sign::none);
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

// One byte of binary registry data: one or two hex digits, with or without 0x, blanks around.
std::optional<std::uint8_t> parse_hex_byte(std::string_view text);

// A BitReg byte mask: hexadecimal with or without 0x (the BitReg documentation gives the mask in
// hexadecimal notation), blanks around, up to 32 bits. check (1262: above 0xFF; 1268: not a number)
// and install read it here, so they agree on which masks are valid.
std::optional<std::uint32_t> parse_bit_mask(std::string_view text);

// ---------------------------------------------------------------------------------------------
// DriverVer
// ---------------------------------------------------------------------------------------------
struct DriverDate {
  int year = 0, month = 0, day = 0;
  // yyyymmdd, the form ranking compares.
  std::uint32_t packed() const { return static_cast<std::uint32_t>(year * 10000 + month * 100 + day); }
  friend bool operator==(const DriverDate&, const DriverDate&) = default;
};

// month/day/year with '/' or '-' (one separator throughout): month and day of one or two digits,
// a four-digit year from 1000, and a day that exists in that month. nullopt otherwise.
std::optional<DriverDate> parse_driver_date(std::string_view text);

// w.x.y.z with one to four decimal parts of at most five digits, each 0..65535, missing parts 0;
// packed as w<<48 | x<<32 | y<<16 | z. nullopt when malformed (an all-zero version still parses;
// whether it is allowed is the caller's rule).
std::optional<std::uint64_t> parse_driver_version(std::string_view text);

// ---------------------------------------------------------------------------------------------
// GUIDs
// ---------------------------------------------------------------------------------------------
// Exactly "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" with hex digits of either case.
bool is_braced_guid(std::string_view text);

// The GUID in lower case with braces, from the braced or the bare 36-character form (blanks around
// are ignored); nullopt when it is not a GUID.
std::optional<std::string> normalize_guid(std::string_view text);

}  // namespace isodrv::inf
