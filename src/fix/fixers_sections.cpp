// Fixes of whole lines and section headers: PnpLockdown=1 in [Version] (1324), an architecture
// decoration for [DefaultInstall] (1421), and legacy directives or installer registrations that
// current Windows ignores, removed (1301, 1303, 1450).
#include <algorithm>

#include "fix/fixers.h"

namespace isodrv::fix::detail {
namespace {

// The last physical line of a section's content, or its header when it has none.
std::uint32_t last_line_of(const inf::Section& s) {
  std::uint32_t last = s.line();
  for (const auto& l : s) last = std::max(last, l.end_line());
  return last;
}

// " = " when the section's first line spaces its '=' so, else "=".
std::string equals_style(const FixContext& c, const inf::Section& s) {
  if (s.line_count() == 0) return " = ";
  const std::string t = c.src.text(s.line_at(0).line());
  const std::size_t eq = t.find('=');
  if (eq == std::string_view::npos) return " = ";
  return std::string(eq > 0 && t[eq - 1] == ' ' ? " " : "") + "=" + (eq + 1 < t.size() && t[eq + 1] == ' ' ? " " : "");
}

// Architectures the package names in section decorations (NTamd64, NTarm64 …), as written.
std::vector<std::string> declared_architectures(const inf::Document& doc) {
  std::vector<std::string> out;
  auto add = [&](std::string_view deco) {
    std::string_view a = deco.substr(0, deco.find('.'));
    if (a.size() <= 2 || !inf::iequals(a.substr(0, 2), "NT")) return;
    for (const auto& o : out) {
      if (inf::iequals(o, a)) return;
    }
    out.emplace_back(a);
  };
  for (std::size_t i = 0; i < doc.section_count(); ++i) add(inf::split_decoration(doc.section_at(i).name()).decoration);
  if (auto m = doc.section("Manufacturer")) {
    for (const auto& l : *m) {
      for (std::size_t f = 1; f < l.field_count(); ++f) add(l.field(f));
    }
  }
  return out;
}

// The header line with the name inside its brackets replaced.
std::optional<std::string> renamed_header(std::string_view text, std::string_view name) {
  const std::size_t open = text.find('['), close = text.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  return std::string(text.substr(0, open + 1)) + std::string(name) + std::string(text.substr(close));
}

}  // namespace

void fix_pnplockdown(FixContext& c, diag::Diagnostic& d) {
  auto version = c.doc.section("Version");
  if (!version) return no_fix(d, "the INF has no [Version] section to add PnpLockdown to");
  d.fix->description = "PnpLockdown=1 in [Version]";
  if (auto l = version->find("PnpLockdown")) {
    auto text = c.src.with_field(l->line(), 0, "1");
    if (!text) return no_fix(d, "the PnpLockdown line has no value field");
    add_edits(*d.fix, c.src.replace_line(l->line(), *text));
    return;
  }
  d.fix->edits.push_back(c.src.insert_after(last_line_of(*version), {"PnpLockdown" + equals_style(c, *version) + "1"}));
}

void fix_default_install(FixContext& c, diag::Diagnostic& d) {
  std::string deco;
  if (c.inx) {
    deco = "NT$ARCH$";
  } else {
    const auto archs = declared_architectures(c.doc);
    if (archs.size() > 1) {
      return no_fix(d, "the package declares several architectures; write one [DefaultInstall.NT<arch>] per architecture");
    }
    deco = archs.empty() ? "NT" + std::string(inf::arch_name(c.pkg.target.arch)) : archs[0];
  }
  const std::string base(d.section.empty() ? "DefaultInstall" : d.section);
  if (c.doc.has_section(base + "." + deco)) return no_fix(d, "[" + base + "." + deco + "] exists already");
  d.fix->description = "[" + base + "] renamed [" + base + "." + deco + "]";
  // The section and its undecorated companions ([DefaultInstall.Services] …) move together.
  for (std::size_t i = 0; i < c.doc.section_count(); ++i) {
    const inf::Section s = c.doc.section_at(i);
    const std::string_view name = s.name();
    if (!inf::split_decoration(name).decoration.empty() || name.size() < base.size() ||
        !inf::iequals(name.substr(0, base.size()), base) || (name.size() > base.size() && name[base.size()] != '.')) {
      continue;
    }
    const std::string_view rest = name.size() > base.size() ? name.substr(base.size() + 1) : std::string_view();
    const std::string new_name = base + "." + deco + (rest.empty() ? "" : "." + std::string(rest));
    for (std::uint32_t h : s.header_lines()) {
      auto text = renamed_header(c.src.text(h), new_name);
      if (!text) return no_fix(d, "a header of [" + std::string(s.name()) + "] cannot be read");
      add_edits(*d.fix, c.src.replace_line(h, *text));
    }
  }
}

void fix_remove_line(FixContext& c, diag::Diagnostic& d) {
  if (d.line == 0) return no_fix(d, "the finding has no line");
  const std::string text(c.src.text(d.line));
  d.fix->edits.push_back(c.src.delete_line(d.line));
  diag::Migration m;
  m.kind = "removed";
  m.line = d.line;
  m.inf_text = text;
  m.before = text;
  m.after = "(removed)";
  if (d.code == 1450) {
    d.fix->description = "framework co-installer registration removed";
    m.api = "none: KMDF and UMDF 2 load the framework without a co-installer";
  } else if (d.code == 1303) {
    d.fix->description = "installer registration removed";
    m.api = "what the installer did moves into the driver or a device app (CM_Open_DevNode_Key / "
            "IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DEVICE) for device settings)";
  } else {
    d.fix->description = "legacy directive removed";
    m.api = "what the directive did moves into the driver (state under IoOpenDriverRegistryKey / "
            "IoGetDriverDirectory(DriverDirectoryData)) or an installer app";
  }
  d.fix->migrations.push_back(std::move(m));
}

}  // namespace isodrv::fix::detail
