// The INF engine's block-at-a-time paths against a plain character-by-character reference: every
// special byte (non-ASCII, NUL, ^Z, line break, quote, separator) at every offset around a 16-byte block.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "inf_test_util.h"
#include "isodrv/dirids.h"

using namespace isodrv;
using namespace isodrv::inf;
using namespace inf_test;

namespace {

// What decode() must produce, computed one character at a time as SetupAPI reads the file.
struct Expected {
  std::string text;
  std::vector<std::uint32_t> text_starts{0}, byte_starts;
  std::uint32_t bytes_end = 0;
  bool nul = false, ctrl_z = false, unpaired = false;
  std::uint32_t ctrl_z_line = 0;
};

void put_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Feeds one decoded character; returns false once a ^Z has ended the text.
bool feed(Expected& e, char32_t c, std::size_t at, std::size_t next, std::size_t total) {
  if (c == 0x1A) {
    e.bytes_end = static_cast<std::uint32_t>(at);
    if (next < total) {
      e.ctrl_z = true;
      e.ctrl_z_line = static_cast<std::uint32_t>(e.text_starts.size());
    }
    return false;
  }
  if (c == 0) {
    e.nul = true;
    c = ' ';
  }
  put_utf8(e.text, c);
  if (c == '\n') {
    e.text_starts.push_back(static_cast<std::uint32_t>(e.text.size()));
    e.byte_starts.push_back(static_cast<std::uint32_t>(next));
  }
  return true;
}

Expected reference_1252(std::string_view b) {
  static const char16_t high[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  Expected e;
  e.byte_starts.push_back(0);
  e.bytes_end = static_cast<std::uint32_t>(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    auto byte = static_cast<unsigned char>(b[i]);
    char32_t c = byte >= 0x80 && byte < 0xA0 ? high[byte - 0x80] : byte;
    if (!feed(e, c, i, i + 1, b.size())) break;
  }
  return e;
}

Expected reference_utf16le(std::string_view b, std::size_t start) {
  Expected e;
  e.byte_starts.push_back(static_cast<std::uint32_t>(start));
  std::size_t n = b.size() - ((b.size() - start) & 1);
  e.bytes_end = static_cast<std::uint32_t>(n);
  auto unit = [&](std::size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(b[i]) | (static_cast<unsigned char>(b[i + 1]) << 8));
  };
  for (std::size_t i = start; i < n;) {
    char32_t c = unit(i);
    std::size_t next = i + 2;
    if (c >= 0xD800 && c <= 0xDBFF && next < n && unit(next) >= 0xDC00 && unit(next) <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (unit(next) - 0xDC00);
      next += 2;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      e.unpaired = true;
      c = 0xFFFD;
    }
    if (!feed(e, c, i, next, n)) break;
    i = next;
  }
  return e;
}

void expect_decoded(const Expected& e, std::string_view bytes, Encoding enc) {
  auto d = decode(bytes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, enc);
  EXPECT_EQ(show(d->view(bytes)), show(e.text));
  EXPECT_EQ(d->line_text_start, e.text_starts);
  EXPECT_EQ(d->line_byte_start, e.byte_starts);
  EXPECT_EQ(d->bytes_end, e.bytes_end);
  EXPECT_EQ(d->flags.embedded_nul, e.nul);
  EXPECT_EQ(d->flags.ctrl_z, e.ctrl_z);
  EXPECT_EQ(d->flags.ctrl_z_line, e.ctrl_z_line);
  EXPECT_EQ(d->flags.unpaired_surrogate, e.unpaired);
}

// An ASCII line of 40 characters with `special` written at offset k, then more lines.
std::string line_with(std::size_t k, std::string_view special) {
  std::string s = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
  s.replace(k, special.size(), special);
  return s + "\r\nnext line, with text\n[S]\nx=1\n";
}

TEST(InfFastPath, AnsiSpecialsAtEveryOffset) {
  // docs/PERFORMANCE.md "INF engine": the 16-byte blocks must agree with the byte-by-byte reading.
  const std::string specials[] = {"\xE9", "\x80", "\x81\x9D", "\xC3\xA9", "\xE2\x82\xAC\xE2\x82\xAC", "\n",
                                  std::string("\0", 1), "\x1A", "\xFF\n\xA0"};
  for (const auto& sp : specials) {
    for (std::size_t k = 0; k + sp.size() <= 40; ++k) {
      SCOPED_TRACE(show(sp) + " at " + std::to_string(k));
      const std::string b = line_with(k, sp);
      expect_decoded(reference_1252(b), b, Encoding::ansi);
    }
  }
}

TEST(InfFastPath, AnsiSpecialsPastTheFirst64ByteBlocks) {
  // The plain-ASCII probe tests 64 bytes at a time, then 16, then one: a special byte in any of
  // the first four 64-byte blocks, at any offset, must give what the byte-by-byte reading gives,
  // and the line tables of a plain text must be complete whatever its length.
  std::string base;
  for (int k = 0; base.size() < 300; ++k) base += std::string(static_cast<std::size_t>(k % 23), 'x') + (k % 3 ? "\r\n" : "\n");
  const std::string specials[] = {"\xE9", std::string("\0", 1), "\x1A", "\x7F"};
  for (const auto& sp : specials) {
    for (std::size_t k = 0; k < base.size(); ++k) {
      SCOPED_TRACE(show(sp) + " at " + std::to_string(k));
      std::string b = base;
      b[k] = sp[0];
      expect_decoded(reference_1252(b), b, Encoding::ansi);
    }
  }
  for (std::size_t len = 0; len <= base.size(); ++len) {
    SCOPED_TRACE("plain, length " + std::to_string(len));
    expect_decoded(reference_1252(base.substr(0, len)), base.substr(0, len), Encoding::ansi);
  }
}

TEST(InfFastPath, PhysicalLineBytesOfABorrowedTextAreItsTextOffsets) {
  // Document::parse records no byte offsets for a plain ASCII file (they are the text offsets);
  // physical_line_bytes must still give the byte ranges decode() records.
  std::string b = "[Version]\r\nSignature=\"$Windows NT$\"\n\n; comment\r\n[S]\nx = 1\r\n";
  for (int k = 0; k < 40; ++k) b += "key" + std::to_string(k) + " = " + std::string(static_cast<std::size_t>(k), 'v') + "\r\n";
  b += "last";
  auto doc = Document::parse(b, "t.inf");
  ASSERT_TRUE(doc.ok());
  auto dec = decode(b);
  ASSERT_TRUE(dec.ok());
  ASSERT_TRUE(dec->borrowed);
  const auto& starts = dec->line_byte_start;
  for (std::uint32_t line = 1; line <= starts.size(); ++line) {
    const std::uint32_t begin = starts[line - 1];
    std::uint32_t end = line < starts.size() ? starts[line] : static_cast<std::uint32_t>(b.size());
    if (line < starts.size() && b[end - 1] == '\n') --end;
    if (end > begin && b[end - 1] == '\r') --end;
    EXPECT_EQ(doc->physical_line_bytes(line), std::make_pair(begin, end)) << line;
  }
  EXPECT_EQ(doc->with_line_replaced(6, "x = 2"), b.substr(0, starts[5]) + "x = 2" + b.substr(starts[6] - 2));
}

TEST(InfFastPath, AnsiCtrlZAsLastByteIsNotFlagged) {
  const std::string b = std::string(37, 'a') + "\n" + std::string(20, 'b') + "\x1A";
  auto e = reference_1252(b);
  EXPECT_FALSE(e.ctrl_z);
  expect_decoded(e, b, Encoding::ansi);
}

TEST(InfFastPath, Utf16SpecialsAtEveryOffset) {
  // Units that stop an eight-unit block: non-ASCII, surrogates (paired, lone, split by the end),
  // NUL, ^Z; and line breaks inside blocks.
  const std::u16string specials[] = {u"\u00E9", u"\u20AC", u"\U0001D11E", std::u16string(1, char16_t(0xD800)),
                                     std::u16string(1, char16_t(0xDC00)), std::u16string(1, u'\0'), u"\x1A",
                                     u"\n", u"\u0100\n"};
  for (const auto& sp : specials) {
    for (std::size_t k = 0; k + sp.size() <= 40; ++k) {
      const std::string ascii = line_with(k, std::string(sp.size(), '#'));
      std::string b = "\xFF\xFE";
      for (std::size_t i = 0; i < ascii.size(); ++i) {
        char16_t u = i >= k && i < k + sp.size() ? sp[i - k] : static_cast<char16_t>(ascii[i]);
        b.push_back(static_cast<char>(u & 0xFF));
        b.push_back(static_cast<char>(u >> 8));
      }
      SCOPED_TRACE("special " + std::to_string(static_cast<unsigned>(sp[0])) + " at " + std::to_string(k));
      expect_decoded(reference_utf16le(b, 2), b, Encoding::utf16le_bom);
      // A dangling final byte and a high surrogate cut by the end of the file.
      std::string odd = b + "x";
      expect_decoded(reference_utf16le(odd, 2), odd, Encoding::utf16le_bom);
      std::string cut = b + "\x00\xD8"s;
      expect_decoded(reference_utf16le(cut, 2), cut, Encoding::utf16le_bom);
    }
  }
}

TEST(InfFastPath, Utf8WithBomIsTheBytesWhenValid) {
  // Valid UTF-8 decodes to itself; NUL and ^Z still apply; invalid bytes become U+FFFD.
  const std::string body = kStdHeader + "[S]\r\nk=\"h\xC3\xA9llo \xE2\x82\xAC\"\r\n";
  auto ok = decode("\xEF\xBB\xBF" + body);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->view("\xEF\xBB\xBF" + body), body);
  EXPECT_EQ(ok->line_byte_start[1], ok->line_text_start[1] + 3);

