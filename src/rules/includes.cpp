// Rule family "includes": Include= and Needs= — which INFs may be included, that needed sections
// carry the suffix of the section that needs them, and that their INF is included where needed.
//
// Inbox INFs are not available here, so the rules check what this INF alone shows:
//   1202  an Include that names an INF the package ships (SourceDisksFiles, CopyINF, or a file of
//         that name beside this INF), a non-.inf file, or a name missing from kInboxInfs
//   1220  a directive other than Needs that names a section this INF lacks and whose name marks it
//         as a section of an included INF (KS.Registration.AddReg with Include = ks.inf); only
//         Needs may reach those
//   1310/1311  a Needs chain inside this INF (a needed section of this INF that needs more) whose
//         later target has another (or no) suffix than the first section of the chain
//   1312/1313  a Needs target whose suffix (.HW, .Services, …) differs from (or lacks) the suffix of
//         the section holding the Needs
//   1314  a Needs target missing here, in a section without Include while other sections Include
//   1315/1316  a Needs target missing here while the INF includes nothing, so it must be in this
//         INF (1316 when the name carries a platform decoration)
//   1319  like 1315, but the target is recognisably a section of a known inbox INF that is not
//         Included (e.g. Needs = WUDFRD.NT without Include = wudfrd.inf)
// With /product (a platform definition; format in docs/rules/README.md, "Options that change what
// is checked") the platform stands in for the Windows INF folder:
//   1318  an Include that names an INF the package does not ship and the platform lacks (instead
//         of 1202's "not a known inbox INF"; an INF the platform has counts as inbox)
//   1317  a Needs target missing here, in a section whose Included INFs are on the platform and
//         whose platform section lists do not contain it (an INF listed without sections
//         accepts every section; an Included INF absent from the platform is 1318's finding)
// Without /product neither is reported.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rules/families.h"
#include "base/text.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::SectionRole;

// Inbox INFs that driver packages commonly Include (the corpus and the WDK samples use all of
// these). A name outside this list is reported: we cannot see the Windows INF folder, so the list
// is the documented stand-in for "ships with Windows".
constexpr std::string_view kInboxInfs[] = {
    "acpi.inf", "audioendpoint.inf", "basicdisplay.inf", "battery.inf", "bda.inf", "bth.inf",
    "bthpan.inf", "c_camera.inf", "camera.inf", "cdrom.inf", "compositebus.inf", "cpu.inf",
    "disk.inf", "display.inf", "hdaudbus.inf", "hdaudio.inf", "hdaudss.inf", "hidi2c.inf",
    "hidinterrupt.inf", "hidirkbd.inf", "hidserv.inf", "hidspi_km.inf", "hidvhf.inf", "input.inf",
    "keyboard.inf", "ks.inf", "kscaptur.inf", "ksfilter.inf", "machine.inf", "mchgr.inf",
    "mdmcpq.inf", "mf.inf", "modemcsa.inf", "monitor.inf", "msapofxproxy.inf", "msdv.inf",
    "mshdc.inf", "mshidkmdf.inf", "mshidumdf.inf", "msmouse.inf", "msports.inf", "mssysfx.inf",
    "netcxrd.inf", "netrndis.inf", "netvwifibus.inf", "nvraid.inf", "pci.inf", "rndiscmp.inf",
    "scsidev.inf", "sdbus.inf", "sensorshidclassdriver.inf", "sti.inf", "swenum.inf",
    "tape.inf", "umbus.inf", "umpass.inf", "usb.inf", "usbport.inf", "usbstor.inf",
    "usbvideo.inf", "volume.inf", "wdma_usb.inf", "wdmaudio.inf", "winusb.inf", "wpdmtp.inf",
    "wudfrd.inf", "wudfusbcciddriver.inf",
};

bool is_inbox(std::string_view name) {
  for (auto n : kInboxInfs) {
    if (rules::iequals(name, n)) return true;
  }
  return false;
}

