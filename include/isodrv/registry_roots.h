// The predefined registry roots, declared once: long and short names, where each lives in the
// emulated registry, and which of them an INF's reg-root field may name. Everything that spells a
// root (the INF model, rules, the registry, install, the API) reads this table.
#pragma once

#include <optional>
#include <string_view>

namespace isodrv::registry_roots {

struct Root {
  std::string_view long_name;   // HKEY_LOCAL_MACHINE
  std::string_view short_name;  // HKLM
  std::string_view hive;        // long name of the hive it is stored in (itself for a hive)
  std::string_view below;       // path below the hive ("" for a hive), '\'-separated
  bool inf_root;                // an AddReg/DelReg/BitReg reg-root may name it (HKCC is not one)
};

inline constexpr Root kRoots[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM", "HKEY_LOCAL_MACHINE", "", true},
    {"HKEY_USERS", "HKU", "HKEY_USERS", "", true},
    {"HKEY_CLASSES_ROOT", "HKCR", "HKEY_LOCAL_MACHINE", "SOFTWARE\\Classes", true},
    {"HKEY_CURRENT_USER", "HKCU", "HKEY_USERS", ".DEFAULT", true},
    {"HKEY_CURRENT_CONFIG", "HKCC", "HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current", false},
};

// The relative root of INF registry sections; what it means depends on the section (HkrBinding).
inline constexpr std::string_view kRelativeRoot = "HKR";

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

// The root named by `name`, long or short, case-insensitive; nullptr when none.
constexpr const Root* find(std::string_view name) {
  for (const auto& r : kRoots) {
    if (ascii_iequals(name, r.long_name) || ascii_iequals(name, r.short_name)) return &r;
  }
  return nullptr;
}

// Whether `short_name` (upper case, as the package model stores it) is a root an INF may name
// absolutely (HKR excluded).
constexpr bool is_inf_absolute_root(std::string_view short_name) {
  for (const auto& r : kRoots) {
    if (r.inf_root && short_name == r.short_name) return true;
  }
  return false;
}

}  // namespace isodrv::registry_roots
