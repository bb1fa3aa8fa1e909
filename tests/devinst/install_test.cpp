// Device installation: what an install writes (software key, Device Parameters, device properties,
// service with ImagePath and Parameters, interfaces), exact undo, update and rollback between two
// side-by-side versions, dry-run, atomic failure, every AddReg/DelReg/BitReg flag, shared services.
#include <regex>

#include "devinst_test_util.h"
#include "isodrv/stamp_tokens.h"

using namespace devinst_test;
using isodrv::devinst::DeviceSpec;
using isodrv::devinst::InstallOptions;

namespace {

const std::string kQuokkaId = "ROOT\\QUOKKA\\0000";
const std::string kFixtureClass = "{4d36e97d-e325-11ce-bfc1-08002be10318}";

std::string quokka_inf(const std::string& date = "05/01/2024", const std::string& version = "1.0.0.0") {
  std::string text = slurp(fixture("quokka/quokka.inf"));
  return std::regex_replace(text, std::regex("DriverVer   = 05/01/2024,1.0.0.0"), "DriverVer   = " + date + "," + version);
}

}  // namespace

class Install : public DevinstTest {};

TEST_F(Install, FixtureWritesExactlyWhatItsHkrLinesSay) {
  const std::string oem = stage(package_dir("quokka", quokka_inf(), "quokka.inf"));
  const auto pkg = package(oem);
  auto e = engine();
  ASSERT_TRUE(e.add_device({kQuokkaId, {"ROOT\\QUOKKA"}, {}}).ok());
  auto r = e.install(kQuokkaId);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->driver.published_name, oem);
  EXPECT_EQ(r->driver.ddinstall, "Quokka_Device.NT");

  const std::string enum_key = kCcs + "\\Enum\\" + kQuokkaId;
  const std::string sw = kCcs + "\\Control\\Class\\" + kFixtureClass + "\\0000";
  // Device node (registry-layout.md §1).
  EXPECT_EQ(sz(enum_key, "Driver"), kFixtureClass + "\\0000");
  EXPECT_EQ(sz(enum_key, "ClassGUID"), kFixtureClass);
  EXPECT_EQ(sz(enum_key, "Class"), "System");
  EXPECT_EQ(sz(enum_key, "Service"), "quokka");
  EXPECT_EQ(sz(enum_key, "Mfg"), "Quokka Labs");
  EXPECT_EQ(sz(enum_key, "DeviceDesc"), "Quokka Device");
  EXPECT_EQ(dword(enum_key, "ConfigFlags"), 0u);
  // .HW: FriendlyName is a device property (instance key); the rest go to Device Parameters.
  EXPECT_EQ(sz(enum_key, "FriendlyName"), "Quokka Device");
  EXPECT_FALSE(has_value(enum_key + "\\Device Parameters", "FriendlyName"));
  EXPECT_EQ(dword(enum_key + "\\Device Parameters", "BeepCount"), 4u);
  EXPECT_EQ(key(enum_key + "\\Device Parameters").get_multi_sz("Names").value(), (std::vector<std::string>{"one", "two"}));
  auto blob = key(enum_key + "\\Device Parameters").query_value("Blob");
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->type, isodrv::registry::kRegBinary);
  EXPECT_EQ(blob->data, (std::vector<std::uint8_t>{1, 2, 3}));
  // Software key: install-state values and the DDInstall's HKR lines.
  EXPECT_EQ(sz(sw, "InfPath"), oem);
  EXPECT_EQ(sz(sw, "InfSection"), "Quokka_Device");
  EXPECT_EQ(sz(sw, "InfSectionExt"), ".NT");
  EXPECT_EQ(sz(sw, "MatchingDeviceId"), "root\\quokka");
  EXPECT_EQ(sz(sw, "DriverDesc"), "Quokka Device");
  EXPECT_EQ(sz(sw, "ProviderName"), "Quokka Labs");
  EXPECT_EQ(sz(sw, "DriverVersion"), "1.0.0.0");
  EXPECT_EQ(sz(sw, "DriverDate"), "5-1-2024");
  EXPECT_EQ(key(sw).query_value("DriverDateData").value().data, isodrv::registry::encode_qword(0x01DA9B5A82858000ull))
      << "FILETIME of 2024-05-01";
  EXPECT_EQ(dword(sw, "SoftwareSetting"), 7u);
  EXPECT_EQ(sz(sw + "\\Settings", "Mode"), "fast");
  // Service: SCM values, ImagePath inside the package's FileRepository folder, Parameters from HKR.
  const std::string svc = kCcs + "\\Services\\quokka";
  EXPECT_EQ(dword(svc, "Type"), 1u);
  EXPECT_EQ(dword(svc, "Start"), 3u);
  EXPECT_EQ(dword(svc, "ErrorControl"), 1u);
  EXPECT_EQ(sz(svc, "DisplayName"), "Quokka Service");
  EXPECT_EQ(sz(svc, "ImagePath"), "\\SystemRoot\\System32\\DriverStore\\FileRepository\\" + pkg.folder + "\\quokka.sys");
  EXPECT_EQ(dword(svc + "\\Parameters", "Threshold"), 42u);
  EXPECT_EQ(sz(svc + "\\Parameters", "Label"), "quokka");
  // Interface with its reference string, and the add-interface section's HKR.
  const std::string itf =
      kCcs + "\\Control\\DeviceClasses\\{a7b1c2d3-0000-4000-8000-00000000abcd}\\##?#ROOT#QUOKKA#0000#{a7b1c2d3-0000-4000-8000-00000000abcd}";
  EXPECT_EQ(sz(itf, "DeviceInstance"), kQuokkaId);
  EXPECT_EQ(sz(itf + "\\#ref1", "SymbolicLink"), "\\\\?\\ROOT#QUOKKA#0000#{a7b1c2d3-0000-4000-8000-00000000abcd}\\ref1");
  EXPECT_EQ(dword(itf + "\\#ref1\\Device Parameters", "InterfaceSetting"), 1u);

  auto info = e.device(kQuokkaId);
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(info->driver.has_value());
  EXPECT_EQ(info->service, "quokka");
  EXPECT_EQ(info->software_key, sw);
  EXPECT_EQ(info->hardware_key, enum_key + "\\Device Parameters");
  ASSERT_EQ(info->files.size(), 1u);
  EXPECT_EQ(info->files[0], "C:\\Windows\\System32\\DriverStore\\FileRepository\\" + pkg.folder + "\\quokka.sys");
  ASSERT_EQ(info->interfaces.size(), 1u);
  EXPECT_EQ(package(oem).devices, 1);
}