  auto nul = decode("\xEF\xBB\xBF" + body + "a"s + '\0' + "b\x1A" + "tail");
  ASSERT_TRUE(nul.ok());
  EXPECT_EQ(nul->owned, body + "a b");
  EXPECT_TRUE(nul->flags.embedded_nul);
  EXPECT_TRUE(nul->flags.ctrl_z);

  auto bad = decode("\xEF\xBB\xBF" + body + "\xC3(");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->owned, body + "\xEF\xBF\xBD(");
}

TEST(InfFastPath, QuotedFieldsKeptAsSpansReadLikeCopiedOnes) {
  // A plain "..." is stored as a span of the text; anything joined to it goes the copying way.
  auto doc = open_ok("[S]\r\n"
                     "a = \"one two\"  , \"x\"\"y\", \"p\"q \"r\", \"s\" t, \"open\r\n"
                     "b=\"%k%\"\r\n"
                     "\"quoted key\" = v\r\n"
                     "c = \"joined\" \\\r\n more\r\n"
                     "[Strings]\r\nk=\"K\"\r\n");
  auto s = doc.section("S");
  ASSERT_TRUE(s);
  auto a = s->find("a");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->field_count(), 5u);
  EXPECT_EQ(a->field(0), "one two");
  EXPECT_EQ(a->field(1), "x\"y");
  EXPECT_EQ(a->field(2), "pq r");
  EXPECT_EQ(a->field(3), "s t");
  EXPECT_EQ(a->field(4).substr(0, 4), "open");  // an unterminated quote runs to the line break
  for (std::size_t i = 0; i < 5; ++i) EXPECT_TRUE(a->field_quoted(i)) << i;
  EXPECT_EQ(a->field_position(0).column, 5u);  // the opening quote
  EXPECT_EQ(a->field_position(1).column, 18u);
  EXPECT_EQ(s->find("b")->field(0), "K");
  EXPECT_EQ(s->find("b")->raw_field(0), "%k%");
  EXPECT_TRUE(s->find("quoted key"));
  auto c = s->find("c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->field(0), "joinedmore");
  EXPECT_EQ(c->end_line(), c->line() + 1);
  EXPECT_EQ(s->find("a")->end_line(), s->find("a")->line());
}

