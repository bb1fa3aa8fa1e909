// Rule family "version": the [Version] section and DriverVer — ClassGuid form and well-known
// class pairs, Provider, DriverVer date and version, CatalogFile, PnpLockdown and length limits.
#include <optional>
#include <string>

#include "isodrv/stamp.h"
#include "base/text.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

// MAX_CLASS_NAME_LEN is 32 UTF-16 units including the terminating NUL.
constexpr std::size_t kMaxClassNameLength = 31;
// Displayable strings such as the Provider name live in LINE_LEN (256) buffers including the NUL.
constexpr std::size_t kMaxDisplayLength = inf::kLineLen - 1;

// System-defined device setup classes (devguid.h names, as the WDK documents them). A Class name
// from this table must come with its GUID, and a GUID from it with its name (IV 1280/1281).
// Views, not C strings: the lookups below compare sizes first, without a strlen per row.
struct WellKnownClass {
  std::string_view name;
  std::string_view guid;  // lower case, braced
};
constexpr WellKnownClass kWellKnownClasses[] = {
    {"1394", "{6bdd1fc1-810f-11d0-bec7-08002be2092f}"},
    {"61883", "{7ebefbc0-3200-11d2-b4c2-00a0c9697d07}"},
    {"AudioProcessingObject", "{5989fce8-9cd0-467d-8a6a-5419e31529d4}"},
    {"AVC", "{c06ff265-ae09-48f0-812c-16753d7cba83}"},
    {"Battery", "{72631e54-78a4-11d0-bcf7-00aa00b7b32a}"},
    {"Biometric", "{53d29ef7-377c-4d14-864b-eb3a85769359}"},
    {"Bluetooth", "{e0cbf06c-cd8b-4647-bb8a-263b43f0f974}"},
    {"Camera", "{ca3e7ab9-b4c3-4ae6-8251-579ef933890f}"},
    {"CDROM", "{4d36e965-e325-11ce-bfc1-08002be10318}"},
    {"DiskDrive", "{4d36e967-e325-11ce-bfc1-08002be10318}"},
    {"Display", "{4d36e968-e325-11ce-bfc1-08002be10318}"},
    {"Dot4", "{48721b56-6795-11d2-b1a8-0080c72e74a2}"},
    {"Dot4Print", "{49ce6ac8-6f86-11d2-b1e5-0080c72e74a2}"},
    {"Extension", "{e2f84ce7-8efa-411c-aa69-97454ca4cb57}"},
    {"FDC", "{4d36e969-e325-11ce-bfc1-08002be10318}"},
    {"FloppyDisk", "{4d36e980-e325-11ce-bfc1-08002be10318}"},
    {"GPS", "{6bdd1fc3-810f-11d0-bec7-08002be2092f}"},
    {"HDC", "{4d36e96a-e325-11ce-bfc1-08002be10318}"},
    {"HIDClass", "{745a17a0-74d3-11d0-b6fe-00a0c90f57da}"},
    {"Image", "{6bdd1fc6-810f-11d0-bec7-08002be2092f}"},
    {"Infrared", "{6bdd1fc5-810f-11d0-bec7-08002be2092f}"},
    {"Keyboard", "{4d36e96b-e325-11ce-bfc1-08002be10318}"},
    {"Media", "{4d36e96c-e325-11ce-bfc1-08002be10318}"},
    {"MediumChanger", "{ce5939ae-ebde-11d0-b181-0000f8753ec4}"},
    {"Modem", "{4d36e96d-e325-11ce-bfc1-08002be10318}"},
    {"Monitor", "{4d36e96e-e325-11ce-bfc1-08002be10318}"},
    {"Mouse", "{4d36e96f-e325-11ce-bfc1-08002be10318}"},
    {"MTD", "{4d36e970-e325-11ce-bfc1-08002be10318}"},
    {"Multifunction", "{4d36e971-e325-11ce-bfc1-08002be10318}"},
    {"MultiportSerial", "{50906cb8-ba12-11d1-bf5d-0000f805f530}"},
    {"Net", "{4d36e972-e325-11ce-bfc1-08002be10318}"},
    {"NetClient", "{4d36e973-e325-11ce-bfc1-08002be10318}"},
    {"NetService", "{4d36e974-e325-11ce-bfc1-08002be10318}"},
    {"NetTrans", "{4d36e975-e325-11ce-bfc1-08002be10318}"},
    {"PCMCIA", "{4d36e977-e325-11ce-bfc1-08002be10318}"},
    {"PNPPrinters", "{4658ee7e-f050-11d1-b6bd-00c04fa372a7}"},
    {"Ports", "{4d36e978-e325-11ce-bfc1-08002be10318}"},
    {"Printer", "{4d36e979-e325-11ce-bfc1-08002be10318}"},
    {"Processor", "{50127dc3-0f36-415e-a6cc-4cb3be910b65}"},
    {"SBP2", "{d48179be-ec20-11d1-b6b8-00c04fa372a7}"},
    {"SCSIAdapter", "{4d36e97b-e325-11ce-bfc1-08002be10318}"},
    {"SecurityAccelerator", "{268c95a1-edfe-11d3-95c3-0010dc4050a5}"},
    {"Sensor", "{5175d334-c371-4806-b3ba-71fd53c9258d}"},
    {"SideShow", "{997b5d8d-c442-4f2e-baf3-9c8e671e9e21}"},
    {"SmartCardReader", "{50dd5230-ba8a-11d1-bf5d-0000f805f530}"},
    {"SoftwareComponent", "{5c4c3332-344d-483c-8739-259e934c9cc8}"},
    {"System", "{4d36e97d-e325-11ce-bfc1-08002be10318}"},
    {"TapeDrive", "{6d807884-7d21-11cf-801c-08002be10318}"},
    {"USB", "{36fc9e60-c465-11cf-8056-444553540000}"},
    {"USBDevice", "{88bae032-5a81-49f0-bc3d-a4ff138216d6}"},
    {"Volume", "{71a27cdd-812a-11d0-bec7-08002be2092f}"},
    {"WCEUSBS", "{25dbce51-6c8f-4a72-8a6d-b54c2b4fc835}"},
    {"WPD", "{eec5ad98-8080-425f-922a-dabf3de3f69a}"},
};

