// Rule family "directives": legacy and non-declarative directives and sections that universal and
// isolated packages may not use (universal-and-isolation-rules.md §2.1/§2.2), and ignored entries.
//
// Which code reports what (InfVerif gives pairs of codes the same message; we split them so):
//   1300  a legacy section in an install root: DDInstall.FactDef, DDInstall.LogConfigOverride
//   1301  a legacy directive: LogConfig, UpdateInis, UpdateIniFields, Ini2Reg, RegisterDlls,
//         UnregisterDlls, BitReg (one finding per directive line)
//   1302  a legacy operation on a named item: each file a RenFiles list renames
//   1303  a co-installer or class installer: CoInstallers32 / Installer32 registrations, except the
//         WDF and WinUSB framework co-installers, which Windows 10 ignores (see is_framework_coinstaller)
//   1307  a desktop-only operation: ProfileItems (Start-menu items exist only on desktop editions)
//   1308  a removal: DelFiles, DelProperty, and DelReg of keys outside the device's own HKR keys
//   1309  a removal of a named item: DelService
//   2009  a [Version] entry PnP ignores: DriverPackageType, DriverPackageDisplayName
//   1450  (/w warning) a legacy, non-isolated directive that some Windows versions or editions
//         ignore: a CoInstallers32 registration of the KMDF, UMDF or WinUSB framework
//         co-installer. Such a co-installer is copied outside the driver store (DIRID 11) and only
//         installs a framework on systems that lack it; Windows 10 and later carry the frameworks
//         inbox and skip it, and editions without co-installer support never run it. 1303 exempts
//         these registrations, so 1450 is where /w points them out. Other legacy directives
//         already have an error code of their own (1300-1309), so they are not repeated here.
// Only sections the package model reaches are checked; removals (1308, 1309) are not reported in
// sections that exist to remove ([DefaultUninstall…] with its .Services, [X.Remove], [X.Remove.Services]).
#include <set>
#include <string>

#include "rules/families.h"

namespace isodrv::rules {
namespace {

using package::RegOpKind;
using package::SectionRole;

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (rules::iequals(name, n)) return true;
  }
  return false;
}

// The joined, trimmed fields of a directive line, for messages.
std::string value_list(const inf::Line& l) {
  std::string out;
  for (std::size_t i = 0; i < l.field_count(); ++i) {
    if (!out.empty()) out += ", ";
    out += l.field(i);
  }
  return out;
}

void check_legacy_sections(Context& ctx) {
  for (std::size_t i = 0; i < ctx.pkg().sections.size(); ++i) {
    const auto& s = ctx.pkg().sections[i];
    if (!s.exists) continue;
    if (s.role != SectionRole::factdef && s.role != SectionRole::logconfigoverride) continue;
    auto sec = ctx.install_section(i);
    if (!sec) continue;
    ctx.report_at<Rule::r1300>(sec->line(), 1, {"[" + std::string(s.name) + "]", std::string(package::section_role_name(s.role))}, std::string(s.name));
  }
}

using SeenLines = std::set<std::uint32_t>;

// A line reached from several install sections is judged once (Context::first_time), the first
// time it is reached in a section where the rule applies (not a removal, for 1308/1309).
void check_directive(Context& ctx, const package::Directive& d) {
  const std::string_view n = d.name;
  // Removal is what DefaultUninstall and X.Remove sections are for.
  const bool removal = package::is_removal(ctx.pkg(), d.section);
  const inf::Line& l = d.line;
  if (is_one_of(n, {"LogConfig", "UpdateInis", "UpdateIniFields", "Ini2Reg", "RegisterDlls", "UnregisterDlls", "BitReg"})) {
    if (ctx.first_time(Rule::r1301, l)) ctx.report<Rule::r1301>(l, {n, value_list(l)}, 0);
  } else if (rules::iequals(n, "ProfileItems")) {
    if (ctx.first_time(Rule::r1307, l)) ctx.report<Rule::r1307>(l, {n, value_list(l)}, 0);
  } else if (rules::iequals(n, "RenFiles")) {
    return;  // its entries: check_ren_files
  } else if (removal) {
    return;
  } else if (is_one_of(n, {"DelFiles", "DelProperty"})) {
    if (!ctx.first_time(Rule::r1308, l)) return;
    for (std::size_t i = 0; i < l.field_count(); ++i) ctx.report<Rule::r1308>(l, {n, l.field(i)}, i);
  } else if (rules::iequals(n, "DelService")) {
    if (ctx.first_time(Rule::r1309, l)) ctx.report<Rule::r1309>(l, {n, l.field(0)}, 0);
  }
}

