// Decoding and positions: encodings and their detection, the flags a validator reports, 1-based
// lines and UTF-16-unit columns, and lossless single-line rewrites in every encoding.
#include <gtest/gtest.h>

#include <iconv.h>

#include <algorithm>
#include <optional>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/utf16.h"
#include "inf/document_impl.h"
#include "inf/structural.h"
#include "inf_test_util.h"

using namespace isodrv;
using namespace isodrv::inf;
using namespace inf_test;

namespace {

// ^Z, which ends an ANSI text.
constexpr unsigned kCtrlZByte = 0x1A;

const std::string kHead = "[Version]\r\nSignature=\"$Windows NT$\"\r\n[S]\r\n";

// The bytes of `utf8` as a file in `enc` (BOM included where the encoding has one).
std::string make(std::string_view utf8, Encoding enc) {
  switch (enc) {
    case Encoding::ansi: return encode(utf8, Encoding::ansi, 1252);
    case Encoding::utf8_bom: return "\xEF\xBB\xBF" + std::string(utf8);
    case Encoding::utf16le_bom: return utf16(utf8, false, true);
    case Encoding::utf16be_bom: return utf16(utf8, true, true);
    case Encoding::utf16le: return utf16(utf8, false, false);
  }
  return {};
}

const Encoding kAllEncodings[] = {Encoding::ansi, Encoding::utf8_bom, Encoding::utf16le_bom, Encoding::utf16be_bom,
                                  Encoding::utf16le};

struct EncodingRow {
  const char* cite;
  std::string bytes;
  Encoding encoding;
  std::string value;  // the field of the line "k=..." in [S]
};

TEST(InfDecode, DetectsEncodings) {
  const std::string text = kHead + "k=é€𝄞\r\n";
  const std::vector<EncodingRow> rows = {
      {"inf-syntax.md §1: FF FE is UTF-16LE", make(text, Encoding::utf16le_bom), Encoding::utf16le_bom, "é€𝄞"},
      {"inf-syntax.md §1: FE FF is UTF-16BE", make(text, Encoding::utf16be_bom), Encoding::utf16be_bom, "é€𝄞"},
      {"inf-syntax.md §1 [WINE]: EF BB BF is UTF-8", make(text, Encoding::utf8_bom), Encoding::utf8_bom, "é€𝄞"},
      {"docs/inf-engine.md [ND]: BOM-less UTF-16LE is detected from <ASCII, 00> pairs",
       make(text, Encoding::utf16le), Encoding::utf16le, "é€𝄞"},
      {"inf-syntax.md §1: otherwise the ANSI code page (1252)", kHead + "k=\xE9\x80\r\n", Encoding::ansi, "é€"},
      {"DESIGN.md §4: a pure-ASCII file is ansi", kHead + "k=v\r\n", Encoding::ansi, "v"},
      {"docs/inf-engine.md: UTF-8 BOM with ASCII text only", "\xEF\xBB\xBF" + kHead + "k=v\r\n", Encoding::utf8_bom,
       "v"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.cite);
    auto r = parse(row.bytes);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->encoding(), row.encoding);
    EXPECT_EQ(r->section("S")->find("k")->field(0), row.value);
    EXPECT_FALSE(r->decode_flags().utf8_without_bom);
    EXPECT_FALSE(r->decode_flags().odd_length_utf16);
    EXPECT_FALSE(r->decode_flags().unpaired_surrogate);
  }
}

TEST(InfDecode, EncodingNamesAreTheDesignContract) {
  // DESIGN.md §4 `encoding`.
  EXPECT_EQ(encoding_name(Encoding::ansi), "ansi");
  EXPECT_EQ(encoding_name(Encoding::utf8_bom), "utf-8-bom");
  EXPECT_EQ(encoding_name(Encoding::utf16le_bom), "utf-16le-bom");
  EXPECT_EQ(encoding_name(Encoding::utf16be_bom), "utf-16be-bom");
  EXPECT_EQ(encoding_name(Encoding::utf16le), "utf-16le");
}

TEST(InfDecode, BomlessUtf16DetectionNeedsEvidence) {
  // docs/inf-engine.md [ND]: odd lengths, tiny inputs and big-endian-looking data stay ANSI.
  EXPECT_EQ(decode("a\0b"s)->encoding, Encoding::ansi);
  EXPECT_EQ(decode("a\0"s)->encoding, Encoding::ansi);
  EXPECT_EQ(decode(utf16("[Version]\n", true, false))->encoding, Encoding::ansi);
  EXPECT_EQ(decode(utf16("[Version]\n", false, false) + "x")->encoding, Encoding::ansi);
  EXPECT_EQ(decode(utf16("[Version]\n", false, false))->encoding, Encoding::utf16le);
}

// UTF-16LE is narrowed in one pass while its units are ASCII and measured once when they stop
// being so; big-endian input is decoded unit by unit. The same units in both byte orders must give
// the same text, flags, line tables and end: ASCII runs longer and shorter than a block, non-ASCII
// at every offset, surrogate pairs (split across a block too), lone surrogates, NUL, ^Z, odd lengths.
std::string units_bytes(const std::vector<char16_t>& u, bool big_endian) {
  std::string out = big_endian ? std::string("\xFE\xFF") : std::string("\xFF\xFE");
  for (char16_t c : u) {
    const char lo = static_cast<char>(c & 0xFF), hi = static_cast<char>(c >> 8);
    out += big_endian ? hi : lo;
    out += big_endian ? lo : hi;
  }
  return out;
}

void expect_same_decoding(const std::string& le, const std::string& be, std::uint32_t le_shift, const std::string& what) {
  auto a = decode(le);
  auto b = decode(be);
  ASSERT_TRUE(a && b) << what;
  EXPECT_EQ(a->view(le), b->view(be)) << what;
  EXPECT_EQ(a->flags.odd_length_utf16, b->flags.odd_length_utf16) << what;
  EXPECT_EQ(a->flags.unpaired_surrogate, b->flags.unpaired_surrogate) << what;
  EXPECT_EQ(a->flags.embedded_nul, b->flags.embedded_nul) << what;
  EXPECT_EQ(a->flags.ctrl_z, b->flags.ctrl_z) << what;
  EXPECT_EQ(a->flags.ctrl_z_line, b->flags.ctrl_z_line) << what;
  EXPECT_EQ(a->line_text_start, b->line_text_start) << what;
  std::vector<std::uint32_t> shifted = b->line_byte_start;
  for (auto& x : shifted) x -= le_shift;
  EXPECT_EQ(a->line_byte_start, shifted) << what;
  EXPECT_EQ(a->bytes_end + le_shift, b->bytes_end) << what;
}

