// Rule family "services": AddService directives and their service-install sections — the
// associated (function-driver) service, required and clashing settings, image paths, conflicts.
#include <algorithm>
#include <map>
#include <set>
#include <span>

#include "rules/families.h"
#include "base/text.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::ServiceInstall;

constexpr std::uint32_t kAssocService = 0x00000002;  // SPSVCINST_ASSOCSERVICE

// SERVICE_* types (install-semantics.md §6).
constexpr std::uint32_t kKernelDriver = 0x1, kFileSystemDriver = 0x2, kOwnProcess = 0x10, kShareProcess = 0x20,
                        kInteractive = 0x100;
constexpr std::uint32_t kBootStart = 0, kSystemStart = 1, kDisabled = 4;

using base::trim;

bool is_driver_type(std::uint32_t t) { return t == kKernelDriver || t == kFileSystemDriver; }
bool is_win32_type(std::uint32_t t) {
  t &= ~kInteractive;
  return t == kOwnProcess || t == kShareProcess;
}

bool associated(const ServiceInstall& s) { return s.flags && (*s.flags & kAssocService) != 0; }

// 1211: one device install names at most one function driver.
void check_associated_count(Context& ctx) {
  // The first associated service of each .Services section: a package has a handful of
  // services, so an earlier one is found by a walk back rather than through a map.
  const auto& services = ctx.pkg().services;
  for (std::size_t i = 0; i < services.size(); ++i) {
    const ServiceInstall& s = services[i];
    if (!associated(s)) continue;
    const ServiceInstall* first = nullptr;
    for (std::size_t j = 0; j < i && !first; ++j) {
      if (associated(services[j]) && services[j].context == s.context) first = &services[j];
    }
    if (!first) continue;
    auto display = [](const ServiceInstall* x) { return x->name.empty() ? std::string("the null service") : std::string(x->name); };
    auto& d = ctx.report<Rule::r1211>(s.directive, {display(&s), display(first)}, 1);
    Context::note(d, first->directive, "the first associated service");
  }
}

// 1253: "AddService = ,2" is the documented null-driver form; an empty name without the
// ASSOCSERVICE flag installs nothing and usually means the fields are shifted.
// 1272: "AddService = ,2,Section" is the null driver with a service-install section that nothing
// reads (there is no service to configure).
void check_empty_names(Context& ctx) {
  for (const auto& s : ctx.pkg().services) {
    if (!s.name.empty()) continue;
    if (associated(s) && s.install_section.empty()) continue;
    if (associated(s)) {
      ctx.report<Rule::r1272>(s.directive, {s.install_section}, 2);
      continue;
    }
    ctx.report<Rule::r1253>(s.directive, {s.flags ? std::to_string(*s.flags) : trim(s.directive.field(1))}, 0);
  }
}

// 1260: AddService flags must be a number.
void check_flags(Context& ctx) {
  for (const auto& s : ctx.pkg().services) {
    if (s.flags) continue;
    std::string text = trim(s.directive.field(1));
    if (text.find('%') != std::string::npos) continue;  // undefined token: 1235 says so
    ctx.report<Rule::r1260>(s.directive, {text, "AddService flags", "a number"}, 1);
  }
}

// The service-install sections, once each (several AddService lines may name one section).
std::vector<const ServiceInstall*> distinct_install_sections(const package::Package& pkg) {
  // A package has a handful of them: compared in place rather than through a set of lower-cased copies.
  std::vector<const ServiceInstall*> out;
  for (const auto& s : pkg.services) {
    if (!s.install_exists) continue;
    const bool seen = std::any_of(out.begin(), out.end(), [&](const ServiceInstall* o) {
      return rules::iequals(o->install_section, s.install_section);
    });
    if (!seen) out.push_back(&s);
  }
  return out;
}

