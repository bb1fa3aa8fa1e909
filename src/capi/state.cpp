// The state-location opens (driver, device, interface keys; state directories) over api::Session,
// and the Io* routines that reach them from a driver or device object.
#include "capi/state.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "capi/keys.h"

namespace isodrv::capi {

std::string driver_subject(const DriverImpl& d) { return "driver " + d.service; }
std::string device_subject(const DeviceImpl& d) {
  return (d.driver ? driver_subject(*d.driver) + ", " : std::string()) + "device " + d.instance_id;
}

NTSTATUS open_service_key(const std::shared_ptr<Store>& store, const std::string& service, const std::string& subject,
                          int type, ACCESS_MASK desired, CallerMode mode, isodrv::api::Disposition disposition, HANDLE* out) {
  if (!out) return STATUS_INVALID_PARAMETER;
  if (type < DriverRegKeyParameters || type > DriverRegKeySharedPersistentState) return STATUS_INVALID_PARAMETER;
  // Parameters holds what the INF wrote; isolated drivers only read it.
  ACCESS_MASK ceiling = type == DriverRegKeyParameters ? KEY_READ : KEY_ALL_ACCESS;
  bool ok = true;
  map_key_access(desired, ceiling, ok);
  if (!ok) return STATUS_ACCESS_DENIED;
  std::lock_guard lock(store->mutex);
  auto key = store->session->open_driver_key(service, static_cast<api::DriverKeyType>(type), disposition);
  return hand_out_key(std::move(key), Origin{store, subject, true, mode}, desired, ceiling, out);
}

NTSTATUS open_devnode_key(const std::shared_ptr<Store>& store, const std::string& instance_id,
                          const std::string& subject, ULONG type, ACCESS_MASK desired, CallerMode mode,
                          isodrv::api::Disposition disposition, HANDLE* out) {
  if (!out) return STATUS_INVALID_PARAMETER;
  ULONG which = type & (PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER);
  if ((type & ~static_cast<ULONG>(PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER | PLUGPLAY_REGKEY_CURRENT_HWPROFILE)) ||
      (which != PLUGPLAY_REGKEY_DEVICE && which != PLUGPLAY_REGKEY_DRIVER)) {
    return STATUS_INVALID_PARAMETER;
  }
  Origin origin{store, subject, true, mode};
  std::lock_guard lock(store->mutex);
  if (!(type & PLUGPLAY_REGKEY_CURRENT_HWPROFILE)) {
    auto kind = which == PLUGPLAY_REGKEY_DEVICE ? api::DeviceKeyType::hardware : api::DeviceKeyType::software;
    return hand_out_key(store->session->open_device_key(instance_id, kind, disposition), std::move(origin), desired,
                        KEY_ALL_ACCESS, out);
  }
  // The current hardware profile's copy (registry-layout.md §1): the same relative path below
  // Hardware Profiles\Current\System\CurrentControlSet.
  auto dev = store->session->resolve_device(instance_id);
  if (!dev) return status_of(dev.error());
  std::string rel = "Enum\\" + dev->instance_id;
  if (which == PLUGPLAY_REGKEY_DRIVER) {
    auto driver = dev->key.get_string(api::kDriverValue);
    if (!driver) return STATUS_OBJECT_NAME_NOT_FOUND;
    rel = "Control\\Class\\" + *driver;
  }
  std::string path = std::string(api::kCurrentControlSet) +
                     "\\Hardware Profiles\\Current\\System\\CurrentControlSet\\" + rel;
  return hand_out_key(store->session->registry().open_key(path, disposition), std::move(origin), desired,
                      KEY_ALL_ACCESS, out);
}

NTSTATUS open_interface_key(const std::shared_ptr<Store>& store, const std::string& link, const std::string& subject,
                            ACCESS_MASK desired, CallerMode mode, isodrv::api::Disposition disposition, HANDLE* out) {
  if (!out) return STATUS_INVALID_PARAMETER;
  std::lock_guard lock(store->mutex);
  auto key = store->session->open_interface_key(link, disposition);
  if (!key && key.error().code == Errc::invalid_argument) return STATUS_OBJECT_NAME_INVALID;
  return hand_out_key(std::move(key), Origin{store, subject, true, mode}, desired, KEY_ALL_ACCESS, out);
}

NTSTATUS hand_out_directory(Result<api::Location> location, Origin origin, bool writable, HANDLE* out) {
  if (!location) {
    return location.error().code == Errc::path_escape ? STATUS_ACCESS_DENIED : status_of(location.error());
  }
  auto dir = std::make_shared<DirObj>();
  dir->origin = std::move(origin);
  dir->windows_path = location->windows_path;
  dir->host_path = location->host_path;
  dir->writable = writable;
  *out = insert(std::move(dir));
  return STATUS_SUCCESS;
}

}  // namespace isodrv::capi

