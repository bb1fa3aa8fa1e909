// Kill tests for the write funnel (issue 16): every public operation that writes is killed at each of
// its crash points; `store verify`, run as the first command afterwards, must find the store
// consistent, the registry and every file below the root must then be exactly as before the
// operation or exactly as after it, and a retry from "before" must succeed. The same on a full disk.
#include <sys/file.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "devinst_test_util.h"

using namespace devinst_test;

namespace {

// The driver with Include = ks.inf / Needs = KS.Registration, installed with the fixture inbox folder:
// the inbox file copy (DIRID 12) and the registry writes commit or vanish with the install.
std::string numbat_with_inbox_inf() {
  std::string inf = numbat_inf("08/01/2024,4.0.0.0");
  const std::string head = "[Numbat_Device.NT]\n";
  inf.insert(inf.find(head) + head.size(), "Include = ks.inf\nNeeds = KS.Registration\n");
  return inf;
}

// The same driver with a software component (AddComponent), and the component INF that installs on
// the child: it copies a file outside the store and records an AddSoftware.
std::string numbat_with_component_inf() {
  std::string inf = numbat_inf("07/01/2024,3.0.0.0");
  inf.insert(inf.find("[Strings]"), R"([Numbat_Device.NT.Components]
AddComponent = NumbatPanel,, Numbat_Panel

[Numbat_Panel]
ComponentIDs = NUMBAT_PANEL

)");
  return inf;
}

const char* kPanelInf = R"([Version]
Signature   = "$WINDOWS NT$"
Class       = SoftwareComponent
ClassGuid   = {5c4c3332-344d-483c-8739-259e934c9cc8}
Provider    = %Provider%
DriverVer   = 07/01/2024,1.0.0.0

[DestinationDirs]
DefaultDestDir = 12

[SourceDisksNames]
1 = %Disk%,,,""

[SourceDisksFiles]
panel.sys = 1

[Manufacturer]
%Provider% = Panel, NTamd64

[Panel.NTamd64]
%Provider% = Panel_Install, SWC\NUMBAT_PANEL

[Panel_Install.NT]
CopyFiles = Panel_Files

[Panel_Files]
panel.sys

[Panel_Install.NT.Services]
AddService = , 0x00000002

[Panel_Install.NT.Software]
AddSoftware = NumbatPanelApp,, Panel_App

[Panel_App]
SoftwareType = 2
SoftwareID   = pfn://Numbat.Panel_1234567890abc

[Strings]
Provider = "Numbat Labs"
Disk = "Numbat Disk"
)";

const std::string& kDevice = kNumbatDevice;
const char* const kDevinstPoints[] = {"devinst:file-changed", "devinst:before-commit", "devinst:committed"};
const char* const kDeletePoints[] = {"delete:before-commit", "delete:committed", "delete:journal",
                                     "delete:removed-folder", "delete:removed-inf"};
const char* const kStagePoints[] = {"stage:journal",   "stage:copied",        "stage:renamed",
                                    "stage:published", "stage:before-commit", "stage:committed"};

// One public operation: the commands that lead to its "before" state, the command under test
// (both without --root), and the crash points it passes.
struct Operation {
  const char* name;
  std::vector<std::vector<std::string>> setup;
  std::vector<std::string> command;
  std::vector<const char*> points;
};

void PrintTo(const Operation& op, std::ostream* os) { *os << op.name; }

std::vector<const char*> points_of(std::initializer_list<std::vector<const char*>> lists) {
  std::vector<const char*> out;
  for (const auto& l : lists) out.insert(out.end(), l.begin(), l.end());
  return out;
}

