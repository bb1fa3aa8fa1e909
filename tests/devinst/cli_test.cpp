// The device commands through the built isodrv: device add (ID and --from), list, show --json
// (DESIGN.md §4 fields), install (--dry-run, --inf), uninstall, remove; driver add --install and
// driver delete --uninstall; exit codes.
#include <nlohmann/json.hpp>

#include <set>

#include "devinst_test_util.h"

using namespace devinst_test;

class DeviceCli : public DevinstTest {};

TEST_F(DeviceCli, AddListShowInstallRemove) {
  const fs::path inf = package_dir("quokka", slurp(fixture("quokka/quokka.inf")), "quokka.inf");
  std::string out;
  ASSERT_EQ(cli({"device", "add", "ROOT\\QUOKKA\\0000", "--hwid", "ROOT\\QUOKKA,QUOKKA_ANY", "--compatible", "QUOKKA_COMPAT"}, &out), 0);
  EXPECT_EQ(cli({"device", "add", "ROOT\\QUOKKA\\0000", "--hwid", "ROOT\\QUOKKA"}), 1) << "already exists";
  EXPECT_EQ(cli({"device", "add", "NOBACKSLASH", "--hwid", "X"}), 2);
  ASSERT_EQ(cli({"driver", "add", inf.string(), "--install"}, &out), 0);
  EXPECT_NE(out.find("Installed on device:    ROOT\\QUOKKA\\0000"), std::string::npos) << out;

  ASSERT_EQ(cli({"device", "show", "ROOT\\QUOKKA\\0000", "--json"}, &out), 0);
  auto j = nlohmann::json::parse(out);
  for (const char* f : {"instance_id", "hardware_ids", "compatible_ids", "driver", "service", "class_guid", "hardware_key",
                        "software_key", "interfaces", "files"}) {
    EXPECT_TRUE(j.contains(f)) << f;
  }
  EXPECT_EQ(j["instance_id"], "ROOT\\QUOKKA\\0000");
  EXPECT_EQ(j["hardware_ids"], nlohmann::json::array({"ROOT\\QUOKKA", "QUOKKA_ANY"}));
  EXPECT_EQ(j["compatible_ids"], nlohmann::json::array({"QUOKKA_COMPAT"}));
  EXPECT_EQ(j["driver"]["published_name"], "oem0.inf");
  EXPECT_EQ(j["driver"]["ddinstall"], "Quokka_Device.NT");
  EXPECT_TRUE(j["driver"]["rank"].is_number());
  EXPECT_EQ(j["service"], "quokka");
  EXPECT_EQ(j["hardware_key"], kCcs + "\\Enum\\ROOT\\QUOKKA\\0000\\Device Parameters");
  EXPECT_EQ(j["software_key"], kCcs + "\\Control\\Class\\{4d36e97d-e325-11ce-bfc1-08002be10318}\\0000");
  EXPECT_EQ(j["interfaces"].size(), 1u);
  EXPECT_EQ(j["files"].size(), 1u);

  ASSERT_EQ(cli({"driver", "list", "--json"}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)[0]["devices"], 1);
  EXPECT_NE(cli({"driver", "delete", "oem0.inf"}), 0) << "in use";

  ASSERT_EQ(cli({"device", "list"}, &out), 0);
  EXPECT_NE(out.find("ROOT\\QUOKKA\\0000"), std::string::npos);
  EXPECT_NE(out.find("oem0.inf"), std::string::npos);

  ASSERT_EQ(cli({"device", "uninstall", "ROOT\\QUOKKA\\0000"}), 0);
  ASSERT_EQ(cli({"device", "install", "ROOT\\QUOKKA\\0000", "--dry-run"}, &out), 0);
  EXPECT_NE(out.find("Windows Registry Editor Version 5.00"), std::string::npos);
  EXPECT_NE(out.find("\"InfPath\"=\"oem0.inf\""), std::string::npos) << out;
  ASSERT_EQ(cli({"device", "show", "ROOT\\QUOKKA\\0000", "--json"}, &out), 0);
  EXPECT_TRUE(nlohmann::json::parse(out)["driver"].is_null()) << "dry run installed nothing";
  ASSERT_EQ(cli({"device", "install", "ROOT\\QUOKKA\\0000", "--inf", "oem0.inf"}, &out), 0);
  EXPECT_NE(out.find("installed oem0.inf"), std::string::npos) << out;
  EXPECT_EQ(cli({"device", "install", "ROOT\\QUOKKA\\0000", "--inf", "oem7.inf"}), 1);

  ASSERT_EQ(cli({"device", "remove", "ROOT\\QUOKKA\\0000"}), 0);
  EXPECT_EQ(cli({"device", "show", "ROOT\\QUOKKA\\0000"}), 1);
  ASSERT_EQ(cli({"driver", "delete", "oem0.inf"}), 0);
  ASSERT_EQ(cli({"store", "verify"}), 0);
  EXPECT_FALSE(has_key(kCcs + "\\Enum\\ROOT"));
}

