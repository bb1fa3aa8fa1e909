// Rule family "arguments", part two: the keys of the sections that directives name (component,
// software, event-provider, KMDF/UMDF service, filter and COM server sections), single-valued keys
// given twice, duplicates, and the disk IDs and paths of [SourceDisksNames] / [SourceDisksFiles] /
// [DestinationDirs]. See arguments.cpp for which code reports what.
#include <array>
#include <map>
#include <optional>
#include <set>

#include "rules/families.h"
#include "rules/named.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using util::is_one_of;
using util::trim;
using util::unresolved;

bool dotted_numbers(std::string_view v, std::size_t parts) {
  std::size_t n = 1, digits = 0;
  for (char c : v) {
    if (c == '.') {
      if (digits == 0) return false;
      ++n;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      ++digits;
    } else {
      return false;
    }
  }
  return digits > 0 && n == parts;
}

void report_missing(Context& ctx, Rule code, const NamedSection& ns, std::string_view key) {
  auto& d = ctx.report_at_one_of<Rule::r1013, Rule::r1084>(code, ns.section.line(), 1, {std::string(ns.section.name()), std::string(key), ns.directive},
                          std::string(ns.section.name()));
  Context::note(d, ns.reference, "named here");
}

// 1013 / 1014 / 1084: the keys each kind of named section needs, and their shape.
struct RequiredKey {
  std::string_view directive;  // views: compared with every named section, without a strlen each time
  std::string_view key;
  Rule code_absent;
  const char* shape;  // what the value must look like; nullptr: any text
};
constexpr RequiredKey kRequiredKeys[] = {
    {"AddComponent", "ComponentIDs", Rule::r1013, nullptr},
    {"AddSoftware", "SoftwareType", Rule::r1013, "1 or 2"},
    {"AddEventProvider", "ProviderName", Rule::r1013, nullptr},
    {"AddEventProvider", "ResourceFile", Rule::r1013, nullptr},
    {"KmdfService", "KmdfLibraryVersion", Rule::r1013, "major.minor, such as 1.15"},
    {"UmdfService", "UmdfLibraryVersion", Rule::r1084, "major.minor.0, such as 2.15.0"},
    {"AddComServer", "ServerType", Rule::r1013, "1 (in-process server)"},
};

bool shape_ok(std::string_view key, const std::string& v) {
  if (rules::iequals(key, "SoftwareType")) return v == "1" || v == "2";
  if (rules::iequals(key, "KmdfLibraryVersion")) return dotted_numbers(v, 2);
  if (rules::iequals(key, "UmdfLibraryVersion")) return dotted_numbers(v, 3);
  if (rules::iequals(key, "ServerType")) {
    auto n = inf::parse_u32(v);
    return n && *n == 1;
  }
  return true;
}

void check_required_keys(Context& ctx) {
  constexpr std::uint32_t kNamingDirectives =
      kAddComponent | kAddSoftware | kAddEventProvider | kKmdfService | kUmdfService | kAddComServer;
  for (const auto& ns : named_sections(ctx, kNamingDirectives)) {
    // Include/Needs may supply the keys from an inbox INF.
    if (ns.section.find("Needs")) continue;
    for (const auto& rk : kRequiredKeys) {
      if (!rules::iequals(ns.directive, rk.directive)) continue;
      auto l = ns.section.find(rk.key);
      if (!l || util::trimmed_field(*l, 0).empty()) {
        if (!l) report_missing(ctx, rk.code_absent, ns, rk.key);
        continue;
      }
      const std::string v = util::trimmed_field(*l, 0);
      if (rk.shape && !unresolved(v) && !shape_ok(rk.key, v)) ctx.report<Rule::r1014>(*l, {rk.key, v, rk.shape}, 0);
    }
  }
}

// 1084: a UMDF driver's .Wdf section lists the load order of its UMDF services.
void check_umdf_service_order(Context& ctx) {
  for (std::size_t i = 0; i < ctx.pkg().sections.size(); ++i) {
    const auto& s = ctx.pkg().sections[i];
    if (!s.exists || s.role != package::SectionRole::wdf || s.has_reference) continue;
    auto sec = ctx.install_section(i);
    if (!sec) continue;
    auto umdf = sec->find("UmdfService");
    if (umdf && !sec->find("UmdfServiceOrder") && !sec->find("Needs")) {
      ctx.report<Rule::r1084>(*umdf, {std::string(sec->name()), "UmdfServiceOrder", "UmdfService"});
    }
  }
}