TEST(InfDecode, Utf16LeOnePassMatchesUnitByUnitDecoding) {
  const std::vector<std::vector<char16_t>> specials = {
      {0xE9}, {0x4E2D}, {0xD83D, 0xDE00}, {0xD83D}, {0xDE00}, {0}, {0x1A}, {'\n'}, {0xFFFD}, {0x7FF, 0x800}};
  for (const auto& sp : specials) {
    for (std::size_t k = 0; k < 40; ++k) {
      for (std::size_t tail : {std::size_t{0}, std::size_t{1}, std::size_t{9}, std::size_t{23}}) {
        std::vector<char16_t> u;
        for (std::size_t j = 0; j < k; ++j) u.push_back(j % 11 == 10 ? u'\n' : static_cast<char16_t>('a' + j % 26));
        u.insert(u.end(), sp.begin(), sp.end());
        for (std::size_t j = 0; j < tail; ++j) u.push_back(j % 7 == 6 ? u'\n' : u'z');
        const std::string what = "special " + std::to_string(sp[0]) + " at " + std::to_string(k) + " tail " + std::to_string(tail);
        std::string le = units_bytes(u, false), be = units_bytes(u, true);
        expect_same_decoding(le, be, 0, what);
        expect_same_decoding(le + "x", be + "x", 0, what + " odd");
      }
    }
  }
  // Long random mixes, some over the 16 KiB index window, mostly ASCII with a few others.
  std::mt19937 rng(16);
  for (int n = 0; n < 300; ++n) {
    std::vector<char16_t> u;
    const std::size_t len = rng() % (n % 10 == 0 ? 40000 : 700);
    const unsigned rare = 1 + rng() % 200;
    while (u.size() < len) {
      const unsigned r = static_cast<unsigned>(rng() % 1000);
      if (r % rare != 0) {
        u.push_back(r % 37 == 0 ? u'\n' : static_cast<char16_t>(' ' + r % 90));
      } else {
        const char16_t pick[] = {0xE9, 0x4E2D, 0xD83D, 0xDE00, 0, 0x1A, 0x3000, 0x80};
        u.push_back(pick[rng() % 8]);
        if (u.back() == 0xD83D && rng() % 2) u.push_back(0xDE00);
      }
    }
    std::string le = units_bytes(u, false), be = units_bytes(u, true);
    if (n % 3 == 0) {
      le += "\x01";
      be += "\x01";
    }
    expect_same_decoding(le, be, 0, "random " + std::to_string(n));
  }
}

// Well-formed UTF-8 by the definition (RFC 3629: shortest form, no surrogates, nothing past
// U+10FFFF), decoded character by character: the reference for the decoder's block-wise check.
bool reference_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t n = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
    if (!n || i + n > s.size()) return false;
    char32_t cp = n == 1 ? b0 : b0 & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = cp << 6 | (b & 0x3F);
    }
    const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// Decodes a copy of `bytes` in place with tokenizer t and returns the separator count decoding
// gave on the way next to the count of a separate scalar pass over the text it produced, or nullopt
// where decoding did not count them (parse_text then counts in a pass of its own).
std::optional<std::pair<std::size_t, std::size_t>> in_place_separator_counts(const std::string& bytes, Tokenizer t) {
  std::string in_place = bytes;
  bool replaced = false;
  std::size_t separators = kSeparatorsUncounted;
  const Tokenizer before = active_tokenizer();
  set_tokenizer(t);
  auto d = decode_in_place(in_place, DecodeOptions{}, replaced, separators);
  set_tokenizer(before);
  EXPECT_TRUE(d.ok());
  if (!d.ok() || separators == kSeparatorsUncounted) return std::nullopt;
  return std::make_pair(separators, count_separators(d->view(in_place), Tokenizer::scalar));
}

