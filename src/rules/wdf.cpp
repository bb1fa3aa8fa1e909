// Rule family "wdf": DDInstall.Wdf sections and the UMDF services they declare (1400–1402).
//
// Decisions:
//   1400  a UmdfService line whose service name UmdfServiceOrder of the same section does not list:
//         the UMDF host loads only the services in that order list, so the driver is created but
//         never runs.
//   1401  a DDInstall.Wdf directive newer than the UmdfLibraryVersion the INF declares
//         (UmdfDirectHardwareAccess, UmdfRegisterAccessMode, UmdfHostProcessSharing,
//         UmdfFileObjectPolicy and UmdfFsContextUsePolicy need UMDF 1.11; UmdfKernelModeClientPolicy
//         and UmdfMethodNeitherAction need 2.15). A version given by a stampinf token is not judged.
//   1402  (/w) UmdfLibraryVersion 1.x: UMDF 1 is obsolete; port the driver to UMDF 2.
#include <set>
#include <string>

#include "rules/facts.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

struct Version {
  unsigned major = 0, minor = 0;
  bool operator<(const Version& o) const { return major != o.major ? major < o.major : minor < o.minor; }
};

std::optional<Version> parse_version(std::string_view s) {
  Version v;
  std::size_t i = 0;
  auto number = [&](unsigned& out) {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') out = out * 10 + static_cast<unsigned>(s[i++] - '0');
    return i > start && i - start < 6;
  };
  if (!number(v.major) || i >= s.size() || s[i++] != '.' || !number(v.minor)) return std::nullopt;
  return v;
}

struct Requirement {
  std::string_view directive;
  Version needs;
};
constexpr Requirement kRequirements[] = {
    {"UmdfDirectHardwareAccess", {1, 11}}, {"UmdfRegisterAccessMode", {1, 11}},
    {"UmdfHostProcessSharing", {1, 11}},   {"UmdfFileObjectPolicy", {1, 11}},
    {"UmdfFsContextUsePolicy", {1, 11}},   {"UmdfKernelModeClientPolicy", {2, 15}},
    {"UmdfMethodNeitherAction", {2, 15}},
};

std::string version_text(Version v) { return std::to_string(v.major) + "." + std::to_string(v.minor); }

void check_wdf_section(Context& ctx, const inf::Section& wdf, std::set<std::uint32_t>& seen_versions) {
  std::set<std::string> ordered;
  for (const auto& l : wdf.find_all("UmdfServiceOrder")) {
    for (std::size_t i = 0; i < l.field_count(); ++i) ordered.insert(inf::to_lower_ascii(util::trimmed_field(l, i)));
  }
  std::optional<Version> declared;
  std::optional<inf::Line> declared_line;
  for (const auto& l : wdf.find_all("UmdfService")) {
    const std::string name = util::trimmed_field(l, 0);
    if (!name.empty() && !ordered.count(inf::to_lower_ascii(name))) ctx.report<Rule::r1400>(l, {name}, 0);
    auto install = ctx.doc().section(util::trimmed_field(l, 1));
    if (!install) continue;
    auto lv = install->find("UmdfLibraryVersion");
    if (!lv) continue;
    const std::string text = util::trimmed_field(*lv, 0);
    auto v = parse_version(text);
    if (!v) continue;
    if (v->major == 1 && seen_versions.insert(lv->index()).second) ctx.report<Rule::r1402>(*lv, {text}, 0);
    if (!declared || *v < *declared) {
      declared = v;
      declared_line = lv;
    }
  }
  if (!declared) return;
  for (const auto& req : kRequirements) {
    for (const auto& l : wdf.find_all(req.directive)) {
      if (!(*declared < req.needs)) continue;
      ctx.report<Rule::r1401>(l, {std::string(req.directive), version_text(req.needs), version_text(*declared)});
    }
  }
}

}  // namespace

void run_wdf_rules(Context& ctx) {
  util::SectionOnce done(ctx.doc());
  std::set<std::uint32_t> seen_versions;
  for (std::size_t i = 0; i < ctx.pkg().sections.size(); ++i) {
    const auto& s = ctx.pkg().sections[i];
    if (s.role != package::SectionRole::wdf || !s.exists) continue;
    auto sec = ctx.install_section(i);
    if (sec && done.first(*sec)) check_wdf_section(ctx, *sec, seen_versions);
  }
}

}  // namespace isodrv::rules
