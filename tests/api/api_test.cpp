// The state-location API against registry state shaped like a real install: every entry point,
// its errors, confinement of the handles it returns, read-only Parameters and create on first use.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/fixture.h"
#include "isodrv/api.h"

namespace api = isodrv::api;
namespace reg = isodrv::registry;
using isodrv::Errc;
using namespace apitest;

namespace {

class ApiTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    session_ = std::make_unique<api::Session>(reg_, root_.string());
  }
  api::Session& s() { return *session_; }
  std::unique_ptr<api::Session> session_;
};

const std::string kEnumDev = std::string(kCcs) + "\\Enum\\ROOT\\BILBY\\0000";

}  // namespace

// ---- Device keys --------------------------------------------------------------------------------

TEST_F(ApiTest, HardwareKeyIsDeviceParametersCreatedOnFirstUse) {
  EXPECT_FALSE(key_exists("Enum\\ROOT\\BILBY\\0000\\Device Parameters"));
  auto existing = s().open_device_key(kDevice, api::DeviceKeyType::hardware, api::Disposition::open_existing);
  ASSERT_FALSE(existing.ok());
  EXPECT_EQ(existing.error().code, Errc::not_found);
  EXPECT_FALSE(key_exists("Enum\\ROOT\\BILBY\\0000\\Device Parameters"));

  auto k = V(s().open_device_key(kDevice, api::DeviceKeyType::hardware));
  EXPECT_EQ(api::short_key_path(k), kEnumDev + "\\Device Parameters");
  EXPECT_TRUE(key_exists("Enum\\ROOT\\BILBY\\0000\\Device Parameters"));
  EXPECT_FALSE(k.read_only());
  ASSERT_TRUE(k.set_dword("Gain", 5).ok());
  // The same key again, now without creating; lookups are case-insensitive.
  auto again = V(s().open_device_key("root\\bilby\\0000", api::DeviceKeyType::hardware, api::Disposition::open_existing));
  EXPECT_EQ(V(again.get_dword("Gain")), 5u);
}

TEST_F(ApiTest, SoftwareKeyFollowsTheDriverValue) {
  auto k = V(s().open_device_key(kDevice, api::DeviceKeyType::software));
  EXPECT_EQ(api::short_key_path(k), std::string(kCcs) + "\\Control\\Class\\" + kClassGuid + "\\0000");
  EXPECT_EQ(V(k.get_string("DriverDesc")), "Bilby Device");
}

TEST_F(ApiTest, SoftwareKeyOfADeviceWithoutDriverIsADistinctError) {
  auto k = s().open_device_key(kNoDriverDevice, api::DeviceKeyType::software);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, Errc::unsupported);
  EXPECT_NE(k.error().message.find("no driver"), std::string::npos) << k.error().message;
  // Its hardware key works.
  EXPECT_TRUE(s().open_device_key(kNoDriverDevice, api::DeviceKeyType::hardware).ok());
}

TEST_F(ApiTest, MalformedDriverValueIsCorrupt) {
  ASSERT_TRUE(key("Enum\\ROOT\\BILBY\\0001").set_string("Driver", "..\\..\\Services\\bilby").ok());
  auto k = s().open_device_key(kNoDriverDevice, api::DeviceKeyType::software);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, Errc::corrupt);
  ASSERT_TRUE(key("Enum\\ROOT\\BILBY\\0001").set_string("Driver", std::string(kClassGuid) + "\\12").ok());
  EXPECT_EQ(s().open_device_key(kNoDriverDevice, api::DeviceKeyType::software).error().code, Errc::corrupt);
}

TEST_F(ApiTest, SoftwareKeyMissingIsCreatedOrRefusedByDisposition) {
  ASSERT_TRUE(key("Enum\\ROOT\\BILBY\\0001").set_string("Driver", std::string(kClassGuid) + "\\0007").ok());
  EXPECT_EQ(s().open_device_key(kNoDriverDevice, api::DeviceKeyType::software, api::Disposition::open_existing)
                .error()
                .code,
            Errc::not_found);
  auto k = V(s().open_device_key(kNoDriverDevice, api::DeviceKeyType::software));
  EXPECT_EQ(api::short_key_path(k), std::string(kCcs) + "\\Control\\Class\\" + kClassGuid + "\\0007");
}