// 1087 / 1082 / 1289: a filter section places its filter by exactly one of FilterLevel or
// FilterPosition (install-semantics.md §7).
void check_filter_sections(Context& ctx) {
  for (const auto& ns : named_sections(ctx, kAddFilter)) {
    auto level = ns.section.find("FilterLevel");
    auto pos = ns.section.find("FilterPosition");
    if (level && pos) {
      auto& d = ctx.report<Rule::r1087>(*pos, {"FilterPosition", "FilterLevel", std::string(ns.section.name())});
      Context::note(d, *level, "FilterLevel is given here");
    }
    if (level) {
      // The names of the class's filter values, which hold Windows's own list of levels and filters.
      const std::string v = util::trimmed_field(*level, 0);
      if (is_one_of(v, {"UpperFilters", "LowerFilters", "UpperFilterLevels", "LowerFilterLevels",
                        "UpperFilterDefaultLevel", "LowerFilterDefaultLevel"})) {
        ctx.report<Rule::r1020>(*level, {v}, 0);
      }
    }
    if (pos) {
      const std::string v = util::trimmed_field(*pos, 0);
      if (!v.empty() && !unresolved(v) && !is_one_of(v, {"Upper", "Lower"})) {
        ctx.report<Rule::r1082>(*pos, {"FilterPosition", "Upper or Lower"}, 0);
      }
    }
    if (!level && !pos && !ns.section.find("Needs")) {
      auto& d = ctx.report_at<Rule::r1289>(ns.section.line(), 1,
                              {std::string(ns.section.name()), "FilterLevel or FilterPosition", "filter"},
                              std::string(ns.section.name()));
      Context::note(d, ns.reference, "named by AddFilter here");
    }
  }
}

bool same_fields(const inf::Line& a, const inf::Line& b) {
  if (a.field_count() != b.field_count()) return false;
  for (std::size_t i = 0; i < a.field_count(); ++i) {
    const std::string x = util::trimmed_field(a, i), y = util::trimmed_field(b, i);
    auto nx = inf::parse_u32(x), ny = inf::parse_u32(y);
    if ((nx && ny) ? *nx != *ny : !rules::iequals(x, y)) return false;
  }
  return true;
}

// A file name needs a letter or digit; lines of stray non-breaking spaces (kmdf_fx2's osrusbfx2.inx)
// are not file entries InfVerif counts.
bool looks_like_name(std::string_view n) {
  for (char c : n) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  }
  return false;
}

// 1088: keys that hold one value; a second line is ignored (or wins), never merged.
void check_single_use(Context& ctx, const inf::Section& sec, std::initializer_list<std::string_view> keys) {
  // The first line of each key (its Line::index()), by the key's place in `keys` (the keys differ
  // case-insensitively); bit `which` of `seen` says whether it has one. Filled as keys are met
  // rather than cleared up front (an array of 16 optional lines cost more than the walk).
  std::array<std::uint32_t, 16> first;
  std::uint32_t seen = 0;
  for (inf::Line l : sec) {
    auto k = l.raw_key();
    if (!k) continue;
    std::size_t which = 0;
    for (auto key : keys) {
      if (rules::iequals(*k, key)) break;
      ++which;
    }
    if (which == keys.size() || which >= first.size()) continue;
    if (!(seen >> which & 1u)) {
      seen |= 1u << which;
      first[which] = l.index();
      continue;
    }
    // The same value twice is harmless (CI-validated samples repeat PnpLockdown = 1).
    const inf::Line earlier = ctx.doc().line_at(first[which]);
    if (same_fields(earlier, l)) continue;
    auto& d = ctx.report<Rule::r1088>(l, {std::string(*k), std::string(sec.name())});
    Context::note(d, earlier, "first given here");
  }
}