TEST(InfDecode, AnsiScanAgreesOnEveryPathAndWithTheUtf8Definition) {
  // Text after a plain-ASCII prefix is sized, counted and checked for UTF-8 in one AVX2 pass over
  // 32-byte blocks, in separate passes otherwise. Random mixes of ASCII, line breaks, NULs, valid
  // and broken UTF-8 (the boundary second bytes of E0, ED, F0 and F4; C0, C1, F5-FF; lone
  // continuation bytes; cut sequences) and the Windows-1252 bytes 80-9F, at every alignment and past
  // 127 blocks, must give the same flags, text and lines as the SSE2 path, the UTF-8 flag the
  // definition's answer, and, decoded in place, the same text and bytes back.
  const char* pieces[] = {"a", "bc ", "\n", "\r\n", "=", std::string_view("\0", 1).data(), "\xC3\xA9", "\xD0\x90\xD1\x8F",
                          "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xE0\xA0\x80", "\xE0\x9F\xBF", "\xED\x9F\xBF", "\xED\xA0\x80",
                          "\xF0\x90\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xC0\x80", "\xC1\xBF",
                          "\xC2", "\xE4\xB8", "\xF0\x9F\x98", "\x80", "\xBF", "\xF5\x80\x80\x80", "\xFF", "\x81", "\x8D", "\x9D",
                          "\x80\x8F\x90\x9F", "\xE9"};
  const std::size_t lengths[] = {1, 1, 1, 2, 1, 1, 2, 4, 3, 4, 3, 3, 3, 3, 4, 4, 4, 4, 2, 2, 1, 2, 3, 1, 1, 4, 1, 1, 1, 1, 4, 1};
  static_assert(std::size(pieces) == std::size(lengths));
  std::vector<Tokenizer> paths;
  for (Tokenizer t : {Tokenizer::sse2, Tokenizer::avx2}) {
    if (tokenizer_supported(t)) paths.push_back(t);
  }
  const Tokenizer before = active_tokenizer();
  std::mt19937 rng(20261207);
  int utf8_files = 0, counted = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string b = kHead;
    b.append(rng() % 90, 'x');
    const bool valid_only = round % 3 == 0;  // a third of the inputs mostly well-formed UTF-8
    const std::size_t want = round % 50 == 0 ? 9000 : rng() % 300;
    while (b.size() < kHead.size() + want) {
      std::size_t k = rng() % std::size(pieces);
      if (valid_only && (k > 17 || k == 5 || k == 11 || k == 13 || k == 15 || k == 17) && rng() % 40) k = 6 + rng() % 4;
      b.append(pieces[k], lengths[k]);
    }
    if (valid_only && round % 2) {
      const std::size_t cut = 20 + rng() % 3;  // a sequence cut short by the end of the file
      b.append(pieces[cut], lengths[cut]);
    }
    // (the flag says "UTF-8 rather than ASCII": it needs a byte >= 0x80)
    const bool utf8 = reference_utf8(b) && std::any_of(b.begin(), b.end(), [](char c) { return c & 0x80; });
    utf8_files += utf8;
    std::string first_text;
    DecodeFlags first_flags{};
    std::vector<std::uint32_t> first_lines;
    for (Tokenizer t : paths) {
      set_tokenizer(t);
      auto d = decode(b);
      std::string copy = b;
      auto doc = Document::parse(std::move(copy), "s.inf");
      set_tokenizer(before);
      ASSERT_TRUE(d.ok()) << round;
      const std::string text(d->view(b));
      if (t == paths.front()) {
        first_text = text;
        first_flags = d->flags;
        first_lines = d->line_text_start;
      }
      ASSERT_EQ(d->flags.utf8_without_bom, utf8) << round << " " << tokenizer_name(t) << " " << show(b);
      ASSERT_EQ(d->flags.non_ascii_ansi, first_flags.non_ascii_ansi) << round;
      ASSERT_EQ(d->flags.embedded_nul, first_flags.embedded_nul) << round;
      ASSERT_EQ(show(text), show(first_text)) << round << " " << tokenizer_name(t);
      ASSERT_EQ(d->line_text_start, first_lines) << round << " " << tokenizer_name(t);
      if (!doc.ok()) continue;
      ASSERT_EQ(show(doc->text()), show(text)) << round << " " << tokenizer_name(t);
      ASSERT_EQ(doc->bytes(), b) << round << " " << tokenizer_name(t);
      ASSERT_EQ(doc->decode_flags().utf8_without_bom, utf8) << round;
      // Decoding in place counts the text's separators on the way (parse_text's bound for the
      // field records); where it has counted, the count must be the text's.
      if (auto counts = in_place_separator_counts(b, t)) {
        ASSERT_EQ(counts->first, counts->second) << round << " " << tokenizer_name(t);
        ++counted;
      }
    }
  }
  EXPECT_GT(utf8_files, 100);  // the well-formed side is exercised, not only the broken one
  if (tokenizer_supported(Tokenizer::avx2)) {
    EXPECT_GT(counted, 100);
  }
  // Each limited second byte (and its neighbour just inside the limit) and each sequence cut short,
  // at every offset around the first two block boundaries, in otherwise well-formed text.
  for (const char* seq : {"\xE0\x9F\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xED\xA0\x80", "\xF0\x8F\xBF\xBF",
                          "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xC3", "\xE4\xB8", "\xF0\x9F\x98",
                          "\xC1\xBF", "\xF5\x80\x80\x80"}) {
    for (std::size_t at = 0; at < 80; ++at) {
      std::string b = kHead + "k=\xC3\xA9";
      b.append(at, 'y');
      b += seq;
      b += "\r\nz=1\r\n";
      const bool utf8 = reference_utf8(b);
      for (Tokenizer t : paths) {
        set_tokenizer(t);
        auto d = decode(b);
        set_tokenizer(before);
        ASSERT_TRUE(d.ok());
        ASSERT_EQ(d->flags.utf8_without_bom, utf8) << show(seq) << " at " << at << " " << tokenizer_name(t);
      }
    }
  }
}

// UTF-8 after a BOM is checked by the AVX2 blocks of the ANSI scan's UTF-8 check (valid_utf8_avx2),
// by is_valid_utf8's scalar loop otherwise. Random mixes of well-formed and broken UTF-8, NULs and
// line breaks, at every alignment, must decode the same on every path, the text borrowed exactly
// when the definition calls it well-formed and it holds no NUL; then each limited second byte and
// each cut sequence at every offset around the first block boundaries, and at the very end.
TEST(InfDecode, Utf8AfterBomCheckAgreesOnEveryPathAndWithTheUtf8Definition) {
  const char* pieces[] = {"a", "bc ", "\n", "\r\n", "=", std::string_view("\0", 1).data(), "\xC3\xA9", "\xD0\x90\xD1\x8F",
                          "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xE0\xA0\x80", "\xE0\x9F\xBF", "\xED\x9F\xBF", "\xED\xA0\x80",
                          "\xF0\x90\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xC0\x80", "\xC1\xBF",
                          "\xC2", "\xE4\xB8", "\xF0\x9F\x98", "\x80", "\xBF", "\xF5\x80\x80\x80", "\xFF", "\x81"};
  const std::size_t lengths[] = {1, 3, 1, 2, 1, 1, 2, 4, 3, 4, 3, 3, 3, 3, 4, 4, 4, 4, 2, 2, 1, 2, 3, 1, 1, 4, 1, 1};
  static_assert(std::size(pieces) == std::size(lengths));
  std::vector<Tokenizer> paths;
  for (Tokenizer t : {Tokenizer::sse2, Tokenizer::avx2}) {
    if (tokenizer_supported(t)) paths.push_back(t);
  }
  const Tokenizer before = active_tokenizer();
  auto check = [&](const std::string& body, const std::string& what) {
    const std::string b = "\xEF\xBB\xBF" + body;
    const bool valid = reference_utf8(body);
    const bool nul = body.find('\0') != std::string::npos;
    std::string first_text;
    std::vector<std::uint32_t> first_lines;
    for (Tokenizer t : paths) {
      set_tokenizer(t);
      auto d = decode(b);
      set_tokenizer(before);
      ASSERT_TRUE(d.ok()) << what;
      ASSERT_EQ(d->encoding, Encoding::utf8_bom) << what;
      const std::string text(d->view(b));
      ASSERT_EQ(d->borrowed, valid && !nul) << what << " " << tokenizer_name(t) << " " << show(body);
      if (valid) {
        std::string spaced = body;
        std::replace(spaced.begin(), spaced.end(), '\0', ' ');
        ASSERT_EQ(show(text), show(spaced)) << what << " " << tokenizer_name(t);
      }
      if (t == paths.front()) {
        first_text = text;
        first_lines = d->line_text_start;
      }
      ASSERT_EQ(show(text), show(first_text)) << what << " " << tokenizer_name(t);
      ASSERT_EQ(d->line_text_start, first_lines) << what << " " << tokenizer_name(t);
    }
  };
  std::mt19937 rng(20261208);
  int valid_files = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string body = kHead;
    body.append(rng() % 90, 'x');
    const bool valid_only = round % 2 == 0;  // half of the inputs mostly well-formed UTF-8
    const std::size_t want = round % 50 == 0 ? 9000 : rng() % 300;
    while (body.size() < kHead.size() + want) {
      std::size_t k = rng() % std::size(pieces);
      if (valid_only && (k > 17 || k == 11 || k == 13 || k == 15 || k == 17) && rng() % 40) k = 6 + rng() % 4;
      body.append(pieces[k], lengths[k]);
    }
    valid_files += reference_utf8(body);
    check(body, "round " + std::to_string(round));
  }
  EXPECT_GT(valid_files, 200);  // the well-formed side is exercised, not only the broken one
  for (const char* seq : {"\xE0\x9F\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xED\xA0\x80", "\xF0\x8F\xBF\xBF",
                          "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xC3", "\xE4\xB8", "\xF0\x9F\x98",
                          "\xC1\xBF", "\xF5\x80\x80\x80", "\x80"}) {
    for (std::size_t at = 0; at < 80; ++at) {
      std::string body = "k=\xC3\xA9";
      body.append(at, 'y');
      body += seq;
      check(body + "\r\nz=1\r\n", show(seq) + " at " + std::to_string(at));
      check(body, show(seq) + " at the end, " + std::to_string(at));
    }
  }
}