struct BadId {
  const char* id;
  Errc code;
};

TEST_F(ApiTest, DeviceFunnelErrors) {
  const BadId table[] = {
      {"", Errc::invalid_argument},
      {"ROOT\\BILBY", Errc::invalid_argument},              // no instance part
      {"ROOT\\BILBY\\0000\\X", Errc::invalid_argument},     // too many parts
      {"ROOT\\BI LBY\\0000", Errc::invalid_argument},       // space
      {"ROOT\\BILBY,1\\0000", Errc::invalid_argument},      // comma
      {"ROOT\\\\0000", Errc::invalid_argument},             // empty component
      {"\\ROOT\\BILBY", Errc::invalid_argument},            // leading separator
      {"ROOT\\B\xC3\xA4R\\0000", Errc::invalid_argument},   // not ASCII
      {"ROOT\\..\\0000", Errc::path_escape},
      {"ROOT\\.\\0000", Errc::path_escape},
      {"ROOT/BILBY\\X\\0000", Errc::path_escape},
      {"ROOT\\WOMBAT\\0000", Errc::not_found},
  };
  for (const auto& row : table) {
    auto d = s().resolve_device(row.id);
    ASSERT_FALSE(d.ok()) << row.id;
    EXPECT_EQ(d.error().code, row.code) << row.id << ": " << d.error().message;
    // Every entry point goes through the same funnel.
    auto k = s().open_device_key(row.id, api::DeviceKeyType::hardware);
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.error().code, row.code) << row.id;
    auto dir = s().device_directory(row.id);
    ASSERT_FALSE(dir.ok());
    EXPECT_EQ(dir.error().code, row.code) << row.id;
  }
  std::string long_id = "ROOT\\" + std::string(200, 'A') + "\\0000";
  EXPECT_EQ(s().resolve_device(long_id).error().code, Errc::invalid_argument);
  // Nothing was created by the failed calls.
  EXPECT_FALSE(key_exists("Enum\\ROOT\\WOMBAT"));
  EXPECT_FALSE(fs::exists(root_ / "Windows/DeviceState"));
}

// ---- Interface keys -----------------------------------------------------------------------------