TEST(InfFastPath, PercentTokensAtEveryOffsetAreSubstituted) {
  // Read-back copies fields the tokenizer did not flag for '%' as they are, so a '%' must be seen
  // wherever it falls: at every offset around the 16-byte blocks of ordinary-character runs and of
  // quoted spans, as a key, and after quotes, continuations and '=' inside a value.
  for (std::size_t k = 0; k < 40; ++k) {
    const std::string pad = repeat('x', k);
    const std::string tail = repeat('y', 37 - k % 23);
    std::string body = "[S]\r\n";
    body += "a=" + pad + "%t%" + tail + "\r\n";                          // in a run
    body += "b=\"" + pad + "%t%" + tail + "\"\r\n";                    // in a quoted span
    body += "c=\"" + pad + "\"%t%" + tail + "\r\n";                    // after a quoted span
    body += "d=" + pad + "\\\r\n" + "%t%" + tail + "\r\n";            // after a continuation
    body += "e=" + pad + "=%t%" + tail + "\r\n";                         // after '=' in a value
    body += pad + "%t%" + tail + "=v\r\n";                               // a key
    body += "f=" + pad + "%" + tail + "\r\n";                            // a lone '%' stays
    body += "g=" + pad + tail + "\r\n";                                  // none
    body += "h=" + pad + "," + pad + "%t%," + tail + "\r\n";             // field 2 of 3
    body += "[Strings]\r\nt=\"T\"\r\n";
    auto doc = open_ok(body);
    auto s = doc.section("S");
    ASSERT_TRUE(s) << k;
    const std::string want = pad + "T" + tail;
    EXPECT_EQ(s->find("a")->field(0), want) << k;
    EXPECT_EQ(s->find("b")->field(0), want) << k;
    EXPECT_EQ(s->find("c")->field(0), want) << k;
    EXPECT_EQ(s->find("d")->field(0), pad + "T" + tail) << k;
    EXPECT_EQ(s->find("e")->field(0), pad + "=T" + tail) << k;
    auto key = s->find(want);
    ASSERT_TRUE(key) << k;
    EXPECT_EQ(*key->key(), want) << k;
    EXPECT_EQ(s->find("f")->field(0), pad + "%" + tail) << k;
    EXPECT_EQ(s->find("g")->field(0), pad + tail) << k;
    auto h = s->find("h");
    ASSERT_EQ(h->field_count(), 3u) << k;
    EXPECT_EQ(h->field(1), pad + "T") << k;
    std::string out = "<";
    h->field_into(1, out);
    EXPECT_EQ(out, "<" + pad + "T") << k;

    // At the end of the text, where the scans finish byte by byte.
    auto run_end = open_ok("[Strings]\r\nt=T\r\n[S]\r\nz=" + pad + "%t%");
    EXPECT_EQ(run_end.section("S")->find("z")->field(0), pad + "T") << k;
    auto quote_end = open_ok("[Strings]\r\nt=T\r\n[S]\r\nz=\"" + pad + "%t%\"");
    EXPECT_EQ(quote_end.section("S")->find("z")->field(0), pad + "T") << k;
  }
}

