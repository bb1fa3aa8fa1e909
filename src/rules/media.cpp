// Rule family "media": display (2600–2603), camera and kernel-streaming (2650–2652) and audio
// processing object (2661–2663) INFs.
//
// Decisions where InfVerif's table is terse (each is repeated in docs/rules/NNNN.md):
//   2600  a Display INF names its Direct3D user-mode driver (UserModeDriverName, …Wow) by a path in
//         a folder other than the driver store (%13%); a bare file name is left alone.
//   2601  the same for the OpenGL ICD values (OpenGLDriverName, OpenGLDriverNameWow).
//   2602  the function driver service of a Display INF is not demand-start (StartType = 3): display
//         miniports are loaded by Plug and Play for their adapter.
//   2603  Reboot or Restart in a Display INF: display drivers install and update without a restart.
//   2650  ServiceBinary or CopyFiles names an inbox kernel-streaming or USB class binary (ks.sys,
//         usbvideo.sys, portcls.sys …) instead of Include/Needs of the inbox INF that installs it
//         (INFs whose Provider is Microsoft or ReactOS — the inbox INFs themselves — are exempt).
//   2651  Needs names a section of a known inbox INF (ks.inf, kscaptur.inf, usbvideo.inf,
//         wdmaudio.inf, winusb.inf, wudfrd.inf) while the section's Include lines name other INFs.
//   2652  a Camera-class device with a kernel-mode function driver whose DDInstall Needs no section
//         of ks.inf, kscaptur.inf or usbvideo.inf (the kernel-streaming registration it relies on).
//   2661  AudioEngine\AudioProcessingObjects written by an INF whose class is not AudioProcessingObject.
//   2662  FX\<n> effect registration (HKR,FX\0,…) in an INF that does not Include wdmaudio.inf
//         (extension INFs are exempt: their base package includes it).
//   2663  wdmaudio.inf is Included but no Needs names a WDMAUDIO section.
#include <set>
#include <string>

#include "rules/facts.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::RegOp;

bool is_class(const Context& ctx, std::string_view name) { return rules::iequals(ctx.facts().version_class, name); }

// --- display ---------------------------------------------------------------------------------

bool in_driver_store(std::string_view raw) {
  const std::string t = facts::trim(raw);
  return (t.find('\\') == std::string::npos && t.find('/') == std::string::npos) ||
         inf::leading_dirid(t) == inf::kDiridDriverStore;
}

void check_display_path(Context& ctx, const RegOp& op) {
  if (!op.value_name) return;
  const std::string name = facts::trim(*op.value_name);
  std::optional<Rule> code;
  if (facts::starts_with_ci(name, "UserModeDriverName")) code = Rule::r2600;
  if (facts::starts_with_ci(name, "OpenGLDriverName")) code = Rule::r2601;
  if (!code) return;
  for (std::size_t i = 0; i < op.raw_data.size(); ++i) {
    if (in_driver_store(op.raw_data[i])) continue;
    ctx.report_one_of<Rule::r2600, Rule::r2601>(*code, op.line, {name, facts::trim(op.raw_data[i])}, 4 + i);
  }
}

void check_display_paths(Context& ctx) {
  for (const auto& list : ctx.pkg().lists) {
    if (list.kind != package::ListKind::regs) continue;
    for (const RegOp& op : package::first_use(ctx.pkg().regs, list, "AddReg")) check_display_path(ctx, op);
  }
}

void check_display_service(Context& ctx) {
  std::set<std::string> seen;
  for (const auto& s : ctx.pkg().services) {
    if (!s.flags || !(*s.flags & 0x2u) || !s.install_exists || !s.service_type || *s.service_type != 1) continue;
    if (!seen.insert(inf::to_lower_ascii(s.install_section)).second) continue;
    if (s.start_type && *s.start_type == 3) continue;
    auto it = s.values.find("starttype");
    const inf::Line& at = it == s.values.end() ? s.directive : it->second;
    ctx.report<Rule::r2602>(at, {s.name, s.start_type ? std::to_string(*s.start_type) : std::string("not set")});
  }
}

