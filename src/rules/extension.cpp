// Rule family "extension": extension INFs (Class = Extension), which Windows applies on top of a
// device's base driver package (1380–1384).
//
// Decisions where InfVerif's table is terse:
//   1380  ExtensionId present but not a braced, dashed GUID (Windows groups extension INFs by it).
//   1381  an INF of the Extension class without ExtensionId.
//   1382  what an extension INF cannot do because only the base package owns it: a [ClassInstall32]
//         section, and every directive of a DDInstall.CoInstallers, .LogConfigOverride or .FactDef
//         section it reaches, and LogConfig (Windows runs these for the base driver only).
//   1383  AddService with SPSVCINST_ASSOCSERVICE (0x2): the base package supplies the function driver.
//   1384  (warning) UpperFilters/LowerFilters written by AddReg, or DEVPKEY_Device_Upper/LowerFilters
//         set by AddProperty, instead of an AddFilter line in DDInstall.Filters.
#include <set>
#include <vector>

#include "rules/facts.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::SectionRole;

void check_extension_id(Context& ctx) {
  auto id = facts::version_value(ctx.doc(), "ExtensionId");
  if (!id) {
    auto v = ctx.doc().section("Version");
    ctx.report_at<Rule::r1381>(v ? v->line() : 1, 1, {}, "Version");
    return;
  }
  if (ctx.settings().stampinf && facts::has_stamp_token(id->text)) return;
  if (!facts::is_braced_guid(id->text)) ctx.report<Rule::r1380>(id->line, {id->text}, 0);
}

void check_base_only_parts(Context& ctx) {
  if (auto ci = ctx.doc().section("ClassInstall32")) {
    ctx.report_at<Rule::r1382>(ci->line(), 1, {"[ClassInstall32]", "a class installer section"}, std::string(ci->name()));
  }
  for (const auto& d : ctx.pkg().directives) {
    const auto& s = ctx.pkg().sections[d.section];
    const bool base_only_section = s.role == SectionRole::coinstallers || s.role == SectionRole::logconfigoverride ||
                                   s.role == SectionRole::factdef;
    if (!base_only_section && !rules::iequals(d.name, "LogConfig")) continue;
    if (!ctx.first_time(Rule::r1382, d.line)) continue;
    ctx.report<Rule::r1382>(d.line, {std::string(d.name), base_only_section ? "[" + std::string(s.name) + "]" : std::string("a LogConfig directive")});
  }
}

void check_function_driver(Context& ctx) {
  for (const auto& s : ctx.pkg().services) {
    if (!s.flags || (*s.flags & 0x2u) == 0) continue;
    ctx.report<Rule::r1383>(s.directive, {s.name.empty() ? std::string("(null service)") : std::string(s.name)}, 1);
  }
}

bool is_filter_value(std::string_view name) {
  return rules::iequals(name, "UpperFilters") || rules::iequals(name, "LowerFilters");
}

void check_filters(Context& ctx) {
  const auto& pkg = ctx.pkg();
  for (const auto& list : pkg.lists) {
    if (list.kind != package::ListKind::regs) continue;
    for (const auto& op : package::first_use(pkg.regs, list, "AddReg")) {
      if (!op.value_name || !is_filter_value(facts::trim(*op.value_name))) continue;
      ctx.report<Rule::r1384>(op.line, {facts::trim(*op.value_name), "an AddReg value"}, 2);
    }
  }
  constexpr std::string_view kGuid = "{a45c254e-df1c-4efd-8020-67d146a850e0}";
  for (const auto& list : pkg.lists) {
    if (list.kind != package::ListKind::properties || !package::first_user(list, "AddProperty")) continue;
    for (inf::Line l : ctx.doc().section_at(list.doc_section)) {
      std::vector<std::string> f;
      if (l.has_key()) f.push_back(facts::trim(*l.key()));
      for (std::size_t i = 0; i < l.field_count(); ++i) f.push_back(util::trimmed_field(l, i));
      if (f.empty()) continue;
      std::string name;
      if (facts::starts_with_ci(f[0], "DEVPKEY_Device_") && is_filter_value(f[0].substr(15))) name = f[0];
      if (f.size() > 1 && rules::iequals(f[0], kGuid)) {
        if (f[1] == "19") name = "DEVPKEY_Device_UpperFilters";
        if (f[1] == "20") name = "DEVPKEY_Device_LowerFilters";
      }
      if (!name.empty()) ctx.report<Rule::r1384>(l, {name, "an AddProperty entry"});
    }
  }
}

}  // namespace

void run_extension_rules(Context& ctx) {
  if (!ctx.facts().extension_inf) return;
  check_extension_id(ctx);
  check_base_only_parts(ctx);
  check_function_driver(ctx);
  check_filters(ctx);
}

}  // namespace isodrv::rules