TEST_F(ApiTest, InterfaceKeyWithoutAndWithReferenceString) {
  std::string itf = std::string(kCcs) + "\\Control\\DeviceClasses\\" + kItfGuid + "\\##?#ROOT#BILBY#0000#" + kItfGuid;
  auto plain = V(s().open_interface_key(link()));
  EXPECT_EQ(api::short_key_path(plain), itf + "\\#\\Device Parameters");
  auto wave = V(s().open_interface_key(link("Wave")));
  EXPECT_EQ(api::short_key_path(wave), itf + "\\#Wave\\Device Parameters");
  ASSERT_TRUE(wave.set_dword("Volume", 11).ok());

  // Kernel form and another letter case reach the same key.
  std::string upper_guid = kItfGuid;
  for (auto& c : upper_guid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string kernel = std::string("\\??\\root#bilby#0000#") + upper_guid + "\\WAVE";
  auto k = V(s().open_interface_key(kernel, api::Disposition::open_existing));
  EXPECT_EQ(api::short_key_path(k), itf + "\\#Wave\\Device Parameters");
  EXPECT_EQ(V(k.get_dword("Volume")), 11u);

  auto r = V(s().resolve_interface(link("Wave")));
  EXPECT_EQ(r.class_guid, kItfGuid);
  EXPECT_EQ(r.reference, "Wave");
}

TEST_F(ApiTest, InterfaceDeviceParametersCreatedOnFirstUse) {
  std::string rel = std::string("Control\\DeviceClasses\\") + kItfGuid + "\\##?#ROOT#BILBY#0000#" + kItfGuid +
                    "\\#\\Device Parameters";
  EXPECT_FALSE(key_exists(rel));
  EXPECT_EQ(s().open_interface_key(link(), api::Disposition::open_existing).error().code, Errc::not_found);
  EXPECT_TRUE(s().open_interface_key(link()).ok());
  EXPECT_TRUE(key_exists(rel));
}

TEST_F(ApiTest, InterfaceFunnelErrors) {
  struct Row {
    std::string link;
    Errc code;
  };
  const Row table[] = {
      {"", Errc::invalid_argument},
      {"ROOT#BILBY#0000#" + std::string(kItfGuid), Errc::invalid_argument},          // no prefix
      {"\\\\.\\ROOT#BILBY#0000#" + std::string(kItfGuid), Errc::invalid_argument},   // wrong prefix
      {"\\\\?\\ROOT#BILBY#0000", Errc::invalid_argument},                            // no GUID
      {"\\\\?\\ROOT#BILBY#0000#{6bdd1fc6-810f-11d0-bec7}", Errc::invalid_argument},  // short GUID
      {"\\\\?\\#" + std::string(kItfGuid), Errc::invalid_argument},                  // no device part
      {link() + "\\", Errc::invalid_argument},                                       // empty reference
      {link("a\\b"), Errc::invalid_argument},                                        // '\' in reference
      {link("Other"), Errc::not_found},
      {"\\\\?\\ROOT#BILBY#0001#" + std::string(kItfGuid), Errc::not_found},
      {"\\\\?\\ROOT#BILBY#0000#{00000000-0000-0000-0000-000000000000}", Errc::not_found},
  };
  for (const auto& row : table) {
    auto k = s().open_interface_key(row.link);
    ASSERT_FALSE(k.ok()) << row.link;
    EXPECT_EQ(k.error().code, row.code) << row.link << ": " << k.error().message;
  }
  // A failed lookup creates nothing.
  EXPECT_FALSE(key_exists(std::string("Control\\DeviceClasses\\") + kItfGuid + "\\##?#ROOT#BILBY#0000#" + kItfGuid +
                          "\\#Other"));
}

// ---- Driver keys --------------------------------------------------------------------------------

TEST_F(ApiTest, DriverKeysAndTheirLocations) {
  std::string svc = std::string(kCcs) + "\\Services\\bilby";
  auto params = V(s().open_driver_key("bilby", api::DriverKeyType::parameters));
  EXPECT_EQ(api::short_key_path(params), svc + "\\Parameters");
  EXPECT_FALSE(key_exists("Services\\bilby\\State"));
  auto state = V(s().open_driver_key("bilby", api::DriverKeyType::persistent_state));
  EXPECT_EQ(api::short_key_path(state), svc + "\\State");
  EXPECT_TRUE(key_exists("Services\\bilby\\State"));
  auto shared = V(s().open_driver_key("BILBY", api::DriverKeyType::shared_persistent_state));
  EXPECT_EQ(api::short_key_path(shared), svc + "\\SharedState");
  EXPECT_FALSE(state.read_only());
  EXPECT_FALSE(shared.read_only());
  ASSERT_TRUE(state.set_dword("Speed", 9).ok());
  ASSERT_TRUE(shared.set_string("Owner", "bilby").ok());
}

TEST_F(ApiTest, ParametersKeyIsReadOnlyToTheDriver) {
  auto params = V(s().open_driver_key("bilby", api::DriverKeyType::parameters));
  EXPECT_TRUE(params.read_only());
  EXPECT_EQ(V(params.get_dword("Speed")), 3u);
  EXPECT_EQ(params.set_dword("Speed", 4).error().code, Errc::access_denied);
  EXPECT_EQ(params.delete_value("Speed").error().code, Errc::access_denied);
  EXPECT_EQ(params.open_subkey("Wdf", isodrv::registry::Disposition::open_always).error().code, Errc::access_denied);
  EXPECT_EQ(params.delete_tree().error().code, Errc::access_denied);
  EXPECT_EQ(V(key("Services\\bilby\\Parameters").get_dword("Speed")), 3u);
}

TEST_F(ApiTest, ParametersKeyCreatedWhenMissingStillReadOnly) {
  key("Services\\other").set_dword("Type", 1).ok();
  EXPECT_EQ(s().open_driver_key("other", api::DriverKeyType::parameters, api::Disposition::open_existing).error().code,
            Errc::not_found);
  auto params = V(s().open_driver_key("other", api::DriverKeyType::parameters));
  EXPECT_TRUE(key_exists("Services\\other\\Parameters"));
  EXPECT_TRUE(params.read_only());
}

TEST_F(ApiTest, ServiceFunnelErrors) {
  struct Row {
    std::string name;
    Errc code;
  };
  const Row table[] = {
      {"", Errc::invalid_argument},        {std::string(257, 's'), Errc::invalid_argument},
      {"bil\x01" "by", Errc::invalid_argument}, {"..", Errc::path_escape},
      {".", Errc::path_escape},            {"a/b", Errc::path_escape},
      {"bilby\\Parameters", Errc::path_escape}, {"..\\Enum", Errc::path_escape},
      {"/etc", Errc::path_escape},         {"wombat", Errc::not_found},
  };
  for (const auto& row : table) {
    for (auto type : {api::DriverKeyType::parameters, api::DriverKeyType::persistent_state}) {
      auto k = s().open_driver_key(row.name, type);
      ASSERT_FALSE(k.ok()) << row.name;
      EXPECT_EQ(k.error().code, row.code) << row.name << ": " << k.error().message;
    }
    for (auto type : {api::DriverDirectoryType::image, api::DriverDirectoryType::data}) {
      auto d = s().driver_directory(row.name, type);
      ASSERT_FALSE(d.ok()) << row.name;
      EXPECT_EQ(d.error().code, row.code) << row.name;
    }
    EXPECT_EQ(s().query_full_driver_path(row.name).error().code, row.code) << row.name;
  }
  EXPECT_FALSE(key_exists("Services\\wombat"));
  EXPECT_FALSE(fs::exists(root_ / "Windows/ServiceState"));
}

// ---- Confinement --------------------------------------------------------------------------------

TEST_F(ApiTest, HandlesCannotReachParentsOrSiblings) {
  auto hw = V(s().open_device_key(kDevice, api::DeviceKeyType::hardware));
  auto state = V(s().open_driver_key("bilby", api::DriverKeyType::persistent_state));
  auto itf = V(s().open_interface_key(link()));
  for (const auto& h : {hw, state, itf}) {
    for (const char* rel : {"..", "..\\Parameters", "..\\..\\..\\Services\\bilby", ".", "a\\..\\..", "\\Enum"}) {
      auto k = h.open_subkey(rel, isodrv::registry::Disposition::open_always);
      ASSERT_FALSE(k.ok()) << h.path() << " " << rel;
      EXPECT_EQ(k.error().code, Errc::path_escape) << rel;
    }
    // A root name is just a subkey name below the handle: it never reaches the hive.
    auto abs = h.open_subkey("HKEY_LOCAL_MACHINE\\SYSTEM");
    ASSERT_FALSE(abs.ok());
    EXPECT_EQ(abs.error().code, Errc::not_found);
    // Subkeys created through the handle stay below it.
    auto sub = V(h.open_subkey("Nested\\Deeper", isodrv::registry::Disposition::open_always));
    EXPECT_EQ(sub.path().rfind(h.path() + "\\", 0), 0u) << sub.path();
  }
  // The sibling Parameters key is unchanged and the state handle's subtree holds only its own keys.
  EXPECT_EQ(V(state.enum_subkeys()), std::vector<std::string>{"Nested"});
  EXPECT_FALSE(key_exists("Services\\bilby\\Parameters\\Nested"));
}

// ---- Directories --------------------------------------------------------------------------------

TEST_F(ApiTest, DataDirectoriesCreatedOnFirstUse) {
  EXPECT_EQ(s().driver_directory("bilby", api::DriverDirectoryType::data, api::Disposition::open_existing).error().code,
            Errc::not_found);
  auto data = V(s().driver_directory("bilby", api::DriverDirectoryType::data));
  EXPECT_EQ(data.windows_path, "C:\\Windows\\ServiceState\\bilby\\Data");
  EXPECT_EQ(data.host_path, (root_ / "Windows/ServiceState/bilby/Data").string());
  EXPECT_TRUE(fs::is_directory(data.host_path));
  auto shared = V(s().driver_directory("Bilby", api::DriverDirectoryType::shared_data));  // stored spelling used
  EXPECT_EQ(shared.windows_path, "C:\\Windows\\ServiceState\\bilby\\SharedData");
  EXPECT_EQ(shared.host_path, (root_ / "Windows/ServiceState/bilby/SharedData").string());
  EXPECT_TRUE(fs::is_directory(shared.host_path));

  auto dev = V(s().device_directory("root\\bilby\\0000"));
  EXPECT_EQ(dev.windows_path, "C:\\Windows\\DeviceState\\ROOT#BILBY#0000\\Data");
  EXPECT_EQ(dev.host_path, (root_ / "Windows/DeviceState/ROOT#BILBY#0000/Data").string());
  EXPECT_TRUE(fs::is_directory(dev.host_path));
  EXPECT_TRUE(s().device_directory(kDevice, api::Disposition::open_existing).ok());
}

TEST_F(ApiTest, ImageDirectoryIsTheFileRepositoryFolderAndIsNeverCreated) {
  auto img = V(s().driver_directory("bilby", api::DriverDirectoryType::image));
  EXPECT_EQ(img.windows_path, std::string("C:\\Windows\\System32\\DriverStore\\FileRepository\\") + kFolder);
  EXPECT_EQ(img.host_path, (root_ / "Windows/System32/DriverStore/FileRepository" / kFolder).string());

  fs::remove_all(root_ / "Windows/System32/DriverStore/FileRepository" / kFolder);
  auto gone = s().driver_directory("bilby", api::DriverDirectoryType::image);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, Errc::not_found);
  EXPECT_FALSE(fs::exists(root_ / "Windows/System32/DriverStore/FileRepository" / kFolder));

  EXPECT_EQ(s().driver_directory("noimage", api::DriverDirectoryType::image).error().code, Errc::unsupported);
}

