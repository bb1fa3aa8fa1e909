// The sections that directives of reachable install sections name (AddComponent, AddSoftware,
// AddEventProvider, KmdfService, AddFilter …), each once, with the directive that named it.
#pragma once

#include <initializer_list>
#include <set>
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
  std::set<std::string> seen;
  for (const auto& s : ctx.pkg().sections) {
    if (!s.exists || !s.has_reference) continue;
    auto key = s.reference.raw_key();
    if (!key || !util::is_one_of(*key, directives)) continue;
    if (!seen.insert(inf::to_lower_ascii(s.name)).second) continue;
    auto sec = ctx.doc().section(s.name);
    if (sec) out.push_back({*sec, s.reference, std::string(*key)});
  }
  return out;
}

}  // namespace isodrv::rules
