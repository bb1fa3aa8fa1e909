// The one %DIRID% token reader (include/isodrv/dirids.h) that substitution and the rules share
// (issue 16 part 3): what counts as a DIRID token, the leading one of a path, and every token of a
// value with percent signs paired left to right.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "isodrv/dirids.h"

using namespace isodrv;

namespace {

TEST(DiridTokens, ANameIsADiridWhenItIsADecimalNumber) {
  struct Row {
    std::string_view name;
    std::optional<long> id;
  };
  const Row rows[] = {
      {"13", 13},          {"12", 12},           {"-1", -1},          {"65535", 65535},   {"16422", 16422},
      {"0", 0},            {"013", 13},          {"12345678901", 12345678901L},  // 11 characters: still a number
      {"123456789012", std::nullopt},  // 12 characters: not read as a DIRID (substitution leaves it)
      {"", std::nullopt},  {"-", std::nullopt},  {"1a", std::nullopt}, {"0x10", std::nullopt}, {"Strkey", std::nullopt},
      {" 13", std::nullopt}, {"+13", std::nullopt},
  };
  for (const Row& r : rows) EXPECT_EQ(inf::dirid_of_token(r.name), r.id) << "'" << r.name << "'";
}

TEST(DiridTokens, TheLeadingTokenOfAPath) {
  EXPECT_EQ(inf::leading_dirid("%13%\\x.sys"), 13);
  EXPECT_EQ(inf::leading_dirid("%12%"), 12);
  EXPECT_EQ(inf::leading_dirid("%-1%\\abs"), -1);
  EXPECT_EQ(inf::leading_dirid("x\\%13%"), std::nullopt);   // not at the start
  EXPECT_EQ(inf::leading_dirid("%Path%\\x.sys"), std::nullopt);  // a string key
  EXPECT_EQ(inf::leading_dirid("%13"), std::nullopt);       // no closing percent sign
  EXPECT_EQ(inf::leading_dirid(""), std::nullopt);
  EXPECT_EQ(inf::leading_token("%Path%\\x"), std::string_view("Path"));
  EXPECT_EQ(inf::leading_token("%%x"), std::string_view());
  EXPECT_EQ(inf::leading_token("x%13%"), std::nullopt);
}

TEST(DiridTokens, EveryTokenPairingPercentSignsLeftToRight) {
  auto tokens = [](std::string_view raw) {
    std::vector<long> out;
    inf::for_each_dirid_token(raw, [&](long id) { out.push_back(id); });
    return out;
  };
  EXPECT_EQ(tokens("%10%\\a;%11%\\b"), (std::vector<long>{10, 11}));
  EXPECT_EQ(tokens("100%% sure %12%"), (std::vector<long>{12}));  // "%%" is a literal percent sign
  EXPECT_EQ(tokens("%Key%13%"), (std::vector<long>{}));           // "%Key%" pairs first; "13%" has no opening
  EXPECT_EQ(tokens("%24%%17%"), (std::vector<long>{24, 17}));
  EXPECT_EQ(tokens("no tokens"), (std::vector<long>{}));
  EXPECT_EQ(tokens("%13"), (std::vector<long>{}));
}

TEST(DiridTokens, TheReaderIsUsableAtCompileTime) {
  static_assert(inf::leading_dirid("%13%\\x") == 13);
  static_assert(!inf::dirid_of_token("x"));
  // The table lookup compares pointers, which GCC does not fold at compile time under
  // -fsanitize=address; checked at run time there.
  EXPECT_TRUE(inf::dirid_deprecated_24h2(*inf::leading_dirid("%17%")));
}

}  // namespace
