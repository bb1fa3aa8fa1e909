// Helpers for the device-install tests: a temporary store root per test, staging a fixture INF with
// dummy payload files beside a copy of it, registry exports and running the built CLI.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "isodrv/devinst.h"
#include "isodrv/package.h"
#include "isodrv/registry.h"
#include "isodrv/store.h"
#include "support/cli_run.h"
#include "support/staging.h"
#include "support/scratch.h"

namespace devinst_test {

namespace fs = std::filesystem;

using isodrv_test::slurp;

inline void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline fs::path fixture(const std::string& rel) { return fs::path(ISODRV_TEST_DATA) / "devinst" / "fixtures" / rel; }

class DevinstTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = isodrv_test::scratch_path("isodrv-devinst");
    fs::remove_all(base_);
    root_ = base_ / "root";
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(base_);
  }

  // Copies INF text into a fresh package folder with a dummy file for every payload entry (and the
  // catalog), each with content that names the package so versions differ. Returns the INF path.
  fs::path package_dir(const std::string& name, const std::string& inf_text, const std::string& inf_name,
                       const std::string& salt = "") {
    fs::path dir = base_ / ("pkg-" + name);
    spit(dir / inf_name, inf_text);
    auto doc = isodrv::inf::Document::parse(inf_text, (dir / inf_name).string());
    EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().to_string());
    if (!doc.ok()) return dir / inf_name;
    auto model = isodrv::package::build_package(*doc);
    for (const auto& f : isodrv::package::staged_payload(model)) {
      if (!f.relative_path.empty()) spit(dir / f.relative_path, "payload " + f.relative_path + " " + name + salt + "\n");
    }
    if (auto cat = isodrv::package::catalog_file(*doc, isodrv::inf::Arch::amd64)) spit(dir / *cat, "catalog " + name + "\n");
    return dir / inf_name;
  }

  // Stages a package; returns its published name.
  std::string stage(const fs::path& inf, bool allow_unisolated = false) {
    auto st = isodrv::store::Store::open(root_.string());
    EXPECT_TRUE(st.ok());
    isodrv::store::AddOptions o = isodrv::test::staging();
    o.allow_unisolated = allow_unisolated;
    auto r = st->add(inf.string(), o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? r->package.published_name : std::string();
  }

  isodrv::store::StagedPackage package(const std::string& published) {
    auto st = isodrv::store::Store::open(root_.string());
    auto p = st->find(published);
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : isodrv::store::StagedPackage{};
  }

  isodrv::devinst::Engine engine() {
    auto e = isodrv::devinst::Engine::open(root_.string());
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().to_string());
    return std::move(*e);
  }

  isodrv::registry::Registry reg() {
    auto r = isodrv::registry::Registry::open_root(root_.string());
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }

  // The whole HKLM hive as .reg bytes.
  std::string export_hklm() {
    auto r = reg();
    auto k = r.open_key("HKLM");
    EXPECT_TRUE(k.ok());
    auto bytes = r.export_reg(*k);
    EXPECT_TRUE(bytes.ok());
    return bytes.ok() ? *bytes : std::string();
  }

  isodrv::registry::KeyHandle key(const std::string& path) {
    auto r = reg();
    auto k = r.open_key(path);
    EXPECT_TRUE(k.ok()) << path << ": " << (k.ok() ? "" : k.error().to_string());
    return k.ok() ? *k : isodrv::registry::KeyHandle();
  }

  std::string sz(const std::string& path, const std::string& name) {
    auto v = key(path).get_string(name);
    EXPECT_TRUE(v.ok()) << path << " " << name;
    return v.ok() ? *v : std::string("<missing>");
  }
  std::uint32_t dword(const std::string& path, const std::string& name) {
    auto v = key(path).get_dword(name);
    EXPECT_TRUE(v.ok()) << path << " " << name;
    return v.ok() ? *v : 0xDEADBEEF;
  }
  bool has_value(const std::string& path, const std::string& name) {
    auto r = reg();
    auto k = r.open_key(path);
    return k.ok() && k->query_value(name).ok();
  }
  bool has_key(const std::string& path) {
    auto r = reg();
    return r.open_key(path).ok();
  }

  // Runs the built CLI with --root; stdout into `out`; killed at `crash_point` when given.
  int cli(std::vector<std::string> args, std::string* out = nullptr, const char* crash_point = nullptr) {
    const fs::path out_file = base_ / "cli.out";
    args.insert(args.begin(), {"--root", root_.string()});
    const int rc = isodrv_test::exec_cli(args, out_file, crash_point);
    if (out) *out = slurp(out_file);
    return rc;
  }

  fs::path base_, root_;
};

inline const std::string kCcs = "HKLM\\SYSTEM\\CurrentControlSet";

// The crash-safety tests' driver (kill_test, file_journal_test): DIRID 12 copies outside the store
// (numbat.sys, and shared.sys, which the tests put there first so that an install replaces one file
// and creates another), a .HW AddReg and a service. Staging it needs --allow-unisolated.
inline std::string numbat_inf(const std::string& driver_ver = "05/01/2024,1.0.0.0") {
  return R"([Version]
Signature   = "$WINDOWS NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %Provider%
DriverVer   = )" + driver_ver + R"(

[DestinationDirs]
DefaultDestDir = 12

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
numbat.sys = 1
shared.sys = 1

[Manufacturer]
%Mfg% = Numbat, NTamd64

[Numbat.NTamd64]
%Numbat.DeviceDesc% = Numbat_Device, ROOT\NUMBAT

[Numbat_Device.NT]
CopyFiles = Numbat_Files

[Numbat_Device.NT.HW]
AddReg = Numbat_HW

[Numbat_HW]
HKR,,Mode,0x00010001,3

[Numbat_Files]
numbat.sys
shared.sys

[Numbat_Device.NT.Services]
AddService = numbat, 0x00000002, Numbat_Service

[Numbat_Service]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %12%\numbat.sys

[Strings]
Provider = "Numbat Labs"
Mfg = "Numbat Labs"
Disk = "Numbat Disk"
Numbat.DeviceDesc = "Numbat Device"
)";
}

inline const std::string kNumbatDevice = "ROOT\\NUMBAT\\0000";

}  // namespace devinst_test
