// Rule fixtures: tests/rules/<code>/bad.inf marks each expected finding with a comment on its line,
// `; expect[1322]` (several: `; expect[1322,1340]`; whole-file findings: `; expect-file[1001]`), and
// tests/rules/<code>/good.inf must produce no finding of <code>. A header comment `; mode: u`
// selects the mode (default w); `; stampinf` accepts stamp tokens; `; provider: NAME` passes
// /provider NAME; `; product: FILE` passes /product FILE (relative to the fixture's folder).
// Every implemented rule needs both, and a good fixture must parse as an INF. One test per folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "isodrv/check.h"
#include "isodrv/rules.h"

namespace fs = std::filesystem;
using isodrv::diag::Mode;

namespace {

const fs::path kRoot = fs::path(ISODRV_TEST_DATA) / "rules";

struct Fixture {
  Mode mode = Mode::w;
  bool stampinf = false;
  std::string provider;
  std::string product;  // path, empty: none
  std::set<std::pair<std::uint32_t, int>> expected;  // (line, code); line 0 = whole file
};

std::vector<int> parse_codes(const std::string& list) {
  std::vector<int> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoi(item));
  return out;
}

Fixture read_fixture(const fs::path& p) {
  Fixture f;
  std::ifstream in(p, std::ios::binary);
  std::string line;
  std::uint32_t n = 0;
  static const std::regex expect(R"(;.*\bexpect\[([0-9, ]+)\])");
  static const std::regex expect_file(R"(;.*\bexpect-file\[([0-9, ]+)\])");
  static const std::regex mode(R"(^;\s*mode:\s*([wukh]))");
  static const std::regex provider(R"(^;\s*provider:\s*(.*\S))");
  static const std::regex product(R"(^;\s*product:\s*(\S+))");
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (std::regex_search(line, m, expect)) {
      for (int c : parse_codes(m[1])) f.expected.insert({n, c});
    }
    if (std::regex_search(line, m, expect_file)) {
      for (int c : parse_codes(m[1])) f.expected.insert({0, c});
    }
    if (std::regex_search(line, m, mode)) {
      char c = m[1].str()[0];
      f.mode = c == 'u' ? Mode::u : c == 'k' ? Mode::k : c == 'h' ? Mode::h : Mode::w;
    }
    if (line.rfind("; stampinf", 0) == 0) f.stampinf = true;
    if (std::regex_search(line, m, provider)) f.provider = m[1];
    if (std::regex_search(line, m, product)) f.product = (p.parent_path() / m[1].str()).string();
  }
  return f;
}

isodrv::diag::FileResult run(const fs::path& p, const Fixture& f) {
  isodrv::check::Options opts;
  opts.settings.mode = f.mode;
  opts.settings.stampinf = f.stampinf;
  opts.settings.provider = f.provider;
  if (!f.product.empty()) {
    auto product = isodrv::check::load_product(f.product);
    EXPECT_TRUE(product.ok()) << f.product << ": " << (product.ok() ? "" : product.error().to_string());
    if (product.ok()) opts.settings.product = std::make_shared<isodrv::rules::Product>(std::move(product.value()));
  }
  return isodrv::check::check_file(p.string(), opts);
}

std::vector<fs::path> fixture_dirs() {
  std::vector<fs::path> out;
  for (auto& e : fs::directory_iterator(kRoot)) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string describe(const isodrv::diag::FileResult& r) {
  std::ostringstream out;
  for (const auto& d : r.diagnostics) out << "  " << d.line << ":" << d.column << " [" << d.code << "] " << d.message << "\n";
  return out.str();
}

}  // namespace

// Findings that mean the file was not read as an INF: a good fixture with one of them would pass
// "reports nothing of its code" without checking anything.
constexpr int kParseFailures[] = {1000, 1001, 1002, 1003, 9004};

fs::path fixture_file(const fs::path& dir, const char* stem) {
  fs::path p = dir / (std::string(stem) + ".inf");
  return fs::exists(p) ? p : dir / (std::string(stem) + ".inx");
}

// One test per fixture folder (tests/rules/<code>), named by its code.
class RuleFixture : public ::testing::TestWithParam<fs::path> {
 protected:
  int code() const { return std::stoi(GetParam().filename().string()); }
};

TEST_P(RuleFixture, BadReportsExactlyTheMarkedFindings) {
  const fs::path bad = fixture_file(GetParam(), "bad");
  ASSERT_TRUE(fs::exists(bad)) << GetParam() << " has no bad.inf";
  Fixture f = read_fixture(bad);
  ASSERT_TRUE(std::any_of(f.expected.begin(), f.expected.end(), [&](auto& e) { return e.second == code(); }))
      << bad << " marks no expected finding of " << code();
  std::set<int> codes;
  for (auto& e : f.expected) codes.insert(e.second);
  auto res = run(bad, f);
  std::set<std::pair<std::uint32_t, int>> actual;
  for (const auto& d : res.diagnostics) {
    if (codes.count(d.code)) actual.insert({d.line, d.code});
  }
  EXPECT_EQ(actual, f.expected) << bad << " reported:\n" << describe(res);
}

TEST_P(RuleFixture, GoodParsesAndReportsNothingOfItsCode) {
  const fs::path good = fixture_file(GetParam(), "good");
  ASSERT_TRUE(fs::exists(good)) << GetParam() << " has no good.inf";
  Fixture f = read_fixture(good);
  auto res = run(good, f);
  ASSERT_FALSE(res.unreadable) << good;
  for (const auto& d : res.diagnostics) {
    EXPECT_NE(d.code, code()) << good << ":" << d.line << " still reports " << code() << ": " << d.message;
    for (int c : kParseFailures) {
      EXPECT_NE(d.code, c) << good << ":" << d.line << " does not parse as an INF: [" << d.code << "] " << d.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, RuleFixture, ::testing::ValuesIn(fixture_dirs()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return "R" + info.param.filename().string();
                         });

TEST(RuleFixtures, EveryFixtureFolderNamesACodeOfTheTable) {
  for (const auto& dir : fixture_dirs()) {
    EXPECT_NE(isodrv::rules::find_rule(std::stoi(dir.filename().string())), nullptr) << dir;
  }
}

TEST(RuleFixtures, EveryImplementedRuleHasFixturesAndExplainText) {
  for (const auto& r : isodrv::rules::all_rules()) {
    // 1000 (unreadable path) has no file to hold a fixture; tests/cli checks it through exit codes.
    if (!r.implemented || r.code == 1000) continue;
    const fs::path dir = kRoot / std::to_string(r.code);
    EXPECT_TRUE(fs::exists(dir / "bad.inf") || fs::exists(dir / "bad.inx")) << "rule " << r.code << " has no bad fixture";
    EXPECT_TRUE(fs::exists(dir / "good.inf") || fs::exists(dir / "good.inx")) << "rule " << r.code << " has no good fixture";
    EXPECT_FALSE(r.why.empty()) << r.code;
    EXPECT_FALSE(r.bad.empty()) << r.code;
    EXPECT_FALSE(r.good.empty()) << r.code;
  }
}
