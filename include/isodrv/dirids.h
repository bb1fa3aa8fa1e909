// The DIRID table, declared once (spec/dirids.md): each id's name, where it points on a default
// Windows installation on drive C:, whether Windows 11 24H2 deprecates it for signing, and whether
// InfVerif /h still accepts it as a destination. dirid_path, the file rules and install read it.
#pragma once

#include <cstdint>
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

}  // namespace isodrv::inf
