// libisodrv.so driven as driver code would drive it: a store where `driver add` + `device install`
// put examples/wombat, then the C ABI's registry, file, user-mode and WDF routines, their access
// rights, the handle funnel, the buffer-too-small protocol and the isolation audit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>

#include "isodrv/registry.h"
#include "isodrv/win/cfgmgr32.h"
#include "isodrv/win/ntddk.h"
#include "isodrv/win/wdf.h"
#include "isodrv/win/winreg.h"
#include "isodrv/win/winsvc.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

constexpr const char16_t* kDevice = u"ROOT\\WOMBAT\\0000";
constexpr const char* kCcs = "HKLM\\SYSTEM\\CurrentControlSet";
constexpr const char16_t* kLink = u"\\\\?\\ROOT#WOMBAT#0000#{8f3b5a10-2c4d-4e6f-9a1b-0c2d3e4f5a6b}\\Burrow";

UNICODE_STRING us(const char16_t* s) {
  UNICODE_STRING u;
  RtlInitUnicodeString(&u, s);
  return u;
}

class CapiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::mt19937_64 rng{std::random_device{}()};
    base_ = fs::temp_directory_path() / ("isodrv-capi-" + std::to_string(rng()));
    root_ = base_ / "root";
    fs::create_directories(base_);
    const std::string inf = std::string(ISODRV_SOURCE_DIR) + "/examples/wombat/wombat.inf";
    ASSERT_EQ(cli({"driver", "add", inf}).rc, 0);
    ASSERT_EQ(cli({"device", "add", "ROOT\\WOMBAT\\0000", "--hwid", "ROOT\\WOMBAT"}).rc, 0);
    ASSERT_EQ(cli({"device", "install", "ROOT\\WOMBAT\\0000"}).rc, 0);
    IsodrvSetIsolationMode(IsodrvIsolationAudit);
    driver_ = IsodrvBindDriver(root_.c_str(), u"wombat");
    ASSERT_NE(driver_, nullptr);
    pdo_ = IsodrvBindDevice(driver_, kDevice);
    ASSERT_NE(pdo_, nullptr);
  }
  void TearDown() override {
    if (driver_) IsodrvUnbindDriver(driver_);
    IsodrvSetIsolationMode(IsodrvIsolationAudit);
    fs::remove_all(base_);
  }
  isodrv_test::CliRun cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root_.string()});
    return isodrv_test::run_cli(args, base_);
  }
  nlohmann::json audit() { return nlohmann::json::parse(cli({"audit", "show", "--json"}).out); }
  HANDLE driver_key(DRIVER_REGKEY_TYPE type, ACCESS_MASK access) {
    HANDLE h = nullptr;
    EXPECT_EQ(IoOpenDriverRegistryKey(driver_, type, access, 0, &h), STATUS_SUCCESS);
    return h;
  }
  // A registry handle of the test's own (not the library's), for checking what was written.
  isodrv::registry::KeyHandle key(const std::string& rel) {
    auto reg = isodrv::registry::Registry::open_root(root_.string());
    auto k = reg->open_key(std::string(kCcs) + "\\" + rel);
    EXPECT_TRUE(k.ok()) << rel;
    return k.ok() ? *k : isodrv::registry::KeyHandle();
  }

  fs::path base_, root_;
  PDRIVER_OBJECT driver_ = nullptr;
  PDEVICE_OBJECT pdo_ = nullptr;
};

TEST_F(CapiTest, BindingNamesTheServiceAndRefusesUnknownOnes) {
  EXPECT_EQ(IsodrvBindDriver(root_.c_str(), u"nosuchservice"), nullptr);
  EXPECT_EQ(IsodrvBindDevice(driver_, u"ROOT\\NOSUCH\\0000"), nullptr);
  EXPECT_EQ(IsodrvBindDevice(reinterpret_cast<PDRIVER_OBJECT>(0x1000), kDevice), nullptr);
  PUNICODE_STRING path = IsodrvDriverRegistryPath(driver_);
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(std::u16string(path->Buffer, path->Length / 2), u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Services\\wombat");
  EXPECT_EQ(std::u16string(driver_->DriverExtension->ServiceKeyName.Buffer), u"wombat");
}

TEST_F(CapiTest, AnEmptyIsodrvRootIsRefusedNotTheHomeStore) {
  // An unset CI variable expands to ISODRV_ROOT="": binding must fail rather than fall back to the
  // default store (the CLI refuses the same case). The default is made to hold this fixture's
  // store, so a fallback would bind successfully and the test would see it.
  namespace fs = std::filesystem;
  const fs::path xdg = fs::path(root_).parent_path() / (fs::path(root_).filename().string() + "-xdg");
  fs::create_directories(xdg / "isodrv");
  fs::create_directory_symlink(root_, xdg / "isodrv" / "default");
  auto save = [](const char* name) { const char* v = std::getenv(name); return v ? std::optional<std::string>(v) : std::nullopt; };
  auto restore = [](const char* name, const std::optional<std::string>& v) {
    if (v) ::setenv(name, v->c_str(), 1);
    else ::unsetenv(name);
  };
  const auto old_root = save("ISODRV_ROOT"), old_xdg = save("XDG_DATA_HOME");
  ::setenv("XDG_DATA_HOME", xdg.c_str(), 1);
  ::setenv("ISODRV_ROOT", "", 1);
  EXPECT_EQ(IsodrvBindDriver(nullptr, u"wombat"), nullptr);
  restore("ISODRV_ROOT", old_root);
  restore("XDG_DATA_HOME", old_xdg);
  fs::remove_all(xdg);
}

TEST_F(CapiTest, QueryValueKeyFollowsTheBufferTooSmallProtocol) {
  HANDLE params = driver_key(DriverRegKeyParameters, KEY_READ);
  UNICODE_STRING name = us(u"TraceLevel");
  ULONG needed = 0;
  alignas(8) UCHAR buf[64];
  // Smaller than the fixed part: nothing written, the full size reported.
  EXPECT_EQ(ZwQueryValueKey(params, &name, KeyValuePartialInformation, buf, 4, &needed), STATUS_BUFFER_TOO_SMALL);
  EXPECT_EQ(needed, offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data) + 4);
  // The fixed part fits, the data does not: header filled, STATUS_BUFFER_OVERFLOW.
  EXPECT_EQ(ZwQueryValueKey(params, &name, KeyValuePartialInformation, buf, 12, &needed), STATUS_BUFFER_OVERFLOW);
  auto* partial = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buf);
  EXPECT_EQ(partial->Type, REG_DWORD);
  EXPECT_EQ(partial->DataLength, 4u);
  ASSERT_EQ(ZwQueryValueKey(params, &name, KeyValuePartialInformation, buf, needed, &needed), STATUS_SUCCESS);
  EXPECT_EQ(*reinterpret_cast<ULONG*>(partial->Data), 3u);

  ASSERT_EQ(ZwQueryValueKey(params, &name, KeyValueBasicInformation, buf, sizeof buf, &needed), STATUS_SUCCESS);
  auto* basic = reinterpret_cast<PKEY_VALUE_BASIC_INFORMATION>(buf);
  EXPECT_EQ(std::u16string(basic->Name, basic->NameLength / 2), u"TraceLevel");
  ASSERT_EQ(ZwQueryValueKey(params, &name, KeyValueFullInformation, buf, sizeof buf, &needed), STATUS_SUCCESS);
  auto* full = reinterpret_cast<PKEY_VALUE_FULL_INFORMATION>(buf);
  EXPECT_EQ(full->DataLength, 4u);
  EXPECT_EQ(full->DataOffset % 4, 0u);
  EXPECT_EQ(*reinterpret_cast<ULONG*>(buf + full->DataOffset), 3u);

  UNICODE_STRING missing = us(u"NoSuchValue");
  EXPECT_EQ(ZwQueryValueKey(params, &missing, KeyValuePartialInformation, buf, sizeof buf, &needed),
            STATUS_OBJECT_NAME_NOT_FOUND);
  EXPECT_EQ(ZwClose(params), STATUS_SUCCESS);
}

