// The sections that directives of reachable install sections name (AddComponent, AddSoftware,
// AddEventProvider, KmdfService, AddFilter …), each once, with the directive that named it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
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

inline std::vector<NamedSection> named_sections(const Context& ctx, std::initializer_list<std::string_view> directives) {
  std::vector<NamedSection> out;
  // Each document section once, by index (the name lookup is case-insensitive, so this is the
  // set of lower-cased names it replaced, without a copy per name). Few sections match: a short
  // vector, which allocates nothing when none does (a flag per document section cost more).
  std::vector<std::uint32_t> seen;
  const auto& sections = ctx.pkg().sections;
  for (std::size_t i = 0, n = sections.size(); i < n; ++i) {
    const auto& s = sections[i];
    if (!s.exists || !s.has_reference) continue;
    auto key = s.reference.raw_key();
    if (!key || !util::is_one_of(*key, directives)) continue;
    auto sec = ctx.install_section(i);
    if (!sec || std::find(seen.begin(), seen.end(), sec->index()) != seen.end()) continue;
    seen.push_back(sec->index());
    out.push_back({*sec, s.reference, std::string(*key)});
  }
  return out;
}

}  // namespace isodrv::rules