const WellKnownClass* class_by_name(std::string_view name) {
  for (const auto& c : kWellKnownClasses) {
    if (rules::iequals(name, c.name)) return &c;
  }
  return nullptr;
}

const WellKnownClass* class_by_guid(std::string_view guid) {
  for (const auto& c : kWellKnownClasses) {
    if (rules::iequals(guid, c.guid)) return &c;
  }
  return nullptr;
}

using base::trim;

// A value of [Version] with its line, when the entry is present.
struct VersionValue {
  inf::Line line;
  std::string value;  // field 1, substituted and trimmed
};
std::optional<VersionValue> version_value(const inf::Section& version, std::string_view key) {
  auto l = version.find(key);
  if (!l) return std::nullopt;
  return VersionValue{*l, util::trimmed_field(*l, 0)};
}

// [Version] Class and ClassGuid, read once for the three checks that judge them.
struct ClassValues {
  std::optional<VersionValue> cls, guid;
  const WellKnownClass* known_name = nullptr;  // class_by_name(cls), looked up once for 1281 and 1285
};

void check_class(Context& ctx, const ClassValues& values) {
  const auto& cls = values.cls;
  const auto& guid = values.guid;
  if (guid && !inf::is_braced_guid(guid->value)) ctx.report<Rule::r1010>(guid->line, {guid->value}, 0);
  if (cls && inf::utf16_length(cls->value) > kMaxClassNameLength) {
    ctx.report<Rule::r1286>(cls->line, {"Class name", cls->value, std::to_string(kMaxClassNameLength)}, 0);
  }
  if (!cls || !guid || !inf::is_braced_guid(guid->value)) return;
  // One finding per pair: a well-known name decides (its GUID is wrong); otherwise a well-known GUID
  // decides (its name is wrong).
  if (const auto* by_name = values.known_name) {
    if (!rules::iequals(guid->value, by_name->guid)) {
      ctx.report<Rule::r1281>(guid->line, {cls->value, guid->value, by_name->guid}, 0);
    }
  } else if (const auto* by_guid = class_by_guid(guid->value)) {
    ctx.report<Rule::r1280>(cls->line, {guid->value, cls->value, by_guid->name}, 0);
  }
}

