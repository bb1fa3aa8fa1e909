// Windows paths of the emulated installation and their host paths below a store root: the one
// mapping (issue 16 part 3). The store (FileRepository, INF), the install engine (CopyFiles,
// DelFiles and RenFiles targets, state folders, verify) and the state-location API all map here.
// Nothing maps outside the root: "." and ".." components are refused, as is any other drive.
#pragma once

#include <string>
#include <string_view>

#include "isodrv/result.h"

namespace isodrv::store {

// The emulated installation has one drive, C:, with the system root C:\Windows (DESIGN.md §4).
inline constexpr std::string_view kSystemDrive = "C:";
inline constexpr std::string_view kSystemRoot = "C:\\Windows";
// Folders the store, the engine and the API name (host spellings fixed by DESIGN.md §2).
inline constexpr const char* kDriverStoreFolder = "C:\\Windows\\System32\\DriverStore";
inline constexpr const char* kFileRepositoryFolder = "C:\\Windows\\System32\\DriverStore\\FileRepository";
inline constexpr const char* kInfFolder = "C:\\Windows\\INF";
inline constexpr const char* kServiceStateFolder = "C:\\Windows\\ServiceState";
inline constexpr const char* kDeviceStateFolder = "C:\\Windows\\DeviceState";

// How a Windows path handed to windows_to_host is spelled.
enum class PathSpelling {
  // An ImagePath or API argument: every form normalize_windows_path accepts; an empty component,
  // "." or "/" inside a component is refused.
  windows,
  // A path the install engine joined from an INF (DIRID folder, DestinationDirs subdirectory, file
  // name): "C:\…" only; "/" separates like "\", and empty and "." components are skipped.
  inf_destination,
};

// Turns every ImagePath form Windows accepts into a drive path "C:\…": "\SystemRoot\…",
// "%SystemRoot%\…" (and %windir%), "System32\…" (relative to the system root), "\??\C:\…",
// "C:\…", optionally enclosed in double quotes. Errc::invalid_argument for another form or drive,
// Errc::path_escape for "." / ".." components.
Result<std::string> normalize_windows_path(std::string_view path);
// The host path of a Windows path below `root` (DESIGN.md §2: "C:\Windows" → "<root>/Windows").
// Components are matched case-insensitively: the fixed spellings of DESIGN.md §2 first, then an
// existing host entry, else the spelling given. Errc::path_escape for ".." (and, spelled `windows`,
// "." or "/"), Errc::invalid_argument for another drive or form.
Result<std::string> windows_to_host(const std::string& root, std::string_view windows_path,
                                    PathSpelling spelling = PathSpelling::windows);
// The host folder of one of the fixed folders above (kFileRepositoryFolder …): no file-system lookup.
std::string host_folder(const std::string& root, const char* fixed_folder);
// The drive path of a host path below `root` ("<root>/Windows/INF/oem0.inf" → "C:\Windows\INF\oem0.inf"),
// compared lexically. Errc::path_escape for a path outside the root or with "." / ".." components.
Result<std::string> host_to_windows(const std::string& root, const std::string& host_path);

}  // namespace isodrv::store