// "V1" and "V2" stand for the two packages' INF paths, "P" and "C" for a parent with a software
// component and the component INF.
std::vector<Operation> operations() {
  const std::vector<const char*> dev(std::begin(kDevinstPoints), std::end(kDevinstPoints));
  const std::vector<const char*> del(std::begin(kDeletePoints), std::end(kDeletePoints));
  const std::vector<const char*> stage(std::begin(kStagePoints), std::end(kStagePoints));
    // DIRID 12 copies are not isolated: staging needs the explicit permission.
  const std::vector<std::string> add_v1 = {"driver", "add", "V1", "--allow-unisolated"};
  const std::vector<std::string> add_v2 = {"driver", "add", "V2", "--allow-unisolated"};
  const std::vector<std::string> add_dev = {"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"};
  const std::vector<std::string> install = {"device", "install", kDevice};
  const std::vector<std::string> add_parent = {"driver", "add", "P", "--allow-unisolated"};
  const std::vector<std::string> add_panel = {"driver", "add", "C", "--allow-unisolated"};
  return {
      {"add_devices", {add_v1}, add_dev, dev},
      {"install", {add_v1, add_dev}, install, dev},
      {"install_on_matching", {add_v1, add_dev}, {"driver", "add", "V1", "--allow-unisolated", "--install"}, dev},
      {"update", {add_v1, add_dev, install, add_v2}, install, dev},
      {"rollback", {add_v1, add_dev, install, add_v2, install}, {"device", "rollback", kDevice}, dev},
      {"uninstall", {add_v1, add_dev, install}, {"device", "uninstall", kDevice}, dev},
      {"remove_device", {add_v1, add_dev, install}, {"device", "remove", kDevice}, dev},
      {"driver_delete_uninstall", {add_v1, add_dev, add_v2, install}, {"driver", "delete", "oem1.inf", "--uninstall"},
       points_of({dev, del})},
      {"driver_delete", {add_v1, add_v2}, {"driver", "delete", "oem1.inf"}, del},
      {"driver_add", {}, add_v1, stage},
      // Software components: the child device and its driver commit with the parent's install,
      // and go with the parent.
      {"install_with_component", {add_parent, add_panel, add_dev}, install, dev},
      {"remove_parent_with_component", {add_parent, add_panel, add_dev, install}, {"device", "remove", kDevice}, dev},
      // Include / Needs from the inbox folder ("INBOX"): the included section's file copy too.
      {"install_with_inbox", {{"driver", "add", "I", "--allow-unisolated"}, add_dev},
       {"device", "install", kDevice, "--inbox", "INBOX"}, dev},
  };
}

class KillTest : public DevinstTest, public ::testing::WithParamInterface<Operation> {
 protected:
  void SetUp() override {
    DevinstTest::SetUp();
    v1_ = package_dir("v1", numbat_inf("05/01/2024,1.0.0.0"), "numbat.inf").string();
    v2_ = package_dir("v2", numbat_inf("06/01/2024,2.0.0.0"), "numbat.inf", "-v2").string();
    parent_ = package_dir("parent", numbat_with_component_inf(), "numbat.inf", "-parent").string();
    panel_ = package_dir("panel", kPanelInf, "panel.inf").string();
    inbox_pkg_ = package_dir("inbox-pkg", numbat_with_inbox_inf(), "numbat.inf", "-inbox").string();
  }

  std::vector<std::string> args(std::vector<std::string> a) const {
    for (auto& s : a) {
      s = s == "V1" ? v1_ : s == "V2" ? v2_ : s == "P" ? parent_ : s == "C" ? panel_ : s == "I" ? inbox_pkg_
          : s == "INBOX" ? fixture("inbox").string() : s;
    }
    return a;
  }

  // A root in the operation's "before" state: a file another package put in System32\drivers (so
  // that installs replace one file and create another), then the setup commands.
  void prepare(const Operation& op) {
    fs::remove_all(root_);
    fs::create_directories(root_);
    spit(root_ / "Windows/System32/drivers/shared.sys", "bytes another package put here\n");
    for (const auto& c : op.setup) ASSERT_EQ(cli(args(c)), 0) << op.name << ": setup " << c[0] << " " << c[1];
  }

  // The registry (HKLM as .reg), the staged packages, and every file below the root with its hash.
  std::string snapshot() {
    std::string s = export_hklm();
    s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());  // UTF-16LE of ASCII text, readable in a failure
    std::string listing;
    EXPECT_EQ(cli({"driver", "list", "--json"}, &listing), 0);
    s += "\n--- packages\n" + listing + "--- files\n";
    std::vector<std::string> files;
    for (auto& e : fs::recursive_directory_iterator(root_)) {
      const std::string rel = fs::relative(e.path(), root_).generic_string();
      if (rel.rfind("registry.db", 0) == 0 || rel == ".lock") continue;
      files.push_back(rel + (e.is_regular_file() ? " " + isodrv::package::sha256_hex(slurp(e.path())) : "/"));
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) s += f + "\n";
    return s;
  }

  std::string v1_, v2_, parent_, panel_, inbox_pkg_;
};

}  // namespace

