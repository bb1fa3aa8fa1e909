// What HKR means in each kind of section (registry-layout.md §2, DESIGN.md §2), as a table: one
// INF writes a differently named value through HKR from every section kind; each row says where
// that value must land and which spec statement it proves.
#include "devinst_test_util.h"

using namespace devinst_test;

namespace {

const char* kInf = R"inf([Version]
Signature   = "$WINDOWS NT$"
Class       = Wombat
ClassGuid   = {0b9b8a6e-5f8a-4c2e-9d0e-7a1b2c3d4e5f}
Provider    = %P%
DriverVer   = 05/01/2024,1.0.0.0

[DestinationDirs]
DefaultDestDir = 13

[SourceDisksNames]
1 = %P%,,,""

[SourceDisksFiles]
wombat.sys = 1

[ClassInstall32]
AddReg = Class_AddReg

[Class_AddReg]
HKR,,,,"Wombat devices"
HKR,,V_Class,0x00010001,1

[Manufacturer]
%P% = Wombat, NTamd64

[Wombat.NTamd64]
%D% = Wombat_Device, ROOT\WOMBAT

[Wombat_Device.NT]
CopyFiles = Wombat_Files
AddReg    = Sw_AddReg

[Wombat_Files]
wombat.sys

[Sw_AddReg]
HKR,,V_Software,0x00010001,2
HKR,Sub,V_SoftwareSub,0x00010001,3

[Wombat_Device.NT.CoInstallers]
AddReg = Co_AddReg

[Co_AddReg]
HKR,,V_CoInstallers,0x00010001,4

[Wombat_Device.NT.HW]
AddReg = Hw_AddReg

[Hw_AddReg]
HKR,,V_Hardware,0x00010001,5
HKR,,FriendlyName,,"Wombat"
HKR,,UpperFilters,0x00010000,"wombatflt"
HKR,,DeviceCharacteristics,0x00010001,0x100
HKR,,Security,,"D:P(A;;GA;;;SY)"
HKR,Sub,FriendlyName,,"not a property here"

[Wombat_Device.NT.Services]
AddService = wombat, 0x00000002, Svc_Inst, EventLog_Inst

[Svc_Inst]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\wombat.sys
AddReg        = Svc_AddReg

[Svc_AddReg]
HKR,,V_Service,0x00010001,6
HKR,Parameters,V_Parameters,0x00010001,7

[EventLog_Inst]
AddReg = EventLog_AddReg

[EventLog_AddReg]
HKR,,V_EventLog,0x00010001,8

[Wombat_Device.NT.Interfaces]
AddInterface = {1c2d3e4f-0000-4000-8000-000000000001},,Itf_Inst
AddInterface = {1c2d3e4f-0000-4000-8000-000000000001},second,Itf_Inst

[Itf_Inst]
AddReg = Itf_AddReg

[Itf_AddReg]
HKR,,V_Interface,0x00010001,9

[Strings]
P = "Wombat Works"
D = "Wombat Device"
)inf";

struct Row {
  const char* proves;
  std::string key;   // below HKLM\SYSTEM\CurrentControlSet
  const char* name;
};

}  // namespace

class HkrBinding : public DevinstTest {};

