// The DIRID table, declared once (spec/dirids.md): each id's name, where it points on a default
// Windows installation on drive C:, whether Windows 11 24H2 deprecates it for signing, and whether
// InfVerif /h still accepts it as a destination. dirid_path, the file rules and install read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace isodrv::inf {

// Where a DIRID's path starts.
enum class DiridBase : std::uint8_t {
  none,          // defined, but no stock path (66004)
  empty,         // the empty string: DIRID_NULL, and the absolute DIRIDs whose subdir is the path
  source,        // the folder the INF is installed from
  driver_store,  // the package's FileRepository folder
  windows,       // the Windows directory + suffix
  system_drive,  // the system drive + suffix
};

struct DiridInfo {
  long id;
  std::string_view name;    // setupapi.h name, or a description for the printer ids
  DiridBase base;
  std::string_view suffix;  // appended to the base
  bool deprecated_24h2;     // deprecated for signing from Windows 11 24H2
  bool h_exception;         // InfVerif /h accepts it as a destination instead of 13
};

inline constexpr long kDiridAbsolute = -1;
inline constexpr long kDiridNull = 0;
inline constexpr long kDiridSource = 1;
inline constexpr long kDiridWindows = 10;
inline constexpr long kDiridSystem = 11;
inline constexpr long kDiridDrivers = 12;
inline constexpr long kDiridDriverStore = 13;
inline constexpr long kDiridAbsolute16Bit = 65535;

inline constexpr DiridInfo kDiridTable[] = {
    {-1, "DIRID_ABSOLUTE", DiridBase::empty, "", true, false},
    {0, "DIRID_NULL", DiridBase::empty, "", false, false},
    {1, "DIRID_SRCPATH", DiridBase::source, "", true, false},
    {10, "DIRID_WINDOWS", DiridBase::windows, "", false, true},
    {11, "DIRID_SYSTEM", DiridBase::windows, "\\System32", false, true},
    {12, "DIRID_DRIVERS", DiridBase::windows, "\\System32\\drivers", false, true},
    {13, "DIRID_DRIVER_STORE", DiridBase::driver_store, "", false, false},
    {17, "DIRID_INF", DiridBase::windows, "\\INF", true, false},
    {18, "DIRID_HELP", DiridBase::windows, "\\Help", true, false},
    {20, "DIRID_FONTS", DiridBase::windows, "\\Fonts", true, false},
    {21, "DIRID_VIEWERS", DiridBase::windows, "\\System32\\viewers", true, false},
    {23, "DIRID_COLOR", DiridBase::windows, "\\System32\\spool\\drivers\\color", false, true},
    {24, "DIRID_APPS", DiridBase::system_drive, "\\", true, false},
    {25, "DIRID_SHARED", DiridBase::windows, "", true, false},
    {30, "DIRID_BOOT", DiridBase::system_drive, "\\", true, false},
    {50, "DIRID_SYSTEM16", DiridBase::windows, "\\System", true, false},
    {51, "DIRID_SPOOL", DiridBase::windows, "\\System32\\spool", false, true},
    {52, "DIRID_SPOOLDRIVERS", DiridBase::windows, "\\System32\\spool\\drivers", false, true},
    {53, "DIRID_USERPROFILE", DiridBase::windows, "\\System32\\config\\systemprofile", true, false},
    {54, "DIRID_LOADER", DiridBase::system_drive, "\\", true, false},
    {55, "DIRID_PRINTPROCESSOR", DiridBase::windows, "\\System32\\spool\\prtprocs\\x64", false, true},
    {16406, "DIRID_COMMON_STARTMENU", DiridBase::system_drive, "\\ProgramData\\Microsoft\\Windows\\Start Menu", true, false},
    {16407, "DIRID_COMMON_PROGRAMS", DiridBase::system_drive, "\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs", true,
     false},
    {16408, "DIRID_COMMON_STARTUP", DiridBase::system_drive,
     "\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp", true, false},
    {16409, "DIRID_COMMON_DESKTOPDIRECTORY", DiridBase::system_drive, "\\Users\\Public\\Desktop", true, false},
    {16415, "DIRID_COMMON_FAVORITES", DiridBase::windows, "\\System32\\config\\systemprofile\\Favorites", true, false},
    {16419, "DIRID_COMMON_APPDATA", DiridBase::system_drive, "\\ProgramData", true, false},
    {16422, "DIRID_PROGRAM_FILES", DiridBase::system_drive, "\\Program Files", false, true},
    {16425, "DIRID_SYSTEM_X86", DiridBase::windows, "\\SysWOW64", false, true},
    {16426, "DIRID_PROGRAM_FILES_X86", DiridBase::system_drive, "\\Program Files (x86)", false, true},
    {16427, "DIRID_PROGRAM_FILES_COMMON", DiridBase::system_drive, "\\Program Files\\Common Files", false, true},
    {16428, "DIRID_PROGRAM_FILES_COMMONX86", DiridBase::system_drive, "\\Program Files (x86)\\Common Files", false, true},
    {16429, "DIRID_COMMON_TEMPLATES", DiridBase::system_drive, "\\ProgramData\\Microsoft\\Windows\\Templates", true, false},
    {16430, "DIRID_COMMON_DOCUMENTS", DiridBase::system_drive, "\\Users\\Public\\Documents", true, false},
    {66000, "printer driver directory", DiridBase::windows, "\\System32\\spool\\drivers\\x64", false, true},
    {66001, "print processor directory", DiridBase::windows, "\\System32\\spool\\prtprocs\\x64", false, true},
    {66002, "printer System32 files", DiridBase::windows, "\\System32", false, true},
    {66003, "printer color directory", DiridBase::windows, "\\System32\\spool\\drivers\\color", false, true},
    {66004, "printer ASP files", DiridBase::none, "", false, true},
    {65535, "DIRID_ABSOLUTE_16BIT", DiridBase::empty, "", true, false},
};

