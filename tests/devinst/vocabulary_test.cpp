// The rest of the section vocabulary (issue 12 part 5): DelFiles and RenFiles outside the driver
// store, DelService with SPSVCINST_DELETEEVENTLOGENTRY, Reboot recorded as a pending restart,
// .CoInstallers registered and recorded but not run, FLG_ADDREG_32BITKEY into the 32-bit view.
// Each is undone exactly by uninstall (HKLM export and files as before); a kill before commit
// leaves the deleted and renamed files as they were.
#include <csignal>

#include "devinst/wow64.h"
#include "devinst_test_util.h"

using namespace devinst_test;

namespace {

const char* kBilbyInf = R"([Version]
Signature   = "$WINDOWS NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %Provider%
DriverVer   = 05/01/2024,1.0.0.0

[DestinationDirs]
DefaultDestDir = 12
Bilby_Old      = 12
Bilby_Ren      = 11
Bilby_Store    = 13

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
bilby.sys = 1
bilbyco.dll = 1

[Manufacturer]
%Mfg% = Bilby, NTamd64

[Bilby.NTamd64]
%Desc% = Bilby_Device, ROOT\BILBY

[Bilby_Device.NT]
DelFiles  = Bilby_Old, Bilby_Store, @bilbyone.sys
RenFiles  = Bilby_Ren
CopyFiles = Bilby_Files
AddReg    = Bilby_Wow
Reboot

[Bilby_Files]
bilby.sys

[Bilby_Old]
bilbyold.sys
missing.sys

[Bilby_Store]
bilby.sys

[Bilby_Ren]
bilbynew.dll, bilbyold.dll

[Bilby_Wow]
HKLM, Software\Bilby, Path, 0x00004000, "32-bit"
HKLM, Software\Bilby, Path, 0, "64-bit"
HKLM, Software\Classes\CLSID\{2F1C8A8E-0C3B-4E7A-9D0B-6A1B2C3D4E5F}, , 0x00004000, "Bilby COM"
HKCR, CLSID\{2F1C8A8E-0C3B-4E7A-9D0B-6A1B2C3D4E5F}\InprocServer32, , 0x00004000, "bilby32.dll"
HKCR, .bilby, , 0x00004000, "BilbyFile"
HKLM, Software\Policies\Bilby, Shared, 0x00014001, 1
HKLM, System\CurrentControlSet\Control\Bilby, Native, 0x00014001, 2

[Bilby_Device.NT.CoInstallers]
AddReg    = Bilby_CoInst_AddReg
CopyFiles = Bilby_CoInst_Files

[Bilby_CoInst_AddReg]
HKR, , CoInstallers32, 0x00010000, "bilbyco.dll,BilbyCoInstaller"

[Bilby_CoInst_Files]
bilbyco.dll

[Bilby_Device.NT.Services]
DelService = OldBilby, 0x00000204
DelService = KeptLog
AddService = Bilby, 0x00000002, Bilby_Service

[Bilby_Service]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %12%\bilby.sys

[Strings]
Provider = "Bilby Labs"
Mfg = "Bilby Labs"
Disk = "Bilby Disk"
Desc = "Bilby Device"
)";

const std::string kDevice = "ROOT\\BILBY\\0000";
const std::string kClsid = "{2F1C8A8E-0C3B-4E7A-9D0B-6A1B2C3D4E5F}";

class Vocabulary : public DevinstTest {
 protected:
  fs::path system32() const { return root_ / "Windows/System32"; }
  fs::path drivers() const { return system32() / "drivers"; }

  // What an earlier version of the driver left: two services, their event-log registrations and
  // two files.
  void earlier_version() {
    auto r = reg();
    for (const char* svc : {"OldBilby", "KeptLog"}) {
      auto k = r.open_key(kCcs + "\\Services\\" + svc, isodrv::registry::Disposition::open_always);
      ASSERT_TRUE(k.ok());
      ASSERT_TRUE(k->set_value("Start", isodrv::registry::Value{isodrv::registry::kRegDword, isodrv::registry::encode_dword(3)}).ok());
      auto p = r.open_key(kCcs + "\\Services\\" + svc + "\\Parameters", isodrv::registry::Disposition::open_always);
      ASSERT_TRUE(p.ok());
      auto ev = r.open_key(kCcs + "\\Services\\EventLog\\System\\" + svc, isodrv::registry::Disposition::open_always);
      ASSERT_TRUE(ev.ok());
      ASSERT_TRUE(ev->set_value("TypesSupported", isodrv::registry::Value{isodrv::registry::kRegDword, isodrv::registry::encode_dword(7)}).ok());
    }
    spit(drivers() / "bilbyold.sys", "old driver\n");
    spit(drivers() / "bilbyone.sys", "old single file\n");
    spit(system32() / "bilbyold.dll", "old library\n");
  }
};

}  // namespace

