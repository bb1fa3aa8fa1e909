// `check`'s token resolution for .inx input takes a byte-level path for files whose text is their
// bytes; it must give exactly what the line-by-line path (LineMap + EditPlan) gives, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/stamp_tokens.h"
#include "stamp/line_edits.h"
#include "stamp/tokens.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;
using namespace isodrv;

namespace {

std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t b = 0;;) {
    const std::size_t e = s.find('\n', b);
    out.push_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) return out;
    b = e + 1;
  }
}

// check's entry point (stamp_for_check) gives the resolved file exactly when resolving changes it,
// and nullopt otherwise; and every line that stamping changed is one may_be_stamped flags (a line
// it does not flag is as written, so check leaves its findings' columns alone).
void expect_check_stamp_agrees(const std::string& bytes, inf::Arch arch, const std::string& resolved,
                               const std::string& what) {
  const auto stamped = stamp::stamp_for_check(bytes, arch);
  EXPECT_EQ(stamped.has_value(), resolved != bytes) << what;
  if (stamped) {
    EXPECT_EQ(*stamped, resolved) << what;
  }
  const auto before = lines_of(bytes), after = lines_of(resolved);
  ASSERT_EQ(before.size(), after.size()) << what << ": stamping keeps the lines";
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i] != after[i]) {
      EXPECT_TRUE(stamp::may_be_stamped(after[i], arch)) << what << " line " << i + 1;
    }
  }
}

void expect_same(const std::string& bytes, inf::Arch arch, const std::string& what) {
  const auto values = stamp::detail::check_token_values(arch);
  const auto fast = stamp::detail::resolve_tokens_in_bytes(bytes, values);
  ASSERT_TRUE(fast.has_value()) << what;
  auto slow = stamp::detail::resolve_tokens_by_lines(bytes, values);
  ASSERT_TRUE(slow.ok()) << what;
  EXPECT_EQ(*fast, *slow) << what;
  EXPECT_EQ(stamp::accept_tokens_for_check(bytes, arch), *slow) << what;
  expect_check_stamp_agrees(bytes, arch, *slow, what);
}

}  // namespace

TEST(StampCheckTokens, BytePathMatchesLinePathOnShapes) {
  const std::vector<std::string> cases = {
      "",
      "$ARCH$",
      "[Manufacturer]\r\n%M%=Models,NT$ARCH$\r\n",
      "[Models.NT$ARCH$]\nx=y ; $ARCH$ in a comment\n",
      "a=\"$ARCH$;\" ; $KMDFVERSION$\n",
      "a=\"unterminated $ARCH$ ; still quoted $ARCH$\n",
      "  [Sec.$ARCH$] $ARCH$ after the header\n",
      "[Sec.$ARCH$\n",
      "$KMDFVERSION$ARCH$ $UMDFVERSION$$UMDFCOINSTALLERVERSION$ $KMDFCOINSTALLERVERSION$\n",
      "$ARCH$ARCH$ARCH$\r\n$$ARCH$$\r",
      "no break at the end $ARCH$\r",
      "line\r\r\n$ARCH$\r\r\n",
      "caf\xE9=$ARCH$ \x80\x81\xFF\n\xC3\xA9=$ARCH$\n",
      "$ not a token $ARCH $\n;$ARCH$\n$ARCH$;$ARCH$\n",
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    expect_same(cases[i], inf::Arch::amd64, "case " + std::to_string(i));
    expect_same(cases[i], inf::Arch::arm64, "case " + std::to_string(i) + " (arm64)");
  }
}

TEST(StampCheckTokens, BytePathMatchesLinePathOnRandomInput) {
  const std::vector<std::string> pieces = {"$ARCH$", "$KMDFVERSION$", "$KMDFCOINSTALLERVERSION$", "$UMDFVERSION$",
                                           "$UMDFCOINSTALLERVERSION$", "$", "ARCH$", "\"", ";", "[", "]", "=", ",",
                                           " ", "\t", "\n", "\r\n", "\r", "x", "NT", "\xE9", "\x80", "\xC3\xA9"};
  std::mt19937 rng(13);
  for (int n = 0; n < 3000; ++n) {
    std::string s;
    const int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) s += pieces[rng() % pieces.size()];
    expect_same(s, inf::Arch::amd64, "random input " + std::to_string(n));
  }
}