// The row of `id`; nullptr for ids the table does not define.
constexpr const DiridInfo* find_dirid(long id) {
  for (const auto& d : kDiridTable) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

constexpr bool dirid_deprecated_24h2(long id) {
  const DiridInfo* d = find_dirid(id);
  return d && d->deprecated_24h2;
}

constexpr bool dirid_h_exception(long id) {
  const DiridInfo* d = find_dirid(id);
  return d && d->h_exception;
}

// ---- %DIRID% tokens: the one reader (substitution, the rules and the model use it) -------------

// The DIRID a %token%'s name stands for when [Strings] does not define it: a decimal number, a
// leading '-' allowed, fewer than 12 characters (so it fits a long); nullopt for any other name.
constexpr std::optional<long> dirid_of_token(std::string_view name) {
  std::size_t k = name.size() > 1 && name[0] == '-' ? 1 : 0;
  if (name.empty() || name.size() >= 12) return std::nullopt;
  long v = 0;
  for (; k < name.size(); ++k) {
    if (name[k] < '0' || name[k] > '9') return std::nullopt;
    v = v * 10 + (name[k] - '0');
  }
  return name[0] == '-' ? -v : v;
}

// The name of the %token% that opens `raw` ("%12%\x.sys" gives "12"); nullopt when `raw` does not
// start with '%' or has no closing one.
constexpr std::optional<std::string_view> leading_token(std::string_view raw) {
  if (raw.empty() || raw[0] != '%') return std::nullopt;
  const std::size_t close = raw.find('%', 1);
  if (close == std::string_view::npos) return std::nullopt;
  return raw.substr(1, close - 1);
}

// The DIRID of the %DIRID% token that opens `raw` ("%12%\x.sys" gives 12); nullopt otherwise.
constexpr std::optional<long> leading_dirid(std::string_view raw) {
  const auto name = leading_token(raw);
  return name ? dirid_of_token(*name) : std::nullopt;
}

// Calls f(id) for every %DIRID% token of `raw`, pairing percent signs left to right as the
// substitution does ("%%" is a literal percent sign, "%name%" a string key).
template <class F>
constexpr void for_each_dirid_token(std::string_view raw, F&& f) {
  std::size_t i = 0;
  while ((i = raw.find('%', i)) != std::string_view::npos) {
    const std::size_t close = raw.find('%', i + 1);
    if (close == std::string_view::npos) return;
    if (auto id = dirid_of_token(raw.substr(i + 1, close - i - 1))) f(*id);
    i = close + 1;
  }
}

}  // namespace isodrv::inf
