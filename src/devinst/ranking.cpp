// Driver ranking: identifier, feature and signature scores combined into 0xSSGGTHHH, and the
// documented tie-breakers (DriverVer date, then version).
#include "isodrv/ranking.h"

namespace isodrv::devinst {

DriverVersion parse_driver_ver(std::string_view date, std::string_view version) {
  DriverVersion v;
  v.date_text = std::string(date);
  v.version_text = std::string(version);
  // The DriverVer readings check uses: an invalid date ranks as 00/00/0000 and an invalid version
  // as 0.0.0.0, which is what Windows applies to a date it cannot read.
  if (auto d = inf::parse_driver_date(date)) v.date = d->packed();
  v.version = inf::parse_driver_version(version).value_or(0);
  return v;
}

std::optional<std::uint32_t> identifier_score(const DeviceIds& device, const package::ModelEntry& entry) {
  if (entry.hardware_ids.empty()) return std::nullopt;
  const std::string_view inf_hwid = entry.hardware_ids[0];
  std::optional<std::uint32_t> best;
  auto consider = [&](std::uint32_t s) {
    if (!best || s < *best) best = s;
  };
  for (std::size_t i = 0; i < device.hardware_ids.size() && i < 0x1000; ++i) {
    const auto& id = device.hardware_ids[i];
    if (!inf_hwid.empty() && inf::iequals(id, inf_hwid)) consider(static_cast<std::uint32_t>(i));
    for (std::size_t k = 1; k < entry.hardware_ids.size(); ++k) {
      if (inf::iequals(id, entry.hardware_ids[k])) consider(0x1000 + static_cast<std::uint32_t>(i));
    }
  }
  for (std::size_t j = 0; j < device.compatible_ids.size() && j < 0x100; ++j) {
    const auto& id = device.compatible_ids[j];
    if (!inf_hwid.empty() && inf::iequals(id, inf_hwid)) consider(0x2000 + static_cast<std::uint32_t>(j));
    for (std::size_t k = 1; k < entry.hardware_ids.size() && k <= 0x10; ++k) {
      if (inf::iequals(id, entry.hardware_ids[k])) {
        consider(0x3000 + static_cast<std::uint32_t>(j) + 0x100 * static_cast<std::uint32_t>(k - 1));
      }
    }
  }
  return best;
}

namespace {

std::uint8_t feature_score(const inf::Document& doc, const std::string& ddinstall) {
  auto sec = doc.section(ddinstall);
  if (!sec) return 0xFF;
  auto l = sec->find("FeatureScore");  // only the first one in the DDInstall section counts
  if (!l || l->field_count() == 0) return 0xFF;
  std::string v = l->field(0);
  if (!v.empty() && (v[0] == 'x' || v[0] == 'X')) v = "0" + v;  // the docs write xFD
  if (v.size() <= 2 && !v.empty()) v = "0x" + v;
  auto n = inf::parse_u32(v);
  return n && *n <= 0xFF ? static_cast<std::uint8_t>(*n) : 0xFF;
}

DriverVersion driver_ver_for(const inf::Document& doc, const std::string& ddinstall) {
  std::optional<inf::Line> line;
  if (auto sec = doc.section(ddinstall)) line = sec->find("DriverVer");
  if (!line) {
    if (auto ver = doc.section("Version")) line = ver->find("DriverVer");
  }
  if (!line) return {};
  return parse_driver_ver(line->field(0), line->field_count() > 1 ? line->field(1) : std::string());
}

}  // namespace

std::optional<Match> best_match(const package::Package& pkg, const DeviceIds& device, Signing signing) {
  const inf::Document& doc = *pkg.doc;
  std::vector<std::string> applicable;
  for (const auto& m : doc.manufacturers(pkg.target)) {
    if (!m.chosen_section.empty()) applicable.push_back(m.chosen_section);
  }
  std::optional<Match> best;
  for (const auto& entry : pkg.models) {
    bool applies = false;
    for (const auto& s : applicable) applies = applies || inf::iequals(s, entry.models_section);
    if (!applies) continue;
    auto id = identifier_score(device, entry);
    if (!id) continue;
    Match m;
    m.entry = &entry;
    m.ddinstall = doc.actual_install_section(entry.install_base, pkg.target.arch);
    if (!doc.has_section(m.ddinstall)) continue;
    // ExcludeID in the DDInstall section keeps the entry off devices with that ID.
    bool excluded = false;
    if (auto sec = doc.section(m.ddinstall)) {
      for (const auto& ex : sec->find_all("ExcludeID")) {
        for (std::size_t i = 0; i < ex.field_count(); ++i) {
          for (const auto& h : device.hardware_ids) excluded = excluded || inf::iequals(h, ex.field(i));
          for (const auto& c : device.compatible_ids) excluded = excluded || inf::iequals(c, ex.field(i));
        }
      }
    }
    if (excluded) continue;
    m.identifier_score = *id;
    m.feature_score = feature_score(doc, m.ddinstall);
    const bool nt_decorated = m.ddinstall.size() > entry.install_base.size();
    m.signature_score = signing == Signing::signed_package ? kSignatureSigned : nt_decorated ? kSignatureUnsignedNtDecorated : kSignatureUnsigned;
    m.rank = (static_cast<std::uint32_t>(m.signature_score) << 24) | (static_cast<std::uint32_t>(m.feature_score) << 16) |
             m.identifier_score;
    m.driver_ver = driver_ver_for(doc, m.ddinstall);
    if (!best || better(m, *best)) best = m;
  }
  return best;
}

bool better(const Match& a, const Match& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  if (a.driver_ver.date != b.driver_ver.date) return a.driver_ver.date > b.driver_ver.date;
  return a.driver_ver.version > b.driver_ver.version;
}

}  // namespace isodrv::devinst