TEST_F(Vocabulary, EveryDirectiveAppliesAndUninstallUndoesItExactly) {
  stage(package_dir("bilby", kBilbyInf, "bilby.inf"), true);
  earlier_version();
  auto e = engine();
  ASSERT_TRUE(e.add_device({kDevice, {"ROOT\\BILBY"}, {}}).ok());
  const std::string before = export_hklm();

  auto r = e.install(kDevice);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // DelFiles outside the store deletes; in the store (DIRID 13) it is never applied.
  EXPECT_FALSE(fs::exists(drivers() / "bilbyold.sys"));
  // DelFiles=@file deletes that file from DefaultDestDir (DIRID 12), as CopyFiles=@file copies there.
  EXPECT_FALSE(fs::exists(drivers() / "bilbyone.sys"));
  bool store_note = false;
  for (const auto& n : r->notes) store_note = store_note || n.find("does not act on the driver store") != std::string::npos;
  EXPECT_TRUE(store_note);
  // RenFiles renames in its list's folder (DIRID 11), before CopyFiles.
  EXPECT_FALSE(fs::exists(system32() / "bilbyold.dll"));
  EXPECT_EQ(slurp(system32() / "bilbynew.dll"), "old library\n");
  // DelService: the service goes; its event-log key only with SPSVCINST_DELETEEVENTLOGENTRY.
  EXPECT_FALSE(has_key(kCcs + "\\Services\\OldBilby"));
  EXPECT_FALSE(has_key(kCcs + "\\Services\\EventLog\\System\\OldBilby"));
  EXPECT_FALSE(has_key(kCcs + "\\Services\\KeptLog"));
  EXPECT_TRUE(has_key(kCcs + "\\Services\\EventLog\\System\\KeptLog"));
  EXPECT_EQ(dword(kCcs + "\\Services\\Bilby", "Start"), 3u);
  // 32BITKEY: SOFTWARE and the COM keys of Classes go to WOW6432Node; shared and SYSTEM keys stay.
  EXPECT_EQ(sz("HKLM\\SOFTWARE\\WOW6432Node\\Bilby", "Path"), "32-bit");
  EXPECT_EQ(sz("HKLM\\SOFTWARE\\Bilby", "Path"), "64-bit");
  EXPECT_EQ(sz("HKLM\\SOFTWARE\\Classes\\WOW6432Node\\CLSID\\" + kClsid, ""), "Bilby COM");
  EXPECT_EQ(sz("HKCR\\WOW6432Node\\CLSID\\" + kClsid + "\\InprocServer32", ""), "bilby32.dll");
  EXPECT_EQ(sz("HKCR\\.bilby", ""), "BilbyFile");
  EXPECT_EQ(dword("HKLM\\SOFTWARE\\Policies\\Bilby", "Shared"), 1u);
  EXPECT_EQ(dword(kCcs + "\\Control\\Bilby", "Native"), 2u);
  // The co-installer is registered where Windows registers it, and recorded as not run.
  auto sw = e.device(kDevice);
  ASSERT_TRUE(sw.ok());
  auto co = key(sw->software_key.empty() ? "HKLM" : sw->software_key).get_multi_sz("CoInstallers32");
  ASSERT_TRUE(co.ok());
  EXPECT_EQ(*co, std::vector<std::string>{"bilbyco.dll,BilbyCoInstaller"});
  EXPECT_EQ(sw->coinstallers, std::vector<std::string>{"bilbyco.dll,BilbyCoInstaller"});
  // Reboot: a pending restart, with the line that asked for it.
  EXPECT_EQ(sw->pending_restart, "Reboot");
  EXPECT_NE(sw->pending_restart_source.find("bilby.inf:"), std::string::npos);

  ASSERT_TRUE(e.uninstall(kDevice).ok());
  EXPECT_EQ(export_hklm(), before);
  EXPECT_EQ(slurp(drivers() / "bilbyold.sys"), "old driver\n");
  EXPECT_EQ(slurp(drivers() / "bilbyone.sys"), "old single file\n");
  EXPECT_EQ(slurp(system32() / "bilbyold.dll"), "old library\n");
  EXPECT_FALSE(fs::exists(system32() / "bilbynew.dll"));
  EXPECT_FALSE(fs::exists(drivers() / "bilby.sys"));
  auto after = e.device(kDevice);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->pending_restart.empty());
  EXPECT_TRUE(after->coinstallers.empty());
}

TEST_F(Vocabulary, DeviceShowPrintsPendingRestartAndCoInstallersInTextAndJson) {
  stage(package_dir("bilby", kBilbyInf, "bilby.inf"), true);
  ASSERT_EQ(cli({"device", "add", kDevice, "--hwid", "ROOT\\BILBY"}), 0);
  ASSERT_EQ(cli({"device", "install", kDevice}), 0);
  std::string text, json;
  ASSERT_EQ(cli({"device", "show", kDevice}, &text), 0);
  EXPECT_NE(text.find("Pending Restart:    Reboot ("), std::string::npos) << text;
  EXPECT_NE(text.find("Co-installer:       bilbyco.dll,BilbyCoInstaller (non-universal; not executed)"), std::string::npos) << text;
  ASSERT_EQ(cli({"device", "show", kDevice, "--json"}, &json), 0);
  EXPECT_NE(json.find("\"kind\": \"Reboot\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"coinstallers\": [\n    \"bilbyco.dll,BilbyCoInstaller\"\n  ]"), std::string::npos) << json;
}