TEST_F(ApiTest, FullDriverPath) {
  auto p = V(s().query_full_driver_path("bilby"));
  EXPECT_EQ(p.windows_path, std::string("C:\\Windows\\System32\\DriverStore\\FileRepository\\") + kFolder + "\\bilby.sys");
  EXPECT_EQ(p.host_path, (root_ / "Windows/System32/DriverStore/FileRepository" / kFolder / "bilby.sys").string());
  auto none = s().query_full_driver_path("noimage");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::unsupported);
  key("Services\\noimage").set_string("ImagePath", "D:\\drivers\\x.sys").ok();
  EXPECT_EQ(s().query_full_driver_path("noimage").error().code, Errc::corrupt);
  key("Services\\noimage").set_string("ImagePath", "\\SystemRoot\\..\\..\\etc\\passwd").ok();
  EXPECT_EQ(s().query_full_driver_path("noimage").error().code, Errc::path_escape);
  EXPECT_EQ(s().driver_directory("noimage", api::DriverDirectoryType::image).error().code, Errc::path_escape);
}

TEST_F(ApiTest, DirectoryThroughALinkOutsideTheRootIsRefused) {
  fs::path outside = base_ / "outside";
  fs::create_directories(outside);
  fs::create_directories(root_ / "Windows");
  fs::create_directory_symlink(outside, root_ / "Windows/ServiceState");
  auto d = s().driver_directory("bilby", api::DriverDirectoryType::data);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::path_escape);
  EXPECT_TRUE(fs::is_empty(outside));
}

