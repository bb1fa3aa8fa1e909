// Include / Needs across INFs (issue 12 part 4): a Needs naming a section of an Include'd inbox INF
// is read from the inbox INF folder (--inbox DIR, Engine::set_inbox_folder) and applied after the
// needing section's own directives, in its role (HKR, services); its files come from the inbox
// folder. Without the folder, or when the INF or the section is not there, the install fails
// naming both and writes nothing; uninstall restores the registry byte for byte. The fixture inbox
// INFs (tests/devinst/fixtures/inbox) are written for these tests.
#include "devinst/inbox.h"
#include "devinst_test_util.h"
#include "isodrv/stamp_tokens.h"

using namespace devinst_test;

namespace {

const char* kSndInf = R"inf([Version]
Signature   = "$WINDOWS NT$"
Class       = MEDIA
ClassGuid   = {4d36e96c-e325-11ce-bfc1-08002be10318}
Provider    = %P%
DriverVer   = 05/01/2024,1.0.0.0
CatalogFile = wombatsnd.cat

[Manufacturer]
%P% = Snd, NTamd64

[Snd.NTamd64]
%D% = Snd_Device, ROOT\WOMBATSND

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
wombatsnd.sys = 1

[DestinationDirs]
DefaultDestDir = 13

[Snd_Device.NT]
Include   = ks.inf, wdmaudio.inf
Needs     = KS.Registration, WDMAUDIO.Registration
CopyFiles = Snd_Files
AddReg    = Snd_AddReg

[Snd_Files]
wombatsnd.sys

[Snd_AddReg]
HKR,,Who,,"own"
HKR,,OwnValue,,"kept"

[Snd_Device.NT.HW]
Include = ks.inf
Needs   = KS.Registration.HW

[Snd_Device.NT.Services]
Include    = ks.inf
Needs      = KS.Registration.Services
AddService = WombatSnd, 0x00000002, Snd_Service

[Snd_Service]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\wombatsnd.sys

[Strings]
P = "Wombat Audio"
D = "Wombat Sound Device"
Disk = "Wombat Disk"
)inf";

const std::string kSnd = "ROOT\\WOMBATSND\\0000";
const std::string kMediaClass = "\\Control\\Class\\{4d36e96c-e325-11ce-bfc1-08002be10318}";

class Inbox : public DevinstTest {
 protected:
  std::string stage_snd() { return stage(package_dir("snd", kSndInf, "wombatsnd.inf"), true); }
  std::string inbox() const { return fixture("inbox").string(); }
  fs::path host(const std::string& rel) const { return root_ / rel; }
};

}  // namespace

