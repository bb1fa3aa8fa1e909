// The sections that directives of reachable install sections name (AddComponent, AddSoftware,
// AddEventProvider, KmdfService, AddFilter …), each once, with the directive that named it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {

// A section named by a directive, with that directive's name; each section once.
struct NamedSection {
  inf::Section section;
  inf::Line reference;
  std::string directive;
};

// The directives that name sections the families look into, one bit each; their names, in bit
// order, in kSectionDirectives. Context keeps the Package::sections entries a line with one of these
// keys references (DocumentFacts::directive_sections, with the directive's bit), so each of the
// eight calls of named_sections a file walks those few entries, with no name comparison.
enum SectionDirective : std::uint32_t {
  kAddComponent = 1u << 0,
  kAddSoftware = 1u << 1,
  kAddEventProvider = 1u << 2,
  kKmdfService = 1u << 3,
  kUmdfService = 1u << 4,
  kAddComServer = 1u << 5,
  kAddFilter = 1u << 6,
};
inline constexpr std::string_view kSectionDirectives[] = {"AddComponent", "AddSoftware", "AddEventProvider",
                                                          "KmdfService",  "UmdfService", "AddComServer",
                                                          "AddFilter"};

// The place in kSectionDirectives of a directive's name (case-insensitive), or -1.
inline int section_directive(std::string_view key) {
  for (std::size_t d = 0; d < std::size(kSectionDirectives); ++d) {
    if (rules::iequals(key, kSectionDirectives[d])) return static_cast<int>(d);
  }
  return -1;
}

// The sections named by the directives of `directives` (SectionDirective bits), in the order of
// Package::sections.
inline std::vector<NamedSection> named_sections(const Context& ctx, std::uint32_t directives) {
  std::vector<NamedSection> out;
  // Each document section once, by index (the name lookup is case-insensitive, so this is the
  // set of lower-cased names it replaced, without a copy per name). Few sections match: a short
  // vector, which allocates nothing when none does (a flag per document section cost more).
  std::vector<std::uint32_t> seen;
  const auto& sections = ctx.pkg().sections;
  for (const DocumentFacts::DirectiveSection& ds : ctx.facts().directive_sections) {
    if (!(directives >> ds.directive & 1u)) continue;
    const auto& s = sections[ds.section];
    auto sec = ctx.install_section(ds.section);
    if (!sec || std::find(seen.begin(), seen.end(), sec->index()) != seen.end()) continue;
    seen.push_back(sec->index());
    out.push_back({*sec, s.reference, std::string(*s.reference.raw_key())});
  }
  return out;
}

}  // namespace isodrv::rules