// Every key and field read back equals substituting its raw text, which scans for '%' itself:
// the tokenizer's '%' flag must never be missing where a '%' is.
void expect_read_back_scans(const Document& doc, const std::string& what) {
  for (std::size_t li = 0; li < doc.line_count(); ++li) {
    Line l = doc.line_at(li);
    if (auto raw = l.raw_key()) {
      ASSERT_EQ(*l.key(), doc.substitute(*raw)) << what << " line " << l.line();
      ASSERT_TRUE(l.key_is(doc.substitute(*raw))) << what << " line " << l.line();
    }
    for (std::size_t i = 0; i < l.field_count(); ++i) {
      ASSERT_EQ(l.field(i), doc.substitute(l.raw_field(i))) << what << " line " << l.line() << " field " << i;
    }
  }
}

TEST(InfFastPath, ReadBackEqualsSubstitutingTheRawText) {
  // Generated lines over the characters the tokenizer treats specially, long enough to cross blocks.
  const std::string alphabet = "aaaaaaaaaaaaBC%%%%\"\"\\ ,,==;\t\r\n";
  std::uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 16;
  };
  for (int n = 0; n < 3000; ++n) {
    std::string body = "[Strings]\r\na=A\r\nB=\"b b\"\r\naa=%a%%B%\r\n[S]\r\n";
    const std::size_t len = next() % 120;
    for (std::size_t k = 0; k < len; ++k) body.push_back(alphabet[next() % alphabet.size()]);
    auto r = parse(kStdHeader + body);
    ASSERT_TRUE(r.ok()) << show(body);
    expect_read_back_scans(*r, show(body));
  }
  const std::filesystem::path dir = ISODRV_CORPUS_DIR;
  if (!std::filesystem::exists(dir / "MANIFEST.tsv")) return;  // the generated inputs above still ran
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext != ".inf" && ext != ".inx" && ext != ".INF") continue;
    ParseOptions opts;
    opts.require_signature = false;
    auto doc = Document::load(e.path().string(), opts);
    if (!doc.ok()) continue;
    expect_read_back_scans(*doc, e.path().string());
  }
}