TEST_F(CapiTest, EnumerationEndsWithNoMoreEntries) {
  HANDLE params = driver_key(DriverRegKeyParameters, KEY_READ);
  alignas(8) UCHAR buf[128];
  ULONG needed = 0;
  std::vector<std::u16string> names;
  for (ULONG i = 0;; ++i) {
    NTSTATUS st = ZwEnumerateValueKey(params, i, KeyValueBasicInformation, buf, sizeof buf, &needed);
    if (st == STATUS_NO_MORE_ENTRIES) break;
    ASSERT_EQ(st, STATUS_SUCCESS);
    auto* b = reinterpret_cast<PKEY_VALUE_BASIC_INFORMATION>(buf);
    names.emplace_back(b->Name, b->NameLength / 2);
  }
  EXPECT_EQ(names, (std::vector<std::u16string>{u"TraceLevel", u"Greeting"}));
  HANDLE state = driver_key(DriverRegKeyPersistentState, KEY_ALL_ACCESS);
  UNICODE_STRING sub = us(u"Sub");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &sub, OBJ_CASE_INSENSITIVE, state, nullptr);
  HANDLE child;
  ULONG disposition = 0;
  ASSERT_EQ(ZwCreateKey(&child, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, &disposition), STATUS_SUCCESS);
  EXPECT_EQ(disposition, REG_CREATED_NEW_KEY);
  ASSERT_EQ(ZwEnumerateKey(state, 0, KeyBasicInformation, buf, sizeof buf, &needed), STATUS_SUCCESS);
  auto* k = reinterpret_cast<PKEY_BASIC_INFORMATION>(buf);
  EXPECT_EQ(std::u16string(k->Name, k->NameLength / 2), u"Sub");
  EXPECT_EQ(ZwEnumerateKey(state, 1, KeyBasicInformation, buf, sizeof buf, &needed), STATUS_NO_MORE_ENTRIES);
  EXPECT_EQ(ZwEnumerateKey(state, 0, KeyBasicInformation, buf, 8, &needed), STATUS_BUFFER_TOO_SMALL);
  EXPECT_EQ(needed, offsetof(KEY_BASIC_INFORMATION, Name) + 6);
  EXPECT_EQ(ZwDeleteKey(state), STATUS_CANNOT_DELETE);  // it has a subkey
  EXPECT_EQ(ZwDeleteKey(child), STATUS_SUCCESS);
  EXPECT_EQ(ZwEnumerateKey(state, 0, KeyBasicInformation, buf, sizeof buf, &needed), STATUS_NO_MORE_ENTRIES);
  ZwClose(child);
  ZwClose(state);
  ZwClose(params);
}

