// Line::has_percent (per line, per field, for the key) and Section::header_count: the cheap tests the rule families make before
// reading a line's fields for %tokens% and before listing a section's duplicate headers.
// has_percent must never be false for a line whose key or a field holds a '%' (the rules would
// then miss a token); it should be false for a plain line, which is what makes it worth asking.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "isodrv/inf.h"

using namespace isodrv;

namespace {

inf::Document parse(const std::string& text) {
  auto doc = inf::Document::parse(text, "t.inf");
  EXPECT_TRUE(doc) << text;
  return std::move(*doc);
}

bool fields_hold_percent(const inf::Line& l) {
  if (auto k = l.raw_key(); k && k->find('%') != std::string_view::npos) return true;
  for (std::size_t i = 0; i < l.field_count(); ++i) {
    if (l.raw_field(i).find('%') != std::string_view::npos) return true;
  }
  return false;
}

inf::Line line_keyed(const inf::Document& doc, std::string_view key) {
  for (std::size_t i = 0; i < doc.line_count(); ++i) {
    const inf::Line l = doc.line_at(i);
    if (auto k = l.raw_key(); k && *k == key) return l;
  }
  ADD_FAILURE() << "no line " << key;
  return doc.line_at(0);
}

TEST(LineHasPercent, KeyFieldQuotedAndContinuedTokensCountCommentsDoNot) {
  const auto doc = parse(
      "[Version]\r\n"
      "Signature=\"$Windows NT$\"\r\n"
      "[Install]\r\n"
      "Plain=a,b,c\r\n"
      "InComment=a ; 100% a comment\r\n"
      "InValue=x,%Tok%\r\n"
      "InQuote=\"50%\"\r\n"
      "%KeyTok%=1\r\n"
      "Continued=a,\\\r\n"
      "  b,%C%\r\n"
      "[Strings]\r\n"
      "Tok=t\r\n");
  EXPECT_FALSE(line_keyed(doc, "Plain").has_percent());
  EXPECT_FALSE(line_keyed(doc, "InComment").has_percent());
  EXPECT_TRUE(line_keyed(doc, "InValue").has_percent());
  EXPECT_TRUE(line_keyed(doc, "InQuote").has_percent());
  EXPECT_TRUE(line_keyed(doc, "%KeyTok%").has_percent());
  EXPECT_TRUE(line_keyed(doc, "Continued").has_percent());

  // Per field and for the key: only the fields that hold one.
  const inf::Line in_value = line_keyed(doc, "InValue");
  EXPECT_FALSE(in_value.key_has_percent());
  EXPECT_FALSE(in_value.field_has_percent(0));
  EXPECT_TRUE(in_value.field_has_percent(1));
  EXPECT_FALSE(in_value.field_has_percent(2));  // past the end
  EXPECT_TRUE(line_keyed(doc, "%KeyTok%").key_has_percent());
  EXPECT_FALSE(line_keyed(doc, "%KeyTok%").field_has_percent(0));
  EXPECT_TRUE(line_keyed(doc, "InQuote").field_has_percent(0));
  const inf::Line continued = line_keyed(doc, "Continued");
  EXPECT_TRUE(continued.field_has_percent(2));  // (field 1 is continued text: it may be flagged too)
  EXPECT_FALSE(line_keyed(doc, "InComment").field_has_percent(0));
  EXPECT_FALSE(doc.section("Version")->line_at(0).key_has_percent());
}

// A line of lone fields has no key: key_has_percent is false even when its field holds a '%'.
TEST(LineHasPercent, ALineWithoutKeyHasNoKeyPercent) {
  const auto doc = parse("[Version]\nSignature=\"$Windows NT$\"\n[S]\na,%T%\n[Strings]\nT=t\n");
  const inf::Line l = doc.section("S")->line_at(0);
  EXPECT_FALSE(l.key_has_percent());
  EXPECT_TRUE(l.field_has_percent(1));
}

// Random lines of keys, quotes, blanks, commas and '%': wherever the key or a field holds a '%',
// has_percent says so (a false "yes" only costs the rules a look; a false "no" would hide a token).
TEST(LineHasPercent, NeverMissesAPercentInTheKeyOrAField) {
  std::mt19937 rng(13);
  const std::string alphabet = "ab%% \",=;\\";
  for (int round = 0; round < 400; ++round) {
    std::string text = "[Version]\nSignature=\"$Windows NT$\"\n[S]\n";
    for (int n = 0; n < 8; ++n) {
      const int len = 1 + static_cast<int>(rng() % 14);
      for (int i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
      text += '\n';
    }
    auto parsed = inf::Document::parse(text, "r.inf");
    if (!parsed) continue;  // an unterminated quote at the end may be refused; nothing to read
    for (std::size_t i = 0; i < parsed->line_count(); ++i) {
      const inf::Line l = parsed->line_at(i);
      if (fields_hold_percent(l)) {
        EXPECT_TRUE(l.has_percent()) << text;
      }
      // Per field: a '%' is always flagged, and an unflagged field substitutes to its raw text.
      for (std::size_t f = 0; f < l.field_count(); ++f) {
        if (l.raw_field(f).find('%') != std::string_view::npos) {
          EXPECT_TRUE(l.field_has_percent(f)) << text;
        }
        if (!l.field_has_percent(f)) {
          EXPECT_EQ(l.field(f), l.raw_field(f)) << text;
        }
      }
      if (auto k = l.raw_key(); k && k->find('%') != std::string_view::npos) {
        EXPECT_TRUE(l.key_has_percent()) << text;
      }
      if (auto k = l.raw_key(); k && !l.key_has_percent()) {
        EXPECT_EQ(l.key(), std::string(*k)) << text;
      }
    }
  }
}

// Line::key_into appends what key() returns (flagged keys substituted, others as written) after
// what out already holds, and leaves out alone for a line without a key: random lines with tokens
// that [Strings] defines, undefined ones, "%%" and lone '%'s, keyed, lone and empty.
TEST(LineKeyInto, AppendsWhatKeyReturns) {
  std::mt19937 rng(31);
  const char* pieces[] = {"%s%", "%S%", "%u%", "%%", "%", "ab", " ", "\\", "\"x%s%\"", ",", "="};
  for (int round = 0; round < 300; ++round) {
    std::string text = "[Version]\nSignature=\"$Windows NT$\"\n[Strings]\ns=VAL\n[S]\n";
    for (int n = 0; n < 8; ++n) {
      const int len = static_cast<int>(rng() % 6);
      for (int i = 0; i < len; ++i) text += pieces[rng() % std::size(pieces)];
      text += '\n';
    }
    auto parsed = inf::Document::parse(text, "k.inf");
    if (!parsed) continue;
    for (std::size_t i = 0; i < parsed->line_count(); ++i) {
      const inf::Line l = parsed->line_at(i);
      std::string out = "before";
      const bool has = l.key_into(out);
      const auto key = l.key();
      ASSERT_EQ(has, key.has_value()) << text;
      EXPECT_EQ(out, "before" + key.value_or("")) << text;
    }
  }
}

TEST(SectionHeaderCount, CountsEveryHeaderOfTheName) {
  const auto doc = parse("[Version]\nSignature=\"$Windows NT$\"\n[A]\nx=1\n[B]\n[a]\ny=2\n[A]\n");
  EXPECT_EQ(doc.section("A")->header_count(), 3u);
  EXPECT_EQ(doc.section("A")->header_count(), doc.section("A")->header_lines().size());
  EXPECT_EQ(doc.section("B")->header_count(), 1u);
  EXPECT_EQ(doc.section("Version")->header_count(), 1u);
}

}  // namespace
