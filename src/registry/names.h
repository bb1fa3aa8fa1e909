// The registry's names in one place: predefined roots and their aliases, the keys created with
// every registry, value type names. Internal to src/registry.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace isodrv::registry::names {

// A root name as written in paths. Hives are stored as top-level keys; aliases name a key below a
// hive (docs/registry.md explains the choices).
struct Root {
  std::string_view long_name;   // HKEY_LOCAL_MACHINE
  std::string_view short_name;  // HKLM
  std::string_view hive;        // long name of the hive it lives in (itself for a hive)
  std::string_view below;       // path below the hive ("" for a hive), '\'-separated
};

inline constexpr Root kRoots[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM", "HKEY_LOCAL_MACHINE", ""},
    {"HKEY_USERS", "HKU", "HKEY_USERS", ""},
    {"HKEY_CLASSES_ROOT", "HKCR", "HKEY_LOCAL_MACHINE", "SOFTWARE\\Classes"},
    {"HKEY_CURRENT_USER", "HKCU", "HKEY_USERS", ".DEFAULT"},
    {"HKEY_CURRENT_CONFIG", "HKCC", "HKEY_LOCAL_MACHINE",
     "SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current"},
};

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
const Root* find_root(std::string_view name);

// Value type names, by type number.
inline constexpr std::string_view kTypeNames[] = {
    "REG_NONE",          "REG_SZ",
    "REG_EXPAND_SZ",     "REG_BINARY",
    "REG_DWORD",         "REG_DWORD_BIG_ENDIAN",
    "REG_LINK",          "REG_MULTI_SZ",
    "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
    "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
};

// .reg file headers.
inline constexpr std::string_view kRegedit5Header = "Windows Registry Editor Version 5.00";
inline constexpr std::string_view kRegedit4Header = "REGEDIT4";

}  // namespace isodrv::registry::names
