// libFuzzer target for the state path resolution: any Windows path either is refused or maps to a
// host path inside the root, and that host path maps back to the same normalized Windows path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "isodrv/api.h"

using namespace isodrv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view path(reinterpret_cast<const char*>(data), size);
  // A root that does not exist: resolution is lexical plus lookups that find nothing.
  static const std::string root = "/nonexistent-isodrv-fuzz-root";
  auto norm = api::normalize_windows_path(path);
  if (!norm.ok()) return 0;
  auto host = api::windows_to_host(root, *norm);
  if (!host.ok()) return 0;
  if (host->compare(0, root.size(), root) != 0 || (host->size() > root.size() && (*host)[root.size()] != '/')) {
    __builtin_trap();  // escaped the root
  }
  if (host->find("/../") != std::string::npos || host->find("/./") != std::string::npos) __builtin_trap();
  auto back = api::host_to_windows(root, *host);
  if (!back.ok()) __builtin_trap();
  auto again = api::windows_to_host(root, *back);
  if (!again.ok() || *again != *host) __builtin_trap();
  return 0;
}
