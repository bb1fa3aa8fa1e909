// Issue 17 part 6: a driver's state folders live as long as their owner (service key, device
// node); uninstall, device removal and driver delete remove them; store verify reports leftovers.
#include "ci_test_util.h"

using namespace ci_test;

namespace {

class Lifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(s / "q");
    for (const char* f : {"quokka.inf", "quokka.sys", "quokka.cat"})
      fs::copy_file(fs::path(ISODRV_SOURCE_DIR) / "examples/quokka" / f, s / "q" / f);
    ASSERT_EQ(run("driver add q/quokka.inf").rc, 0);
    ASSERT_EQ(run("device add 'ROOT\\QUOKKA\\0000' --hwid 'ROOT\\QUOKKA'").rc, 0);
    ASSERT_EQ(run("device install 'ROOT\\QUOKKA\\0000'").rc, 0);
    data = fs::path(run("state driver-dir quokka --type data --host --create").out.substr(0, std::string::npos));
    ASSERT_FALSE(data.empty());
    std::string d = data.string();
    if (d.back() == '\n') d.pop_back();
    data = d;
    std::string dev = run("state device-dir 'ROOT\\QUOKKA\\0000' --host --create").out;
    if (!dev.empty() && dev.back() == '\n') dev.pop_back();
    device_data = dev;
    std::ofstream(data / "counters.bin") << "x";
    ASSERT_TRUE(fs::is_directory(data));
    ASSERT_TRUE(fs::is_directory(device_data));
  }
  CliRun run(const std::string& args) { return s.run(args + " --root " + shell_quote((s / "store").string())); }

  Scratch s;
  fs::path data, device_data;
};

}  // namespace

TEST_F(Lifecycle, UninstallRemovesTheServiceStateAndKeepsTheDeviceState) {
  EXPECT_EQ(run("store verify").out, "store is consistent\n");
  ASSERT_EQ(run("device uninstall 'ROOT\\QUOKKA\\0000'").rc, 0);
  EXPECT_FALSE(fs::exists(data.parent_path())) << "ServiceState\\quokka outlived its service";
  EXPECT_TRUE(fs::is_directory(device_data)) << "the device is still there";
  CliRun v = run("store verify");
  EXPECT_EQ(v.rc, 0) << v.out;
  // Removing the device removes its folder.
  ASSERT_EQ(run("device remove 'ROOT\\QUOKKA\\0000'").rc, 0);
  EXPECT_FALSE(fs::exists(device_data.parent_path()));
  EXPECT_EQ(run("store verify").out, "store is consistent\n");
}

TEST_F(Lifecycle, DriverDeleteUninstallRemovesTheServiceState) {
  CliRun del = run("driver delete oem0.inf --uninstall");
  ASSERT_EQ(del.rc, 0) << del.out << del.err;
  EXPECT_FALSE(fs::exists(data.parent_path()));
  EXPECT_TRUE(fs::is_directory(device_data));
  EXPECT_EQ(run("store verify").rc, 0);
}

TEST_F(Lifecycle, VerifyReportsLeftoverStateFolders) {
  fs::create_directories(data.parent_path().parent_path() / "ghost/Data");
  fs::create_directories(device_data.parent_path().parent_path() / "ROOT#GHOST#0000/Data");
  CliRun v = run("store verify");
  EXPECT_EQ(v.rc, 1);
  EXPECT_TRUE(has(v.out, "ServiceState/ghost: state folder of a service that no longer exists")) << v.out;
  EXPECT_TRUE(has(v.out, "DeviceState/ROOT#GHOST#0000: state folder of a device that no longer exists")) << v.out;
  EXPECT_TRUE(has(v.out, "2 problem(s) found")) << v.out;
}