// 1234 (a required entry absent or empty) and 1260 (a numeric entry that is not a number).
void check_required(Context& ctx, std::span<const ServiceInstall* const> installs) {
  static constexpr std::string_view kRequired[] = {"ServiceType", "StartType", "ErrorControl", "ServiceBinary"};
  std::string scratch;  // a substituted value, reused: most values are read as views of the text
  for (const ServiceInstall* s : installs) {
    auto sec = ctx.doc().section(s->install_section);
    for (const std::string_view name : kRequired) {
      auto it = s->values.find(name);  // case-insensitive
      if (it == s->values.end()) {
        ctx.report_at<Rule::r1234>(sec->line(), 1, {std::string(name), std::string(sec->name()), "service-install"},
                      std::string(sec->name()));
        continue;
      }
      const inf::Line& l = it->second;
      const std::string_view v = util::trimmed_field_view(l, 0, scratch);
      if (v.empty()) {
        ctx.report<Rule::r1234>(l, {std::string(name), std::string(sec->name()), "service-install"});
      } else if (name != "ServiceBinary" && !inf::parse_u32(v) && v.find('%') == std::string_view::npos) {
        ctx.report<Rule::r1260>(l, {std::string(v), std::string(name), "a number"}, 0);
      }
    }
  }
}

// 1251: a device cannot start when its function driver is disabled.
void check_disabled_function_driver(Context& ctx) {
  for (const auto& s : ctx.pkg().services) {
    if (!associated(s) || s.name.empty() || !s.start_type || *s.start_type != kDisabled) continue;
    auto it = s.values.find("starttype");
    if (it == s.values.end()) continue;
    auto& d = ctx.report<Rule::r1251>(it->second, {s.name}, 0);
    Context::note(d, s.directive, "the service is associated with the device here");
  }
}

// 1252: settings that only one kind of service can use. Boot and system start exist only for
// drivers; the user-mode service options (accounts' privileges, SID type, delayed start, failure
// actions) mean nothing to a driver the kernel loads.
void check_type_clashes(Context& ctx, std::span<const ServiceInstall* const> installs) {
  static constexpr std::string_view kUserModeOnly[] = {"RequiredPrivileges", "ServiceSidType", "DelayedAutoStart",
                                                       "FailureActions"};
  for (const ServiceInstall* s : installs) {
    if (!s->service_type) continue;
    const std::uint32_t type = *s->service_type;
    auto type_line = s->values.find("servicetype");
    if (is_win32_type(type) && s->start_type && (*s->start_type == kBootStart || *s->start_type == kSystemStart)) {
      auto it = s->values.find("starttype");
      ctx.report<Rule::r1252>(it->second, {"StartType " + std::to_string(*s->start_type), "a user-mode service", s->name}, 0);
    }
    if (is_driver_type(type) && (type_line->second.field_count() > 0)) {
      for (std::string_view opt : kUserModeOnly) {
        auto it = s->values.find(opt);  // case-insensitive
        if (it == s->values.end()) continue;
        ctx.report<Rule::r1252>(it->second, {std::string(opt), "a driver service", s->name});
      }
    }
    if (is_driver_type(type & ~kInteractive) && (type & kInteractive)) {
      ctx.report<Rule::r1252>(type_line->second, {"SERVICE_INTERACTIVE_PROCESS (0x100)", "a driver service", s->name}, 0);
    }
  }
}

// The image path with %strkey% replaced and each %dirid% kept as a placeholder without blanks:
// DIRID expansions (C:\Program Files …) are quoted by the installer, literal text is not.
std::string image_path_text(const inf::Document& doc, std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out.push_back(raw[i]);
      continue;
    }
    std::size_t end = raw.find('%', i + 1);
    if (end == std::string_view::npos) {
      out.append(raw.substr(i));
      break;
    }
    std::string_view tok = raw.substr(i + 1, end - i - 1);
    if (tok.empty()) out.push_back('%');
    else if (auto v = doc.string_value(tok)) out.append(*v);
    else out.append("DIRID");
    i = end;
  }
  return out;
}