// Reboot and Restart are bare entries (no '='), so they are looked up in each reachable install section.
void check_display_restart(Context& ctx, Rule code) {
  util::SectionOnce done(ctx.doc());
  for (std::size_t i = 0; i < ctx.pkg().sections.size(); ++i) {
    if (!ctx.pkg().sections[i].exists) continue;
    auto sec = ctx.install_section(i);
    if (!sec || !done.first(*sec)) continue;
    for (inf::Line l : *sec) {
      auto k = l.raw_key();
      if (!k || l.has_key()) continue;
      const std::string word = facts::trim(*k);
      if (rules::iequals(word, "Reboot") || rules::iequals(word, "Restart")) ctx.report_one_of<Rule::r2603, Rule::r2004>(code, l, {word});
    }
  }
}

// --- camera and kernel streaming -------------------------------------------------------------

constexpr std::string_view kInboxBinaries[] = {"ks.sys",     "ksthunk.sys",  "usbvideo.sys", "usbaudio.sys",
                                               "usbaudio2.sys", "portcls.sys", "drmk.sys",     "stream.sys",
                                               "mskssrv.sys", "mspclock.sys", "swenum.sys"};
bool inbox_binary(std::string_view file) {
  for (auto b : kInboxBinaries) {
    if (rules::iequals(file, b)) return true;
  }
  return false;
}

struct InboxSection {
  std::string_view prefix;  // section names of the inbox INF start with it (then '.')
  std::string_view inf;
};
constexpr InboxSection kInboxSections[] = {
    {"KS", "ks.inf"},           {"KSCAPTUR", "kscaptur.inf"}, {"USBVideo", "usbvideo.inf"},
    {"WDMAUDIO", "wdmaudio.inf"}, {"WINUSB", "winusb.inf"},     {"WUDFRD", "wudfrd.inf"},
};
const InboxSection* inbox_section(std::string_view name) {
  for (const auto& s : kInboxSections) {
    if (name.size() > s.prefix.size() && name[s.prefix.size()] == '.' && facts::starts_with_ci(name, s.prefix)) return &s;
  }
  return nullptr;
}

// Windows' own INFs (and ReactOS's copies of them) install these binaries legitimately.
bool system_provider(const inf::Document& doc) {
  auto p = facts::version_value(doc, "Provider");
  if (!p) return false;
  const std::string v = inf::to_lower_ascii(p->text);
  return v.find("microsoft") != std::string::npos || v.find("reactos") != std::string::npos;
}

void check_inbox_binaries(Context& ctx) {
  if (system_provider(ctx.doc())) return;
  for (const auto& s : ctx.pkg().services) {
    const std::string file(facts::file_part(s.service_binary_raw));
    auto it = s.values.find("servicebinary");
    if (it == s.values.end() || !inbox_binary(file) || !ctx.first_time(Rule::r2650, it->second)) continue;
    ctx.report<Rule::r2650>(it->second, {file, "ServiceBinary"}, 0);
  }
  for (const auto& c : ctx.pkg().copies) {
    if (!inbox_binary(c.dest_name) || !ctx.first_time(Rule::r2650, c.line)) continue;
    ctx.report<Rule::r2650>(c.line, {c.dest_name, "CopyFiles"});
  }
}

void check_needs_without_include(Context& ctx) {
  for (const auto& d : ctx.pkg().directives) {
    if (!rules::iequals(d.name, "Needs") || !ctx.first_time(Rule::r2651, d.line)) continue;
    inf::Section sec = ctx.doc().section_at(d.line.section_index());
    std::set<std::string> included;
    for (const auto& inc : sec.find_all("Include")) {
      for (std::size_t i = 0; i < inc.field_count(); ++i) included.insert(inf::to_lower_ascii(util::trimmed_field(inc, i)));
    }
    if (included.empty()) continue;  // no Include at all: 1313 reports that
    for (std::size_t i = 0; i < d.line.field_count(); ++i) {
      const std::string target = facts::trim(d.line.field(i));
      const InboxSection* in = inbox_section(target);
      if (!in || ctx.doc().has_section(target) || included.count(std::string(in->inf))) continue;
      ctx.report<Rule::r2651>(d.line, {target, std::string(in->inf)}, i);
    }
  }
}

