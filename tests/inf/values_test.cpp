// The one parser of each INF lexical fact (include/isodrv/inf_values.h), as tables of
// {input, expected} rows; each row names the statement it proves (docs/inf-engine.md,
// "Lexical facts: one parser each").
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "isodrv/inf_values.h"

using namespace isodrv::inf;

namespace {

struct NumberRow {
  const char* proves;
  const char* text;
  unsigned bits;
  Sign sign;
  std::optional<std::uint64_t> expected;
};

const std::vector<NumberRow> kNumbers = {
    {"SetupGetIntField: decimal by default", "250", 32, Sign::none, 250},
    {"SetupGetIntField: 0x means hexadecimal", "0xFFFFFFFF", 32, Sign::none, 0xFFFFFFFFu},
    {"SetupGetIntField: 0X means hexadecimal too", "0X1f", 32, Sign::none, 0x1F},
    {"a leading 0 is decimal, not octal (only 0x changes the base)", "010", 32, Sign::none, 10},
    {"blanks around a field are not part of it", " \t42 ", 32, Sign::none, 42},
    {"empty is not a number", "", 32, Sign::none, std::nullopt},
    {"0x without digits is not a number", "0x", 32, Sign::none, std::nullopt},
    {"letters after digits are not a number", "25O", 32, Sign::none, std::nullopt},
    {"hex digits need 0x", "FF", 32, Sign::none, std::nullopt},
    {"a 32-bit field holds at most 0xFFFFFFFF", "0x100000000", 32, Sign::none, std::nullopt},
    {"a 64-bit field holds it", "0x100000000", 64, Sign::none, 0x100000000ull},
    {"more than 64 bits is not a number", "0x10000000000000000", 64, Sign::none, std::nullopt},
    {"strict fields (flags, DIRIDs) take no sign", "-1", 32, Sign::none, std::nullopt},
    {"strict fields take no '+' either", "+1", 32, Sign::none, std::nullopt},
    {"registry data: -1 wraps to 0xFFFFFFFF (issue 16)", "-1", 32, Sign::wraps, 0xFFFFFFFFu},
    {"registry data: -1 in a REG_QWORD is all ones", "-1", 64, Sign::wraps, ~0ull},
    {"registry data: the signed minimum fits", "-2147483648", 32, Sign::wraps, 0x80000000u},
    {"registry data: below the signed minimum does not", "-2147483649", 32, Sign::wraps, std::nullopt},
    {"SetupGetIntField: a field may start with '+'", "+7", 32, Sign::wraps, 7},
    {"SetupGetIntField: the sign comes before 0x", "-0x1", 32, Sign::wraps, 0xFFFFFFFFu},
    {"a sign alone is not a number", "-", 32, Sign::wraps, std::nullopt},
    {"8-bit field", "0x100", 8, Sign::none, std::nullopt},
};

struct DateRow {
  const char* proves;
  const char* text;
  std::optional<std::uint32_t> expected;  // yyyymmdd
};

const std::vector<DateRow> kDates = {
    {"DriverVer: mm/dd/yyyy", "11/24/2026", 20261124},
    {"DriverVer: '-' may replace '/'", "11-24-2026", 20261124},
    {"one-digit month and day are read (issue 16: 6/1/2024)", "6/1/2024", 20240601},
    {"one-digit with '-'", "6-1-2024", 20240601},
    {"blanks around", " 05/01/2024 ", 20240501},
    {"the year has four digits", "6/1/24", std::nullopt},
    {"years before 1000 are not dates", "01/01/0999", std::nullopt},
    {"month/day/year order: 13 is not a month", "13/01/2024", std::nullopt},
    {"a day that does not exist in the month", "02/30/2024", std::nullopt},
    {"February 29 in a leap year", "2/29/2024", 20240229},
    {"February 29 outside a leap year", "2/29/2023", std::nullopt},
    {"one separator throughout", "06/01-2024", std::nullopt},
    {"ISO order is not DriverVer's", "2024-06-01", std::nullopt},
    {"three-digit month", "006/01/2024", std::nullopt},
    {"empty", "", std::nullopt},
};

struct VersionRow {
  const char* proves;
  const char* text;
  std::optional<std::uint64_t> expected;
};

const std::vector<VersionRow> kVersions = {
    {"w.x.y.z", "1.2.3.4", (1ull << 48) | (2ull << 32) | (3ull << 16) | 4},
    {"missing parts are 0", "1.2", (1ull << 48) | (2ull << 32)},
    {"each part is at most 65535", "65535.0.0.0", 0xFFFFull << 48},
    {"above 65535 is rejected", "1.65536", std::nullopt},
    {"at most four parts", "1.2.3.4.5", std::nullopt},
    {"empty parts are rejected", "1..2", std::nullopt},
    {"all zeros parses (DriverVer's own rule rejects it)", "0.0.0.0", 0},
    {"empty", "", std::nullopt},
};

}  // namespace

