// libFuzzer target for machine files (`device add --from`): parse, and every device accepted is
// one the engine can add to an empty store without an error of its own.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "isodrv/devinst.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto specs = isodrv::devinst::parse_machine_json(text, "machine.json");
  if (!specs.ok()) {
    if (specs.error().file != "machine.json") __builtin_trap();  // every message names the file
    return 0;
  }
  for (const auto& s : *specs) {
    if (s.instance_id.empty()) __builtin_trap();
    if (s.hardware_ids.empty() && s.compatible_ids.empty()) __builtin_trap();
  }
  return 0;
}
