// Golden tests for `isodrv check` output in every format, and SARIF validation with Microsoft's
// SARIF Multitool. Set ISODRV_UPDATE_GOLDEN=1 to rewrite the golden files after a reviewed change.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

using isodrv_test::CliRun;

// Runs a command from the repository root (so paths in the output are relative and stable).
CliRun run(const std::string& args) { return isodrv_test::run_in_source_dir(args); }

std::string read(const fs::path& p) { return isodrv_test::slurp(p); }

void expect_golden(const std::string& name, const std::string& actual) {
  isodrv_test::expect_golden(fs::path(ISODRV_TEST_DATA) / "cli" / "golden" / name, actual);
}

const std::string kFixture = "tests/cli/fixtures/nonisolated.inf";

}  // namespace

TEST(CheckGolden, Text) {
  CliRun r = run("check " + kFixture);
  EXPECT_EQ(r.rc, 1);
  expect_golden("check.text", r.out);
}

TEST(CheckGolden, InfVerifFormatWithSlashOptions) {
  CliRun r = run("check /w /v --format infverif " + kFixture);
  EXPECT_EQ(r.rc, 1);
  expect_golden("check.infverif", r.out);
}

TEST(CheckGolden, Json) {
  CliRun r = run("check --format json " + kFixture);
  EXPECT_EQ(r.rc, 1);
  expect_golden("check.json", r.out);
}

TEST(CheckGolden, Sarif) {
  CliRun r = run("check --format sarif " + kFixture);
  EXPECT_EQ(r.rc, 1);
  expect_golden("check.sarif", r.out);
}

TEST(CheckGolden, Github) {
  CliRun r = run("check --format github " + kFixture);
  EXPECT_EQ(r.rc, 1);
  expect_golden("check.github", r.out);
}

TEST(CheckGolden, StatisticsInUniversalMode) {
  CliRun r = run("check --mode u --statistics " + kFixture);
  expect_golden("check-u.statistics", r.out);
}

TEST(CheckCli, ExitCodes) {
  EXPECT_EQ(run("check examples/quokka/quokka.inf").rc, 0);
  EXPECT_EQ(run("check tests/cli/fixtures/does-not-exist.inf").rc, 3);
  EXPECT_EQ(run("check --mode z examples/quokka/quokka.inf").rc, 2);
  EXPECT_EQ(run("check --format yaml examples/quokka/quokka.inf").rc, 2);
  // 2 (usage) wins over 3 (unreadable) wins over 1 (findings).
  EXPECT_EQ(run("check " + kFixture + " tests/cli/fixtures/does-not-exist.inf").rc, 3);
}

TEST(CheckCli, FilesFromStdinKeepsOrder) {
  CliRun r = run("check --format json - < /dev/null");
  EXPECT_EQ(r.rc, 3);  // an empty list: no input file found (issue 17: a CI job must not pass on it)
  CliRun list = run("check --format infverif /v --files-from - <<'EOF'\nexamples/quokka/quokka.inf\n" + kFixture + "\nEOF");
  auto a = list.out.find("Validating quokka.inf");
  auto b = list.out.find("Validating nonisolated.inf");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(a, b);
}

TEST(CheckCli, ExplainEveryImplementedCodeAndSlashCode) {
  CliRun r = run("explain 1203");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("Why:"), std::string::npos);
  EXPECT_NE(r.out.find("Not valid:"), std::string::npos);
  CliRun slash = run("check /code 1203");
  EXPECT_EQ(slash.out, r.out);
  EXPECT_EQ(run("explain 77").rc, 2);
}

TEST(CheckCli, BaselineAcceptsPreviousFindings) {
  fs::path tmp = fs::temp_directory_path() / ("isodrv-baseline-" + std::to_string(::getpid()) + ".json");
  CliRun first = run("check --format json " + kFixture + " > '" + tmp.string() + "'");
  (void)first;
  CliRun again = run("check --baseline '" + tmp.string() + "' " + kFixture);
  EXPECT_EQ(again.rc, 0) << again.out;
  fs::remove(tmp);
}

TEST(SarifMultitool, OutputValidates) {
  // The validator comes from npm; skip (saying so) where npm or the package is not available.
  if (std::system("command -v npm >/dev/null 2>&1") != 0) GTEST_SKIP() << "npm not available: SARIF validation skipped";
  fs::path cache = fs::path(ISODRV_CLI).parent_path().parent_path() / "sarif-multitool";
  fs::path tool = cache / "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
  if (!fs::exists(tool)) {
    std::string install = "timeout 300 npm install --silent --no-audit --no-fund --prefix '" + cache.string() +
                          "' @microsoft/sarif-multitool-linux@5.7.0 >/dev/null 2>&1";
    if (std::system(install.c_str()) != 0 || !fs::exists(tool)) {
      GTEST_SKIP() << "could not install @microsoft/sarif-multitool-linux from npm: SARIF validation skipped";
    }
  }
  fs::permissions(tool, fs::perms::owner_exec, fs::perm_options::add);
  fs::path sarif = cache / "check.sarif";
  fs::path result = cache / "validation.sarif";
  run("check --format sarif " + kFixture + " tests/rules/1209/bad.inf > '" + sarif.string() + "'");
  std::string cmd = "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 timeout 300 '" + tool.string() + "' validate '" +
                    sarif.string() + "' -o '" + result.string() + "' --log ForceOverwrite >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "Sarif.Multitool validate failed to run";
  std::string report = read(result);
  // Each validation finding becomes a result with a ruleId; a valid log has none.
  EXPECT_EQ(report.find("\"ruleId\""), std::string::npos) << report;
}

TEST(RuleDocs, DocsRulesMatchTheRuleTable) {
  const fs::path docs = fs::path(ISODRV_SOURCE_DIR) / "docs" / "rules";
  CliRun index = run("explain --markdown index");
  ASSERT_EQ(index.rc, 0);
  EXPECT_EQ(index.out, read(docs / "README.md")) << "docs/rules is stale: run scripts/gen-rule-docs.sh";
  std::istringstream lines(index.out);
  std::string line;
  while (std::getline(lines, line)) {
    auto open = line.find("](");
    if (open == std::string::npos) continue;
    std::string page = line.substr(open + 2, line.find(')', open) - open - 2);
    std::string code = page.substr(0, page.find('.'));
    EXPECT_EQ(run("explain --markdown " + code).out, read(docs / page)) << page << " is stale";
  }
}
