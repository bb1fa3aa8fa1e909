// Rule family "components": what DDInstall.Software, .Components, .COM, .Events and .Wmi sections
// declare — software installs (1141, 1142, 1144), component IDs (1150), COM threading models
// (1160), event channels (1180-1182, and 1082 for a channel type), WMI flags (1256) — plus the
// FeatureScore byte (1245) and the EventLogType of AddService (1250).
#include <map>
#include <set>

#include "rules/families.h"
#include "rules/named.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using util::is_one_of;
using util::trim;
using util::unresolved;

constexpr std::uint32_t kSoftwareInstaller = 1;  // SoftwareType 1: an MSI or EXE run from the driver store
constexpr std::uint32_t kSoftwareStoreApp = 2;   // SoftwareType 2: a Microsoft Store app (pfn://)

std::optional<std::uint32_t> number_of(const std::optional<inf::Line>& l) {
  if (!l) return std::nullopt;
  return inf::parse_u32(util::trimmed_field(*l, 0));
}

void report_section(Context& ctx, const NamedSection& ns, Args<Rule::r1142> args) {
  auto& d = ctx.report_at<Rule::r1142>(ns.section.line(), 1, std::move(args), std::string(ns.section.name()));
  Context::note(d, ns.reference, "named by " + ns.directive + " here");
}

// 1141: the binary is found relative to the package's driver-store folder; a drive, a root or a
// DIRID other than 13 points outside the package.
std::string binary_outside_package(std::string_view raw) {
  if (raw.size() >= 2 && raw[1] == ':') return "it names a drive";
  if (!raw.empty() && (raw[0] == '\\' || raw[0] == '/')) return "it starts at the root of a drive";
  const auto token = inf::leading_token(raw);
  const auto id = token ? inf::dirid_of_token(*token) : std::nullopt;
  if (id && *id >= 0 && *id != inf::kDiridDriverStore) {
    return "it starts at DIRID " + std::string(*token) + ", outside the driver store";
  }
  return {};
}

void check_software(Context& ctx) {
  for (const auto& ns : named_sections(ctx, kAddSoftware)) {
    auto type_line = ns.section.find("SoftwareType");
    auto type = number_of(type_line);
    if (!type) continue;  // absent: 1013; malformed: 1014
    if (*type == kSoftwareInstaller) {
      // /h accepts it: the DCHU component samples (SoftwareType = 1) pass InfVerif /h with
      // -warnaserror in Microsoft's CI.
      if (ctx.mode() != diag::Mode::h) ctx.report<Rule::r1144>(*type_line, {std::string(ns.section.name())}, 0);
      for (std::string_view key : {"SoftwareBinary", "SoftwareVersion"}) {
        if (!ns.section.find(key)) report_section(ctx, ns, {std::string(ns.section.name()), std::string(key), "1"});
      }
    } else if (*type == kSoftwareStoreApp && !ns.section.find("SoftwareID")) {
      report_section(ctx, ns, {std::string(ns.section.name()), "SoftwareID", "2"});
    }
    if (auto bin = ns.section.find("SoftwareBinary")) {
      const std::string raw = trim(bin->raw_field(0));
      std::string why = binary_outside_package(raw);
      if (!why.empty()) ctx.report<Rule::r1141>(*bin, {raw, why}, 0);
    }
  }
}

// 1150: a component ID becomes the hardware ID SWC\<id> of a child device; '\' would add a level
// to the device path and ',' separates IDs on the line.
void check_component_ids(Context& ctx) {
  for (const auto& ns : named_sections(ctx, kAddComponent)) {
    auto l = ns.section.find("ComponentIDs");
    if (!l) continue;
    for (std::size_t i = 0; i < l->field_count(); ++i) {
      const std::string id = util::trimmed_field(*l, i);
      if (id.find('\\') != std::string::npos || id.find(',') != std::string::npos) {
        ctx.report<Rule::r1150>(*l, {id}, i);
      }
    }
  }
}

// 1160: AddComClass = {CLSID}[, flags[, com-class-install-section]]; the class section's
// ThreadingModel is one of the four COM models.
void check_com_classes(Context& ctx) {
  std::set<std::string> seen;
  for (const auto& ns : named_sections(ctx, kAddComServer)) {
    for (inf::Line l : ns.section.find_all("AddComClass")) {
      const std::string target = util::trimmed_field(l, 2);
      if (target.empty() || !seen.insert(inf::to_lower_ascii(target)).second) continue;
      auto cls = ctx.doc().section(target);
      if (!cls) continue;
      auto tm = cls->find("ThreadingModel");
      if (!tm) continue;
      const std::string v = util::trimmed_field(*tm, 0);
      if (!v.empty() && !unresolved(v) && !is_one_of(v, {"Apartment", "Free", "Both", "Neutral"})) {
        ctx.report<Rule::r1160>(*tm, {v}, 0);
      }
    }
  }
}

// Event channels (inf-addeventprovider-directive): AddChannel = name, type[, section].
constexpr std::uint32_t kChannelAnalytic = 3, kChannelDebug = 4;
constexpr std::uint32_t kRetentionSequential = 2;