TEST_F(Install, CorpusKmdfSampleWritesWhatItsHkrLinesSay) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  const fs::path inx = corpus / "windows-driver-samples/general/toaster/toastDrv/kmdf/func/featured/wdffeatured.inx";
  if (!fs::exists(corpus / "MANIFEST.tsv") || !fs::exists(inx)) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  std::string text = isodrv::stamp::accept_tokens_for_check(slurp(inx), isodrv::inf::Arch::amd64);
  const std::string oem = stage(package_dir("featured", text, "wdffeatured.inf"), true);
  ASSERT_FALSE(oem.empty());
  const auto pkg = package(oem);
  const std::string id = "{b85b7c50-6a01-11d2-b841-00c04fad5171}\\MsToaster\\1";
  auto e = engine();
  ASSERT_TRUE(e.add_device({id, {"{b85b7c50-6a01-11d2-b841-00c04fad5171}\\MsToaster"}, {}}).ok());
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->driver.ddinstall, "Toaster_Device.NT");
  const std::string enum_key = kCcs + "\\Enum\\" + id;
  // [Toaster_Device.NT.HW.AddReg] HKR,,"BeepCount",0x00010003,4 — a DWORD (NOCLOBBER bit set).
  EXPECT_EQ(dword(enum_key + "\\Device Parameters", "BeepCount"), 4u);
  EXPECT_EQ(sz(enum_key, "Service"), "wdffeatured");
  const std::string svc = kCcs + "\\Services\\wdffeatured";
  EXPECT_EQ(dword(svc, "Type"), 1u);
  EXPECT_EQ(dword(svc, "Start"), 3u);
  EXPECT_EQ(sz(svc, "ImagePath"),
            "\\SystemRoot\\System32\\DriverStore\\FileRepository\\" + pkg.folder + "\\wdffeatured.sys");
  // KmdfService = wdffeatured, wdffeatured_wdfsect: the KMDF version under Parameters\Wdf.
  EXPECT_FALSE(sz(svc + "\\Parameters\\Wdf", "KmdfLibraryVersion").empty());
  const auto sw = e.device(id)->software_key;
  EXPECT_EQ(sz(sw, "InfPath"), oem);
  EXPECT_EQ(sz(sw, "InfSection"), "Toaster_Device");
  EXPECT_EQ(sz(sw, "InfSectionExt"), ".NT");
}

