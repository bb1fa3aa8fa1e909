// Rule family "sections": sections used in the wrong way or in the wrong combination — one section
// named by directives of different kinds (1205, 1206), [DefaultInstall] beside [Manufacturer] (1212),
// directives outside the section kind that reads them (1290), [DeviceInstall32] devices this INF
// does not install (1270), Models entries without an install section (1271), localized [Strings]
// sections of different sizes (1295), and device INFs that match no hardware (1297).
#include <algorithm>
#include <map>
#include <set>

#include "isodrv/directives.h"
#include "rules/families.h"
#include "rules/text.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::SectionRole;
using util::is_one_of;
using util::trim;

// What a directive expects the section it names to hold. Directives of one kind may still
// disagree about a section (CopyFiles copies what DelFiles deletes): 1205. Kinds differ: 1206.
std::string_view reference_kind(std::string_view directive, std::size_t field) {
  if (const package::DirectiveSpec* d = package::find_directive(directive)) {
    switch (d->kind) {
      case package::NamedKind::file_list: return "file list";
      case package::NamedKind::registry: return "registry";
      case package::NamedKind::property: return "property";
      default: break;
    }
  }
  if (rules::iequals(directive, "AddService")) return field == 3 ? "event-log install" : "service install";
  if (is_one_of(directive, {"Needs"})) return "install";
  return directive;  // each remaining directive names a section kind of its own
}

struct Use {
  const package::SectionReference* ref;
  std::string_view kind;
};

bool same_use(const Use& a, const Use& b) { return rules::iequals(a.ref->directive, b.ref->directive) && a.kind == b.kind; }

// Whether some target may be named by a use unlike its first (in reference order): the only case
// with a finding, and rare. Each name's first use goes into an open-addressing table under the
// name's folded hash (rules::ci_hash); a later use of the same name is compared with it. Two
// different names of one hash also answer "maybe": the exact grouping after decides.
bool may_conflict(const std::vector<Use>& uses) {
  struct Slot {
    std::uint64_t hash;  // 0: free (every stored hash has its low bit set)
    std::size_t first;
  };
  std::size_t size = 16;
  while (size < 2 * uses.size()) size *= 2;
  // On the stack for the usual package (up to 128 uses), so that the check allocates nothing.
  Slot local[256];
  std::vector<Slot> heap;
  Slot* table = local;
  if (size > std::size(local)) {
    heap.resize(size);
    table = heap.data();
  }
  std::fill_n(table, size, Slot{0, 0});
  for (std::size_t u = 0; u < uses.size(); ++u) {
    const std::string_view name = uses[u].ref->target;
    const std::uint64_t h = ci_hash(name) | 1;
    for (std::size_t i = static_cast<std::size_t>(h >> 17) & (size - 1);; i = (i + 1) & (size - 1)) {
      if (table[i].hash == 0) {
        table[i] = {h, u};
        break;
      }
      if (table[i].hash != h) continue;
      const Use& first = uses[table[i].first];
      if (!rules::iequals(first.ref->target, name) || !same_use(uses[u], first)) return true;
      break;
    }
  }
  return false;
}

void check_shared_sections(Context& ctx) {
  // A removal section ([DefaultUninstall…], [X.Remove…]) naming with DelReg/DelFiles what the
  // install names with AddReg/CopyFiles is the undo it exists for, not a conflict.
  std::vector<bool> removal_sections(ctx.doc().section_count(), false);
  for (std::size_t i = 0; i < ctx.pkg().sections.size(); ++i) {
    if (!package::is_removal(ctx.pkg(), i)) continue;
    if (auto sec = ctx.install_section(i)) removal_sections[sec->index()] = true;
  }
  // The uses of each target name, grouped case-insensitively: a stable sort of views keeps each
  // name's uses in reference order and the names in the order a map of lower-cased copies had.
  std::vector<Use> uses;
  uses.reserve(ctx.pkg().references.size());  // one allocation, not one per doubling
  for (const auto& r : ctx.pkg().references) {
    const std::uint32_t in = r.line.section_index();
    if (!r.exists || (in < removal_sections.size() && removal_sections[in])) continue;
    uses.push_back({&r, reference_kind(r.directive, r.field)});
  }
  // Almost every package names each section by uses of one kind: the table shows that in one pass,
  // without sorting the uses.
  if (!may_conflict(uses)) return;
  std::stable_sort(uses.begin(), uses.end(), [](const Use& a, const Use& b) { return ci_less(a.ref->target, b.ref->target); });
  for (std::size_t i = 0, first_at = 0; i < uses.size(); ++i) {
    if (!rules::iequals(uses[i].ref->target, uses[first_at].ref->target)) first_at = i;
    const Use& first = uses[first_at];
    const Use& u = uses[i];
    if (same_use(u, first)) continue;
    const Rule code = u.kind == first.kind ? Rule::r1205 : Rule::r1206;
    if (!ctx.first_time(code, u.ref->line)) continue;
    auto& d = ctx.report_one_of<Rule::r1205, Rule::r1206>(code, u.ref->line, {std::string(u.ref->target), std::string(first.ref->directive), std::string(u.ref->directive)}, u.ref->field);
    Context::note(d, first.ref->line, "also named by " + std::string(first.ref->directive) + " here");
  }
}

