// Where Windows keeps device, class, interface and service state in the registry (spec/registry-layout.md
// §1), declared once: the CurrentControlSet paths, the fixed subkey and value names, and the one
// check of a device instance ID. The install engine, the state-location API, the C ABI and the rules
// read these; none spells the paths itself.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "isodrv/result.h"

namespace isodrv::registry_layout {

inline constexpr std::string_view kCurrentControlSet = "HKLM\\SYSTEM\\CurrentControlSet";
inline constexpr std::string_view kEnumKey = "HKLM\\SYSTEM\\CurrentControlSet\\Enum";
inline constexpr std::string_view kClassKey = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class";
inline constexpr std::string_view kDeviceClassesKey = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\DeviceClasses";
inline constexpr std::string_view kServicesKey = "HKLM\\SYSTEM\\CurrentControlSet\\Services";
inline constexpr std::string_view kDeviceParameters = "Device Parameters";
inline constexpr std::string_view kParametersSubkey = "Parameters";
inline constexpr std::string_view kStateSubkey = "State";              // [ND] DESIGN.md §2
inline constexpr std::string_view kSharedStateSubkey = "SharedState";  // [ND] DESIGN.md §2
inline constexpr std::string_view kDriverValue = "Driver";              // {ClassGUID}\NNNN
inline constexpr std::string_view kImagePathValue = "ImagePath";

// MAX_DEVICE_ID_LEN (cfgmgr32.h): a device instance ID is shorter than this many characters.
inline constexpr std::size_t kMaxDeviceIdLen = 200;
// A service name is at most 256 characters (CreateService).
inline constexpr std::size_t kMaxServiceNameLen = 256;

// "<base>\<child>".
inline std::string join(std::string_view base, std::string_view child) {
  std::string out(base);
  out += '\\';
  out += child;
  return out;
}
// CCS\Enum\<instance ID>, CCS\Services\<name>, CCS\Control\Class\<{guid}>.
inline std::string enum_key(std::string_view instance_id) { return join(kEnumKey, instance_id); }
inline std::string service_key(std::string_view name) { return join(kServicesKey, name); }
inline std::string class_key(std::string_view class_guid) { return join(kClassKey, class_guid); }

// The one check of a device instance ID, shared by `device add`, the install engine and every API
// entry point: <enumerator>\<device ID>\<instance ID>, printable ASCII without space or ',', shorter
// than kMaxDeviceIdLen; '/', '.' and '..' are refused as path escapes.
Status check_instance_id(std::string_view id);

}  // namespace isodrv::registry_layout
