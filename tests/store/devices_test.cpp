// The store's device counts come from the device-install engine's device_nodes table: `driver list`
// "devices", and removal refused while a device runs the package but allowed once it moved off.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "isodrv/devinst.h"
#include "isodrv/store.h"
#include "support/staging.h"

namespace fs = std::filesystem;

TEST(StoreDevices, CountsAndRefusalFollowDeviceNodes) {
  const fs::path base = fs::temp_directory_path() / ("isodrv-store-devices-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "pkg");
  fs::copy_file(fs::path(ISODRV_TEST_DATA) / "devinst/fixtures/quokka/quokka.inf", base / "pkg/quokka.inf");
  std::ofstream(base / "pkg/quokka.sys") << "payload";
  std::ofstream(base / "pkg/quokka.cat") << "catalog";
  const std::string root = (base / "root").string();
  auto st = isodrv::store::Store::open(root);
  ASSERT_TRUE(st.ok());
  auto added = st->add((base / "pkg/quokka.inf").string(), isodrv::test::staging());
  ASSERT_TRUE(added.ok()) << added.error().to_string();
  EXPECT_EQ(st->find("oem0.inf")->devices, 0) << "no device table yet";

  auto e = isodrv::devinst::Engine::open(root);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->add_devices({{"ROOT\\QUOKKA\\0000", {"ROOT\\QUOKKA"}, {}}, {"ROOT\\QUOKKA\\0001", {"ROOT\\QUOKKA"}, {}}}).ok());
  EXPECT_EQ(st->find("oem0.inf")->devices, 0) << "devices without a driver do not count";
  ASSERT_TRUE(e->install("ROOT\\QUOKKA\\0000").ok());
  ASSERT_TRUE(e->install("ROOT\\QUOKKA\\0001").ok());
  EXPECT_EQ(st->list()->at(0).devices, 2);
  auto refused = st->remove("oem0.inf", isodrv::store::Store::RemoveMode::unused_only);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, isodrv::Errc::busy);
  ASSERT_TRUE(e->uninstall("ROOT\\QUOKKA\\0000").ok());
  EXPECT_EQ(st->find("oem0.inf")->devices, 1);
  ASSERT_TRUE(e->move_devices_off("oem0.inf").ok());
  EXPECT_EQ(st->find("oem0.inf")->devices, 0);
  EXPECT_TRUE(st->remove("oem0.inf", isodrv::store::Store::RemoveMode::unused_only).ok());
  EXPECT_TRUE(st->verify()->empty());
  fs::remove_all(base);
}
