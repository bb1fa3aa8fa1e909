// Driver store behaviour: staging layout and records, identical and side-by-side packages, removal,
// path-escape refusal, crash recovery at every step and at random instants, concurrent staging.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "isodrv/store.h"
#include "support/cli_run.h"
#include "support/staging.h"
#include "support/scratch.h"

namespace fs = std::filesystem;
using isodrv::store::Store;

namespace {

using isodrv_test::slurp;

void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A minimal isolated package; `files` is the SourceDisksFiles section body, `extra` more sections.
std::string package_inf(const std::string& version = "1.0.0.0", const std::string& files = "bilby.sys = 1,,",
                        const std::string& disk_path = "") {
  return "[Version]\nSignature = \"$Windows NT$\"\nClass = System\n"
         "ClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}\nProvider = %P%\nCatalogFile = bilby.cat\n"
         "DriverVer = 11/24/2026," + version + "\nPnpLockdown = 1\n\n"
         "[DestinationDirs]\nDefaultDestDir = 13\n\n"
         "[SourceDisksNames]\n1 = %D%,,," + disk_path + "\n\n"
         "[SourceDisksFiles]\n" + files + "\n\n"
         "[Manufacturer]\n%P% = Bilby, NTamd64.10.0...16299\n\n"
         "[Bilby.NTamd64.10.0...16299]\n%Desc% = Bilby_Device, Root\\Bilby\n\n"
         "[Bilby_Device.NT]\nCopyFiles = Bilby_Files\n\n"
         "[Bilby_Files]\nbilby.sys\n\n"
         "[Bilby_Device.NT.Services]\nAddService = bilby, 0x00000002, Bilby_Service\n\n"
         "[Bilby_Service]\nServiceType = 1\nStartType = 3\nErrorControl = 1\nServiceBinary = %13%\\bilby.sys\n\n"
         "[Strings]\nP = \"Bilby Labs\"\nD = \"Bilby Disk\"\nDesc = \"Bilby Device\"\n";
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = isodrv_test::scratch_path("isodrv-store");
    fs::remove_all(base_);
    root_ = base_ / "root";
    pkg_ = base_ / "pkg";
    make_package(pkg_);
  }
  void TearDown() override { fs::remove_all(base_); }

  void make_package(const fs::path& dir, const std::string& version = "1.0.0.0") {
    spit(dir / "bilby.inf", package_inf(version));
    spit(dir / "bilby.sys", "bilby driver " + version);
    spit(dir / "bilby.cat", "catalog " + version);
  }

  std::vector<isodrv::store::VerifyProblem> verify() {
    auto s = Store::open(root_.string());
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    auto v = s->verify();
    EXPECT_TRUE(v.ok());
    return *v;
  }

  std::string problems() {
    std::string out;
    for (auto& p : verify()) out += p.path + ": " + p.message + "\n";
    return out;
  }

  // Every regular file under the root except the database and lock (for "nothing left behind").
  std::vector<std::string> tree() {
    std::vector<std::string> out;
    if (!fs::exists(root_)) return out;
    for (auto& e : fs::recursive_directory_iterator(root_)) {
      std::string rel = fs::relative(e.path(), root_).generic_string();
      if (rel.rfind("registry.db", 0) == 0 || rel == ".lock") continue;
      out.push_back(rel);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  int cli(std::vector<std::string> args, const char* crash_point = nullptr) {
    args.insert(args.begin(), {"--root", root_.string()});
    return isodrv_test::exec_cli(args, {}, crash_point);
  }

  fs::path base_, root_, pkg_;
};

}  // namespace

TEST_F(StoreTest, StagesFolderPublishedInfAndRecords) {
  auto s = Store::open(root_.string());
  ASSERT_TRUE(s.ok());
  auto r = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->already_staged);
  EXPECT_EQ(r->package.published_name, "oem0.inf");
  EXPECT_TRUE(r->package.isolated);
  EXPECT_TRUE(r->package.run_from_store);
  EXPECT_EQ(r->package.folder.rfind("bilby.inf_amd64_", 0), 0u);
  EXPECT_EQ(r->package.folder.size(), std::string("bilby.inf_amd64_").size() + 16);
  fs::path folder = fs::path(s->folder_path(r->package));
  EXPECT_EQ(slurp(folder / "bilby.sys"), "bilby driver 1.0.0.0");
  EXPECT_EQ(slurp(folder / "bilby.cat"), "catalog 1.0.0.0");
  EXPECT_EQ(slurp(folder / "bilby.inf"), slurp(pkg_ / "bilby.inf"));
  EXPECT_EQ(slurp(root_ / "Windows/INF/oem0.inf"), slurp(pkg_ / "bilby.inf"));
  auto files = s->files("oem0.inf");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 3u);
  auto list = s->list();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].provider, "Bilby Labs");
  EXPECT_EQ((*list)[0].version, "1.0.0.0");
  EXPECT_EQ((*list)[0].date, "11/24/2026");
  EXPECT_EQ(problems(), "");
}

