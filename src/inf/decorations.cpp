// Section-name decorations: platform extensions for install sections and TargetOSVersion
// decorations for Models sections, evaluated for one target architecture and OS build.
#include <charconv>

#include "inf/document_impl.h"

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

std::optional<std::uint32_t> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

OsDecoration parse_os_decoration(std::string_view text) {
  OsDecoration d;
  d.text = std::string(trim(text));
  std::string_view t = d.text;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= t.size(); ++i) {
    if (i == t.size() || t[i] == '.') {
      parts.push_back(t.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.empty() || parts[0].size() < 2 || !iequals(parts[0].substr(0, 2), "NT") || parts.size() > 6) {
    d.valid = false;
    return d;
  }
  std::string_view arch = parts[0].substr(2);
  if (!arch.empty()) {
    d.arch = parse_arch(arch);
    if (!d.arch || iequals(arch, "x64") || iequals(arch, "i386") || iequals(arch, "aarch64")) d.valid = false;
  }
  std::optional<std::uint32_t>* slots[5] = {&d.major, &d.minor, &d.product_type, &d.suite_mask, &d.build};
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    auto v = parse_number(parts[i]);
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

std::string Document::actual_install_section(std::string_view base, Arch arch) const {
  std::string decorated = std::string(base) + ".NT" + std::string(arch_name(arch));
  if (auto s = section(decorated)) return std::string(s->name());
  std::string nt = std::string(base) + ".NT";
  if (auto s = section(nt)) return std::string(s->name());
  if (auto s = section(base)) return std::string(s->name());
  return std::string(base);
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
      e.models_base = std::string(trim(line.field(0)));
      for (std::size_t i = 1; i < line.field_count(); ++i) {
        std::string dec = line.field(i);
        if (trim(dec).empty()) continue;
        e.decorations.push_back(parse_os_decoration(dec));
      }
    } else {
      e.name = line.field(0);
      e.models_base = e.name;
    }
    // Closest applicable decoration: highest version, then highest build, then the plainer one.
    const OsDecoration* best = nullptr;
    auto rank = [](const OsDecoration& d) {
      return std::tuple(d.major.value_or(0), d.minor.value_or(0), d.build.value_or(0),
                        d.arch.has_value() ? 1 : 0, (d.product_type || d.suite_mask) ? 0 : 1);
    };
    for (const auto& d : e.decorations) {
      if (!os_decoration_applies(d, t)) continue;
      if (!best || rank(d) > rank(*best)) best = &d;
    }
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
