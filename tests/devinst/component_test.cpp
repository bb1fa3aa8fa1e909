// Software components (issue 12 part 2): AddComponent creates a child software device
// SWD\DRIVERENUM\<name>&<depth>&<parent hash>&<n> with hardware IDs SWC\<ComponentID>, installed
// from the staged component INF like any other device (or left without a driver when none
// matches); AddSoftware is recorded, never run; `device list` shows the tree; the children go with
// the driver that created them, and uninstall leaves the registry byte-identical.
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "devinst_test_util.h"

using namespace devinst_test;

namespace {

std::string wombat_inf(const std::string& driver_ver) {
  return R"([Version]
Signature   = "$WINDOWS NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %Provider%
DriverVer   = )" + driver_ver + R"(
PnpLockdown = 1
CatalogFile = wombat.cat

[DestinationDirs]
DefaultDestDir = 13

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
wombat.sys = 1

[Manufacturer]
%Mfg% = Wombat, NTamd64.10.0...15063

[Wombat.NTamd64.10.0...15063]
%Desc% = Wombat_Device, ROOT\WOMBAT

[Wombat_Device.NT]
CopyFiles = Wombat_Files

[Wombat_Files]
wombat.sys

[Wombat_Device.NT.Services]
AddService = wombat, 0x00000002, Wombat_Service

[Wombat_Service]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\wombat.sys

[Wombat_Device.NT.Components]
AddComponent = WombatControl,, Wombat_Control
AddComponent = WombatOrphan,, Wombat_Orphan

[Wombat_Control]
ComponentIDs = VEN_WMBT&CID_CTRL
Description  = %ControlDesc%

[Wombat_Orphan]
ComponentIDs = VEN_WMBT&CID_NONE, VEN_WMBT

[Strings]
Provider = "Wombat Labs"
Mfg = "Wombat Labs"
Disk = "Wombat Disk"
Desc = "Wombat Device"
ControlDesc = "Wombat Control Component"
)";
}

const char* kControlInf = R"([Version]
Signature   = "$WINDOWS NT$"
Class       = SoftwareComponent
ClassGuid   = {5c4c3332-344d-483c-8739-259e934c9cc8}
Provider    = %Provider%
DriverVer   = 05/02/2024,1.0.0.0
PnpLockdown = 1
CatalogFile = wombatctl.cat

[DestinationDirs]
DefaultDestDir = 13

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
wombatctl.exe = 1

[Manufacturer]
%Mfg% = Control, NTamd64.10.0...16299

[Control.NTamd64.10.0...16299]
%CtlDesc% = Control_Install, SWC\VEN_WMBT&CID_CTRL

[Control_Install.NT]
CopyFiles = Control_Files
AddReg    = Control_AddReg

[Control_Files]
wombatctl.exe

[Control_AddReg]
HKR, , ControlLevel, 0x00010001, 3

[Control_Install.NT.HW]
AddReg = Control_HW

[Control_HW]
HKR, , Mode, , "panel"

[Control_Install.NT.Services]
AddService = , 0x00000002

[Control_Install.NT.Software]
AddSoftware = WombatPanel,, Control_Panel
AddSoftware = WombatStoreApp, 1, Control_Store

[Control_Panel]
SoftwareType      = 1
SoftwareBinary    = wombatctl.exe
SoftwareArguments = /device <<DeviceInstanceId>>
SoftwareVersion   = 1.2.3.4

[Control_Store]
SoftwareType = 2
SoftwareID   = pfn://Wombat.Panel_8wekyb3d8bbwe

[Strings]
Provider = "Wombat Labs"
Mfg = "Wombat Labs"
Disk = "Wombat Disk"
CtlDesc = "Wombat Control Panel Device"
)";

const std::string kParent = "ROOT\\WOMBAT\\0000";
// FNV-1a of "root\wombat\0000": the parent part of its children's instance IDs.
const std::string kControl = "SWD\\DRIVERENUM\\WombatControl&1&804b8081&0";
const std::string kOrphan = "SWD\\DRIVERENUM\\WombatOrphan&1&804b8081&0";

