// Installing a driver on one device: the install row, the class and software keys, the DDInstall
// and extension INFs through the installer (installer.h), and the device's bookkeeping.
#include <algorithm>
#include <cstdio>

#include "devinst/installer.h"
#include "isodrv/registry_roots.h"

namespace isodrv::devinst {

using detail::DeviceRow;
using detail::Diff;
using detail::Installer;
using detail::Loaded;
using detail::fold;
using detail::lower;
using package::SectionRole;

namespace {

// The Extension setup class: packages of this class with an ExtensionId extend a base driver.
constexpr const char* kExtensionClassGuid = "{e2f84ce7-8efa-411c-aa69-97454ca4cb57}";

std::string long_path(std::string_view p) {
  auto cut = p.find('\\');
  std::string_view head = p.substr(0, cut);
  for (const auto& r : registry_roots::kRoots) {
    if (inf::iequals(head, r.short_name)) {
      return std::string(r.long_name) + (cut == std::string_view::npos ? "" : std::string(p.substr(cut)));
    }
  }
  return std::string(p);
}

// "6-21-2006" as Windows writes DriverDate, and the FILETIME of that day for DriverDateData.
std::string driver_date_text(std::uint32_t yyyymmdd) {
  if (!yyyymmdd) return {};
  return std::to_string(yyyymmdd / 100 % 100) + "-" + std::to_string(yyyymmdd % 100) + "-" + std::to_string(yyyymmdd / 10000);
}

std::vector<std::uint8_t> driver_date_data(std::uint32_t yyyymmdd) {
  std::uint64_t ft = 0;
  if (yyyymmdd) {
    // Days from 1601-01-01 to the date (proleptic Gregorian), times 864000000000 (100 ns per day).
    auto days_from_civil = [](std::int64_t y, unsigned m, unsigned d) {
      y -= m <= 2;
      const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
      const unsigned yoe = static_cast<unsigned>(y - era * 400);
      const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
      const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
      return era * 146097 + static_cast<std::int64_t>(doe) - 719468;  // days since 1970-01-01
    };
    std::int64_t days = days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100) + 134774;
    ft = static_cast<std::uint64_t>(days) * 864000000000ULL;
  }
  return registry::encode_qword(ft);
}

// The device ID the identifier score points at, lower case (MatchingDeviceId).
std::string matching_id(const DeviceRow& dev, std::uint32_t score) {
  std::string id;
  if (score < 0x2000) {
    std::size_t i = score & 0xFFF;
    if (i < dev.hardware_ids.size()) id = dev.hardware_ids[i];
  } else {
    std::size_t j = score & 0xFF;
    if (j < dev.compatible_ids.size()) id = dev.compatible_ids[j];
  }
  return lower(id);
}

}  // namespace

std::string detail::fold_path(std::string_view p) { return registry::fold_name(long_path(p)); }

// ---- install ----------------------------------------------------------------------------------

