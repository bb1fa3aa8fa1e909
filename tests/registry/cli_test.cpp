// Smoke tests of `isodrv reg …` run as a process against a temporary --root: Windows-style
// options, output layout, exit codes and the export/import round trip through files.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "isodrv/registry.h"
#include "registry/test_util.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

using isodrv_test::CliRun;
using isodrv_test::slurp;

class RegCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::mt19937_64 rng{std::random_device{}()};
    dir_ = fs::temp_directory_path() / ("isodrv-regcli-" + std::to_string(rng()));
    fs::create_directories(dir_);
    root_ = dir_ / "root";
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root_.string(), "reg"});
    return isodrv_test::run_cli(args, dir_);
  }

  fs::path dir_, root_;
};

}  // namespace

TEST_F(RegCliTest, AddQueryDelete) {
  EXPECT_EQ(run({"add", "HKLM\\SOFTWARE\\Cli", "/v", "Num", "/t", "REG_DWORD", "/d", "0x10", "/f"}).rc, 0);
  EXPECT_EQ(run({"add", "HKLM\\SOFTWARE\\Cli", "/v", "Multi", "/t", "REG_MULTI_SZ", "/d", "a\\0b"}).rc, 0);
  EXPECT_EQ(run({"add", "HKLM\\SOFTWARE\\Cli", "-v", "Bin", "-t", "reg_binary", "-d", "00ff"}).rc, 0);
  EXPECT_EQ(run({"add", "HKLM\\SOFTWARE\\Cli", "/v", "Q", "/t", "REG_QWORD", "/d", "4294967296"}).rc, 0);
  EXPECT_EQ(run({"add", "HKLM\\SOFTWARE\\Cli\\Sub", "/ve", "/d", "hello world"}).rc, 0);

  CliRun q = run({"query", "hklm\\software\\cli"});
  EXPECT_EQ(q.rc, 0) << q.err;
  EXPECT_EQ(q.out,
            "\n"
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Cli\n"
            "    Num    REG_DWORD    0x10\n"
            "    Multi    REG_MULTI_SZ    a\\0b\n"
            "    Bin    REG_BINARY    00FF\n"
            "    Q    REG_QWORD    0x100000000\n"
            "\n"
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Cli\\Sub\n");
  CliRun s = run({"query", "HKLM\\SOFTWARE\\Cli", "/s"});
  EXPECT_EQ(s.rc, 0);
  EXPECT_NE(s.out.find("HKEY_LOCAL_MACHINE\\SOFTWARE\\Cli\\Sub\n    (Default)    REG_SZ    hello world\n"),
            std::string::npos)
      << s.out;
  CliRun v = run({"query", "HKLM\\SOFTWARE\\Cli", "/v", "num"});
  EXPECT_EQ(v.rc, 0);
  EXPECT_EQ(v.out, "\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Cli\n    Num    REG_DWORD    0x10\n");

  EXPECT_EQ(run({"delete", "HKLM\\SOFTWARE\\Cli", "/v", "Num", "/f"}).rc, 0);
  EXPECT_EQ(run({"query", "HKLM\\SOFTWARE\\Cli", "/v", "Num"}).rc, 1);
  EXPECT_EQ(run({"delete", "HKLM\\SOFTWARE\\Cli", "/f"}).rc, 0);
  CliRun gone = run({"query", "HKLM\\SOFTWARE\\Cli"});
  EXPECT_EQ(gone.rc, 1);
  EXPECT_NE(gone.err.find("HKEY_LOCAL_MACHINE\\SOFTWARE\\Cli: the key does not exist"), std::string::npos) << gone.err;
}

TEST_F(RegCliTest, ExitCodes) {
  EXPECT_EQ(run({"query"}).rc, 2);
  EXPECT_EQ(run({"query", "HKLM", "/bogus"}).rc, 2);
  EXPECT_EQ(run({"add", "HKLM\\SOFTWARE\\X", "/v", "a", "/t", "REG_NOPE", "/d", "1"}).rc, 2);
  EXPECT_EQ(run({"add", "HKLM\\SOFTWARE\\X", "/v", "a", "/t", "REG_DWORD", "/d", "zz"}).rc, 2);
  EXPECT_EQ(run({"query", "HKXX\\Y"}).rc, 2);
  EXPECT_EQ(run({"delete", "HKLM\\SYSTEM", "/f"}).rc, 1);  // predefined: refused, as reg.exe does
}

TEST_F(RegCliTest, ExportImportRoundTripThroughFiles) {
  ASSERT_EQ(run({"add", "HKLM\\SOFTWARE\\Trip", "/v", "S", "/d", "quote\" and \\ backslash"}).rc, 0);
  ASSERT_EQ(run({"add", "HKLM\\SOFTWARE\\Trip\\Child", "/v", "E", "/t", "REG_EXPAND_SZ", "/d", "%SystemRoot%"}).rc, 0);
  fs::path file = dir_ / "trip.reg";
  ASSERT_EQ(run({"export", "HKLM\\SOFTWARE\\Trip", file.string()}).rc, 0);
  std::string first = slurp(file);
  ASSERT_GE(first.size(), 2u);
  EXPECT_EQ(first.substr(0, 2), "\xFF\xFE");
  CliRun to_stdout = run({"export", "HKLM\\SOFTWARE\\Trip", "-"});
  EXPECT_EQ(to_stdout.out, first);

  // Into an empty store, then out again: byte-identical.
  root_ = dir_ / "root2";
  ASSERT_EQ(run({"import", file.string()}).rc, 0);
  fs::path again = dir_ / "again.reg";
  ASSERT_EQ(run({"export", "HKLM\\SOFTWARE\\Trip", again.string()}).rc, 0);
  EXPECT_EQ(slurp(again), first);

  CliRun r4 = run({"export", "HKLM\\SOFTWARE\\Trip", "-", "--regedit4"});
  EXPECT_EQ(r4.out.rfind("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Trip]\r\n", 0), 0u) << r4.out;
}

TEST_F(RegCliTest, BadRegFileReportsFileLineAndAppliesNothing) {
  fs::path file = dir_ / "bad.reg";
  std::ofstream(file, std::ios::binary) << "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Half]\r\n"
                                           "\"ok\"=dword:00000001\r\n\"bad\"=hex:xyz\r\n";
  CliRun r = run({"import", file.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find(file.string() + ":5: "), std::string::npos) << r.err;
  EXPECT_EQ(run({"query", "HKLM\\SOFTWARE\\Half"}).rc, 1);
  EXPECT_EQ(run({"import", (dir_ / "missing.reg").string()}).rc, 3);
}