TEST_F(CapiTest, ParametersAreReadOnlyAndKeyReadHandlesCannotWrite) {
  HANDLE h = nullptr;
  EXPECT_EQ(IoOpenDriverRegistryKey(driver_, DriverRegKeyParameters, KEY_ALL_ACCESS, 0, &h), STATUS_ACCESS_DENIED);
  EXPECT_EQ(IoOpenDriverRegistryKey(driver_, DriverRegKeyParameters, KEY_READ | KEY_SET_VALUE, 0, &h),
            STATUS_ACCESS_DENIED);
  EXPECT_EQ(IoOpenDriverRegistryKey(driver_, DriverRegKeyParameters, GENERIC_WRITE, 0, &h), STATUS_ACCESS_DENIED);
  EXPECT_EQ(IoOpenDriverRegistryKey(driver_, DriverRegKeyParameters, KEY_READ, 1, &h), STATUS_INVALID_PARAMETER);
  HANDLE params = driver_key(DriverRegKeyParameters, MAXIMUM_ALLOWED);
  UNICODE_STRING name = us(u"TraceLevel");
  ULONG v = 9;
  EXPECT_EQ(ZwSetValueKey(params, &name, 0, REG_DWORD, &v, sizeof v), STATUS_ACCESS_DENIED);
  EXPECT_EQ(ZwDeleteValueKey(params, &name), STATUS_ACCESS_DENIED);
  EXPECT_EQ(ZwDeleteKey(params), STATUS_ACCESS_DENIED);
  UNICODE_STRING sub = us(u"Sub");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &sub, OBJ_CASE_INSENSITIVE, params, nullptr);
  HANDLE child;
  EXPECT_EQ(ZwCreateKey(&child, KEY_READ, &oa, 0, nullptr, 0, nullptr), STATUS_ACCESS_DENIED);
  EXPECT_EQ(key("Services\\wombat\\Parameters").get_dword("TraceLevel").value(), 3u);

  // The persistent state is read-write, but only through a handle opened for writing.
  HANDLE ro = driver_key(DriverRegKeyPersistentState, KEY_READ);
  EXPECT_EQ(ZwSetValueKey(ro, &name, 0, REG_DWORD, &v, sizeof v), STATUS_ACCESS_DENIED);
  HANDLE rw = driver_key(DriverRegKeyPersistentState, KEY_READ | KEY_SET_VALUE);
  EXPECT_EQ(ZwSetValueKey(rw, &name, 0, REG_DWORD, &v, sizeof v), STATUS_SUCCESS);
  EXPECT_EQ(key("Services\\wombat\\State").get_dword("TraceLevel").value(), 9u);
  HANDLE shared = driver_key(DriverRegKeySharedPersistentState, KEY_ALL_ACCESS);
  EXPECT_EQ(ZwSetValueKey(shared, &name, 0, REG_DWORD, &v, sizeof v), STATUS_SUCCESS);

  // The override in the state wins over the INF default; a small buffer gets the size.
  ULONG type = 0, len = 0, data = 0;
  EXPECT_EQ(RtlQueryRegistryValueWithFallback(rw, params, &name, 2, &type, &data, &len), STATUS_BUFFER_OVERFLOW);
  EXPECT_EQ(len, 4u);
  ASSERT_EQ(RtlQueryRegistryValueWithFallback(rw, params, &name, sizeof data, &type, &data, &len), STATUS_SUCCESS);
  EXPECT_EQ(data, 9u);
  UNICODE_STRING greeting = us(u"Greeting");
  alignas(2) UCHAR text[32];
  ASSERT_EQ(RtlQueryRegistryValueWithFallback(rw, params, &greeting, sizeof text, &type, text, &len), STATUS_SUCCESS);
  EXPECT_EQ(type, REG_SZ);
  EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(text)), u"G'day");
  UNICODE_STRING none = us(u"None");
  EXPECT_EQ(RtlQueryRegistryValueWithFallback(rw, params, &none, sizeof data, &type, &data, &len),
            STATUS_OBJECT_NAME_NOT_FOUND);
  for (HANDLE k : {params, ro, rw, shared}) EXPECT_EQ(ZwClose(k), STATUS_SUCCESS);
}

TEST_F(CapiTest, RelativeOpensCannotLeaveTheSubtree) {
  HANDLE state = driver_key(DriverRegKeyPersistentState, KEY_ALL_ACCESS);
  OBJECT_ATTRIBUTES oa;
  HANDLE out = nullptr;
  for (const char16_t* name : {u"..", u"..\\Parameters", u"a\\..\\..", u"\\Registry\\Machine\\SYSTEM", u"."}) {
    UNICODE_STRING n = us(name);
    InitializeObjectAttributes(&oa, &n, OBJ_CASE_INSENSITIVE, state, nullptr);
    EXPECT_EQ(ZwOpenKey(&out, KEY_READ, &oa), STATUS_OBJECT_PATH_SYNTAX_BAD) << std::string(name, name + 1);
    EXPECT_EQ(ZwCreateKey(&out, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, nullptr), STATUS_OBJECT_PATH_SYNTAX_BAD);
  }
  // A registry symbolic link below the state is never followed, nor created.
  auto link = key("Services\\wombat\\State").open_subkey("Link", isodrv::registry::Disposition::open_always);
  ASSERT_TRUE(link.ok());
  auto target = isodrv::registry::encode_sz("\\Registry\\Machine\\SOFTWARE");
  ASSERT_TRUE(link->set_value("SymbolicLinkValue", REG_LINK, target.value()).ok());
  UNICODE_STRING n = us(u"Link");
  InitializeObjectAttributes(&oa, &n, OBJ_CASE_INSENSITIVE, state, nullptr);
  EXPECT_EQ(ZwOpenKey(&out, KEY_READ, &oa), STATUS_ACCESS_DENIED);
  UNICODE_STRING deeper = us(u"Link\\Microsoft");
  InitializeObjectAttributes(&oa, &deeper, OBJ_CASE_INSENSITIVE, state, nullptr);
  EXPECT_EQ(ZwOpenKey(&out, KEY_READ, &oa), STATUS_ACCESS_DENIED);
  UNICODE_STRING fresh = us(u"NewLink");
  InitializeObjectAttributes(&oa, &fresh, OBJ_CASE_INSENSITIVE, state, nullptr);
  EXPECT_EQ(ZwCreateKey(&out, KEY_ALL_ACCESS, &oa, 0, nullptr, REG_OPTION_CREATE_LINK, nullptr), STATUS_ACCESS_DENIED);
  UNICODE_STRING lv = us(u"SymbolicLinkValue");
  EXPECT_EQ(ZwSetValueKey(state, &lv, 0, REG_LINK, target->data(), static_cast<ULONG>(target->size())),
            STATUS_ACCESS_DENIED);
  EXPECT_TRUE(audit().empty());  // confined handles: nothing to report
  ZwClose(state);
}