namespace {

// The row of a new install of `pkg` on `dev`; its id.
Result<std::int64_t> insert_install_row(Engine::Impl& e, const DeviceRow& dev, const Loaded& pkg,
                                        const InstalledDriver& drv) {
  auto& ins = e.q("INSERT INTO devinst_installs(instance_id, package_id, published_name, folder, ddinstall, rank, "
                  "matching_id) VALUES(?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, dev.instance_id).bind(2, pkg.sp.id).bind(3, drv.published_name).bind(4, drv.folder);
  ins.bind(5, drv.ddinstall).bind(6, static_cast<std::int64_t>(drv.rank)).bind(7, drv.matching_id);
  if (auto s = ins.run(); !s) return s.error();
  return sqlite3_last_insert_rowid(e.db());
}

// A device's software key below its class key.
struct SoftwareKey {
  registry::KeyHandle key;
  std::string path;   // <class key>\0003
  std::string index;  // "0003"
};

// Creates the software key at the first unused four-digit index under the class key.
Result<SoftwareKey> new_software_key(Engine::Impl& e, Installer& in, const std::string& class_key,
                                     const std::string& guid) {
  auto ck = in.ensure(class_key);
  if (!ck) return ck.error();
  auto& ci = e.class_indexes[fold(ck->path())];
  if (!ci.loaded) {
    auto subs = ck->enum_subkeys();
    if (!subs) return subs.error();
    for (const auto& s : *subs) {
      if (s.size() == 4 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        ci.used.insert(std::stoi(s));
      }
    }
    ci.loaded = true;
    ci.lowest_free = 0;
  }
  int index = ci.lowest_free;
  char nnnn[16];
  std::string sw_path;
  for (;; ++index) {
    if (ci.used.count(index)) continue;
    if (index > 9999) return Error(Errc::unsupported, "class " + guid + " has no free software key index left");
    std::snprintf(nnnn, sizeof nnnn, "%04d", index);
    sw_path = class_key + "\\" + nnnn;
    // The remembered set may be older than the registry (another process installed meanwhile).
    if (!e.reg.open_key(sw_path)) break;
    ci.used.insert(index);
  }
  ci.lowest_free = index + 1;
  auto sw = in.ensure(sw_path, Installer::KeyUse::install_only);
  if (!sw) return sw.error();
  ci.used.insert(index);
  return SoftwareKey{*sw, sw_path, nnnn};
}

// The driver values Windows writes to the software key and to the device's Enum key.
Status write_driver_values(Installer& in, const registry::KeyHandle& enum_key, const SoftwareKey& sw, const Loaded& pkg,
                           const Match& m, const InstalledDriver& drv) {
  std::string mfg;
  for (const auto& me : pkg.doc->manufacturers(pkg.pkg.target)) {
    if (inf::iequals(me.chosen_section, m.entry->models_section)) mfg = me.name;
  }
  const std::string ext = m.ddinstall.size() > m.entry->install_base.size() ? m.ddinstall.substr(m.entry->install_base.size()) : "";
  auto sws = [&](const char* n, std::string_view v) { return in.set_sz(sw.key, n, v); };
  for (auto s : {sws("DriverDesc", m.entry->description), sws("ProviderName", pkg.sp.provider),
                 sws("DriverDate", driver_date_text(m.driver_ver.date)), sws("DriverVersion", m.driver_ver.version_text),
                 sws("InfPath", pkg.sp.published_name), sws("InfSection", m.entry->install_base),
                 sws("InfSectionExt", ext), sws("MatchingDeviceId", drv.matching_id)}) {
    if (!s) return s;
  }
  if (auto s = in.set(sw.key, "DriverDateData", registry::Value{registry::kRegBinary, driver_date_data(m.driver_ver.date)}); !s) {
    return s;
  }
  const std::string& guid = pkg.sp.class_guid;
  auto es = [&](const char* n, std::string_view v) { return in.set_sz(enum_key, n, v); };
  for (auto s : {es("DeviceDesc", m.entry->description), es("Mfg", mfg), es("Class", pkg.sp.class_name),
                 es("ClassGUID", guid), es("Driver", guid + "\\" + sw.index)}) {
    if (!s) return s;
  }
  return {};
}

// Extension INFs apply after the base driver: the best one of each ExtensionId, among the packages
// the caller loaded for this operation (asking the store again per device would make a
// 10,000-device install quadratic: its list counts devices per package).
Status apply_extensions(Engine::Impl& e, Installer& in, const DeviceRow& dev, const std::string& sw_path) {
  std::map<std::string, std::pair<Loaded*, Match>> best_ext;
  for (auto& [pid, loaded] : e.packages) {
    Loaded* p = loaded.get();
    if (p->extension_id.empty() || !inf::iequals(p->sp.class_guid, kExtensionClassGuid)) continue;
    auto em = best_match(p->pkg, DeviceIds{dev.hardware_ids, dev.compatible_ids}, p->signing());
    if (!em) continue;
    auto it = best_ext.find(p->extension_id);
    if (it == best_ext.end() || better(*em, it->second.second)) best_ext[p->extension_id] = {p, *em};
  }
  for (auto& [id, pm] : best_ext) {
    if (auto s = in.apply_ddinstall(*pm.first, pm.second.ddinstall, sw_path); !s) return s;
    in.extensions.push_back(pm.first->sp.published_name);
  }
  return {};
}

// What the install did, on its row, and the device node pointed at it.
Status record_install(Engine::Impl& e, const Installer& in, std::int64_t install_id, const DeviceRow& dev,
                      const Loaded& pkg, const std::string& sw_path) {
  auto& up = e.q("UPDATE devinst_installs SET service = ?, class_guid = ?, software_key = ?, interfaces = ?, files = ?, "
                 "extensions = ? WHERE id = ?");
  up.bind(1, in.assoc_service).bind(2, pkg.sp.class_guid).bind(3, sw_path).bind(4, join_lines(in.interfaces));
  up.bind(5, join_lines(in.used_files)).bind(6, join_lines(in.extensions)).bind(7, install_id);
  if (auto s = up.run(); !s) return s;
  auto& dn = e.q("UPDATE device_nodes SET package_id = ?, install_id = ? WHERE instance_id = ?");
  dn.bind(1, pkg.sp.id).bind(2, install_id).bind(3, dev.instance_id);
  return dn.run();
}

}  // namespace

Result<InstallReport> Engine::Impl::install_locked(const DeviceRow& dev, Loaded& pkg, const Match& m, Ending ending,
                                                   store::WriteTxn& txn) {
  if (pkg.sp.class_guid.empty()) {
    return Error(Errc::invalid_argument, "the package names no ClassGuid in [Version]", pkg.doc->path());
  }
  InstalledDriver drv;
  drv.published_name = pkg.sp.published_name;
  drv.folder = pkg.sp.folder;
  drv.ddinstall = m.ddinstall;
  drv.rank = m.rank;
  drv.matching_id = matching_id(dev, m.identifier_score);
  auto install_id = insert_install_row(*this, dev, pkg, drv);
  if (!install_id) return install_id.error();

  Installer in(*this, dev, *install_id, ending, txn);
  auto enum_key = in.ensure(enum_key_path(dev.instance_id));
  if (!enum_key) return enum_key.error();
  // The class, then the software key.
  const std::string class_key = class_key_path(pkg.sp.class_guid);
  if (auto s = in.apply_class_install(pkg, class_key); !s) return s.error();
  auto sw = new_software_key(*this, in, class_key, pkg.sp.class_guid);
  if (!sw) return sw.error();
  if (auto s = write_driver_values(in, *enum_key, *sw, pkg, m, drv); !s) return s.error();
  if (auto s = in.apply_ddinstall(pkg, m.ddinstall, sw->path); !s) return s.error();
  if (auto s = apply_extensions(*this, in, dev, sw->path); !s) return s.error();
  if (!in.assoc_service.empty()) {
    if (auto s = in.set_sz(*enum_key, "Service", in.assoc_service); !s) return s.error();
  }
  if (auto s = in.set_dword(*enum_key, "ConfigFlags", 0); !s) return s.error();
  if (auto s = record_install(*this, in, *install_id, dev, pkg, sw->path); !s) return s.error();

  InstallReport r;
  r.instance_id = dev.instance_id;
  r.driver = drv;
  r.changed = true;
  r.notes = std::move(in.notes);
  r.side_effects = std::move(in.side_effects);
  if (ending == Ending::dry_run) {
    std::vector<Diff> all = std::move(pending_diffs);
    all.insert(all.end(), in.diffs.begin(), in.diffs.end());
    r.diff = detail::render_diff(all);
  }
  return r;
}

Result<InstallReport> Engine::Impl::install_primitive_locked(Loaded& pkg, store::WriteTxn& txn) {
  const std::string section = pkg.doc->actual_install_section("DefaultInstall", pkg.pkg.target.arch);
  if (!pkg.doc->has_section(section)) {
    return Error(Errc::not_found, "the package has neither Models entries nor a [DefaultInstall] section", pkg.doc->path());
  }
  auto& ins = q("INSERT INTO devinst_installs(instance_id, package_id, published_name, folder, ddinstall, rank, "
                "matching_id) VALUES('', ?, ?, ?, ?, 0, '')");
  ins.bind(1, pkg.sp.id).bind(2, pkg.sp.published_name).bind(3, pkg.sp.folder).bind(4, section);
  if (auto s = ins.run(); !s) return s.error();
  const std::int64_t install_id = sqlite3_last_insert_rowid(db());
  DeviceRow none;
  Installer in(*this, none, install_id, Ending::commit, txn);
  // DefaultInstall: HKR is not allowed (registry-layout.md §2); services come from .Services.
  auto first = in.model_section(pkg, section, SectionRole::default_install);
  if (!first) return first.error();
  if (auto s = in.apply_section(pkg, *first, in.bind(SectionRole::default_install)); !s) return s.error();
  const std::string services = section + std::string(package::subsection_suffix(SectionRole::services));
  if (pkg.doc->has_section(services)) {
    auto idx = in.model_section(pkg, services, SectionRole::services);
    if (!idx) return idx.error();
    if (auto s = in.apply_section(pkg, *idx, in.bind(SectionRole::services)); !s) return s.error();
  }
  auto& up = q("UPDATE devinst_installs SET service = ?, files = ? WHERE id = ?");
  up.bind(1, in.assoc_service).bind(2, join_lines(in.used_files)).bind(3, install_id);
  if (auto s = up.run(); !s) return s.error();
  InstallReport r;
  r.driver.published_name = pkg.sp.published_name;
  r.driver.folder = pkg.sp.folder;
  r.driver.ddinstall = section;
  r.changed = true;
  r.notes = std::move(in.notes);
  r.side_effects = std::move(in.side_effects);
  return r;
}

}  // namespace isodrv::devinst

