// CLI tests for the check options beyond the output formats: /product, /samples, /provider,
// /wbuild and /rulever validation, -j determinism, --files-from, /info, when the progress line
// shows, and that the JSON writer matches nlohmann's dump byte for byte (also with characters to
// escape at every offset of its 8-byte scan).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <string>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include "support/cli_run.h"

namespace {

using isodrv_test::CliRun;

// Runs `env isodrv args` from the repository root with stderr merged into stdout.
CliRun run(const std::string& args, const std::string& env = "env -u CI") {
  return isodrv_test::run_in_source_dir(args, env, "2>&1");
}

bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

const std::string kQuokka = "examples/quokka/quokka.inf";

}  // namespace

TEST(CheckOptions, ProductEnables1317And1318) {
  const std::string bad = "tests/rules/1318/bad.inf";
  EXPECT_FALSE(has(run("check --format json " + bad).out, "\"code\": 1318"));
  CliRun r = run("check /w /product tests/rules/1318/product.txt --format json " + bad);
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(has(r.out, "\"code\": 1318")) << r.out;
  CliRun needs = run("check --product tests/rules/1317/product.txt --format json tests/rules/1317/bad.inf");
  EXPECT_TRUE(has(needs.out, "\"code\": 1317")) << needs.out;
  EXPECT_EQ(run("check --product tests/rules/no-such-product.txt " + kQuokka).rc, 3);
}

TEST(CheckOptions, SamplesAndProviderDecide1204) {
  const std::string bad = "tests/rules/1204/bad.inf";
  CliRun plain = run("check --format json " + bad);
  EXPECT_EQ(plain.rc, 1);
  EXPECT_TRUE(has(plain.out, "\"code\": 1204"));
  EXPECT_FALSE(has(run("check /samples --format json " + bad).out, "\"code\": 1204"));
  EXPECT_FALSE(has(run("check /provider \"Microsoft Numbat\" --format json " + bad).out, "\"code\": 1204"));
  CliRun other = run("check /provider \"Numbat Devices\" --format json " + bad);
  EXPECT_TRUE(has(other.out, "\"code\": 1204"));
  EXPECT_TRUE(has(other.out, "\"code\": 1210"));
}

TEST(CheckOptions, WbuildAndRuleverAreValidatedAndAccepted) {
  EXPECT_EQ(run("check /w /wbuild 10.0.17763 " + kQuokka).rc, 0);
  EXPECT_EQ(run("check /h /rulever vnext " + kQuokka).rc, 0);
  EXPECT_EQ(run("check /h /rulever 22621 " + kQuokka).rc, 0);
  EXPECT_EQ(run("check /w /wbuild banana " + kQuokka).rc, 2);
  EXPECT_EQ(run("check /h /rulever 10.0. " + kQuokka).rc, 2);
  EXPECT_EQ(run("check /osver NTAMD64.10.0...22000 " + kQuokka).rc, 0);
  EXPECT_EQ(run("check /osver 22000 " + kQuokka).rc, 2);
  EXPECT_EQ(run("check --progress sometimes " + kQuokka).rc, 2);
}

TEST(CheckOptions, ParallelOutputIsIdenticalToSerial) {
  CliRun one = run("check -j1 --format json --statistics tests/rules");
  CliRun four = run("check -j4 --format json --statistics tests/rules");
  EXPECT_EQ(one.rc, 1);
  EXPECT_EQ(one.out, four.out);
  EXPECT_EQ(run("check -j1 tests/rules").out, run("check -j3 tests/rules").out);
}

TEST(CheckOptions, FilesFromAFileKeepsItsOrder) {
  const std::string list = (std::filesystem::temp_directory_path() / ("isodrv-list-" + std::to_string(::getpid()))).string();
  std::ofstream(list) << "tests/rules/1209/bad.inf\r\n" << kQuokka << "\n\ntests/rules/1209/good.inf\n";
  CliRun r = run("check --format infverif /v --files-from '" + list + "'");
  std::filesystem::remove(list);
  auto a = r.out.find("1209/bad.inf"), b = r.out.find("quokka.inf"), c = r.out.find("1209/good.inf");
  ASSERT_NE(a, std::string::npos) << r.out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(run("check --files-from /nonexistent/list.txt").rc, 3);
}

TEST(CheckOptions, ProgressOnlyOnATerminalOutsideCi) {
  // Piped: never, whatever CI says.
  EXPECT_FALSE(has(run("check tests/rules").out, "checked "));
  EXPECT_TRUE(has(run("check --progress always tests/rules").out, "checked "));
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "script(1) not available";
  // On a pseudo-terminal (script(1)): shown, unless CI is set or --progress never.
  auto tty = [](const std::string& env, const std::string& extra) {
    std::string inner = env + " '" + std::string(ISODRV_CLI) + "' check " + extra + " tests/rules";
    return run("", "script -qec \"" + inner + "\" /dev/null; true ");
  };
  EXPECT_TRUE(has(tty("env -u CI TERM=xterm", "").out, "checked ")) << "no progress line on a terminal";
  EXPECT_FALSE(has(tty("env CI=true TERM=xterm", "").out, "checked "));
  EXPECT_FALSE(has(tty("env -u CI TERM=xterm", "--progress never").out, "checked "));
}