bool ends_with_image(std::string_view s) {
  for (std::string_view ext : {".sys", ".exe", ".dll"}) {
    if (s.size() >= ext.size() && rules::iequals(s.substr(s.size() - ext.size()), ext)) return true;
  }
  return false;
}

// 1254: the SCM splits an unquoted ImagePath at the first blank, and a stray quote ends it early.
void check_image_paths(Context& ctx, std::span<const ServiceInstall* const> installs) {
  for (const ServiceInstall* s : installs) {
    auto it = s->values.find("servicebinary");
    if (it == s->values.end()) continue;
    const std::string text = trim(image_path_text(ctx.doc(), it->second.raw_field(0)));
    if (text.empty()) continue;
    std::string why;
    if (text.front() == '"') {
      std::size_t close = text.find('"', 1);
      if (close == std::string::npos) why = "the opening quote is never closed";
      else if (close + 1 != text.size() && text[close + 1] != ' ') why = "text follows the closing quote";
    } else if (text.find('"') != std::string::npos) {
      why = "a quote appears inside the path";
    } else if (auto blank = text.find(' '); blank != std::string::npos && !ends_with_image(text.substr(0, blank))) {
      // "svchost.exe -k group" is an image followed by arguments; "Quokka Tools\q.exe" is a cut path.
      why = "the path contains a blank but is not quoted (write it as \"\"\"path\"\"\")";
    }
    if (!why.empty()) ctx.report<Rule::r1254>(it->second, {trim(it->second.raw_field(0)), why}, 0);
  }
}

// 1333: one service installed from two service-install sections with different settings, by
// install sections that can install together: whichever installs last wins.
void check_conflicting_services(Context& ctx) {
  static constexpr std::string_view kCompared[] = {"ServiceType", "StartType", "ErrorControl", "ServiceBinary",
                                                   "LoadOrderGroup", "Dependencies", "StartName", "Security"};
  const auto& pkg = ctx.pkg();
  std::set<std::uint32_t> reported;
  for (std::size_t i = 0; i < pkg.services.size(); ++i) {
    const auto& b = pkg.services[i];
    if (!b.install_exists || b.name.empty()) continue;
    for (std::size_t j = 0; j < i; ++j) {
      const auto& a = pkg.services[j];
      if (!a.install_exists || !rules::iequals(a.name, b.name) || rules::iequals(a.install_section, b.install_section)) {
        continue;
      }
      if (!package::sections_coinstall(pkg, a.context, b.context)) continue;
      for (std::string_view key : kCompared) {
        auto ia = a.values.find(key);  // case-insensitive
        auto ib = b.values.find(key);
        std::string va = ia == a.values.end() ? std::string() : trim(ia->second.field(0));
        std::string vb = ib == b.values.end() ? std::string() : trim(ib->second.field(0));
        auto na = inf::parse_u32(va);
        auto nb = inf::parse_u32(vb);
        if ((na && nb) ? *na == *nb : rules::iequals(va, vb)) continue;
        const inf::Line& at = ib == b.values.end() ? b.directive : ib->second;
        if (!reported.insert(at.index()).second) continue;
        auto& d = ctx.report<Rule::r1333>(at, {b.name, std::string(key), a.install_section, b.install_section});
        Context::note(d, ia == a.values.end() ? a.directive : ia->second, "the other service-install section");
      }
    }
  }
}

// Classes whose INFs install no function driver of their own: extension INFs; network
// components (protocols, services, clients), which are not device nodes; and modems, whose
// function driver the Modem class installer supplies (CI-validated modem samples pass without one).
constexpr std::string_view kNoFunctionDriverClasses[] = {"Extension", "NetService", "NetTrans", "NetClient", "Modem"};