TEST(LexicalFacts, Numbers) {
  for (const auto& r : kNumbers) {
    EXPECT_EQ(parse_number(r.text, r.bits, r.sign), r.expected) << r.proves << ": '" << r.text << "'";
  }
  EXPECT_EQ(parse_u32("0x10"), 16u);
  EXPECT_EQ(parse_u32("-1"), std::nullopt);
}

TEST(LexicalFacts, HexBytes) {
  EXPECT_EQ(parse_hex_byte("01"), 1);
  EXPECT_EQ(parse_hex_byte("ff"), 0xFF);
  EXPECT_EQ(parse_hex_byte("0xA"), 0x0A);
  EXPECT_EQ(parse_hex_byte(" 7f "), 0x7F);
  EXPECT_EQ(parse_hex_byte("100"), std::nullopt) << "a byte has at most two digits";
  EXPECT_EQ(parse_hex_byte("g1"), std::nullopt);
  EXPECT_EQ(parse_hex_byte(""), std::nullopt);
}

TEST(LexicalFacts, DriverVerDates) {
  for (const auto& r : kDates) {
    auto d = parse_driver_date(r.text);
    std::optional<std::uint32_t> got = d ? std::optional<std::uint32_t>(d->packed()) : std::nullopt;
    EXPECT_EQ(got, r.expected) << r.proves << ": '" << r.text << "'";
  }
}

TEST(LexicalFacts, DriverVerVersions) {
  for (const auto& r : kVersions) {
    EXPECT_EQ(parse_driver_version(r.text), r.expected) << r.proves << ": '" << r.text << "'";
  }
}

TEST(LexicalFacts, Guids) {
  EXPECT_TRUE(is_braced_guid("{4d36e97d-e325-11ce-bfc1-08002BE10318}"));
  EXPECT_FALSE(is_braced_guid("4d36e97d-e325-11ce-bfc1-08002be10318"));
  EXPECT_FALSE(is_braced_guid("{4d36e97d-e325-11ce-bfc1_08002be10318}"));
  EXPECT_EQ(normalize_guid(" 4D36E97D-E325-11CE-BFC1-08002BE10318 "), "{4d36e97d-e325-11ce-bfc1-08002be10318}");
  EXPECT_EQ(normalize_guid("{4D36E97D-E325-11CE-BFC1-08002BE10318}"), "{4d36e97d-e325-11ce-bfc1-08002be10318}");
  EXPECT_EQ(normalize_guid("{4D36E97D}"), std::nullopt);
}

// BitReg masks are hexadecimal with or without 0x; check (1262/1268) and install both read them here.
TEST(LexicalFacts, BitRegMasks) {
  EXPECT_EQ(parse_bit_mask("0x80"), 0x80u);
  EXPECT_EQ(parse_bit_mask("80"), 0x80u) << "hexadecimal without 0x, as documented";
  EXPECT_EQ(parse_bit_mask("FF"), 0xFFu);
  EXPECT_EQ(parse_bit_mask(" 0X0f "), 0x0Fu);
  EXPECT_EQ(parse_bit_mask("100"), 0x100u) << "parsed; 1262 and install refuse it as wider than a byte";
  EXPECT_EQ(parse_bit_mask("0x1FF"), 0x1FFu);
  EXPECT_EQ(parse_bit_mask("-1"), std::nullopt);
  EXPECT_EQ(parse_bit_mask("0xZZ"), std::nullopt);
  EXPECT_EQ(parse_bit_mask(""), std::nullopt);
  EXPECT_EQ(parse_bit_mask("0x"), std::nullopt);
}