TEST_F(CapiTest, EveryHandleIsCheckedByTheFunnel) {
  HANDLE dir = nullptr;
  ASSERT_EQ(IoGetDriverDirectory(driver_, DriverDirectoryData, 0, &dir), STATUS_SUCCESS);
  HANDLE key = driver_key(DriverRegKeyPersistentState, KEY_ALL_ACCESS);
  ASSERT_EQ(ZwClose(key), STATUS_SUCCESS);
  UNICODE_STRING name = us(u"X");
  alignas(8) UCHAR buf[32];
  ULONG needed = 0, v = 1;
  for (HANDLE bad : {static_cast<HANDLE>(nullptr), reinterpret_cast<HANDLE>(0x1234), reinterpret_cast<HANDLE>(-1),
                     key /* closed */, dir /* a directory, not a key */}) {
    EXPECT_EQ(ZwQueryValueKey(bad, &name, KeyValuePartialInformation, buf, sizeof buf, &needed), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ZwSetValueKey(bad, &name, 0, REG_DWORD, &v, sizeof v), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ZwEnumerateKey(bad, 0, KeyBasicInformation, buf, sizeof buf, &needed), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ZwDeleteKey(bad), STATUS_INVALID_HANDLE);
    EXPECT_EQ(WdfRegistryQueryULong(static_cast<WDFKEY>(bad), &name, &v), STATUS_INVALID_HANDLE);
    DWORD cb = sizeof buf;
    EXPECT_EQ(RegQueryValueExW(static_cast<HKEY>(bad), u"X", nullptr, nullptr, buf, &cb), ERROR_INVALID_HANDLE);
    IO_STATUS_BLOCK iosb;
    EXPECT_EQ(ZwReadFile(bad, nullptr, nullptr, nullptr, &iosb, buf, sizeof buf, nullptr, nullptr), STATUS_INVALID_HANDLE);
  }
  EXPECT_EQ(ZwClose(key), STATUS_INVALID_HANDLE);  // twice
  EXPECT_EQ(RegCloseKey(reinterpret_cast<HKEY>(key)), ERROR_INVALID_HANDLE);
  EXPECT_EQ(ZwClose(dir), STATUS_SUCCESS);
  // Objects that are not this library's: refused, never dereferenced.
  DRIVER_OBJECT fake{};
  DEVICE_OBJECT fake_dev{};
  HANDLE h;
  EXPECT_EQ(IoOpenDriverRegistryKey(&fake, DriverRegKeyParameters, KEY_READ, 0, &h), STATUS_INVALID_PARAMETER);
  EXPECT_EQ(IoOpenDeviceRegistryKey(&fake_dev, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &h), STATUS_INVALID_PARAMETER);
  EXPECT_EQ(IoGetDriverDirectory(nullptr, DriverDirectoryData, 0, &h), STATUS_INVALID_PARAMETER);
}

TEST_F(CapiTest, DeviceAndInterfaceKeys) {
  HANDLE h;
  EXPECT_EQ(IoOpenDeviceRegistryKey(pdo_, PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER, KEY_READ, &h),
            STATUS_INVALID_PARAMETER);
  EXPECT_EQ(IoOpenDeviceRegistryKey(pdo_, 0, KEY_READ, &h), STATUS_INVALID_PARAMETER);
  ASSERT_EQ(IoOpenDeviceRegistryKey(pdo_, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &h), STATUS_SUCCESS);
  UNICODE_STRING name = us(u"BufferSize");
  alignas(8) UCHAR buf[32];
  ULONG needed = 0;
  ASSERT_EQ(ZwQueryValueKey(h, &name, KeyValuePartialInformation, buf, sizeof buf, &needed), STATUS_SUCCESS);
  EXPECT_EQ(*reinterpret_cast<ULONG*>(reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buf)->Data), 4096u);
  ZwClose(h);
  ASSERT_EQ(IoOpenDeviceRegistryKey(pdo_, PLUGPLAY_REGKEY_DRIVER, KEY_ALL_ACCESS, &h), STATUS_SUCCESS);
  ZwClose(h);
  ASSERT_EQ(IoOpenDeviceRegistryKey(pdo_, PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_CURRENT_HWPROFILE, KEY_ALL_ACCESS,
                                    &h),
            STATUS_SUCCESS);
  ULONG v = 7;
  ASSERT_EQ(ZwSetValueKey(h, &name, 0, REG_DWORD, &v, sizeof v), STATUS_SUCCESS);
  ZwClose(h);
  EXPECT_EQ(key("Hardware Profiles\\Current\\System\\CurrentControlSet\\Enum\\ROOT\\WOMBAT\\0000")
                .get_dword("BufferSize")
                .value(),
            7u);

  UNICODE_STRING link = us(kLink);
  ASSERT_EQ(IoOpenDeviceInterfaceRegistryKey(&link, KEY_READ, &h), STATUS_SUCCESS);
  UNICODE_STRING channels = us(u"Channels");
  ASSERT_EQ(ZwQueryValueKey(h, &channels, KeyValuePartialInformation, buf, sizeof buf, &needed), STATUS_SUCCESS);
  EXPECT_EQ(*reinterpret_cast<ULONG*>(reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buf)->Data), 2u);
  ZwClose(h);
  UNICODE_STRING bad = us(u"\\\\?\\ROOT#WOMBAT#0000#{00000000-0000-0000-0000-000000000000}");
  EXPECT_EQ(IoOpenDeviceInterfaceRegistryKey(&bad, KEY_READ, &h), STATUS_OBJECT_NAME_NOT_FOUND);

  // IoRegisterDeviceInterface finds the interface the INF registered.
  static const GUID guid = {0x8f3b5a10, 0x2c4d, 0x4e6f, {0x9a, 0x1b, 0x0c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b}};
  UNICODE_STRING ref = us(u"Burrow"), out{};
  ASSERT_EQ(IoRegisterDeviceInterface(pdo_, &guid, &ref, &out), STATUS_SUCCESS);
  EXPECT_EQ(std::u16string(out.Buffer, out.Length / 2),
            u"\\??\\ROOT#WOMBAT#0000#{8f3b5a10-2c4d-4e6f-9a1b-0c2d3e4f5a6b}\\Burrow");
  ASSERT_EQ(IoOpenDeviceInterfaceRegistryKey(&out, KEY_READ, &h), STATUS_SUCCESS);
  ZwClose(h);
  RtlFreeUnicodeString(&out);

  UNICODE_STRING full{};
  ASSERT_EQ(IoQueryFullDriverPath(driver_, &full), STATUS_SUCCESS);
  std::u16string path(full.Buffer, full.Length / 2);
  EXPECT_EQ(path.substr(path.size() - 11), u"\\wombat.sys");
  ExFreePool(full.Buffer);
}