// 1296: a device install (a DDInstall a Models entry names with a hardware ID) needs exactly one
// associated service, or "AddService = ,2" when the device runs without a function driver.
// With Include/Needs the inbox INF may supply it.
void check_missing_function_driver(Context& ctx) {
  const auto& pkg = ctx.pkg();
  if (!pkg.includes.empty()) return;
  const std::string& cls = ctx.facts().version_class;
  for (std::string_view c : kNoFunctionDriverClasses) {
    if (rules::iequals(cls, c)) return;
  }
  // The install bases that a Models entry with a hardware ID names, as views sorted
  // case-insensitively: one allocation instead of a node and a lower-cased copy per entry.
  // Entries in a row mostly name one install base: a repeat of the last one is left out before
  // the sort (binary_search answers the same).
  std::vector<std::string_view> with_ids;
  for (const auto& m : pkg.models) {
    if (m.hardware_ids.empty() || m.hardware_ids[0].empty()) continue;
    if (with_ids.empty() || !rules::iequals(with_ids.back(), m.install_base)) with_ids.push_back(m.install_base);
  }
  std::sort(with_ids.begin(), with_ids.end(), ci_less);
  const std::string_view suffix = package::subsection_suffix(package::SectionRole::services);
  for (std::size_t i = 0; i < pkg.sections.size(); ++i) {
    const auto& s = pkg.sections[i];
    if (s.role != package::SectionRole::ddinstall || !s.exists || s.base.empty() || s.root != i) continue;
    if (!std::binary_search(with_ids.begin(), with_ids.end(), std::string_view(s.base), ci_less)) continue;
    // Whether an associated service is added from "<s.name>.Services", compared in two parts
    // rather than through a built name.
    bool found = false;
    for (const auto& svc : pkg.services) {
      const std::string_view n = pkg.sections[svc.context].name;
      if (associated(svc) && n.size() == s.name.size() + suffix.size() &&
          rules::iequals(n.substr(0, s.name.size()), s.name) && rules::iequals(n.substr(s.name.size()), suffix)) {
        found = true;
      }
    }
    if (found) continue;
    auto sec = ctx.install_section(i);
    const std::string services = std::string(s.name) + std::string(suffix);
    ctx.report_at<Rule::r1296>(sec->line(), 1, {s.name, services}, std::string(sec->name()));
  }
}

// Names of driver objects the kernel creates for itself without a service key (\Driver\PnpManager,
// \Driver\WMIxWDM, \Driver\ACPI_HAL), and the placeholder name of the Sample class. A service of
// that name collides with the kernel's object (the driver fails to load) or with sample code.
constexpr std::string_view kReservedServiceNames[] = {"PnpManager", "WMIxWDM", "ACPI_HAL", "Sample"};

// Services of Windows's own class and framework drivers. A package that needs one reaches it through
// Include/Needs of the inbox INF that owns it; an AddService of its own overwrites that service's
// configuration for every device using it.
constexpr std::string_view kInboxServiceNames[] = {
    "WUDFRd", "WinUsb", "HidUsb", "mshidkmdf", "mshidumdf", "umpass", "usbccgp", "usbhub", "usbhub3",
    "disk", "Serial", "serenum", "kbdclass", "mouclass", "kbdhid", "mouhid", "i8042prt", "partmgr",
    "volmgr", "storahci", "stornvme", "Wdf01000", "WudfPf", "ks", "portcls", "usbaudio", "usbaudio2",
};

bool listed(std::string_view name, std::span<const std::string_view> names) {
  for (auto n : names) {
    if (rules::iequals(name, n)) return true;
  }
  return false;
}

// 1017 and 1293: service names set aside for samples and for Windows's own drivers.
void check_reserved_names(Context& ctx) {
  for (const auto& s : ctx.pkg().services) {
    // Once per AddService line (the model lists a line once per install section that reaches
    // it): the context's once-table instead of a set of line numbers.
    if (s.name.empty() || !ctx.first_time(Rule::r1017, s.directive)) continue;
    if (listed(s.name, kReservedServiceNames)) ctx.report<Rule::r1017>(s.directive, {s.name}, 0);
    else if (listed(s.name, kInboxServiceNames)) ctx.report<Rule::r1293>(s.directive, {s.name}, 0);
  }
}

