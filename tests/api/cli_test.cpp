// `isodrv state …` run as a process against a temporary --root: the one line every form prints,
// --host, --create / --existing, and the exit codes (0 found, 1 not found / no driver, 2 usage or
// malformed, 4 a name that would escape the root).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/fixture.h"
#include "support/cli_run.h"

using namespace apitest;

namespace {

using isodrv_test::CliRun;
using isodrv_test::slurp;

class StateCliTest : public ApiFixture {
 protected:
  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root_.string()});
    return isodrv_test::run_cli(args, base_);
  }
  // One line of output and exit 0.
  std::string line(const std::vector<std::string>& args) {
    auto r = run(args);
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    return r.out;
  }
};

const std::string kCcsS = "HKLM\\SYSTEM\\CurrentControlSet";

}  // namespace

TEST_F(StateCliTest, DeviceKey) {
  EXPECT_EQ(line({"state", "device-key", kDevice, "--type", "hardware", "--create"}),
            kCcsS + "\\Enum\\ROOT\\BILBY\\0000\\Device Parameters\n");
  EXPECT_EQ(line({"state", "device-key", kDevice, "--type", "software", "--create"}),
            kCcsS + "\\Control\\Class\\" + kClassGuid + "\\0000\n");
}

TEST_F(StateCliTest, InterfaceKey) {
  std::string itf = kCcsS + "\\Control\\DeviceClasses\\" + kItfGuid + "\\##?#ROOT#BILBY#0000#" + kItfGuid;
  EXPECT_EQ(line({"state", "interface-key", link(), "--create"}), itf + "\\#\\Device Parameters\n");
  EXPECT_EQ(line({"state", "interface-key", link("Wave", "\\??\\"), "--create"}), itf + "\\#Wave\\Device Parameters\n");
}

TEST_F(StateCliTest, DriverKey) {
  std::string svc = kCcsS + "\\Services\\bilby";
  EXPECT_EQ(line({"state", "driver-key", "bilby", "--type", "parameters", "--create"}), svc + "\\Parameters\n");
  EXPECT_EQ(line({"state", "driver-key", "bilby", "--type", "persistent", "--create"}), svc + "\\State\n");
  EXPECT_EQ(line({"state", "driver-key", "bilby", "--type", "shared", "--create"}), svc + "\\SharedState\n");
  // With --create the CLI resolves the way the API's open-always does, so the keys now exist.
  EXPECT_TRUE(key_exists("Services\\bilby\\State"));
  EXPECT_TRUE(key_exists("Services\\bilby\\SharedState"));
}

TEST_F(StateCliTest, DriverDirAndDriverPath) {
  std::string repo = std::string("C:\\Windows\\System32\\DriverStore\\FileRepository\\") + kFolder;
  EXPECT_EQ(line({"state", "driver-dir", "bilby", "--type", "image"}), repo + "\n");
  EXPECT_EQ(line({"state", "driver-dir", "bilby", "--type", "image", "--host"}),
            (root_ / "Windows/System32/DriverStore/FileRepository" / kFolder).string() + "\n");
  EXPECT_EQ(line({"state", "driver-dir", "bilby", "--type", "data", "--create"}), "C:\\Windows\\ServiceState\\bilby\\Data\n");
  EXPECT_EQ(line({"state", "driver-dir", "bilby", "--type", "shared", "--host", "--create"}),
            (root_ / "Windows/ServiceState/bilby/SharedData").string() + "\n");
  EXPECT_TRUE(fs::is_directory(root_ / "Windows/ServiceState/bilby/SharedData"));
  EXPECT_EQ(line({"state", "driver-path", "bilby"}), repo + "\\bilby.sys\n");
  EXPECT_EQ(line({"state", "driver-path", "bilby", "--host"}),
            (root_ / "Windows/System32/DriverStore/FileRepository" / kFolder / "bilby.sys").string() + "\n");
}

TEST_F(StateCliTest, DeviceDir) {
  EXPECT_EQ(line({"state", "device-dir", kDevice, "--create"}), "C:\\Windows\\DeviceState\\ROOT#BILBY#0000\\Data\n");
  EXPECT_EQ(line({"state", "device-dir", kDevice, "--host"}),
            (root_ / "Windows/DeviceState/ROOT#BILBY#0000/Data").string() + "\n");
}