TEST_F(CapiTest, FilesStayBelowTheirDirectoryHandle) {
  HANDLE data = nullptr, file = nullptr;
  ASSERT_EQ(IoGetDriverDirectory(driver_, DriverDirectoryData, 0, &data), STATUS_SUCCESS);
  UNICODE_STRING name = us(u"state.bin");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, data, nullptr);
  IO_STATUS_BLOCK iosb{};
  ASSERT_EQ(ZwCreateFile(&file, FILE_GENERIC_READ | FILE_GENERIC_WRITE, &oa, &iosb, nullptr, 0, 0, FILE_CREATE,
                         FILE_NON_DIRECTORY_FILE, nullptr, 0),
            STATUS_SUCCESS);
  EXPECT_EQ(iosb.Information, FILE_CREATED);
  char text[] = "hello";
  ASSERT_EQ(ZwWriteFile(file, nullptr, nullptr, nullptr, &iosb, text, 5, nullptr, nullptr), STATUS_SUCCESS);
  EXPECT_EQ(iosb.Information, 5u);
  char back[8] = {};
  LARGE_INTEGER zero;
  zero.QuadPart = 0;
  ASSERT_EQ(ZwReadFile(file, nullptr, nullptr, nullptr, &iosb, back, sizeof back, &zero, nullptr), STATUS_SUCCESS);
  EXPECT_EQ(std::string(back, iosb.Information), "hello");
  EXPECT_EQ(ZwReadFile(file, nullptr, nullptr, nullptr, &iosb, back, sizeof back, nullptr, nullptr), STATUS_END_OF_FILE);
  ZwClose(file);
  EXPECT_EQ(isodrv_test::slurp(root_ / "Windows/ServiceState/wombat/Data/state.bin"), "hello");
  EXPECT_EQ(ZwCreateFile(&file, FILE_GENERIC_READ, &oa, &iosb, nullptr, 0, 0, FILE_CREATE, 0, nullptr, 0),
            STATUS_OBJECT_NAME_COLLISION);
  // A read-only handle cannot write.
  ASSERT_EQ(ZwCreateFile(&file, FILE_GENERIC_READ, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0), STATUS_SUCCESS);
  EXPECT_EQ(ZwWriteFile(file, nullptr, nullptr, nullptr, &iosb, text, 5, nullptr, nullptr), STATUS_ACCESS_DENIED);
  ZwClose(file);

  for (const char16_t* escape : {u"..\\x", u"..", u"a\\..\\..\\x", u"\\SystemRoot\\x", u"C:\\x", u"a/../../x"}) {
    UNICODE_STRING n = us(escape);
    InitializeObjectAttributes(&oa, &n, OBJ_CASE_INSENSITIVE, data, nullptr);
    NTSTATUS st = ZwCreateFile(&file, FILE_GENERIC_WRITE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN_IF, 0, nullptr, 0);
    EXPECT_EQ(st, STATUS_OBJECT_PATH_SYNTAX_BAD);
  }
  // A host symbolic link inside the data directory is not followed.
  fs::create_directories(base_ / "outside");
  fs::create_symlink(base_ / "outside", root_ / "Windows/ServiceState/wombat/Data/link");
  fs::create_symlink(base_ / "outside/f", root_ / "Windows/ServiceState/wombat/Data/flink");
  for (const char16_t* via : {u"link\\x", u"link", u"flink"}) {
    UNICODE_STRING n = us(via);
    InitializeObjectAttributes(&oa, &n, OBJ_CASE_INSENSITIVE, data, nullptr);
    EXPECT_EQ(ZwCreateFile(&file, FILE_GENERIC_WRITE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN_IF, 0, nullptr, 0),
              STATUS_ACCESS_DENIED);
  }
  EXPECT_FALSE(fs::exists(base_ / "outside/x"));
  EXPECT_FALSE(fs::exists(base_ / "outside/f"));
  ZwClose(data);

  // The image directory is the package's: readable, never writable.
  HANDLE image = nullptr;
  ASSERT_EQ(IoGetDriverDirectory(driver_, DriverDirectoryImage, 0, &image), STATUS_SUCCESS);
  UNICODE_STRING sys = us(u"wombat.sys");
  InitializeObjectAttributes(&oa, &sys, OBJ_CASE_INSENSITIVE, image, nullptr);
  EXPECT_EQ(ZwCreateFile(&file, FILE_GENERIC_WRITE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0),
            STATUS_ACCESS_DENIED);
  ASSERT_EQ(ZwCreateFile(&file, FILE_GENERIC_READ, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0), STATUS_SUCCESS);
  ZwClose(file);
  ZwClose(image);

  // Subdirectories of the device directory are directory handles too.
  HANDLE dev = nullptr, sub = nullptr;
  ASSERT_EQ(IoGetDeviceDirectory(pdo_, DeviceDirectoryData, 0, nullptr, &dev), STATUS_SUCCESS);
  UNICODE_STRING logs = us(u"logs");
  InitializeObjectAttributes(&oa, &logs, OBJ_CASE_INSENSITIVE, dev, nullptr);
  ASSERT_EQ(ZwCreateFile(&sub, FILE_LIST_DIRECTORY, &oa, &iosb, nullptr, 0, 0, FILE_OPEN_IF, FILE_DIRECTORY_FILE,
                         nullptr, 0),
            STATUS_SUCCESS);
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, sub, nullptr);
  ASSERT_EQ(ZwCreateFile(&file, FILE_GENERIC_WRITE, &oa, &iosb, nullptr, 0, 0, FILE_OVERWRITE_IF, 0, nullptr, 0),
            STATUS_SUCCESS);
  ZwClose(file);
  EXPECT_TRUE(fs::exists(root_ / "Windows/DeviceState/ROOT#WOMBAT#0000/Data/logs/state.bin"));
  ZwClose(sub);
  ZwClose(dev);
  EXPECT_TRUE(audit().empty());
}