TEST(InfFastPath, ReopenedSectionsAndManyNames) {
  // Lines stay grouped by section whether or not sections are reopened, and the flat name index
  // survives growing through many names that differ only in case.
  std::string body;
  for (int i = 0; i < 300; ++i) body += "[Sec" + std::to_string(i) + "]\nk=" + std::to_string(i) + "\n";
  body += "[SEC7]\nk2=again\n[sec7]\nk3=and again\n";
  auto doc = open_ok(body);
  EXPECT_EQ(doc.section_count(), 301u);  // 300 plus [Version]
  auto s7 = doc.section("sEc7");
  ASSERT_TRUE(s7);
  ASSERT_EQ(s7->line_count(), 3u);
  EXPECT_EQ(*s7->line_at(0).raw_key(), "k");
  EXPECT_EQ(*s7->line_at(2).raw_key(), "k3");
  EXPECT_EQ(s7->header_lines().size(), 3u);
  for (int i = 0; i < 300; i += 37) {
    auto s = doc.section("SEC" + std::to_string(i));
    ASSERT_TRUE(s) << i;
    EXPECT_EQ(s->line_at(0).field(0), std::to_string(i));
  }
  EXPECT_FALSE(doc.has_section("Sec300"));
}

TEST(InfFastPath, ParseTakesOverABuffer) {
  // Document::parse(std::string&&) keeps the caller's buffer; the result equals the copying form.
  std::string bytes = kStdHeader + "[S]\r\nk=v\r\n";
  const std::string copy = bytes;
  auto moved = Document::parse(std::move(bytes), "m.inf");
  auto copied = Document::parse(std::string_view(copy), "c.inf");
  auto literal = Document::parse("[Version]\nSignature=$Chicago$\n[S]\nk=v\n", "l.inf");
  ASSERT_TRUE(moved.ok() && copied.ok() && literal.ok());
  EXPECT_EQ(moved->bytes(), copy);
  EXPECT_EQ(moved->section("S")->find("k")->field(0), "v");
  EXPECT_EQ(literal->section("S")->find("k")->field(0), "v");
  EXPECT_EQ(moved->text(), copied->text());
}

TEST(InfFastPath, InPlaceAnsiDecodingAgreesWithDecodeAtEveryOffset) {
  // Document::parse decodes Windows-1252 into the file's own buffer, 16 or 32 bytes a store (AVX2),
  // behind the bytes still to be read: characters of one, two and three UTF-8 bytes at every offset
  // of the first blocks, pairs of them, and the plain ASCII probe stopping in every 64-byte block,
  // must give the text, lines and bytes decode() gives. (The tests that force each tokenizer rerun
  // this with SSE2 and AVX2 loops.)
  std::string base = kStdHeader;
  for (int k = 0; base.size() < 260; ++k) base += "k" + std::to_string(k) + (k % 2 ? " = v, w\r\n" : "=x\n");
  for (const char* sp : {"\xE9", "\x80", "\xA9\x99"}) {
    for (std::size_t k = kStdHeader.size(); k + 2 < base.size(); ++k) {
      std::string b = base;
      b.replace(k, std::strlen(sp), sp);
      if (k % 3 == 0 && k + 40 < b.size()) b[k + 40] = '\x9C';
      const std::string copy = b;
      auto want = decode(copy);
      auto doc = Document::parse(std::move(b), "p.inf");
      ASSERT_TRUE(want.ok() && doc.ok()) << k;
      ASSERT_EQ(show(doc->text()), show(want->view(copy))) << show(sp) << " at " << k;
      ASSERT_EQ(doc->bytes(), copy) << k;
      ASSERT_EQ(doc->physical_line_count() + 1, want->line_text_start.size()) << k;
      for (std::uint32_t line = 1; line <= doc->physical_line_count(); ++line) {
        ASSERT_EQ(doc->physical_line_bytes(line).first, want->line_byte_start[line - 1]) << k << " line " << line;
      }
    }
  }
}

