// Rule family "network": network driver INFs (2400–2501).
//
// Microsoft's table names these codes but documents neither the declarative NetDriver INF model they
// check nor its syntax. isodrv checks the model as follows (our decision; docs/rules/24xx.md):
//   - A NetDriver INF has Class = NetDriver and installs from [DefaultInstall.NT<arch>]; its network
//     components are declared in the [….NetDrivers] sub-section by
//       AddNetFilter   = <component-id>, <component-section>
//       AddNetProtocol = <component-id>, <component-section>
//   - A component section holds single-valued keys (FilterClass, FilterType, Service, BindName,
//     NetCfgInstanceId and true/false switches) and bind-token lists (UpperBind, LowerBind,
//     FilterMediaTypes), one token per field.
// Classic NDIS INFs (Ndi keys) are not judged by these codes: a CI-validated Microsoft sample names
// an Ndi\Service that differs from the service it adds and passes InfVerif.
#include <algorithm>
#include <string>
#include <vector>

#include "rules/facts.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

bool matches(std::string_view s, bool upper_ok) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (upper_ok && c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

constexpr std::string_view kSingleValued[] = {"FilterClass", "FilterType", "Service", "BindName", "NetCfgInstanceId"};
constexpr std::string_view kBindLists[] = {"UpperBind", "LowerBind", "FilterMediaTypes"};
// Bind tokens of NDIS 5 and older stacks (AppleTalk, IPX, NetBEUI, DLC, ATM, CoNDIS WAN) that no
// current Windows binds to.
constexpr std::string_view kObsoleteTokens[] = {"ndis4",     "ndis5_atalk", "ndis5_ipx", "ndis5_nbf", "ndis5_dlc",
                                                "ndis5_atm", "ndisatm",     "ndiscowan", "ndiswanasync", "netbios"};

struct Component {
  inf::Line directive;
  bool filter = false;
  std::string id;
  std::optional<inf::Section> section;
};

std::vector<Component> components(Context& ctx) {
  const inf::Document& doc = ctx.doc();
  std::vector<Component> out;
  // The AddNetFilter/AddNetProtocol lines, from the shared walk over all lines (Context::lines).
  for (std::uint32_t index : ctx.lines().net_directives) {
    const inf::Line l = doc.line_at(index);
    Component c{l, l.key_is("AddNetFilter"), util::trimmed_field(l, 0), std::nullopt};
    const std::string sec = util::trimmed_field(l, 1);
    if (!sec.empty()) c.section = doc.section(sec);
    out.push_back(std::move(c));
  }
  return out;
}

void check_directive(Context& ctx, const Component& c) {
  const inf::Line& l = c.directive;
  const std::string name(*l.raw_key());
  std::string_view sec = ctx.doc().section_at(l.section_index()).name();
  if (!facts::ends_with_ci(sec, ".NetDrivers")) ctx.report<Rule::r2402>(l, {name, std::string(sec)});
  if (c.id.empty() || util::trimmed_field(l, 1).empty()) {
    ctx.report<Rule::r2400>(l, {name, c.id.empty() ? "component ID" : "component section"});
    return;
  }
  if (!matches(c.id, false)) ctx.report<Rule::r2412>(l, {c.id}, 0);
  if (facts::starts_with_ci(c.id, "ms_") || facts::starts_with_ci(c.id, "vms_")) ctx.report<Rule::r2415>(l, {c.id}, 0);
}

bool one_of(const inf::Line& l, std::span<const std::string_view> keys) {
  for (auto k : keys) {
    if (l.key_is(k)) return true;
  }
  return false;
}

void check_bind_list(Context& ctx, const inf::Line& l) {
  for (std::size_t i = 0; i < l.field_count(); ++i) {
    const std::string tok = util::trimmed_field(l, i);
    if (!matches(tok, true)) {
      ctx.report<Rule::r2416>(l, {std::string(*l.raw_key()), tok.empty() ? "an empty token" : "'" + tok + "'"}, i);
      continue;
    }
    for (auto o : kObsoleteTokens) {
      if (rules::iequals(tok, o)) ctx.report<Rule::r2500>(l, {tok}, i);
    }
  }
}

// The names of the services the package adds, sorted ASCII case-insensitively: views into the
// model, no lower-cased copies.
using ServiceNames = std::vector<std::string_view>;

void check_value(Context& ctx, const Component& c, const inf::Line& l, const ServiceNames& services) {
  const std::string key(*l.raw_key());
  const std::string v = util::trimmed_field(l, 0);
  if (one_of(l, kSingleValued) && l.field_count() > 1) ctx.report<Rule::r2403>(l, {key, std::to_string(l.field_count())});
  if ((rules::iequals(v, "true") || rules::iequals(v, "false")) && v != "true" && v != "false") {
    ctx.report<Rule::r2413>(l, {key, v}, 0);
  }
  if (one_of(l, kBindLists)) check_bind_list(ctx, l);
  if (l.key_is("NetCfgInstanceId") && !facts::is_braced_guid(v)) ctx.report<Rule::r2411>(l, {v}, 0);
  if (l.key_is("FilterClass")) {
    if (!c.filter) ctx.report<Rule::r2402>(l, {key, std::string(c.section->name())});
    else if (!matches(v, false)) ctx.report<Rule::r2414>(l, {v}, 0);
  }
  if (l.key_is("FilterType") && !c.filter) ctx.report<Rule::r2402>(l, {key, std::string(c.section->name())});
  if (l.key_is("BindName")) {
    if (!matches(v, true)) ctx.report<Rule::r2417>(l, {v}, 0);
    else if (facts::starts_with_ci(v, "ms_") || facts::starts_with_ci(v, "ndis")) ctx.report<Rule::r2419>(l, {v}, 0);
  }
  if (l.key_is("Service") && !v.empty() && !std::binary_search(services.begin(), services.end(), std::string_view(v), ci_less)) {
    ctx.report<Rule::r2501>(l, {v}, 0);
  }
}

void check_component_section(Context& ctx, const Component& c, const ServiceNames& services) {
  for (inf::Line l : *c.section) {
    if (l.raw_key()) check_value(ctx, c, l, services);
  }
  if (!c.filter) return;
  auto type = c.section->find("FilterType");
  if (type && rules::iequals(util::trimmed_field(*type, 0), "modifying") && !c.section->find("FilterClass")) {
    ctx.report<Rule::r2418>(*type, {c.id});
  }
}

ServiceNames added_services(const package::Package& pkg) {
  ServiceNames out;
  out.reserve(pkg.services.size());
  for (const auto& s : pkg.services) out.push_back(s.name);
  std::sort(out.begin(), out.end(), ci_less);
  return out;
}

void check_declarative(Context& ctx) {
  const bool netdriver = rules::iequals(ctx.facts().version_class, "NetDriver");
  for (std::size_t i = 0; i < ctx.doc().section_count(); ++i) {
    inf::Section s = ctx.doc().section_at(i);
    if (!netdriver && facts::ends_with_ci(s.name(), ".NetDrivers")) {
      ctx.report_at<Rule::r2405>(s.line(), 1, {std::string(s.name()), ctx.facts().version_class}, std::string(s.name()));
    }
  }
  auto comps = components(ctx);
  if (netdriver && comps.empty()) {
    auto v = ctx.doc().section("Version");
    ctx.report_at<Rule::r2420>(v ? v->line() : 1, 1, {}, "Version");
  }
  if (comps.empty()) return;  // most documents: no service names to gather
  const ServiceNames services = added_services(ctx.pkg());
  // Each component section once: the document's sections are merged by name ignoring case, so
  // its index says "the same section" (a set of lower-cased names before).
  std::vector<std::uint32_t> done;
  for (const auto& c : comps) {
    check_directive(ctx, c);
    if (!c.section || std::find(done.begin(), done.end(), c.section->index()) != done.end()) continue;
    done.push_back(c.section->index());
    check_component_section(ctx, c, services);
  }
}

}  // namespace

void run_network_rules(Context& ctx) {
  check_declarative(ctx);
}

}  // namespace isodrv::rules
