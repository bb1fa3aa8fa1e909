// .reg export and import: the reg-export layout (escaping, dword:, hex(N): forms, folding at 80
// columns), REGEDIT4 and REGEDIT5 import, deletion syntax, errors, and byte-identical round trips.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "isodrv/registry.h"
#include "registry/test_util.h"
#include "registry/text.h"

namespace reg = isodrv::registry;
using isodrv::Errc;

namespace {

class RegFileTest : public ::testing::Test {
 protected:
  void SetUp() override { reg_ = open_fresh("a"); }
  void TearDown() override {
    for (const auto& d : dirs_) std::filesystem::remove_all(d);
  }

  reg::Registry open_fresh(const std::string& tag) {
    static std::mt19937_64 rng{std::random_device{}()};
    auto dir = std::filesystem::temp_directory_path() / ("isodrv-regfile-" + tag + "-" + std::to_string(rng()));
    dirs_.push_back(dir.string());
    auto r = reg::Registry::open_root(dir.string());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(r).value();
  }

  reg::KeyHandle key(const reg::Registry& r, const std::string& path) {
    auto k = r.open_key(path, isodrv::registry::Disposition::open_always);
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    return k.ok() ? *k : reg::KeyHandle();
  }

  std::string export_bytes(const reg::Registry& r, const std::string& path,
                           reg::RegFormat f = reg::RegFormat::regedit5) {
    auto k = r.open_key(path);
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    if (!k.ok()) return {};
    auto b = r.export_reg(*k, f);
    EXPECT_TRUE(b.ok()) << b.error().to_string();
    return b.ok() ? *b : std::string();
  }

