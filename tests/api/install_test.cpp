// The API meets the install engine at the registry: a package installed with `isodrv driver add
// --install` on a device made with `isodrv device add` resolves through every state location.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "isodrv/api.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;
namespace api = isodrv::api;

namespace {

using isodrv_test::CliRun;
using isodrv_test::slurp;

constexpr const char* kItfGuid = "{6bdd1fc6-810f-11d0-bec7-08002be2092f}";

// An isolated package with a .HW value, an interface with a reference string and its own value,
// and a run-from-store service with a Parameters default.
const char* kInf = R"([Version]
Signature = "$Windows NT$"
Class = System
ClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider = %P%
CatalogFile = bilby.cat
DriverVer = 11/24/2026,1.0.0.0
PnpLockdown = 1

[DestinationDirs]
DefaultDestDir = 13

[SourceDisksNames]
1 = %D%,,,

[SourceDisksFiles]
bilby.sys = 1,,

[Manufacturer]
%P% = Bilby, NTamd64.10.0...16299

[Bilby.NTamd64.10.0...16299]
%Desc% = Bilby_Device, Root\Bilby

[Bilby_Device.NT]
CopyFiles = Bilby_Files

[Bilby_Device.NT.HW]
AddReg = Bilby_HW_AddReg

[Bilby_HW_AddReg]
HKR,,Gain,0x00010001,5

[Bilby_Files]
bilby.sys

[Bilby_Device.NT.Interfaces]
AddInterface = {6bdd1fc6-810f-11d0-bec7-08002be2092f},Wave,Bilby_Itf

[Bilby_Itf]
AddReg = Bilby_Itf_AddReg

[Bilby_Itf_AddReg]
HKR,,Volume,0x00010001,11

[Bilby_Device.NT.Services]
AddService = bilby, 0x00000002, Bilby_Service

[Bilby_Service]
ServiceType = 1
StartType = 3
ErrorControl = 1
ServiceBinary = %13%\bilby.sys
AddReg = Bilby_Service_AddReg

[Bilby_Service_AddReg]
HKR,Parameters,Speed,0x00010001,3

[Strings]
P = "Bilby Labs"
D = "Bilby Disk"
Desc = "Bilby Device"
)";

class InstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::mt19937_64 rng{std::random_device{}()};
    base_ = fs::temp_directory_path() / ("isodrv-api-install-" + std::to_string(rng()));
    root_ = base_ / "root";
    fs::create_directories(base_ / "pkg");
    std::ofstream(base_ / "pkg/bilby.inf", std::ios::binary) << kInf;
    std::ofstream(base_ / "pkg/bilby.sys", std::ios::binary) << "bilby driver";
    std::ofstream(base_ / "pkg/bilby.cat", std::ios::binary) << "catalog";
  }
  void TearDown() override { fs::remove_all(base_); }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root_.string()});
    return isodrv_test::run_cli(args, base_);
  }
  std::string line(const std::vector<std::string>& args) {
    auto r = run(args);
    EXPECT_EQ(r.rc, 0) << r.err;
    if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }

  fs::path base_, root_;
};

}  // namespace

TEST_F(InstallTest, InstalledDeviceResolvesThroughEveryLocation) {
  // A read command on a root without a store says so and creates nothing (issue 17).
  ASSERT_EQ(run({"device", "list"}).rc, 3);
  const std::string id = "ROOT\\BILBY\\0000";
  auto added = run({"device", "add", id, "--hwid", "Root\\Bilby"});
  ASSERT_EQ(added.rc, 0) << added.err;
  auto installed = run({"driver", "add", (base_ / "pkg/bilby.inf").string(), "--install"});
  ASSERT_EQ(installed.rc, 0) << installed.out << installed.err;
  auto shown = run({"device", "show", id, "--json"});
  ASSERT_EQ(shown.rc, 0) << shown.err;
  auto j = nlohmann::json::parse(shown.out);

  // The keys the engine reports are the keys the API opens.
  EXPECT_EQ(line({"state", "device-key", id, "--type", "hardware", "--existing"}), j["hardware_key"].get<std::string>());
  EXPECT_EQ(line({"state", "device-key", id, "--type", "software", "--existing"}), j["software_key"].get<std::string>());
  ASSERT_TRUE(j["interfaces"].is_array() && !j["interfaces"].empty());
  std::string link = j["interfaces"][0];
  EXPECT_EQ(line({"state", "interface-key", link, "--existing"}),
            std::string("HKLM\\SYSTEM\\CurrentControlSet\\Control\\DeviceClasses\\") + kItfGuid + "\\##?#ROOT#BILBY#0000#" +
                kItfGuid + "\\#Wave\\Device Parameters");
  std::string folder = "C:\\Windows\\System32\\DriverStore\\FileRepository\\" + std::string(j["driver"]["folder"]);
  EXPECT_EQ(line({"state", "driver-dir", "bilby", "--type", "image"}), folder);
  EXPECT_EQ(line({"state", "driver-path", "bilby"}), folder + "\\bilby.sys");
  EXPECT_TRUE(fs::is_regular_file(line({"state", "driver-path", "bilby", "--host"})));
  EXPECT_EQ(line({"state", "driver-key", "bilby", "--type", "parameters", "--existing"}),
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\bilby\\Parameters");

  // What the INF wrote is what the driver reads.
  auto s = api::Session::open(root_.string());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  auto hw = s->open_device_key(id, api::DeviceKeyType::hardware, api::Disposition::open_existing);
  ASSERT_TRUE(hw.ok()) << hw.error().to_string();
  EXPECT_EQ(hw->get_dword("Gain").value(), 5u);
  auto itf = s->open_interface_key(link, api::Disposition::open_existing);
  ASSERT_TRUE(itf.ok()) << itf.error().to_string();
  EXPECT_EQ(itf->get_dword("Volume").value(), 11u);
  auto params = s->open_driver_key("bilby", api::DriverKeyType::parameters, api::Disposition::open_existing);
  auto state = s->open_driver_key("bilby", api::DriverKeyType::persistent_state);
  ASSERT_TRUE(params.ok() && state.ok());
  EXPECT_TRUE(params->read_only());
  auto speed = api::query_value_with_fallback(*state, *params, "Speed");
  ASSERT_TRUE(speed.ok()) << speed.error().to_string();
  EXPECT_EQ(speed->data, isodrv::registry::encode_dword(3));
  auto sw = s->open_device_key(id, api::DeviceKeyType::software, api::Disposition::open_existing);
  ASSERT_TRUE(sw.ok()) << sw.error().to_string();
  EXPECT_EQ(sw->get_string("InfPath").value(), "oem0.inf");
}
