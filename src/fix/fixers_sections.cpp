// Fixes of whole lines and section headers: PnpLockdown=1 in [Version] (1324), an architecture
// decoration for [DefaultInstall] (1421), and legacy directives or installer registrations that
// current Windows ignores, removed (1301, 1303, 1450).
#include <algorithm>

#include "fix/fixers.h"

namespace isodrv::fix::detail {
namespace {

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

// The section holding physical line `line`.
std::optional<inf::Section> section_holding(const inf::Document& doc, std::uint32_t line) {
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    const inf::Section s = doc.section_at(i);
    for (const auto& l : s) {
      if (l.line() <= line && line <= l.end_line()) return s;
    }
  }
  return std::nullopt;
}

bool is_registration(const inf::Line& l) {
  return !l.has_key() && inf::iequals(l.raw_field(0), "HKR") && l.raw_field(1).empty() &&
         inf::iequals(l.field(2), "CoInstallers32");
}

// What removing a co-installer takes with it: its .CoInstallers sections, the AddReg sections they
// name (holding only CoInstallers32 registrations), and the file lists only they copy, with those
// lists' DestinationDirs entries.
struct CoInstaller {
  std::vector<inf::Section> sections;
  std::vector<std::uint32_t> destination_lines;
  std::vector<std::string> names;  // of the removed sections, for the report
};

// nullopt when the registration is not one that whole sections can go with (the AddReg section is
// shared with something else, holds other entries, or a .CoInstallers section holds other directives).
std::optional<CoInstaller> coinstaller_of(const inf::Document& doc, const inf::Section& reg) {
  CoInstaller out;
  if (reg.header_lines().size() != 1) return std::nullopt;
  for (const auto& l : reg) {
    if (!is_registration(l)) return std::nullopt;
  }
  const auto refs = references_to(doc, "AddReg", reg.name());
  if (refs.empty()) return std::nullopt;
  std::vector<std::string> lists;
  for (const auto& r : refs) {
    if (!is_coinstallers_section(r.from.name()) || r.from.header_lines().size() != 1) return std::nullopt;
    if (std::none_of(out.sections.begin(), out.sections.end(), [&](const inf::Section& s) { return s.index() == r.from.index(); })) {
      out.sections.push_back(r.from);
    }
  }
  for (const auto& s : std::vector<inf::Section>(out.sections)) {
    for (const auto& l : s) {
      auto key = l.raw_key();
      if (!l.has_key() || !key) return std::nullopt;
      if (inf::iequals(*key, "AddReg")) {
        for (std::size_t i = 0; i < l.field_count(); ++i) {
          if (!inf::iequals(l.field(i), reg.name())) return std::nullopt;  // another AddReg section
        }
      } else if (inf::iequals(*key, "CopyFiles")) {
        for (std::size_t i = 0; i < l.field_count(); ++i) {
          if (!l.field(i).empty() && l.field(i)[0] != '@') lists.push_back(l.field(i));
        }
      } else {
        return std::nullopt;
      }
    }
  }
  out.sections.push_back(reg);
  for (const auto& name : lists) {
    auto list = doc.section(name);
    if (!list || list->header_lines().size() != 1) continue;
    // A list another install section copies too stays.
    const auto users = references_to(doc, "CopyFiles", name);
    if (std::any_of(users.begin(), users.end(), [](const SectionRef& r) { return !is_coinstallers_section(r.from.name()); })) continue;
    if (std::any_of(out.sections.begin(), out.sections.end(), [&](const inf::Section& s) { return s.index() == list->index(); })) continue;
    out.sections.push_back(*list);
    if (auto dirs = doc.section("DestinationDirs")) {
      if (auto entry = dirs->find(name)) out.destination_lines.push_back(entry->line());
    }
  }
  for (const auto& s : out.sections) out.names.push_back("[" + std::string(s.name()) + "]");
  return out;
}

// A section from its header to its last line; the blank lines after it go too when a blank line
// already separates it from what comes before.
diag::Edit delete_section(const Source& src, const inf::Section& s) {
  std::uint32_t last = last_line_of(s);
  const auto blank = [&](std::uint32_t l) { return src.physical(l).find_first_not_of(" \t") == std::string_view::npos; };
  if (s.line() == 1 || blank(s.line() - 1)) {
    while (last < src.line_count() && blank(last + 1)) ++last;
  }
  return src.delete_lines(s.line(), last);
}

bool remove_coinstaller(FixContext& c, diag::Diagnostic& d, const std::string& text) {
  auto reg = section_holding(c.doc, d.line);
  if (!reg) return false;
  auto co = coinstaller_of(c.doc, *reg);
  if (!co) return false;
  for (const auto& s : co->sections) d.fix->edits.push_back(delete_section(c.src, s));
  for (std::uint32_t l : co->destination_lines) d.fix->edits.push_back(c.src.delete_line(l));
  std::string names;
  for (const auto& n : co->names) names += (names.empty() ? "" : ", ") + n;
  d.fix->description = "co-installer removed: " + names + (co->destination_lines.empty() ? "" : " and the lists' DestinationDirs entries");
  diag::Migration m;
  m.kind = "removed";
  m.line = d.line;
  m.inf_text = text;
  m.before = names;
  m.after = "(removed; the co-installer's files stay in the package, no longer copied)";
  m.api = d.code == 1450 ? "none: KMDF and UMDF 2 load the framework without a co-installer"
                         : "what the co-installer did moves into the driver or a device app (CM_Open_DevNode_Key / "
                           "IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DEVICE) for device settings)";
  d.fix->migrations.push_back(std::move(m));
  return true;
}

}  // namespace

std::vector<SectionRef> references_to(const inf::Document& doc, std::string_view directive, std::string_view name) {
  std::vector<SectionRef> out;
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    const inf::Section s = doc.section_at(i);
    for (const auto& l : s.find_all(directive)) {
      for (std::size_t f = 0; f < l.field_count(); ++f) {
        if (inf::iequals(l.field(f), name)) out.push_back({s, l});
      }
    }
  }
  return out;
}

bool is_coinstallers_section(std::string_view name) {
  constexpr std::string_view kSuffix = ".CoInstallers";
  return name.size() > kSuffix.size() && inf::iequals(name.substr(name.size() - kSuffix.size()), kSuffix);
}

std::uint32_t last_line_of(const inf::Section& s) {
  std::uint32_t last = s.line();
  for (const auto& l : s) last = std::max(last, l.end_line());
  return last;
}

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
  if ((d.code == 1303 || d.code == 1450) && remove_coinstaller(c, d, text)) return;
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