// Section-name prefixes of well-known inbox INFs, to name the INF a bare Needs is missing.
struct InboxPrefix {
  std::string_view prefix;
  std::string_view inf;
};
constexpr InboxPrefix kInboxPrefixes[] = {
    {"WUDFRD.", "wudfrd.inf"},       {"KS.", "ks.inf"},           {"WDMAUDIO.", "wdmaudio.inf"},
    {"WINUSB.", "winusb.inf"},       {"MsHidKmdf", "mshidkmdf.inf"}, {"MsHidUmdf", "mshidumdf.inf"},
    {"netcxrd", "netcxrd.inf"},      {"HID_Inst.", "input.inf"},  {"UmPass", "umpass.inf"},
    {"STI.", "sti.inf"},             {"MFINSTALL.", "mf.inf"},    {"VWiFiBus.", "netvwifibus.inf"},
    {"KSCAPTUR.", "kscaptur.inf"},   {"MsApoFxProxy.", "msapofxproxy.inf"},
};

std::string_view inbox_inf_for(std::string_view section) {
  for (const auto& p : kInboxPrefixes) {
    if (section.size() >= p.prefix.size() && rules::iequals(section.substr(0, p.prefix.size()), p.prefix)) return p.inf;
  }
  return {};
}

// DDInstall sub-section suffixes a Needs target must share with the section that needs it.
constexpr std::string_view kSuffixes[] = {"HW", "Services", "Interfaces", "CoInstallers", "Events",
                                          "Components", "Software", "Filters", "Wmi", "COM", "Wdf",
                                          "FactDef", "LogConfigOverride"};

// The sub-section suffix a section name ends with ("" for none), spelled as in kSuffixes.
std::string_view name_suffix(std::string_view name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string_view last = name.substr(dot + 1);
  for (auto s : kSuffixes) {
    if (rules::iequals(last, s)) return s;
  }
  return {};
}

// The suffix implied by an install section's role; nullopt when the role is not a DDInstall-like
// section (service-install and other nested sections), where no suffix rule applies.
std::optional<std::string_view> role_suffix(SectionRole role) {
  switch (role) {
    case SectionRole::ddinstall:
    case SectionRole::default_install:
    case SectionRole::class_install: return std::string_view{};
    case SectionRole::hw: return kSuffixes[0];
    case SectionRole::services: return kSuffixes[1];
    case SectionRole::interfaces: return kSuffixes[2];
    case SectionRole::coinstallers: return kSuffixes[3];
    case SectionRole::events: return kSuffixes[4];
    case SectionRole::components: return kSuffixes[5];
    case SectionRole::software: return kSuffixes[6];
    case SectionRole::filters: return kSuffixes[7];
    case SectionRole::wmi: return kSuffixes[8];
    case SectionRole::com: return kSuffixes[9];
    case SectionRole::wdf: return kSuffixes[10];
    case SectionRole::factdef: return kSuffixes[11];
    case SectionRole::logconfigoverride: return kSuffixes[12];
    default: return std::nullopt;
  }
}

