// Device properties (AddProperty / DelProperty): every line form, type and flag, stored per device,
// per interface and per class under "Properties\{fmtid}\NNNN"; read back through device show and
// the API; undone exactly. Corpus packages that set properties install them as documented.
#include "devinst_test_util.h"
#include "isodrv/api.h"
#include "isodrv/stamp_tokens.h"

using namespace devinst_test;

namespace {

const std::string kNumbatId = "ROOT\\NUMBAT\\0000";
const std::string kNumbatClass = "{5d3e1a40-8c1f-4b2e-9a71-0c6f2e4b1a90}";
const std::string kCustom = "{d1d1a2a3-1111-4222-8333-444455556666}";
const std::string kDrvPkg = "{cf73bb51-3abf-44a2-85e0-9a3dc7a12132}";
const std::string kItf = "{026e516e-b814-414b-83cd-856d6fef4822}";

std::vector<std::uint8_t> utf16z(const std::string& s) {
  std::vector<std::uint8_t> out;
  for (char c : s) {
    out.push_back(static_cast<std::uint8_t>(c));
    out.push_back(0);
  }
  out.push_back(0);
  out.push_back(0);
  return out;
}

std::vector<std::uint8_t> multi(const std::vector<std::string>& v) {
  std::vector<std::uint8_t> out;
  for (const auto& s : v) {
    auto b = utf16z(s);
    out.insert(out.end(), b.begin(), b.end());
  }
  out.push_back(0);
  out.push_back(0);
  return out;
}

}  // namespace

class Properties : public DevinstTest {
 protected:
  // The stored value of one property: its registry type and bytes.
  std::optional<isodrv::registry::Value> prop(const std::string& object_key, const std::string& fmtid, const std::string& pid) {
    auto r = reg();
    auto k = r.open_key(object_key + "\\Properties\\" + fmtid + "\\" + pid);
    if (!k) return std::nullopt;
    auto v = k->query_value("");
    if (!v) return std::nullopt;
    return *v;
  }
};

