// UMDF 2 (.Wdf): UmdfService writes the driver's key under WUDF\Services with the library version
// and the binary in the driver store; the device-level Umdf* directives land in the device's WUDF
// key; uninstall removes both exactly.
#include "devinst_test_util.h"
#include "isodrv/stamp_tokens.h"

using namespace devinst_test;

namespace {
const std::string kWudf = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\WUDF\\Services";

const char* kWombat = R"([Version]
Signature   = "$WINDOWS NT$"
Class       = Sample
ClassGuid   = {78A1C341-4539-11d3-B88D-00C04FAD5171}
Provider    = %Provider%
DriverVer   = 05/01/2024,1.0.0.0
CatalogFile = wombat.cat
PnpLockdown = 1

[DestinationDirs]
DefaultDestDir = 13

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
wombat.dll = 1
wombatfilter.dll = 1

[Manufacturer]
%Mfg% = Wombat, NTamd64

[Wombat.NTamd64]
%Desc% = Wombat_Device, ROOT\WOMBAT

[Wombat_Device.NT]
CopyFiles = Wombat_Files

[Wombat_Files]
wombat.dll
wombatfilter.dll

[Wombat_Device.NT.Services]
AddService = WUDFRd, 0x000001fa, WUDFRD_ServiceInstall

[WUDFRD_ServiceInstall]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %12%\WUDFRd.sys

[Wombat_Device.NT.Wdf]
UmdfService = Wombat, Wombat_UmdfInstall
UmdfService = WombatFilter, WombatFilter_UmdfInstall
UmdfServiceOrder = Wombat, WombatFilter
UmdfKernelModeClientPolicy = AllowKernelModeClients
UmdfFileObjectPolicy = AllowNullAndUnknownFileObjects
UmdfFsContextUsePolicy = CanUseFsContext2

[Wombat_UmdfInstall]
UmdfLibraryVersion = 2.15.0
ServiceBinary = %13%\wombat.dll

[WombatFilter_UmdfInstall]
UmdfLibraryVersion = 2.15.0
ServiceBinary = %13%\wombatfilter.dll

[Strings]
Provider = "Wombat Labs"
Disk     = "Wombat Disk"
Mfg      = "Wombat Labs"
Desc     = "Wombat Device"
)";
}  // namespace

class Umdf : public DevinstTest {};

TEST_F(Umdf, WdfSectionWritesServiceAndDeviceKeysAndUndoesThem) {
  const std::string oem = stage(package_dir("wombat", kWombat, "wombat.inf"), true);
  const std::string id = "ROOT\\WOMBAT\\0000";
  auto e = engine();
  ASSERT_TRUE(e.add_device({id, {"ROOT\\WOMBAT"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const std::string folder = "C:\\Windows\\System32\\DriverStore\\FileRepository\\" + package(oem).folder;
  EXPECT_EQ(sz(kWudf + "\\Wombat", "UmdfLibraryVersion"), "2.15.0");
  EXPECT_EQ(sz(kWudf + "\\Wombat", "ServiceBinary"), folder + "\\wombat.dll");
  EXPECT_EQ(key(kWudf + "\\Wombat").query_value("ServiceBinary")->type, isodrv::registry::kRegExpandSz);
  EXPECT_EQ(sz(kWudf + "\\WombatFilter", "ServiceBinary"), folder + "\\wombatfilter.dll");
  const std::string wudf = kCcs + "\\Enum\\" + id + "\\Device Parameters\\WUDF";
  auto order = key(wudf).get_multi_sz("UmdfServiceOrder");
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order,
            (std::vector<std::string>{"Wombat", "WombatFilter"}));
  EXPECT_EQ(sz(wudf, "UmdfKernelModeClientPolicy"), "AllowKernelModeClients");
  EXPECT_EQ(sz(wudf, "UmdfFileObjectPolicy"), "AllowNullAndUnknownFileObjects");
  EXPECT_EQ(sz(wudf, "UmdfFsContextUsePolicy"), "CanUseFsContext2");
  // The reflector as the device's function driver (the INF's own AddService, Windows 10 style).
  EXPECT_EQ(sz(kCcs + "\\Enum\\" + id, "Service"), "WUDFRd");
  ASSERT_TRUE(e.uninstall(id).ok());
  EXPECT_EQ(export_hklm(), before);
  EXPECT_FALSE(has_key(kWudf + "\\Wombat"));
}

TEST_F(Umdf, CorpusDchuBaseWritesItsTwoUmdfServices) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  const fs::path base_inx = corpus / "windows-driver-samples/general/DCHU/osrfx2_DCHU_base/osrfx2_DCHU_base/osrfx2_DCHU_base.inx";
  if (!fs::exists(corpus / "MANIFEST.tsv") || !fs::exists(base_inx)) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  auto stamped = isodrv::stamp::accept_tokens_for_check(slurp(base_inx), isodrv::inf::Arch::amd64);
  const std::string oem = stage(package_dir("base", stamped, "osrfx2_DCHU_base.inf"), true);
  const std::string id = "USB\\VID_0547&PID_1002\\5&1a2b3c&0&1";
  auto e = engine();
  ASSERT_TRUE(e.set_inbox_folder(fixture("inbox").string()).ok());  // its Include = wudfrd.inf
  ASSERT_TRUE(e.add_device({id, {"USB\\VID_0547&PID_1002"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const std::string folder = "C:\\Windows\\System32\\DriverStore\\FileRepository\\" + package(oem).folder;
  EXPECT_EQ(sz(kWudf + "\\WUDFOsrFx2", "ServiceBinary"), folder + "\\osrfx2_DCHU_base.dll");
  EXPECT_EQ(sz(kWudf + "\\WUDFOsrFx2Filter", "ServiceBinary"), folder + "\\osrfx2_DCHU_filter.dll");
  EXPECT_FALSE(sz(kWudf + "\\WUDFOsrFx2", "UmdfLibraryVersion").empty());
  const std::string wudf = kCcs + "\\Enum\\" + id + "\\Device Parameters\\WUDF";
  auto order = key(wudf).get_multi_sz("UmdfServiceOrder");
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order,
            (std::vector<std::string>{"WUDFOsrFx2", "WUDFOsrFx2Filter"}));
  EXPECT_EQ(sz(wudf, "UmdfDispatcher"), "NativeUSB");
  ASSERT_TRUE(e.uninstall(id).ok());
  EXPECT_EQ(export_hklm(), before);
}