// Whether a section name carries a platform decoration (.NT or .NT<arch>) in any component.
bool has_platform_decoration(std::string_view name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (start > 0 && part.size() >= 2 && rules::iequals(part.substr(0, 2), "NT") &&
        (part.size() == 2 || inf::parse_arch(part.substr(2)))) {
      return true;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return false;
}

using base::trim;

// Include and Needs lines of each reachable install section (model index), without repeats.
struct SectionUse {
  std::vector<inf::Line> includes, needs;
};

class IncludeRules {
 public:
  explicit IncludeRules(Context& ctx) : ctx_(ctx) {
    const auto& pkg = ctx.pkg();
    for (const auto& d : pkg.directives) {
      const bool inc = rules::iequals(d.name, "Include");
      const bool needs = rules::iequals(d.name, "Needs");
      if (!inc && !needs) continue;
      auto& use = uses_[d.section];
      (inc ? use.includes : use.needs).push_back(d.line);
      if (inc) any_include_ = true;
    }
  }

  void run() {
    check_include_names();
    check_needs();
    check_direct_references();
  }

 private:
  // 1202: every Include name once.
  void check_include_names() {
    std::vector<std::string> done;  // an INF includes a handful of names: compared in place, no lower-cased set
    for (const auto& [idx, use] : uses_) {
      for (const auto& l : use.includes) {
        for (std::size_t i = 0; i < l.field_count(); ++i) check_include_name(l, i, done);
      }
    }
  }

  void check_include_name(const inf::Line& l, std::size_t i, std::vector<std::string>& done) {
    std::string name = util::trimmed_field(l, i);
    if (name.empty() || std::any_of(done.begin(), done.end(), [&](const std::string& d) { return rules::iequals(d, name); })) return;
    done.push_back(name);
    const auto* product = ctx_.settings().product.get();
    auto why = not_inbox_reason(name);
    if (product && (!why || *why == kNotKnownInbox)) {
      if (!product->find(name)) ctx_.report<Rule::r1318>(l, {name, product->path}, i);
      return;
    }
    if (why) ctx_.report<Rule::r1202>(l, {name, *why}, i);
  }

  static constexpr std::string_view kNotKnownInbox = "it is not a known inbox INF";

  std::optional<std::string> not_inbox_reason(const std::string& name) {
    if (name.size() < 5 || !rules::iequals(name.substr(name.size() - 4), ".inf")) return "it is not an .inf file";
    if (ships_in_package(name)) return "the package itself ships it";
    if (beside_this_inf(name)) return "a file of that name sits beside this INF, so it belongs to the package";
    if (!is_inbox(name)) return std::string(kNotKnownInbox);
    return std::nullopt;
  }

  bool ships_in_package(const std::string& name) const {
    const auto& doc = ctx_.doc();
    for (std::size_t s = 0; s < doc.section_count(); ++s) {
      inf::Section sec = doc.section_at(s);
      std::string_view sn = sec.name();
      if (sn.size() < 16 || !rules::iequals(sn.substr(0, 16), "SourceDisksFiles")) continue;
      for (inf::Line l : sec) {
        auto key = l.key();
        if (key && rules::iequals(trim(*key), name)) return true;
      }
    }
    for (const auto& d : ctx_.pkg().directives) {
      if (!rules::iequals(d.name, "CopyINF")) continue;
      for (std::size_t i = 0; i < d.line.field_count(); ++i) {
        if (rules::iequals(trim(d.line.field(i)), name)) return true;
      }
    }
    return false;
  }

  bool beside_this_inf(const std::string& name) const {
    const std::string& path = ctx_.doc().path();
    if (path.empty()) return false;
    const std::size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash == 0 ? 1 : slash);
    const std::string_view self = slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
    if (rules::iequals(self, name)) return false;
    if (auto* folders = ctx_.settings().folders.get()) return folders->contains(dir, name);
    package::FolderNames once;
    return once.contains(dir, name);
  }

  void check_needs() {
    const auto& pkg = ctx_.pkg();
    std::set<std::uint32_t> done;
    for (const auto& [idx, use] : uses_) {
      const auto& section = pkg.sections[idx];
      const auto parent = role_suffix(section.role);
      // The model runs a needed section of this INF in the role of the section that needs it; its
      // own Needs lines continue a chain and are held to the chain's first section (1310/1311).
      const std::optional<std::string> chain = chain_start(idx);
      for (const auto& l : use.needs) {
        if (!done.insert(l.index()).second) continue;
        for (std::size_t i = 0; i < l.field_count(); ++i) {
          const std::string target = util::trimmed_field(l, i);
          if (target.empty()) continue;
          if (parent) check_suffix(l, i, target, *parent, chain ? *chain : std::string(section.name), chain.has_value());
          if (ctx_.doc().has_section(target)) continue;
          check_locatable(l, i, target, !use.includes.empty());
          if (!use.includes.empty()) check_on_product(l, i, target, use.includes);
        }
      }
    }
  }

  static bool is_needs_line(const inf::Line& l) {
    auto key = l.raw_key();
    return l.has_key() && key && rules::iequals(*key, "Needs");
  }

  // For a section reached through Needs, the name of the first section of the chain; nullopt for a
  // section reached otherwise.
  std::optional<std::string> chain_start(std::size_t idx) const {
    const auto& sections = ctx_.pkg().sections;
    std::optional<std::string> start;
    std::set<std::size_t> seen;
    while (seen.insert(idx).second) {
      const auto& s = sections[idx];
      if (!s.has_reference || !is_needs_line(s.reference)) break;
      const std::string holder(ctx_.doc().section_at(s.reference.section_index()).name());
      start = holder;
      std::size_t next = idx;
      for (std::size_t j = 0; j < sections.size(); ++j) {
        if (sections[j].role == s.role && rules::iequals(sections[j].name, holder)) {
          next = j;
          break;
        }
      }
      if (next == idx) break;
      idx = next;
    }
    return start;
  }

  // 1312/1313 against the section that holds the Needs line, or 1310/1311 against the first section
  // of a Needs chain.
  void check_suffix(const inf::Line& l, std::size_t field, const std::string& target, std::string_view parent,
                    const std::string& parent_name, bool in_chain) {
    std::string_view t = name_suffix(target);
    if (rules::iequals(t, parent)) return;
    const std::string want = parent.empty() ? "no suffix" : "." + std::string(parent);
    if (t.empty()) {
      ctx_.report_one_of<Rule::r1311, Rule::r1313>(in_chain ? Rule::r1311 : Rule::r1313, l, {target, parent_name, want}, field);
    } else {
      ctx_.report_one_of<Rule::r1310, Rule::r1312>(in_chain ? Rule::r1310 : Rule::r1312, l, {target, "." + std::string(t), parent_name, want}, field);
    }
  }

  // 1314/1315/1316/1319 for a target this INF does not define.
  void check_locatable(const inf::Line& l, std::size_t field, const std::string& target, bool section_includes) {
    if (section_includes) return;  // it may live in the included INF, which we cannot open
    if (any_include_) {
      ctx_.report<Rule::r1314>(l, {target}, field);
      return;
    }
    if (auto owner = inbox_inf_for(target); !owner.empty()) {
      ctx_.report<Rule::r1319>(l, {target, std::string(owner)}, field);
    } else {
      ctx_.report_one_of<Rule::r1316, Rule::r1315>(has_platform_decoration(target) ? Rule::r1316 : Rule::r1315, l, {target}, field);
    }
  }

  // 1317: the Included INFs that the platform has must define the target.
  void check_on_product(const inf::Line& l, std::size_t field, const std::string& target,
                        const std::vector<inf::Line>& includes) {
    const auto* product = ctx_.settings().product.get();
    if (!product) return;
    const std::string t = inf::to_lower_ascii(target);
    std::vector<std::string> searched;
    for (const auto& inc : includes) {
      for (std::size_t i = 0; i < inc.field_count(); ++i) {
        const std::string name = util::trimmed_field(inc, i);
        const auto* p = name.empty() ? nullptr : product->find(name);
        if (!p) continue;
        if (p->sections.empty() || std::binary_search(p->sections.begin(), p->sections.end(), t)) return;
        searched.push_back(name);
      }
    }
    if (searched.empty()) return;
    std::string list;
    for (const auto& s : searched) list += (list.empty() ? "" : ", ") + s;
    ctx_.report<Rule::r1317>(l, {target, list, product->path}, field);
  }

  // 1220: a missing section named by a directive other than Needs, whose name shows that it belongs
  // to an included INF (it starts with that INF's name, as inbox sections do, e.g. KS.Registration
  // for ks.inf). Other missing names are plain typos, not uses of an included INF.
  void check_direct_references() {
    if (!any_include_) return;
    for (const auto& r : ctx_.pkg().references) {
      if (r.exists || rules::iequals(r.directive, "Needs")) continue;
      auto owner = included_owner(std::string(r.target));
      if (!owner || !ctx_.first_time(Rule::r1220, r.line, r.field)) continue;
      ctx_.report<Rule::r1220>(r.line, {std::string(r.target), std::string(r.directive), *owner}, r.field);
    }
  }

  // The included INF a section name belongs to, judged by its name.
  std::optional<std::string> included_owner(const std::string& target) const {
    const std::string t = inf::to_lower_ascii(target);
    std::string_view by_prefix = inbox_inf_for(target);
    for (const auto& [idx, use] : uses_) {
      for (const auto& l : use.includes) {
        for (std::size_t i = 0; i < l.field_count(); ++i) {
          const std::string name = inf::to_lower_ascii(util::trimmed_field(l, i));
          if (name.size() < 5) continue;
          if (!by_prefix.empty() && name == by_prefix) return name;
          const std::string base = name.substr(0, name.size() - 4);
          if (t == base || (t.size() > base.size() && t.compare(0, base.size(), base) == 0 &&
                            (t[base.size()] == '.' || t[base.size()] == '_'))) {
            return name;
          }
        }
      }
    }
    return std::nullopt;
  }

  Context& ctx_;
  std::map<std::size_t, SectionUse> uses_;
  bool any_include_ = false;
};

}  // namespace

void run_include_rules(Context& ctx) { IncludeRules(ctx).run(); }

}  // namespace isodrv::rules