class Components : public DevinstTest {
 protected:
  std::string stage_parent(const std::string& ver = "05/01/2024,1.0.0.0", const std::string& name = "wombat") {
    return stage(package_dir(name, wombat_inf(ver), "wombat.inf", name));
  }
  std::string stage_control() { return stage(package_dir("control", kControlInf, "wombatctl.inf")); }

  // Compares with tests/devinst/golden/<name>; ISODRV_UPDATE_GOLDEN=1 rewrites the file instead.
  void expect_golden(const std::string& name, const std::string& actual) {
    const fs::path golden = fs::path(ISODRV_TEST_DATA) / "devinst" / "golden" / name;
    if (std::getenv("ISODRV_UPDATE_GOLDEN")) spit(golden, actual);
    EXPECT_EQ(actual, slurp(golden)) << "golden " << golden;
  }
};

}  // namespace

TEST_F(Components, ChildDevicesAreCreatedAndInstalledFromTheComponentInf) {
  stage_parent();
  const std::string ctl = stage_control();
  auto e = engine();
  ASSERT_TRUE(e.add_device({kParent, {"ROOT\\WOMBAT"}, {}}).ok());
  auto r = e.install(kParent);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->components.size(), 2u);
  EXPECT_EQ(r->components[0].instance_id, kControl);
  EXPECT_EQ(r->components[0].driver.published_name, ctl);
  EXPECT_EQ(r->components[1].instance_id, kOrphan);
  EXPECT_FALSE(r->components[1].changed) << "no staged driver matches the orphan";

  // The child as the PnP manager creates it: hardware IDs SWC\<ComponentID>, its parent recorded.
  auto child = e.device(kControl);
  ASSERT_TRUE(child.ok()) << child.error().to_string();
  EXPECT_EQ(child->hardware_ids, std::vector<std::string>{"SWC\\VEN_WMBT&CID_CTRL"});
  EXPECT_EQ(child->parent, kParent);
  ASSERT_TRUE(child->component.has_value());
  EXPECT_EQ(child->component->name, "WombatControl");
  EXPECT_EQ(child->component->section, "Wombat_Control");
  const std::string enum_key = kCcs + "\\Enum\\" + kControl;
  auto hwid = key(enum_key).get_multi_sz("HardwareID");
  ASSERT_TRUE(hwid.ok());
  EXPECT_EQ(*hwid, std::vector<std::string>{"SWC\\VEN_WMBT&CID_CTRL"});
  // Installed from the component INF like any device: its DDInstall's keys are the child's.
  ASSERT_TRUE(child->driver.has_value());
  EXPECT_EQ(child->driver->published_name, ctl);
  EXPECT_EQ(child->driver->matching_id, "swc\\ven_wmbt&cid_ctrl");
  EXPECT_EQ(child->class_guid, "{5c4c3332-344d-483c-8739-259e934c9cc8}");
  EXPECT_EQ(dword(child->software_key, "ControlLevel"), 3u);
  EXPECT_EQ(sz(enum_key + "\\Device Parameters", "Mode"), "panel");
  EXPECT_EQ(sz(enum_key, "DeviceDesc"), "Wombat Control Panel Device");
  EXPECT_EQ(dword(enum_key, "ConfigFlags"), 0u);
  EXPECT_TRUE(child->service.empty());
  // AddSoftware: recorded with its identity, the instance ID in the arguments, never run.
  ASSERT_EQ(child->software.size(), 2u);
  const auto& panel = child->software[0];
  EXPECT_EQ(panel.name, "WombatPanel");
  EXPECT_EQ(panel.type, 1u);
  EXPECT_EQ(panel.version, "1.2.3.4");
  EXPECT_EQ(panel.binary, "C:\\Windows\\System32\\DriverStore\\FileRepository\\" + package(ctl).folder + "\\wombatctl.exe");
  EXPECT_EQ(panel.arguments, "/device " + kControl);
  const auto& app = child->software[1];
  EXPECT_EQ(app.type, 2u);
  EXPECT_EQ(app.flags, 1u);
  EXPECT_EQ(app.software_id, "pfn://Wombat.Panel_8wekyb3d8bbwe");

  // The orphan exists without a driver, as Windows leaves it (CONFIGFLAG_REINSTALL).
  auto orphan = e.device(kOrphan);
  ASSERT_TRUE(orphan.ok());
  EXPECT_FALSE(orphan->driver.has_value());
  EXPECT_EQ(orphan->hardware_ids, (std::vector<std::string>{"SWC\\VEN_WMBT&CID_NONE", "SWC\\VEN_WMBT"}));
  EXPECT_EQ(dword(kCcs + "\\Enum\\" + kOrphan, "ConfigFlags"), 0x20u);
  EXPECT_FALSE(has_value(kCcs + "\\Enum\\" + kOrphan, "DeviceDesc"));

  auto parent = e.device(kParent);
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ(parent->children, (std::vector<std::string>{kControl, kOrphan}));
  EXPECT_EQ(package(ctl).devices, 1);
}