// 1302: every entry of a list that RenFiles names (in any section, removals too), once.
void check_ren_files(Context& ctx) {
  for (const auto& list : ctx.pkg().lists) {
    if (list.kind != package::ListKind::file_changes || !package::first_user(list, "RenFiles")) continue;
    for (inf::Line e : ctx.doc().section_at(list.doc_section)) ctx.report<Rule::r1302>(e, {"RenFiles", e.field(0)}, 0);
  }
}

// DelReg is a removal unless it only deletes below the device's own HKR keys: those keys belong to
// the device and vanish with it, and CI-validated universal samples (lsi_u3.inf) reset stale
// values there this way.
void check_del_reg(Context& ctx) {
  const auto& pkg = ctx.pkg();
  for (const auto& list : pkg.lists) {
    if (list.kind != package::ListKind::regs) continue;
    SeenLines reported;  // a DelReg line the walk reached twice (a section needed twice) is one finding
    for (const package::ListUser& u : list.users) {
      if (!rules::iequals(u.directive, "DelReg") || package::is_removal(pkg, u.section)) continue;
      for (const package::RegOp& op : std::span<const package::RegOp>(pkg.regs).subspan(u.first, u.count)) {
        if (op.root == "HKR" || !reported.insert(u.line.index()).second) continue;
        auto& diag = ctx.report<Rule::r1308>(u.line, {"DelReg", std::string(list.name)}, u.field);
        Context::note(diag, op.line, "deletes a key outside the device's own registry keys");
        break;
      }
    }
  }
}

// The KMDF, UMDF and WinUSB co-installers only install their framework on systems that lack it;
// Windows 10 carries the frameworks inbox and skips them, and CI-validated universal samples
// (network/modem/fakemodem) still register the KMDF one.
bool is_framework_coinstaller(std::string_view entry) {
  std::string e = inf::to_lower_ascii(entry);
  while (!e.empty() && (e.front() == ' ' || e.front() == '"')) e.erase(0, 1);
  for (std::string_view prefix : {"wdfcoinstaller", "wudfcoinstaller", "wudfupdate", "winusbcoinstaller"}) {
    if (e.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

void check_installers(Context& ctx) {
  for (const auto& op : ctx.pkg().regs) {
    if (op.kind != RegOpKind::add || !op.value_name) continue;
    const bool co = rules::iequals(*op.value_name, "CoInstallers32");
    const bool cls = rules::iequals(*op.value_name, "Installer32");
    // Only installer lines are remembered: one line always has the same value name, so the others
    // could never come back as installers.
    if ((!co && !cls) || !ctx.first_time(Rule::r1303, op.line)) continue;  // 1303 and 1450: each line once
    bool all_framework = co && !op.data.empty();
    for (const auto& v : op.data) all_framework = all_framework && is_framework_coinstaller(v);
    std::string what(op.data.empty() ? std::string_view() : op.data.front());
    if (all_framework) {
      // /h (the signature requirements) accepts the framework co-installer: the KMDF smart-card
      // sample pscr.inx passes InfVerif /h with -warnaserror in Microsoft's CI.
      if (ctx.mode() != diag::Mode::h) ctx.report<Rule::r1450>(op.line, {*op.value_name, what}, 2);
      continue;
    }
    ctx.report<Rule::r1303>(op.line, {co ? "co-installer" : "class installer", what}, 2);
  }
}

void check_ignored_version_entries(Context& ctx) {
  auto version = ctx.doc().section("Version");
  if (!version) return;
  for (inf::Line l : *version) {
    auto key = l.raw_key();
    if (!l.has_key() || !key) continue;
    if (is_one_of(*key, {"DriverPackageType", "DriverPackageDisplayName"})) {
      ctx.report<Rule::r2009>(l, {std::string(*key)});
    }
  }
}

}  // namespace

void run_directive_rules(Context& ctx) {
  check_legacy_sections(ctx);
  for (const auto& d : ctx.pkg().directives) check_directive(ctx, d);
  check_ren_files(ctx);
  check_del_reg(ctx);
  check_installers(ctx);
  check_ignored_version_entries(ctx);
}

}  // namespace isodrv::rules