TEST_F(StateCliTest, WithoutCreateNothingIsWritten) {
  auto r = run({"state", "driver-dir", "bilby", "--type", "data"});
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(fs::exists(root_ / "Windows/ServiceState/bilby"));
  r = run({"state", "driver-key", "bilby", "--type", "persistent"});
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_FALSE(key_exists("Services\\bilby\\State"));
  r = run({"state", "device-dir", kDevice, "--host"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_FALSE(fs::exists(root_ / "Windows/DeviceState/ROOT#BILBY#0000"));
  // The type names are choices: any case.
  EXPECT_EQ(line({"state", "driver-key", "bilby", "--type", "PERSISTENT", "--create"}),
            kCcsS + "\\Services\\bilby\\State\n");
}

TEST_F(StateCliTest, ExistingDoesNotCreate) {
  auto r = run({"state", "driver-dir", "bilby", "--type", "data", "--existing"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(fs::exists(root_ / "Windows/ServiceState/bilby"));
  r = run({"state", "device-key", kDevice, "--type", "hardware", "--existing"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_FALSE(key_exists("Enum\\ROOT\\BILBY\\0000\\Device Parameters"));
}

TEST_F(StateCliTest, ExitCodes) {
  struct Row {
    std::vector<std::string> args;
    int rc;
    const char* message;  // a piece of the error line
  };
  const Row table[] = {
      {{"state", "device-key", "ROOT\\WOMBAT\\0000", "--type", "hardware"}, 1, "does not exist"},
      {{"state", "device-key", kNoDriverDevice, "--type", "software"}, 1, "no driver"},
      {{"state", "device-dir", "ROOT\\WOMBAT\\0000"}, 1, "does not exist"},
      {{"state", "driver-key", "wombat", "--type", "persistent"}, 1, "does not exist"},
      {{"state", "driver-dir", "noimage", "--type", "image"}, 1, "no ImagePath"},
      {{"state", "interface-key", link("Other")}, 1, "not registered"},
      {{"state", "device-key", "ROOT\\BILBY", "--type", "hardware"}, 2, "<enumerator>"},
      {{"state", "device-dir", "ROOT\\..\\0000"}, 4, "refused"},
      {{"state", "driver-dir", "../etc", "--type", "data", "--create"}, 4, "refused"},
      {{"state", "interface-key", "ROOT#BILBY"}, 2, "symbolic link"},
      {{"state", "device-key", kDevice, "--type", "bogus"}, 2, "bogus"},
      {{"state", "device-key", kDevice}, 2, "--type"},
      {{"state"}, 2, ""},
  };
  for (const auto& row : table) {
    auto r = run(row.args);
    std::string shown;
    for (const auto& a : row.args) shown += a + " ";
    EXPECT_EQ(r.rc, row.rc) << shown << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << shown << r.out;
    EXPECT_NE(r.err.find(row.message), std::string::npos) << shown << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(base_ / "etc"));
}

// State set up with `isodrv reg add` only, as a script would do it.
TEST_F(StateCliTest, StateMadeWithRegAdd) {
  std::string dev = kCcsS + "\\Enum\\PCI\\VEN_1234&DEV_5678\\3&11583659&0&10";
  ASSERT_EQ(run({"reg", "add", dev, "/v", "Driver", "/t", "REG_SZ", "/d", std::string(kClassGuid) + "\\0001"}).rc, 0);
  ASSERT_EQ(run({"reg", "add", kCcsS + "\\Control\\Class\\" + kClassGuid + "\\0001"}).rc, 0);
  EXPECT_EQ(line({"state", "device-key", "PCI\\VEN_1234&DEV_5678\\3&11583659&0&10", "--type", "software"}),
            kCcsS + "\\Control\\Class\\" + kClassGuid + "\\0001\n");
  EXPECT_EQ(line({"state", "device-dir", "pci\\ven_1234&dev_5678\\3&11583659&0&10", "--create"}),
            "C:\\Windows\\DeviceState\\PCI#VEN_1234&DEV_5678#3&11583659&0&10\\Data\n");
  ASSERT_EQ(run({"reg", "add", kCcsS + "\\Services\\quokka", "/v", "ImagePath", "/t", "REG_EXPAND_SZ", "/d",
                 "System32\\drivers\\quokka.sys"})
                .rc,
            0);
  EXPECT_EQ(line({"state", "driver-path", "quokka"}), "C:\\Windows\\System32\\drivers\\quokka.sys\n");
  EXPECT_EQ(line({"state", "driver-path", "quokka", "--host"}),
            (root_ / "Windows/System32/drivers/quokka.sys").string() + "\n");
}