TEST_F(Components, UninstallingOrRemovingTheParentRemovesItsChildrenExactly) {
  stage_parent();
  stage_control();
  auto e = engine();
  const std::string empty = export_hklm();
  ASSERT_TRUE(e.add_device({kParent, {"ROOT\\WOMBAT"}, {}}).ok());
  const std::string before = export_hklm();
  ASSERT_TRUE(e.install(kParent).ok());
  ASSERT_TRUE(has_key(kCcs + "\\Enum\\SWD\\DRIVERENUM"));
  ASSERT_TRUE(e.uninstall(kParent).ok());
  EXPECT_EQ(export_hklm(), before) << "children, their drivers and SWD\\DRIVERENUM all gone";
  EXPECT_FALSE(e.device(kControl).ok());
  auto list = e.list_devices();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);

  ASSERT_TRUE(e.install(kParent).ok());
  ASSERT_TRUE(e.remove_device(kParent).ok());
  EXPECT_EQ(export_hklm(), empty);
  EXPECT_TRUE(e.list_devices()->empty());
  EXPECT_TRUE(e.orphaned_state_folders()->empty());
}

TEST_F(Components, AComponentInfStagedLaterInstallsOnTheWaitingChild) {
  stage_parent();
  auto e = engine();
  ASSERT_TRUE(e.add_device({kParent, {"ROOT\\WOMBAT"}, {}}).ok());
  auto first = e.install(kParent);
  ASSERT_TRUE(first.ok());
  bool noted = false;
  for (const auto& n : first->notes) noted = noted || n.find("no staged driver matches software component device " + kControl) != std::string::npos;
  EXPECT_TRUE(noted);
  EXPECT_FALSE(e.device(kControl)->driver.has_value());
  const std::string ctl = stage_control();
  auto r = e.install_on_matching(ctl);  // driver add --install
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].instance_id, kControl);
  EXPECT_EQ(e.device(kControl)->driver->published_name, ctl);
  // driver delete --uninstall of the component INF leaves the child without a driver.
  auto moved = e.move_devices_off(ctl);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, std::vector<std::string>{kControl});
  EXPECT_FALSE(e.device(kControl)->driver.has_value());
  EXPECT_TRUE(e.device(kControl).ok()) << "the child stays while its parent's driver does";
}

