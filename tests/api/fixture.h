// A store root holding the registry state a real install produces (registry-layout.md §1), built
// directly with the registry API: devices, a software key, a run-from-store service, interfaces.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "isodrv/api.h"
#include "isodrv/registry.h"

namespace apitest {

namespace fs = std::filesystem;

inline constexpr const char* kClassGuid = "{4d36e97d-e325-11ce-bfc1-08002be10318}";
inline constexpr const char* kItfGuid = "{6bdd1fc6-810f-11d0-bec7-08002be2092f}";
inline constexpr const char* kDevice = "ROOT\\BILBY\\0000";
inline constexpr const char* kNoDriverDevice = "ROOT\\BILBY\\0001";
inline constexpr const char* kFolder = "bilby.inf_amd64_0123456789abcdef";
inline constexpr const char* kCcs = "HKLM\\SYSTEM\\CurrentControlSet";

// The value of a Result, failing the test (and returning T{}) when it holds an error.
template <typename T>
T V(isodrv::Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return T{};
  return std::move(r).value();
}

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::mt19937_64 rng{std::random_device{}()};
    base_ = fs::temp_directory_path() / ("isodrv-api-" + std::to_string(rng()));
    root_ = base_ / "root";
    fs::create_directories(root_);
    auto reg = isodrv::registry::Registry::open_root(root_.string());
    ASSERT_TRUE(reg.ok()) << reg.error().to_string();
    reg_ = *reg;
    populate();
  }
  void TearDown() override { fs::remove_all(base_); }

  isodrv::registry::KeyHandle key(const std::string& rel) {
    auto k = reg_.open_key(std::string(kCcs) + "\\" + rel, isodrv::registry::Disposition::open_always);
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    return k.ok() ? *k : isodrv::registry::KeyHandle();
  }
  bool key_exists(const std::string& rel) { return reg_.open_key(std::string(kCcs) + "\\" + rel).ok(); }

  void populate() {
    auto dev = key(std::string("Enum\\") + kDevice);
    ASSERT_TRUE(dev.set_multi_sz("HardwareID", {"Root\\Bilby"}).ok());
    ASSERT_TRUE(dev.set_string("Service", "bilby").ok());
    ASSERT_TRUE(dev.set_string("Driver", std::string(kClassGuid) + "\\0000").ok());
    ASSERT_TRUE(dev.set_string("ClassGUID", kClassGuid).ok());
    auto sw = key(std::string("Control\\Class\\") + kClassGuid + "\\0000");
    ASSERT_TRUE(sw.set_string("DriverDesc", "Bilby Device").ok());
    ASSERT_TRUE(sw.set_string("InfPath", "oem0.inf").ok());
    auto nodrv = key(std::string("Enum\\") + kNoDriverDevice);
    ASSERT_TRUE(nodrv.set_multi_sz("HardwareID", {"Root\\Bilby"}).ok());

    auto svc = key("Services\\bilby");
    ASSERT_TRUE(svc.set_dword("Type", 1).ok());
    ASSERT_TRUE(svc.set_dword("Start", 3).ok());
    ASSERT_TRUE(svc.set_string("ImagePath", std::string("\\SystemRoot\\System32\\DriverStore\\FileRepository\\") +
                                                kFolder + "\\bilby.sys",
                               isodrv::registry::kRegExpandSz)
                    .ok());
    ASSERT_TRUE(key("Services\\bilby\\Parameters").set_dword("Speed", 3).ok());
    auto folder = root_ / "Windows/System32/DriverStore/FileRepository" / kFolder;
    fs::create_directories(folder);
    std::ofstream(folder / "bilby.sys") << "driver";
    key("Services\\noimage").set_dword("Type", 1).ok();

    // Two interfaces of one class: without and with a reference string.
    std::string itf = std::string("Control\\DeviceClasses\\") + kItfGuid + "\\##?#ROOT#BILBY#0000#" + kItfGuid;
    ASSERT_TRUE(key(itf).set_string("DeviceInstance", kDevice).ok());
    ASSERT_TRUE(key(itf + "\\#").set_string("SymbolicLink", link()).ok());
    ASSERT_TRUE(key(itf + "\\#Wave").set_string("SymbolicLink", link("Wave")).ok());
  }

  static std::string link(const std::string& ref = "", const std::string& prefix = "\\\\?\\") {
    return prefix + "ROOT#BILBY#0000#" + kItfGuid + (ref.empty() ? "" : "\\" + ref);
  }

  fs::path base_, root_;
  isodrv::registry::Registry reg_;
};

}  // namespace apitest