void check_channel_section(Context& ctx, const inf::Line& add, std::uint32_t type, const inf::Section& sec) {
  auto backup = sec.find("LoggingAutoBackup");
  if (!backup || number_of(backup).value_or(0) != 1) return;
  if (type == kChannelAnalytic || type == kChannelDebug) {
    auto& d = ctx.report<Rule::r1181>(*backup, {"LoggingAutoBackup = 1", type == kChannelAnalytic ? "Analytic" : "Debug"}, 0);
    Context::note(d, add, "the channel type is given here");
    return;
  }
  auto retention = sec.find("LoggingRetention");
  if (number_of(retention).value_or(1) != kRetentionSequential) {
    ctx.report<Rule::r1182>(*backup, {"LoggingAutoBackup = 1", "LoggingRetention = 2 (sequential)"}, 0);
  }
}

// 1180: a name or a Value used twice among one provider's channels; `seen` holds the first use.
template <class K>
void check_unique(Context& ctx, std::map<K, inf::Line>& seen, K key, const inf::Line& l, std::string what,
                  std::string_view section) {
  auto [it, inserted] = seen.try_emplace(std::move(key), l);
  if (inserted) return;
  auto& d = ctx.report<Rule::r1180>(l, {std::move(what), std::string(section)}, 0);
  Context::note(d, it->second, "first used here");
}

// The channel names and Values an AddEventProvider section has used so far.
struct ChannelsSeen {
  std::map<std::string, inf::Line> names;
  std::map<std::uint32_t, inf::Line> values;
};

// One AddChannel / ImportChannel line of an AddEventProvider section.
void check_channel(Context& ctx, const NamedSection& ns, const inf::Line& l, std::string_view key, ChannelsSeen& seen) {
  const std::string name = util::trimmed_field(l, 0);
  if (!name.empty()) check_unique(ctx, seen.names, inf::to_lower_ascii(name), l, "name " + name, ns.section.name());
  if (!rules::iequals(key, "AddChannel")) return;
  const std::string type_text = util::trimmed_field(l, 1);
  auto type = inf::parse_u32(type_text);
  if (!type_text.empty() && !unresolved(type_text) && (!type || *type < 1 || *type > 4)) {
    ctx.report<Rule::r1082>(l, {"AddChannel's channel type", "1 (Admin), 2 (Operational), 3 (Analytic) or 4 (Debug)"}, 1);
    return;
  }
  auto sec = ctx.doc().section(util::trimmed_field(l, 2));
  if (!type || !sec) return;
  check_channel_section(ctx, l, *type, *sec);
  auto value = sec->find("Value");
  auto v = value ? number_of(value) : std::nullopt;
  if (v) check_unique(ctx, seen.values, *v, *value, "Value " + std::to_string(*v), ns.section.name());
}

void check_channels(Context& ctx) {
  for (const auto& ns : named_sections(ctx, kAddEventProvider)) {
    ChannelsSeen seen;
    for (inf::Line l : ns.section) {
      auto key = l.raw_key();
      if (key && is_one_of(*key, {"AddChannel", "ImportChannel"})) check_channel(ctx, ns, l, *key, seen);
    }
  }
}

// 1256: WMIInterface = {GUID}, flags, section; the only flag is SCWMI_CLOBBER_SECURITY (0x1).
constexpr std::uint32_t kWmiClobberSecurity = 0x1;

// 1245: FeatureScore is one byte in hexadecimal, with or without a 0x prefix: CI-validated samples
// write "80" and "F9", the documentation "0xFD" (and once "xFD").
bool is_hex_byte(std::string_view f) {
  if (f.size() > 2 && f[0] == '0' && (f[1] == 'x' || f[1] == 'X')) f.remove_prefix(2);
  else if (f.size() > 1 && (f[0] == 'x' || f[0] == 'X')) f.remove_prefix(1);
  if (f.empty() || f.size() > 2) return false;
  for (char c : f) {
    if (!util::is_hex(c)) return false;
  }
  return true;
}

// 1245: FeatureScore is one byte.
void check_directives(Context& ctx) {
  for (const auto& d : ctx.pkg().directives) {
    // The two names first: the once-per-line set is asked only about their lines, not every directive's.
    const bool wmi = rules::iequals(d.name, "WMIInterface");
    if (!wmi && !rules::iequals(d.name, "FeatureScore")) continue;
    if (!ctx.first_time(Rule::r1256, d.line)) continue;  // 1256 and 1245: each line once
    if (wmi) {
      const std::string f = trim(d.line.field(1));
      auto n = inf::parse_u32(f);
      if (n && (*n & ~kWmiClobberSecurity)) ctx.report<Rule::r1256>(d.line, {f}, 1);
    } else if (rules::iequals(d.name, "FeatureScore")) {
      const std::string f = trim(d.line.field(0));
      if (!f.empty() && !unresolved(f) && !is_hex_byte(f)) ctx.report<Rule::r1245>(d.line, {f}, 0);
    }
  }
}

// 1250: AddService's fifth field names the event log: System (the default), Application or Security.
void check_event_log_types(Context& ctx) {
  for (const auto& s : ctx.pkg().services) {
    const std::string t = trim(s.directive.field(4));
    if (t.empty() || unresolved(t) || is_one_of(t, {"System", "Application", "Security"})) continue;
    if (ctx.first_time(Rule::r1250, s.directive)) ctx.report<Rule::r1250>(s.directive, {t}, 4);
  }
}

}  // namespace

void run_component_rules(Context& ctx) {
  check_software(ctx);
  check_component_ids(ctx);
  check_com_classes(ctx);
  check_channels(ctx);
  check_directives(ctx);
  check_event_log_types(ctx);
}

}  // namespace isodrv::rules
