// rules::lines_holding (src/rules/line_index.h): the per-document "which logical lines hold a '%'"
// the token rules share must give, for every line, the answer of reading each of its physical
// lines (util::line_text_has), including continued lines, comments and the first and last line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "isodrv/inf.h"
#include "rules/line_index.h"
#include "rules/util.h"

using namespace isodrv;

namespace {

std::vector<bool> by_reading_lines(const inf::Document& doc, char c) {
  std::vector<bool> out;
  for (std::size_t i = 0; i < doc.line_count(); ++i) out.push_back(rules::util::line_text_has(doc, doc.line_at(i), c));
  return out;
}

inf::Document parse(const std::string& text) {
  auto doc = inf::Document::parse(text, "t.inf");
  EXPECT_TRUE(doc) << text;
  return std::move(*doc);
}

TEST(LinesHolding, MarksEachLogicalLineWhoseTextHoldsTheCharacter) {
  const std::string text =
      "[Version]\r\n"
      "Signature=\"$Windows NT$\"\r\n"
      "Provider=%Mfg%\r\n"
      "\r\n"
      "[Install]\r\n"
      "AddReg=Reg ; a comment with %\r\n"
      "CopyFiles=A,\\\r\n"
      "  B,%C%\r\n"
      "Plain=1\r\n"
      "[Strings]\r\n"
      "Mfg=\"Contoso\"\r\n"
      "Last=%x%";
  const auto doc = parse(text);
  const auto got = rules::lines_holding(doc, '%');
  ASSERT_EQ(got, by_reading_lines(doc, '%'));
  std::vector<std::string> holding;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i]) holding.push_back(std::string(*doc.line_at(i).raw_key()));
  }
  // Provider (a token), AddReg (in its comment), CopyFiles (on its continued line), Last (the
  // file's last line, without a line break).
  EXPECT_EQ(holding, (std::vector<std::string>{"Provider", "AddReg", "CopyFiles", "Last"}));
}

TEST(LinesHolding, ManyLinesFarApartAndAdjacent) {
  std::string text = "[Version]\nSignature=\"$Windows NT$\"\n[S]\n";
  for (int i = 0; i < 300; ++i) {
    text += "K" + std::to_string(i) + "=" + (i % 37 == 0 || i == 150 || i == 151 ? "%t%" : "v") + "\n";
  }
  const auto doc = parse(text);
  const auto got = rules::lines_holding(doc, '%');
  EXPECT_EQ(got, by_reading_lines(doc, '%'));
  std::size_t marked = 0;
  for (bool b : got) marked += b ? 1 : 0;
  EXPECT_EQ(marked, 11u);  // 0, 37, …, 296 (9 lines) and 150, 151
}

TEST(LinesHolding, NoCharacterNoLine) {
  const auto doc = parse("[Version]\nSignature=\"$Windows NT$\"\n");
  const auto got = rules::lines_holding(doc, '%');
  EXPECT_EQ(got.size(), doc.line_count());
  for (bool b : got) EXPECT_FALSE(b);
}

}  // namespace