TEST_F(Components, UpdatingAndRollingBackTheParentKeepsTheTreeConsistent) {
  stage_parent("05/01/2024,1.0.0.0", "v1");
  const std::string ctl = stage_control();
  auto e = engine();
  ASSERT_TRUE(e.add_device({kParent, {"ROOT\\WOMBAT"}, {}}).ok());
  const std::string before = export_hklm();
  ASSERT_TRUE(e.install(kParent).ok());
  const std::string v2 = stage_parent("06/01/2024,2.0.0.0", "v2");
  auto up = e.install(kParent);
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  EXPECT_EQ(up->driver.published_name, v2);
  ASSERT_EQ(up->components.size(), 2u);
  auto child = e.device(kControl);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->parent, kParent);
  EXPECT_EQ(child->driver->published_name, ctl);
  EXPECT_EQ(package(ctl).devices, 1) << "one child, not a stale one beside a new one";
  auto back = e.rollback(kParent);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(e.device(kControl)->driver->published_name, ctl);
  EXPECT_EQ(e.list_devices()->size(), 3u);
  ASSERT_TRUE(e.uninstall(kParent).ok());
  EXPECT_EQ(export_hklm(), before);
}

TEST_F(Components, DryRunShowsTheChildrenAndChangesNothing) {
  stage_parent();
  stage_control();
  ASSERT_EQ(cli({"device", "add", kParent, "--hwid", "ROOT\\WOMBAT"}), 0);
  const std::string before = export_hklm();
  std::string out;
  ASSERT_EQ(cli({"device", "install", kParent, "--dry-run"}, &out), 0);
  EXPECT_NE(out.find("; and create component device " + kControl + " with oem1.inf [Control_Install.NT]"), std::string::npos) << out;
  EXPECT_NE(out.find("; and create component device " + kOrphan + " (no staged driver matches)"), std::string::npos) << out;
  EXPECT_NE(out.find("[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Enum\\" + kControl + "]\r\n\"HardwareID\"=hex(7):"),
            std::string::npos) << out;
  EXPECT_NE(out.find("\"ControlLevel\"=dword:00000003"), std::string::npos) << out;
  EXPECT_EQ(export_hklm(), before);
  ASSERT_EQ(cli({"device", "show", kControl}), 1) << "the dry run created no child";
}

