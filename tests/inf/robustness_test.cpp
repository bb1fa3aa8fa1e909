// Hostile and oversized inputs, generated in memory: each one gives a clear error or a correct
// parse, without a crash and within a bounded time.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "inf_test_util.h"

using namespace isodrv;
using namespace isodrv::inf;
using namespace inf_test;

namespace {

// Generous bounds: sanitizer builds on a shared two-core machine are slow; a quadratic path
// would still take minutes.
constexpr double kSeconds = 20.0;

class Timer {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Reads everything a consumer could read; returns the number of fields seen.
std::size_t read_all(const Document& doc) {
  std::size_t n = 0;
  std::string buf;
  for (std::size_t s = 0; s < doc.section_count(); ++s) {
    for (Line l : doc.section_at(s)) {
      (void)l.key();
      for (std::size_t i = 0; i < l.field_count(); ++i) {
        buf.clear();
        l.field_into(i, buf);
        ++n;
      }
    }
  }
  (void)doc.manufacturers(Target{});
  return n;
}

TEST(InfRobustness, TruncatedUtf16) {
  const std::string full = utf16(kStdHeader + "[S]\r\nkey=\"value é\",x\r\n");
  for (std::size_t cut = 0; cut <= full.size(); ++cut) {
    auto r = parse(std::string_view(full).substr(0, cut));
    if (r.ok()) read_all(*r);
    else EXPECT_TRUE(r.error().code == Errc::wrong_inf_style || r.error().code == Errc::bad_section_name_line)
        << "cut at " << cut << ": " << r.error().to_string();
  }
  auto odd = parse(full.substr(0, full.size() - 1));
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->decode_flags().odd_length_utf16);
}

TEST(InfRobustness, BinaryJunk) {
  std::mt19937 rng(1234);
  Timer t;
  for (int round = 0; round < 300; ++round) {
    std::string junk(1 + rng() % 4000, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    // Half the rounds get a valid header so the junk reaches the tokenizer's later states.
    if (round % 2) junk = kStdHeader + "[S]\n" + junk;
    for (std::string prefix : {""s, "\xFF\xFE"s, "\xFE\xFF"s, "\xEF\xBB\xBF"s}) {
      auto r = parse(prefix + junk);
      if (r.ok()) read_all(*r);
      else EXPECT_FALSE(r.error().message.empty());
    }
  }
  EXPECT_LT(t.seconds(), kSeconds);
}

TEST(InfRobustness, HundredMegabyteSingleLine) {
  // One 100 MB line of comma-separated tokens, most of them over the 511 limit.
  std::string body = kStdHeader + "[S]\nk=";
  const std::size_t target = 100u << 20;
  body.reserve(target + 64);
  std::string token(600, 'x');
  while (body.size() < target) {
    body += token;
    body += ',';
  }
  Timer t;
  auto r = parse(body);
  ASSERT_TRUE(r.ok());
  Line l = r->section("S")->line_at(0);
  EXPECT_GT(l.field_count(), 170000u);
  EXPECT_EQ(l.raw_field(0).size(), 511u);
  EXPECT_EQ(l.field_position(1).column, 3u + 601u);
  EXPECT_EQ(r->notes().size(), l.field_count() - 1);  // every full token was cut; the last one is empty
  EXPECT_LT(t.seconds(), kSeconds);
}

TEST(InfRobustness, HundredMegabyteSingleToken) {
  std::string body = kStdHeader + "[S]\nk=\"" + std::string(100u << 20, 'q') + "\n";
  Timer t;
  auto r = parse(body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->section("S")->line_at(0).raw_field(0), std::string(511, 'q'));
  EXPECT_LT(t.seconds(), kSeconds);
}

TEST(InfRobustness, MillionSections) {
  std::string body = kStdHeader;
  body.reserve(30u << 20);
  for (int i = 0; i < 1000000; ++i) {
    body += "[s";
    body += std::to_string(i % 500000);  // every name twice: merging is exercised too
    body += "]\nk=v\n";
  }
  Timer t;
  auto r = parse(body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->section_count(), 500001u);
  auto s = r->section("S499999");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->line_count(), 2u);
  EXPECT_EQ(s->line(), 3u + 2u * 499999u);
  EXPECT_EQ(read_all(*r), 1000001u);
  EXPECT_LT(t.seconds(), kSeconds);
}

TEST(InfRobustness, DeepAndManyPercentTokens) {
  // Nesting never recurses (substitution is single-level), and a field of 10^5 tokens costs no
  // more than the 4096-character cap.
  std::string strings = "[Strings]\nbig=" + std::string(511, 'b') + "\n";
  for (int i = 0; i < 1000; ++i) strings += "n" + std::to_string(i) + "=%n" + std::to_string(i + 1) + "%\n";
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "%big%";
  std::string nested(50000, '%');
  Timer t;
  Document doc = open_ok("[S]\nk=%n0%," + nested + "\n" + strings);
  Line l = doc.section("S")->line_at(0);
  EXPECT_EQ(l.field(0), "%n1%");
  EXPECT_EQ(l.field(1), std::string(255, '%') + "%") << "511 '%' signs: 255 pairs and one left over";
  std::string out;
  EXPECT_FALSE(doc.substitute(many, out));
  EXPECT_EQ(out, std::string(4096, 'b'));
  std::vector<std::string> unknown;
  out.clear();
  std::string unknowns;
  for (int i = 0; i < 100000; ++i) unknowns += "%u%";
  doc.substitute(unknowns, out, &unknown);
  EXPECT_EQ(unknown.size(), 100000u);
  EXPECT_LT(t.seconds(), kSeconds);
}

TEST(InfRobustness, LongContinuationChains) {
  // 10^6 physical lines joined into one logical line, and 10^5 joined into one token.
  std::string body = kStdHeader + "[S]\nk=";
  for (int i = 0; i < 1000000; ++i) body += "f,\\\n";
  body += "last\nnext=1\n";
  std::string token = kStdHeader + "[S]\nt=";
  for (int i = 0; i < 100000; ++i) token += "ab \\ ; comment\n   ";
  token += "end\n";
  Timer t;
  auto r = parse(body);
  ASSERT_TRUE(r.ok());
  auto s = r->section("S");
  ASSERT_EQ(s->line_count(), 2u);
  Line l = s->line_at(0);
  EXPECT_EQ(l.field_count(), 1000001u);
  EXPECT_EQ(l.line(), 4u);
  EXPECT_EQ(l.end_line(), 4u + 1000000u);
  EXPECT_EQ(l.field(1000000), "last");
  EXPECT_EQ(s->line_at(1).line(), 4u + 1000001u);
  auto r2 = parse(token);
  ASSERT_TRUE(r2.ok());
  Line t2 = r2->section("S")->line_at(0);
  EXPECT_EQ(t2.raw_field(0).size(), 511u);
  EXPECT_EQ(t2.raw_field(0).substr(0, 6), "ababab");
  EXPECT_LT(t.seconds(), kSeconds);
}

TEST(InfRobustness, PathologicalShapes) {
  Timer t;
  const std::string shapes[] = {
      kStdHeader + std::string(1 << 20, '['),                      // one unterminated header
      kStdHeader + "[" + std::string(1 << 20, 'n') + "]\n",        // an over-long section name
      kStdHeader + "[S]\n" + std::string(1 << 20, '"'),            // quotes
      kStdHeader + "[S]\n" + std::string(1 << 20, '\\'),           // backslashes at EOF
      kStdHeader + "[S]\n" + std::string(1 << 20, ','),            // empty fields
      kStdHeader + "[S]\n" + std::string(1 << 20, '='),            // '=' signs
      kStdHeader + "[S]\n" + std::string(1 << 20, '\n'),           // blank lines
      kStdHeader + "[S]\n" + std::string(1 << 20, ';'),            // one comment
      kStdHeader + std::string(1 << 20, '\0'),                     // NULs
      std::string(1 << 20, '\x1A'),                                // ^Z only
  };
  for (const auto& s : shapes) {
    auto r = parse(s);
    if (r.ok()) read_all(*r);
  }
  EXPECT_EQ(parse(shapes[0]).error().code, Errc::bad_section_name_line);
  EXPECT_EQ(parse(shapes[1]).error().code, Errc::section_name_too_long);
  EXPECT_EQ(parse(shapes[9]).error().code, Errc::wrong_inf_style);
  EXPECT_LT(t.seconds(), kSeconds);
}

}  // namespace