TEST(InfFastPath, SectionLineRangesWithoutReopening) {
  // Without a reopened section each section's lines start where its header left the line table:
  // empty sections (first, between, last) and a section right after an empty one.
  auto doc = open_ok("[A]\n[B]\nb1\nb2 ; c\n; only a comment\n[C]\n[D]\nd1\n[E]\n");
  const std::vector<std::pair<std::string, std::vector<std::string>>> want = {
      {"A", {}}, {"B", {"b1", "b2"}}, {"C", {}}, {"D", {"d1"}}, {"E", {}}};
  for (const auto& [name, keys] : want) {
    auto s = doc.section(name);
    ASSERT_TRUE(s) << name;
    ASSERT_EQ(s->line_count(), keys.size()) << name;
    for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(*s->line_at(i).raw_key(), keys[i]) << name;
    EXPECT_EQ(s->header_count(), 1u) << name;
  }
  EXPECT_EQ(doc.section("Version")->line_count(), 1u);
}

TEST(InfFastPath, ReopenedSectionsKeepHeaderAndLineOrder) {
  // Headers are grouped by section in file order (a stable counting sort): interleaved reopening, a
  // header repeated right away, and a reopening header with no lines after it.
  auto doc = open_ok("[A]\na1\n[B]\nb1\n[A]\na2\n[B]\n[B]\nb2\n[C]\n[A]\n");
  const std::uint32_t h = 2;  // the standard [Version] header takes two lines
  auto a = doc.section("A");
  auto b = doc.section("B");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->header_lines(), (std::vector<std::uint32_t>{h + 1, h + 5, h + 11}));
  EXPECT_EQ(b->header_lines(), (std::vector<std::uint32_t>{h + 3, h + 7, h + 8}));
  EXPECT_EQ(doc.section("C")->header_lines(), (std::vector<std::uint32_t>{h + 10}));
  EXPECT_EQ(doc.section("Version")->header_lines(), (std::vector<std::uint32_t>{1}));
  ASSERT_EQ(a->line_count(), 2u);
  EXPECT_EQ(*a->line_at(0).raw_key(), "a1");
  EXPECT_EQ(*a->line_at(1).raw_key(), "a2");
  ASSERT_EQ(b->line_count(), 2u);
  EXPECT_EQ(*b->line_at(0).raw_key(), "b1");
  EXPECT_EQ(*b->line_at(1).raw_key(), "b2");
  EXPECT_EQ(doc.section("C")->line_count(), 0u);
}

TEST(InfFastPath, SubstituteFindsPercentAtEveryOffset) {
  // Strings of 16 to 64 bytes take one mask of their '%'s, longer ones a scan that goes 16 bytes,
  // then 8, then one at a time: a token, a lone '%' and "%%" at every offset of strings up to 75
  // bytes, so each lands in each part of both.
  auto doc = open_ok("[Strings]\nk=VALUE\n");
  for (std::size_t a = 0; a <= 40; ++a) {
    for (std::size_t b : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{15}, std::size_t{16}, std::size_t{23}, std::size_t{32}}) {
      const std::string pre(a, 'x'), post(b, 'y');
      EXPECT_EQ(doc.substitute(pre + "%k%" + post), pre + "VALUE" + post) << a << " " << b;
      EXPECT_EQ(doc.substitute(pre + "%" + post), pre + "%" + post) << a << " " << b;
      EXPECT_EQ(doc.substitute(pre + "%%" + post), pre + "%" + post) << a << " " << b;
      EXPECT_EQ(doc.substitute(pre + "%k%%unknown%" + post), pre + "VALUE%unknown%" + post) << a << " " << b;
    }
  }
}

// What Document::substitute must give, written the slow way: '%'s pair up left to right, a pair
// encloses a token ("%%" is one '%'), a lone last '%' is text; a token [Strings] defines gives its
// value (case-insensitively), an undefined decimal one its DIRID path (without doubling a backslash
// that follows), anything else stays as written and is listed.
std::string substitute_reference(const inf::Document& doc, const std::string& raw, std::vector<std::string>& unknown) {
  std::string out;
  std::size_t p = 0;
  while (p < raw.size()) {
    const std::size_t a = raw.find('%', p);
    const std::size_t b = a == std::string::npos ? a : raw.find('%', a + 1);
    if (b == std::string::npos) return out + raw.substr(p);
    out += raw.substr(p, a - p);
    const std::string name = raw.substr(a + 1, b - a - 1);
    p = b + 1;
    if (name.empty()) {
      out += '%';
    } else if (auto v = doc.string_value(name)) {
      out += *v;
    } else if (auto id = inf::dirid_of_token(name); id && inf::dirid_path(*id, doc.dirids())) {
      std::string path = *inf::dirid_path(*id, doc.dirids());
      if (p < raw.size() && raw[p] == '\\' && !path.empty() && path.back() == '\\') path.pop_back();
      out += path;
    } else {
      out += raw.substr(a, b - a + 1);
      unknown.push_back(name);
    }
  }
  return out;
}