TEST_P(KillTest, EveryCrashPointLeavesBeforeOrAfterAndARetrySucceeds) {
  const Operation& op = GetParam();
  prepare(op);
  if (HasFatalFailure()) return;
  const std::string before = snapshot();
  ASSERT_EQ(cli(args(op.command)), 0) << op.name << " fails without a crash";
  const std::string after = snapshot();
  ASSERT_NE(before, after);
  int kills = 0;
  for (const char* point : op.points) {
    SCOPED_TRACE(std::string(op.name) + " killed at " + point);
    prepare(op);
    if (HasFatalFailure()) return;
    const int rc = cli(args(op.command), nullptr, point);
    if (rc != -SIGKILL) {
      // The operation does not pass this point (no file to change): it simply completed.
      EXPECT_EQ(rc, 0);
      EXPECT_EQ(snapshot(), after);
      continue;
    }
    ++kills;
    std::string report;
    EXPECT_EQ(cli({"store", "verify"}, &report), 0) << report;  // the first command after the kill
    const std::string now = snapshot();
    EXPECT_TRUE(now == before || now == after) << "neither before nor after:\n" << now << "\n--- before:\n" << before;
    if (now == before) {
      EXPECT_EQ(cli(args(op.command)), 0) << "the retry fails";
      EXPECT_EQ(snapshot(), after);
    }
  }
  EXPECT_GT(kills, 0) << op.name << " passed none of its crash points";
  RecordProperty("kills", kills);
}

INSTANTIATE_TEST_SUITE_P(Operations, KillTest, ::testing::ValuesIn(operations()),
                         [](const ::testing::TestParamInfo<Operation>& i) { return std::string(i.param.name); });

// The issue's walk-through: every command that opens the store, run first after a kill, recovers.
class KillRecovery : public KillTest {};

TEST_F(KillRecovery, AnyCommandRunFirstAfterAKillRecovers) {
  const std::vector<std::vector<std::string>> first = {
      {"reg", "query", "HKLM\\SYSTEM"}, {"driver", "list"}, {"state", "device-key", kDevice, "--type", "hardware"}, {"audit", "show"}};
  Operation op{"install", {{"driver", "add", "V1", "--allow-unisolated"}, {"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"}},
               {"device", "install", kDevice}, {}};
  for (const auto& cmd : first) {
    SCOPED_TRACE(cmd[0] + " " + cmd[1]);
    prepare(op);
    if (HasFatalFailure()) return;
    const std::string before = snapshot();
    ASSERT_EQ(cli(args(op.command), nullptr, "devinst:file-changed"), -SIGKILL);
    ASSERT_TRUE(fs::exists(root_ / ".devinst-journal/journal"));
    cli(cmd);
    EXPECT_FALSE(fs::exists(root_ / ".devinst-journal")) << "the journal was not recovered";
    EXPECT_FALSE(fs::exists(root_ / "Windows/System32/drivers/numbat.sys"));
    EXPECT_EQ(snapshot(), before);
  }
}