// The AVX2 writer stores 32-byte blocks, keeps their ASCII prefix, transcodes the bytes >= 0x80
// after it from a table and batches the line starts. Every byte value, at every offset of two
// blocks, among line breaks and other high bytes, must decode as the SSE2 path decodes it (text,
// both line tables, flags), by decode() and in place.
TEST(InfDecode, AnsiWriterAgreesOnEveryPathForEveryByteAtEveryOffset) {
  std::vector<Tokenizer> paths;
  for (Tokenizer t : {Tokenizer::sse2, Tokenizer::avx2}) {
    if (tokenizer_supported(t)) paths.push_back(t);
  }
  const Tokenizer before = active_tokenizer();
  ParseOptions lax;
  lax.require_signature = false;
  std::mt19937 rng(7);
  for (unsigned value = 0; value < 256; ++value) {
    if (value == kCtrlZByte) continue;  // (ends the text: the separate passes)
    for (std::size_t at = 0; at < 72; ++at) {
      // A high byte first, so the in-place writer starts at once; then filler with breaks and,
      // every other round, more high bytes around the byte under test.
      std::string b = "[S]\n\xE9k=";
      for (std::size_t k = 0; k < 80; ++k) {
        const unsigned r = static_cast<unsigned>(rng() % 16);
        b.push_back(r == 0 ? '\n' : (at % 2 && r < 4) ? static_cast<char>(0x80 + rng() % 128) : static_cast<char>('a' + r));
      }
      b[7 + at] = static_cast<char>(value);
      std::string first_text;
      std::vector<std::uint32_t> first_text_lines, first_byte_lines;
      DecodeFlags first_flags{};
      for (Tokenizer t : paths) {
        set_tokenizer(t);
        auto d = decode(b);
        std::string copy = b;
        auto doc = Document::parse(std::move(copy), "s.inf", lax);
        set_tokenizer(before);
        ASSERT_TRUE(d.ok());
        const std::string text(d->view(b));
        if (t == paths.front()) {
          first_text = text;
          first_text_lines = d->line_text_start;
          first_byte_lines = d->line_byte_start;
          first_flags = d->flags;
        }
        const std::string what = std::to_string(value) + " at " + std::to_string(at) + " " + std::string(tokenizer_name(t));
        ASSERT_EQ(show(text), show(first_text)) << what;
        ASSERT_EQ(d->line_text_start, first_text_lines) << what;
        ASSERT_EQ(d->line_byte_start, first_byte_lines) << what;
        ASSERT_EQ(d->flags.embedded_nul, first_flags.embedded_nul) << what;
        ASSERT_EQ(d->flags.utf8_without_bom, first_flags.utf8_without_bom) << what;
        if (!doc.ok()) continue;  // ('[' may open a header left unclosed)
        ASSERT_EQ(show(doc->text()), show(text)) << what;
        ASSERT_EQ(doc->bytes(), b) << what;
        ASSERT_EQ(doc->physical_line_count() + (text.back() == '\n' ? 1u : 0u), first_text_lines.size()) << what;
      }
    }
  }
}