TEST(CheckOptions, InfoPrintsTheInfSummary) {
  CliRun text = run("check /info " + kQuokka);
  EXPECT_EQ(text.rc, 0);
  EXPECT_TRUE(has(text.out, "INF summary of examples/quokka/quokka.inf:")) << text.out;
  EXPECT_TRUE(has(text.out, "Provider:     Quokka Labs"));
  EXPECT_TRUE(has(text.out, "Hardware IDs: Root\\Quokka"));
  EXPECT_TRUE(has(text.out, "Copied files: 1 (to DIRID 13)"));
  EXPECT_FALSE(has(text.out, "Statistics"));  // /info is the summary, not --statistics
  CliRun iv = run("check /info /w --format infverif " + kQuokka);
  EXPECT_TRUE(has(iv.out, "Validating quokka.inf\n  INF summary of")) << iv.out;
  EXPECT_TRUE(has(iv.out, "INF is VALID"));
  CliRun json = run("check --info --format json " + kQuokka);
  EXPECT_TRUE(has(json.out, "\"summary\": {\n        \"catalog\": \"quokka.cat\"")) << json.out;
  EXPECT_TRUE(has(json.out, "\"services\": [\n          \"quokka\"\n        ]"));
  EXPECT_FALSE(has(run("check --format json " + kQuokka).out, "\"catalog\""));
}

// The streaming JSON writer must give exactly what nlohmann::json::dump(2) gives for the same
// document: control characters, quotes, backslashes, non-ASCII text, and a path that is not UTF-8
// (replaced by U+FFFD through nlohmann).
TEST(CheckOptions, JsonIsByteIdenticalToNlohmannDump) {
  const auto dir = std::filesystem::temp_directory_path() / ("isodrv-json-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string odd = (dir / "bad\xff name.inf").string();
  std::filesystem::copy_file(std::string(ISODRV_SOURCE_DIR) + "/tests/cli/fixtures/odd-bytes.inf", odd);
  CliRun r = run("check --format json --statistics tests/cli/fixtures/odd-bytes.inf tests/cli/fixtures/nonisolated.inf '" +
                 odd + "' tests/rules/1294/bad.inf");
  std::filesystem::remove_all(dir);
  ASSERT_EQ(r.rc, 1) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["files"].size(), 4u);
  EXPECT_EQ(r.out, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  EXPECT_TRUE(has(r.out, "bad\xef\xbf\xbd name.inf")) << "invalid UTF-8 in a path becomes U+FFFD";
  EXPECT_TRUE(has(r.out, "\\\"2 \x7f end\\\"") || has(r.out, "\"A = \\\"2 \x7f end\\\"\"")) << r.out;
}

// The JSON writer scans strings 8 bytes at a time: a quote, backslash, tab, control byte or
// non-ASCII character at each offset of a word (and in the tail) must still come out exactly as
// nlohmann writes it. Each AddReg line below is reported (HKLM in /w) with its source text.
TEST(CheckOptions, JsonEscapesAtEveryOffsetMatchNlohmannDump) {
  const auto dir = std::filesystem::temp_directory_path() / ("isodrv-json-off-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "offsets.inf").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << "[Version]\r\nSignature = \"$Windows NT$\"\r\nClass = System\r\n"
         "ClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}\r\nProvider = Test\r\n"
         "DriverVer = 11/24/2026,1.0.0.0\r\n\r\n[DefaultInstall.NTamd64]\r\nAddReg = Offsets\r\n\r\n[Offsets]\r\n";
    const std::string specials[] = {"\\\"q\\\"", "\\\\", "\t", "\x01", "\xc3\xa9", "\xe2\x82\xac", "\x7f"};
    for (std::size_t pad = 0; pad < 17; ++pad) {
      for (const auto& sp : specials) {
        f << "HKLM,\"SOFTWARE\\T" << std::string(pad, 'x') << "\",V" << pad << ",0,\"" << std::string(pad, 'y') << sp
          << "z\"\r\n";
      }
    }
  }
  CliRun r = run("check --format json '" + path + "'");
  std::filesystem::remove_all(dir);
  ASSERT_EQ(r.rc, 1) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_GE(j["files"][0]["diagnostics"].size(), 17u * 7u) << r.out;
  EXPECT_EQ(r.out, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}