TEST_F(Vocabulary, KilledBeforeCommitTheDeletedAndRenamedFilesComeBack) {
  stage(package_dir("bilby", kBilbyInf, "bilby.inf"), true);
  earlier_version();
  ASSERT_EQ(cli({"device", "add", kDevice, "--hwid", "ROOT\\BILBY"}), 0);
  const std::string before = export_hklm();
  ASSERT_EQ(cli({"device", "install", kDevice}, nullptr, "devinst:before-commit"), -SIGKILL);
  EXPECT_FALSE(fs::exists(drivers() / "bilbyold.sys")) << "the delete happened before the kill";
  EXPECT_FALSE(fs::exists(drivers() / "bilbyone.sys"));
  ASSERT_EQ(cli({"device", "list"}), 0);
  EXPECT_EQ(slurp(drivers() / "bilbyold.sys"), "old driver\n");
  EXPECT_EQ(slurp(drivers() / "bilbyone.sys"), "old single file\n");
  EXPECT_EQ(slurp(system32() / "bilbyold.dll"), "old library\n");
  EXPECT_FALSE(fs::exists(system32() / "bilbynew.dll"));
  EXPECT_EQ(export_hklm(), before);
  EXPECT_EQ(cli({"store", "verify"}), 0);
  ASSERT_EQ(cli({"device", "install", kDevice}), 0);
  EXPECT_FALSE(fs::exists(drivers() / "bilbyold.sys"));
}

TEST_F(Vocabulary, DelServiceKeepsAServiceAnotherInstalledDriverUses) {
  const char* kUser = R"([Version]
Signature   = "$WINDOWS NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %P%
DriverVer   = 05/01/2024,1.0.0.0
[Manufacturer]
%P% = M, NTamd64
[M.NTamd64]
%P% = Dev, ROOT\OLDBILBY
[Dev.NT]
[Dev.NT.Services]
AddService = OldBilby, 0x2, Svc
[Svc]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %12%\oldbilby.sys
[Strings]
P = "Old Bilby"
)";
  stage(package_dir("user", kUser, "user.inf"), true);
  stage(package_dir("bilby", kBilbyInf, "bilby.inf"), true);
  auto e = engine();
  ASSERT_TRUE(e.add_device({"ROOT\\OLDBILBY\\0000", {"ROOT\\OLDBILBY"}, {}}).ok());
  ASSERT_TRUE(e.add_device({kDevice, {"ROOT\\BILBY"}, {}}).ok());
  ASSERT_TRUE(e.install("ROOT\\OLDBILBY\\0000").ok());
  auto r = e.install(kDevice);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(has_key(kCcs + "\\Services\\OldBilby"));
  bool kept = false;
  for (const auto& n : r->notes) kept = kept || n.find("DelService OldBilby: another installed driver uses the service") != std::string::npos;
  EXPECT_TRUE(kept);
}

// The 32-bit view per "Registry Keys Affected by WOW64" (winprog64 docs): {root, subkey, expected}.
TEST(Wow64View, RedirectedAndSharedKeys) {
  struct Row {
    const char* root;
    const char* subkey;
    const char* expected;
  };
  const Row rows[] = {
      {"HKLM", "SOFTWARE\\Vendor\\App", "SOFTWARE\\WOW6432Node\\Vendor\\App"},          // redirected
      {"HKLM", "Software\\Vendor", "Software\\WOW6432Node\\Vendor"},                       // case kept
      {"HKLM", "SOFTWARE\\WOW6432Node\\Vendor", "SOFTWARE\\WOW6432Node\\Vendor"},          // already the view
      {"HKLM", "SOFTWARE\\Policies\\Vendor", "SOFTWARE\\Policies\\Vendor"},              // shared
      {"HKLM", "SOFTWARE\\Microsoft\\RPC\\X", "SOFTWARE\\Microsoft\\RPC\\X"},          // shared
      {"HKLM", "SOFTWARE\\Classes\\CLSID\\{x}", "SOFTWARE\\Classes\\WOW6432Node\\CLSID\\{x}"},
      {"HKLM", "SOFTWARE\\Classes\\.ext", "SOFTWARE\\Classes\\.ext"},                    // shared Classes key
      {"HKLM", "SYSTEM\\CurrentControlSet\\Services\\X", "SYSTEM\\CurrentControlSet\\Services\\X"},
      {"HKCR", "CLSID\\{x}\\InprocServer32", "WOW6432Node\\CLSID\\{x}\\InprocServer32"},
      {"HKCR", "Interface\\{y}", "WOW6432Node\\Interface\\{y}"},
      {"HKCR", "AppID\\{z}", "AppID\\{z}"},
      {"HKCU", "Software\\Vendor", "Software\\Vendor"},                                    // user Software is shared
      {"HKCU", "Software\\Classes\\CLSID\\{x}", "Software\\Classes\\WOW6432Node\\CLSID\\{x}"},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(isodrv::devinst::wow64_32bit_subkey(r.root, r.subkey), r.expected) << r.root << "\\" << r.subkey;
  }
}
