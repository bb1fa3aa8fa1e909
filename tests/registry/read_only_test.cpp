// Read-only key handles (KeyHandle::as_read_only): every change through them is refused with
// access_denied, subkeys opened below inherit it, reads work, other handles keep write access.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "isodrv/registry.h"
#include "registry/test_util.h"

namespace reg = isodrv::registry;
using isodrv::Errc;

namespace {

class ReadOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::mt19937_64 rng{std::random_device{}()};
    dir_ = std::filesystem::temp_directory_path() / ("isodrv-reg-ro-" + std::to_string(rng()));
    std::filesystem::create_directories(dir_);
    auto r = reg::Registry::open((dir_ / "registry.db").string());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    reg_ = std::move(*r);
    rw_ = V(reg_.open_key("HKLM\\SOFTWARE\\Wombat\\Parameters", isodrv::registry::Disposition::open_always));
    ASSERT_TRUE(rw_.set_dword("Speed", 7).ok());
    ASSERT_TRUE(V(rw_.open_subkey("Sub", isodrv::registry::Disposition::open_always)).set_string("Name", "w").ok());
    ro_ = rw_.as_read_only();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  reg::Registry reg_;
  reg::KeyHandle rw_, ro_;
};

}  // namespace

TEST_F(ReadOnlyTest, FlagIsPerHandle) {
  EXPECT_TRUE(ro_.read_only());
  EXPECT_FALSE(rw_.read_only());
  EXPECT_EQ(ro_.path(), rw_.path());
  EXPECT_FALSE(V(reg_.open_key("HKLM\\SOFTWARE\\Wombat\\Parameters")).read_only());
}

TEST_F(ReadOnlyTest, ReadsWork) {
  EXPECT_EQ(V(ro_.get_dword("Speed")), 7u);
  EXPECT_EQ(V(ro_.enum_subkeys()), std::vector<std::string>{"Sub"});
  EXPECT_EQ(V(ro_.enum_values()).size(), 1u);
  EXPECT_TRUE(ro_.exists());
  EXPECT_TRUE(ro_.last_write_time().ok());
}

TEST_F(ReadOnlyTest, EveryChangeIsRefused) {
  EXPECT_EQ(ro_.set_dword("Speed", 8).error().code, Errc::access_denied);
  EXPECT_EQ(ro_.set_string("New", "x").error().code, Errc::access_denied);
  EXPECT_EQ(ro_.set_multi_sz("M", {"a"}).error().code, Errc::access_denied);
  EXPECT_EQ(ro_.set_binary("B", {1}).error().code, Errc::access_denied);
  EXPECT_EQ(ro_.set_qword("Q", 1).error().code, Errc::access_denied);
  EXPECT_EQ(ro_.delete_value("Speed").error().code, Errc::access_denied);
  EXPECT_EQ(ro_.open_subkey("New", isodrv::registry::Disposition::open_always).error().code, Errc::access_denied);
  EXPECT_EQ(ro_.open_subkey("Sub", isodrv::registry::Disposition::open_always).error().code, Errc::access_denied);  // even when it exists
  EXPECT_EQ(ro_.delete_subkey("Sub").error().code, Errc::access_denied);
  EXPECT_EQ(ro_.delete_tree().error().code, Errc::access_denied);
  // Nothing changed.
  EXPECT_EQ(V(rw_.get_dword("Speed")), 7u);
  EXPECT_EQ(V(rw_.enum_subkeys()), std::vector<std::string>{"Sub"});
  EXPECT_FALSE(rw_.query_value("New").ok());
}

TEST_F(ReadOnlyTest, SubkeysInheritReadOnly) {
  auto sub = V(ro_.open_subkey("Sub"));
  EXPECT_TRUE(sub.read_only());
  EXPECT_EQ(V(sub.get_string("Name")), "w");
  EXPECT_EQ(sub.set_string("Name", "z").error().code, Errc::access_denied);
  EXPECT_EQ(sub.delete_tree().error().code, Errc::access_denied);
  EXPECT_EQ(V(rw_.open_subkey("Sub")).read_only(), false);
}

TEST_F(ReadOnlyTest, WritableHandleStillWritesAndReadOnlySeesIt) {
  ASSERT_TRUE(rw_.set_dword("Speed", 9).ok());
  EXPECT_EQ(V(ro_.get_dword("Speed")), 9u);
  // A read-only handle still notices that its key was deleted through another handle.
  ASSERT_TRUE(rw_.delete_tree().ok());
  EXPECT_EQ(ro_.query_value("Speed").error().code, Errc::key_deleted);
}