TEST_F(StoreTest, IdenticalPackageIsANoOpAndNewVersionStagesSideBySide) {
  auto s = Store::open(root_.string());
  auto first = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_TRUE(first.ok());
  auto again = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_staged);
  EXPECT_EQ(again->package.published_name, "oem0.inf");
  make_package(base_ / "v2", "2.0.0.0");
  auto v2 = s->add((base_ / "v2" / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->package.published_name, "oem1.inf");
  EXPECT_NE(v2->package.folder, first->package.folder);
  EXPECT_EQ(s->list()->size(), 2u);
  EXPECT_EQ(problems(), "");
}

TEST_F(StoreTest, DeleteRemovesFolderInfAndRowsAndFreesTheName) {
  auto s = Store::open(root_.string());
  auto r = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(s->remove("oem0.inf", isodrv::store::Store::RemoveMode::unused_only).ok());
  EXPECT_FALSE(fs::exists(s->folder_path(r->package)));
  EXPECT_FALSE(fs::exists(root_ / "Windows/INF/oem0.inf"));
  EXPECT_TRUE(s->list()->empty());
  EXPECT_TRUE(fs::is_empty(root_ / "Windows/System32/DriverStore/FileRepository"));
  EXPECT_TRUE(fs::is_empty(root_ / "Windows/INF"));
  EXPECT_EQ(s->remove("oem0.inf", isodrv::store::Store::RemoveMode::unused_only).error().code, isodrv::Errc::not_found);
  // --force on a run-from-store package that no device uses deletes it like a plain delete (issue
  // 18: it used to be refused); the refusal applies only while devices use it (StoreDevices tests).
  auto again = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  EXPECT_EQ(again->package.published_name, "oem0.inf");
  EXPECT_TRUE(s->remove("oem0.inf", isodrv::store::Store::RemoveMode::force).ok());
  EXPECT_TRUE(s->list()->empty());
  EXPECT_EQ(problems(), "");
}

TEST_F(StoreTest, MissingPayloadFileStagesNothing) {
  fs::remove(pkg_ / "bilby.sys");
  auto s = Store::open(root_.string());
  auto r = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, isodrv::Errc::file_not_found);
  EXPECT_TRUE(s->list()->empty());
  EXPECT_EQ(problems(), "");
}

// Each row: a SourceDisksFiles entry or disk path that would reach outside the package folder.
struct EscapeCase {
  const char* what;
  const char* files;
  const char* disk_path;
};

TEST_F(StoreTest, PathEscapesAreRefusedAndLeaveNothingBehind) {
  const EscapeCase cases[] = {
      {"dot-dot subdir", "bilby.sys = 1,..\\..\\outside", ""},
      {"dot-dot disk path", "bilby.sys = 1", "..\\.."},
      {"drive letter", "bilby.sys = 1,C:\\Windows", ""},
      {"UNC path", "bilby.sys = 1", "\\\\server\\share"},
  };
  for (const auto& c : cases) {
    fs::path dir = base_ / "escape";
    fs::remove_all(dir);
    spit(dir / "bilby.inf", package_inf("1.0.0.0", c.files, c.disk_path));
    spit(dir / "bilby.sys", "x");
    spit(dir / "bilby.cat", "x");
    spit(base_ / "outside" / "bilby.sys", "outside");
    auto s = Store::open(root_.string());
    auto before = tree();
    auto r = s->add((dir / "bilby.inf").string(), isodrv::test::staging());
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code, isodrv::Errc::path_escape) << c.what << ": " << r.error().to_string();
    EXPECT_EQ(tree(), before) << c.what;
    EXPECT_EQ(problems(), "") << c.what;
  }
}

TEST_F(StoreTest, SymlinkThatEscapesThePackageIsRefused) {
  fs::remove(pkg_ / "bilby.sys");
  spit(base_ / "secret" / "bilby.sys", "not part of the package");
  fs::create_symlink(base_ / "secret" / "bilby.sys", pkg_ / "bilby.sys");
  auto s = Store::open(root_.string());
  auto before = tree();
  auto r = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, isodrv::Errc::path_escape);
  EXPECT_EQ(tree(), before);
}

