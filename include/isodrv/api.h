// The state-location API: what an isolated driver calls to reach its registry keys and directories
// (IoOpenDeviceRegistryKey, IoOpenDriverRegistryKey, IoGetDriverDirectory … in C++ form).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "isodrv/registry.h"
#include "isodrv/registry_layout.h"
#include "isodrv/result.h"
#include "isodrv/store_paths.h"

namespace isodrv::api {

// Registry locations of the classic layout and the instance-ID rules live in registry_layout.h,
// where the install engine reaches them too; the API names them as before.
using registry_layout::check_instance_id;
using registry_layout::kClassKey;
using registry_layout::kCurrentControlSet;
using registry_layout::kDeviceClassesKey;
using registry_layout::kDeviceParameters;
using registry_layout::kDriverValue;
using registry_layout::kEnumKey;
using registry_layout::kImagePathValue;
using registry_layout::kMaxDeviceIdLen;
using registry_layout::kMaxServiceNameLen;
using registry_layout::kParametersSubkey;
using registry_layout::kServicesKey;
using registry_layout::kSharedStateSubkey;
using registry_layout::kStateSubkey;

// The numbers are those of the Windows enumerations (DRIVER_REGKEY_TYPE, DRIVER_DIRECTORY_TYPE).
enum class DeviceKeyType { hardware = 1, software = 2 };  // PLUGPLAY_REGKEY_DEVICE / _DRIVER
enum class DriverKeyType { parameters = 0, persistent_state = 1, shared_persistent_state = 2 };
enum class DriverDirectoryType { image = 0, data = 1, shared_data = 2 };

// RegDisposition_OpenAlways creates the location when missing; OpenExisting does not. The same
// enumeration as the registry's open_key / open_subkey take.
using registry::Disposition;

// A file-system location: the Windows path a driver would see and the path on this machine.
struct Location {
  std::string windows_path;  // "C:\Windows\ServiceState\bilby\Data"
  std::string host_path;     // "<root>/Windows/ServiceState/bilby/Data"
};

// ---- Windows paths ↔ host paths ------------------------------------------------------------------

// The one mapping lives in the store layer (isodrv/store_paths.h), where the store and the install
// engine reach it too; the API names it as before.
using store::host_to_windows;
using store::normalize_windows_path;
using store::windows_to_host;

// ---- The subjects every entry point resolves first (one funnel each) ----------------------------

struct Device {
  std::string instance_id;      // as given, e.g. "ROOT\BILBY\0000"
  registry::KeyHandle key;      // CCS\Enum\<instance id>
};
struct Service {
  std::string name;
  registry::KeyHandle key;      // CCS\Services\<name>
};
struct Interface {
  std::string class_guid;       // "{…}" as spelled in the link
  std::string reference;        // reference string, empty when none
  registry::KeyHandle key;      // CCS\Control\DeviceClasses\{guid}\##?#…#{guid}\#<reference>
};

// A property value as IoGetDevicePropertyData returns it: its DEVPROPTYPE and its bytes.
struct PropertyData {
  std::uint32_t type = 0;
  std::vector<std::uint8_t> data;
};

// One entry per resolution, for an audit of what drivers reach (DESIGN.md: audit, a later issue).
struct AccessRecord {
  std::string_view function;    // "open_device_key" …
  std::string subject;          // instance ID, service name or symbolic link as given
  std::string location;         // key path ("HKLM\…") or Windows path; empty on failure
  bool ok = false;
};

// One store root's registry, opened once; every state location is resolved through it. Like the
// Registry it holds, a Session is used by one thread at a time.
class Session {
 public:
  // Opens <root>/registry.db (creating it if needed).
  static Result<Session> open(const std::string& root);
  // Over an already open registry of `root` (tests, and callers that hold one).
  Session(registry::Registry registry, std::string root);

  const std::string& root() const { return root_; }
  const registry::Registry& registry() const { return registry_; }
  // Called after every resolution, successful or not.
  void set_audit(std::function<void(const AccessRecord&)> audit) { audit_ = std::move(audit); }

