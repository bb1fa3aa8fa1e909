// Rule family "oslevel": directives newer than the oldest Windows a DDInstall targets (1199), and the
// %DIRID% of files that Windows reads from the package at run time (1241, 1242, 1243).
//
// 1199: the oldest target of a DDInstall is the lowest build among the decorations of the Models
// sections that name it; a decoration without a build (NTamd64) targets every Windows 10 build, so
// its oldest is build 10240. Until i15e's target-OS work decides otherwise, every declared target
// is checked. The builds are the ones each directive's documentation names:
//   AddComponent, AddSoftware (SoftwareType 1)   1703  (15063)
//   SoftwareType 2 (Store app)                   1709  (16299)
//   AddEventProvider                             1809  (17763)
//   AddFilter                                    1903  (18362)
//   AddTrigger (service-install section)         2004  (19041)
//   AddAutoLogger, UpdateAutoLogger              Windows 11 (22000)
//   FailureActions (service-install section)     22H2  (22621)
//   AddComServer                                 24H2  (26100)
// 1241/1242/1243: the files an event provider (ResourceFile, MessageFile, ParameterFile), a COM
// server (ServerBinary, ServerBinaryWow64) and a UMDF service (ServiceBinary in the UmdfService
// section) name are found at run time through their leading %DIRID%. A user-defined DIRID (32768 and
// up) is only defined while an installer application runs: 1241. A number Windows does not define:
// 1242. DIRID 1 (the folder the INF was installed from), 0 and -1 (no folder) name no place the
// file is at run time: 1243. (AddService's ServiceBinary has its own code, 1328.)
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

constexpr std::uint32_t kFirstWindows10Build = 10240;

struct MinimumBuild {
  std::string_view directive;  // a view: compared with every directive, without a strlen each time
  std::uint32_t build;
  const char* release;
};
constexpr MinimumBuild kMinimumBuilds[] = {
    {"AddComponent", 15063, "Windows 10 1703"},      {"AddSoftware", 15063, "Windows 10 1703"},
    {"AddEventProvider", 17763, "Windows 10 1809"},  {"AddFilter", 18362, "Windows 10 1903"},
    {"AddTrigger", 19041, "Windows 10 2004"},        {"AddAutoLogger", 22000, "Windows 11"},
    {"UpdateAutoLogger", 22000, "Windows 11"},       {"FailureActions", 22621, "Windows 11 22H2"},
    {"AddComServer", 26100, "Windows 11 24H2"},
};

// Oldest build each DDInstall base is installed on, from the Models entries that name it.
std::map<std::string, std::pair<std::uint32_t, std::string>> oldest_targets(const package::Package& pkg) {
  std::map<std::string, std::pair<std::uint32_t, std::string>> out;
  for (const auto& m : pkg.models) {
    if (trim(m.install_base).empty()) continue;
    std::uint32_t build = kFirstWindows10Build;
    std::string text(m.models_section);
    if (m.decoration && m.decoration->build && *m.decoration->build > build) build = *m.decoration->build;
    if (m.decoration && !m.decoration->valid) continue;
    if (m.models_section.find('$') != std::string::npos) continue;  // unstamped $ARCH$: decoration unknown
    auto key = inf::to_lower_ascii(trim(m.install_base));
    auto it = out.find(key);
    if (it == out.end() || build < it->second.first) out[key] = {build, text};
  }
  return out;
}

void check_minimum_builds(Context& ctx) {
  const auto& pkg = ctx.pkg();
  // Built on the first directive that has a minimum build: most packages use none.
  std::optional<std::map<std::string, std::pair<std::uint32_t, std::string>>> oldest_built;
  for (const auto& d : pkg.directives) {
    const MinimumBuild* mb = nullptr;
    for (const auto& m : kMinimumBuilds) {
      if (rules::iequals(d.name, m.directive)) mb = &m;
    }
    if (!mb) continue;
    const auto& root = pkg.sections[pkg.sections[d.section].root];
    if (root.base.empty()) continue;  // DefaultInstall, ClassInstall32: no Models decoration
    if (!oldest_built) oldest_built = oldest_targets(pkg);
    const auto& oldest = *oldest_built;
    auto it = oldest.find(inf::to_lower_ascii(root.base));
    if (it == oldest.end() || it->second.first >= mb->build) continue;
    if (!ctx.first_time(Rule::r1199, d.line)) continue;
    ctx.report<Rule::r1199>(d.line, {d.name, mb->release, std::to_string(mb->build), it->second.second,
                              std::to_string(it->second.first)});
  }
}

constexpr long kFirstUserDirid = 32768;  // DIRID_USER
constexpr long kAbsolute16 = 65535;      // synonym of -1

void check_file_dirid(Context& ctx, const inf::Line& l) {
  const std::string raw = trim(l.raw_field(0));
  auto n = inf::leading_dirid(raw);
  if (!n) return;
  const std::string key(*l.raw_key());
  if (*n == 1 || *n == 0 || *n == -1 || *n == kAbsolute16) {
    ctx.report<Rule::r1243>(l, {raw, key, std::to_string(*n)}, 0);
  } else if (inf::dirid_path(*n, ctx.doc().dirids())) {
    return;
  } else if (*n >= kFirstUserDirid) {
    ctx.report<Rule::r1241>(l, {raw, key, std::to_string(*n)}, 0);
  } else {
    ctx.report<Rule::r1242>(l, {raw, key, std::to_string(*n)}, 0);
  }
}

void check_file_dirids(Context& ctx) {
  for (const auto& ns : named_sections(ctx, kAddEventProvider | kAddComServer | kUmdfService)) {
    for (inf::Line l : ns.section) {
      auto key = l.raw_key();
      if (!key) continue;
      if (is_one_of(*key, {"ResourceFile", "MessageFile", "ParameterFile", "ServerBinary", "ServerBinaryWow64"}) ||
          (rules::iequals(ns.directive, "UmdfService") && rules::iequals(*key, "ServiceBinary"))) {
        check_file_dirid(ctx, l);
      }
    }
  }
}

}  // namespace

void run_oslevel_rules(Context& ctx) {
  check_minimum_builds(ctx);
  check_file_dirids(ctx);
}

}  // namespace isodrv::rules