bool is_default_install(std::string_view name) {
  return util::has_prefix_ci(name, "DefaultInstall") &&
         (name.size() == 14 || name[14] == '.');
}

// 1212: an INF is either a device INF ([Manufacturer]) or installs from [DefaultInstall]; with both,
// right-click install and device install run different sections.
void check_default_install_with_manufacturer(Context& ctx) {
  const auto& doc = ctx.doc();
  auto mfg = doc.section("Manufacturer");
  if (!mfg) return;
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    if (!is_default_install(s.name())) continue;
    if (util::has_prefix_ci(s.name().substr(14), package::subsection_suffix(SectionRole::services))) continue;
    auto& d = ctx.report_at<Rule::r1212>(s.line(), 1, {std::string(s.name())}, std::string(s.name()));
    d.notes.push_back(diag::Note{mfg->line(), 1, "[Manufacturer] is here"});
    return;
  }
}

// 1290: directives that only one kind of DDInstall sub-section reads.
struct Placement {
  std::string_view directive;  // a view: compared with every directive, without a strlen each time
  SectionRole role;
};
constexpr Placement kPlacements[] = {
    {"AddService", SectionRole::services},     {"DelService", SectionRole::services},
    {"AddInterface", SectionRole::interfaces}, {"AddFilter", SectionRole::filters},
    {"AddComponent", SectionRole::components}, {"AddSoftware", SectionRole::software},
    {"AddEventProvider", SectionRole::events}, {"AddAutoLogger", SectionRole::events},
    {"UpdateAutoLogger", SectionRole::events}, {"AddComServer", SectionRole::com},
    {"KmdfService", SectionRole::wdf},         {"UmdfService", SectionRole::wdf},
    {"UmdfServiceOrder", SectionRole::wdf},    {"WMIInterface", SectionRole::wmi},
};

bool is_install_root_role(SectionRole r) {
  switch (r) {
    case SectionRole::ddinstall: case SectionRole::hw: case SectionRole::services: case SectionRole::interfaces:
    case SectionRole::events: case SectionRole::components: case SectionRole::software: case SectionRole::filters:
    case SectionRole::wmi: case SectionRole::com: case SectionRole::wdf: case SectionRole::default_install:
      return true;
    default:
      return false;
  }
}

void check_placement(Context& ctx) {
  const auto& pkg = ctx.pkg();
  std::set<std::uint32_t> seen;
  for (const auto& d : pkg.directives) {
    const auto& s = pkg.sections[d.section];
    if (!is_install_root_role(s.role)) continue;
    // Sections that directives name (a component's install section …) take other directives.
    if (s.base.empty() && s.has_reference) {
      auto key = s.reference.raw_key();
      if (!key || !rules::iequals(*key, "Needs")) continue;
    }
    for (const auto& p : kPlacements) {
      if (!rules::iequals(d.name, p.directive) || s.role == p.role) continue;
      // [DefaultInstall.Services] and [ClassInstall32.Services] are .Services sections too.
      if (!seen.insert(d.line.index()).second) break;
      ctx.report<Rule::r1290>(d.line, {d.name, s.name, std::string(package::subsection_suffix(p.role))});
      break;
    }
  }
}

// 1271: "%Desc% = , HWID" installs nothing: Windows finds no DDInstall section to run.
void check_models_without_install(Context& ctx) {
  for (const auto& m : ctx.pkg().models) {
    if (!trim(m.install_base).empty()) continue;
    bool any_id = false;
    for (const auto& id : m.hardware_ids) any_id = any_id || !trim(id).empty();
    if (any_id) ctx.report<Rule::r1271>(m.line, {trim(m.hardware_ids.front())}, 0);
  }
}

// 1297: a device INF whose Models sections list no hardware or compatible ID installs on nothing.
// Every decoration of every Models section counts (also ones this target would not pick, and ones
// still written with stampinf's $ARCH$).
bool models_list_an_id(const inf::Document& doc, std::string_view base) {
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    const std::string_view n = s.name();
    if (!util::has_prefix_ci(n, base) || (n.size() > base.size() && n[base.size()] != '.')) continue;
    for (inf::Line l : s) {
      for (std::size_t f = 1; f < l.field_count(); ++f) {
        if (!util::trimmed_field(l, f).empty()) return true;
      }
    }
  }
  return false;
}