TEST_F(Install, UninstallReturnsTheRegistryToItsPreviousBytes) {
  stage(package_dir("quokka", quokka_inf(), "quokka.inf"));
  auto e = engine();
  ASSERT_TRUE(e.add_device({kQuokkaId, {"ROOT\\QUOKKA"}, {}}).ok());
  const std::string before = export_hklm();
  ASSERT_TRUE(e.install(kQuokkaId).ok());
  EXPECT_NE(export_hklm(), before);
  ASSERT_TRUE(e.uninstall(kQuokkaId).ok());
  EXPECT_EQ(export_hklm(), before);
  // A second install after the undo lands on the same keys again.
  ASSERT_TRUE(e.install(kQuokkaId).ok());
  EXPECT_TRUE(has_key(kCcs + "\\Control\\Class\\" + kFixtureClass + "\\0000"));
  ASSERT_TRUE(e.remove_device(kQuokkaId).ok());
  EXPECT_FALSE(has_key(kCcs + "\\Enum\\ROOT"));
  EXPECT_FALSE(has_key(kCcs + "\\Services\\quokka"));
}

TEST_F(Install, NewerVersionMovesTheDeviceAndRollbackMovesItBack) {
  const std::string v1 = stage(package_dir("v1", quokka_inf("05/01/2024", "1.0.0.0"), "quokka.inf"));
  auto e = engine();
  ASSERT_TRUE(e.add_device({kQuokkaId, {"ROOT\\QUOKKA"}, {}}).ok());
  ASSERT_TRUE(e.install(kQuokkaId).ok());
  const std::string v2 = stage(package_dir("v2", quokka_inf("06/01/2025", "2.0.0.0"), "quokka.inf", "-two"));
  const auto p1 = package(v1), p2 = package(v2);
  ASSERT_NE(p1.folder, p2.folder);
  const std::string svc = kCcs + "\\Services\\quokka";
  const std::string enum_key = kCcs + "\\Enum\\" + kQuokkaId;

  {
    // A dry run of the update shows the old driver's removal and the new one's writes, and changes nothing.
    const std::string before = export_hklm();
    InstallOptions dry;
    dry.dry_run = true;
    auto d = e.install(kQuokkaId, dry);
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    EXPECT_EQ(export_hklm(), before);
    EXPECT_NE(d->diff.find("[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Class\\" + kFixtureClass + "\\0000]"),
              std::string::npos) << d->diff;
    EXPECT_NE(d->diff.find("\"InfPath\"=\"" + v2 + "\""), std::string::npos) << d->diff;
    EXPECT_EQ(e.device(kQuokkaId)->driver->published_name, v1);
  }
  auto up = e.install(kQuokkaId);  // ranks both: the newer DriverVer wins
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  EXPECT_EQ(up->driver.published_name, v2);
  ASSERT_TRUE(up->replaced.has_value());
  EXPECT_EQ(up->replaced->published_name, v1);
  EXPECT_NE(sz(svc, "ImagePath").find(p2.folder), std::string::npos);
  auto info = e.device(kQuokkaId);
  EXPECT_EQ(info->driver->folder, p2.folder);
  ASSERT_EQ(info->files.size(), 1u);
  EXPECT_NE(info->files[0].find(p2.folder), std::string::npos) << "the image directory is the newer folder";
  EXPECT_EQ(sz(info->software_key, "InfPath"), v2);
  EXPECT_EQ(sz(info->software_key, "DriverVersion"), "2.0.0.0");
  EXPECT_EQ(package(v1).devices, 0);
  EXPECT_EQ(package(v2).devices, 1);

  auto back = e.rollback(kQuokkaId);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->driver.published_name, v1);
  EXPECT_NE(sz(svc, "ImagePath").find(p1.folder), std::string::npos);
  info = e.device(kQuokkaId);
  EXPECT_EQ(info->driver->folder, p1.folder);
  EXPECT_NE(info->files[0].find(p1.folder), std::string::npos);
  EXPECT_EQ(sz(info->software_key, "InfPath"), v1);
  ASSERT_TRUE(info->backup.has_value());
  EXPECT_EQ(info->backup->published_name, v2);

  // The version no device uses can go; the one in use cannot; the other keeps working.
  {
    auto st = isodrv::store::Store::open(root_.string());
    EXPECT_FALSE(st->remove(v1, isodrv::store::Store::RemoveMode::unused_only).ok());
    EXPECT_TRUE(st->remove(v2, isodrv::store::Store::RemoveMode::unused_only).ok());
    EXPECT_TRUE(st->verify()->empty());
  }
  info = e.device(kQuokkaId);
  EXPECT_EQ(info->driver->published_name, v1);
  EXPECT_TRUE(fs::exists(root_ / "Windows/System32/DriverStore/FileRepository" / p1.folder / "quokka.sys"));
  EXPECT_EQ(sz(enum_key, "Service"), "quokka");
  EXPECT_NE(sz(svc, "ImagePath").find(p1.folder), std::string::npos);
  EXPECT_FALSE(e.rollback(kQuokkaId).ok()) << "the backup package is gone";
  auto un = e.uninstall(kQuokkaId);
  EXPECT_TRUE(un.ok()) << un.error().to_string();
  auto again = e.install(kQuokkaId);
  EXPECT_TRUE(again.ok()) << again.error().to_string();
}