// Windows-1252 to UTF-8 as the definition gives it, byte by byte (a NUL reads as a space): what
// the writers must produce.
std::string cp1252_reference(std::string_view b) {
  static const char32_t high[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  std::string out;
  for (char ch : b) {
    const auto u = static_cast<unsigned char>(ch);
    const char32_t c = u == 0 ? U' ' : u < 0x80 ? u : u < 0xA0 ? high[u - 0x80] : u;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// The writers store 32- (AVX2) or 16-byte (SSE2) blocks, keep their ASCII prefix and transcode
// the bytes >= 0x80 after it; after a block of ASCII the next block looks for them, and the tail
// goes byte by byte. Random Windows-1252 bytes, mostly >= 0x80, at every length 0-200 and every
// alignment of a 32-byte block, by decode() and in place after a plain-ASCII prefix of that length,
// on every path: the text must be the definition's and the line starts those of its line breaks.
TEST(InfDecode, AnsiWriterAgreesWithTheReferenceAtEveryLengthAndAlignment) {
  std::vector<Tokenizer> paths;
  for (Tokenizer t : {Tokenizer::scalar, Tokenizer::sse2, Tokenizer::avx2}) {
    if (tokenizer_supported(t)) paths.push_back(t);
  }
  const Tokenizer before = active_tokenizer();
  std::mt19937 rng(1252);
  std::size_t checked = 0;
  for (std::size_t len = 0; len <= 200; ++len) {
    for (std::size_t align = 0; align < 32; ++align) {
      std::string b;
      for (std::size_t k = 0; k < len; ++k) {
        const unsigned r = static_cast<unsigned>(rng() % 64);
        const unsigned c = r < 28 ? 0xA0 + rng() % 96 : r < 48 ? 0x80 + rng() % 32 : r < 62 ? 0x20 + rng() % 95 : r == 62 ? '\n' : 0;
        b.push_back(static_cast<char>(c));
      }
      // (a NUL only every fourth length: it must not make the bytes look like UTF-16)
      if (len % 4) std::replace(b.begin(), b.end(), '\0', 'x');
      const std::string want = cp1252_reference(b);
      std::vector<std::uint32_t> want_lines{0};
      for (std::size_t k = 0; k < want.size(); ++k) {
        if (want[k] == '\n') want_lines.push_back(static_cast<std::uint32_t>(k + 1));
      }
      std::string buf(align, 'p');
      buf += b;
      const std::string_view view(buf.data() + align, b.size());
      for (Tokenizer t : paths) {
        const std::string what = std::to_string(len) + " at " + std::to_string(align) + " " + std::string(tokenizer_name(t));
        set_tokenizer(t);
        auto d = decode(view);
        std::string in_place = std::string(align, 'p') + b;
        bool replaced = false;
        std::size_t separators = kSeparatorsUncounted;
        auto p = decode_in_place(in_place, DecodeOptions{}, replaced, separators);
        set_tokenizer(before);
        ASSERT_TRUE(d.ok() && p.ok()) << what;
        if (d->encoding != Encoding::ansi) continue;  // (too few bytes to rule out UTF-16)
        ++checked;
        ASSERT_EQ(show(d->view(view)), show(want)) << what;
        ASSERT_EQ(d->line_text_start, want_lines) << what;
        if (p->encoding != Encoding::ansi) continue;
        ASSERT_EQ(show(p->view(in_place)), show(std::string(align, 'p') + want)) << what;
        // (in place the line starts are the text's, after the prefix of 'p')
        std::vector<std::uint32_t> in_place_lines = want_lines;
        for (std::size_t k = 1; k < in_place_lines.size(); ++k) in_place_lines[k] += static_cast<std::uint32_t>(align);
        ASSERT_EQ(p->line_text_start, in_place_lines) << what;
      }
    }
  }
  EXPECT_GT(checked, 201u * 32u * paths.size() * 9 / 10);
}

// With AVX2 the text after the plain prefix is decoded in place from the end backwards (each ASCII
// stretch moved once, each run of bytes >= 0x80 written from the table up to 32 bytes at a time)
// and its line starts come from the scan, by the extra bytes before each break. Random ASCII
// stretches of 0-99 bytes (line breaks and separators in some) between runs of 1-80 bytes >= 0x80
// (80-9F, which take three bytes, and A0-FF, two), in files of up to ~3,000 bytes, on every path:
// the text must be the definition's, its line starts those of the text's breaks, the separators
// counted on the way its own, the document's bytes the file's.
TEST(InfDecode, AnsiInPlaceExpansionAgreesWithTheReferenceForEveryRunLayout) {
  std::vector<Tokenizer> paths;
  for (Tokenizer t : {Tokenizer::scalar, Tokenizer::sse2, Tokenizer::avx2}) {
    if (tokenizer_supported(t)) paths.push_back(t);
  }
  const Tokenizer before = active_tokenizer();
  std::mt19937 rng(10);
  for (int round = 0; round < 2000; ++round) {
    std::string b = "[S]\r\nk=";
    b.append(rng() % 200, 'a');
    const std::size_t runs = 1 + rng() % (round % 4 == 0 ? 60 : 6);
    for (std::size_t r = 0; r < runs; ++r) {
      const std::size_t gap = rng() % 100, len = rng() % 8 ? 1 + rng() % 20 : 1 + rng() % 80;
      for (std::size_t k = 0; k < gap; ++k) {
        const unsigned r = static_cast<unsigned>(rng() % 27);
        b.push_back(r < 3 ? '\n' : r == 3 ? ',' : r == 4 ? '=' : static_cast<char>('b' + r));
      }
      for (std::size_t k = 0; k < len; ++k) b.push_back(static_cast<char>(rng() % 3 ? 0xA0 + rng() % 96 : 0x80 + rng() % 32));
    }
    b.append(rng() % 40, 'z');
    if (round % 2) b += "\n";
    const std::string want = cp1252_reference(b);
    std::vector<std::uint32_t> want_lines{0};
    for (std::size_t k = 0; k < want.size(); ++k) {
      if (want[k] == '\n') want_lines.push_back(static_cast<std::uint32_t>(k + 1));
    }
    for (Tokenizer t : paths) {
      const std::string what = std::to_string(round) + " " + std::string(tokenizer_name(t));
      set_tokenizer(t);
      std::string in_place = b;
      bool replaced = false;
      std::size_t separators = kSeparatorsUncounted;
      auto p = decode_in_place(in_place, DecodeOptions{}, replaced, separators);
      std::string copy = b;
      ParseOptions lax;
      lax.require_signature = false;
      auto doc = Document::parse(std::move(copy), "s.inf", lax);
      set_tokenizer(before);
      ASSERT_TRUE(p.ok() && doc.ok()) << what;
      ASSERT_EQ(p->encoding, Encoding::ansi) << what;
      ASSERT_TRUE(replaced) << what;
      ASSERT_EQ(show(p->view(in_place)), show(want)) << what;
      ASSERT_EQ(p->line_text_start, want_lines) << what;
      ASSERT_EQ(p->bytes_end, b.size()) << what;
      // (the scan's pairs of plain blocks count the separators too)
      if (separators != kSeparatorsUncounted) {
        ASSERT_EQ(separators, count_separators(want, Tokenizer::scalar)) << what;
      }
      ASSERT_EQ(show(doc->text()), show(want)) << what;
      ASSERT_EQ(doc->bytes(), b) << what;
    }
  }
}

// The AVX2 scan checks UTF-8 by the pairs of bytes a block holds and a table of what may follow
// what. Every pair and every three-byte sequence after a lead of three or four bytes, across a
// block boundary and inside a block, must get the definition's answer.
TEST(InfDecode, Utf8CheckAgreesWithTheDefinitionForEverySequence) {
  if (!tokenizer_supported(Tokenizer::avx2)) GTEST_SKIP() << "no AVX2";
  const Tokenizer before = active_tokenizer();
  set_tokenizer(Tokenizer::avx2);
  std::vector<char> bytes{'a'};
  for (int b = 0x80; b < 0x100; ++b) bytes.push_back(static_cast<char>(b));
  auto agrees = [](const std::string& seq, std::size_t at) {
    // "k=\xC3\xA9" first: the flag needs a byte >= 0x80; the scan starts at it.
    std::string b = "k=\xC3\xA9";
    b.append(at, 'y');
    b += seq;
    const std::size_t tail = b.size() % 32 == 0 ? 0 : 1;  // ending on a block's end, and not
    b.append(tail, 'z');
    auto d = decode(b);
    return d.ok() && d->flags.utf8_without_bom == reference_utf8(b);
  };
  for (std::size_t at : {std::size_t{0}, std::size_t{27}, std::size_t{28}, std::size_t{43}}) {
    for (char x : bytes) {
      for (char y : bytes) ASSERT_TRUE(agrees(std::string{x, y}, at)) << show(std::string{x, y}) << " at " << at;
    }
  }
  for (int lead = 0xE0; lead <= 0xF4; ++lead) {
    for (char y : bytes) {
      for (char z : bytes) {
        for (std::size_t at : {std::size_t{26}, std::size_t{27}}) {
          const std::string seq{static_cast<char>(lead), y, z};
          ASSERT_TRUE(agrees(seq, at)) << show(seq) << " at " << at;
          ASSERT_TRUE(agrees(seq + "\x80", at)) << show(seq) << " at " << at;
        }
      }
    }
  }
  set_tokenizer(before);
}

// parse_text sizes the field records by the text's ',' and '=', which decoding counts on the way
// for plain ASCII (the probe's AVX2 blocks, the rest counted after them) and for Windows-1252
// decoded in place (the prefix, then the scan). Where it has counted, the count must be the text's:
// plain texts of every length around the blocks, and texts whose first byte >= 0x80 moves across them.
TEST(InfDecode, SeparatorCountFromDecodingIsTheText) {
  std::mt19937 rng(11);
  int counted = 0;
  for (std::size_t len = 0; len < 700; len += 1 + len / 40) {
    for (int variant = 0; variant < 3; ++variant) {
      std::string b;
      const char alphabet[] = "ab=,\r\n [];%\"x";
      for (std::size_t k = 0; k < len; ++k) b.push_back(alphabet[rng() % (sizeof alphabet - 1)]);
      if (variant > 0 && len > 0) b[rng() % len] = variant == 1 ? '\xE9' : '\x85';
      for (Tokenizer t : {Tokenizer::sse2, Tokenizer::avx2}) {
        if (!tokenizer_supported(t)) continue;
        auto counts = in_place_separator_counts(b, t);
        if (!counts) continue;
        ++counted;
        ASSERT_EQ(counts->first, counts->second) << len << " " << variant << " " << tokenizer_name(t);
      }
    }
  }
  EXPECT_GT(counted, 200);
}

TEST(InfDecode, Cp1252HighControlRangeMapsLikeWindows) {
  // Windows-1252 0x80..0x9F; the five bytes the code page leaves undefined map to the C1 control
  // of the same value (what MultiByteToWideChar returns).
  const char32_t expected[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  std::string bytes;
  for (int b = 0x80; b <= 0xFF; ++b) bytes.push_back(static_cast<char>(b));
  auto d = decode(bytes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, Encoding::ansi);
  EXPECT_TRUE(d->flags.non_ascii_ansi);
  EXPECT_FALSE(d->flags.utf8_without_bom);
  // Back to code points.
  std::u32string cps;
  std::string_view t = d->view(bytes);
  for (std::size_t i = 0; i < t.size();) {
    auto c = static_cast<unsigned char>(t[i]);
    std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(t[i + k]) & 0x3F);
    cps.push_back(cp);
    i += n;
  }
  ASSERT_EQ(cps.size(), 128u);
  for (int k = 0; k < 32; ++k) EXPECT_EQ(static_cast<std::uint32_t>(cps[k]), static_cast<std::uint32_t>(expected[k])) << "byte " << 0x80 + k;
  for (int k = 32; k < 128; ++k) EXPECT_EQ(static_cast<std::uint32_t>(cps[k]), static_cast<std::uint32_t>(0x80 + k)) << "Latin-1 byte " << 0x80 + k;
  // And encode() maps them back.
  EXPECT_EQ(encode(d->view(bytes), Encoding::ansi, 1252), bytes);
}

// Windows-1252 without a NUL or a ^Z is decoded in the input's own buffer (one copy of the file
// less); the document still gives back the exact bytes, line offsets and rewrites.
TEST(InfDecode, AnsiDecodedInPlaceGivesBackItsBytes) {
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u, seed >> 16; };
  ParseOptions lax;
  lax.require_signature = false;
  for (int round = 0; round < 300; ++round) {
    std::string bytes = "[S]\r\nk=";
    const std::size_t n = next() % 3000;
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned r = next() % 10;
      char c = r < 2 ? static_cast<char>(0x80 + next() % 128) : r == 2 ? '\n' : static_cast<char>('a' + next() % 26);
      if (round % 7 == 6 && next() % 500 == 0) c = next() % 2 ? '\0' : '\x1A';  // kept as read, not in place
      bytes.push_back(c);
    }
    const std::string copy = bytes;
    auto doc = Document::parse(std::move(bytes), "t.inf", lax);
    ASSERT_TRUE(doc.ok()) << round;
    EXPECT_EQ(doc->bytes(), copy) << round;
    auto dec = decode(copy);
    ASSERT_TRUE(dec.ok());
    // (a line break at the very end starts no further line)
    ASSERT_LE(doc->physical_line_count(), dec->line_byte_start.size()) << round;
    ASSERT_GE(doc->physical_line_count() + 1, dec->line_byte_start.size()) << round;
    for (std::uint32_t line = 1; line <= doc->physical_line_count(); line += 7) {
      const std::string want = copy.substr(0, dec->line_byte_start[line - 1]) + "k=\xE9";
      EXPECT_EQ(doc->with_line_replaced(line, "k=\u00E9").substr(0, want.size()), want) << round << ":" << line;
    }
  }
}

// The in-place decoder starts where the plain-ASCII probe stopped and keeps the probe's line
// starts for the prefix: with the first non-ASCII byte at every offset across the probe's 64- and
// 16-byte steps, the document's text, physical lines and bytes must be decode()'s.
TEST(InfDecode, AnsiInPlaceAfterAPlainPrefixEqualsDecode) {
  ParseOptions lax;
  lax.require_signature = false;
  std::string base = "[S]\r\n";
  for (int k = 0; base.size() < 400; ++k) base += "k" + std::to_string(k) + "=" + std::string(static_cast<std::size_t>(k % 17), 'v') + (k % 2 ? "\r\n" : "\n");
  for (const char* special : {"\xE9", "\xC3\xA9", "\x80\x81\n\xFF"}) {
    for (std::size_t at = 5; at < base.size(); ++at) {
      std::string bytes = base;
      bytes.insert(at, special);
      const std::string copy = bytes;
      auto doc = Document::parse(std::move(bytes), "t.inf", lax);
      ASSERT_TRUE(doc.ok()) << at;
      auto dec = decode(copy);
      ASSERT_TRUE(dec.ok());
      ASSERT_EQ(doc->text(), dec->view(copy)) << at;
      EXPECT_EQ(doc->bytes(), copy) << at;
      ASSERT_GE(doc->physical_line_count() + 1, dec->line_text_start.size()) << at;
      for (std::uint32_t line = 1; line <= doc->physical_line_count(); ++line) {
        const std::uint32_t b = dec->line_text_start[line - 1];
        std::uint32_t e = line < dec->line_text_start.size() ? dec->line_text_start[line] : static_cast<std::uint32_t>(dec->view(copy).size());
        std::string_view want = dec->view(copy).substr(b, e - b);
        if (!want.empty() && want.back() == '\n') want.remove_suffix(1);
        if (!want.empty() && want.back() == '\r') want.remove_suffix(1);
        ASSERT_EQ(doc->physical_line(line), want) << at << ":" << line;
        const auto [bb, be] = doc->physical_line_bytes(line);
        ASSERT_EQ(bb, dec->line_byte_start[line - 1]) << at << ":" << line;
        ASSERT_LE(be, copy.size()) << at << ":" << line;
      }
    }
  }
}

TEST(InfDecode, Utf8WithoutBomIsReadAsAnsiAndFlagged) {
  // inf-syntax.md §1: UTF-8 without a BOM is read in the ANSI code page; we flag it.
  auto r = parse(kHead + "k=caf\xC3\xA9\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->encoding(), Encoding::ansi);
  EXPECT_TRUE(r->decode_flags().utf8_without_bom);
  EXPECT_TRUE(r->decode_flags().non_ascii_ansi);
  EXPECT_EQ(r->section("S")->find("k")->field(0), "caf\xC3\x83\xC2\xA9");  // "cafÃ©"
  // Invalid UTF-8 is not flagged as UTF-8.
  auto latin = parse(kHead + "k=caf\xE9\r\n");
  ASSERT_TRUE(latin.ok());
  EXPECT_FALSE(latin->decode_flags().utf8_without_bom);
  EXPECT_TRUE(latin->decode_flags().non_ascii_ansi);
}

TEST(InfDecode, OtherCodePagesThroughDecodeOptions) {
  struct Row {
    const char* cite;
    unsigned codepage;
    std::string field_bytes;
    std::string value;
  };
  const std::vector<Row> rows = {
      {"--codepage 1251: Cyrillic", 1251, "\xC0\xE1", "Аб"},
      {"--codepage 932: Shift-JIS double-byte", 932, "\x82\xA0x", "あx"},
      {"--codepage 936: GBK double-byte", 936, "\xC4\xE3", "你"},
      {"--codepage 65001: UTF-8 as the ANSI page", 65001, "caf\xC3\xA9", "café"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.cite);
    ParseOptions o;
    o.decode.codepage = row.codepage;
    auto r = parse(kHead + "k=" + row.field_bytes + ",next\r\n", o);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    Line l = *r->section("S")->find("k");
    EXPECT_EQ(l.field(0), row.value);
    // Columns count characters, not bytes: "next" follows "k=", the value and a comma.
    EXPECT_EQ(l.field_position(1).column, 3 + utf16_length(row.value) + 1);
  }
  ParseOptions bad;
  bad.decode.codepage = 99999;
  auto r = parse(kHead + "k=\xE9\r\n", bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_TRUE(parse(kHead + "k=v\r\n", bad).ok()) << "an ASCII file needs no code page";
}

struct FlagRow {
  const char* cite;
  std::string bytes;
  std::string text;  // decoded
  bool odd, surrogate, nul, ctrl_z;
  std::uint32_t ctrl_z_line = 0;
};

TEST(InfDecode, Flags) {
  const std::vector<FlagRow> rows = {
      {"UTF-16 with a dangling final byte drops it", "\xFF\xFE" "a\0b\0c"s, "ab", true, false, false, false},
      {"an unpaired high surrogate becomes U+FFFD", "\xFF\xFE\x00\xD8" "a\0"s, "\xEF\xBF\xBD" "a", false, true, false,
       false},
      {"a lone low surrogate becomes U+FFFD", "\xFF\xFE\x00\xDC" "a\0"s, "\xEF\xBF\xBD" "a", false, true, false, false},
      {"a high surrogate at the end becomes U+FFFD", "\xFF\xFE" "a\0\x00\xD8"s, "a\xEF\xBF\xBD", false, true, false,
       false},
      {"a surrogate pair is one character", "\xFF\xFE\x34\xD8\x1E\xDD"s, "𝄞", false, false, false, false},
      {"big-endian surrogates", "\xFE\xFF\xD8\x34\xDD\x1E"s, "𝄞", false, false, false, false},
      {"[WINE] NUL reads as a blank", "a\0b"s, "a b", false, false, true, false},
      {"[WINE] NUL in UTF-16", "\xFF\xFE" "a\0\0\0b\0"s, "a b", false, false, true, false},
      {"[WINE] ^Z ends the text; flagged with its line", "a\nb\x1A" "c\n"s, "a\nb", false, false, false, true, 2},
      {"a ^Z that is the last byte is conventional, not flagged", "a\nb\x1A"s, "a\nb", false, false, false, false},
      {"^Z in UTF-16", "\xFF\xFE" "a\0\x1A\0b\0"s, "a", false, false, false, true, 1},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.cite) + ": " + show(row.bytes));
    auto d = decode(row.bytes);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->view(row.bytes), row.text);
    EXPECT_EQ(d->flags.odd_length_utf16, row.odd);
    EXPECT_EQ(d->flags.unpaired_surrogate, row.surrogate);
    EXPECT_EQ(d->flags.embedded_nul, row.nul);
    EXPECT_EQ(d->flags.ctrl_z, row.ctrl_z);
    EXPECT_EQ(d->flags.ctrl_z_line, row.ctrl_z_line);
  }
}

