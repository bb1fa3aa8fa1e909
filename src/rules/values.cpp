// Rule family "values": registry values that Windows itself defines under a key (1430, 1431), COM
// server kinds (1325), service-install references and paths (2006, 1328), and sections that clash
// with an included INF's (2008).
//
// Decisions where InfVerif's table is terse:
//   1325  an AddReg key ending in LocalServer32, LocalServer, InprocServer or InprocHandler32 under
//         a CLSID: a driver package may register only in-process servers (InprocServer32).
//   1328  (/w warning) a ServiceBinary whose leading %DIRID% is a number Windows does not define:
//         the path cannot be resolved and a checker (InfVerif as well) has to assume a location.
//   1430  AddReg from a service-install section writing, at the root of the service key, a value
//         that the service-install directives own (ImagePath, Type, Start, ErrorControl, Group, Tag,
//         DependOnService, DependOnGroup, ObjectName, DisplayName).
//   1431  an event-log source value stored with a type the event log does not read: TypesSupported
//         and CategoryCount are REG_DWORD; EventMessageFile, CategoryMessageFile and
//         ParameterMessageFile are REG_SZ or REG_EXPAND_SZ. (Device-key values get 1225.)
//   2006  AddService names a service-install section that the INF does not have.
//   2008  a section of this INF has the name of a section of an INF it Includes, on the /product
//         platform (without /product the included INFs' sections are unknown and nothing is reported).
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "rules/facts.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::HkrBinding;
using package::RegOp;

std::string last_key_part(std::string_view key) {
  std::string k = facts::trim(key);
  while (!k.empty() && (k.back() == '\\' || k.back() == '"')) k.pop_back();
  return std::string(facts::file_part(k));
}

void check_com_servers(Context& ctx, const RegOp& op) {
  if (op.kind != package::RegOpKind::add) return;
  if (!util::contains_ci(op.subkey, "clsid\\")) return;  // no lower-cased copy per entry
  const std::string last = last_key_part(op.subkey);
  for (std::string_view kind : {"LocalServer32", "LocalServer", "InprocServer", "InprocHandler32"}) {
    if (rules::iequals(last, kind)) ctx.report<Rule::r1325>(op.line, {last, op.subkey}, 1);
  }
}

bool at_root(const RegOp& op) { return facts::trim(op.subkey).empty(); }

void check_service_values(Context& ctx, const RegOp& op) {
  static constexpr std::string_view kOwned[] = {"ImagePath", "Type",            "Start",         "ErrorControl",
                                                "Group",     "Tag",             "DependOnService", "DependOnGroup",
                                                "ObjectName", "DisplayName"};
  if (op.kind != package::RegOpKind::add || op.root != "HKR" || op.binding != HkrBinding::service_key) return;
  if (!at_root(op) || !op.value_name) return;
  const std::string_view name = base::trim_view(*op.value_name);
  for (auto owned : kOwned) {
    if (rules::iequals(name, owned)) ctx.report<Rule::r1430>(op.line, {std::string(name)}, 2);
  }
}

void check_eventlog_types(Context& ctx, const RegOp& op) {
  struct Expected {
    std::string_view name;
    bool dword;
  };
  static constexpr Expected kValues[] = {{"TypesSupported", true},       {"CategoryCount", true},
                                         {"EventMessageFile", false},    {"CategoryMessageFile", false},
                                         {"ParameterMessageFile", false}};
  if (op.kind != package::RegOpKind::add || op.root != "HKR" || op.binding != HkrBinding::eventlog_key) return;
  if (!at_root(op) || !op.value_name || !op.flags) return;
  const std::string name = facts::trim(*op.value_name);
  for (const auto& e : kValues) {
    if (!rules::iequals(name, e.name)) continue;
    const bool ok = e.dword ? op.reg_type == registry::kRegDword
                            : (op.reg_type == registry::kRegSz || op.reg_type == registry::kRegExpandSz);
    if (!ok) ctx.report<Rule::r1431>(op.line, {name, e.dword ? "REG_DWORD (0x00010001)" : "REG_SZ or REG_EXPAND_SZ (0x00020000)"}, 3);
  }
}

void check_services(Context& ctx) {
  // Each AddService line once. A package has a few services: a list searched in place, not a set
  // with a node per service.
  std::vector<std::uint32_t> seen;
  seen.reserve(ctx.pkg().services.size());
  for (const auto& s : ctx.pkg().services) {
    if (std::find(seen.begin(), seen.end(), s.directive.index()) != seen.end()) continue;
    seen.push_back(s.directive.index());
    if (!s.install_section.empty() && !s.install_exists) ctx.report<Rule::r2006>(s.directive, {s.install_section, s.name}, 2);
    if (!s.install_exists) continue;
    const std::string_view bin = base::trim_view(s.service_binary_raw);
    const auto token = inf::leading_token(bin);
    const auto id = token ? inf::dirid_of_token(*token) : std::nullopt;
    if (!id || *id < 0) continue;
    // inf::dirid_path answers exactly for the table's rows with a base; asked here without
    // building the path.
    const inf::DiridInfo* d = inf::find_dirid(*id);
    if (d && d->base != inf::DiridBase::none) continue;
    auto it = s.values.find("servicebinary");
    if (it != s.values.end()) ctx.report<Rule::r1328>(it->second, {std::string(bin), std::string(*token)}, 0);
  }
}

void check_included_clashes(Context& ctx) {
  const auto& product = ctx.settings().product;
  if (!product) return;
  std::set<std::string> reported;
  for (const auto& inc : ctx.pkg().includes) {
    const Product::Inf* known = product->find(inf::to_lower_ascii(facts::trim(inc)));
    if (!known) continue;
    for (const auto& name : known->sections) {
      auto local = ctx.doc().section(name);
      if (!local || !reported.insert(name).second) continue;
      ctx.report_at<Rule::r2008>(local->line(), 1, {std::string(local->name()), facts::trim(inc)}, std::string(local->name()));
    }
  }
}

}  // namespace

void run_value_rules(Context& ctx) {
  const auto& pkg = ctx.pkg();
  // Each registry entry once, as the first directive naming its list applies it.
  for (const auto& list : pkg.lists) {
    if (list.kind != package::ListKind::regs) continue;
    for (const RegOp& op : package::first_use(pkg.regs, list)) {
      check_com_servers(ctx, op);
      check_service_values(ctx, op);
      check_eventlog_types(ctx, op);
    }
  }
  check_services(ctx);
  check_included_clashes(ctx);
}

}  // namespace isodrv::rules