// SPSVCINST_UNIQUE_NAME: the service is created under its name plus a suffix that makes it unique
// to the driver package (see docs/rules/1021.md for the decision on its value and length).
constexpr std::uint32_t kUniqueName = 0x00010000;
// MAX_SERVICE_NAME_LEN (256) includes the terminating NUL; the suffix is '_' and 16 hex digits.
constexpr std::size_t kMaxServiceName = 255;
constexpr std::size_t kUniqueSuffix = 17;

// 1021 / 1022: unique naming needs room for the suffix, and one name is either unique or shared.
void check_unique_names(Context& ctx) {
  // The first service of each name, compared in place: a package has a handful of services.
  std::vector<const ServiceInstall*> first;
  for (const auto& s : ctx.pkg().services) {
    if (s.name.empty() || !s.flags || !ctx.first_time(Rule::r1021, s.directive)) continue;
    const bool unique = (*s.flags & kUniqueName) != 0;
    if (unique && s.name.size() + kUniqueSuffix > kMaxServiceName) {
      ctx.report<Rule::r1021>(s.directive, {s.name, std::to_string(s.name.size()), std::to_string(kMaxServiceName - kUniqueSuffix)}, 0);
    }
    auto it = std::find_if(first.begin(), first.end(), [&](const ServiceInstall* f) { return rules::iequals(f->name, s.name); });
    if (it == first.end()) {
      first.push_back(&s);
      continue;
    }
    if (((*(*it)->flags & kUniqueName) != 0) == unique) continue;
    auto& d = ctx.report<Rule::r1022>(s.directive, {s.name}, 1);
    Context::note(d, (*it)->directive, "declared here with the other naming");
  }
}

// True when `raw` (unquoted, unsubstituted) is exactly one %strkey% token: a name between two
// percent signs, not %% and not a %DIRID% number.
bool is_single_string_token(std::string_view raw) {
  if (raw.size() < 3 || raw.front() != '%' || raw.back() != '%') return false;
  std::string_view key = raw.substr(1, raw.size() - 2);
  if (key.find('%') != std::string_view::npos) return false;
  return key.find_first_not_of("0123456789") != std::string_view::npos;
}

// 1292: a service's DisplayName is the name tools show to users, so it is localised through
// [Strings]. isodrv requires it (and only it) to be one %strkey% token; see docs/rules/1292.md for
// why Provider, Description, disk and device names are not held to this.
void check_display_name_tokens(Context& ctx, std::span<const ServiceInstall* const> installs) {
  for (const ServiceInstall* s : installs) {
    auto it = s->values.find("displayname");
    if (it == s->values.end()) continue;
    const inf::Line& l = it->second;
    const std::string_view raw = base::trim_view(l.raw_field(0));
    if (raw.empty() || is_single_string_token(raw)) continue;
    ctx.report<Rule::r1292>(l, {"DisplayName", std::string(raw), s->install_section}, 0);
  }
}

}  // namespace

void run_service_rules(Context& ctx) {
  // The service-install sections, found once for the four checks that walk them.
  const std::vector<const ServiceInstall*> installs = distinct_install_sections(ctx.pkg());
  check_reserved_names(ctx);
  check_display_name_tokens(ctx, installs);
  check_unique_names(ctx);
  check_associated_count(ctx);
  check_empty_names(ctx);
  check_flags(ctx);
  check_required(ctx, installs);
  check_disabled_function_driver(ctx);
  check_type_clashes(ctx, installs);
  check_image_paths(ctx, installs);
  check_conflicting_services(ctx);
  check_missing_function_driver(ctx);
}

}  // namespace isodrv::rules
