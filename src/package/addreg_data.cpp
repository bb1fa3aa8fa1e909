// What the data fields of an AddReg entry mean for its value type: strings, one number, or bytes
// (registry-layout.md §4.2). One home for this meaning; the install engine turns it into bytes.
#include <charconv>

#include "isodrv/package.h"

namespace isodrv::package {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Decimal or 0x-hexadecimal, up to 64 bits.
std::optional<std::uint64_t> parse_number64(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One byte written in hex, with or without 0x.
std::optional<std::uint8_t> parse_hex_byte(std::string_view s) {
  s = trim(s);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 2) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return static_cast<std::uint8_t>(v);
}

}  // namespace

Result<AddRegData> addreg_data(const RegOp& op) {
  AddRegData d;
  d.type = op.reg_type;
  const std::uint32_t line = op.line.line();
  const std::string file = op.line.document().path();
  switch (d.type) {
    case 1:  // REG_SZ
    case 2:  // REG_EXPAND_SZ: a missing value is the empty string
      d.strings.push_back(op.data.empty() ? std::string() : op.data[0]);
      return d;
    case 7:  // REG_MULTI_SZ: empty fields add nothing (a MULTI_SZ cannot hold an empty string)
      for (const auto& s : op.data) {
        if (!s.empty()) d.strings.push_back(s);
      }
      return d;
    case 4:   // REG_DWORD
    case 11:  // REG_QWORD
      if (op.data.size() <= 1) {
        const std::string text = op.data.empty() ? std::string("0") : op.data[0];
        auto n = parse_number64(text.empty() ? std::string_view("0") : std::string_view(text));
        if (!n || (d.type == 4 && *n > 0xFFFFFFFFull)) {
          return Error(Errc::invalid_argument, "invalid number '" + text + "' in " + op.reg_section, file, line);
        }
        d.number = *n;
        return d;
      }
      break;  // several fields: raw little-endian bytes, as SetupAPI reads them
    default:
      break;
  }
  for (const auto& f : op.data) {
    auto b = parse_hex_byte(f);
    if (!b) return Error(Errc::invalid_argument, "invalid hex byte '" + f + "' in " + op.reg_section, file, line);
    d.bytes.push_back(*b);
  }
  return d;
}

}  // namespace isodrv::package