TEST(InfFastPath, SubstituteAgreesWithTheReferenceOnRandomText) {
  // Random text of 0 to 80 bytes (so the whole-token check, the 16-64 byte mask walk and the scans
  // below and above it all run) built from defined tokens in any case, undefined ones, DIRIDs with
  // and without a following backslash, "%%", lone '%'s, blanks and plain text.
  auto doc = open_ok("[Strings]\nk=VALUE\nLongerKeyName=a longer value\nempty=\"\"\nbs=C:\\dir\\\n");
  doc.set_dirids(inf::DiridContext{"C:\\src", "C:\\store\\", "C:\\Windows", "C:"});
  const char* pieces[] = {"%k%", "%K%", "%longerkeyname%", "%empty%", "%bs%\\", "%nope%", "%11%", "%24%\\x", "%13%\\",
                          "%1%", "%%", "%", " ", "text", "\\", "0123456789abcdef"};
  std::mt19937 rng(1234);
  for (int round = 0; round < 20000; ++round) {
    std::string raw;
    const std::size_t want = rng() % 81;
    while (raw.size() < want) raw += pieces[rng() % std::size(pieces)];
    if (raw.size() > 80) raw.resize(80);
    std::vector<std::string> unknown, expected_unknown;
    std::string out = "pre:";
    doc.substitute(raw, out, &unknown);
    ASSERT_EQ(out, "pre:" + substitute_reference(doc, raw, expected_unknown)) << raw;
    ASSERT_EQ(unknown, expected_unknown) << raw;
  }
}

TEST(InfFastPath, WholeTokenShapeWithAPercentInsideAgreesWithTheReference) {
  // Text that starts and ends with '%' is one token only when no '%' is inside: the check looks at
  // names of up to 3, 16, 64 bytes and more in different ways, so a '%' at every position of names
  // of 1 to 80 bytes, and the same names without one (defined in any case, or not).
  std::string strings = "[Strings]\n";
  for (std::size_t n = 1; n <= 80; ++n) strings += std::string(n, 'k') + "=v" + std::to_string(n) + "\n";
  auto doc = open_ok(strings);
  for (std::size_t n = 1; n <= 80; ++n) {
    for (const std::string& name : {std::string(n, 'k'), std::string(n, 'K'), std::string(n, 'u')}) {
      std::vector<std::string> unknown, expected_unknown;
      std::string out;
      doc.substitute("%" + name + "%", out, &unknown);
      ASSERT_EQ(out, substitute_reference(doc, "%" + name + "%", expected_unknown)) << name;
      ASSERT_EQ(unknown, expected_unknown) << name;
      for (std::size_t at = 0; at < n; ++at) {
        std::string raw = "%" + name + "%";
        raw[1 + at] = '%';
        unknown.clear();
        expected_unknown.clear();
        out.clear();
        doc.substitute(raw, out, &unknown);
        ASSERT_EQ(out, substitute_reference(doc, raw, expected_unknown)) << raw;
        ASSERT_EQ(unknown, expected_unknown) << raw;
      }
    }
  }
}