TEST_F(DeviceCli, AddFromMachineJsonAndDeleteWithUninstall) {
  const fs::path inf = package_dir("quokka", slurp(fixture("quokka/quokka.inf")), "quokka.inf");
  spit(base_ / "machine.json",
       R"([{"instance_id": "ROOT\\QUOKKA\\0000", "hardware_ids": ["ROOT\\QUOKKA"], "compatible_ids": []},
           {"instance_id": "ROOT\\QUOKKA\\0001", "hardware_ids": ["ROOT\\QUOKKA"]},
           {"instance_id": "ROOT\\OTHER\\0000", "hardware_ids": ["ROOT\\OTHER"], "compatible_ids": ["X"]}])");
  ASSERT_EQ(cli({"device", "add", "--from", (base_ / "machine.json").string()}), 0);
  std::string out;
  ASSERT_EQ(cli({"driver", "add", inf.string(), "--install"}, &out), 0);
  EXPECT_NE(out.find("ROOT\\QUOKKA\\0000"), std::string::npos);
  EXPECT_NE(out.find("ROOT\\QUOKKA\\0001"), std::string::npos);
  EXPECT_EQ(out.find("ROOT\\OTHER"), std::string::npos);
  ASSERT_EQ(cli({"driver", "list", "--json"}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)[0]["devices"], 2);
  ASSERT_EQ(cli({"driver", "delete", "oem0.inf", "--uninstall"}, &out), 0) << out;
  ASSERT_EQ(cli({"device", "show", "ROOT\\QUOKKA\\0001", "--json"}, &out), 0);
  EXPECT_TRUE(nlohmann::json::parse(out)["driver"].is_null());
  EXPECT_FALSE(has_key(kCcs + "\\Services\\quokka"));
  ASSERT_EQ(cli({"store", "verify"}), 0);
  EXPECT_EQ(cli({"device", "add", "--from", (base_ / "missing.json").string()}), 3);
}

TEST_F(DeviceCli, ConcurrentInstallsGetDistinctSoftwareKeys) {
  const fs::path inf = package_dir("quokka", slurp(fixture("quokka/quokka.inf")), "quokka.inf");
  ASSERT_EQ(cli({"driver", "add", inf.string()}), 0);
  constexpr int kDevices = 6;
  for (int i = 0; i < kDevices; ++i) {
    ASSERT_EQ(cli({"device", "add", "ROOT\\QUOKKA\\000" + std::to_string(i), "--hwid", "ROOT\\QUOKKA"}), 0);
  }
  std::vector<pid_t> pids;
  for (int i = 0; i < kDevices; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string root = root_.string(), id = "ROOT\\QUOKKA\\000" + std::to_string(i);
      const char* argv[] = {ISODRV_CLI, "--root", root.c_str(), "device", "install", id.c_str(), nullptr};
      execv(ISODRV_CLI, const_cast<char**>(argv));
      _exit(127);
    }
    pids.push_back(pid);
  }
  for (pid_t p : pids) {
    int st = 0;
    waitpid(p, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  std::set<std::string> keys;
  auto e = engine();
  for (int i = 0; i < kDevices; ++i) {
    auto d = e.device("ROOT\\QUOKKA\\000" + std::to_string(i));
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(d->driver.has_value());
    keys.insert(d->software_key);
    EXPECT_EQ(sz(d->software_key, "MatchingDeviceId"), "root\\quokka");
  }
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kDevices));
  auto st = isodrv::store::Store::open(root_.string());
  EXPECT_EQ(st->find("oem0.inf")->devices, kDevices);
}
