// Helpers for the robustness tests (issue 18): a scratch folder per test, the CLI run through the
// shell (so a test can close stdout, point it at /dev/full or shrink the stack), small packages.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/package.h"
#include "support/cli_run.h"

namespace robustness_test {

namespace fs = std::filesystem;
using isodrv_test::shell_quote;
using isodrv_test::slurp;

inline void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
}

struct CmdRun {
  int rc = -1;
  std::string out, err;
};

class Robustness : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::mt19937_64 rng{std::random_device{}()};
    dir_ = fs::temp_directory_path() / ("isodrv-robust-" + std::to_string(rng()));
    fs::create_directories(dir_);
    root_ = dir_ / "root";
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  // `PREFIX isodrv ARGS REDIRECT` through /bin/sh; ARGS are quoted, PREFIX and REDIRECT are shell
  // syntax. Without a redirect of its own, stdout goes to a file that is read back.
  CmdRun sh(const std::vector<std::string>& args, const std::string& redirect = "", const std::string& prefix = "") {
    std::string cmd = prefix + " " + shell_quote(ISODRV_CLI);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += redirect.empty() ? " >" + shell_quote((dir_ / "out").string()) : " " + redirect;
    cmd += " 2>" + shell_quote((dir_ / "err").string());
    std::error_code ec;
    fs::remove(dir_ / "out", ec);
    const int status = std::system(("cd " + shell_quote(dir_.string()) + " && " + cmd).c_str());
    CmdRun r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = fs::exists(dir_ / "out") ? slurp(dir_ / "out") : std::string();
    r.err = slurp(dir_ / "err");
    return r;
  }
  // The same with --root first.
  CmdRun store(std::vector<std::string> args, const std::string& redirect = "", const std::string& prefix = "") {
    args.insert(args.begin(), {"--root", root_.string()});
    return sh(args, redirect, prefix);
  }

  // A package folder from an INF text: every payload file it names is created.
  fs::path package(const std::string& name, const std::string& inf_text) {
    const fs::path dir = dir_ / ("pkg-" + name);
    const fs::path inf = dir / (name + ".inf");
    spit(inf, inf_text);
    auto doc = isodrv::inf::Document::parse(inf_text, inf.string());
    EXPECT_TRUE(doc.ok());
    if (!doc.ok()) return inf;
    auto model = isodrv::package::build_package(*doc);
    for (const auto& f : isodrv::package::staged_payload(model)) {
      if (!f.relative_path.empty()) spit(dir / f.relative_path, "payload " + f.relative_path + "\n");
    }
    if (auto cat = isodrv::package::catalog_file(*doc, isodrv::inf::Arch::amd64)) spit(dir / *cat, "catalog\n");
    return inf;
  }

  fs::path dir_, root_;
};

// A small isolated package with one device, one service and one file.
inline const char* kQuokkaInf = R"([Version]
Signature="$WINDOWS NT$"
Class=System
ClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}
Provider=%Mfg%
CatalogFile=quokka.cat
DriverVer=01/02/2024,1.2.3.4
PnpLockdown=1

[DestinationDirs]
DefaultDestDir=13

[SourceDisksNames]
1=%Disk%

[SourceDisksFiles]
quokka.sys=1

[Manufacturer]
%Mfg%=Models,NTamd64

[Models.NTamd64]
%Dev%=Quokka_Device, ROOT\QUOKKA

[Quokka_Device.NT]
CopyFiles=Quokka_Files

[Quokka_Files]
quokka.sys

[Quokka_Device.NT.Services]
AddService=quokka,0x00000002,Quokka_Service

[Quokka_Service]
ServiceType=1
StartType=3
ErrorControl=1
ServiceBinary=%13%\quokka.sys

[Strings]
Mfg="Quokka Works"
Disk="Quokka Disk"
Dev="Quokka Device"
)";

}  // namespace robustness_test