void check_matches_nothing(Context& ctx) {
  const auto& doc = ctx.doc();
  auto mfg = doc.section("Manufacturer");
  if (!mfg || mfg->line_count() == 0) return;
  for (inf::Line l : *mfg) {
    std::string base = trim(l.has_key() ? l.field(0) : l.field(0));
    if (base.empty() || models_list_an_id(doc, base)) return;
  }
  ctx.report_at<Rule::r1297>(mfg->line(), 1, {}, "Manufacturer");
}

// 1270: [DeviceInstall32] AddDevice = name, [flags], section; the section's HardwareIds and
// CompatibleIds must match a Models entry of this INF, which installs the created device.
void check_device_install32(Context& ctx) {
  auto di = ctx.doc().section("DeviceInstall32");
  if (!di) return;
  std::set<std::string> ids;
  for (const auto& m : ctx.pkg().models) {
    for (const auto& id : m.hardware_ids) ids.insert(inf::to_lower_ascii(trim(id)));
  }
  for (inf::Line l : di->find_all("AddDevice")) {
    auto sec = ctx.doc().section(util::trimmed_field(l, 2));
    if (!sec) continue;
    bool any = false, matched = false;
    for (std::string_view key : {"HardwareIds", "CompatibleIds"}) {
      auto idl = sec->find(key);
      if (!idl) continue;
      for (std::size_t i = 0; i < idl->field_count(); ++i) {
        const std::string id = util::trimmed_field(*idl, i);
        if (id.empty()) continue;
        any = true;
        matched = matched || ids.count(inf::to_lower_ascii(id)) > 0;
      }
    }
    if (any && !matched) ctx.report<Rule::r1270>(l, {util::trimmed_field(l, 0)}, 0);
  }
}

// 1295: only one [Strings] section is used for the whole INF, chosen by the system's language, with
// no fallback per key, so every localized section must define as many strings as the others.
void check_localized_strings(Context& ctx) {
  const auto& doc = ctx.doc();
  std::optional<inf::Section> first;
  std::size_t first_count = 0;
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    const std::string_view n = s.name();
    if (!util::has_prefix_ci(n, "Strings.") || n.size() == 8) continue;
    std::size_t count = 0;
    for (inf::Line l : s) count += l.has_key() ? 1u : 0u;
    if (!first) {
      first = s;
      first_count = count;
      continue;
    }
    if (count == first_count) continue;
    auto& d = ctx.report_at<Rule::r1295>(s.line(), 1,
                            {std::string(n), std::to_string(count), std::string(first->name()), std::to_string(first_count)},
                            std::string(n));
    d.notes.push_back(diag::Note{first->line(), 1, "compared with this section"});
  }
}

// 1078: a line without '=' in an install section is not a directive; the installer looks directives
// up by key and skips it. Reboot and Restart are the documented key-only entries of DDInstall.
// Lines of stray non-breaking spaces (osrfx2_DCHU_base.inx, CI-validated) are not entries.
bool has_alnum(std::string_view t) {
  for (char c : t) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  }
  return false;
}

// An event-log install section (AddService's fourth field) reads directives too: wintun writes its
// EventMessageFile entries straight into one, where the installer skips them.
bool reads_directives(SectionRole r) {
  return is_install_root_role(r) || r == SectionRole::service_install || r == SectionRole::eventlog_install;
}

void check_keyless_entries(Context& ctx) {
  util::SectionOnce seen(ctx.doc());
  for (std::size_t i = 0; i < ctx.pkg().sections.size(); ++i) {
    const auto& s = ctx.pkg().sections[i];
    if (!s.exists || !reads_directives(s.role)) continue;
    auto sec = ctx.install_section(i);
    if (!sec || !seen.first(*sec)) continue;
    for (inf::Line l : *sec) {
      if (l.has_key() || l.field_count() == 0) continue;
      const std::string text = trim(l.raw_field(0));
      if (text.empty() || is_one_of(text, {"Reboot", "Restart"}) || !has_alnum(text)) continue;
      // A bare file name is a file-list entry of a section that is also read as an install section
      // (reactos' bochsmp.inf names its lists like sub-sections); that is not what this rule is about.
      if (text.find('.') != std::string::npos && text.find(' ') == std::string::npos) continue;
      ctx.report<Rule::r1078>(l, {text, s.name}, 0);
    }
  }
}

}  // namespace

void run_section_rules(Context& ctx) {
  check_keyless_entries(ctx);
  check_shared_sections(ctx);
  check_default_install_with_manufacturer(ctx);
  check_placement(ctx);
  check_models_without_install(ctx);
  check_matches_nothing(ctx);
  check_device_install32(ctx);
  check_localized_strings(ctx);
}

}  // namespace isodrv::rules
