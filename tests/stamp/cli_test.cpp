// `isodrv stamp` through the built CLI: stampinf's options, in place and -o, the environment it reads
// (STAMPINF_DATE, STAMPINF_VERSION, PRIVATE_DRIVER_PACKAGE, SOURCE_DATE_EPOCH), and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "isodrv/inf.h"
#include "stamp_test_util.h"
#include "support/cli_run.h"
#include "support/scratch.h"

namespace fs = std::filesystem;

namespace {

using isodrv_test::CliRun;

using isodrv_test::slurp;

class StampCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = isodrv_test::scratch_path("isodrv-stamp-cli");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& bytes) { std::ofstream(dir_ / name, std::ios::binary) << bytes; }
  std::string read(const std::string& name) { return slurp(dir_ / name); }

  // Runs the CLI in the temp folder with a clean stampinf environment plus `env`.
  CliRun run(const std::string& args, const std::string& env = "") {
    const std::string cmd = "cd '" + dir_.string() +
                            "' && env -u STAMPINF_DATE -u STAMPINF_VERSION -u PRIVATE_DRIVER_PACKAGE -u Platform "
                            "-u SOURCE_DATE_EPOCH " + env + " '" + ISODRV_CLI + "' stamp " + args +
                            " >out.txt 2>err.txt";
    CliRun r;
    int st = std::system(cmd.c_str());
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = read("out.txt");
    r.err = read("err.txt");
    fs::remove(dir_ / "out.txt");
    fs::remove(dir_ / "err.txt");
    return r;
  }

  fs::path dir_;
};

const char* const kInx =
    "[Version]\r\n"
    "Signature=\"$WINDOWS NT$\"\r\n"
    "Class=Sample\r\n"
    "DriverVer=01/01/2020,1.0.0.0\r\n"
    "\r\n"
    "[Manufacturer]\r\n"
    "%P%=Std,NT$ARCH$\r\n"
    "[Std.NT$ARCH$]\r\n"
    "[x_wdf]\r\n"
    "KmdfLibraryVersion=$KMDFVERSION$\r\n"
    "[Strings]\r\n"
    "P=\"Prov\"\r\n";

TEST_F(StampCli, StampsInPlaceWithStampinfOptions) {
  const std::string in = stamp_test::as_file(kInx, isodrv::inf::Encoding::utf16le_bom);
  write("x.inf", in);
  CliRun r = run("-f x.inf -a amd64 -k 1.15 -d 10/20/2011 -v 1.2.3.4 -c x.cat");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::string expected = kInx;
  auto sub = [&](const std::string& a, const std::string& b) { expected.replace(expected.find(a), a.size(), b); };
  sub("01/01/2020,1.0.0.0\r\n", "10/20/2011,1.2.3.4\r\nCatalogFile=x.cat\r\n");
  sub("NT$ARCH$\r\n", "NTamd64\r\n");
  sub("[Std.NT$ARCH$]", "[Std.NTamd64]");
  sub("$KMDFVERSION$", "1.15");
  EXPECT_EQ(read("x.inf"), stamp_test::as_file(expected, isodrv::inf::Encoding::utf16le_bom));
}

TEST_F(StampCli, OutputOptionLeavesInputAlone) {
  write("x.inx", kInx);
  CliRun r = run("-f x.inx -o x.inf -a x86 -d 10/20/2011 -v 1.0");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(read("x.inx"), kInx);
  EXPECT_NE(read("x.inf").find("DriverVer=10/20/2011,1.0\r\n"), std::string::npos);
  EXPECT_NE(read("x.inf").find("[Std.NTx86]"), std::string::npos);
  EXPECT_NE(r.err.find("$KMDFVERSION$ is left as it is"), std::string::npos) << r.err;

  CliRun s = run("x.inx -o - -a arm64 -d 10/20/2011 -v 1.0 -x");
  ASSERT_EQ(s.rc, 0) << s.err;
  EXPECT_NE(s.out.find("[Std.NTarm64]"), std::string::npos) << "positional file and -o - (standard output)";
  EXPECT_EQ(read("x.inx"), kInx);
}

TEST_F(StampCli, StarsAndSourceDateEpochAreReproducible) {
  write("x.inf", kInx);
  // 2024-02-29 13:05:09 UTC
  CliRun r = run("-f x.inf -a amd64 -d '*' -v '*'", "SOURCE_DATE_EPOCH=1709211909");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(read("x.inf").find("DriverVer=02/29/2024,13.5.9.0\r\n"), std::string::npos) << read("x.inf");
}

