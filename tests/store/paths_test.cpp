// The one Windows ↔ host mapping (isodrv/store_paths.h, issue 16 part 3): the store, the install
// engine and the API resolve through it, so they agree on every host path; INF-joined destinations
// read "/" as a separator and skip empty and "." components; nothing maps outside the root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "isodrv/api.h"
#include "isodrv/store.h"
#include "isodrv/store_paths.h"
#include "support/scratch.h"

namespace fs = std::filesystem;
using isodrv::Errc;
namespace store = isodrv::store;

namespace {

class StorePaths : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = isodrv_test::scratch_path("isodrv-paths");
    fs::remove_all(base_);
    root_ = (base_ / "root").string();
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(base_);
  }
  std::string inf(std::string_view windows) {
    auto r = store::windows_to_host(root_, windows, store::PathSpelling::inf_destination);
    return r ? *r : "error " + std::string(isodrv::errc_name(r.error().code));
  }
  fs::path base_;
  std::string root_;
};

}  // namespace

TEST_F(StorePaths, FixedFoldersAreTheSameForTheStoreTheEngineAndTheApi) {
  EXPECT_EQ(store::host_folder(root_, store::kFileRepositoryFolder), root_ + "/Windows/System32/DriverStore/FileRepository");
  EXPECT_EQ(store::host_folder(root_, store::kInfFolder), root_ + "/Windows/INF");
  EXPECT_EQ(store::host_folder(root_, store::kServiceStateFolder), root_ + "/Windows/ServiceState");
  EXPECT_EQ(store::host_folder(root_, store::kDeviceStateFolder), root_ + "/Windows/DeviceState");
  EXPECT_EQ(store::file_repository_dir(root_), store::host_folder(root_, store::kFileRepositoryFolder));
  EXPECT_EQ(store::inf_dir(root_), store::host_folder(root_, store::kInfFolder));
  // The API's names are the store's functions.
  auto via_api = isodrv::api::windows_to_host(root_, "C:\\windows\\SYSTEM32\\drivers\\x.sys");
  auto via_store = store::windows_to_host(root_, "C:\\windows\\SYSTEM32\\drivers\\x.sys");
  ASSERT_TRUE(via_api.ok() && via_store.ok());
  EXPECT_EQ(*via_api, *via_store);
  EXPECT_EQ(inf("C:\\WINDOWS\\system32\\DRIVERS\\x.sys"), root_ + "/Windows/System32/drivers/x.sys");
}

TEST_F(StorePaths, InfDestinationsSkipEmptyAndDotComponentsAndReadSlashAsASeparator) {
  EXPECT_EQ(inf("C:\\Windows\\System32\\drivers\\sub/dir\\x.sys"), root_ + "/Windows/System32/drivers/sub/dir/x.sys");
  EXPECT_EQ(inf("C:\\Windows\\\\System32\\.\\drivers\\x.sys"), root_ + "/Windows/System32/drivers/x.sys");
  EXPECT_EQ(inf("C:/Program Files/Numbat/x.exe"), root_ + "/Program Files/Numbat/x.exe");
  // An existing folder keeps its spelling (Windows looks names up case-insensitively).
  fs::create_directories(root_ + "/Program Files/Numbat");
  EXPECT_EQ(inf("C:\\PROGRAM FILES\\numbat\\x.exe"), root_ + "/Program Files/Numbat/x.exe");
}

TEST_F(StorePaths, NothingMapsOutsideTheRoot) {
  const std::string escaped = "error " + std::string(isodrv::errc_name(Errc::path_escape));
  for (const char* escape : {"C:\\Windows\\..\\..\\x.sys", "C:\\Windows\\System32\\drivers\\..\\..\\..\\..\\x",
                             "C:\\..", "C:\\a/../../x"}) {
    EXPECT_EQ(inf(escape), escaped) << escape;
  }
  for (const char* other : {"D:\\x.sys", "\\\\server\\share\\x", "x.sys", "", "\\x.sys"}) {
    EXPECT_EQ(inf(other), escaped) << other;
  }
  EXPECT_EQ(store::windows_to_host(root_, "C:\\Windows\\.\\x").error().code, Errc::path_escape);
  EXPECT_EQ(store::windows_to_host(root_, "C:\\Windows\\a/b").error().code, Errc::path_escape);
  EXPECT_EQ(store::windows_to_host(root_, "D:\\x").error().code, Errc::invalid_argument);
}