TEST_F(CapiTest, AbsolutePathsAreAuditedWithTheirAlternative) {
  UNICODE_STRING name = us(u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Services\\wombat\\Parameters");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
  HANDLE h = nullptr;
  ASSERT_EQ(ZwOpenKey(&h, KEY_ALL_ACCESS, &oa), STATUS_SUCCESS);  // audit mode lets it through
  UNICODE_STRING v = us(u"TraceLevel");
  ULONG five = 5;
  ASSERT_EQ(ZwSetValueKey(h, &v, 0, REG_DWORD, &five, sizeof five), STATUS_SUCCESS);  // a foreign write
  ZwClose(h);
  UNICODE_STRING file = us(u"\\SystemRoot\\System32\\drivers\\wombat.sys");
  InitializeObjectAttributes(&oa, &file, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
  IO_STATUS_BLOCK iosb;
  ASSERT_EQ(ZwCreateFile(&h, FILE_GENERIC_READ, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0),
            STATUS_OBJECT_NAME_NOT_FOUND);  // run from the driver store: not in System32\drivers

  auto records = audit();
  ASSERT_EQ(records.size(), 3u) << records.dump(2);
  EXPECT_EQ(records[0]["call"], "ZwOpenKey");
  EXPECT_EQ(records[0]["path"], "\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Services\\wombat\\Parameters");
  EXPECT_EQ(records[0]["alternative"], "use IoOpenDriverRegistryKey(DriverRegKeyParameters)");
  EXPECT_EQ(records[0]["kind"], "registry-absolute");
  EXPECT_EQ(records[0]["outcome"], "allowed");
  EXPECT_EQ(records[0]["subject"], "driver wombat, device ROOT\\WOMBAT\\0000");
  EXPECT_NE(records[0]["return_address"], "0x0");
  EXPECT_EQ(records[1]["call"], "ZwSetValueKey");
  EXPECT_EQ(records[1]["kind"], "registry-write");
  EXPECT_EQ(records[2]["call"], "ZwCreateFile");
  EXPECT_EQ(records[2]["alternative"], "use IoGetDriverDirectory(DriverDirectoryImage) or IoQueryFullDriverPath");

  // Enforce mode refuses the same opens, and records them as denied.
  IsodrvSetIsolationMode(IsodrvIsolationEnforce);
  EXPECT_EQ(IsodrvGetIsolationMode(), IsodrvIsolationEnforce);
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
  EXPECT_EQ(ZwOpenKey(&h, KEY_READ, &oa), STATUS_ACCESS_DENIED);
  HKEY hk;
  EXPECT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, u"SYSTEM\\CurrentControlSet\\Enum\\ROOT\\WOMBAT\\0000", 0, KEY_READ, &hk),
            ERROR_ACCESS_DENIED);
  records = audit();
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[3]["outcome"], "denied");
  EXPECT_EQ(records[4]["call"], "RegOpenKeyExW");
  EXPECT_EQ(records[4]["alternative"], "use CM_Open_DevNode_Key(CM_REGISTRY_HARDWARE)");

  auto cleared = cli({"audit", "clear", "--json"});
  EXPECT_EQ(cleared.out, "{\"cleared\":5}\n");
  EXPECT_TRUE(audit().empty());
}