TEST(StampCheckTokens, OtherEncodingsTakeTheLinePath) {
  const auto values = stamp::detail::check_token_values(inf::Arch::amd64);
  for (const std::string& s : {std::string("\xFF\xFE$\0A\0", 6), std::string("\xFE\xFF\0$", 4),
                              std::string("\xEF\xBB\xBF$ARCH$\n"), std::string("a\0$ARCH$\n", 9),
                              std::string("$ARCH$\n\x1A$ARCH$\n")}) {
    EXPECT_FALSE(stamp::detail::resolve_tokens_in_bytes(s, values).has_value());
    auto slow = stamp::detail::resolve_tokens_by_lines(s, values);
    ASSERT_TRUE(slow.ok());
    EXPECT_EQ(stamp::accept_tokens_for_check(s, inf::Arch::amd64), *slow);
    const auto stamped = stamp::stamp_for_check(s, inf::Arch::amd64);
    EXPECT_EQ(stamped.has_value(), *slow != s);
    if (stamped) {
      EXPECT_EQ(*stamped, *slow);
    }
  }
}

// A line without any of check's token values cannot have been stamped; one with a value may have.
TEST(StampCheckTokens, MayBeStampedLooksForTheValues) {
  EXPECT_FALSE(stamp::may_be_stamped("HKR,,Foo,0x10001,1", inf::Arch::amd64));
  EXPECT_FALSE(stamp::may_be_stamped("%Mfg%=Models,NTarm64", inf::Arch::amd64)) << "another architecture's word";
  EXPECT_TRUE(stamp::may_be_stamped("%Mfg%=Models,NTamd64", inf::Arch::amd64));
  EXPECT_TRUE(stamp::may_be_stamped("%Mfg%=Models,NTarm64", inf::Arch::arm64));
  EXPECT_TRUE(stamp::may_be_stamped("KmdfLibraryVersion = 1.33", inf::Arch::amd64));
  EXPECT_TRUE(stamp::may_be_stamped("UmdfLibraryVersion = 2.33.0", inf::Arch::amd64));
  EXPECT_FALSE(stamp::may_be_stamped("", inf::Arch::amd64));
}

TEST(StampCheckTokens, BytePathMatchesLinePathOnTheCorpus) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  if (!fs::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  const auto values = stamp::detail::check_token_values(inf::Arch::amd64);
  std::size_t fast_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(corpus)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = inf::to_lower_ascii(e.path().extension().string());
    if (ext != ".inx" && ext != ".inf") continue;
    const std::string bytes = isodrv_test::slurp(e.path());
    auto slow = stamp::detail::resolve_tokens_by_lines(bytes, values);
    ASSERT_TRUE(slow.ok()) << e.path();
    if (auto fast = stamp::detail::resolve_tokens_in_bytes(bytes, values)) {
      ++fast_files;
      EXPECT_EQ(*fast, *slow) << e.path();
    }
    EXPECT_EQ(stamp::accept_tokens_for_check(bytes, inf::Arch::amd64), *slow) << e.path();
    const auto stamped = stamp::stamp_for_check(bytes, inf::Arch::amd64);
    EXPECT_EQ(stamped.has_value(), *slow != bytes) << e.path();
    if (stamped) {
      EXPECT_EQ(*stamped, *slow) << e.path();
    }
  }
  EXPECT_GT(fast_files, 300u);
}

