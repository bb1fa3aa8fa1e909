// Issue 17 part 3: one exit-code table (src/cli/exit_codes.def) that --help and the README show,
// and exit 4 for what the store refuses by policy (not isolated, in use).
#include <set>

#include "ci_test_util.h"

using namespace ci_test;

namespace {

struct Row {
  int number, precedence;
  std::string meaning;
};
const std::vector<Row> kTable = {
#define ISODRV_EXIT(name, number, precedence, meaning) {number, precedence, meaning},
#include "cli/exit_codes.def"
#undef ISODRV_EXIT
};

}  // namespace

TEST(ExitCodes, TableIsCompleteAndOrdered) {
  ASSERT_EQ(kTable.size(), 5u);
  std::vector<int> by_precedence(kTable.size());
  for (const auto& r : kTable) by_precedence.at(r.precedence) = r.number;
  EXPECT_EQ(by_precedence, (std::vector<int>{2, 3, 4, 1, 0}));  // DESIGN.md §3
}

TEST(ExitCodes, ReadmeAndHelpShowTheTable) {
  const std::string readme = slurp(fs::path(ISODRV_SOURCE_DIR) / "README.md");
  Scratch s;
  CliRun help = s.run("--help");
  EXPECT_EQ(help.rc, 0);
  for (const auto& r : kTable) {
    EXPECT_TRUE(has(readme, "| " + std::to_string(r.number) + " | " + r.meaning + " |")) << r.meaning;
    EXPECT_TRUE(has(help.out, "  " + std::to_string(r.number) + "  " + r.meaning)) << help.out;
  }
  EXPECT_TRUE(has(readme, "first of 2, 3, 4, 1, 0"));
  EXPECT_TRUE(has(help.out, "first of 2, 3, 4, 1, 0"));
}

TEST(ExitCodes, SeveralInputsCombineInTableOrder) {
  Scratch s;
  s.write("good.inf", clean_inf());
  s.write("bad.inf", unisolated_inf());
  EXPECT_EQ(s.run("check good.inf bad.inf").rc, 1);
  EXPECT_EQ(s.run("check bad.inf missing.inf").rc, 3);  // unreadable beats findings
}

TEST(ExitCodes, StoreRefusalsArePolicy) {
  Scratch s;
  s.write("n/n.inf", unisolated_inf());
  s.write("n/numbat.sys", "MZ");
  const std::string root = " --root " + shell_quote((s / "store").string());
  CliRun r = s.run("driver add n/n.inf" + root);
  EXPECT_EQ(r.rc, 4) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "package is not isolated")) << r.err;

  fs::create_directories(s / "q");
  for (const char* f : {"quokka.inf", "quokka.sys", "quokka.cat"})
    fs::copy_file(fs::path(ISODRV_SOURCE_DIR) / "examples/quokka" / f, s / "q" / f);
  ASSERT_EQ(s.run("driver add q/quokka.inf" + root).rc, 0);
  ASSERT_EQ(s.run("device add 'ROOT\\QUOKKA\\0000' --hwid 'ROOT\\QUOKKA'" + root).rc, 0);
  CliRun inst = s.run("device install 'ROOT\\QUOKKA\\0000'" + root);
  ASSERT_EQ(inst.rc, 0) << inst.err;
  CliRun busy = s.run("driver delete oem0.inf" + root);
  EXPECT_EQ(busy.rc, 4) << busy.out << busy.err;
  EXPECT_TRUE(has(busy.err, "in use")) << busy.err;
  CliRun escape = s.run("state device-dir 'ROOT\\..\\0000'" + root);
  EXPECT_EQ(escape.rc, 4) << escape.err;
}
