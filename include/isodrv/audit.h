// The isolation audit: records of state accesses that break driver package isolation (opens by
// absolute path, writes outside the driver's own state), kept durably in the store's registry.db,
// and the advice each record carries (the state API the driver should call instead).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/registry.h"
#include "isodrv/result.h"

namespace isodrv::audit {

// The kinds of violation, each mirroring one Driver Verifier driver-isolation check (docs/api.md).
enum class Kind {
  registry_absolute,      // a key opened or created by absolute name (\Registry\Machine\…, HKLM\…)
  registry_relative,      // a key opened below a handle that did not come from a state API
  registry_write,         // a value or key changed through such a handle (outside the driver's state)
  file_absolute,          // a file or directory opened by absolute name (\SystemRoot\…, C:\Windows\…)
  file_write,             // a file written through such a handle
};
std::string_view kind_name(Kind kind);  // "registry-absolute" …

struct Record {
  std::int64_t id = 0;           // assigned by append, increasing
  std::string time;              // UTC, "2026-12-06T03:21:20Z"
  std::string subject;           // "driver quokka", "device ROOT\QUOKKA\0000" or "process" when unbound
  std::string call;              // the Windows routine: "ZwOpenKey", "RegOpenKeyExW" …
  std::string path;              // the absolute path as the driver named it
  std::string alternative;       // "use IoOpenDriverRegistryKey(DriverRegKeyParameters)"
  Kind kind = Kind::registry_absolute;
  bool denied = false;           // enforce mode refused the call; audit mode let it through
  std::uint64_t return_address = 0;  // the caller's return address
};

// Which routines the caller uses: the advice names kernel (Io*, Zw*) or user-mode (Get*, CM_*) ones.
enum class CallerMode { kernel, user };

// The advice for an absolute registry path ("\Registry\Machine\…" or "HKLM\…"): which state API
// reaches that location relatively, named for `mode`.
std::string registry_alternative(std::string_view path, CallerMode mode);
// The same for a file path ("\SystemRoot\…", "\??\C:\…", "C:\Windows\…").
std::string file_alternative(std::string_view path, CallerMode mode);

// The audit table lives in the store's registry.db (created on first append). Appending assigns
// the id and, when empty, the time.
Status append(const registry::Registry& reg, Record& record);
// Every record in id order; empty when nothing was ever recorded (nothing is created).
Result<std::vector<Record>> list(const registry::Registry& reg);
// Deletes every record; returns how many there were.
Result<std::size_t> clear(const registry::Registry& reg);

}  // namespace isodrv::audit
