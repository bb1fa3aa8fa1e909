// Rule family "arguments": the arguments of directives and entries — missing section names and
// values, too few or surplus fields, bad numbers, flags and keywords, required keys of the
// sub-sections that AddComponent, AddSoftware, AddEventProvider, KmdfService and UmdfService name,
// duplicates, exclusive pairs, disk IDs and source paths.
//
// Which code reports what (InfVerif's table gives one line each; the split below is ours):
//   1005  a directive that names sections (CopyFiles, AddReg, Needs …) has no section name at all
//   1006  a directive that needs a value (Include, AddInterface, KmdfService …) has none at all
//   1080  a required argument is empty while later ones are given (KmdfService = ,sect)
//   1085  the line stops before a required argument (KmdfService = name)
//   1081  a number field (flags) that is not a number; the value is shown
//   1082  a keyword argument outside its set (FilterPosition, AddChannel type)
//   1083  flags with bits the directive does not define (AddService, AddInterface, AddFilter, AddSoftware)
//   1084  UmdfService without UmdfLibraryVersion in its section, or without UmdfServiceOrder in .Wdf
//   1086  one component ID, copied file, service or interface declared twice where once counts
//   1087  a filter section with both FilterLevel and FilterPosition
//   1088  a single-valued key given twice in [Version], a service-install section, DDInstall or .Wdf
//   1013  a required key absent from a component, software, event-provider or KMDF service section
//   1014  that key present but its value unusable (SoftwareType, KmdfLibraryVersion …)
//   1019  a GUID argument that is not a braced GUID (AddInterface, AddEventProvider, WMIInterface,
//         AddComClass, [InterfaceInstall32]); [Version] ClassGuid is 1010
//   1008  a disk ID in [SourceDisksNames] or [SourceDisksFiles] that is empty or not a number
//   1015  a source or destination path with characters Windows paths cannot hold, or a drive letter
//   1016  a source path that climbs out of the package folder or is 260 characters or longer
//   1201  (warning) fields beyond the last one a directive or entry reads
//   1229  a CopyFiles, DelFiles or RenFiles list entry without a file name
#include <array>

#include "isodrv/directives.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::SectionRole;
using util::has_value;
using util::is_one_of;
using util::trim;
using util::unresolved;

// Directives whose every field names a section: file, registry and property lists
// (package::kDirectives), and Needs.
bool names_sections(std::string_view n) {
  const package::DirectiveSpec* d = package::find_directive(n);
  if (d) {
    return d->kind == package::NamedKind::file_list || d->kind == package::NamedKind::registry ||
           d->kind == package::NamedKind::property;
  }
  return rules::iequals(n, "Needs");
}

// Directives of install sections with positional arguments: how many fields they read, how many
// of the leading ones are required, and which field holds flags (-1: none).
struct ArgSpec {
  std::string_view name;
  std::size_t max_fields;
  std::size_t required;
  int flags_field;
};
constexpr ArgSpec kArgSpecs[] = {
    {"AddService", 6, 0, 1},      {"AddInterface", 4, 1, 3},  {"AddFilter", 3, 3, 1},
    {"AddSoftware", 3, 3, 1},     {"AddComServer", 3, 3, 1},  {"WMIInterface", 3, 3, 1},
    {"KmdfService", 2, 2, -1},    {"UmdfService", 2, 2, -1},  {"AddEventProvider", 2, 2, -1},
    {"AddComponent", 3, 0, -1},   {"FeatureScore", 1, 1, -1}, {"Include", 99, 1, -1},
    {"UmdfServiceOrder", 99, 1, -1}, {"KmdfLibraryVersion", 1, 1, -1}, {"UmdfLibraryVersion", 1, 1, -1},
    {"SoftwareType", 1, 1, -1},   {"SoftwareVersion", 1, 1, -1}, {"SoftwareBinary", 1, 1, -1},
    {"SoftwareID", 1, 1, -1},     {"ServerType", 1, 1, -1},   {"ServerBinary", 1, 1, -1},
    {"ResourceFile", 1, 1, -1},   {"ProviderName", 1, 1, -1}, {"FilterLevel", 1, 1, -1},
    {"FilterPosition", 1, 1, -1}, {"ServiceType", 1, 0, -1},  {"StartType", 1, 0, -1},
    {"ErrorControl", 1, 0, -1},
};

// kArgSpecs' indexes by name length, in table order: a directive is compared only with the names
// of its length (every directive line of the package asks; most directives have no spec).
constexpr std::size_t kMaxSpecName = 24;
struct SpecsByLength {
  std::array<std::array<std::uint8_t, 12>, kMaxSpecName + 1> index{};
  std::array<std::uint8_t, kMaxSpecName + 1> count{};
};
constexpr SpecsByLength specs_by_length() {
  SpecsByLength t;
  for (std::size_t i = 0; i < std::size(kArgSpecs); ++i) {
    const std::size_t n = kArgSpecs[i].name.size();
    t.index[n][t.count[n]++] = static_cast<std::uint8_t>(i);
  }
  return t;
}
constexpr SpecsByLength kSpecsByLength = specs_by_length();