TEST_F(HkrBinding, EverySectionKindWritesWhereTheLayoutSays) {
  stage(package_dir("wombat", kInf, "wombat.inf"), true);
  auto e = engine();
  const std::string id = "ROOT\\WOMBAT\\0000";
  ASSERT_TRUE(e.add_device({id, {"ROOT\\WOMBAT"}, {}}).ok());
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const std::string cls = "\\Control\\Class\\{0b9b8a6e-5f8a-4c2e-9d0e-7a1b2c3d4e5f}";
  const std::string itf = "\\Control\\DeviceClasses\\{1c2d3e4f-0000-4000-8000-000000000001}\\##?#ROOT#WOMBAT#0000#"
                          "{1c2d3e4f-0000-4000-8000-000000000001}";
  const Row rows[] = {
      {"§2 ClassInstall32: HKR = the setup-class key (default value = class description)", cls, ""},
      {"§2 ClassInstall32: HKR = the setup-class key", cls, "V_Class"},
      {"§2 DDInstall: HKR = the software key Class\\{guid}\\NNNN", cls + "\\0000", "V_Software"},
      {"§2 DDInstall: HKR,Sub = a subkey of the software key", cls + "\\0000\\Sub", "V_SoftwareSub"},
      {"§2 DDInstall.CoInstallers: HKR = the software key", cls + "\\0000", "V_CoInstallers"},
      {"§2 DDInstall.HW: HKR = Enum\\<id>\\Device Parameters", "\\Enum\\" + id + "\\Device Parameters", "V_Hardware"},
      {"DESIGN §2: FriendlyName in .HW is a device property on the instance key", "\\Enum\\" + id, "FriendlyName"},
      {"DESIGN §2: UpperFilters in .HW is a device property", "\\Enum\\" + id, "UpperFilters"},
      {"DESIGN §2: DeviceCharacteristics in .HW is a device property", "\\Enum\\" + id, "DeviceCharacteristics"},
      {"DESIGN §2: Security in .HW is a device property", "\\Enum\\" + id, "Security"},
      {"DESIGN §2: a property name below a subkey stays in Device Parameters",
       "\\Enum\\" + id + "\\Device Parameters\\Sub", "FriendlyName"},
      {"§2 service-install section: HKR = Services\\<name>", "\\Services\\wombat", "V_Service"},
      {"§1 Services\\<name>\\Parameters from HKR,Parameters", "\\Services\\wombat\\Parameters", "V_Parameters"},
      {"§2 event-log-install section: HKR = Services\\EventLog\\System\\<name>", "\\Services\\EventLog\\System\\wombat",
       "V_EventLog"},
      {"§2 add-interface section: HKR = the interface's Device Parameters (no reference string: #)",
       itf + "\\#\\Device Parameters", "V_Interface"},
      {"§2 add-interface section: HKR = the interface's Device Parameters (reference string)",
       itf + "\\#second\\Device Parameters", "V_Interface"},
  };
  for (const auto& row : rows) {
    EXPECT_TRUE(has_value(kCcs + row.key, row.name)) << row.proves << ": " << row.key << " " << row.name;
  }
  // And nowhere else: a property name never also lands in Device Parameters.
  EXPECT_FALSE(has_value(kCcs + "\\Enum\\" + id + "\\Device Parameters", "FriendlyName"));
  EXPECT_FALSE(has_value(kCcs + "\\Enum\\" + id + "\\Device Parameters", "UpperFilters"));
  EXPECT_EQ(sz(kCcs + itf + "\\#", "SymbolicLink"), "\\\\?\\ROOT#WOMBAT#0000#{1c2d3e4f-0000-4000-8000-000000000001}");
  EXPECT_EQ(sz(kCcs + itf + "\\#second", "SymbolicLink"),
            "\\\\?\\ROOT#WOMBAT#0000#{1c2d3e4f-0000-4000-8000-000000000001}\\second");
  EXPECT_EQ(e.device(id)->interfaces.size(), 2u);
  // A second device of the class does not run ClassInstall32 again, and the class survives until
  // the last device of it is gone.
  ASSERT_TRUE(e.add_device({"ROOT\\WOMBAT\\0001", {"ROOT\\WOMBAT"}, {}}).ok());
  ASSERT_TRUE(e.install("ROOT\\WOMBAT\\0001").ok());
  ASSERT_TRUE(e.uninstall(id).ok());
  EXPECT_TRUE(has_value(kCcs + cls, "V_Class"));
  ASSERT_TRUE(e.uninstall("ROOT\\WOMBAT\\0001").ok());
  EXPECT_FALSE(has_key(kCcs + cls));
}

namespace {

// A DDInstall and a section it needs write the same value: the needed section runs after the
// section's own directives (install-semantics.md §9 [DOC]), in its role, so its value wins and
// lands where HKR means the software key; from .HW the same section writes Device Parameters.
const char* kNeedsInf = R"inf([Version]
Signature   = "$WINDOWS NT$"
Class       = Wombat
ClassGuid   = {0b9b8a6e-5f8a-4c2e-9d0e-7a1b2c3d4e5f}
Provider    = %P%
DriverVer   = 05/01/2024,1.0.0.0

[Manufacturer]
%P% = Wombat, NTamd64

[Wombat.NTamd64]
%D% = Wombat_Device, ROOT\WOMBAT

[Wombat_Device.NT]
Needs  = Shared
AddReg = Own_AddReg

[Wombat_Device.NT.HW]
Needs = Shared

[Own_AddReg]
HKR,,Who,,"own"

[Shared]
AddReg = Shared_AddReg

[Shared_AddReg]
HKR,,Who,,"needed"

[Wombat_Device.NT.Services]
AddService = ,2

[Strings]
P = "Wombat Works"
D = "Wombat Device"
)inf";

}  // namespace

TEST_F(HkrBinding, NeededSectionsRunAfterTheSectionsOwnDirectivesInItsRole) {
  stage(package_dir("needs", kNeedsInf, "needs.inf"), true);
  auto e = engine();
  const std::string id = "ROOT\\WOMBAT\\0000";
  ASSERT_TRUE(e.add_device({id, {"ROOT\\WOMBAT"}, {}}).ok());
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(sz(kCcs + "\\Control\\Class\\{0b9b8a6e-5f8a-4c2e-9d0e-7a1b2c3d4e5f}\\0000", "Who"), "needed");
  EXPECT_EQ(sz(kCcs + "\\Enum\\" + id + "\\Device Parameters", "Who"), "needed");
}