using namespace isodrv::capi;

namespace {

// "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" in lower case.
std::string guid_text(const GUID& g) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", g.Data1, g.Data2, g.Data3,
                g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
  return buf;
}

// A UNICODE_STRING whose buffer the caller frees with RtlFreeUnicodeString / ExFreePool.
NTSTATUS allocate_string(const std::string& utf8, PUNICODE_STRING out) {
  std::u16string w = to_utf16(utf8);
  std::size_t bytes = w.size() * 2;
  if (bytes + 2 > 0xFFFF) return STATUS_INVALID_PARAMETER;
  auto* buf = static_cast<WCHAR*>(std::malloc(bytes + 2));
  if (!buf) return STATUS_INSUFFICIENT_RESOURCES;
  std::memcpy(buf, w.data(), bytes);
  buf[w.size()] = 0;
  out->Buffer = buf;
  out->Length = static_cast<USHORT>(bytes);
  out->MaximumLength = static_cast<USHORT>(bytes + 2);
  return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

ISODRV_API NTSTATUS NTAPI IoOpenDeviceRegistryKey(PDEVICE_OBJECT DeviceObject, ULONG DevInstKeyType,
                                                  ACCESS_MASK DesiredAccess, PHANDLE DeviceRegKey) {
  DeviceImpl* dev = find_device(DeviceObject);
  if (!dev) return STATUS_INVALID_PARAMETER;  // not a PDO this library handed out
  return open_devnode_key(dev->driver->store, dev->instance_id, device_subject(*dev), DevInstKeyType, DesiredAccess,
                          CallerMode::kernel, isodrv::api::Disposition::open_always, DeviceRegKey);
}

ISODRV_API NTSTATUS NTAPI IoOpenDriverRegistryKey(PDRIVER_OBJECT DriverObject, DRIVER_REGKEY_TYPE RegKeyType,
                                                  ACCESS_MASK DesiredAccess, ULONG Flags, PHANDLE DriverRegKey) {
  DriverImpl* drv = find_driver(DriverObject);
  if (!drv || Flags != 0) return STATUS_INVALID_PARAMETER;
  return open_service_key(drv->store, drv->service, driver_subject(*drv), RegKeyType, DesiredAccess,
                          CallerMode::kernel, isodrv::api::Disposition::open_always, DriverRegKey);
}

ISODRV_API NTSTATUS NTAPI IoOpenDeviceInterfaceRegistryKey(PUNICODE_STRING SymbolicLinkName, ACCESS_MASK DesiredAccess,
                                                           PHANDLE DeviceInterfaceRegKey) {
  std::string link;
  if (!SymbolicLinkName || !to_utf8(SymbolicLinkName, link)) return STATUS_INVALID_PARAMETER;
  auto store = current_store();
  if (!store) return STATUS_OBJECT_NAME_NOT_FOUND;
  return open_interface_key(store, link, current_subject(), DesiredAccess, CallerMode::kernel,
                            isodrv::api::Disposition::open_always, DeviceInterfaceRegKey);
}

// Registers (or finds, when the INF's AddInterface did) the interface of the PDO and returns its
// kernel-mode symbolic link "\??\<id with #>#{guid}[\ref]".
ISODRV_API NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject, const GUID* InterfaceClassGuid,
                                                    PUNICODE_STRING ReferenceString,
                                                    PUNICODE_STRING SymbolicLinkName) {
  DeviceImpl* dev = find_device(PhysicalDeviceObject);
  if (!dev || !InterfaceClassGuid || !SymbolicLinkName) return STATUS_INVALID_PARAMETER;
  std::string ref;
  if (!to_utf8(ReferenceString, ref) || ref.find('\\') != std::string::npos) return STATUS_INVALID_PARAMETER;
  std::string guid = guid_text(*InterfaceClassGuid);
  std::string hashed = dev->instance_id;
  for (auto& c : hashed) {
    if (c == '\\') c = '#';
  }
  std::string link = "\\??\\" + hashed + "#" + guid + (ref.empty() ? "" : "\\" + ref);
  auto& store = dev->driver->store;
  {
    std::lock_guard lock(store->mutex);
    auto existing = store->session->resolve_interface(link);
    if (!existing) {
      if (existing.error().code != isodrv::Errc::not_found) return status_of(existing.error());
      std::string path = std::string(isodrv::api::kDeviceClassesKey) + "\\" + guid + "\\##?#" + hashed + "#" + guid;
      auto itf = store->session->registry().open_key(path, isodrv::registry::Disposition::open_always);
      if (!itf) return status_of(itf.error());
      (void)itf->set_string("DeviceInstance", dev->instance_id);
      auto refkey = itf->open_subkey("#" + ref, isodrv::registry::Disposition::open_always);
      if (!refkey) return status_of(refkey.error());
      (void)refkey->set_string("SymbolicLink", "\\\\?\\" + link.substr(4));
    }
  }
  return allocate_string(link, SymbolicLinkName);
}

