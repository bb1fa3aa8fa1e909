// The one parser of each INF lexical fact: numbers, hex bytes, DriverVer dates and versions, GUIDs.
// check, the package model, the store, install and ranking all read values through these.
#include <array>
#include <cctype>

#include "isodrv/inf_values.h"
#include "base/text.h"

namespace isodrv::inf {
namespace {

int digit_value(char c, bool hex) {
  if (c >= '0' && c <= '9') return c - '0';
  if (hex && c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (hex && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_hex_digit(char c) { return digit_value(c, true) >= 0; }

// A non-empty run of at most `max_digits` decimal digits.
std::optional<unsigned> decimal(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

}  // namespace

std::optional<NumberText> scan_number(std::string_view text) {
  std::string_view s = base::trim_view(text);
  NumberText n;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    n.has_sign = true;
    n.negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    n.hex = true;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  const std::uint64_t base = n.hex ? 16 : 10;
  for (char c : s) {
    const int d = digit_value(c, n.hex);
    if (d < 0) return std::nullopt;
    if (n.magnitude > (~std::uint64_t{0} - static_cast<std::uint64_t>(d)) / base) return std::nullopt;
    n.magnitude = n.magnitude * base + static_cast<std::uint64_t>(d);
  }
  return n;
}

std::optional<std::uint64_t> parse_number(std::string_view text, unsigned bits, Sign sign) {
  auto n = scan_number(text);
  if (!n || bits < 8 || bits > 64) return std::nullopt;
  if (n->has_sign && sign == Sign::none) return std::nullopt;
  const std::uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
  if (!n->negative) {
    if (n->magnitude > mask) return std::nullopt;
    return n->magnitude;
  }
  // -x wraps to the two's complement of the width; below the signed minimum it does not fit.
  if (n->magnitude > (mask >> 1) + 1) return std::nullopt;
  return (~n->magnitude + 1) & mask;
}

std::optional<std::uint8_t> parse_hex_byte(std::string_view text) {
  std::string_view s = base::trim_view(text);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 2) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    const int d = digit_value(c, true);
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<unsigned>(d);
  }
  return static_cast<std::uint8_t>(v);
}

std::optional<std::uint32_t> parse_bit_mask(std::string_view text) {
  std::string_view s = base::trim_view(text);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
  auto v = parse_number("0x" + std::string(s), 32, Sign::none);
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::optional<DriverDate> parse_driver_date(std::string_view text) {
  std::string_view t = base::trim_view(text);
  const char sep = t.find('-') != std::string_view::npos ? '-' : '/';
  const std::size_t a = t.find(sep);
  const std::size_t b = a == std::string_view::npos ? a : t.find(sep, a + 1);
  if (b == std::string_view::npos || t.find(sep, b + 1) != std::string_view::npos) return std::nullopt;
  auto m = decimal(t.substr(0, a), 2);
  auto d = decimal(t.substr(a + 1, b - a - 1), 2);
  auto y = t.size() - b - 1 == 4 ? decimal(t.substr(b + 1), 4) : std::nullopt;
  if (!m || !d || !y) return std::nullopt;
  const int year = static_cast<int>(*y), month = static_cast<int>(*m), day = static_cast<int>(*d);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return DriverDate{year, month, day};
}

std::optional<std::uint64_t> parse_driver_version(std::string_view text) {
  std::string_view t = base::trim_view(text);
  if (t.empty()) return std::nullopt;
  std::uint64_t packed = 0;
  int parts = 0;
  for (;;) {
    const std::size_t dot = t.find('.');
    auto v = decimal(t.substr(0, dot), 5);
    if (!v || *v > 0xFFFF || ++parts > 4) return std::nullopt;
    packed |= static_cast<std::uint64_t>(*v) << (16 * (4 - parts));
    if (dot == std::string_view::npos) break;
    t.remove_prefix(dot + 1);
  }
  return packed;
}

bool is_braced_guid(std::string_view g) {
  if (g.size() != 38 || g.front() != '{' || g.back() != '}') return false;
  for (std::size_t i = 1; i < 37; ++i) {
    const bool dash = i == 9 || i == 14 || i == 19 || i == 24;
    if (dash ? g[i] != '-' : !is_hex_digit(g[i])) return false;
  }
  return true;
}

std::optional<std::string> normalize_guid(std::string_view text) {
  text = base::trim_view(text);
  std::string braced = text.size() == 36 ? "{" + std::string(text) + "}" : std::string(text);
  if (!is_braced_guid(braced)) return std::nullopt;
  for (char& c : braced) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return braced;
}

}  // namespace isodrv::inf