  // The funnels. Errors: Errc::invalid_argument (malformed), Errc::path_escape (a name that
  // would leave its location), Errc::not_found (no such device / service / interface).
  Result<Device> resolve_device(std::string_view instance_id) const;
  Result<Service> resolve_service(std::string_view name) const;
  Result<Interface> resolve_interface(std::string_view symbolic_link) const;

  // IoOpenDeviceRegistryKey / CM_Open_DevNode_Key. hardware → Enum\<id>\Device Parameters;
  // software → Control\Class\ + the Driver value. Errc::unsupported when the device has no Driver
  // value (no driver installed), Errc::corrupt when that value is not "{GUID}\NNNN".
  Result<registry::KeyHandle> open_device_key(std::string_view instance_id, DeviceKeyType type,
                                              Disposition disposition = Disposition::open_always) const;
  // IoOpenDeviceInterfaceRegistryKey: the interface's Device Parameters key.
  Result<registry::KeyHandle> open_interface_key(std::string_view symbolic_link,
                                                 Disposition disposition = Disposition::open_always) const;
  // IoOpenDriverRegistryKey: Services\<svc>\Parameters (read-only handle), \State, \SharedState.
  Result<registry::KeyHandle> open_driver_key(std::string_view service, DriverKeyType type,
                                              Disposition disposition = Disposition::open_always) const;
  // IoGetDriverDirectory: the folder of the ImagePath (must exist; never created), or
  // Windows\ServiceState\<svc>\Data / SharedData (created on first use).
  Result<Location> driver_directory(std::string_view service, DriverDirectoryType type,
                                    Disposition disposition = Disposition::open_always) const;
  // IoGetDeviceDirectory(DeviceDirectoryData): Windows\DeviceState\<id, '\' → '#'>\Data.
  Result<Location> device_directory(std::string_view instance_id,
                                    Disposition disposition = Disposition::open_always) const;
  // IoGetDevicePropertyData / IoGetDeviceInterfacePropertyData: a property from the PnP property
  // store of a device or an interface (what AddProperty set; docs/devinst.md "Device properties").
  // `fmtid` is a GUID with or without braces. Errors: Errc::invalid_argument (a malformed GUID),
  // Errc::not_found (no such device / interface, or no such property: STATUS_OBJECT_NAME_NOT_FOUND).
  Result<PropertyData> get_device_property(std::string_view instance_id, std::string_view fmtid,
                                           std::uint32_t pid) const;
  Result<PropertyData> get_interface_property(std::string_view symbolic_link, std::string_view fmtid,
                                              std::uint32_t pid) const;
  // IoQueryFullDriverPath: the service's ImagePath as a drive path, and its host path. The file
  // need not exist. Errc::unsupported when the service has no ImagePath.
  Result<Location> query_full_driver_path(std::string_view service) const;

 private:
  // Reports one resolution to the audit callback: `location` is what it reached, nullopt when it
  // failed.
  void audit(std::string_view function, std::string_view subject, std::optional<std::string> location) const;
  Result<registry::KeyHandle> open_below(const registry::KeyHandle& base, std::string_view rel,
                                         Disposition disposition) const;
  Result<Location> state_directory(const std::string& windows_path, Disposition disposition) const;
  Result<PropertyData> read_property(const registry::KeyHandle& object, std::string_view fmtid, std::uint32_t pid) const;
  // Enum, Services, Control\Class or Control\DeviceClasses, opened once and reopened only when
  // the cached handle's key was deleted; `rel` is looked up below it.
  Result<registry::KeyHandle> below_base(int base, std::string_view rel,
                                         Disposition disposition = Disposition::open_existing) const;

  registry::Registry registry_;
  mutable registry::KeyHandle bases_[4];
  std::string root_;
  std::function<void(const AccessRecord&)> audit_;
};

// RtlQueryRegistryValueWithFallback: the value from `primary` when it has it, else from `fallback`;
// Errc::not_found only when neither has it. Other errors of the primary (a deleted key) are returned.
Result<registry::Value> query_value_with_fallback(const registry::KeyHandle& primary,
                                                  const registry::KeyHandle& fallback, std::string_view name);

// "HKLM\…" for a handle's path ("HKEY_LOCAL_MACHINE\…"), the spelling `isodrv state` prints.
std::string short_key_path(const registry::KeyHandle& key);

}  // namespace isodrv::api
