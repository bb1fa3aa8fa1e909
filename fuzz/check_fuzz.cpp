// libFuzzer target for `check` end to end: bytes in, every rule of every family over the parsed
// document in each validation mode, as `isodrv check` runs them (no files are read or written).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "isodrv/check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  isodrv::check::Options opts;
  // The first byte picks the mode and architecture, so mode-dependent rules are reached too.
  const std::uint8_t sel = size ? data[0] : 0;
  static constexpr isodrv::diag::Mode kModes[] = {isodrv::diag::Mode::k, isodrv::diag::Mode::u, isodrv::diag::Mode::w,
                                                  isodrv::diag::Mode::h};
  opts.settings.mode = kModes[sel & 3];
  opts.settings.target.arch = (sel & 4) ? isodrv::inf::Arch::arm64 : isodrv::inf::Arch::amd64;
  const std::string path = (sel & 8) ? "fuzz.inx" : "fuzz.inf";
  auto res = isodrv::check::check_bytes(bytes, path, opts);
  for (const auto& d : res.diagnostics) {
    if (d.message.empty()) __builtin_trap();  // every finding says something
  }
  return 0;
}