ISODRV_API NTSTATUS NTAPI IoGetDriverDirectory(PDRIVER_OBJECT DriverObject, DRIVER_DIRECTORY_TYPE DirectoryType,
                                               ULONG Flags, PHANDLE DriverDirectoryHandle) {
  DriverImpl* drv = find_driver(DriverObject);
  if (!drv || Flags != 0 || !DriverDirectoryHandle) return STATUS_INVALID_PARAMETER;
  if (DirectoryType < DriverDirectoryImage || DirectoryType > DriverDirectorySharedData) return STATUS_INVALID_PARAMETER;
  std::lock_guard lock(drv->store->mutex);
  auto loc = drv->store->session->driver_directory(drv->service,
                                                   static_cast<isodrv::api::DriverDirectoryType>(DirectoryType));
  // The image directory is the package's folder in the driver store: read-only.
  return hand_out_directory(std::move(loc), Origin{drv->store, driver_subject(*drv), true, CallerMode::kernel},
                            DirectoryType != DriverDirectoryImage, DriverDirectoryHandle);
}

ISODRV_API NTSTATUS NTAPI IoGetDeviceDirectory(PDEVICE_OBJECT PhysicalDeviceObject, DEVICE_DIRECTORY_TYPE DirectoryType,
                                               ULONG Flags, PVOID Reserved, PHANDLE DeviceDirectoryHandle) {
  DeviceImpl* dev = find_device(PhysicalDeviceObject);
  if (!dev || DirectoryType != DeviceDirectoryData || Flags != 0 || Reserved || !DeviceDirectoryHandle) {
    return STATUS_INVALID_PARAMETER;
  }
  auto& store = dev->driver->store;
  std::lock_guard lock(store->mutex);
  return hand_out_directory(store->session->device_directory(dev->instance_id),
                            Origin{store, device_subject(*dev), true, CallerMode::kernel}, true, DeviceDirectoryHandle);
}

ISODRV_API NTSTATUS NTAPI IoQueryFullDriverPath(PDRIVER_OBJECT DriverObject, PUNICODE_STRING FullPath) {
  DriverImpl* drv = find_driver(DriverObject);
  if (!drv || !FullPath) return STATUS_INVALID_PARAMETER;
  std::string path;
  {
    std::lock_guard lock(drv->store->mutex);
    auto loc = drv->store->session->query_full_driver_path(drv->service);
    if (!loc) return loc.error().code == isodrv::Errc::unsupported ? STATUS_NOT_FOUND : status_of(loc.error());
    path = loc->windows_path;
  }
  return allocate_string(path, FullPath);
}

ISODRV_API NTSTATUS NTAPI RtlQueryRegistryValueWithFallback(HANDLE PrimaryHandle, HANDLE FallbackHandle,
                                                            PUNICODE_STRING ValueName, ULONG ValueLength,
                                                            PULONG ValueType, PVOID ValueData, PULONG ResultLength) {
  auto primary = lookup_as<KeyObj>(PrimaryHandle, ObjType::key);
  auto fallback = lookup_as<KeyObj>(FallbackHandle, ObjType::key);
  if (!primary || !fallback) return STATUS_INVALID_HANDLE;
  if (!ResultLength || (ValueLength && !ValueData)) return STATUS_INVALID_PARAMETER;
  std::string name;
  if (!to_utf8(ValueName, name)) return STATUS_OBJECT_NAME_INVALID;
  isodrv::registry::Value v;
  NTSTATUS st = read_value(*primary, name, v);
  if (st == STATUS_OBJECT_NAME_NOT_FOUND) st = read_value(*fallback, name, v);
  if (!NT_SUCCESS(st)) return st;
  auto size = static_cast<ULONG>(v.data.size());
  *ResultLength = size;
  if (ValueType) *ValueType = v.type;
  if (ValueLength < size) return STATUS_BUFFER_OVERFLOW;
  if (size) std::memcpy(ValueData, v.data.data(), size);
  return STATUS_SUCCESS;
}

}  // extern "C"
