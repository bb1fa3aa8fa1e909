// Name tables and the one function that validates relative key paths.
// Every open below a handle goes through split_relative_path, so confinement is checked once.
#include "registry/names.h"

#include <string>

#include "isodrv/registry.h"
#include "registry/text.h"

namespace isodrv::registry {

std::string_view type_name(std::uint32_t type) {
  if (type < std::size(names::kTypeNames)) return names::kTypeNames[type];
  return {};
}

bool parse_type_name(std::string_view name, std::uint32_t& type) {
  std::string upper = text::fold(name);
  for (std::uint32_t t = 0; t < std::size(names::kTypeNames); ++t) {
    if (upper == names::kTypeNames[t]) {
      type = t;
      return true;
    }
  }
  return false;
}

std::string fold_name(std::string_view utf8) { return text::fold(utf8); }

Result<std::vector<std::string>> split_relative_path(std::string_view rel) {
  auto bad = [&](const std::string& why) {
    return Error(Errc::path_escape, "invalid relative key path: " + why);
  };
  if (rel.empty()) return bad("the path is empty");
  if (rel.find('\0') != std::string_view::npos) return bad("the path contains a NUL character");
  std::u16string wide;
  if (!text::utf8_to_utf16(rel, wide)) return bad("the path is not valid UTF-8");
  if (wide.size() > kMaxKeyPathChars) {
    return bad("the path is longer than " + std::to_string(kMaxKeyPathChars) + " characters");
  }
  if (rel.front() == '\\') return bad("the path starts with '\\'");
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = rel.find('\\', start);
    std::string_view part = rel.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty()) return bad("the path has an empty component");
    if (part == "." || part == "..") return bad("the path has a '" + std::string(part) + "' component");
    if (text::utf16_length(part) > kMaxKeyNameChars) {
      return bad("a key name is longer than " + std::to_string(kMaxKeyNameChars) + " characters");
    }
    parts.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace isodrv::registry