const ArgSpec* arg_spec(std::string_view name) {
  if (name.size() > kMaxSpecName) return nullptr;
  const std::size_t n = name.size();
  for (std::size_t k = 0; k < kSpecsByLength.count[n]; ++k) {
    const ArgSpec& s = kArgSpecs[kSpecsByLength.index[n][k]];
    if (rules::iequals(name, s.name)) return &s;
  }
  return nullptr;
}

// What the checks of one directive line share, looked up once per line. A section reached in two
// roles appears twice in the model: each finding is reported the first time (Context::first_time).
struct Seen {
  const package::Directive& d;
  const ArgSpec* spec;  // nullptr: no positional arguments known
};

void check_arity(Context& ctx, const Seen& s) {
  const package::Directive& d = s.d;
  const inf::Line& l = d.line;
  if (!s.spec) {
    if (names_sections(d.name) && !has_value(l) && ctx.first_time(Rule::r1005, l)) ctx.report<Rule::r1005>(l, {d.name});
    return;
  }
  const ArgSpec* spec = s.spec;
  const bool valued = has_value(l);
  if (spec->required > 0 && !valued) {
    if (ctx.first_time(Rule::r1006, l)) ctx.report<Rule::r1006>(l, {d.name});
    return;
  }
  if (!valued) return;
  for (std::size_t i = 0; i < spec->required && i < l.field_count(); ++i) {
    // Flags may be left empty (they default to 0); names, GUIDs and sections may not.
    if (static_cast<int>(i) == spec->flags_field) continue;
    if (trim(l.raw_field(i)).empty() && ctx.first_time(Rule::r1080, l)) {
      ctx.report<Rule::r1080>(l, {d.name, std::to_string(i + 1)}, i);
      break;
    }
  }
  if (l.field_count() < spec->required && ctx.first_time(Rule::r1085, l)) {
    ctx.report<Rule::r1085>(l, {d.name, std::to_string(l.field_count()), std::to_string(spec->required)});
  }
  if (l.field_count() > spec->max_fields && ctx.first_time(Rule::r1201, l)) {
    ctx.report<Rule::r1201>(l, {d.name, std::to_string(l.field_count()), std::to_string(spec->max_fields)},
               spec->max_fields);
  }
}

// Bits each directive's flags may carry (install-semantics.md §6, §7, §10, §12).
std::optional<std::uint32_t> allowed_flags(std::string_view name) {
  // SPSVCINST_* bits of AddService; 0x10000 is the unique-name flag (see 1021/1022 in services.cpp).
  if (rules::iequals(name, "AddService")) return 0x0007FDFBu;
  if (rules::iequals(name, "AddInterface")) return 0u;                   // must be 0
  if (rules::iequals(name, "AddFilter")) return 0u;                      // must be 0
  if (rules::iequals(name, "AddSoftware")) return 0x1u;                  // once per component device
  return std::nullopt;
}

void check_flags(Context& ctx, const Seen& s) {
  const package::Directive& d = s.d;
  const ArgSpec* spec = s.spec;
  if (!spec || spec->flags_field < 0) return;
  const std::size_t f = static_cast<std::size_t>(spec->flags_field);
  const inf::Line& l = d.line;
  const std::string text = util::trimmed_field(l, f);
  if (text.empty() || unresolved(text)) return;
  auto value = inf::parse_u32(text);
  if (!value) {
    // AddService flags have their own code (1260).
    if (!rules::iequals(d.name, "AddService") && ctx.first_time(Rule::r1081, l)) ctx.report<Rule::r1081>(l, {text, d.name}, f);
    return;
  }
  auto allowed = allowed_flags(d.name);
  if (allowed && (*value & ~*allowed) && ctx.first_time(Rule::r1083, l)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", *value & ~*allowed);
    ctx.report<Rule::r1083>(l, {d.name, text, buf}, f);
  }
}

// 1019: GUID arguments.
void check_guid_arguments(Context& ctx, const package::Directive& d) {
  if (!is_one_of(d.name, {"AddInterface", "AddEventProvider", "WMIInterface", "AddComClass"})) return;
  const std::string g = trim(d.line.field(0));
  if (g.empty() || unresolved(g) || util::is_braced_guid(g)) return;
  if (ctx.first_time(Rule::r1019, d.line)) ctx.report<Rule::r1019>(d.line, {g, d.name}, 0);
}

void check_interface_install32(Context& ctx) {
  auto sec = ctx.doc().section("InterfaceInstall32");
  if (!sec) return;
  for (inf::Line l : *sec) {
    auto key = l.key();
    if (!key) continue;
    const std::string g = trim(*key);
    if (!g.empty() && !unresolved(g) && !util::is_braced_guid(g)) ctx.report<Rule::r1019>(l, {g, "[InterfaceInstall32]"});
  }
}

}  // namespace

// Defined in arguments_sections.cpp.
void check_argument_sections(Context& ctx);

void run_argument_rules(Context& ctx) {
  for (const auto& d : ctx.pkg().directives) {
    const Seen s{d, arg_spec(d.name)};
    check_arity(ctx, s);
    check_flags(ctx, s);
    check_guid_arguments(ctx, d);
  }
  check_interface_install32(ctx);
  check_argument_sections(ctx);
}

}  // namespace isodrv::rules