// ---- Windows paths ------------------------------------------------------------------------------

TEST(WindowsPath, ImagePathForms) {
  struct Row {
    const char* in;
    const char* out;  // nullptr: refused with `code`
    Errc code;
  };
  const Row table[] = {
      {"\\SystemRoot\\System32\\drivers\\x.sys", "C:\\Windows\\System32\\drivers\\x.sys", Errc::ok},
      {"\\systemroot\\System32\\drivers\\x.sys", "C:\\Windows\\System32\\drivers\\x.sys", Errc::ok},
      {"System32\\drivers\\x.sys", "C:\\Windows\\System32\\drivers\\x.sys", Errc::ok},
      {"%SystemRoot%\\System32\\x.dll", "C:\\Windows\\System32\\x.dll", Errc::ok},
      {"%windir%\\System32\\x.dll", "C:\\Windows\\System32\\x.dll", Errc::ok},
      {"\\??\\C:\\Windows\\System32\\x.sys", "C:\\Windows\\System32\\x.sys", Errc::ok},
      {"\\??\\c:\\Program Files\\x.exe", "C:\\Program Files\\x.exe", Errc::ok},
      {"C:\\Windows\\x.sys", "C:\\Windows\\x.sys", Errc::ok},
      {"c:\\Windows\\", "C:\\Windows", Errc::ok},
      {"\"C:\\Program Files\\x.exe\"", "C:\\Program Files\\x.exe", Errc::ok},
      {"C:\\", "C:\\", Errc::ok},
      {"", nullptr, Errc::invalid_argument},
      {"D:\\x.sys", nullptr, Errc::invalid_argument},
      {"\\??\\D:\\x.sys", nullptr, Errc::invalid_argument},
      {"\\??\\x.sys", nullptr, Errc::invalid_argument},
      {"C:x.sys", nullptr, Errc::invalid_argument},
      {"\\Device\\HarddiskVolume1\\x.sys", nullptr, Errc::invalid_argument},
      {"%ProgramFiles%\\x.exe", nullptr, Errc::invalid_argument},
      {"C:\\Windows\\\\x.sys", nullptr, Errc::invalid_argument},
      {"C:\\Windows\\..\\..\\x.sys", nullptr, Errc::path_escape},
      {"System32\\.\\x.sys", nullptr, Errc::path_escape},
      {"System32\\a/../../x.sys", nullptr, Errc::path_escape},
  };
  for (const auto& row : table) {
    auto r = api::normalize_windows_path(row.in);
    if (row.out) {
      ASSERT_TRUE(r.ok()) << row.in << ": " << r.error().message;
      EXPECT_EQ(*r, row.out) << row.in;
    } else {
      ASSERT_FALSE(r.ok()) << row.in << " → " << *r;
      EXPECT_EQ(r.error().code, row.code) << row.in;
    }
  }
}

