// The C ABI's runtime: the stores drivers are bound to, the one handle table every call goes
// through (the funnel that turns a HANDLE into a typed object or STATUS_INVALID_HANDLE), access
// masks, the isolation mode and the audit. Internal to src/capi.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/api.h"
#include "isodrv/audit.h"
#include "isodrv/win/wdf.h"

namespace isodrv::capi {

using audit::CallerMode;

// One store root: its registry and API session. Shared by the objects made from it.
struct Store {
  std::string root;
  std::unique_ptr<api::Session> session;
  // Serialises use of the registry connection (a Session is used by one thread at a time).
  std::mutex mutex;
};

// What every object remembers of its origin, for the audit.
struct Origin {
  std::shared_ptr<Store> store;
  std::string subject;    // "driver quokka", "device ROOT\X\0000", "process"
  bool isolated = true;   // false when it came from an absolute path (or below such an object)
  CallerMode mode = CallerMode::kernel;  // which routines the advice names
};

enum class ObjType { key, directory, file, wdf_driver, wdf_device, service_status, sc_manager, sc_service };

struct Object {
  explicit Object(ObjType t) : type(t) {}
  virtual ~Object() = default;
  ObjType type;
  Origin origin;
};

struct KeyObj : Object {
  KeyObj() : Object(ObjType::key) {}
  registry::KeyHandle key;
  ACCESS_MASK granted = 0;
  ACCESS_MASK ceiling = KEY_ALL_ACCESS;  // the most a subkey opened below may be granted
  std::string shown;                     // the path for messages and audit ("HKLM\…")
};

struct DirObj : Object {
  DirObj() : Object(ObjType::directory) {}
  std::string windows_path;
  std::string host_path;
  bool writable = true;
};

struct FileObj : Object {
  FileObj() : Object(ObjType::file) {}
  ~FileObj() override;
  int fd = -1;
  ACCESS_MASK granted = 0;
  std::uint64_t position = 0;
  std::string windows_path;
};

// The internal side of a DRIVER_OBJECT / DEVICE_OBJECT (the public struct is the first member, so
// a validated pointer converts back).
struct DriverImpl;
struct DeviceImpl {
  DEVICE_OBJECT pub{};
  DriverImpl* driver = nullptr;
  std::string instance_id;  // as stored
  HANDLE wdf_device = nullptr;
};
struct DriverImpl {
  DRIVER_OBJECT pub{};
  DRIVER_EXTENSION ext{};
  std::u16string driver_name, service_name, registry_path;
  UNICODE_STRING registry_path_us{};
  std::shared_ptr<Store> store;
  std::string service;  // as stored
  std::vector<std::unique_ptr<DeviceImpl>> devices;
  HANDLE wdf_driver = nullptr;
  PFN_WDF_DRIVER_DEVICE_ADD wdf_device_add = nullptr;
  PFN_WDF_DRIVER_UNLOAD wdf_unload = nullptr;
};

struct WdfDriverObj : Object {
  WdfDriverObj() : Object(ObjType::wdf_driver) {}
  DriverImpl* driver = nullptr;
};
struct WdfDeviceObj : Object {
  WdfDeviceObj() : Object(ObjType::wdf_device) {}
  DeviceImpl* device = nullptr;
};
// SERVICE_STATUS_HANDLE and OpenService's SC_HANDLE both name a service; the SCM handle nothing.
struct ServiceObj : Object {
  explicit ServiceObj(ObjType t) : Object(t) {}
  std::string service;
};

// ---- The handle funnel -------------------------------------------------------------------------

HANDLE insert(std::shared_ptr<Object> object);
// The object behind `h` if it is open and of type `type`; else nullptr (the caller returns
// STATUS_INVALID_HANDLE or its API's equivalent). Never dereferences `h`.
std::shared_ptr<Object> lookup(HANDLE h, ObjType type);
template <typename T>
std::shared_ptr<T> lookup_as(HANDLE h, ObjType type) {
  return std::static_pointer_cast<T>(lookup(h, type));
}
// Removes `h` whatever its type is among `types`; false when it is not an open handle of those.
bool erase(HANDLE h, std::initializer_list<ObjType> types);

// Validated driver and device objects (registered when bound); nullptr for anything else.
DriverImpl* find_driver(const DRIVER_OBJECT* d);
DeviceImpl* find_device(const DEVICE_OBJECT* d);
void register_driver(DriverImpl* d);
void unregister_driver(DriverImpl* d);
void register_device(DeviceImpl* d);

// ---- Stores and subjects -----------------------------------------------------------------------

// The store of `root` ("" : $ISODRV_ROOT, else the CLI default), opened once per process.
std::shared_ptr<Store> store_for(const std::string& root, Error* error = nullptr);
// The store user-mode calls use: the last one a driver was bound to, else the default.
std::shared_ptr<Store> current_store();
void set_current(const std::shared_ptr<Store>& store, const std::string& subject);
// Who makes a call that names no object of its own (an absolute open): the last bound subject.
std::string current_subject();

// ---- Access masks ------------------------------------------------------------------------------

// GENERIC_* mapped to KEY_* (or FILE_*), MAXIMUM_ALLOWED to `ceiling`. Sets `ok` false when the
// request asks for more than `ceiling` allows.
ACCESS_MASK map_key_access(ACCESS_MASK desired, ACCESS_MASK ceiling, bool& ok);
ACCESS_MASK map_file_access(ACCESS_MASK desired, bool writable, bool& ok);

// ---- Isolation mode and audit ------------------------------------------------------------------

bool enforcing();
// Records a violation in the store's audit table; returns true when the call must fail
// (enforce mode).
bool violation(const Origin& origin, audit::Kind kind, std::string_view call, std::string_view path,
               std::string alternative, const void* return_address);

// ---- Conversions -------------------------------------------------------------------------------

NTSTATUS status_of(const Error& e);
// UTF-16 → UTF-8; false on a lone surrogate.
bool to_utf8(const WCHAR* p, std::size_t units, std::string& out);
bool to_utf8(const UNICODE_STRING* s, std::string& out);  // NULL or empty: ""
bool to_utf8_z(const WCHAR* z, std::string& out);         // NUL-terminated; NULL: ""
std::u16string to_utf16(std::string_view utf8);

}  // namespace isodrv::capi