  std::vector<std::string> dirs_;
  reg::Registry reg_;
};

// UTF-8 text → the bytes of a REGEDIT5 file (BOM + UTF-16LE).
std::string utf16_file(const std::string& utf8) {
  std::u16string wide;
  EXPECT_TRUE(reg::text::utf8_to_utf16(utf8, wide));
  std::string out = "\xFF\xFE";
  reg::text::append_utf16le(wide, out);
  return out;
}

std::vector<std::uint8_t> b(std::initializer_list<int> l) {
  std::vector<std::uint8_t> v;
  for (int x : l) v.push_back(static_cast<std::uint8_t>(x));
  return v;
}

std::vector<std::uint8_t> seq(int n, int start = 0) {
  std::vector<std::uint8_t> v;
  for (int i = 0; i < n; ++i) v.push_back(static_cast<std::uint8_t>(start + i));
  return v;
}

// A tree with every value type, empty values, awkward names and the default value.
void fill_rich_tree(const reg::KeyHandle& k) {
  ASSERT_TRUE(k.set_string("", "default").ok());
  ASSERT_TRUE(k.set_string("Str", "a \"quoted\" C:\\path\\").ok());
  ASSERT_TRUE(k.set_string("Quote\"And\\Slash", "").ok());
  ASSERT_TRUE(k.set_string("\xC3\x9Cn\xC3\xAF" "c\xC3\xB8" "d\xC3\xA9", "\xE2\x82\xAC 100").ok());  // Ünïcødé = € 100
  ASSERT_TRUE(k.set_dword("Dw", 42).ok());
  ASSERT_TRUE(k.set_value("ShortDw", reg::kRegDword, b({1, 2})).ok());
  ASSERT_TRUE(k.set_value("Be", reg::kRegDwordBigEndian, reg::encode_dword_big_endian(1)).ok());
  ASSERT_TRUE(k.set_binary("Bin", b({0, 1, 0xFF})).ok());
  ASSERT_TRUE(k.set_binary("Empty", {}).ok());
  ASSERT_TRUE(k.set_string("Exp", "%A%", reg::kRegExpandSz).ok());
  ASSERT_TRUE(k.set_multi_sz("Multi", {"a", "b"}).ok());
  ASSERT_TRUE(k.set_qword("Q", 0x0102030405060708ULL).ok());
  ASSERT_TRUE(k.set_value("None", reg::kRegNone, {}).ok());
  ASSERT_TRUE(k.set_value("Custom", 0x00380001, b({9, 8})).ok());
  ASSERT_TRUE(k.set_value("Link", reg::kRegLink, b({0x5C, 0})).ok());
  ASSERT_TRUE(k.set_value("NoNul", reg::kRegSz, b({0x61, 0})).ok());    // not NUL-terminated
  ASSERT_TRUE(k.set_value("ZeroSz", reg::kRegSz, {}).ok());              // zero bytes
  ASSERT_TRUE(k.set_string("Newline", "a\r\nb").ok());                    // cannot be written as "…"
  ASSERT_TRUE(k.set_binary("Long", seq(30)).ok());
  ASSERT_TRUE(k.set_binary("Big", std::vector<std::uint8_t>(60, 0xAB)).ok());
  ASSERT_TRUE(k.open_subkey("b", isodrv::registry::Disposition::open_always)->set_dword("x", 1).ok());
  ASSERT_TRUE(k.open_subkey("A", isodrv::registry::Disposition::open_always).ok());
  ASSERT_TRUE(k.open_subkey("A\\Deep \xE2\x82\xAC", isodrv::registry::Disposition::open_always)->set_string("s", "v").ok());
}

const char* const kGolden =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Golden]\r\n"
    "@=\"default\"\r\n"
    "\"Str\"=\"a \\\"quoted\\\" C:\\\\path\\\\\"\r\n"
    "\"Quote\\\"And\\\\Slash\"=\"\"\r\n"
    "\"\xC3\x9Cn\xC3\xAF" "c\xC3\xB8" "d\xC3\xA9\"=\"\xE2\x82\xAC 100\"\r\n"
    "\"Dw\"=dword:0000002a\r\n"
    "\"ShortDw\"=hex(4):01,02\r\n"
    "\"Be\"=hex(5):00,00,00,01\r\n"
    "\"Bin\"=hex:00,01,ff\r\n"
    "\"Empty\"=hex:\r\n"
    "\"Exp\"=hex(2):25,00,41,00,25,00,00,00\r\n"
    "\"Multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
    "\"Q\"=hex(b):08,07,06,05,04,03,02,01\r\n"
    "\"None\"=hex(0):\r\n"
    "\"Custom\"=hex(380001):09,08\r\n"
    "\"Link\"=hex(6):5c,00\r\n"
    "\"NoNul\"=hex(1):61,00\r\n"
    "\"ZeroSz\"=hex(1):\r\n"
    "\"Newline\"=hex(1):61,00,0d,00,0a,00,62,00,00,00\r\n"
    // 11 columns of prefix + 22 bytes reach column 77: fold (78 columns with the '\').
    "\"Long\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,\\\r\n"
    "  16,17,18,19,1a,1b,1c,1d\r\n"
    // 10 + 23 bytes = column 79: exactly 80 with the '\'; continuation lines hold 25 bytes.
    "\"Big\"=hex:ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,\\\r\n"
    "  ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,\\\r\n"
    "  ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab,ab\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Golden\\A]\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Golden\\A\\Deep \xE2\x82\xAC]\r\n"
    "\"s\"=\"v\"\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Golden\\b]\r\n"
    "\"x\"=dword:00000001\r\n"
    "\r\n";

}  // namespace

TEST_F(RegFileTest, ExportGoldenRegedit5) {
  fill_rich_tree(key(reg_, "HKLM\\SOFTWARE\\Golden"));
  std::string bytes = export_bytes(reg_, "HKLM\\SOFTWARE\\Golden");
  EXPECT_EQ(bytes, utf16_file(kGolden));
  // No line exceeds 80 columns.
  std::u16string wide = reg::text::from_utf16le(reinterpret_cast<const std::uint8_t*>(bytes.data()) + 2, bytes.size() - 2);
  std::size_t col = 0;
  for (char16_t c : wide) {
    col = (c == u'\n') ? 0 : col + 1;
    EXPECT_LE(col, 81u);  // 80 columns + the CR
  }
}

