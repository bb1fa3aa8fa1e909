// Rule family "shims": legacy INF spellings that Windows still installs by rewriting them to their
// modern form (an INF shim), and legacy forms no rewrite can save (2090-2093), plus 1207.
//
// Microsoft documents these codes only by their one-line messages, so the patterns are isodrv's
// decision, each one a spelling SetupAPI accepts for compatibility while a modern one exists:
//   2090 (error, every mode): [Version] Signature = "$Windows 95$". SetupAPI reads it as it reads
//        "$Windows NT$" (the shim), so the package installs; the INF should say "$Windows NT$".
//        ($Chicago$ has its own code, 1001.)
//   2091 (error, every mode): a [ClassInstall] section, the Windows 95 form of [ClassInstall32].
//        Windows NT never reads it and no shim maps it, so the class it describes is not installed.
//   2092 (/w only): a registry root written in its long form (HKEY_LOCAL_MACHINE …) on an
//        AddReg/DelReg/BitReg line. Windows maps it to the short root (HKLM …); the short form is
//        the one every INF tool and reviewer expects.
//   2093 (error, every mode): the same long root reached through a %string% substitution. The
//        rewrite works on the line as written, so it cannot apply; Windows still maps the root when
//        it installs (non-fatal), but the line should name the root directly.
//   1207 (error, every mode): an INF that is Microsoft's own (Provider is Microsoft and the caller
//        says so with /provider Microsoft) uses CopyINF. Inbox INFs are all present in %windir%\INF
//        already; CopyINF would stage a second copy of one of them. Without /provider naming
//        Microsoft no INF is Microsoft-authored, as for 1204.
#include <vector>

#include "isodrv/registry_roots.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using util::trim;

bool claims_microsoft(std::string_view name) {
  return name.size() >= 9 && rules::iequals(name.substr(0, 9), "Microsoft");
}

void check_signature_shim(Context& ctx) {
  auto version = ctx.doc().section("Version");
  if (!version) return;
  auto sig = version->find("Signature");
  if (sig && rules::iequals(util::trimmed_field(*sig, 0), "$Windows 95$")) {
    ctx.report<Rule::r2090>(*sig, {"Signature = " + util::trimmed_field(*sig, 0), "Signature = \"$Windows NT$\""}, 0);
  }
}

void check_class_install_95(Context& ctx) {
  auto s = ctx.doc().section("ClassInstall");
  if (!s) return;
  ctx.report_at<Rule::r2091>(s->line(), 1, {"[" + std::string(s->name()) + "]", "[ClassInstall32]"}, std::string(s->name()));
}

// The long name of a root, when `name` spells one in its long form.
const registry_roots::Root* long_root(std::string_view name) {
  const auto* r = registry_roots::find(name);
  return r && registry_roots::ascii_iequals(name, r->long_name) ? r : nullptr;
}

void check_long_roots(Context& ctx) {
  // A registry section used by two install sections: one finding. Marked by line index, not in a
  // std::set (a node per entry line).
  std::vector<bool> seen(ctx.doc().line_count(), false);
  for (const auto& op : ctx.pkg().regs) {
    if (op.line.index() >= seen.size() || seen[op.line.index()]) continue;
    seen[op.line.index()] = true;
    const std::string_view raw = base::trim_view(op.line.raw_field(0));
    if (const auto* r = long_root(raw)) {
      ctx.report<Rule::r2092>(op.line, {std::string(raw), std::string(r->short_name)}, 0);
    } else if (raw.find('%') != std::string_view::npos) {
      const std::string value = trim(op.line.field(0));
      if (const auto* lr = long_root(value)) {
        ctx.report<Rule::r2093>(op.line, {std::string(raw), value, std::string(lr->short_name)}, 0);
      }
    }
  }
}

void check_microsoft_authored(Context& ctx) {
  if (!claims_microsoft(ctx.settings().provider)) return;
  auto version = ctx.doc().section("Version");
  auto provider = version ? version->find("Provider") : std::nullopt;
  if (!provider || !claims_microsoft(util::trimmed_field(*provider, 0))) return;
  for (const auto& d : ctx.pkg().directives) {
    if (rules::iequals(d.name, "CopyINF")) ctx.report<Rule::r1207>(d.line, {d.name}, static_cast<std::size_t>(-1));
  }
}

}  // namespace

void run_shim_rules(Context& ctx) {
  check_signature_shim(ctx);
  check_class_install_95(ctx);
  check_long_roots(ctx);
  check_microsoft_authored(ctx);
}

}  // namespace isodrv::rules