bool claims_microsoft(std::string_view name) {
  return name.size() >= 9 && rules::iequals(name.substr(0, 9), "Microsoft");
}

// 1204 is reported for every INF whose Provider is or starts with "Microsoft" (case-insensitive),
// in every mode, as InfVerif does for packages it checks: the tool cannot tell an inbox INF from a
// third-party one, so the caller says which it is. Passing /provider with a Microsoft name marks
// the package as Microsoft's own and turns 1204 off (1210 still compares the names), and so does
// /samples: Windows-driver-samples INFs (netvadapter) say Provider = Microsoft and pass the
// samples' CI, which runs InfVerif with /samples. Other samples use "TODO-Set-Provider" or names
// such as "VS_Microsoft", which do not start with Microsoft.
void check_provider(Context& ctx, const inf::Section& version) {
  auto provider = version_value(version, "Provider");
  if (!provider) return;
  if (inf::utf16_length(provider->value) > kMaxDisplayLength) {
    ctx.report<Rule::r1286>(provider->line, {"Provider name", provider->value, std::to_string(kMaxDisplayLength)}, 0);
  }
  const std::string& expected = ctx.settings().provider;
  if (!expected.empty() && !rules::iequals(provider->value, expected)) {
    ctx.report<Rule::r1210>(provider->line, {provider->value, expected}, 0);
  }
  if (claims_microsoft(provider->value) && !claims_microsoft(expected) && !ctx.settings().samples) {
    ctx.report<Rule::r1204>(provider->line, {provider->value}, 0);
  }
}

// One DriverVer line: field 1 the date (1218), field 2 the optional version (1217).
void check_driver_ver_line(Context& ctx, const inf::Line& l) {
  const std::string date = util::trimmed_field(l, 0);
  // stampinf (and .inx input) fills an empty DriverVer from its -d/-v options.
  if (date.empty() && l.field_count() <= 1 && ctx.settings().stampinf) return;
  if (!stamp::parse_date(date)) ctx.report<Rule::r1218>(l, {date}, 0);
  if (l.field_count() > 1) {
    const std::string version = util::trimmed_field(l, 1);
    if (!stamp::parse_driver_version(version)) ctx.report<Rule::r1217>(l, {version}, 1);
  }
}

void check_driver_ver(Context& ctx, const inf::Section& version) {
  for (inf::Line l : version.find_all("DriverVer")) check_driver_ver_line(ctx, l);
  for (const auto& d : ctx.pkg().directives) {
    if (rules::iequals(d.name, "DriverVer")) check_driver_ver_line(ctx, d.line);
  }
}

bool has_driver_ver(const Context& ctx, const inf::Section& version) {
  if (version.find("DriverVer")) return true;
  for (const auto& d : ctx.pkg().directives) {
    if (rules::iequals(d.name, "DriverVer")) return true;
  }
  return false;
}

// CatalogFile, CatalogFile.NT, CatalogFile.NT<arch>: each must name a plain "name.cat" file.
bool is_catalog_key(std::string_view key) {
  if (key.size() < 11 || !rules::iequals(key.substr(0, 11), "CatalogFile")) return false;
  if (key.size() == 11) return true;
  std::string_view suffix = key.substr(11);
  if (rules::iequals(suffix, ".NT")) return true;
  return suffix.size() > 3 && rules::iequals(suffix.substr(0, 3), ".NT") && inf::parse_arch(suffix.substr(3));
}

bool is_catalog_name(std::string_view name) {
  if (name.size() < 5 || !rules::iequals(name.substr(name.size() - 4), ".cat")) return false;
  return name.find_first_of("\\/:") == std::string_view::npos;
}

