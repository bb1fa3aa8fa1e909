// Rule family "primitive": INFs that install from [DefaultInstall] (primitive drivers) and the
// requirements Windows sets for them from Windows 10 version 1903 on (1420–1423).
//
// Decisions (from "Creating a primitive driver"):
//   1420  a primitive INF (a [DefaultInstall…] section and no [Manufacturer]) whose [Version] lacks
//         Provider, Class or ClassGuid: PnP manages it like a device driver and needs all three.
//   1421  a [DefaultInstall] or [DefaultInstall.NT] section: only NT<arch>-decorated ones are used.
//   1422  a [DefaultUninstall.NT…] section without LegacyUninstall = 1 (in it or in one of its
//         sub-sections): Windows removes primitive drivers itself; the section is kept only for
//         older systems and must say so.
//   1423  a primitive INF with no [DefaultInstall.NT<arch>] section at all, so it installs nowhere.
// Sub-sections (.Services, .Events, .Wdf …) are not install roots and are not reported.
#include <string>
#include <vector>

#include "rules/facts.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

struct RootName {
  bool is_root = false;      // DefaultInstall / DefaultUninstall itself, not a sub-section
  std::string decoration;    // "", "NT", "NTamd64", "NT$ARCH$" …
};

// Splits "<base>[.NT…[.version fields]][.suffix…]".
RootName parse_root(std::string_view name, std::string_view base) {
  RootName r;
  // Most sections are not roots: decide that from the name's start, before splitting it.
  if (!facts::starts_with_ci(name, base) || (name.size() > base.size() && name[base.size()] != '.')) return r;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      parts.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.empty() || !rules::iequals(parts[0], base)) return r;
  std::size_t i = 1;
  if (i < parts.size() && facts::starts_with_ci(parts[i], "NT")) {
    r.decoration = std::string(parts[i]);
    ++i;
    while (i < parts.size() && (parts[i].empty() || parts[i].find_first_not_of("0123456789") == std::string_view::npos ||
                                parts[i].substr(0, 2) == "0x" || parts[i].substr(0, 2) == "0X")) {
      ++i;
    }
  }
  r.is_root = i == parts.size();
  return r;
}

bool arch_decorated(const RootName& r) { return r.decoration.size() > 2; }

struct Roots {
  std::vector<std::pair<inf::Section, RootName>> install, uninstall;
};

Roots find_roots(const inf::Document& doc) {
  Roots out;
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    RootName in = parse_root(s.name(), "DefaultInstall");
    if (in.is_root) out.install.emplace_back(s, in);
    RootName un = parse_root(s.name(), "DefaultUninstall");
    if (un.is_root) out.uninstall.emplace_back(s, un);
  }
  return out;
}

void check_version(Context& ctx, const inf::Section& first_root) {
  std::string missing;
  for (std::string_view key : {"Provider", "Class", "ClassGuid"}) {
    auto v = facts::version_value(ctx.doc(), key);
    if (v && !v->text.empty()) continue;
    if (!missing.empty()) missing += ", ";
    missing += key;
  }
  if (missing.empty()) return;
  auto version = ctx.doc().section("Version");
  std::uint32_t line = version ? version->line() : first_root.line();
  ctx.report_at<Rule::r1420>(line, 1, {missing}, version ? "Version" : std::string(first_root.name()));
}

bool legacy_uninstall_in(const inf::Section& s) {
  auto l = s.find("LegacyUninstall");
  if (!l) return false;
  auto n = inf::parse_u32(util::trimmed_field(*l, 0));
  return n && *n == 1;
}

// LegacyUninstall = 1 in the section or in one of its sub-sections ([DefaultUninstall.NTamd64.Services]):
// CI-validated Microsoft samples put it in the .Services sub-section.
bool legacy_uninstall_set(const inf::Document& doc, const inf::Section& s) {
  if (legacy_uninstall_in(s)) return true;
  const std::string prefix = std::string(s.name()) + ".";
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section sub = doc.section_at(i);
    if (facts::starts_with_ci(sub.name(), prefix) && legacy_uninstall_in(sub)) return true;
  }
  return false;
}

}  // namespace

void run_primitive_rules(Context& ctx) {
  Roots roots = find_roots(ctx.doc());
  if (roots.install.empty()) return;
  const bool primitive = !ctx.doc().has_section("Manufacturer");
  bool any_arch = false;
  for (const auto& [sec, name] : roots.install) {
    if (arch_decorated(name)) {
      any_arch = true;
      continue;
    }
    ctx.report_at<Rule::r1421>(sec.line(), 1, {std::string(sec.name())}, std::string(sec.name()));
  }
  for (const auto& [sec, name] : roots.uninstall) {
    if (name.decoration.empty() || legacy_uninstall_set(ctx.doc(), sec)) continue;
    ctx.report_at<Rule::r1422>(sec.line(), 1, {std::string(sec.name())}, std::string(sec.name()));
  }
  if (!primitive) return;
  check_version(ctx, roots.install.front().first);
  if (!any_arch) {
    const auto& first = roots.install.front().first;
    ctx.report_at<Rule::r1423>(first.line(), 1, {std::string(first.name())}, std::string(first.name()));
  }
}

}  // namespace isodrv::rules
