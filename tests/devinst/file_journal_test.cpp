// Crash safety of file changes outside the driver store: a process killed before its transaction
// commits has its DIRID 12 copies (new and replaced files) and its uninstall's file changes undone
// by the next command; one killed after the commit keeps them. The registry agrees either way.
#include <cstdlib>

#include "devinst_test_util.h"

using namespace devinst_test;

namespace {

const std::string kNumbatInf = numbat_inf();
const std::string& kDevice = kNumbatDevice;

class FileJournal : public DevinstTest {
 protected:
  fs::path drivers() const { return root_ / "Windows/System32/drivers"; }
  fs::path journal() const { return root_ / ".devinst-journal"; }

  // The CLI, killed at `point` (ISODRV_TEST_CRASH_POINT) when it gets there.
  int cli_crashing_at(const char* point, const std::vector<std::string>& args) { return cli(args, nullptr, point); }
};

}  // namespace

TEST_F(FileJournal, KilledBeforeCommitTheNextCommandRevertsTheFilesAndKeepsTheRegistry) {
  stage(package_dir("numbat", kNumbatInf, "numbat.inf"), true);
  ASSERT_EQ(cli({"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"}), 0);
  spit(drivers() / "shared.sys", "bytes another package put here\n");
  const std::string before = export_hklm();

  ASSERT_EQ(cli_crashing_at("devinst:before-commit", {"device", "install", kDevice}), -SIGKILL);
  EXPECT_TRUE(fs::exists(drivers() / "numbat.sys")) << "the copy happened before the kill";
  EXPECT_TRUE(fs::exists(journal() / "journal"));

  // Any command that opens the engine recovers first.
  ASSERT_EQ(cli({"device", "list"}), 0);
  EXPECT_FALSE(fs::exists(drivers() / "numbat.sys")) << "a file the dead install created is removed";
  EXPECT_EQ(slurp(drivers() / "shared.sys"), "bytes another package put here\n") << "a replaced file gets its bytes back";
  EXPECT_FALSE(fs::exists(journal()));
  EXPECT_EQ(export_hklm(), before);
  EXPECT_EQ(cli({"store", "verify"}), 0);

  // The device installs normally afterwards.
  ASSERT_EQ(cli({"device", "install", kDevice}), 0);
  EXPECT_TRUE(fs::exists(drivers() / "numbat.sys"));
}

TEST_F(FileJournal, KilledAfterCommitTheChangesStand) {
  stage(package_dir("numbat", kNumbatInf, "numbat.inf"), true);
  ASSERT_EQ(cli({"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"}), 0);
  ASSERT_EQ(cli_crashing_at("devinst:committed", {"device", "install", kDevice}), -SIGKILL);
  ASSERT_EQ(cli({"device", "list"}), 0);
  EXPECT_TRUE(fs::exists(drivers() / "numbat.sys"));
  EXPECT_FALSE(fs::exists(journal()));
  auto e = engine();
  ASSERT_TRUE(e.device(kDevice)->driver.has_value()) << "the committed install is kept";
}

TEST_F(FileJournal, UninstallKilledBeforeCommitLeavesTheDriverInstalledWithItsFiles) {
  stage(package_dir("numbat", kNumbatInf, "numbat.inf"), true);
  spit(drivers() / "shared.sys", "original\n");
  ASSERT_EQ(cli({"device", "add", kDevice, "--hwid", "ROOT\\NUMBAT"}), 0);
  const std::string before = export_hklm();
  ASSERT_EQ(cli({"device", "install", kDevice}), 0);
  const std::string installed = slurp(drivers() / "shared.sys");
  ASSERT_NE(installed, "original\n");
  const std::string with_driver = export_hklm();

  ASSERT_EQ(cli_crashing_at("devinst:before-commit", {"device", "uninstall", kDevice}), -SIGKILL);
  ASSERT_EQ(cli({"device", "list"}), 0);
  EXPECT_EQ(slurp(drivers() / "numbat.sys"), slurp(base_ / "pkg-numbat/numbat.sys"));
  EXPECT_EQ(slurp(drivers() / "shared.sys"), installed);
  EXPECT_EQ(export_hklm(), with_driver);

  ASSERT_EQ(cli({"device", "uninstall", kDevice}), 0);
  EXPECT_FALSE(fs::exists(drivers() / "numbat.sys"));
  EXPECT_EQ(slurp(drivers() / "shared.sys"), "original\n");
  EXPECT_EQ(export_hklm(), before);
}