bool needs_ks(const inf::Section& s) {
  for (const auto& l : s.find_all("Needs")) {
    for (std::size_t i = 0; i < l.field_count(); ++i) {
      const InboxSection* in = inbox_section(util::trimmed_field(l, i));
      if (in && (in->prefix == "KS" || in->prefix == "KSCAPTUR" || in->prefix == "USBVideo")) return true;
    }
  }
  return false;
}

void check_camera_registration(Context& ctx) {
  if (!is_class(ctx, "Camera")) {
    auto guid = facts::version_value(ctx.doc(), "ClassGuid");
    if (!guid || !rules::iequals(guid->text, "{ca3e7ab9-b4c3-4ae6-8251-579ef933890f}")) return;
  }
  std::set<std::size_t> done;
  for (const auto& s : ctx.pkg().services) {
    if (!s.flags || !(*s.flags & 0x2u) || !s.service_type || *s.service_type != 1) continue;
    const std::size_t root = ctx.pkg().sections[s.context].root;
    if (!done.insert(root).second) continue;
    const auto& install = ctx.pkg().sections[root];
    auto sec = ctx.install_section(root);
    if (!sec || needs_ks(*sec)) continue;
    ctx.report_at<Rule::r2652>(sec->line(), 1, {std::string(install.name)}, std::string(install.name));
  }
}

// --- audio processing objects ----------------------------------------------------------------

bool fx_key(std::string_view subkey) {
  const std::string_view k = base::trim_view(subkey);
  if (!facts::starts_with_ci(k, "FX\\") || k.size() < 4) return false;
  return k[3] >= '0' && k[3] <= '9';
}

void check_apo(Context& ctx) {
  const bool apo_class = is_class(ctx, "AudioProcessingObject");
  const RegOp* first_fx = nullptr;
  for (const RegOp& op : ctx.pkg().regs) {
    if (op.kind == package::RegOpKind::add && op.root == "HKR" && fx_key(op.subkey)) {
      first_fx = &op;
      break;
    }
  }
  for (const auto& list : ctx.pkg().lists) {
    if (apo_class || list.kind != package::ListKind::regs) continue;
    for (const RegOp& op : package::first_use(ctx.pkg().regs, list, "AddReg")) {
      if (util::contains_ci(op.subkey, "audioengine\\audioprocessingobjects")) ctx.report<Rule::r2661>(op.line, {op.subkey}, 1);
    }
  }
  // An extension INF adds effects to a device whose base package already Includes wdmaudio.inf.
  if (!first_fx || ctx.facts().extension_inf) return;
  bool included = false;
  for (const auto& inc : ctx.pkg().includes) included = included || rules::iequals(facts::trim(inc), "wdmaudio.inf");
  if (!included) {
    ctx.report<Rule::r2662>(first_fx->line, {first_fx->subkey}, 1);
    return;
  }
  for (const auto& d : ctx.pkg().directives) {
    if (!rules::iequals(d.name, "Needs")) continue;
    for (std::size_t i = 0; i < d.line.field_count(); ++i) {
      const InboxSection* in = inbox_section(facts::trim(d.line.field(i)));
      if (in && in->prefix == "WDMAUDIO") return;
    }
  }
  ctx.report<Rule::r2663>(first_fx->line, {first_fx->subkey}, 1);
}

}  // namespace

void run_media_rules(Context& ctx) {
  const bool display = is_class(ctx, "Display");
  if (display) {
    check_display_paths(ctx);
    check_display_service(ctx);
  }
  check_display_restart(ctx, display ? Rule::r2603 : Rule::r2004);
  check_inbox_binaries(ctx);
  check_needs_without_include(ctx);
  check_camera_registration(ctx);
  check_apo(ctx);
}

}  // namespace isodrv::rules
