// Behaviour of the registry store: value byte layouts, case-insensitive names, handle
// confinement, deleted-key handles, transactions, last-write times and predefined keys.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "isodrv/registry.h"
#include "registry/test_util.h"

namespace reg = isodrv::registry;
using isodrv::Errc;

namespace {

std::string temp_dir(const std::string& tag) {
  static std::mt19937_64 rng{std::random_device{}()};
  auto dir = std::filesystem::temp_directory_path() / ("isodrv-reg-" + tag + "-" + std::to_string(rng()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("t");
    reg::Options opts;
    opts.clock = [this] { return ++clock_; };
    auto r = reg::Registry::open(dir_ + "/registry.db", opts);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    reg_ = std::move(*r);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  reg::KeyHandle key(const std::string& path) {
    auto k = reg_.open_key(path, isodrv::registry::Disposition::open_always);
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    return k.ok() ? *k : reg::KeyHandle();
  }

  std::string dir_;
  reg::FileTime clock_ = 1000;
  reg::Registry reg_;
};

std::vector<std::uint8_t> bytes(std::initializer_list<int> l) {
  std::vector<std::uint8_t> v;
  for (int b : l) v.push_back(static_cast<std::uint8_t>(b));
  return v;
}

}  // namespace

// Windows stores every type byte-exact; strings are UTF-16LE with their terminating NUL.
TEST_F(RegistryTest, ValueTypeByteLayouts) {
  auto k = key("HKLM\\SOFTWARE\\Layouts");
  ASSERT_TRUE(k.set_string("sz", "abc").ok());
  ASSERT_TRUE(k.set_string("exp", "%A%", reg::kRegExpandSz).ok());
  ASSERT_TRUE(k.set_string("empty", "").ok());
  ASSERT_TRUE(k.set_string("euro", "\xE2\x82\xAC").ok());            // U+20AC
  ASSERT_TRUE(k.set_string("astral", "\xF0\x9F\x98\x80").ok());      // U+1F600, a surrogate pair
  ASSERT_TRUE(k.set_dword("dw", 0x12345678).ok());
  ASSERT_TRUE(k.set_value("be", reg::kRegDwordBigEndian, reg::encode_dword_big_endian(0x12345678)).ok());
  ASSERT_TRUE(k.set_qword("qw", 0x0102030405060708ULL).ok());
  ASSERT_TRUE(k.set_multi_sz("multi", {"a", "bc"}).ok());
  ASSERT_TRUE(k.set_multi_sz("multi0", {}).ok());
  ASSERT_TRUE(k.set_binary("bin", bytes({0, 1, 0xFF})).ok());
  ASSERT_TRUE(k.set_binary("bin0", {}).ok());
  ASSERT_TRUE(k.set_value("none", reg::kRegNone, {}).ok());
  ASSERT_TRUE(k.set_value("custom", 0x00380001, bytes({9, 8})).ok());

  struct Row {
    const char* name;
    std::uint32_t type;
    std::vector<std::uint8_t> data;
  };
  const Row rows[] = {
      {"sz", reg::kRegSz, bytes({'a', 0, 'b', 0, 'c', 0, 0, 0})},  // REG_SZ "abc" = 8 bytes
      {"exp", reg::kRegExpandSz, bytes({'%', 0, 'A', 0, '%', 0, 0, 0})},
      {"empty", reg::kRegSz, bytes({0, 0})},
      {"euro", reg::kRegSz, bytes({0xAC, 0x20, 0, 0})},
      {"astral", reg::kRegSz, bytes({0x3D, 0xD8, 0x00, 0xDE, 0, 0})},
      {"dw", reg::kRegDword, bytes({0x78, 0x56, 0x34, 0x12})},
      {"be", reg::kRegDwordBigEndian, bytes({0x12, 0x34, 0x56, 0x78})},
      {"qw", reg::kRegQword, bytes({8, 7, 6, 5, 4, 3, 2, 1})},
      {"multi", reg::kRegMultiSz, bytes({'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0, 0, 0})},
      {"multi0", reg::kRegMultiSz, bytes({0, 0})},
      {"bin", reg::kRegBinary, bytes({0, 1, 0xFF})},
      {"bin0", reg::kRegBinary, {}},
      {"none", reg::kRegNone, {}},
      {"custom", 0x00380001, bytes({9, 8})},
  };
  for (const auto& row : rows) {
    auto v = k.query_value(row.name);
    ASSERT_TRUE(v.ok()) << row.name;
    EXPECT_EQ(v->type, row.type) << row.name;
    EXPECT_EQ(v->data, row.data) << row.name;
  }
  EXPECT_EQ(V(k.get_string("sz")), "abc");
  EXPECT_EQ(V(k.get_string("astral")), "\xF0\x9F\x98\x80");
  EXPECT_EQ(V(k.get_dword("dw")), 0x12345678u);
  EXPECT_EQ(V(k.get_dword("be")), 0x12345678u);
  EXPECT_EQ(V(k.get_qword("qw")), 0x0102030405060708ULL);
  EXPECT_EQ(V(k.get_multi_sz("multi")), (std::vector<std::string>{"a", "bc"}));
  EXPECT_TRUE(k.get_multi_sz("multi0")->empty());
  EXPECT_EQ(k.get_dword("sz").error().code, Errc::invalid_argument);
}

TEST_F(RegistryTest, InvalidStringDataIsRefused) {
  auto k = key("HKLM\\SOFTWARE\\Bad");
  EXPECT_FALSE(k.set_string("x", "\xC3").ok());                     // truncated UTF-8
  EXPECT_FALSE(k.set_multi_sz("m", {"a", ""}).ok());                // an empty string would end the list
  EXPECT_FALSE(k.set_dword(std::string("a\0b", 3), 1).ok());        // NUL in a value name
  EXPECT_FALSE(k.set_dword(std::string(16384, 'n'), 1).ok());       // over 16383 characters
  EXPECT_TRUE(k.set_dword(std::string(16383, 'n'), 1).ok());
}

TEST_F(RegistryTest, NamesAreCaseInsensitiveAndCasePreserving) {
  auto k = key("HKLM\\SOFTWARE\\CaseTest");
  ASSERT_TRUE(k.set_dword("MixedCase", 1).ok());
  ASSERT_TRUE(k.set_dword("MIXEDCASE", 2).ok());  // same value: spelling and position kept
  auto values = k.enum_values();
  ASSERT_EQ(values->size(), 1u);
  EXPECT_EQ((*values)[0].name, "MixedCase");
  EXPECT_EQ(V(k.get_dword("mixedcase")), 2u);

  // Latin-1 and other folded letters.
  ASSERT_TRUE(k.set_dword("\xC3\xA9t\xC3\xA9", 3).ok());                   // "été"
  EXPECT_EQ(V(k.get_dword("\xC3\x89T\xC3\x89")), 3u);                        // "ÉTÉ"
  ASSERT_TRUE(k.set_dword("\xD0\xB4", 4).ok());                             // Cyrillic д
  EXPECT_EQ(V(k.get_dword("\xD0\x94")), 4u);                                  // Д

  auto a = reg_.open_key("hklm\\software\\casetest\\Sub\\Deeper", isodrv::registry::Disposition::open_always);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->path(), "HKEY_LOCAL_MACHINE\\SOFTWARE\\CaseTest\\Sub\\Deeper");
  auto b = reg_.open_key("HKEY_LOCAL_MACHINE\\SOFTWARE\\CASETEST\\SUB\\deeper");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->path(), a->path());
  EXPECT_EQ(V(k.enum_subkeys()), std::vector<std::string>{"Sub"});
}

TEST_F(RegistryTest, SubkeysEnumerateInCaseInsensitiveOrderValuesInCreationOrder) {
  auto k = key("HKLM\\SOFTWARE\\Order");
  for (const char* n : {"b", "_under", "A", "c", "B2"}) ASSERT_TRUE(k.open_subkey(n, isodrv::registry::Disposition::open_always).ok());
  // Upper-case folding puts '_' (0x5F) after the letters, as Windows does.
  EXPECT_EQ(V(k.enum_subkeys()), (std::vector<std::string>{"A", "b", "B2", "c", "_under"}));
  for (const char* n : {"z", "a", "m"}) ASSERT_TRUE(k.set_dword(n, 0).ok());
  ASSERT_TRUE(k.delete_value("a").ok());
  ASSERT_TRUE(k.set_dword("a", 0).ok());
  std::vector<std::string> names;
  for (const auto& nv : V(k.enum_values())) names.push_back(nv.name);
  EXPECT_EQ(names, (std::vector<std::string>{"z", "m", "a"}));
}

TEST_F(RegistryTest, RootsAndAliases) {
  struct Row {
    const char* open;
    const char* path;
  };
  const Row rows[] = {
      {"HKLM", "HKEY_LOCAL_MACHINE"},
      {"hkey_local_machine\\system\\currentcontrolset\\services",
       "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services"},
      {"HKU\\.DEFAULT", "HKEY_USERS\\.DEFAULT"},
      {"HKCR", "HKEY_CLASSES_ROOT"},
      {"HKCU", "HKEY_CURRENT_USER"},
      {"HKCC", "HKEY_CURRENT_CONFIG"},
      {"HKLM\\SOFTWARE\\", "HKEY_LOCAL_MACHINE\\SOFTWARE"},
  };
  for (const auto& row : rows) {
    auto k = reg_.open_key(row.open);
    ASSERT_TRUE(k.ok()) << row.open << ": " << k.error().to_string();
    EXPECT_EQ(k->path(), row.path);
  }
  // HKCR is HKLM\SOFTWARE\Classes; HKCU is HKU\.DEFAULT.
  ASSERT_TRUE(reg_.open_key("HKCR\\.txt", isodrv::registry::Disposition::open_always)->set_string("", "txtfile").ok());
  EXPECT_EQ(V(reg_.open_key("HKLM\\SOFTWARE\\Classes\\.txt")->get_string("")), "txtfile");
  ASSERT_TRUE(reg_.open_key("HKCU\\Env", isodrv::registry::Disposition::open_always).ok());
  EXPECT_TRUE(reg_.open_key("HKU\\.DEFAULT\\Env").ok());
  EXPECT_EQ(reg_.open_key("HKXX\\a").error().code, Errc::invalid_argument);
  EXPECT_EQ(reg_.open_key("HKLM\\NoSuchKey").error().code, Errc::not_found);
}

// The one validation function: every row is refused, with Errc::path_escape.
TEST_F(RegistryTest, RelativePathValidation) {
  const std::string bad[] = {
      "",     "..",      ".",       "a\\..",       "a\\..\\..\\b", "\\a", "a\\", "a\\\\b",
      std::string("a\0b", 3), std::string(256, 'k'), "\xFF\xFE",
  };
  auto k = key("HKLM\\SOFTWARE\\Jail");
  for (const auto& rel : bad) {
    auto r = k.open_subkey(rel, isodrv::registry::Disposition::open_always);
    ASSERT_FALSE(r.ok()) << rel;
    EXPECT_EQ(r.error().code, Errc::path_escape) << rel;
    EXPECT_EQ(reg::split_relative_path(rel).error().code, Errc::path_escape) << rel;
  }
  EXPECT_TRUE(k.open_subkey(std::string(255, 'k'), isodrv::registry::Disposition::open_always).ok());
  EXPECT_TRUE(k.open_subkey("a.b\\..c\\...", isodrv::registry::Disposition::open_always).ok());  // dots inside names are fine
  std::string long_path;
  while (long_path.size() < reg::kMaxKeyPathChars) long_path += "abcdefg\\";
  long_path += "x";
  EXPECT_EQ(reg::split_relative_path(long_path).error().code, Errc::path_escape);
  // Nothing was created outside the jail.
  EXPECT_EQ(reg_.open_key("HKLM\\SOFTWARE\\b").error().code, Errc::not_found);
}

TEST_F(RegistryTest, HandleReachesOnlyItsSubtree) {
  auto jail = key("HKLM\\SOFTWARE\\Jail");
  auto sub = jail.open_subkey("x\\y", isodrv::registry::Disposition::open_always);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->path(), "HKEY_LOCAL_MACHINE\\SOFTWARE\\Jail\\x\\y");
  // A root name below a handle is just a key name, not a way out.
  auto fake = jail.open_subkey("HKLM\\SYSTEM", isodrv::registry::Disposition::open_always);
  ASSERT_TRUE(fake.ok());
  EXPECT_EQ(fake->path(), "HKEY_LOCAL_MACHINE\\SOFTWARE\\Jail\\HKLM\\SYSTEM");
}

TEST_F(RegistryTest, DeletedKeyHandleReturnsDistinctError) {
  auto k = key("HKLM\\SOFTWARE\\Doomed\\Child");
  auto parent = V(reg_.open_key("HKLM\\SOFTWARE\\Doomed"));
  ASSERT_TRUE(k.set_dword("v", 1).ok());
  ASSERT_TRUE(parent.delete_tree().ok());
  EXPECT_FALSE(k.exists());
  EXPECT_EQ(k.query_value("v").error().code, Errc::key_deleted);
  EXPECT_EQ(k.set_dword("v", 2).error().code, Errc::key_deleted);
  EXPECT_EQ(k.enum_subkeys().error().code, Errc::key_deleted);
  EXPECT_EQ(k.open_subkey("x", isodrv::registry::Disposition::open_always).error().code, Errc::key_deleted);
  EXPECT_EQ(parent.delete_tree().error().code, Errc::key_deleted);
  // A new key with the same name is a different key: the old handle stays dead.
  auto again = key("HKLM\\SOFTWARE\\Doomed\\Child");
  EXPECT_TRUE(again.exists());
  EXPECT_EQ(k.query_value("v").error().code, Errc::key_deleted);
  EXPECT_EQ(again.query_value("v").error().code, Errc::not_found);
}

TEST_F(RegistryTest, PredefinedKeysCannotBeDeleted) {
  for (const char* p : {"HKLM", "HKLM\\SYSTEM\\CurrentControlSet", "HKLM\\SYSTEM\\CurrentControlSet\\Services",
                        "HKCR", "HKU\\.DEFAULT"}) {
    EXPECT_EQ(reg_.delete_key(p).error().code, Errc::access_denied) << p;
  }
  EXPECT_EQ(reg_.delete_key("HKLM\\SOFTWARE\\Missing").error().code, Errc::not_found);
}

TEST_F(RegistryTest, TransactionCommitsWholeOrNotAtAll) {
  {
    auto tx = reg_.begin();
    ASSERT_TRUE(tx.ok());
    auto k = key("HKLM\\SOFTWARE\\Tx\\A");
    ASSERT_TRUE(k.set_dword("v", 1).ok());
    ASSERT_TRUE(tx->rollback().ok());
    EXPECT_FALSE(k.exists());
  }
  EXPECT_EQ(reg_.open_key("HKLM\\SOFTWARE\\Tx").error().code, Errc::not_found);
  {
    auto tx = reg_.begin();
    ASSERT_TRUE(key("HKLM\\SOFTWARE\\Tx\\B").set_dword("v", 1).ok());
    // destroyed without commit → rolled back
  }
  EXPECT_EQ(reg_.open_key("HKLM\\SOFTWARE\\Tx").error().code, Errc::not_found);
  {
    auto tx = reg_.begin();
    ASSERT_TRUE(key("HKLM\\SOFTWARE\\Tx\\C").set_dword("v", 1).ok());
    {
      auto inner = reg_.begin();
      ASSERT_TRUE(key("HKLM\\SOFTWARE\\Tx\\Inner").set_dword("v", 1).ok());
      ASSERT_TRUE(inner->rollback().ok());
    }
    {
      auto inner = reg_.begin();
      ASSERT_TRUE(key("HKLM\\SOFTWARE\\Tx\\Kept").set_dword("v", 1).ok());
      ASSERT_TRUE(inner->commit().ok());
    }
    ASSERT_TRUE(tx->commit().ok());
  }
  EXPECT_TRUE(reg_.open_key("HKLM\\SOFTWARE\\Tx\\C").ok());
  EXPECT_TRUE(reg_.open_key("HKLM\\SOFTWARE\\Tx\\Kept").ok());
  EXPECT_EQ(reg_.open_key("HKLM\\SOFTWARE\\Tx\\Inner").error().code, Errc::not_found);
}

TEST_F(RegistryTest, OuterCommitRefusedWhileInnerOpen) {
  auto outer = reg_.begin();
  auto inner = reg_.begin();
  EXPECT_EQ(outer->commit().error().code, Errc::invalid_argument);
  EXPECT_TRUE(inner->commit().ok());
  EXPECT_TRUE(outer->commit().ok());
  EXPECT_FALSE(outer->active());
}

TEST_F(RegistryTest, ChangesPersistAcrossReopen) {
  ASSERT_TRUE(key("HKLM\\SOFTWARE\\Persist").set_string("s", "kept").ok());
  reg_ = reg::Registry();
  auto r = reg::Registry::open(dir_ + "/registry.db");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(V(r->open_key("HKLM\\SOFTWARE\\Persist")->get_string("s")), "kept");
}

TEST_F(RegistryTest, LastWriteTime) {
  auto parent = key("HKLM\\SOFTWARE\\Times");
  auto t0 = V(parent.last_write_time());
  auto child = V(parent.open_subkey("c", isodrv::registry::Disposition::open_always));
  auto t1 = V(parent.last_write_time());
  EXPECT_GT(t1, t0);  // creating a subkey writes the parent
  auto c0 = V(child.last_write_time());
  ASSERT_TRUE(child.set_dword("v", 1).ok());
  auto c1 = V(child.last_write_time());
  EXPECT_GT(c1, c0);
  EXPECT_EQ(V(parent.last_write_time()), t1);  // a value change touches only its key
  ASSERT_TRUE(child.query_value("v").ok());
  EXPECT_EQ(V(child.last_write_time()), c1);   // reads do not write
  ASSERT_TRUE(child.delete_tree().ok());
  EXPECT_GT(V(parent.last_write_time()), t1);
}

TEST_F(RegistryTest, DeleteValueAndSubkey) {
  auto k = key("HKLM\\SOFTWARE\\Del");
  ASSERT_TRUE(k.set_dword("", 1).ok());  // the default value
  ASSERT_TRUE(k.delete_value("").ok());
  EXPECT_EQ(k.delete_value("").error().code, Errc::not_found);
  ASSERT_TRUE(k.open_subkey("a\\b\\c", isodrv::registry::Disposition::open_always)->set_dword("x", 1).ok());
  ASSERT_TRUE(k.delete_subkey("A").ok());
  EXPECT_TRUE(k.enum_subkeys()->empty());
  EXPECT_EQ(k.delete_subkey("A").error().code, Errc::not_found);
}

TEST(RegistryTypes, NamesAndNumbers) {
  struct Row {
    std::uint32_t type;
    const char* name;
  };
  const Row rows[] = {{0, "REG_NONE"},   {1, "REG_SZ"},        {2, "REG_EXPAND_SZ"}, {3, "REG_BINARY"},
                      {4, "REG_DWORD"},  {5, "REG_DWORD_BIG_ENDIAN"}, {6, "REG_LINK"}, {7, "REG_MULTI_SZ"},
                      {8, "REG_RESOURCE_LIST"}, {11, "REG_QWORD"}};
  for (const auto& row : rows) {
    EXPECT_EQ(reg::type_name(row.type), row.name);
    std::uint32_t t = 99;
    ASSERT_TRUE(reg::parse_type_name(row.name, t));
    EXPECT_EQ(t, row.type);
  }
  std::uint32_t t;
  EXPECT_TRUE(reg::parse_type_name("reg_sz", t));
  EXPECT_FALSE(reg::parse_type_name("REG_WHAT", t));
  EXPECT_TRUE(reg::type_name(0x38).empty());
}

// One decoder for the four bytes of a DWORD, both byte orders; bytes >= 0x80 must not sign-extend.
TEST(RegistryCodec, DecodeDwordBothByteOrders) {
  const reg::Value le{reg::kRegDword, reg::encode_dword(0xF1E2D3C4)};
  const reg::Value be{reg::kRegDwordBigEndian, reg::encode_dword_big_endian(0xF1E2D3C4)};
  EXPECT_EQ(reg::decode_dword(le), 0xF1E2D3C4u);
  EXPECT_EQ(reg::decode_dword(be), 0xF1E2D3C4u);
  EXPECT_EQ(le.data[0], 0xC4);
  EXPECT_EQ(be.data[0], 0xF1);
  EXPECT_FALSE(reg::decode_dword(reg::Value{reg::kRegDword, {1, 2, 3}}).has_value());
  EXPECT_FALSE(reg::decode_dword(reg::Value{reg::kRegQword, reg::encode_qword(1)}).has_value());
}
