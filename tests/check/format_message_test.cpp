// rules::format_message, which makes every finding's message: "{N}" (one digit) takes argument N
// (nothing when there is no such argument), every other byte is copied. Compared with a plain
// byte-by-byte reading of that rule, for short messages and for ones past the stack buffer.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "isodrv/rules.h"

namespace {

std::string by_bytes(std::string_view tmpl, const std::vector<std::string>& args) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 2] == '}' && tmpl[i + 1] >= '0' && tmpl[i + 1] <= '9') {
      const auto idx = static_cast<std::size_t>(tmpl[i + 1] - '0');
      if (idx < args.size()) out += args[idx];
      i += 2;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

TEST(FormatMessage, FillsPlaceholdersAndCopiesEverythingElse) {
  const std::vector<std::string> args = {"Alpha", "", "%Strkey%"};
  const std::vector<std::string> templates = {
      "",
      "plain text",
      "{0}",
      "{0} names no section; give the name of the section it should process",
      "disk ID '{0}' in {1} is empty or not a number",
      "{2}{2}{0}{2}",
      "{9} has no argument 9",
      "a GUID {4d36e972-e325-11ce-bfc1-08002be10318} is not a placeholder",
      "{", "{0", "{0x}", "{{0}}", "{a}", "}{0}{", "ends with {",
  };
  for (const auto& t : templates) {
    EXPECT_EQ(isodrv::rules::format_message(t, args), by_bytes(t, args)) << t;
  }
}

TEST(FormatMessage, LongMessagesAndArgumentsMatchTheByteReading) {
  std::mt19937 rng(13);
  const std::string alphabet = "ab {}0123459";
  for (int round = 0; round < 400; ++round) {
    std::string tmpl;
    const std::size_t len = rng() % 700;
    for (std::size_t i = 0; i < len; ++i) tmpl += alphabet[rng() % alphabet.size()];
    std::vector<std::string> args;
    for (int a = 0; a < 4; ++a) args.emplace_back(rng() % 300, static_cast<char>('A' + a));
    EXPECT_EQ(isodrv::rules::format_message(tmpl, args), by_bytes(tmpl, args)) << round;
  }
  // Exactly around the stack buffer's size (512 bytes): the result is the same on both sides.
  for (std::size_t n = 500; n < 530; ++n) {
    const std::vector<std::string> args = {std::string(n - 4, 'x')};
    EXPECT_EQ(isodrv::rules::format_message("<{0}>..", args), "<" + args[0] + ">..") << n;
  }
}

}  // namespace