namespace {

// UTF-16LE bytes of `units`, after a BOM.
std::string utf16le(const std::u16string& units, bool bom = true) {
  std::string out = bom ? std::string("\xFF\xFE") : std::string();
  for (const char16_t u : units) {
    out += static_cast<char>(u & 0xFF);
    out += static_cast<char>(u >> 8);
  }
  return out;
}

// The UTF-16LE path of check (splice_tokens_in_utf16le) against the line-by-line path.
void expect_utf16_same(const std::string& bytes, inf::Arch arch, const std::string& what) {
  const auto values = stamp::detail::check_token_values(arch);
  std::string spliced;
  const auto how = stamp::detail::splice_tokens_in_utf16le(bytes, values, spliced);
  ASSERT_NE(how, stamp::detail::Spliced::not_bytes) << what;
  auto slow = stamp::detail::resolve_tokens_by_lines(bytes, values);
  ASSERT_TRUE(slow.ok()) << what;
  EXPECT_EQ(how == stamp::detail::Spliced::changed, *slow != bytes) << what;
  if (how == stamp::detail::Spliced::changed) {
    EXPECT_EQ(spliced, *slow) << what;
  }
  const auto stamped = stamp::stamp_for_check(bytes, arch);
  EXPECT_EQ(stamped.has_value(), *slow != bytes) << what;
  if (stamped) {
    EXPECT_EQ(*stamped, *slow) << what;
  }
}

}  // namespace

TEST(StampCheckTokens, Utf16PathMatchesLinePathOnShapes) {
  const std::vector<std::u16string> cases = {
      u"",
      u"$ARCH$",
      u"[Manufacturer]\r\n%M%=Models,NT$ARCH$\r\n",
      u"[Models.NT$ARCH$]\nx=y ; $ARCH$ in a comment\n",
      u"a=\"$ARCH$;\" ; $KMDFVERSION$\n",
      u"  [Sec.$ARCH$] $ARCH$ after the header\n",
      u"$KMDFVERSION$ARCH$ $UMDFVERSION$$UMDFCOINSTALLERVERSION$ $KMDFCOINSTALLERVERSION$\n",
      u"line\r\r\n$ARCH$\r\r\nno break at the end $ARCH$\r",
      u"caf\u00E9=$ARCH$ \u4E2D\u6587\n\u00E9\u00E9=\"\u20AC$ARCH$\u20AC\";\u00E9$ARCH$\n",
      u"\u0124ARCH$ $\u0100ARCH$ \u2400$ARCH$\n",  // units whose low byte is '$' or '\n' are not those
      u"$ not a token $ARCH $\n;$ARCH$\n$ARCH$;$ARCH$\n",
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    expect_utf16_same(utf16le(cases[i]), inf::Arch::amd64, "UTF-16 case " + std::to_string(i));
    expect_utf16_same(utf16le(cases[i]), inf::Arch::x86, "UTF-16 case " + std::to_string(i) + " (x86)");
  }
}

TEST(StampCheckTokens, Utf16PathMatchesLinePathOnRandomInput) {
  const std::vector<std::u16string> pieces = {u"$ARCH$", u"$KMDFVERSION$", u"$KMDFCOINSTALLERVERSION$",
                                              u"$UMDFVERSION$", u"$UMDFCOINSTALLERVERSION$", u"$", u"ARCH$", u"\"",
                                              u";", u"[", u"]", u"=", u",", u" ", u"\t", u"\n", u"\r\n", u"\r",
                                              u"x", u"NT", u"\u00E9", u"\u0124", u"\u0A24", u"\u4E2D", u"\uFFFD"};
  std::mt19937 rng(1316);
  for (int n = 0; n < 3000; ++n) {
    std::u16string s;
    const int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) s += pieces[rng() % pieces.size()];
    expect_utf16_same(utf16le(s), inf::Arch::amd64, "random UTF-16 input " + std::to_string(n));
  }
}

