// Line::has_percent and Section::header_count: the cheap tests the rule families make before
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
