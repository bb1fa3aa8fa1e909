// The DIRID table: stock paths on a default Windows installation on drive C: (spec/dirids.md).
#include <array>

#include "isodrv/inf.h"

namespace isodrv::inf {
namespace {

struct DiridRow {
  long id;
  const char* suffix;  // appended to the Windows directory, or to the system drive when it starts with ':'
};

// Paths relative to the Windows directory unless marked with a leading ':' (relative to C:).
constexpr std::array<DiridRow, 36> kDirids{{
    {10, ""},
    {11, "\\System32"},
    {12, "\\System32\\drivers"},
    {17, "\\INF"},
    {18, "\\Help"},
    {20, "\\Fonts"},
    {21, "\\System32\\viewers"},
    {23, "\\System32\\spool\\drivers\\color"},
    {24, ":\\"},
    {25, ""},
    {30, ":\\"},
    {50, "\\System"},
    {51, "\\System32\\spool"},
    {52, "\\System32\\spool\\drivers"},
    {53, "\\System32\\config\\systemprofile"},
    {54, ":\\"},
    {55, "\\System32\\spool\\prtprocs\\x64"},
    {16406, ":\\ProgramData\\Microsoft\\Windows\\Start Menu"},
    {16407, ":\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs"},
    {16408, ":\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp"},
    {16409, ":\\Users\\Public\\Desktop"},
    {16415, "\\System32\\config\\systemprofile\\Favorites"},
    {16419, ":\\ProgramData"},
    {16422, ":\\Program Files"},
    {16425, "\\SysWOW64"},
    {16426, ":\\Program Files (x86)"},
    {16427, ":\\Program Files\\Common Files"},
    {16428, ":\\Program Files (x86)\\Common Files"},
    {16429, ":\\ProgramData\\Microsoft\\Windows\\Templates"},
    {16430, ":\\Users\\Public\\Documents"},
    {66000, "\\System32\\spool\\drivers\\x64"},
    {66001, "\\System32\\spool\\prtprocs\\x64"},
    {66002, "\\System32"},
    {66003, "\\System32\\spool\\drivers\\color"},
    {-1, ""},
    {65535, ""},
}};

}  // namespace

std::optional<std::string> dirid_path(long dirid, const DiridContext& ctx) {
  if (dirid == 0 || dirid == -1 || dirid == 65535) return std::string();  // DIRID_NULL / absolute
  if (dirid == 1) return ctx.src_path;
  if (dirid == 13) {
    if (!ctx.driver_store.empty()) return ctx.driver_store;
    return ctx.windows_dir + "\\System32\\DriverStore\\FileRepository";
  }
  for (const auto& row : kDirids) {
    if (row.id != dirid || row.id < 0 || row.id == 65535) continue;
    std::string_view s = row.suffix;
    if (!s.empty() && s[0] == ':') return ctx.system_drive + std::string(s.substr(1));
    return ctx.windows_dir + std::string(s);
  }
  return std::nullopt;
}

}  // namespace isodrv::inf