// What the UTF-16 path does not take: the line-by-line path decides, and check's result is its.
TEST(StampCheckTokens, Utf16PathLeavesOtherTextToTheLinePath) {
  const auto values = stamp::detail::check_token_values(inf::Arch::amd64);
  const std::vector<std::string> cases = {
      utf16le(u"$ARCH$\n", false),                              // no BOM
      utf16le(u"a=$ARCH$\n") + "x",                             // odd length
      utf16le(std::u16string(u"a=$ARCH$\n\0b=$ARCH$\n", 19)),  // a NUL unit
      utf16le(u"a=$ARCH$\n\u001Ab=$ARCH$\n"),                   // ^Z: decoding stops there
      utf16le(u"a=$ARCH$ \xD83D\xDE00\n"),                      // a surrogate pair
      utf16le(u"a=$ARCH$ \xD83D\n"),                            // an unpaired surrogate
      std::string("\xFE\xFF\0$\0A", 6),                         // UTF-16BE
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string out;
    EXPECT_EQ(stamp::detail::splice_tokens_in_utf16le(cases[i], values, out), stamp::detail::Spliced::not_bytes)
        << "case " << i;
    auto slow = stamp::detail::resolve_tokens_by_lines(cases[i], values);
    ASSERT_TRUE(slow.ok()) << "case " << i;
    const auto stamped = stamp::stamp_for_check(cases[i], inf::Arch::amd64);
    EXPECT_EQ(stamped.has_value(), *slow != cases[i]) << "case " << i;
    if (stamped) {
      EXPECT_EQ(*stamped, *slow) << "case " << i;
    }
  }
  // The four-units-a-step scan sees a bad unit at every place in a block.
  for (std::size_t at = 0; at < 12; ++at) {
    std::u16string s(12, u'x');
    s[at] = static_cast<char16_t>(0xDC00);
    std::string out;
    EXPECT_EQ(stamp::detail::splice_tokens_in_utf16le(utf16le(s + u"$ARCH$"), values, out),
              stamp::detail::Spliced::not_bytes) << "surrogate at " << at;
    s[at] = static_cast<char16_t>(0x1A);
    EXPECT_EQ(stamp::detail::splice_tokens_in_utf16le(utf16le(s + u"$ARCH$"), values, out),
              stamp::detail::Spliced::not_bytes) << "^Z at " << at;
  }
  // The eight-units-a-step scan (SSE2) and the steps after it, for every bad unit at every place of
  // a text long enough for several blocks; a surrogate's neighbours (0xD7FF, 0xE000) pass.
  for (const char16_t bad : {char16_t{0}, char16_t{0x1A}, char16_t{0xD800}, char16_t{0xDBFF}, char16_t{0xDFFF}}) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::u16string s(40, u'x');
      s[at] = bad;
      std::string out;
      EXPECT_EQ(stamp::detail::splice_tokens_in_utf16le(utf16le(s + u"$ARCH$"), values, out),
                stamp::detail::Spliced::not_bytes) << "unit " << static_cast<unsigned>(bad) << " at " << at;
    }
  }
  for (const char16_t fine : {char16_t{0xD7FF}, char16_t{0xE000}, char16_t{0x1B}, char16_t{0x100}}) {
    std::u16string s(40, fine);
    std::string out;
    EXPECT_EQ(stamp::detail::splice_tokens_in_utf16le(utf16le(s + u"=$ARCH$"), values, out),
              stamp::detail::Spliced::changed) << "unit " << static_cast<unsigned>(fine);
  }
}

namespace {

// The byte-by-byte walk code_end answered with before its two searches.
std::size_t code_end_by_bytes(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i != std::string_view::npos && line[i] == '[') {
    const std::size_t rb = line.find(']', i);
    return rb == std::string_view::npos ? line.size() : rb + 1;
  }
  bool quoted = false;
  for (i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    else if (line[i] == ';' && !quoted) return i;
  }
  return line.size();
}

}  // namespace

// code_end's searches agree with the walk on every line of quotes, semicolons and brackets.
TEST(StampCheckTokens, CodeEndAgreesWithTheByteWalk) {
  const char alphabet[] = {'a', ';', '"', ' ', '[', ']', '\t', '$'};
  std::mt19937 rng(17);
  for (int n = 0; n < 50000; ++n) {
    std::string line(rng() % 14, 'a');
    for (char& c : line) c = alphabet[rng() % sizeof alphabet];
    ASSERT_EQ(stamp::detail::code_end(line), code_end_by_bytes(line)) << "[" << line << "]";
  }
}