TEST_F(Install, DryRunChangesNothingAndShowsTheChanges) {
  const std::string oem = stage(package_dir("quokka", quokka_inf(), "quokka.inf"));
  auto e = engine();
  ASSERT_TRUE(e.add_device({kQuokkaId, {"ROOT\\QUOKKA"}, {}}).ok());
  const std::string before = export_hklm();
  InstallOptions o;
  o.dry_run = true;
  auto r = e.install(kQuokkaId, o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(export_hklm(), before);
  EXPECT_FALSE(e.device(kQuokkaId)->driver.has_value());
  EXPECT_EQ(package(oem).devices, 0);
  EXPECT_NE(r->diff.find("[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\quokka]"), std::string::npos) << r->diff;
  EXPECT_NE(r->diff.find("\"ImagePath\"=hex(2):"), std::string::npos) << r->diff;
  EXPECT_NE(r->diff.find("\"BeepCount\"=dword:00000004"), std::string::npos) << r->diff;
  EXPECT_NE(r->diff.find("\"FriendlyName\"=\"Quokka Device\""), std::string::npos) << r->diff;
  // A real install afterwards still gets index 0000 (the dry run allocated nothing).
  ASSERT_TRUE(e.install(kQuokkaId).ok());
  EXPECT_EQ(e.device(kQuokkaId)->software_key, kCcs + "\\Control\\Class\\" + kFixtureClass + "\\0000");
}

TEST_F(Install, AFailingInstallLeavesNothingBehind) {
  stage(package_dir("broken", slurp(fixture("broken/broken.inf")), "broken.inf"), true);
  auto e = engine();
  ASSERT_TRUE(e.add_device({"ROOT\\BROKEN\\0000", {"ROOT\\BROKEN"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install("ROOT\\BROKEN\\0000");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Missing_AddReg"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().line, 0u);
  EXPECT_EQ(export_hklm(), before);
  EXPECT_FALSE(e.device("ROOT\\BROKEN\\0000")->driver.has_value());
  // The engine is still usable and consistent afterwards.
  EXPECT_FALSE(e.install("ROOT\\BROKEN\\0000").ok());
  EXPECT_EQ(export_hklm(), before);
}

TEST_F(Install, EveryAddRegDelRegBitRegFlagAndItsUndo) {
  stage(package_dir("flags", slurp(fixture("flags/flags.inf")), "flags.inf"), true);
  {
    auto r = reg();
    auto k = r.open_key("HKLM\\SOFTWARE\\QuokkaFlags", isodrv::registry::Disposition::open_always);
    ASSERT_TRUE(k.ok());
    ASSERT_TRUE(k->set_string("Keep", "old").ok());
    ASSERT_TRUE(k->set_multi_sz("List", {"a", "c"}).ok());
    ASSERT_TRUE(k->set_dword("Gone", 1).ok());
    ASSERT_TRUE(k->set_string("Over", "before").ok());
    ASSERT_TRUE(k->set_string("Old", "delete me").ok());
    ASSERT_TRUE(k->set_multi_sz("Strings", {"keep", "drop", "DROP", "also"}).ok());
    ASSERT_TRUE(k->set_binary("Bits", {0x30, 0xff}).ok());
    auto t = k->open_subkey("Tree\\Leaf", isodrv::registry::Disposition::open_always);
    ASSERT_TRUE(t->set_string("In", "tree").ok());
    ASSERT_TRUE(k->open_subkey("Tree")->set_dword("A", 1).ok());
    ASSERT_TRUE(k->open_subkey("Tree")->set_dword("B", 2).ok());
  }
  auto e = engine();
  ASSERT_TRUE(e.add_device({"ROOT\\FLAGS\\0000", {"ROOT\\FLAGS"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install("ROOT\\FLAGS\\0000");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const std::string k = "HKLM\\SOFTWARE\\QuokkaFlags";
  struct Row {
    const char* proves;
    const char* name;
    bool present;
  };
  EXPECT_EQ(sz(k, "Keep"), "old") << "NOCLOBBER keeps an existing value";
  EXPECT_EQ(sz(k, "Fresh"), "made") << "NOCLOBBER writes a missing value";
  EXPECT_EQ(key(k).get_multi_sz("List").value(), (std::vector<std::string>{"a", "c", "b"})) << "APPEND adds only new strings";
  EXPECT_FALSE(has_value(k, "Gone")) << "DELVAL";
  EXPECT_TRUE(has_key(k + "\\Empty")) << "KEYONLY";
  EXPECT_FALSE(has_value(k, "Only")) << "OVERWRITEONLY does not create";
  EXPECT_EQ(sz(k, "Over"), "y") << "OVERWRITEONLY replaces";
  EXPECT_EQ(sz(k, "Wide"), "w") << "64BITKEY uses the one (native) view";
  EXPECT_EQ(key(k).get_qword("Quad").value(), 0x100000000ull);
  auto path = key(k).query_value("Path");
  EXPECT_EQ(path->type, isodrv::registry::kRegExpandSz);
  EXPECT_EQ(sz(k, "Path"), "%SystemRoot%\\x");
  auto custom = key(k).query_value("Custom");
  EXPECT_EQ(custom->type, 0x38u);
  EXPECT_EQ(custom->data, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_EQ(dword(k, "Bytes"), 1u) << "DWORD data given as four bytes";
  EXPECT_FALSE(has_value(k, "Skipped")) << "DELREG_BIT entries in AddReg are skipped";
  EXPECT_FALSE(has_value(k, "Old")) << "DelReg value";
  EXPECT_FALSE(has_key(k + "\\Tree")) << "DelReg key, recursively";
  EXPECT_EQ(key(k).get_multi_sz("Strings").value(), (std::vector<std::string>{"keep", "also"})) << "DELSTRING, case-insensitive";
  EXPECT_EQ(key(k).query_value("Bits")->data, (std::vector<std::uint8_t>{0x3f, 0xff})) << "BitReg SETBITS";
  // DIRID 12 copy: a non-isolated side effect inside the emulated Windows tree.
  EXPECT_TRUE(fs::exists(root_ / "Windows/System32/drivers/legacy.sys"));
  ASSERT_EQ(r->side_effects.size(), 1u);
  EXPECT_NE(r->side_effects[0].find("legacy.sys"), std::string::npos);

  ASSERT_TRUE(e.uninstall("ROOT\\FLAGS\\0000").ok());
  EXPECT_EQ(export_hklm(), before) << "undo restores values, deleted trees (in value order) and strings";
  EXPECT_FALSE(fs::exists(root_ / "Windows/System32/drivers/legacy.sys"));
  EXPECT_FALSE(fs::exists(root_ / "Windows/System32/drivers"));
}

TEST_F(Install, DevicesSharingAServiceKeepItUntilTheLastOneLeaves) {
  stage(package_dir("quokka", quokka_inf(), "quokka.inf"));
  auto e = engine();
  ASSERT_TRUE(e.add_devices({{"ROOT\\QUOKKA\\0000", {"ROOT\\QUOKKA"}, {}}, {"ROOT\\QUOKKA\\0001", {"ROOT\\QUOKKA"}, {}}}).ok());
  const std::string before = export_hklm();
  ASSERT_TRUE(e.install("ROOT\\QUOKKA\\0000").ok());
  ASSERT_TRUE(e.install("ROOT\\QUOKKA\\0001").ok());
  EXPECT_EQ(e.device("ROOT\\QUOKKA\\0001")->software_key, kCcs + "\\Control\\Class\\" + kFixtureClass + "\\0001");
  ASSERT_TRUE(e.uninstall("ROOT\\QUOKKA\\0000").ok());
  EXPECT_EQ(dword(kCcs + "\\Services\\quokka\\Parameters", "Threshold"), 42u);
  EXPECT_TRUE(has_key(kCcs + "\\Control\\Class\\" + kFixtureClass + "\\0001"));
  ASSERT_TRUE(e.uninstall("ROOT\\QUOKKA\\0001").ok());
  EXPECT_FALSE(has_key(kCcs + "\\Services\\quokka"));
  EXPECT_EQ(export_hklm(), before);
}

TEST_F(Install, DeviceAddValidatesAndMachineJsonParses) {
  auto e = engine();
  EXPECT_FALSE(e.add_device({"NOBACKSLASH", {"X"}, {}}).ok());
  EXPECT_FALSE(e.add_device({"ROOT\\X\\0000", {}, {}}).ok());
  EXPECT_FALSE(e.add_device({std::string(250, 'a') + "\\b", {"X"}, {}}).ok());
  ASSERT_TRUE(e.add_device({"ROOT\\X\\0000", {"X"}, {"Y"}}).ok());
  EXPECT_EQ(e.add_device({"root\\x\\0000", {"X"}, {}}).error().code, isodrv::Errc::already_exists);
  EXPECT_EQ(dword(kCcs + "\\Enum\\ROOT\\X\\0000", "ConfigFlags"), 0x20u);
  EXPECT_EQ(key(kCcs + "\\Enum\\ROOT\\X\\0000").get_multi_sz("CompatibleIDs").value(), (std::vector<std::string>{"Y"}));
  auto m = isodrv::devinst::parse_machine_json(
      R"([{"instance_id":"PCI\\A\\1","hardware_ids":["PCI\\A"],"compatible_ids":["PCI\\CC_01"]}])", "m.json");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].instance_id, "PCI\\A\\1");
  EXPECT_EQ((*m)[0].compatible_ids, (std::vector<std::string>{"PCI\\CC_01"}));
  EXPECT_FALSE(isodrv::devinst::parse_machine_json("{}", "m.json").ok());
  EXPECT_FALSE(isodrv::devinst::parse_machine_json("[{\"hardware_ids\":[]}]", "m.json").ok());
  EXPECT_FALSE(e.install("ROOT\\X\\0000").ok()) << "no staged driver matches";
  EXPECT_FALSE(e.install("ROOT\\NOPE\\0000").ok());
}

TEST_F(Install, ExtensionInfAppliesAfterTheBaseDriver) {
  stage(package_dir("quokka", quokka_inf(), "quokka.inf"));
  auto e = engine();
  ASSERT_TRUE(e.add_device({kQuokkaId, {"ROOT\\QUOKKA"}, {}}).ok());
  const std::string before = export_hklm();
  ASSERT_TRUE(e.install(kQuokkaId).ok());
  const std::string ext = stage(package_dir("ext", slurp(fixture("quokka_ext/quokka_ext.inf")), "quokka_ext.inf"));
  InstallOptions only_ext;
  only_ext.inf = ext;
  EXPECT_FALSE(e.install(kQuokkaId, only_ext).ok()) << "an extension is never the device's driver";
  auto r = e.install_on_matching(ext);  // driver add --install of the extension
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  auto info = e.device(kQuokkaId);
  EXPECT_EQ(info->driver->ddinstall, "Quokka_Device.NT") << "the base driver stays";
  ASSERT_EQ(info->extensions, (std::vector<std::string>{ext}));
  const std::string enum_key = kCcs + "\\Enum\\" + kQuokkaId;
  EXPECT_EQ(dword(enum_key + "\\Device Parameters", "BeepCount"), 9u) << "the extension's .HW runs after the base's";
  EXPECT_EQ(sz(enum_key, "FriendlyName"), "Quokka Device (extended)");
  EXPECT_EQ(dword(info->software_key, "ExtensionSetting"), 5u);
  EXPECT_EQ(dword(info->software_key, "SoftwareSetting"), 7u);
  ASSERT_TRUE(e.uninstall(kQuokkaId).ok());
  EXPECT_EQ(export_hklm(), before);
}

// The base Includes wudfrd.inf (Needs = WUDFRD.NT, .NT.HW, .NT.Services): the fixture inbox
// folder stands in for C:\Windows\INF (tests/devinst/fixtures/inbox, written for the tests).
TEST_F(Install, CorpusDchuBaseWithExtensionAppliesIncludedNeeds) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  const fs::path dchu = corpus / "windows-driver-samples/general/DCHU/osrfx2_DCHU_extension_tight";
  const fs::path base_inx = corpus / "windows-driver-samples/general/DCHU/osrfx2_DCHU_base/osrfx2_DCHU_base/osrfx2_DCHU_base.inx";
  const fs::path ext_inx = dchu / "osrfx2_DCHU_extension/osrfx2_DCHU_extension.inx";
  if (!fs::exists(corpus / "MANIFEST.tsv") || !fs::exists(base_inx) || !fs::exists(ext_inx)) {
    GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  }
  auto stamped = [](const fs::path& p) { return isodrv::stamp::accept_tokens_for_check(slurp(p), isodrv::inf::Arch::amd64); };
  const std::string base = stage(package_dir("base", stamped(base_inx), "osrfx2_DCHU_base.inf"), true);
  const std::string ext = stage(package_dir("ext", stamped(ext_inx), "osrfx2_DCHU_extension.inf"), true);
  ASSERT_FALSE(base.empty());
  ASSERT_FALSE(ext.empty());
  const std::string id = "USB\\VID_0547&PID_1002\\5&1a2b3c&0&1";
  auto e = engine();
  ASSERT_TRUE(e.add_device({id, {"USB\\Vid_0547&PID_1002&REV_0000", "USB\\VID_0547&PID_1002"}, {}}).ok());
  auto refused = e.install(id);
  ASSERT_FALSE(refused.ok()) << "without an inbox folder Needs=WUDFRD.NT cannot be resolved";
  EXPECT_NE(refused.error().message.find("wudfrd.inf"), std::string::npos) << refused.error().to_string();
  ASSERT_TRUE(e.set_inbox_folder(fixture("inbox").string()).ok());
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->driver.published_name, base);
  EXPECT_EQ(e.device(id)->included, (std::vector<std::string>{"wudfrd.inf [WUDFRD.NT]", "wudfrd.inf [WUDFRD.NT.HW]",
                                                              "wudfrd.inf [WUDFRD.NT.Services]"}));
  EXPECT_EQ(sz(kCcs + "\\Enum\\" + id, "Service"), "WUDFRd") << "the reflector from WUDFRD.NT.Services";
  EXPECT_EQ(key(kCcs + "\\Enum\\" + id).get_multi_sz("LowerFilters").value(), std::vector<std::string>{"WUDFRd"});
  // The extension's AddComponent creates the child device; no component INF is staged here, so it
  // has no driver (CorpusDchuComponent installs one).
  const std::string child = "SWD\\DRIVERENUM\\osrfx2_DCHU_component&1&648b64b0&0";
  ASSERT_EQ(r->components.size(), 1u);
  EXPECT_EQ(r->components[0].instance_id, child);
  EXPECT_EQ(e.device(child)->hardware_ids, std::vector<std::string>{"SWC\\VID_045e&PID_94ab"});
  // HKR, OSR, "OperatingParams" in .HW: the base writes "None", the extension "-Extended".
  EXPECT_EQ(sz(kCcs + "\\Enum\\" + id + "\\Device Parameters\\OSR", "OperatingMode"), "Default");
  EXPECT_EQ(sz(kCcs + "\\Enum\\" + id + "\\Device Parameters\\OSR", "OperatingParams"), "-Extended");
  EXPECT_EQ(e.device(id)->extensions, (std::vector<std::string>{ext}));
  // The user-mode service from the base INF, with its binary in the FileRepository folder.
  EXPECT_NE(sz(kCcs + "\\Services\\osrfx2_DCHU_usersvc", "ImagePath").find(package(base).folder), std::string::npos);
}

// The tight DCHU sample's three packages: the base, the extension whose .Components adds the
// component, and the component INF (Class=SoftwareComponent) that installs on it with AddSoftware.
TEST_F(Install, CorpusDchuComponentInstallsOnTheChildAndUninstallsExactly) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  const fs::path dchu = corpus / "windows-driver-samples/general/DCHU/osrfx2_DCHU_extension_tight";
  const fs::path base_inx = corpus / "windows-driver-samples/general/DCHU/osrfx2_DCHU_base/osrfx2_DCHU_base/osrfx2_DCHU_base.inx";
  const fs::path ext_inx = dchu / "osrfx2_DCHU_extension/osrfx2_DCHU_extension.inx";
  const fs::path comp_inx = dchu / "osrfx2_DCHU_component/osrfx2_DCHU_component.inx";
  if (!fs::exists(corpus / "MANIFEST.tsv") || !fs::exists(base_inx) || !fs::exists(ext_inx) || !fs::exists(comp_inx)) {
    GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  }
  auto stamped = [](const fs::path& p) { return isodrv::stamp::accept_tokens_for_check(slurp(p), isodrv::inf::Arch::amd64); };
  stage(package_dir("base", stamped(base_inx), "osrfx2_DCHU_base.inf"), true);
  stage(package_dir("ext", stamped(ext_inx), "osrfx2_DCHU_extension.inf"), true);
  const std::string comp = stage(package_dir("comp", stamped(comp_inx), "osrfx2_DCHU_component.inf"), true);
  ASSERT_FALSE(comp.empty());
  const std::string id = "USB\\VID_0547&PID_1002\\5&1a2b3c&0&1";
  const std::string child = "SWD\\DRIVERENUM\\osrfx2_DCHU_component&1&648b64b0&0";
  auto e = engine();
  ASSERT_TRUE(e.set_inbox_folder(fixture("inbox").string()).ok());
  ASSERT_TRUE(e.add_device({id, {"USB\\Vid_0547&PID_1002&REV_0000", "USB\\VID_0547&PID_1002"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->components.size(), 1u);
  EXPECT_EQ(r->components[0].driver.published_name, comp);
  auto c = e.device(child);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->parent, id);
  EXPECT_EQ(c->class_guid, "{5c4c3332-344d-483c-8739-259e934c9cc8}");
  EXPECT_EQ(sz(kCcs + "\\Enum\\" + child, "DeviceDesc"), "OsrFx2 DCHU Component Device");
  // AddService = , 0x2: no function driver, as the docs allow for a component.
  EXPECT_FALSE(has_value(kCcs + "\\Enum\\" + child, "Service"));
  ASSERT_EQ(c->software.size(), 1u);
  EXPECT_EQ(c->software[0].name, "osrfx2_DCHU_componentsoftware");
  EXPECT_EQ(c->software[0].type, 1u);
  EXPECT_EQ(c->software[0].version, "1.0.0.0");
  EXPECT_EQ(c->software[0].arguments, child) << "<<DeviceInstanceId>> names the component device";
  EXPECT_EQ(c->software[0].binary, "C:\\Windows\\System32\\DriverStore\\FileRepository\\" + package(comp).folder +
                                       "\\osrfx2_DCHU_componentsoftware.exe");
  ASSERT_TRUE(e.uninstall(id).ok());
  EXPECT_EQ(export_hklm(), before);
  EXPECT_FALSE(e.device(child).ok());
}

TEST_F(Install, PrimitiveDriverInstallsThroughDefaultInstall) {
  const std::string oem = stage(package_dir("prim", slurp(fixture("primitive/primitive.inf")), "primitive.inf"));
  const std::string before = export_hklm();
  auto e = engine();
  auto r = e.install_on_matching(oem);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].instance_id, "");
  EXPECT_EQ((*r)[0].driver.ddinstall, "DefaultInstall.NTamd64");
  const std::string svc = kCcs + "\\Services\\prim";
  EXPECT_EQ(sz(svc, "ImagePath"), "\\SystemRoot\\System32\\DriverStore\\FileRepository\\" + package(oem).folder + "\\prim.sys");
  EXPECT_EQ(dword(svc + "\\Parameters", "Level"), 3u);
  EXPECT_EQ(package(oem).devices, 1) << "the device-less install counts as a user of the package";
  EXPECT_TRUE(e.install_on_matching(oem)->empty()) << "installed once";
  {
    auto st = isodrv::store::Store::open(root_.string());
    EXPECT_FALSE(st->remove(oem, isodrv::store::Store::RemoveMode::unused_only).ok());
  }
  auto moved = e.move_devices_off(oem);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(export_hklm(), before);
  auto st = isodrv::store::Store::open(root_.string());
  EXPECT_TRUE(st->remove(oem, isodrv::store::Store::RemoveMode::unused_only).ok());
}

// device add and every state-location entry point share one instance-ID check, so a device that
// can be added can also be resolved through the API.
TEST_F(Install, DeviceAddRefusesInstanceIdsTheApiCannotResolve) {
  auto e = engine();
  const struct {
    const char* id;
    isodrv::Errc code;
  } rows[] = {
      {"ROOT\\QUOKKA", isodrv::Errc::invalid_argument},          // two parts: no instance ID
      {"ROOT\\QUO KKA\\0000", isodrv::Errc::invalid_argument},   // space
      {"ROOT\\QUOKKA,1\\0000", isodrv::Errc::invalid_argument},  // comma
      {"ROOT\\..\\0000", isodrv::Errc::path_escape},             // would leave DeviceState
      {"ROOT/QUOKKA\\X\\0000", isodrv::Errc::path_escape},
  };
  for (const auto& row : rows) {
    auto s = e.add_device({row.id, {"ROOT\\QUOKKA"}, {}});
    ASSERT_FALSE(s.ok()) << row.id;
    EXPECT_EQ(s.error().code, row.code) << row.id << ": " << s.error().to_string();
  }
  ASSERT_TRUE(e.add_device({kQuokkaId, {"ROOT\\QUOKKA"}, {}}).ok());
}