TEST_F(StampCli, EnvironmentDefaults) {
  write("x.inf", kInx);
  CliRun r = run("-f x.inf -a amd64", "STAMPINF_DATE=03/04/2021 STAMPINF_VERSION=5.6.7.8");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(read("x.inf").find("DriverVer=03/04/2021,5.6.7.8\r\n"), std::string::npos);

  write("y.inf", kInx);
  CliRun d = run("-f y.inf -d -a amd64", "STAMPINF_DATE=03/04/2021");
  ASSERT_EQ(d.rc, 0) << d.err;
  EXPECT_NE(read("y.inf").find("DriverVer=03/04/2021,1.0.0.0\r\n"), std::string::npos) << "bare -d reads STAMPINF_DATE; version kept";

  write("z.inf", kInx);
  CliRun p = run("-f z.inf", "Platform=x64 PRIVATE_DRIVER_PACKAGE=1 SOURCE_DATE_EPOCH=1709211909");
  ASSERT_EQ(p.rc, 0) << p.err;
  EXPECT_NE(read("z.inf").find("DriverVer=02/29/2024,13.5.9.0\r\nCatalogFile=delta.cat\r\n"), std::string::npos) << read("z.inf");
  EXPECT_NE(read("z.inf").find("[Std.NTamd64]"), std::string::npos) << "Platform=x64 stands for -a";
}

TEST_F(StampCli, NtverpSuppliesTheVersion) {
  write("x.inf", kInx);
  write("ntverp.h", "#define VER_PRODUCTMAJORVERSION 10\n#define VER_PRODUCTMINORVERSION 0\n#define VER_PRODUCTBUILD 26100\n");
  CliRun r = run("-f x.inf -a amd64 -d 10/20/2011 -i .");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(read("x.inf").find("DriverVer=10/20/2011,10.0.26100.0\r\n"), std::string::npos);
}

TEST_F(StampCli, VerboseShowsEdits) {
  write("x.inf", kInx);
  CliRun r = run("-f x.inf -a amd64 -k 1.33 -d 10/20/2011 -v 1.0 -n");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find("x.inf:4: - DriverVer=01/01/2020,1.0.0.0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("x.inf:4: + DriverVer=10/20/2011,1.0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("x.inf:7: + %P%=Std,NTamd64"), std::string::npos) << r.err;
}

TEST_F(StampCli, ErrorsAndExitCodes) {
  write("x.inf", kInx);
  struct Case {
    const char* args;
    int rc;
    const char* message;
  } cases[] = {
      {"-f x.inf -d 13/45/2011", 2, "-d: date '13/45/2011' is not a calendar date"},
      {"-f x.inf -d 10/20/2011 -v 0.0.0.0", 2, "-v: version '0.0.0.0' is all zeros"},
      {"-f x.inf -d 10/20/2011 -a mips", 2, "-a: architecture 'mips'"},
      {"-f x.inf -d 10/20/2011 -k 1", 2, "-k: KMDF version '1'"},
      {"-f x.inf -d 10/20/2011 -u ..0", 2, "-u: UMDF version '..0'"},
      {"-f x.inf -d 10/20/2011 -s Nowhere", 2, "x.inf: section [Nowhere] given with -s does not exist"},
      {"-f missing.inf -d 10/20/2011", 3, "missing.inf: the file does not exist"},
      {"", 2, "give the INF or INX to stamp"},
      {"-f x.inf -t 1", 2, ""},
  };
  for (const auto& c : cases) {
    CliRun r = run(c.args);
    EXPECT_EQ(r.rc, c.rc) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_EQ(read("x.inf"), kInx) << "failed runs leave the file alone";

  write("bad.inf", "[Version]\r\nClass=X\r\n");
  CliRun bad = run("-f bad.inf -d 10/20/2011 -v 1.0");
  EXPECT_EQ(bad.rc, 1) << "not an INF (ERROR_WRONG_INF_STYLE): " << bad.err;
  EXPECT_NE(bad.err.find("bad.inf"), std::string::npos) << bad.err;

  write("cont.inf", "[Version]\r\nSignature=\"$Windows NT$\"\r\nDriverVer=01/01/2020,\\\r\n1.0\r\n");
  CliRun cont = run("-f cont.inf -d 10/20/2011 -v 1.0");
  EXPECT_EQ(cont.rc, 2) << cont.err;
  EXPECT_NE(cont.err.find("cont.inf:3: DriverVer is continued"), std::string::npos) << cont.err;
}

}  // namespace