void check_catalog(Context& ctx, const inf::Section& version) {
  bool any = false;
  for (inf::Line l : version) {
    auto key = l.raw_key();
    if (!l.has_key() || !key || !is_catalog_key(*key)) continue;
    any = true;
    const std::string name = util::trimmed_field(l, 0);
    if (!is_catalog_name(name)) ctx.report<Rule::r1214>(l, {std::string(*key), name}, 0);
  }
  // stampinf's -c option writes the CatalogFile (and -d/-v the DriverVer) into .inx output, so a
  // pre-stamp file may lack them.
  if (ctx.settings().stampinf) return;
  if (!any) ctx.report_at<Rule::r1233>(version.line(), 1, {"CatalogFile"}, std::string(version.name()));
  if (!has_driver_ver(ctx, version)) ctx.report_at<Rule::r1233>(version.line(), 1, {"DriverVer"}, std::string(version.name()));
}

void check_pnp_lockdown(Context& ctx, const inf::Section& version) {
  auto l = version.find("PnpLockdown");
  if (!l) {
    ctx.report_at<Rule::r1324>(version.line(), 1, {"absent"}, std::string(version.name()));
    return;
  }
  auto v = inf::parse_u32(l->field(0));
  if (!v || *v != 1) ctx.report<Rule::r1324>(*l, {"set to " + util::trimmed_field(*l, 0)}, 0);
}

// 1284: the Sample class exists for Microsoft's driver samples; a product ships in a class of its own
// or a system-defined one.
constexpr std::string_view kSampleClassGuid = "{78a1c341-4539-11d3-b88d-00c04fad5171}";

void check_reserved_class(Context& ctx, const ClassValues& values) {
  const auto& cls = values.cls;
  const auto& guid = values.guid;
  if (cls && rules::iequals(cls->value, "Sample")) {
    ctx.report<Rule::r1284>(cls->line, {cls->value}, 0);
  } else if (guid && rules::iequals(guid->value, kSampleClassGuid)) {
    ctx.report<Rule::r1284>(guid->line, {guid->value}, 0);
  }
}

// 1285: [ClassInstall32] installs a new setup class; a system-defined class is already installed by
// Windows and a third-party INF may not redefine it.
void check_class_install(Context& ctx, const ClassValues& values) {
  const auto& guid = values.guid;
  const WellKnownClass* known = values.known_name;
  if (!known && guid) known = class_by_guid(guid->value);
  if (!known) return;
  const auto& doc = ctx.doc();
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    const std::string_view n = s.name();
    if (n.size() < 14 || !rules::iequals(n.substr(0, 14), "ClassInstall32")) continue;
    if (n.size() > 14 && n[14] != '.') continue;
    ctx.report_at<Rule::r1285>(s.line(), 1, {std::string(n), known->name}, std::string(n));
    return;
  }
}

}  // namespace

// 1208: LayoutFile points Setup at the layout INF of Windows's own installation media
// (layout.inf); only the INFs that ship with Windows have such media. A third-party INF names its
// files in SourceDisksNames/SourceDisksFiles. Microsoft- and ReactOS-provided INFs are the inbox
// ones and exempt (as for 2650); a third-party INF claiming Microsoft already gets 1204.
void check_layout_file(Context& ctx, const inf::Section& version) {
  auto layout = version_value(version, "LayoutFile");
  if (!layout) return;
  auto provider = version_value(version, "Provider");
  std::string who = provider ? inf::to_lower_ascii(provider->value) : std::string();
  if (claims_microsoft(ctx.settings().provider)) return;
  if (who.find("microsoft") != std::string::npos || who.find("reactos") != std::string::npos) return;
  ctx.report<Rule::r1208>(layout->line, {"LayoutFile", layout->value}, 0);
}

void run_version_rules(Context& ctx) {
  auto version = ctx.doc().section("Version");
  if (!version) return;
  ClassValues class_values{version_value(*version, "Class"), version_value(*version, "ClassGuid")};
  if (class_values.cls) class_values.known_name = class_by_name(class_values.cls->value);
  check_class(ctx, class_values);
  check_provider(ctx, *version);
  check_driver_ver(ctx, *version);
  check_catalog(ctx, *version);
  check_pnp_lockdown(ctx, *version);
  check_reserved_class(ctx, class_values);
  check_class_install(ctx, class_values);
  check_layout_file(ctx, *version);
}

}  // namespace isodrv::rules