TEST_F(Properties, EveryLineFormTypeAndFlagLandsInThePropertyStore) {
  stage(package_dir("numbat", slurp(fixture("numbat/numbat.inf")), "numbat.inf"), true);
  auto e = engine();
  ASSERT_TRUE(e.add_device({kNumbatId, {"ROOT\\NUMBAT"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(kNumbatId);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const std::string dev = kCcs + "\\Enum\\" + kNumbatId;
  using V = isodrv::registry::Value;
  // Property names: DEVPKEY_DrvPkg_* with their documented types.
  EXPECT_EQ(prop(dev, kDrvPkg, "0002"), (V{0xFFFF0012, utf16z("Numbat 3000")}));
  EXPECT_EQ(prop(dev, kDrvPkg, "0003"), (V{0xFFFF0012, utf16z("https://numbat.example/")}));
  EXPECT_EQ(prop(dev, kDrvPkg, "0004"), (V{0xFFFF0012, utf16z("A numbat, set from .HW")}));
  ASSERT_TRUE(prop(dev, kDrvPkg, "0006"));
  EXPECT_EQ(prop(dev, kDrvPkg, "0006")->type, 0xFFFF2012u);  // DeviceIcon is a STRING_LIST
  // {fmtid},pid,type: type by number and by name.
  EXPECT_EQ(prop(dev, kCustom, "0002"), (V{0xFFFF0012, utf16z("custom string")})) << "0x1 no-clobber kept it";
  // 0x10, then OR 0x03 = 0x13, then AND 0x12 = 0x12.
  EXPECT_EQ(prop(dev, kCustom, "0003"), (V{0xFFFF0007, {0x12, 0, 0, 0}}));
  // alpha,beta + append beta,gamma = alpha,beta,gamma; .HW's DelProperty 0x4 removes alpha.
  EXPECT_EQ(prop(dev, kCustom, "0004"), (V{0xFFFF2012, multi({"beta", "gamma"})}));
  EXPECT_EQ(prop(dev, kCustom, "0005"), (V{0xFFFF0011, {0xFF}}));
  EXPECT_EQ(prop(dev, kCustom, "0006"), (V{0xFFFF1003, {0xde, 0xad, 0xbe, 0xef}}));
  EXPECT_EQ(prop(dev, kCustom, "0007"),
            (V{0xFFFF000D, {0x3d, 0x2c, 0x1b, 0x0a, 0x5f, 0x4e, 0x61, 0x40, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9}}));
  EXPECT_EQ(prop(dev, kCustom, "0008"), (V{0xFFFF0006, {0xfe, 0xff, 0xff, 0xff}}));
  EXPECT_FALSE(prop(dev, kCustom, "0009")) << ".HW's DelProperty deletes it";
  EXPECT_FALSE(prop(dev, kCustom, "000A")) << "0x2 overwrite-only does not create";
  // Per interface and per class.
  const std::string itf = isodrv::devinst::interface_key_path(kNumbatId, "{b7c1d2e3-0000-4000-8000-00000000beef}", "");
  EXPECT_EQ(prop(itf, kItf, "0006"), (V{0xFFFF0011, {0x00}}));
  EXPECT_EQ(prop(itf, kItf, "0009"), (V{0xFFFF0012, utf16z("NUMBAT0")}));
  EXPECT_EQ(prop(kCcs + "\\Control\\Class\\" + kNumbatClass, "{259abffc-50a7-47ce-af08-68c9a7d73366}", "0002"),
            (V{0xFFFF0012, utf16z("Numbat class")}));

  // device show reads them back, with DEVPKEY names.
  auto info = e.device(kNumbatId);
  ASSERT_TRUE(info.ok());
  bool model = false;
  for (const auto& p : info->properties) {
    if (p.name == "DEVPKEY_DrvPkg_Model") model = p.text == std::vector<std::string>{"Numbat 3000"};
  }
  EXPECT_TRUE(model);
  ASSERT_EQ(info->interface_properties.size(), 1u);
  EXPECT_EQ(info->interface_properties[0].properties.size(), 2u);

  // The API: IoGetDevicePropertyData-style.
  auto s = isodrv::api::Session::open(root_.string());
  ASSERT_TRUE(s.ok());
  auto p = s->get_device_property(kNumbatId, "D1D1A2A3-1111-4222-8333-444455556666", 3);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(p->type, 0x7u);
  EXPECT_EQ(p->data, (std::vector<std::uint8_t>{0x12, 0, 0, 0}));
  EXPECT_EQ(s->get_device_property(kNumbatId, kCustom, 9).error().code, isodrv::Errc::not_found);
  EXPECT_EQ(s->get_device_property(kNumbatId, "not-a-guid", 2).error().code, isodrv::Errc::invalid_argument);
  auto ip = s->get_interface_property(info->interfaces.at(0), kItf, 9);
  ASSERT_TRUE(ip.ok()) << ip.error().to_string();
  EXPECT_EQ(ip->data, utf16z("NUMBAT0"));

  ASSERT_TRUE(e.uninstall(kNumbatId).ok());
  EXPECT_EQ(export_hklm(), before);
}

TEST_F(Properties, MalformedEntriesFailTheInstallWithTheirLine) {
  struct Case {
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {"NoSuchName,,,,\"x\"", "unknown property name 'NoSuchName'"},
      {"{d1d1a2a3-1111-4222-8333-44445555666},2,0x12,,\"x\"", "invalid property category GUID"},
      {"{d1d1a2a3-1111-4222-8333-444455556666},1,0x12,,\"x\"", "invalid property identifier '1'"},
      {"{d1d1a2a3-1111-4222-8333-444455556666},2,DEVPROP_TYPE_NOPE,,\"x\"", "invalid property type"},
      {"{d1d1a2a3-1111-4222-8333-444455556666},2,0x7,,\"seven\"", "invalid number 'seven'"},
      {"{d1d1a2a3-1111-4222-8333-444455556666},2,0x12,0x4,\"x\"", "append"},
  };
  std::string text = slurp(fixture("numbat/numbat.inf"));
  const std::string anchor = "DeviceModel,,,,\"Numbat 3000\"";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    std::string bad = text;
    bad.replace(bad.find(anchor), anchor.size(), c.line);
    fs::remove_all(root_);
    fs::create_directories(root_);
    stage(package_dir(std::string("bad") + std::to_string(&c - cases), bad, "numbat.inf"), true);
    auto e = engine();
    ASSERT_TRUE(e.add_device({kNumbatId, {"ROOT\\NUMBAT"}, {}}).ok());
    const std::string before = export_hklm();
    auto r = e.install(kNumbatId);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().to_string();
    EXPECT_NE(r.error().line, 0u);
    EXPECT_EQ(export_hklm(), before) << "nothing is left behind";
  }
}

TEST_F(Properties, CorpusPackagesSetTheirDocumentedProperties) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  const fs::path wg = corpus / "WireGuard+wireguard-nt/driver/wireguard.inf";
  const fs::path base_inx = corpus / "windows-driver-samples/general/DCHU/osrfx2_DCHU_base/osrfx2_DCHU_base/osrfx2_DCHU_base.inx";
  if (!fs::exists(corpus / "MANIFEST.tsv") || !fs::exists(wg) || !fs::exists(base_inx)) {
    GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  }
  auto stamped = [](const fs::path& p) { return isodrv::stamp::accept_tokens_for_check(slurp(p), isodrv::inf::Arch::amd64); };
  stage(package_dir("wg", stamped(wg), "wireguard.inf"), true);
  stage(package_dir("dchu", stamped(base_inx), "osrfx2_DCHU_base.inf"), true);
  auto e = engine();
  ASSERT_TRUE(e.set_inbox_folder(fixture("inbox").string()).ok());  // the base's Include = wudfrd.inf
  const std::string wg_id = "SWD\\WireGuard\\{00000000-0000-0000-0000-000000000001}";
  const std::string usb_id = "USB\\VID_0547&PID_1002\\5&1a2b3c&0&1";
  ASSERT_TRUE(e.add_device({wg_id, {"WireGuard"}, {}}).ok());
  ASSERT_TRUE(e.add_device({usb_id, {"USB\\VID_0547&PID_1002"}, {}}).ok());
  const std::string before = export_hklm();
  auto r = e.install(wg_id);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const std::string dev = kCcs + "\\Enum\\" + wg_id;
  using V = isodrv::registry::Value;
  // [WireGuard.Properties]: DeviceIcon / DeviceBrandingIcon (STRING_LIST), DeviceVendorWebsite.
  EXPECT_EQ(prop(dev, kDrvPkg, "0003"), (V{0xFFFF0012, utf16z("https://www.wireguard.com/")}));
  EXPECT_EQ(prop(dev, kDrvPkg, "0006"), (V{0xFFFF2012, multi({"C:\\Windows\\System32\\drivers\\wireguard.sys,-7"})}));
  EXPECT_EQ(prop(dev, kDrvPkg, "0007"), (V{0xFFFF2012, multi({"C:\\Windows\\System32\\drivers\\wireguard.sys,-7"})}));
  // The DCHU base's add-interface section sets DEVPKEY_DeviceInterface_UnrestrictedAppCapabilities.
  auto u = e.install(usb_id);
  ASSERT_TRUE(u.ok()) << u.error().to_string();
  auto info = e.device(usb_id);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->interface_properties.size(), 1u);
  ASSERT_EQ(info->interface_properties[0].properties.size(), 1u);
  const auto& p = info->interface_properties[0].properties[0];
  EXPECT_EQ(p.name, "DEVPKEY_DeviceInterface_UnrestrictedAppCapabilities");
  EXPECT_EQ(p.type, 0x2012u);
  ASSERT_TRUE(e.uninstall(usb_id).ok());
  ASSERT_TRUE(e.uninstall(wg_id).ok());
  EXPECT_EQ(export_hklm(), before);
}