TEST(InfFastPath, WholeTokenShapeAgreesWithTheReferenceWhenKeysHoldPercent) {
  // The whole-token path tests a name for an inner '%' only when some [Strings] key may hold one
  // (only then can such a name be found): keys with a '%' at every position, written plain and
  // quoted, and names that equal them, differ in case, or have the '%' elsewhere.
  std::string strings = "[Strings]\nk=plain\n";
  for (std::size_t n = 1; n <= 40; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      std::string key(n, 'k');
      key[at] = '%';
      strings += (at % 2 ? "\"" + key + "\"" : key) + "=v" + std::to_string(n) + "_" + std::to_string(at) + "\n";
    }
  }
  auto doc = open_ok(strings);
  for (std::size_t n = 1; n <= 40; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      for (char fill : {'k', 'K', 'u'}) {
        std::string name(n, fill);
        name[at] = '%';
        for (const std::string& raw : {"%" + name + "%", "%" + name.substr(0, at) + "%", "%" + name.substr(at) + "%"}) {
          std::vector<std::string> unknown, expected_unknown;
          std::string out;
          doc.substitute(raw, out, &unknown);
          ASSERT_EQ(out, substitute_reference(doc, raw, expected_unknown)) << raw;
          ASSERT_EQ(unknown, expected_unknown) << raw;
        }
      }
    }
  }
}

TEST(InfFastPath, SectionLinesMatchTheLineTableForRandomReopening) {
  // Every section's lines, as Section iterates them, are exactly the document's lines of that
  // section in file order, and its headers every header of its name: random files of headers drawn
  // from four names (reopened, repeated, empty) and lines with continuations, comments and blanks.
  std::mt19937 rng(13);
  for (int round = 0; round < 300; ++round) {
    std::string body;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 6) {
        case 0: body += "[S" + std::to_string(rng() % 4) + "]\n"; break;
        case 1: body += "k" + std::to_string(i) + "=a,\\\n b\n"; break;  // a continued line
        case 2: body += "; comment\n\n"; break;
        default: body += "k" + std::to_string(i) + " = v" + std::to_string(i) + "\n"; break;
      }
    }
    auto doc = open_ok(body);
    std::size_t total = 0;
    for (std::size_t s = 0; s < doc.section_count(); ++s) {
      const Section sec = doc.section_at(s);
      std::vector<std::uint32_t> want, got;
      for (std::size_t li = 0; li < doc.line_count(); ++li) {
        if (doc.line_at(li).section_index() == s) want.push_back(static_cast<std::uint32_t>(li));
      }
      for (Line l : sec) got.push_back(l.index());
      EXPECT_EQ(got, want) << body;
      total += got.size();
      std::size_t headers = 0;
      const std::string name = "[" + std::string(sec.name()) + "]";
      for (std::size_t at = body.find(name); at != std::string::npos; at = body.find(name, at + 1)) ++headers;
      if (s > 0) {
        EXPECT_EQ(sec.header_lines().size(), headers) << body;
      }
      const auto hl = sec.header_lines();
      EXPECT_TRUE(std::is_sorted(hl.begin(), hl.end())) << body;
    }
    EXPECT_EQ(total, doc.line_count()) << body;
  }
}

}  // namespace

// The read accessors take a field record's length and flags in one 16-bit load (FieldRec::len_flags)
// instead of through its bit-fields: every length and every flag set must come back as the
// bit-fields hold it, and a span field's text must start past its opening quote exactly when
// kSpanQuoted says so.
TEST(InfFastPath, FieldRecordWordAgreesWithItsBitFields) {
  using detail::FieldRec;
  for (unsigned len = 0; len < (1u << 11); len += (len < 40 ? 1 : 37)) {
    for (unsigned flags = 0; flags < (1u << 5); ++flags) {
      FieldRec f{};
      f.at = 0x89ABCDEFu;
      f.len = static_cast<std::uint16_t>(len) & 0x7FFu;
      f.flags = static_cast<std::uint16_t>(flags) & 0x1Fu;
      const unsigned w = f.len_flags();
      ASSERT_EQ(w & FieldRec::kLenMask, f.len) << len << " " << flags;
      ASSERT_EQ(w >> FieldRec::kFlagsShift, f.flags) << len << " " << flags;
      for (std::uint8_t flag : {FieldRec::kInArena, FieldRec::kQuoted, FieldRec::kSpanQuoted, FieldRec::kHasPercent}) {
        ASSERT_EQ(FieldRec::has(w, flag), (f.flags & flag) != 0) << len << " " << flags;
      }
      const char text[] = "\"abc";
      detail::Tables t;
      t.text = text;
      const std::string_view v = t.span_text(1, w);
      ASSERT_EQ(v.data(), text + 1 + ((flags & FieldRec::kSpanQuoted) ? 1 : 0));
      ASSERT_EQ(v.size(), len);
    }
  }
}
