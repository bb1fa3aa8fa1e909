// Section-name decorations: platform extensions for install sections and TargetOSVersion
// decorations for Models sections, evaluated for one target architecture and OS build.
#include <algorithm>
#include <array>
#include <cstring>

#include "inf/document_impl.h"
#include "base/text.h"

namespace isodrv::inf {

std::string_view arch_name(Arch a) {
  switch (a) {
    case Arch::x86: return "x86";
    case Arch::amd64: return "amd64";
    case Arch::arm: return "arm";
    case Arch::arm64: return "arm64";
    case Arch::ia64: return "ia64";
  }
  return "amd64";
}

std::optional<Arch> parse_arch(std::string_view s) {
  if (iequals(s, "amd64") || iequals(s, "x64")) return Arch::amd64;
  if (iequals(s, "x86") || iequals(s, "i386")) return Arch::x86;
  if (iequals(s, "arm64") || iequals(s, "aarch64")) return Arch::arm64;
  if (iequals(s, "arm")) return Arch::arm;
  if (iequals(s, "ia64")) return Arch::ia64;
  return std::nullopt;
}

namespace {

// A decoration part is a bare number: no blanks inside the decoration.
std::optional<std::uint32_t> decoration_number(std::string_view s) {
  if (s.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  return parse_u32(s);
}

using base::trim_view;

}  // namespace

OsDecoration parse_os_decoration(std::string_view text) {
  OsDecoration d;
  d.text = std::string(trim_view(text));
  const std::string_view t = d.text;
  // At most six parts (NT<arch> and five numbers): a fixed array instead of a vector per call, a
  // seventh part makes the decoration invalid.
  constexpr std::size_t kMaxParts = 6;
  std::array<std::string_view, kMaxParts> parts;
  std::size_t count = 0, start = 0;
  for (std::size_t i = 0; i <= t.size(); ++i) {
    if (i == t.size() || t[i] == '.') {
      if (count == kMaxParts) {
        d.valid = false;
        return d;
      }
      parts[count++] = t.substr(start, i - start);
      start = i + 1;
    }
  }
  if (parts[0].size() < 2 || !iequals(parts[0].substr(0, 2), "NT")) {
    d.valid = false;
    return d;
  }
  std::string_view arch = parts[0].substr(2);
  if (!arch.empty()) {
    d.arch = parse_arch(arch);
    if (!d.arch || iequals(arch, "x64") || iequals(arch, "i386") || iequals(arch, "aarch64")) d.valid = false;
  }
  std::optional<std::uint32_t>* slots[5] = {&d.major, &d.minor, &d.product_type, &d.suite_mask, &d.build};
  for (std::size_t i = 1; i < count; ++i) {
    if (parts[i].empty()) continue;
    auto v = decoration_number(parts[i]);
    if (!v) {
      d.valid = false;
      continue;
    }
    *slots[i - 1] = v;
  }
  if (d.product_type && (*d.product_type < 1 || *d.product_type > 3)) d.valid = false;
  return d;
}

bool os_decoration_applies(const OsDecoration& d, const Target& t) {
  if (!d.valid) return false;
  if (d.arch && *d.arch != t.arch) return false;
  const std::uint32_t maj = d.major.value_or(0), min = d.minor.value_or(0);
  if (d.major) {
    if (t.major < maj || (t.major == maj && t.minor < min)) return false;
  }
  if (d.product_type && *d.product_type != t.product_type) return false;
  if (d.suite_mask && (*d.suite_mask & t.suite_mask) != *d.suite_mask) return false;
  if (d.build) {
    // The build counts only when the target runs exactly the decoration's Major.Minor.
    if (!d.major || (t.major == maj && t.minor == min)) {
      if (t.build < *d.build) return false;
    }
  }
  return true;
}

const OsDecoration* best_decoration(const std::vector<const OsDecoration*>& candidates, const Target& t) {
  // Closest applicable decoration: highest version, then highest build, then one naming the
  // architecture, then the plainer one.
  auto rank = [](const OsDecoration& d) {
    return std::tuple(d.major.value_or(0), d.minor.value_or(0), d.build.value_or(0), d.arch.has_value() ? 1 : 0,
                      (d.product_type || d.suite_mask) ? 0 : 1);
  };
  const OsDecoration* best = nullptr;
  for (const OsDecoration* d : candidates) {
    if (!d || !os_decoration_applies(*d, t)) continue;
    if (!best || rank(*d) > rank(*best)) best = d;
  }
  return best;
}

namespace {

// "NT", "NTamd64" … or the unstamped "NT$ARCH$": the first component of a decoration.
bool is_platform_component(std::string_view c) {
  if (c.size() < 2 || !iequals(c.substr(0, 2), "NT")) return false;
  std::string_view a = c.substr(2);
  if (a.empty() || a == "$ARCH$") return true;
  return iequals(a, "x86") || iequals(a, "amd64") || iequals(a, "arm") || iequals(a, "arm64") || iequals(a, "ia64");
}

bool is_version_component(std::string_view c) {
  if (c.empty()) return true;
  if (c.size() > 2 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
    c.remove_prefix(2);
    return c.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  }
  return c.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

DecoratedName split_decoration(std::string_view name) {
  DecoratedName out;
  out.base = name;
  // Component boundaries: the first component is always part of the base.
  std::size_t dot = name.find('.');
  while (dot != std::string_view::npos) {
    std::size_t end = name.find('.', dot + 1);
    std::string_view comp = name.substr(dot + 1, end == std::string_view::npos ? std::string_view::npos : end - dot - 1);
    if (is_platform_component(comp)) {
      out.base = name.substr(0, dot);
      // Up to five version parts (Major, Minor, ProductType, SuiteMask, Build) follow.
      std::size_t dec_end = end;
      for (int parts = 0; parts < 5 && dec_end != std::string_view::npos; ++parts) {
        std::size_t next = name.find('.', dec_end + 1);
        std::string_view v =
            name.substr(dec_end + 1, next == std::string_view::npos ? std::string_view::npos : next - dec_end - 1);
        if (!is_version_component(v)) break;
        dec_end = next;
      }
      out.decoration = name.substr(dot + 1, dec_end == std::string_view::npos ? std::string_view::npos : dec_end - dot - 1);
      if (dec_end != std::string_view::npos) out.rest = name.substr(dec_end + 1);
      return out;
    }
    dot = end;
  }
  return out;
}

Result<Target> parse_target_os(std::string_view text, Target base) {
  std::string_view t = trim_view(text);
  auto bad = [&] {
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "'" + std::string(text),
    // which inserts the literal in front of the text.
    std::string message = "'";
    message.append(text);
    message.append("' is not a target OS; write NTAMD64.10.0...22000, NTAMD64.10.0.0.22000 or 10.0.22000");
    return Error(Errc::invalid_argument, std::move(message));
  };
  if (t.empty()) return bad();
  Target out = base;
  out.exact = true;
  if (t.size() >= 2 && iequals(t.substr(0, 2), "NT")) {
    // NTAMD64.10.0.0.17763 (InfVerif's /wbuild example) is an architecture and a four-part
    // version, Major.Minor.0.Build, rather than a decoration with product type 0.
    const std::size_t dot = t.find('.');
    if (dot != std::string_view::npos) {
      std::string_view v = t.substr(dot + 1);
      if (std::count(v.begin(), v.end(), '.') == 3 && v.find("..") == std::string_view::npos &&
          v.find_first_not_of("0123456789.") == std::string_view::npos) {
        const std::size_t last = v.rfind('.');
        auto r = parse_target_os(std::string(v.substr(0, v.find('.', v.find('.') + 1))) + "." + std::string(v.substr(last + 1)), base);
        if (!r.ok()) return bad();
        OsDecoration d = parse_os_decoration(t.substr(0, dot));
        if (!d.valid) return bad();
        if (d.arch) r.value().arch = *d.arch;
        return r;
      }
    }
    OsDecoration d = parse_os_decoration(t);
    if (!d.valid || !d.major) return bad();
    if (d.arch) out.arch = *d.arch;
    out.major = *d.major;
    out.minor = d.minor.value_or(0);
    if (d.product_type) out.product_type = *d.product_type;
    // InfVerif's own example (NTAMD64.10.0.0.17763) writes 0 for "no product type".
    if (d.suite_mask) out.suite_mask = *d.suite_mask;
    if (d.build) out.build = *d.build;
    return out;
  }
  // MAJOR.MINOR.BUILD, or MAJOR.MINOR (the build stays the base target's: "10.0" is Windows 10.0
  // at the default build, as a decoration without a build matches every build).
  std::uint32_t parts[3] = {0, 0, 0};
  std::size_t n = 0, start = 0;
  while (true) {
    std::size_t dot = t.find('.', start);
    std::string_view p = t.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    auto v = decoration_number(p);
    if (!v || n == 3 || p.find_first_not_of("0123456789") != std::string_view::npos) return bad();
    parts[n++] = *v;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (n < 2) return bad();
  out.major = parts[0];
  out.minor = parts[1];
  if (n == 3) out.build = parts[2];
  return out;
}

std::string Document::actual_install_section(std::string_view base, Arch arch) const {
  return std::string(actual_install_section_name(base, arch));
}

std::string_view Document::actual_install_section_name(std::string_view base, Arch arch) const {
  // The candidates S.NT<arch> and S.NT are written into a stack buffer (a section name longer than
  // kMaxSectionNameLength cannot be opened, but a field can be longer: those take a string).
  constexpr std::size_t kRoom = kMaxSectionNameLength + 16;
  const std::string_view arch_text = arch_name(arch);
  const std::size_t full = base.size() + 3 + arch_text.size();
  std::array<char, kRoom> buffer;
  std::string spill;
  char* name = buffer.data();
  if (full > kRoom) {
    spill.resize(full);
    name = spill.data();
  }
  if (!base.empty()) std::memcpy(name, base.data(), base.size());
  std::memcpy(name + base.size(), ".NT", 3);
  std::memcpy(name + base.size() + 3, arch_text.data(), arch_text.size());
  const Impl& d = *impl_;
  if (const std::uint32_t s = d.find_section(std::string_view(name, full)); s != CiIndex::kNone) return d.section_name(s);
  if (const std::uint32_t s = d.find_section(std::string_view(name, base.size() + 3)); s != CiIndex::kNone) {
    return d.section_name(s);
  }
  if (const std::uint32_t s = d.find_section(base); s != CiIndex::kNone) return d.section_name(s);
  return base;
}

std::vector<ManufacturerEntry> Document::manufacturers(const Target& t) const {
  std::vector<ManufacturerEntry> out;
  auto mfg = section("Manufacturer");
  if (!mfg) return out;
  for (Line line : *mfg) {
    ManufacturerEntry e;
    e.line = line;
    if (line.has_key()) {
      e.name = *line.key();
      e.models_base = std::string(trim_view(line.field(0)));
      for (std::size_t i = 1; i < line.field_count(); ++i) {
        std::string dec = line.field(i);
        if (trim_view(dec).empty()) continue;
        e.decorations.push_back(parse_os_decoration(dec));
      }
    } else {
      e.name = line.field(0);
      e.models_base = e.name;
    }
    std::vector<const OsDecoration*> candidates;
    for (const auto& d : e.decorations) candidates.push_back(&d);
    const OsDecoration* best = best_decoration(candidates, t);
    if (best) {
      e.chosen_decoration = *best;
      std::string name = e.models_base + "." + best->text;
      if (auto s = section(name)) e.chosen_section = std::string(s->name());
      else e.chosen_section = name;
    } else if (auto s = section(e.models_base)) {
      e.chosen_section = std::string(s->name());
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace isodrv::inf