TEST_F(ApiTest, WindowsToHostUsesFixedSpellingAndExistingEntries) {
  std::string r = root_.string();
  EXPECT_EQ(V(api::windows_to_host(r, "c:\\WINDOWS\\system32\\DRIVERS\\driverdata\\x.etl")),
            r + "/Windows/System32/drivers/DriverData/x.etl");
  EXPECT_EQ(V(api::windows_to_host(r, "C:\\windows\\inf\\OEM0.INF")), r + "/Windows/INF/OEM0.INF");
  // An existing host entry keeps its spelling whatever case the Windows path uses.
  EXPECT_EQ(V(api::windows_to_host(r, "\\SystemRoot\\System32\\DriverStore\\FileRepository\\BILBY.INF_AMD64_0123456789ABCDEF\\BILBY.SYS")),
            (root_ / "Windows/System32/DriverStore/FileRepository" / kFolder / "bilby.sys").string());
  EXPECT_EQ(V(api::windows_to_host(r, "C:\\")), r);
  EXPECT_EQ(api::windows_to_host(r, "C:\\..\\x").error().code, Errc::path_escape);
}

TEST_F(ApiTest, HostToWindowsIsTheInverseBelowTheRoot) {
  std::string r = root_.string();
  EXPECT_EQ(V(api::host_to_windows(r, r + "/Windows/INF/oem0.inf")), "C:\\Windows\\INF\\oem0.inf");
  EXPECT_EQ(V(api::host_to_windows(r + "/", r + "/Windows/ServiceState/bilby/Data/")),
            "C:\\Windows\\ServiceState\\bilby\\Data");
  EXPECT_EQ(V(api::host_to_windows(r, r)), "C:\\");
  auto data = V(s().driver_directory("bilby", api::DriverDirectoryType::data));
  EXPECT_EQ(V(api::host_to_windows(r, data.host_path)), data.windows_path);
  EXPECT_EQ(api::host_to_windows(r, (base_ / "outside/x").string()).error().code, Errc::path_escape);
  EXPECT_EQ(api::host_to_windows(r, r + "x/Windows").error().code, Errc::path_escape);  // a sibling named rootx
  EXPECT_EQ(api::host_to_windows(r, r + "/Windows/../../x").error().code, Errc::path_escape);
  EXPECT_EQ(api::host_to_windows(r, r + "/Windows/a\\b").error().code, Errc::invalid_argument);
}