TEST_F(Inbox, NeededSectionsOfIncludedInfsApplyInTheNeedingSectionsRole) {
  const std::string oem = stage_snd();
  auto e = engine();
  ASSERT_TRUE(e.set_inbox_folder(inbox()).ok());
  ASSERT_TRUE(e.add_device({kSnd, {"ROOT\\WOMBATSND"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(kSnd);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto info = e.device(kSnd);
  ASSERT_TRUE(info.ok());
  const std::string sw = info->software_key;
  EXPECT_EQ(sw, kCcs + kMediaClass + "\\0000");
  // DDInstall's Needs: HKR = the software key, after the section's own AddReg (ks.inf's Who wins).
  EXPECT_EQ(sz(sw, "Who"), "ks.inf");
  EXPECT_EQ(sz(sw, "OwnValue"), "kept");
  EXPECT_EQ(dword(sw, "KsFixtureLevel"), 3u);
  EXPECT_EQ(sz(sw + "\\KsFixture\\Parameters", "Mode"), "streaming");
  EXPECT_EQ(dword("HKLM\\SOFTWARE\\IsodrvFixture\\KS", "Registered"), 1u);
  // WdmAudio.INF (other case than the Include line) and the section it needs of its own.
  EXPECT_EQ(sz(sw, "WdmFixture"), "registered");
  EXPECT_EQ(dword(sw, "WdmCommon"), 1u);
  // .HW's Needs: HKR = Device Parameters.
  EXPECT_EQ(dword(kCcs + "\\Enum\\" + kSnd + "\\Device Parameters", "KsFixtureHw"), 7u);
  EXPECT_FALSE(has_value(sw, "KsFixtureHw"));
  // .Services' Needs: ks.inf's AddService, its service-install section's HKR = the service key.
  const std::string svc = kCcs + "\\Services\\KsFixtureSvc";
  EXPECT_EQ(sz(svc, "ImagePath"), "\\SystemRoot\\System32\\drivers\\ksfixture.sys");
  EXPECT_EQ(sz(svc + "\\Parameters", "FromKs"), "yes");
  EXPECT_EQ(sz(kCcs + "\\Enum\\" + kSnd, "Service"), "WombatSnd");
  // The inbox file comes from the inbox folder, is copied where ks.inf says, and is not staged.
  const fs::path copied = host("Windows/System32/drivers/ksfixture.sys");
  ASSERT_TRUE(fs::exists(copied));
  EXPECT_EQ(slurp(copied), slurp(fixture("inbox/ksfixture.sys")));
  EXPECT_FALSE(fs::exists(host("Windows/System32/DriverStore/FileRepository/" + package(oem).folder + "/ksfixture.sys")));
  const std::string win = "C:\\Windows\\System32\\drivers\\ksfixture.sys";
  EXPECT_EQ(info->inbox_files, std::vector<std::string>{win});
  EXPECT_NE(std::find(info->files.begin(), info->files.end(), win), info->files.end());
  EXPECT_EQ(info->included, (std::vector<std::string>{"ks.inf [KS.Registration]", "wdmaudio.inf [WDMAUDIO.Registration]",
                                                      "ks.inf [KS.Registration.HW]", "ks.inf [KS.Registration.Services]"}));
  auto st = isodrv::store::Store::open(root_.string());
  auto v = st->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty()) << (*v)[0].message;

  ASSERT_TRUE(e.uninstall(kSnd).ok());
  EXPECT_EQ(export_hklm(), before);
  EXPECT_FALSE(fs::exists(copied));
}

TEST_F(Inbox, UnresolvedNeedsFailNamingTheInfAndTheSectionAndWriteNothing) {
  stage_snd();
  auto e = engine();
  ASSERT_TRUE(e.add_device({kSnd, {"ROOT\\WOMBATSND"}, {}}).ok());
  const std::string before = export_hklm();
  auto expect_refused = [&](isodrv::Errc code, const std::vector<std::string>& words) {
    auto r = e.install(kSnd);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code) << r.error().to_string();
    for (const auto& w : words) EXPECT_NE(r.error().message.find(w), std::string::npos) << w << " in " << r.error().to_string();
    EXPECT_NE(r.error().line, 0u);
    EXPECT_EQ(export_hklm(), before) << "nothing written";
    EXPECT_FALSE(e.device(kSnd)->driver.has_value());
    EXPECT_FALSE(fs::exists(host("Windows/System32/drivers/ksfixture.sys")));
  };
  // No inbox folder given.
  expect_refused(isodrv::Errc::not_found, {"Needs=KS.Registration", "ks.inf", "wdmaudio.inf", "--inbox"});
  // A folder without the included INFs.
  const fs::path empty = base_ / "empty-inbox";
  fs::create_directories(empty);
  ASSERT_TRUE(e.set_inbox_folder(empty.string()).ok());
  expect_refused(isodrv::Errc::file_not_found, {"Needs=KS.Registration", "ks.inf", empty.string()});
  // The INFs are there, the section is not.
  const fs::path partial = base_ / "partial-inbox";
  spit(partial / "ks.inf", "[Version]\nSignature=\"$WINDOWS NT$\"\n\n[KS.Other]\nAddReg=X\n");
  spit(partial / "wdmaudio.inf", "[Version]\nSignature=\"$WINDOWS NT$\"\n");
  ASSERT_TRUE(e.set_inbox_folder(partial.string()).ok());
  expect_refused(isodrv::Errc::not_found, {"section [KS.Registration]", "ks.inf", "wdmaudio.inf"});
  EXPECT_EQ(e.set_inbox_folder((base_ / "nowhere").string()).error().code, isodrv::Errc::file_not_found);
}

TEST_F(Inbox, TheCliTakesInboxAndSaysWhatItApplied) {
  stage_snd();
  ASSERT_EQ(cli({"device", "add", kSnd, "--hwid", "ROOT\\WOMBATSND"}), 0);
  const std::string before = export_hklm();
  EXPECT_EQ(cli({"device", "install", kSnd}), 1) << "an unresolved Needs is an INF section that does not exist";
  EXPECT_EQ(cli({"device", "install", kSnd, "--inbox", (base_ / "nowhere").string()}), 3);
  EXPECT_EQ(export_hklm(), before);
  ASSERT_EQ(cli({"device", "install", kSnd, "--inbox", inbox()}), 0);
  std::string out;
  ASSERT_EQ(cli({"device", "show", kSnd}, &out), 0);
  EXPECT_NE(out.find("Included:           ks.inf [KS.Registration] (inbox)"), std::string::npos) << out;
  EXPECT_NE(out.find("Inbox File:         C:\\Windows\\System32\\drivers\\ksfixture.sys"), std::string::npos) << out;
  ASSERT_EQ(cli({"device", "show", kSnd, "--json"}, &out), 0);
  EXPECT_NE(out.find("\"inbox_files\": ["), std::string::npos) << out;
  ASSERT_EQ(cli({"device", "uninstall", kSnd}), 0);
  EXPECT_EQ(export_hklm(), before);
}

// Corpus packages that Include inbox INFs, with the fixture folder standing in for C:\Windows\INF.
TEST_F(Inbox, CorpusScreamNeedsKsAndWdmAudioAndUninstallsExactly) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  const fs::path inf = corpus / "duncanthrax+scream/Install/driver/x64/Scream.inf";
  if (!fs::exists(corpus / "MANIFEST.tsv") || !fs::exists(inf)) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  stage(package_dir("scream", slurp(inf), "Scream.inf"), true);
  auto e = engine();
  ASSERT_TRUE(e.set_inbox_folder(inbox()).ok());
  const std::string id = "ROOT\\SCREAM\\0000";
  ASSERT_TRUE(e.add_device({id, {"*Scream"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto info = e.device(id);
  EXPECT_EQ(sz(info->software_key, "Driver"), "Scream.sys") << "the INF's own AddReg";
  EXPECT_EQ(sz(info->software_key, "WdmFixture"), "registered") << "WDMAUDIO.Registration, HKR = the software key";
  EXPECT_EQ(dword(info->software_key, "KsFixtureLevel"), 3u);
  ASSERT_TRUE(e.uninstall(id).ok());
  EXPECT_EQ(export_hklm(), before);
}

namespace {

// A device whose DDInstall Needs defdest.inf's DefDest.Copy; `destination_dirs` is the including
// INF's [DestinationDirs] body.
std::string defdest_inf(const std::string& hwid, const std::string& destination_dirs) {
  return R"inf([Version]
Signature   = "$WINDOWS NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %P%
DriverVer   = 05/01/2024,1.0.0.0
CatalogFile = wombatdd.cat

[Manufacturer]
%P% = Dd, NTamd64

[Dd.NTamd64]
%D% = Dd_Device, )inf" + hwid + R"inf(

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
wombatdd.sys = 1

[DestinationDirs]
)inf" + destination_dirs + R"inf(
[Dd_Device.NT]
Include   = defdest.inf
Needs     = DefDest.Copy
CopyFiles = Dd_Files

[Dd_Files]
wombatdd.sys

[Dd_Device.NT.Services]
AddService = WombatDd, 0x00000002, Dd_Service

[Dd_Service]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\wombatdd.sys

[Strings]
P = "Wombat Labs"
D = "Wombat Default-Destination Device"
Disk = "Wombat Disk"
)inf";
}

}  // namespace

// install-semantics.md §9: the including INF's DefaultDestDir overrides the included INF's for an
// included list without its own DestinationDirs entry; without one, the included INF's applies.
TEST_F(Inbox, TheIncludingInfsDefaultDestDirOverridesTheIncludedOnes) {
  struct Case {
    const char* destination_dirs;
    const char* expected;  // where ksfixture.sys lands, below the root
    const char* absent;
  };
  const Case cases[] = {
      {"Dd_Files = 13\nDefaultDestDir = 12\n", "Windows/System32/drivers/ksfixture.sys", "Windows/System32/ksfixture.sys"},
      {"Dd_Files = 13\n", "Windows/System32/ksfixture.sys", "Windows/System32/drivers/ksfixture.sys"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.destination_dirs);
    const std::string hwid = "ROOT\\WOMBATDD" + std::to_string(n);
    const std::string id = hwid + "\\0000";
    stage(package_dir("dd" + std::to_string(n), defdest_inf(hwid, c.destination_dirs), "wombatdd.inf"), true);
    ++n;
    auto e = engine();
    ASSERT_TRUE(e.set_inbox_folder(inbox()).ok());
    ASSERT_TRUE(e.add_device({id, {hwid}, {}}).ok());
    auto r = e.install(id);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_TRUE(fs::exists(host(c.expected)));
    EXPECT_FALSE(fs::exists(host(c.absent)));
    ASSERT_TRUE(e.uninstall(id).ok());
    EXPECT_FALSE(fs::exists(host(c.expected)));
  }
}

// Each included INF is parsed once per engine: the probe for a section and the packages of every
// section needed from it share one document (ks.inf serves three Needs here, wdmaudio.inf one).
TEST_F(Inbox, EachIncludedInfIsParsedOncePerEngine) {
  stage_snd();
  auto e = engine();
  ASSERT_TRUE(e.set_inbox_folder(inbox()).ok());
  ASSERT_TRUE(e.add_device({kSnd, {"ROOT\\WOMBATSND"}, {}}).ok());
  const std::size_t before = isodrv::devinst::inbox_inf_parses();
  auto r = e.install(kSnd);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(isodrv::devinst::inbox_inf_parses() - before, 2u) << "ks.inf and wdmaudio.inf, once each";
  ASSERT_TRUE(e.uninstall(kSnd).ok());
  ASSERT_TRUE(e.install(kSnd).ok());
  EXPECT_EQ(isodrv::devinst::inbox_inf_parses() - before, 2u) << "a second install on the same engine parses nothing";
  // A new inbox folder (even the same one) starts over: what was read from the old one is dropped.
  ASSERT_TRUE(e.set_inbox_folder(inbox()).ok());
  ASSERT_TRUE(e.uninstall(kSnd).ok());
  ASSERT_TRUE(e.install(kSnd).ok());
  EXPECT_EQ(isodrv::devinst::inbox_inf_parses() - before, 4u);
}