TEST(InfDecode, CtrlZIsANote) {
  auto r = parse(kHead + "k=v\r\n\x1A" "garbage\r\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->notes().size(), 1u);
  EXPECT_EQ(r->notes()[0].kind, NoteKind::ctrl_z_end);
  EXPECT_EQ(r->notes()[0].line, 5u);
  EXPECT_EQ(r->section("S")->line_count(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------
TEST(InfPositions, FieldsAndKeys) {
  // DESIGN.md §4: 1-based lines; columns are 1-based UTF-16 units; a field starts at its first
  // character or its opening quote.
  auto r = parse(kHead + "  ab = cd,  ef ,\"gh\",,x\r\n");
  ASSERT_TRUE(r.ok());
  Line l = r->section("S")->line_at(0);
  EXPECT_EQ(l.line(), 4u);
  EXPECT_EQ(l.key_position().line, 4u);
  EXPECT_EQ(l.key_position().column, 3u);
  const std::uint32_t cols[] = {8, 13, 17, 22, 23};
  ASSERT_EQ(l.field_count(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(l.field_position(i).line, 4u);
    EXPECT_EQ(l.field_position(i).column, cols[i]) << "field " << i + 1;
  }
  EXPECT_TRUE(l.field_quoted(2));
  EXPECT_FALSE(l.field_quoted(1));
}

TEST(InfPositions, NonAsciiColumnsInEveryEncoding) {
  // "é𝄞=x,y": é is one UTF-16 unit and 𝄞 two, so x is in column 5 and y in column 7.
  for (Encoding enc : {Encoding::utf8_bom, Encoding::utf16le_bom, Encoding::utf16be_bom, Encoding::utf16le}) {
    SCOPED_TRACE(std::string(encoding_name(enc)));
    auto r = parse(make(kHead + "é𝄞=x,y\r\n", enc));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->encoding(), enc);
    Line l = r->section("S")->line_at(0);
    EXPECT_EQ(l.key(), "é𝄞");
    EXPECT_EQ(l.key_position().column, 1u);
    EXPECT_EQ(l.field_position(0).column, 5u);
    EXPECT_EQ(l.field_position(1).column, 7u);
    EXPECT_EQ(l.field_position(1).line, 4u);
  }
  // ANSI: one byte is one character, whatever its UTF-8 length after decoding.
  auto r = parse(kHead + "\xE9\x80=x,y\r\n");
  ASSERT_TRUE(r.ok());
  Line l = r->section("S")->line_at(0);
  EXPECT_EQ(l.field_position(0).column, 4u);
  EXPECT_EQ(l.field_position(1).column, 6u);
}

TEST(InfPositions, ContinuationLines) {
  // inf-syntax.md §2.5: the logical line keeps the physical line it starts on; fields after the
  // join report the physical line and column where their text is.
  for (Encoding enc : kAllEncodings) {
    SCOPED_TRACE(std::string(encoding_name(enc)));
    auto r = parse(make(kHead + "a=b,\\\r\n   c,d \\ ; note\r\n\te\r\nnext=1\r\n", enc));
    ASSERT_TRUE(r.ok());
    auto s = r->section("S");
    ASSERT_EQ(s->line_count(), 2u);
    Line l = s->line_at(0);
    EXPECT_EQ(l.line(), 4u);
    EXPECT_EQ(l.end_line(), 6u);
    ASSERT_EQ(l.field_count(), 3u);
    EXPECT_EQ(l.field(1), "c");
    EXPECT_EQ(l.field(2), "de");
    EXPECT_EQ((std::pair{l.field_position(1).line, l.field_position(1).column}), (std::pair{5u, 4u}));
    EXPECT_EQ((std::pair{l.field_position(2).line, l.field_position(2).column}), (std::pair{5u, 6u}));
    EXPECT_EQ(s->line_at(1).line(), 7u);
    EXPECT_EQ(l.source_text(), "a=b,\\");
  }
}

TEST(InfPositions, PhysicalLinesAndLosslessRewrite) {
  // Every line of a file in every encoding, with and without a final line break, is replaced in
  // turn; the result must equal the file written with that line changed: every other byte is kept.
  const std::vector<std::string> lines = {"[Version]", "Signature=\"$Windows NT$\"", "[S]", "key = old ; c", "last=1"};
  for (Encoding enc : kAllEncodings) {
    for (bool final_break : {true, false}) {
      auto join = [&](const std::vector<std::string>& ls) {
        std::string t;
        for (std::size_t i = 0; i < ls.size(); ++i) {
          t += ls[i];
          if (i + 1 < ls.size() || final_break) t += "\r\n";
        }
        return t;
      };
      SCOPED_TRACE(std::string(encoding_name(enc)) + (final_break ? " with" : " without") + " final break");
      const std::string file = make(join(lines), enc);
      auto r = parse(file);
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->physical_line_count(), lines.size());
      for (std::uint32_t n = 1; n <= lines.size(); ++n) {
        EXPECT_EQ(r->physical_line(n), lines[n - 1]);
        auto [b, e] = r->physical_line_bytes(n);
        std::string want_bytes = enc == Encoding::ansi ? lines[n - 1] : encode(lines[n - 1], enc);
        if (enc == Encoding::utf8_bom) want_bytes = lines[n - 1];
        EXPECT_EQ(file.substr(b, e - b), want_bytes) << "line " << n;
        auto changed = lines;
        changed[n - 1] = "new = é";
        EXPECT_EQ(r->with_line_replaced(n, "new = é"), make(join(changed), enc)) << "line " << n;
      }
    }
  }
}

TEST(InfPositions, RewriteKeepsBytesAfterCtrlZAndDanglingByte) {
  // The last line ends where the text ends: a ^Z and what follows it, or the odd byte of UTF-16, stay.
  const std::string ansi = "[Version]\r\nSignature=$Windows NT$\r\nk=v\x1A" "tail"s;
  auto a = parse(ansi);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->physical_line(3), "k=v");
  EXPECT_EQ(a->with_line_replaced(3, "k=w"), "[Version]\r\nSignature=$Windows NT$\r\nk=w\x1A" "tail"s);
  const std::string wide = utf16("[Version]\r\nSignature=$Windows NT$\r\nk=v") + "\x01"s;
  auto w = parse(wide);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->decode_flags().odd_length_utf16);
  EXPECT_EQ(w->with_line_replaced(3, "k=w"), utf16("[Version]\r\nSignature=$Windows NT$\r\nk=w") + "\x01"s);
}

TEST(InfPositions, OutOfRangeLines) {
  auto r = parse(kHead);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->physical_line(0), "");
  EXPECT_EQ(r->physical_line(99), "");
  EXPECT_EQ(r->physical_line_bytes(99), (std::pair<std::uint32_t, std::uint32_t>{0, 0}));
  EXPECT_EQ(r->with_line_replaced(0, "x"), kHead) << "no line 0: nothing changes";
  EXPECT_EQ(r->with_line_replaced(99, "x"), kHead);
}

}  // namespace

// Where a token (511 units) or a substituted string (4096) is cut: never inside a character, and a
// surrogate pair (a four-byte character) is kept whole or dropped whole.
TEST(Utf16Prefix, CutsOnCharacterBoundariesCountingPairsAsTwo) {
  using isodrv::base::utf16_prefix_bytes;
  EXPECT_EQ(utf16_prefix_bytes("abc", 5), 3u);
  EXPECT_EQ(utf16_prefix_bytes("abc", 2), 2u);
  EXPECT_EQ(utf16_prefix_bytes("", 0), 0u);
  const std::string e_acute = "\xC3\xA9", euro = "\xE2\x82\xAC", clef = "\xF0\x9D\x84\x9E";
  EXPECT_EQ(utf16_prefix_bytes("a" + e_acute + "b", 2), 3u) << "two units: 'a' and the two-byte 'é'";
  EXPECT_EQ(utf16_prefix_bytes(euro + euro, 1), 3u);
  EXPECT_EQ(utf16_prefix_bytes("a" + clef, 2), 1u) << "the pair does not fit in one unit";
  EXPECT_EQ(utf16_prefix_bytes("a" + clef, 3), 5u);
  EXPECT_EQ(utf16_prefix_bytes("a" + clef + "b", 3), 5u);
}