// `store verify` checks the files device installs placed: one deleted behind the install's back is
// missing, a copy of a staged file that no install placed is a leftover, and a file journal that is
// still there (its owner alive, here: the test holding its lock) is reported.
TEST_F(KillRecovery, StoreVerifyChecksTheFilesInstallsPlaced) {
  Operation op{"install", {{"driver", "add", "V1", "--allow-unisolated"}, {"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"}},
               {"device", "install", kDevice}, {}};
  prepare(op);
  ASSERT_EQ(cli(args(op.command)), 0);
  std::string report;
  ASSERT_EQ(cli({"store", "verify"}, &report), 0) << report;
  const fs::path drivers = root_ / "Windows/System32/drivers";

  const std::string numbat = slurp(drivers / "numbat.sys");
  fs::remove(drivers / "numbat.sys");
  EXPECT_EQ(cli({"store", "verify"}, &report), 1);
  EXPECT_NE(report.find("numbat.sys: file of the driver installed on ROOT\\NUMBAT\\0000 (oem0.inf) is missing"),
            std::string::npos) << report;
  spit(drivers / "numbat.sys", numbat);

  ASSERT_EQ(cli({"device", "uninstall", kDevice}), 0);
  ASSERT_EQ(cli({"store", "verify"}, &report), 0) << report;
  spit(root_ / "Windows/System32/leftover.sys", numbat);
  EXPECT_EQ(cli({"store", "verify"}, &report), 1);
  EXPECT_NE(report.find("leftover.sys: copy of oem0.inf's numbat.sys that no install placed (left over)"),
            std::string::npos) << report;
  fs::remove(root_ / "Windows/System32/leftover.sys");

  spit(root_ / ".devinst-journal/journal", "token-of-a-live-owner\n");
  const int fd = ::open((root_ / ".devinst-journal/journal").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  EXPECT_EQ(cli({"store", "verify"}, &report), 1);
  EXPECT_NE(report.find(".devinst-journal: file journal of an unfinished device-install transaction"), std::string::npos)
      << report;
  ::close(fd);
  EXPECT_EQ(cli({"store", "verify"}, &report), 0) << "the owner is gone: recovery drops the journal\n" << report;
}

// An installed file that holds another package's copy disagrees with the registry: `store verify`
// names it. Here the file journal of a `driver delete --uninstall` killed after its file changes is
// lost, so recovery cannot put v2's files back while the registry (rolled back) still says v2.
TEST_F(KillRecovery, StoreVerifyFindsAnInstalledFileHoldingAnotherPackagesCopy) {
  Operation op{"driver_delete_uninstall",
               {{"driver", "add", "V1", "--allow-unisolated"}, {"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"},
                {"driver", "add", "V2", "--allow-unisolated"}, {"device", "install", kDevice}},
               {"driver", "delete", "oem1.inf", "--uninstall"}, {}};
  prepare(op);
  if (HasFatalFailure()) return;
  std::string report;
  ASSERT_EQ(cli({"store", "verify"}, &report), 0) << report;
  ASSERT_EQ(cli(args(op.command), nullptr, "devinst:before-commit"), -SIGKILL);
  fs::remove_all(root_ / ".devinst-journal");
  EXPECT_EQ(cli({"store", "verify"}, &report), 1) << report;
  EXPECT_NE(report.find("numbat.sys: holds oem0.inf's numbat.sys, not the file of the driver installed on "
                        "ROOT\\NUMBAT\\0000 (oem1.inf)"),
            std::string::npos) << report;

  // The same by hand: v2 installed, its file overwritten with v1's; put back, verify is content.
  prepare(op);
  if (HasFatalFailure()) return;
  const fs::path numbat = root_ / "Windows/System32/drivers/numbat.sys";
  const std::string v2 = slurp(numbat);
  spit(numbat, slurp(fs::path(v1_).parent_path() / "numbat.sys"));
  EXPECT_EQ(cli({"store", "verify"}, &report), 1) << report;
  EXPECT_NE(report.find("holds oem0.inf's numbat.sys"), std::string::npos) << report;
  spit(numbat, v2);
  EXPECT_EQ(cli({"store", "verify"}, &report), 0) << report;
  // A file that is no staged package's copy (another program's) is not judged.
  spit(numbat, "someone else's bytes\n");
  EXPECT_EQ(cli({"store", "verify"}, &report), 0) << report;
}

// A disk that fills up during an install: the copy fails with the system's words for it, nothing
// it wrote stays (no truncated file), and after space is freed the retry succeeds. The disk is a
// small tmpfs; where the test may not mount one it is skipped.
class FullDisk : public KillTest {
 protected:
  void SetUp() override {
    KillTest::SetUp();
    mnt_ = base_ / "mnt";
    fs::create_directories(mnt_);
    if (::mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=3m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << "); the full-disk test needs root";
    }
    mounted_ = true;
    root_ = mnt_ / "root";
    // A payload file bigger than what is left once the package is staged.
    const std::string big(1536 * 1024, 'n');
    v1_ = package_dir("big", numbat_inf("05/01/2024,1.0.0.0"), "numbat.inf").string();
    spit(base_ / "pkg-big/numbat.sys", big);
  }
  void TearDown() override {
    if (mounted_) ::umount2(mnt_.c_str(), MNT_DETACH);
    KillTest::TearDown();
  }
  fs::path mnt_;
  bool mounted_ = false;
};

TEST_F(FullDisk, AnInstallThatRunsOutOfSpaceIsRolledBackAndSaysSo) {
  Operation op{"install", {{"driver", "add", "V1", "--allow-unisolated"}, {"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"}},
               {"device", "install", kDevice}, {}};
  prepare(op);
  if (HasFatalFailure()) return;
  // No System32\drivers yet: the folder the install creates must go with the rollback too.
  fs::remove_all(root_ / "Windows/System32/drivers");
  const std::string before = snapshot();
  auto scratch = base_ / "scratch";
  fs::create_directories(scratch);
  std::vector<std::string> a = {"--root", root_.string()};
  for (const auto& s : op.command) a.push_back(s);
  auto r = isodrv_test::run_cli(a, scratch);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Input/output error"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(root_ / "Windows/System32/drivers/numbat.sys")) << "a truncated copy is left";
  std::string report;
  EXPECT_EQ(cli({"store", "verify"}, &report), 0) << report;
  EXPECT_EQ(snapshot(), before);

  ASSERT_EQ(::mount("tmpfs", mnt_.c_str(), "tmpfs", MS_REMOUNT, "size=16m"), 0) << std::strerror(errno);
  ASSERT_EQ(cli(args(op.command)), 0) << "the retry with space fails";
  EXPECT_EQ(slurp(root_ / "Windows/System32/drivers/numbat.sys").size(), 1536u * 1024u);
  EXPECT_EQ(cli({"store", "verify"}, &report), 0) << report;
}

// Every public operation on a disk with no space left at all (issue 16 part 2, "the same on a full
// disk"): the operation either completes or fails saying the disk is full; `store verify`, run first
// once space is back, finds the store consistent; files and registry are exactly "before" or
// exactly "after"; and from "before" a retry succeeds. The disk is a tmpfs filled to the last byte
// after the operation's set-up; where the test may not mount one it is skipped.
class FullDiskOperations : public KillTest {
 protected:
  void SetUp() override {
    KillTest::SetUp();
    mnt_ = base_ / "mnt";
    fs::create_directories(mnt_);
    if (::mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=16m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << "); the full-disk test needs root";
    }
    mounted_ = true;
    root_ = mnt_ / "root";
  }
  void TearDown() override {
    if (mounted_) ::umount2(mnt_.c_str(), MNT_DETACH);
    KillTest::TearDown();
  }
  // Writes one file until the disk refuses another byte.
  void fill_disk() {
    const int fd = ::open((mnt_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    const std::string block(64 * 1024, 'f');
    std::size_t chunk = block.size();
    while (chunk > 0) {
      if (::write(fd, block.data(), chunk) < 0) chunk /= 2;  // ENOSPC: try smaller pieces down to one byte
    }
    ::close(fd);
  }
  fs::path mnt_;
  bool mounted_ = false;
};

TEST_P(FullDiskOperations, AFullDiskLeavesBeforeOrAfterAndARetrySucceeds) {
  const Operation& op = GetParam();
  prepare(op);
  if (HasFatalFailure()) return;
  const std::string before = snapshot();
  ASSERT_EQ(cli(args(op.command)), 0) << op.name << " fails with space";
  const std::string after = snapshot();

  prepare(op);
  if (HasFatalFailure()) return;
  fill_disk();
  if (HasFatalFailure()) return;
  auto scratch = base_ / "scratch";
  fs::create_directories(scratch);
  std::vector<std::string> a = {"--root", root_.string()};
  for (const auto& s : args(op.command)) a.push_back(s);
  auto r = isodrv_test::run_cli(a, scratch);
  fs::remove(mnt_ / "filler");
  RecordProperty("outcome", r.rc == 0 ? "completed" : "refused");
  std::cout << op.name << " on a full disk: " << (r.rc == 0 ? "completed" : "refused: " + r.err) << "\n";
  std::string report;
  EXPECT_EQ(cli({"store", "verify"}, &report), 0) << report;  // the first command once space is back
  const std::string now = snapshot();
  if (r.rc == 0) {
    EXPECT_EQ(now, after) << op.name << " succeeded on a full disk but did not do all of it";
    return;
  }
  const bool says_full = r.err.find("No space left on device") != std::string::npos ||
                         r.err.find("disk is full") != std::string::npos;
  EXPECT_TRUE(says_full) << op.name << ": " << r.err;
  EXPECT_EQ(now, before) << op.name << " failed on a full disk but left part of its changes";
  EXPECT_EQ(cli(args(op.command)), 0) << "the retry with space fails";
  EXPECT_EQ(snapshot(), after);
}

INSTANTIATE_TEST_SUITE_P(Operations, FullDiskOperations, ::testing::ValuesIn(operations()),
                         [](const ::testing::TestParamInfo<Operation>& i) { return std::string(i.param.name); });

// The kill tests are parameterized, and a parameterized test's name holds a '/': its scratch folder
// must still sit directly below the temporary folder, or every passing run leaves an empty parent
// folder behind (the clean-up removes only the folder it was given).
class ScratchFolder : public DevinstTest, public ::testing::WithParamInterface<int> {};

TEST_P(ScratchFolder, SitsDirectlyBelowTempForParameterizedTests) {
  EXPECT_EQ(base_.parent_path(), fs::temp_directory_path());
  EXPECT_EQ(base_.filename().string().find('/'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Instances, ScratchFolder, ::testing::Values(1, 2));