void check_single_use_keys(Context& ctx) {
  if (auto v = ctx.doc().section("Version")) {
    check_single_use(ctx, *v, {"Signature", "Class", "ClassGuid", "Provider", "DriverVer", "CatalogFile",
                               "CatalogFile.NT", "CatalogFile.NTx86", "CatalogFile.NTamd64", "CatalogFile.NTarm64",
                               "CatalogFile.NTarm", "PnpLockdown", "ExtensionId"});
  }
  util::SectionOnce seen(ctx.doc());
  for (std::size_t i = 0; i < ctx.pkg().sections.size(); ++i) {
    const auto& s = ctx.pkg().sections[i];
    if (!s.exists) continue;
    auto sec = ctx.install_section(i);
    if (!sec || !seen.first(*sec)) continue;
    switch (s.role) {
      case package::SectionRole::ddinstall:
        if (s.base.empty()) break;
        check_single_use(ctx, *sec, {"FeatureScore"});
        break;
      case package::SectionRole::service_install:
        check_single_use(ctx, *sec, {"ServiceType", "StartType", "ErrorControl", "ServiceBinary"});
        break;
      case package::SectionRole::wdf:
        check_single_use(ctx, *sec, {"UmdfServiceOrder", "KmdfLibraryVersion", "UmdfLibraryVersion"});
        break;
      default:
        break;
    }
  }
}

// 1086: component IDs are hardware IDs of the child devices (SWC\<id>); one ID twice creates one
// device, not two.
void check_duplicate_components(Context& ctx) {
  std::map<std::string, inf::Line> first;
  for (const auto& ns : named_sections(ctx, kAddComponent)) {
    auto l = ns.section.find("ComponentIDs");
    if (!l) continue;
    for (std::size_t i = 0; i < l->field_count(); ++i) {
      const std::string id = util::trimmed_field(*l, i);
      if (id.empty()) continue;
      auto [it, inserted] = first.try_emplace(inf::to_lower_ascii(id), *l);
      if (inserted) continue;
      auto& d = ctx.report<Rule::r1086>(*l, {"component ID " + id}, i);
      Context::note(d, it->second, "first declared here");
    }
  }
}

// 1086: the same destination file twice in one copy list.
void check_duplicate_files(Context& ctx) {
  // (name, line) of each list's entries, sorted by name ignoring case: equal names end up together
  // with the first listed first (a stable sort), instead of a map of lower-cased copies per list.
  // One vector serves every list.
  std::vector<std::pair<std::string, inf::Line>> names;
  for (const auto& list : ctx.pkg().lists) {
    if (list.kind != package::ListKind::copies) continue;
    names.clear();
    for (inf::Line l : ctx.doc().section_at(list.doc_section)) {
      if (l.has_key()) continue;
      std::string name = util::trimmed_field(l, 0);
      if (name.empty() || unresolved(name) || !looks_like_name(name)) continue;
      names.emplace_back(std::move(name), l);
    }
    if (names.size() < 2) continue;
    std::stable_sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return ci_less(a.first, b.first); });
    for (std::size_t i = 1, first = 0; i < names.size(); ++i) {
      if (!rules::iequals(names[i].first, names[first].first)) {
        first = i;
        continue;
      }
      auto& d = ctx.report<Rule::r1086>(names[i].second, {"file " + names[i].first + " in [" + std::string(list.users.front().target) + "]"}, 0);
      Context::note(d, names[first].second, "first listed here");
    }
  }
}

// 1229: a file-list entry must name a file (CopyFiles: destination name; DelFiles, RenFiles: first field).
void check_nameless_entries(Context& ctx) {
  // A section both copied and deleted from is judged once, as its first user names it.
  util::SectionOnce judged(ctx.doc());
  for (const auto& list : ctx.pkg().lists) {
    if (list.kind != package::ListKind::copies && list.kind != package::ListKind::file_changes) continue;
    inf::Section sec = ctx.doc().section_at(list.doc_section);
    if (!judged.first(sec)) continue;
    const package::ListUser& u = list.users.front();
    for (inf::Line l : sec) {
      if (l.has_key() || l.field_count() == 0) continue;
      if (trim(l.raw_field(0)).empty() && util::has_value(l)) {
        ctx.report<Rule::r1229>(l, {std::string(u.directive), std::string(u.target)}, 0);
      }
    }
  }
}

}  // namespace

void check_source_paths(Context& ctx);  // arguments_paths.cpp

void check_argument_sections(Context& ctx) {
  check_required_keys(ctx);
  check_umdf_service_order(ctx);
  check_filter_sections(ctx);
  check_single_use_keys(ctx);
  check_duplicate_components(ctx);
  check_duplicate_files(ctx);
  check_nameless_entries(ctx);
  check_source_paths(ctx);
}

}  // namespace isodrv::rules