TEST_F(CapiTest, UserModeRoutines) {
  DEVINST dn = 0;
  EXPECT_EQ(CM_Locate_DevNodeW(&dn, const_cast<DEVINSTID_W>(u"ROOT\\NOSUCH\\0000"), 0), CR_NO_SUCH_DEVNODE);
  ASSERT_EQ(CM_Locate_DevNodeW(&dn, const_cast<DEVINSTID_W>(kDevice), 0), CR_SUCCESS);
  HKEY hw = nullptr;
  EXPECT_EQ(CM_Open_DevNode_Key(dn, KEY_READ, 0, RegDisposition_OpenExisting, &hw, 0x8), CR_INVALID_FLAG);
  EXPECT_EQ(CM_Open_DevNode_Key(dn + 100, KEY_READ, 0, RegDisposition_OpenExisting, &hw, 0), CR_INVALID_DEVNODE);
  ASSERT_EQ(CM_Open_DevNode_Key(dn, KEY_READ, 0, RegDisposition_OpenExisting, &hw, CM_REGISTRY_HARDWARE), CR_SUCCESS);
  DWORD type = 0, size = 0, value = 0;
  ASSERT_EQ(RegQueryValueExW(hw, u"BufferSize", nullptr, &type, nullptr, &size), ERROR_SUCCESS);
  EXPECT_EQ(size, 4u);
  DWORD small = 2;
  EXPECT_EQ(RegQueryValueExW(hw, u"BufferSize", nullptr, &type, reinterpret_cast<LPBYTE>(&value), &small),
            ERROR_MORE_DATA);
  EXPECT_EQ(small, 4u);
  ASSERT_EQ(RegQueryValueExW(hw, u"BufferSize", nullptr, &type, reinterpret_cast<LPBYTE>(&value), &size), ERROR_SUCCESS);
  EXPECT_EQ(value, 4096u);
  EXPECT_EQ(RegSetValueExW(hw, u"BufferSize", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value), 4),
            ERROR_ACCESS_DENIED);  // opened KEY_READ
  EXPECT_EQ(RegCloseKey(hw), ERROR_SUCCESS);

  HKEY itf = nullptr;
  ASSERT_EQ(CM_Open_Device_Interface_KeyW(kLink, KEY_READ, RegDisposition_OpenExisting, &itf, 0), CR_SUCCESS);
  ASSERT_EQ(RegQueryValueExW(itf, u"Channels", nullptr, &type, reinterpret_cast<LPBYTE>(&value), &size), ERROR_SUCCESS);
  EXPECT_EQ(value, 2u);
  RegCloseKey(itf);

  SERVICE_STATUS_HANDLE status = RegisterServiceCtrlHandlerW(u"wombat", nullptr);
  ASSERT_NE(status, nullptr);
  HKEY params = nullptr, state = nullptr;
  EXPECT_EQ(GetServiceRegistryStateKey(status, ServiceRegistryStateParameters, KEY_ALL_ACCESS, &params),
            static_cast<DWORD>(ERROR_ACCESS_DENIED));
  ASSERT_EQ(GetServiceRegistryStateKey(status, ServiceRegistryStateParameters, KEY_READ, &params), 0u);
  ASSERT_EQ(GetServiceRegistryStateKey(status, ServiceRegistryStatePersistent, KEY_ALL_ACCESS, &state), 0u);
  DWORD one = 1;
  EXPECT_EQ(RegSetValueExW(state, u"Runs", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&one), 4), ERROR_SUCCESS);
  EXPECT_EQ(RegSetValueExW(params, u"Runs", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&one), 4), ERROR_ACCESS_DENIED);
  HKEY sub = nullptr;
  EXPECT_EQ(RegOpenKeyExW(state, u"..", 0, KEY_READ, &sub), ERROR_BAD_PATHNAME);
  RegCloseKey(params);
  RegCloseKey(state);

  DWORD needed = 0;
  EXPECT_EQ(GetServiceDirectory(status, ServiceDirectoryPersistentState, nullptr, 0, &needed),
            static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  std::u16string dir(needed, u'\0');
  ASSERT_EQ(GetServiceDirectory(status, ServiceDirectoryPersistentState, dir.data(), needed, &needed), 0u);
  dir.resize(needed - 1);
  EXPECT_EQ(dir.substr(dir.size() - 25), u"/ServiceState/wombat/Data");

  SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  SC_HANDLE svc = OpenServiceW(scm, u"wombat", SERVICE_QUERY_CONFIG);
  ASSERT_NE(svc, nullptr);
  HKEY shared = nullptr;
  ASSERT_EQ(GetSharedServiceRegistryStateKey(svc, ServiceSharedRegistryPersistentState, KEY_ALL_ACCESS, &shared), 0u);
  RegCloseKey(shared);
  EXPECT_EQ(GetSharedServiceDirectory(svc, ServiceSharedDirectoryPersistentState, nullptr, 0, &needed),
            static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  EXPECT_EQ(GetSharedServiceRegistryStateKey(reinterpret_cast<SC_HANDLE>(status), ServiceSharedRegistryPersistentState,
                                             KEY_READ, &shared),
            static_cast<DWORD>(ERROR_INVALID_HANDLE));  // a status handle is not a service handle
  EXPECT_TRUE(CloseServiceHandle(svc));
  EXPECT_TRUE(CloseServiceHandle(scm));
  EXPECT_FALSE(CloseServiceHandle(scm));
  EXPECT_EQ(key("Services\\wombat\\State").get_dword("Runs").value(), 1u);

  HKEY abs = nullptr;
  ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, u"SYSTEM\\CurrentControlSet\\Services\\wombat\\Parameters", 0, KEY_READ,
                          &abs),
            ERROR_SUCCESS);
  RegCloseKey(abs);
  auto records = audit();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["alternative"], "use GetServiceRegistryStateKey(ServiceRegistryStateParameters)");
}

TEST_F(CapiTest, WdfRoutines) {
  WDF_DRIVER_CONFIG config;
  WDF_DRIVER_CONFIG_INIT(&config, nullptr);
  WDFDRIVER drv = nullptr;
  ASSERT_EQ(WdfDriverCreate(driver_, IsodrvDriverRegistryPath(driver_), WDF_NO_OBJECT_ATTRIBUTES, &config, &drv),
            STATUS_SUCCESS);
  EXPECT_EQ(WdfGetDriver(), drv);
  EXPECT_EQ(WdfDriverWdmGetDriverObject(drv), driver_);
  WDFKEY params = nullptr, state = nullptr;
  EXPECT_EQ(WdfDriverOpenParametersRegistryKey(drv, KEY_WRITE, WDF_NO_OBJECT_ATTRIBUTES, &params), STATUS_ACCESS_DENIED);
  ASSERT_EQ(WdfDriverOpenParametersRegistryKey(drv, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &params), STATUS_SUCCESS);
  UNICODE_STRING greeting = us(u"Greeting"), trace = us(u"TraceLevel");
  USHORT bytes = 0;
  EXPECT_EQ(WdfRegistryQueryUnicodeString(params, &greeting, &bytes, nullptr), STATUS_BUFFER_OVERFLOW);
  EXPECT_EQ(bytes, 12u);  // "G'day" and its NUL
  WCHAR small[2];
  UNICODE_STRING tiny = {0, sizeof small, small};
  EXPECT_EQ(WdfRegistryQueryUnicodeString(params, &greeting, &bytes, &tiny), STATUS_BUFFER_OVERFLOW);
  WCHAR buf[16];
  UNICODE_STRING s = {0, sizeof buf, buf};
  ASSERT_EQ(WdfRegistryQueryUnicodeString(params, &greeting, &bytes, &s), STATUS_SUCCESS);
  EXPECT_EQ(std::u16string(s.Buffer, s.Length / 2), u"G'day");
  ULONG v = 0;
  EXPECT_EQ(WdfRegistryQueryULong(params, &greeting, &v), STATUS_OBJECT_TYPE_MISMATCH);
  EXPECT_EQ(WdfRegistryAssignULong(params, &trace, 1), STATUS_ACCESS_DENIED);
  ASSERT_EQ(WdfDriverOpenPersistentStateRegistryKey(drv, KEY_READ | KEY_SET_VALUE, WDF_NO_OBJECT_ATTRIBUTES, &state),
            STATUS_SUCCESS);
  EXPECT_EQ(WdfRegistryAssignULong(state, &trace, 1), STATUS_SUCCESS);
  ASSERT_EQ(WdfRegistryQueryULong(state, &trace, &v), STATUS_SUCCESS);
  EXPECT_EQ(v, 1u);
  EXPECT_EQ(WdfRegistryWdmGetHandle(state), reinterpret_cast<HANDLE>(state));
  WdfRegistryClose(params);
  WdfRegistryClose(state);
  WdfRegistryClose(state);  // a second close is ignored, never a crash
  EXPECT_EQ(WdfRegistryQueryULong(state, &trace, &v), STATUS_INVALID_HANDLE);
  EXPECT_EQ(WdfDriverOpenParametersRegistryKey(reinterpret_cast<WDFDRIVER>(state), KEY_READ, nullptr, &params),
            STATUS_INVALID_HANDLE);
}