// Done when: export → import into an empty registry → export is byte-identical.
TEST_F(RegFileTest, RoundTripIsByteIdentical) {
  fill_rich_tree(key(reg_, "HKLM\\SOFTWARE\\Golden"));
  std::string first = export_bytes(reg_, "HKLM\\SOFTWARE\\Golden");
  auto other = open_fresh("b");
  ASSERT_TRUE(other.import_reg(first, "golden.reg").ok());
  std::string second = export_bytes(other, "HKLM\\SOFTWARE\\Golden");
  EXPECT_EQ(first, second);
  // And the values themselves are byte-identical, not just their text.
  auto a = V(reg_.open_key("HKLM\\SOFTWARE\\Golden")).enum_values();
  auto c = V(other.open_key("HKLM\\SOFTWARE\\Golden")).enum_values();
  ASSERT_TRUE(a.ok() && c.ok());
  ASSERT_EQ(a->size(), c->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].name, (*c)[i].name);
    EXPECT_EQ((*a)[i].value, (*c)[i].value) << (*a)[i].name;
  }
}

TEST_F(RegFileTest, RoundTripOfWholeHiveIncludesPredefinedKeys) {
  fill_rich_tree(key(reg_, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\quokka"));
  std::string first = export_bytes(reg_, "HKLM");
  auto other = open_fresh("c");
  ASSERT_TRUE(other.import_reg(first).ok());
  EXPECT_EQ(first, export_bytes(other, "HKLM"));
}

TEST_F(RegFileTest, ExportGoldenRegedit4) {
  auto k = key(reg_, "HKCR\\.r4");
  ASSERT_TRUE(k.set_string("", "caf\xC3\xA9").ok());                         // café
  ASSERT_TRUE(k.set_string("Exp", "%\xE2\x82\xAC%", reg::kRegExpandSz).ok());  // %€%
  ASSERT_TRUE(k.set_multi_sz("M", {"a", "b"}).ok());
  ASSERT_TRUE(k.set_dword("D", 7).ok());
  std::string bytes = export_bytes(reg_, "HKCR\\.r4", reg::RegFormat::regedit4);
  EXPECT_EQ(bytes,
            "REGEDIT4\r\n"
            "\r\n"
            "[HKEY_CLASSES_ROOT\\.r4]\r\n"
            "@=\"caf\xE9\"\r\n"
            "\"Exp\"=hex(2):25,80,25,00\r\n"
            "\"M\"=hex(7):61,00,62,00,00\r\n"
            "\"D\"=dword:00000007\r\n"
            "\r\n");
  // REGEDIT4 text in Windows-1252 round-trips too.
  auto other = open_fresh("d");
  ASSERT_TRUE(other.import_reg(bytes).ok());
  EXPECT_EQ(export_bytes(other, "HKCR\\.r4", reg::RegFormat::regedit4), bytes);
  EXPECT_EQ(export_bytes(other, "HKCR\\.r4"), export_bytes(reg_, "HKCR\\.r4"));
}

TEST_F(RegFileTest, ImportRegedit4ConvertsAnsiStrings) {
  std::string file =
      "REGEDIT4\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\R4]\r\n"
      "\"Nam\xE9\"=\"caf\xE9 \x80\"\r\n"
      "\"Exp\"=hex(2):25,41,25,00\r\n"
      "\"Multi\"=hex(7):61,00,62,00,00\r\n"
      "\"Bin\"=hex:e9\r\n";
  ASSERT_TRUE(reg_.import_reg(file, "r4.reg").ok());
  auto k = V(reg_.open_key("HKLM\\SOFTWARE\\R4"));
  EXPECT_EQ(V(k.get_string("Nam\xC3\xA9")), "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(V(k.query_value("Exp")), (reg::Value{reg::kRegExpandSz, b({0x25, 0, 0x41, 0, 0x25, 0, 0, 0})}));
  EXPECT_EQ(V(k.query_value("Multi")), (reg::Value{reg::kRegMultiSz, b({0x61, 0, 0, 0, 0x62, 0, 0, 0, 0, 0})}));
  EXPECT_EQ(V(k.query_value("Bin")), (reg::Value{reg::kRegBinary, b({0xE9})}));
}

TEST_F(RegFileTest, ImportRegedit5Syntax) {
  std::string text =
      "Windows Registry Editor Version 5.00\r\n"
      "\r\n"
      "; a comment\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\R5\\Sub]\r\n"
      "@=\"def\"\r\n"
      "\"Spaced\" = dword:FF ; trailing comment\r\n"
      "\"Folded\"=hex(7):61,00,\\\r\n"
      "    00,00,\\\n"
      "  00,00\r\n"
      "\"Bin\"=HEX:0A, b ,0c\r\n"
      "\"Odd\\\\Name\\\"\"=\"x\\\\y\"\r\n"
      "\"Keep\"=\"C:\\Windows\"\r\n"
      "[HKLM\\SOFTWARE\\R5\\Short]\r\n";
  ASSERT_TRUE(reg_.import_reg(utf16_file(text), "r5.reg").ok());
  auto k = V(reg_.open_key("HKLM\\SOFTWARE\\R5\\Sub"));
  EXPECT_EQ(V(k.get_string("")), "def");
  EXPECT_EQ(V(k.get_dword("Spaced")), 0xFFu);
  EXPECT_EQ(V(k.query_value("Folded")), (reg::Value{reg::kRegMultiSz, b({0x61, 0, 0, 0, 0, 0})}));
  EXPECT_EQ(V(k.query_value("Bin")), (reg::Value{reg::kRegBinary, b({0x0A, 0x0B, 0x0C})}));
  EXPECT_EQ(V(k.get_string("Odd\\Name\"")), "x\\y");
  EXPECT_EQ(V(k.get_string("Keep")), "C:\\Windows");  // unknown escapes stay as written
  EXPECT_TRUE(reg_.open_key("HKLM\\SOFTWARE\\R5\\Short").ok());
  // Also accepted: UTF-8 with BOM, and without BOM.
  ASSERT_TRUE(reg_.import_reg("\xEF\xBB\xBF" + text, "u8.reg").ok());
  ASSERT_TRUE(reg_.import_reg(text, "plain.reg").ok());
}

TEST_F(RegFileTest, ImportDeletionSyntax) {
  auto k = key(reg_, "HKLM\\SOFTWARE\\Del\\Keep");
  ASSERT_TRUE(k.set_dword("gone", 1).ok());
  ASSERT_TRUE(k.set_dword("stays", 1).ok());
  ASSERT_TRUE(k.set_string("", "d").ok());
  ASSERT_TRUE(key(reg_, "HKLM\\SOFTWARE\\Del\\Tree\\Deep").set_dword("v", 1).ok());
  std::string text =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Del\\Tree]\r\n"
      "\"ignored\"=dword:00000001\r\n"
      "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Del\\NeverExisted]\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Del\\Keep]\r\n"
      "\"gone\"=-\r\n"
      "@=-\r\n"
      "\"never\"=-\r\n";
  ASSERT_TRUE(reg_.import_reg(utf16_file(text), "del.reg").ok());
  EXPECT_EQ(reg_.open_key("HKLM\\SOFTWARE\\Del\\Tree").error().code, Errc::not_found);
  EXPECT_EQ(k.query_value("gone").error().code, Errc::not_found);
  EXPECT_EQ(k.query_value("").error().code, Errc::not_found);
  EXPECT_TRUE(k.query_value("stays").ok());
  EXPECT_EQ(V(k.enum_subkeys()).size(), 0u);
}

// Bad input: file:line: message, Errc::general_syntax, and nothing of the file applied.
TEST_F(RegFileTest, ImportErrorsNameTheLineAndApplyNothing) {
  struct Row {
    const char* body;  // after the header line and a blank line (so the body starts on line 3)
    std::uint32_t line;
    const char* message_part;
  };
  const Row rows[] = {
      {"[HKLM\\SOFTWARE\\Err]\r\n\"a\"=hex:0g\r\n", 4, "hex byte"},
      {"[HKLM\\SOFTWARE\\Err]\r\n\"a\"=dword:123456789\r\n", 4, "dword"},
      {"[HKLM\\SOFTWARE\\Err]\r\n\"a\"=\"unterminated\r\n", 4, "closing quote"},
      {"[HKLM\\SOFTWARE\\Err]\r\n\"a\"\r\n", 4, "'='"},
      {"[HKLM\\SOFTWARE\\Err]\r\n\"a\"=str:x\r\n", 4, "unrecognized value data"},
      {"[HKLM\\SOFTWARE\\Err]\r\n\"a\"=hex:01,\\\r\n  02,zz\r\n", 4, "hex byte"},
      {"\"a\"=dword:1\r\n", 3, "[KEY]"},
      {"[HKLM\\SOFTWARE\\Err]\r\n[HKXX\\Nope]\r\n", 4, "unknown root"},
      {"[HKLM\\SOFTWARE\\Err]\r\n[HKLM\\SOFTWARE\\Err\\..\\x]\r\n", 4, "'..'"},
      {"[HKLM\\SOFTWARE\\Err\r\n", 3, "']'"},
      {"[HKLM\\SOFTWARE\\Err]\r\nnonsense\r\n", 4, "unrecognized line"},
      {"[HKLM\\SOFTWARE\\Err]\r\n[-HKLM]\r\n", 4, "predefined"},
  };
  for (const auto& row : rows) {
    std::string text = std::string("Windows Registry Editor Version 5.00\r\n\r\n") + row.body;
    auto s = reg_.import_reg(utf16_file(text), "bad.reg");
    ASSERT_FALSE(s.ok()) << row.body;
    EXPECT_EQ(s.error().code, Errc::general_syntax) << row.body;
    EXPECT_EQ(s.error().file, "bad.reg");
    EXPECT_EQ(s.error().line, row.line) << row.body << " → " << s.error().to_string();
    EXPECT_NE(s.error().message.find(row.message_part), std::string::npos) << s.error().to_string();
    EXPECT_EQ(reg_.open_key("HKLM\\SOFTWARE\\Err").error().code, Errc::not_found) << row.body;
  }
  auto s = reg_.import_reg("hello\r\n", "nohdr.reg");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().to_string().rfind("nohdr.reg:1: not a registry file", 0), 0u) << s.error().to_string();
  EXPECT_FALSE(reg_.import_reg("", "empty.reg").ok());
}

TEST_F(RegFileTest, ImportInsideCallerTransactionRollsBackWithIt) {
  std::string text = "Windows Registry Editor Version 5.00\r\n\r\n[HKLM\\SOFTWARE\\InTx]\r\n\"a\"=dword:1\r\n";
  {
    auto tx = reg_.begin();
    ASSERT_TRUE(reg_.import_reg(text).ok());
    EXPECT_TRUE(reg_.open_key("HKLM\\SOFTWARE\\InTx").ok());
  }
  EXPECT_EQ(reg_.open_key("HKLM\\SOFTWARE\\InTx").error().code, Errc::not_found);
}

TEST_F(RegFileTest, UnwritableNamesAreRefused) {
  auto k = key(reg_, "HKLM\\SOFTWARE\\Nl");
  ASSERT_TRUE(k.set_dword("line\nbreak", 1).ok());
  auto e = reg_.export_reg(k);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, Errc::unsupported);
}