TEST_F(StoreTest, KilledAtEveryStepTheNextCommandRecoversAConsistentStore) {
  for (const char* point : isodrv::store::kCrashPoints) {
    fs::remove_all(root_);
    std::string p = point;
    const bool deleting = p.rfind("delete:", 0) == 0;
    if (deleting) {
      ASSERT_EQ(cli({"driver", "add", (pkg_ / "bilby.inf").string()}), 0);
    }
    int rc = deleting ? cli({"driver", "delete", "oem0.inf"}, point)
                      : cli({"driver", "add", (pkg_ / "bilby.inf").string()}, point);
    EXPECT_EQ(rc, -SIGKILL) << point << " did not simulate a crash";
    // The next command recovers; the store must then be exactly consistent.
    EXPECT_EQ(cli({"store", "verify"}), 0) << point << "\n" << problems();
    auto s = Store::open(root_.string());
    auto list = s->list();
    // Only a stage killed after its commit keeps the package; a delete killed after its commit
    // removes it, one killed before (the write funnel's delete:before-commit) keeps it.
    const bool expect_present = p == "stage:committed" || p == "delete:before-commit";
    EXPECT_EQ(list->size(), expect_present ? 1u : 0u) << point;
    EXPECT_EQ(problems(), "") << point;
  }
}

TEST_F(StoreTest, KilledAtRandomInstantsTheStoreStaysConsistent) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 12; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string root = root_.string(), inf = (pkg_ / "bilby.inf").string();
      const char* argv[] = {ISODRV_CLI, "--root", root.c_str(), "driver", i % 3 == 2 ? "delete" : "add",
                            i % 3 == 2 ? "oem0.inf" : inf.c_str(), nullptr};
      execv(ISODRV_CLI, const_cast<char**>(argv));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 9000));
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    EXPECT_EQ(problems(), "") << "iteration " << i;
  }
}

TEST_F(StoreTest, ConcurrentStagingSerialises) {
  make_package(base_ / "v2", "2.0.0.0");
  pid_t a = fork();
  if (a == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    std::string root = root_.string(), inf = (pkg_ / "bilby.inf").string();
    const char* argv[] = {ISODRV_CLI, "--root", root.c_str(), "driver", "add", inf.c_str(), nullptr};
    execv(ISODRV_CLI, const_cast<char**>(argv));
    _exit(127);
  }
  int rc_b = cli({"driver", "add", (base_ / "v2" / "bilby.inf").string()});
  int st;
  waitpid(a, &st, 0);
  EXPECT_EQ(rc_b, 0);
  EXPECT_EQ(WEXITSTATUS(st), 0);
  auto s = Store::open(root_.string());
  auto list = s->list();
  ASSERT_EQ(list->size(), 2u);
  std::set<std::string> names = {(*list)[0].published_name, (*list)[1].published_name};
  EXPECT_EQ(names, (std::set<std::string>{"oem0.inf", "oem1.inf"}));
  EXPECT_EQ(problems(), "");
}

TEST_F(StoreTest, UnisolatedPackageNeedsExplicitPermissionAndIsMarked) {
  std::string inf = package_inf();
  inf.replace(inf.find("DefaultDestDir = 13"), 19, "DefaultDestDir = 12");
  inf.replace(inf.find("%13%\\bilby.sys"), 14, "%12%\\bilby.sys");
  spit(pkg_ / "bilby.inf", inf);
  auto s = Store::open(root_.string());
  auto refused = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(s->list()->empty());
  isodrv::store::AddOptions opts = isodrv::test::staging();
  opts.allow_unisolated = true;
  auto r = s->add((pkg_ / "bilby.inf").string(), opts);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->package.isolated);
  EXPECT_FALSE(r->isolation_errors.empty());
  EXPECT_EQ(problems(), "");
}

TEST_F(StoreTest, VerifyReportsTamperingAndStrays) {
  auto s = Store::open(root_.string());
  auto r = s->add((pkg_ / "bilby.inf").string(), isodrv::test::staging());
  ASSERT_TRUE(r.ok());
  spit(fs::path(s->folder_path(r->package)) / "bilby.sys", "tampered");
  fs::create_directories(root_ / "Windows/System32/DriverStore/FileRepository/stray.inf_amd64_0000000000000000");
  spit(root_ / "Windows/INF/oem7.inf", "stray");
  auto v = verify();
  std::string all;
  for (auto& p : v) all += p.message + "\n";
  EXPECT_NE(all.find("differs from the recorded hash"), std::string::npos) << all;
  EXPECT_NE(all.find("belongs to no staged package"), std::string::npos) << all;
  EXPECT_NE(all.find("published INF belongs to no staged package"), std::string::npos) << all;
}
