// The instance-ID rules of registry_layout.h: an instance ID names a key below CCS\Enum and a folder
// below the emulated root, so the install engine and the API must refuse exactly the same IDs.
#include "isodrv/registry_layout.h"

namespace isodrv::registry_layout {
namespace {

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// Each '\'-separated component: not empty, not "." or "..". The number of components, or the error.
Result<int> count_components(std::string_view id) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t cut = id.find('\\', start);
    std::string_view c = id.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
    if (c.empty()) return Error(Errc::invalid_argument, "device " + in_quotes(id) + ": an instance ID has no empty component");
    if (c == "." || c == "..") {
      return Error(Errc::path_escape, "device " + in_quotes(id) + ": '.' and '..' components are refused");
    }
    ++parts;
    if (cut == std::string_view::npos) return parts;
    start = cut + 1;
  }
}

}  // namespace

Status check_instance_id(std::string_view id) {
  auto bad = [&](const std::string& why) { return Error(Errc::invalid_argument, "device " + in_quotes(id) + ": " + why); };
  if (id.empty()) return bad("the instance ID is empty");
  if (id.size() >= kMaxDeviceIdLen) {
    return bad("an instance ID is shorter than " + std::to_string(kMaxDeviceIdLen) + " characters");
  }
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == ',') return bad("characters must be printable ASCII other than space and ','");
    if (c == '/') return Error(Errc::path_escape, "device " + in_quotes(id) + ": '/' is refused in an instance ID");
  }
  auto parts = count_components(id);
  if (!parts) return parts.error();
  if (*parts != 3) return bad("an instance ID has the form <enumerator>\\<device ID>\\<instance ID>");
  return {};
}

}  // namespace isodrv::registry_layout