TEST_F(Components, BadComponentSectionsFailTheInstallWithTheLine) {
  std::string inf = wombat_inf("05/01/2024,1.0.0.0");
  inf.replace(inf.find("ComponentIDs = VEN_WMBT&CID_CTRL"), 32, "Description  = \"no ids\"         ");
  stage(package_dir("bad", inf, "wombat.inf"), true);  // check flags it (1013); the install must refuse it too
  auto e = engine();
  ASSERT_TRUE(e.add_device({kParent, {"ROOT\\WOMBAT"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(kParent);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("has no ComponentIDs"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().line, 0u);
  EXPECT_EQ(export_hklm(), before) << "nothing left behind";
}

TEST_F(Components, DeviceListShowsTheTreeInTextAndJson) {
  stage_parent();
  stage_control();
  ASSERT_EQ(cli({"device", "add", "ROOT\\AARDVARK\\0000", "--hwid", "ROOT\\AARDVARK"}), 0);
  ASSERT_EQ(cli({"device", "add", kParent, "--hwid", "ROOT\\WOMBAT"}), 0);
  ASSERT_EQ(cli({"device", "add", "ROOT\\ZEBRA\\0000", "--hwid", "ROOT\\ZEBRA"}), 0);
  std::string out;
  ASSERT_EQ(cli({"device", "install", kParent}, &out), 0);
  EXPECT_NE(out.find(kControl + ": installed oem1.inf [Control_Install.NT]"), std::string::npos) << out;
  EXPECT_NE(out.find(kOrphan + ": component device created; no staged driver matches"), std::string::npos) << out;
  ASSERT_EQ(cli({"device", "list"}, &out), 0);
  expect_golden("device_list_tree.txt", out);
  ASSERT_EQ(cli({"device", "list", "--json"}, &out), 0);
  expect_golden("device_list_tree.json", out);
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j.size(), 5u);
  EXPECT_EQ(j[1]["instance_id"], kParent);
  EXPECT_EQ(j[2]["instance_id"], kControl) << "children follow their parent";
  EXPECT_EQ(j[2]["parent"], kParent);
  EXPECT_TRUE(j[0]["parent"].is_null());
  EXPECT_EQ(j[4]["instance_id"], "ROOT\\ZEBRA\\0000");
  ASSERT_EQ(cli({"device", "show", kControl}, &out), 0);
  EXPECT_NE(out.find("Parent:             " + kParent), std::string::npos) << out;
  EXPECT_NE(out.find("Software:           WombatPanel type 1 (MSI/EXE) 1.2.3.4 C:\\Windows\\System32\\DriverStore"),
            std::string::npos) << out;
  EXPECT_NE(out.find("args /device " + kControl + " (recorded; not executed)"), std::string::npos) << out;
  ASSERT_EQ(cli({"device", "show", kControl, "--json"}, &out), 0);
  auto c = nlohmann::json::parse(out);
  EXPECT_EQ(c["software"][1]["software_id"], "pfn://Wombat.Panel_8wekyb3d8bbwe");
  EXPECT_EQ(c["component"]["name"], "WombatControl");
  ASSERT_EQ(cli({"device", "remove", kParent}), 0);
  ASSERT_EQ(cli({"device", "list", "--json"}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out).size(), 2u);
  ASSERT_EQ(cli({"store", "verify"}), 0);
}

TEST_F(Components, AComponentInfMayAddComponentsOfItsOwn) {
  stage_parent();
  std::string ctl = kControlInf;
  ctl.insert(ctl.find("[Strings]"), R"([Control_Install.NT.Components]
AddComponent = WombatSensor,, Control_Sensor

[Control_Sensor]
ComponentIDs = VEN_WMBT&CID_SENSOR

)");
  stage(package_dir("control", ctl, "wombatctl.inf"), true);
  ASSERT_EQ(cli({"device", "add", kParent, "--hwid", "ROOT\\WOMBAT"}), 0);
  const std::string before = export_hklm();
  ASSERT_EQ(cli({"device", "install", kParent}), 0);
  auto e = engine();
  auto control = e.device(kControl);
  ASSERT_TRUE(control.ok());
  ASSERT_EQ(control->children.size(), 1u);
  const std::string sensor = control->children[0];
  EXPECT_EQ(sensor.rfind("SWD\\DRIVERENUM\\WombatSensor&2&", 0), 0u) << sensor << ": depth 2 below a bus device";
  EXPECT_EQ(e.device(sensor)->parent, kControl);
  std::string out;
  ASSERT_EQ(cli({"device", "list"}, &out), 0);
  EXPECT_NE(out.find("\n    Instance ID:        " + sensor + "\n    Parent:             " + kControl + "\n"), std::string::npos)
      << out;
  ASSERT_EQ(cli({"device", "uninstall", kParent}), 0);
  EXPECT_EQ(export_hklm(), before) << "grandchildren go too";
}

// A child whose driver cannot be installed: Windows installs the parent and leaves the child with
// problem 28 (CM_PROB_FAILED_INSTALL); what the child's install had done is rolled back (its file
// copy too), the child stays without a driver, and uninstalling the parent is still exact.
TEST_F(Components, AChildWhoseDriverFailsKeepsAProblemAndTheParentInstalls) {
  stage_parent();
  std::string ctl = kControlInf;
  ctl.replace(ctl.find("DefaultDestDir = 13"), 19, "DefaultDestDir = 11");  // a copy that must be undone
  ctl.replace(ctl.find("ControlLevel, 0x00010001"), 24, "ControlLevel, 0xZZ");
  const std::string oem = stage(package_dir("control", ctl, "wombatctl.inf"), true);
  ASSERT_EQ(cli({"device", "add", kParent, "--hwid", "ROOT\\WOMBAT"}), 0);
  const std::string before = export_hklm();
  std::string out;
  ASSERT_EQ(cli({"device", "install", kParent}, &out), 0) << out;
  EXPECT_NE(out.find(kParent + ": installed"), std::string::npos) << out;
  EXPECT_NE(out.find(kControl + ": component device created; its driver " + oem +
                     " could not be installed, problem 28 (CM_PROB_FAILED_INSTALL): "),
            std::string::npos) << out;
  EXPECT_NE(out.find("invalid AddReg flags"), std::string::npos) << out;
  auto e = engine();
  auto parent = e.device(kParent);
  ASSERT_TRUE(parent->driver.has_value());
  auto child = e.device(kControl);
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->driver.has_value());
  EXPECT_EQ(child->problem, 28u);
  EXPECT_NE(child->problem_message.find("invalid AddReg flags"), std::string::npos) << child->problem_message;
  EXPECT_EQ(child->parent, kParent);
  EXPECT_EQ(dword(kCcs + "\\Enum\\" + kControl, "ConfigFlags"), 0x60u) << "CONFIGFLAG_REINSTALL | CONFIGFLAG_FAILEDINSTALL";
  EXPECT_FALSE(has_key(kCcs + "\\Control\\Class\\{5c4c3332-344d-483c-8739-259e934c9cc8}\\0000")) << "its software key rolled back";
  EXPECT_FALSE(fs::exists(root_ / "Windows/System32/wombatctl.exe")) << "its file copy rolled back";
  EXPECT_EQ(package(oem).devices, 0);
  EXPECT_FALSE(e.device(kOrphan)->problem) << "the other child is unaffected";
  ASSERT_EQ(cli({"device", "show", kControl}, &out), 0);
  EXPECT_NE(out.find("Problem:            CM_PROB_FAILED_INSTALL (28): "), std::string::npos) << out;
  ASSERT_EQ(cli({"device", "show", kControl, "--json"}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["problem"]["code"], 28);
  ASSERT_EQ(cli({"store", "verify"}), 0);
  ASSERT_EQ(cli({"device", "uninstall", kParent}), 0);
  EXPECT_EQ(export_hklm(), before);
  EXPECT_FALSE(e.device(kControl).ok());
}

// ComponentIDs and Description are the only component entries; Windows ignores the rest, isodrv
// keeps them with the child so that device show can say so.
TEST_F(Components, OtherComponentEntriesAreKeptWithTheChildAndShown) {
  std::string inf = wombat_inf("05/01/2024,1.0.0.0");
  inf.insert(inf.find("[Wombat_Orphan]"), "AddReg       = Not_A_Component_Entry\nLoneWord\n\n");
  stage(package_dir("extra", inf, "wombat.inf"), true);
  auto e = engine();
  ASSERT_TRUE(e.add_device({kParent, {"ROOT\\WOMBAT"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(kParent);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  bool noted = false;
  for (const auto& n : r->notes) noted = noted || n.find("'AddReg = Not_A_Component_Entry' in component-install-section [Wombat_Control]") != std::string::npos;
  EXPECT_TRUE(noted);
  auto child = e.device(kControl);
  ASSERT_TRUE(child.ok() && child->component);
  ASSERT_EQ(child->component->ignored.size(), 2u);
  EXPECT_EQ(child->component->ignored[0].text, "AddReg = Not_A_Component_Entry");
  EXPECT_EQ(child->component->ignored[1].text, "LoneWord");
  EXPECT_NE(child->component->ignored[0].source.find("wombat.inf:"), std::string::npos);
  EXPECT_TRUE(e.device(kOrphan)->component->ignored.empty());
  std::string out;
  ASSERT_EQ(cli({"device", "show", kControl}, &out), 0);
  EXPECT_NE(out.find("Component Entry:    AddReg = Not_A_Component_Entry ("), std::string::npos) << out;
  ASSERT_TRUE(e.uninstall(kParent).ok());
  EXPECT_EQ(export_hklm(), before);
}
