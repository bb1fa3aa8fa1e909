// Driver ranking (driver-store.md §7): which Models entries of a package match a device, the rank
// value 0xSSGGTHHH of each match, and the order in which candidates are preferred.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isodrv/package.h"

namespace isodrv::devinst {

struct DeviceIds {
  std::vector<std::string> hardware_ids;    // most specific first
  std::vector<std::string> compatible_ids;  // most specific first
};

// DriverVer as a comparable value: date (yyyymmdd, 0 when missing or invalid) and w.x.y.z.
struct DriverVersion {
  std::uint32_t date = 0;
  std::uint64_t version = 0;  // w<<48 | x<<32 | y<<16 | z
  std::string date_text, version_text;
};
DriverVersion parse_driver_ver(std::string_view date, std::string_view version);

struct Match {
  const package::ModelEntry* entry = nullptr;
  std::string ddinstall;     // the decorated install section that applies (SetupDiGetActualSectionToInstall)
  std::uint32_t rank = 0xFFFFFFFF;
  std::uint32_t identifier_score = 0;
  std::uint8_t feature_score = 0xFF;
  std::uint8_t signature_score = 0xFF;
  DriverVersion driver_ver;  // DDInstall-level DriverVer overrides [Version]
};

// Identifier score of a Models entry for a device, or nullopt when no ID matches.
std::optional<std::uint32_t> identifier_score(const DeviceIds& device, const package::ModelEntry& entry);

// Signature scores we assign (the numbers are ours; only their order is documented).
inline constexpr std::uint8_t kSignatureSigned = 0x00;
inline constexpr std::uint8_t kSignatureUnsignedNtDecorated = 0x80;
inline constexpr std::uint8_t kSignatureUnsigned = 0xC0;

// Whether the package's signature is trusted, which decides its signature score (driver-store.md §7).
enum class Signing { unsigned_package, signed_package };

// The best match of one package for a device among the Models sections that apply to the
// target, or nullopt. `signing` comes from the store (catalogs are recorded, not verified: always
// unsigned today).
std::optional<Match> best_match(const package::Package& pkg, const DeviceIds& device, Signing signing);

// True when `a` is preferred over `b`: lower rank, then newer date, then higher version.
bool better(const Match& a, const Match& b);

}  // namespace isodrv::devinst