// The example drivers (C, WDK names, -lisodrv only) run against the installed package.
class ExampleDrivers : public CapiTest {
 protected:
  isodrv_test::CliRun run(const char* program) {
    std::string cmd = isodrv_test::shell_quote(std::string(ISODRV_EXAMPLES_BIN) + "/" + program) + " " +
                      isodrv_test::shell_quote(root_.string()) + " wombat 'ROOT\\WOMBAT\\0000' >" +
                      isodrv_test::shell_quote((base_ / "eout").string()) + " 2>&1";
    int st = std::system(cmd.c_str());
    isodrv_test::CliRun r;
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = isodrv_test::slurp(base_ / "eout");
    return r;
  }
  static bool has(const std::string& out, const std::string& s) { return out.find(s) != std::string::npos; }
};

TEST_F(ExampleDrivers, KmdfDriverKeepsItsStateAcrossStarts) {
  auto first = run("wombat_kmdf");
  ASSERT_EQ(first.rc, 0) << first.out;
  EXPECT_TRUE(has(first.out, "Parameters\\TraceLevel = 3 (0x00000000)")) << first.out;
  EXPECT_TRUE(has(first.out, "writing Parameters -> 0xc0000022")) << first.out;
  EXPECT_TRUE(has(first.out, "StartCount 0 -> 1")) << first.out;
  EXPECT_TRUE(has(first.out, "hardware key BufferSize = 4096 (0x00000000)")) << first.out;
  EXPECT_TRUE(has(first.out, "interface key Opened = 1 (0x00000000)")) << first.out;
  auto second = run("wombat_kmdf");
  EXPECT_TRUE(has(second.out, "StartCount 1 -> 2")) << second.out;
  EXPECT_EQ(isodrv_test::slurp(root_ / "Windows/ServiceState/wombat/Data/wombat.log"),
            "wombat started\nwombat started\n");
  EXPECT_EQ(cli({"reg", "query", std::string(kCcs) + "\\Services\\wombat\\State", "/v", "StartCount"}).rc, 0);
  EXPECT_TRUE(audit().empty()) << audit().dump(2);
}

TEST_F(ExampleDrivers, WdmDriverKeepsItsStateAcrossStarts) {
  auto first = run("wombat_wdm");
  ASSERT_EQ(first.rc, 0) << first.out;
  EXPECT_TRUE(has(first.out, "TraceLevel = 3 (0x00000000)")) << first.out;
  EXPECT_TRUE(has(first.out, "Starts = 1 (created")) << first.out;
  EXPECT_TRUE(has(first.out, "opening ..\\Parameters below State -> 0xc000003b")) << first.out;
  EXPECT_TRUE(has(first.out, "interface key Channels = 2 (0x00000000)")) << first.out;
  EXPECT_TRUE(has(first.out, "device file starts.txt = 1")) << first.out;
  EXPECT_TRUE(has(first.out, "wombat-wdm: unloaded")) << first.out;
  auto second = run("wombat_wdm");
  EXPECT_TRUE(has(second.out, "Starts = 2 (opened")) << second.out;
  EXPECT_EQ(isodrv_test::slurp(root_ / "Windows/DeviceState/ROOT#WOMBAT#0000/Data/starts.txt"), "2\n");
  EXPECT_TRUE(audit().empty());
}

TEST_F(ExampleDrivers, LegacyDriverIsReportedWithTheRightAlternatives) {
  auto r = run("wombat_legacy");
  ASSERT_EQ(r.rc, 0) << r.out;
  auto records = audit();
  ASSERT_EQ(records.size(), 4u) << records.dump(2);
  EXPECT_EQ(records[0]["path"], "\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Services\\wombat");
  EXPECT_EQ(records[0]["alternative"],
            "use IoOpenDriverRegistryKey (DriverRegKeyParameters to read settings, DriverRegKeyPersistentState for "
            "state)");
  EXPECT_EQ(records[1]["kind"], "registry-relative");
  EXPECT_EQ(records[1]["alternative"], "use IoOpenDriverRegistryKey(DriverRegKeyParameters)");
  EXPECT_EQ(records[2]["alternative"], "use IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DEVICE)");
  EXPECT_EQ(records[3]["path"], "\\SystemRoot\\wombat.dat");
  EXPECT_EQ(records[3]["alternative"], "use IoGetDriverDirectory(DriverDirectoryData)");
  for (const auto& rec : records) EXPECT_EQ(rec["subject"], "driver wombat");
  auto text = cli({"audit", "show"});
  EXPECT_TRUE(has(text.out, "ZwCreateFile \\SystemRoot\\wombat.dat (file-absolute, allowed")) << text.out;

  // In enforce mode the same driver is refused every absolute open.
  cli({"audit", "clear"});
  setenv("ISODRV_ISOLATION", "enforce", 1);
  auto enforced = run("wombat_legacy");
  unsetenv("ISODRV_ISOLATION");
  EXPECT_TRUE(has(enforced.out, "ZwOpenKey(RegistryPath) -> 0xc0000022")) << enforced.out;
  EXPECT_TRUE(has(enforced.out, "ZwCreateFile(\\SystemRoot\\wombat.dat) -> 0xc0000022")) << enforced.out;
  records = audit();
  ASSERT_EQ(records.size(), 3u);
  for (const auto& rec : records) EXPECT_EQ(rec["outcome"], "denied");
}

}  // namespace
