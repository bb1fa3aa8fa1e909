// The registry's names: the predefined roots (from isodrv/registry_roots.h), the keys created with
// every registry, value type names (from isodrv/reg_types.h). Internal to src/registry.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "isodrv/reg_types.h"
#include "isodrv/registry_roots.h"

namespace isodrv::registry::names {

// A root name as written in paths. Hives are stored as top-level keys; aliases name a key below a
// hive (docs/registry.md explains the choices). The table is include/isodrv/registry_roots.h.
using Root = registry_roots::Root;
using registry_roots::kRoots;

// Keys every registry has; they (and the hives) cannot be deleted. Paths below a hive.
struct PredefinedKey {
  std::string_view hive;
  std::string_view path;
};
inline constexpr PredefinedKey kPredefinedKeys[] = {
    {"HKEY_LOCAL_MACHINE", "SYSTEM"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Control"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Control\\Class"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Control\\DeviceClasses"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Enum"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Services"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Hardware Profiles"},
    {"HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current"},
    {"HKEY_LOCAL_MACHINE", "SOFTWARE"},
    {"HKEY_LOCAL_MACHINE", "SOFTWARE\\Classes"},
    {"HKEY_USERS", ".DEFAULT"},
};

// The root named by `name` (long or short, case-insensitive).
constexpr const Root* find_root(std::string_view name) { return registry_roots::find(name); }

// Value type names, by type number (isodrv/reg_types.h).
inline constexpr auto& kTypeNames = kRegTypeNames;

// .reg file headers.
inline constexpr std::string_view kRegedit5Header = "Windows Registry Editor Version 5.00";
inline constexpr std::string_view kRegedit4Header = "REGEDIT4";

}  // namespace isodrv::registry::names