// ---- Values with fallback -----------------------------------------------------------------------

TEST_F(ApiTest, QueryValueWithFallback) {
  auto params = V(s().open_driver_key("bilby", api::DriverKeyType::parameters));
  auto state = V(s().open_driver_key("bilby", api::DriverKeyType::persistent_state));
  // Only the default (Parameters) has it.
  auto v = V(api::query_value_with_fallback(state, params, "Speed"));
  EXPECT_EQ(v.type, reg::kRegDword);
  EXPECT_EQ(v.data, reg::encode_dword(3));
  // The override wins.
  ASSERT_TRUE(state.set_dword("Speed", 8).ok());
  EXPECT_EQ(V(api::query_value_with_fallback(state, params, "speed")).data, reg::encode_dword(8));
  // Neither.
  auto none = api::query_value_with_fallback(state, params, "Missing");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::not_found);
  // A deleted primary is an error of its own, not a silent fallback.
  ASSERT_TRUE(key("Services\\bilby\\State").delete_tree().ok());
  EXPECT_EQ(api::query_value_with_fallback(state, params, "Speed").error().code, Errc::key_deleted);
}

// ---- Session ------------------------------------------------------------------------------------

TEST_F(ApiTest, SessionOpenAndAudit) {
  auto opened = api::Session::open(root_.string());
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(opened->root(), root_.string());
  std::vector<api::AccessRecord> log;
  opened->set_audit([&](const api::AccessRecord& r) { log.push_back(r); });
  EXPECT_TRUE(opened->open_device_key(kDevice, api::DeviceKeyType::software).ok());
  EXPECT_FALSE(opened->open_driver_key("wombat", api::DriverKeyType::parameters).ok());
  EXPECT_TRUE(opened->driver_directory("bilby", api::DriverDirectoryType::image).ok());
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].function, "open_device_key");
  EXPECT_EQ(log[0].subject, kDevice);
  EXPECT_EQ(log[0].location, std::string(kCcs) + "\\Control\\Class\\" + kClassGuid + "\\0000");
  EXPECT_TRUE(log[0].ok);
  EXPECT_EQ(log[1].function, "open_driver_key");
  EXPECT_FALSE(log[1].ok);
  EXPECT_TRUE(log[1].location.empty());
  EXPECT_EQ(log[2].location, std::string("C:\\Windows\\System32\\DriverStore\\FileRepository\\") + kFolder);
  EXPECT_EQ(api::Session::open("").error().code, Errc::invalid_argument);
}
