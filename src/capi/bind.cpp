// Binding drivers and devices to a store (the calls that are not Windows'), the WDF driver and
// device objects, and the small Rtl/Ex helpers drivers use around the state routines.
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "capi/keys.h"
#include "capi/state.h"

using namespace isodrv::capi;

struct WDFDEVICE_INIT {
  DeviceImpl* device = nullptr;
};

namespace {

void set_string(UNICODE_STRING& us, const std::u16string& s) {
  us.Buffer = const_cast<PWSTR>(reinterpret_cast<const WCHAR*>(s.c_str()));
  us.Length = static_cast<USHORT>(s.size() * 2);
  us.MaximumLength = static_cast<USHORT>(s.size() * 2 + 2);
}

std::atomic<void*> g_last_wdf_driver{nullptr};

// The KMDF handle argument: the object when `h` is an open handle of that type.
template <typename T>
std::shared_ptr<T> wdf(void* h, ObjType type) {
  return lookup_as<T>(static_cast<HANDLE>(h), type);
}

}  // namespace

extern "C" {

ISODRV_API PDRIVER_OBJECT IsodrvBindDriver(PCSTR root, PCWSTR serviceName) {
  std::string service;
  if (!serviceName || !to_utf8_z(serviceName, service)) return nullptr;
  auto store = store_for(root ? root : "");
  if (!store) return nullptr;
  auto* d = new DriverImpl;
  {
    std::lock_guard lock(store->mutex);
    auto svc = store->session->resolve_service(service);
    if (!svc) {
      delete d;
      return nullptr;
    }
    d->service = svc->name;
  }
  d->store = store;
  d->service_name = to_utf16(d->service);
  d->driver_name = u"\\Driver\\" + d->service_name;
  d->registry_path = u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Services\\" + d->service_name;
  d->pub.Type = 4;  // IO_TYPE_DRIVER
  d->pub.Size = sizeof(DRIVER_OBJECT);
  d->pub.DriverExtension = &d->ext;
  d->ext.DriverObject = &d->pub;
  set_string(d->ext.ServiceKeyName, d->service_name);
  set_string(d->pub.DriverName, d->driver_name);
  set_string(d->registry_path_us, d->registry_path);
  register_driver(d);
  set_current(store, driver_subject(*d));
  return &d->pub;
}

ISODRV_API PUNICODE_STRING IsodrvDriverRegistryPath(PDRIVER_OBJECT DriverObject) {
  DriverImpl* d = find_driver(DriverObject);
  return d ? &d->registry_path_us : nullptr;
}

ISODRV_API PDEVICE_OBJECT IsodrvBindDevice(PDRIVER_OBJECT DriverObject, PCWSTR instanceId) {
  DriverImpl* d = find_driver(DriverObject);
  std::string id;
  if (!d || !instanceId || !to_utf8_z(instanceId, id)) return nullptr;
  auto dev = std::make_unique<DeviceImpl>();
  {
    std::lock_guard lock(d->store->mutex);
    auto found = d->store->session->resolve_device(id);
    if (!found) return nullptr;
    dev->instance_id = found->instance_id;
  }
  dev->driver = d;
  dev->pub.Type = 3;  // IO_TYPE_DEVICE
  dev->pub.Size = sizeof(DEVICE_OBJECT);
  DeviceImpl* raw = dev.get();
  d->devices.push_back(std::move(dev));
  register_device(raw);
  set_current(d->store, device_subject(*raw));
  NTSTATUS st = STATUS_SUCCESS;
  if (d->ext.AddDevice) {
    st = d->ext.AddDevice(&d->pub, &raw->pub);
  } else if (d->wdf_device_add) {
    WDFDEVICE_INIT init{raw};
    st = d->wdf_device_add(static_cast<WDFDRIVER>(d->wdf_driver), &init);
  }
  return NT_SUCCESS(st) ? &raw->pub : nullptr;
}

ISODRV_API VOID IsodrvUnbindDriver(PDRIVER_OBJECT DriverObject) {
  DriverImpl* d = find_driver(DriverObject);
  if (!d) return;
  if (d->wdf_unload) d->wdf_unload(static_cast<WDFDRIVER>(d->wdf_driver));
  if (d->pub.DriverUnload) d->pub.DriverUnload(&d->pub);
  for (auto& dev : d->devices) erase(dev->wdf_device, {ObjType::wdf_device});
  erase(d->wdf_driver, {ObjType::wdf_driver});
  g_last_wdf_driver.compare_exchange_strong(d->wdf_driver, nullptr);
  unregister_driver(d);
  delete d;
}

ISODRV_API VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
  if (!DestinationString) return;
  std::size_t n = 0;
  if (SourceString) {
    while (SourceString[n] && n < 0x7FFE) ++n;
  }
  DestinationString->Buffer = const_cast<PWSTR>(SourceString);
  DestinationString->Length = static_cast<USHORT>(n * 2);
  DestinationString->MaximumLength = static_cast<USHORT>(SourceString ? n * 2 + 2 : 0);
}

ISODRV_API VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString) {
  if (!UnicodeString) return;
  std::free(UnicodeString->Buffer);
  UnicodeString->Buffer = nullptr;
  UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

ISODRV_API ULONG DbgPrint(PCSTR Format, ...) {
  std::va_list args;
  va_start(args, Format);
  int n = std::vprintf(Format, args);
  va_end(args);
  std::fflush(stdout);
  return n < 0 ? static_cast<ULONG>(STATUS_UNSUCCESSFUL) : STATUS_SUCCESS;
}

ISODRV_API VOID NTAPI ExFreePool(PVOID P) { std::free(P); }
ISODRV_API VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag) { std::free(P); }

// ---- WDF objects -----------------------------------------------------------------------------------

ISODRV_API NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
                                   PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
                                   WDFDRIVER* Driver) {
  DriverImpl* d = find_driver(DriverObject);
  if (!d || !DriverConfig || DriverConfig->Size != sizeof(WDF_DRIVER_CONFIG)) return STATUS_INVALID_PARAMETER;
  if (d->wdf_driver) return STATUS_INVALID_DEVICE_REQUEST;  // one WDFDRIVER per driver object
  auto obj = std::make_shared<WdfDriverObj>();
  obj->driver = d;
  obj->origin = Origin{d->store, driver_subject(*d), true, CallerMode::kernel};
  d->wdf_driver = insert(obj);
  d->wdf_device_add = DriverConfig->EvtDriverDeviceAdd;
  d->wdf_unload = DriverConfig->EvtDriverUnload;
  g_last_wdf_driver = d->wdf_driver;
  if (Driver) *Driver = static_cast<WDFDRIVER>(d->wdf_driver);
  return STATUS_SUCCESS;
}

ISODRV_API WDFDRIVER WdfGetDriver(void) { return static_cast<WDFDRIVER>(g_last_wdf_driver.load()); }

ISODRV_API PDRIVER_OBJECT WdfDriverWdmGetDriverObject(WDFDRIVER Driver) {
  auto d = wdf<WdfDriverObj>(Driver, ObjType::wdf_driver);
  return d ? &d->driver->pub : nullptr;
}

ISODRV_API NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT* DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
                                   WDFDEVICE* Device) {
  if (!DeviceInit || !*DeviceInit || !Device || !find_device(&(*DeviceInit)->device->pub)) {
    return STATUS_INVALID_PARAMETER;
  }
  DeviceImpl* dev = (*DeviceInit)->device;
  auto obj = std::make_shared<WdfDeviceObj>();
  obj->device = dev;
  obj->origin = Origin{dev->driver->store, device_subject(*dev), true, CallerMode::kernel};
  dev->wdf_device = insert(obj);
  *Device = static_cast<WDFDEVICE>(dev->wdf_device);
  *DeviceInit = nullptr;  // the framework owns it now, as KMDF documents
  return STATUS_SUCCESS;
}

ISODRV_API PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device) {
  auto d = wdf<WdfDeviceObj>(Device, ObjType::wdf_device);
  return d ? &d->device->pub : nullptr;
}

ISODRV_API NTSTATUS WdfDriverOpenParametersRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                                      PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key) {
  auto d = wdf<WdfDriverObj>(Driver, ObjType::wdf_driver);
  if (!d) return STATUS_INVALID_HANDLE;
  if (!Key) return STATUS_INVALID_PARAMETER;
  return open_service_key(d->driver->store, d->driver->service, driver_subject(*d->driver), DriverRegKeyParameters,
                          DesiredAccess, CallerMode::kernel, isodrv::api::Disposition::open_always,
                          reinterpret_cast<HANDLE*>(Key));
}

ISODRV_API NTSTATUS WdfDriverOpenPersistentStateRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                                           PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key) {
  auto d = wdf<WdfDriverObj>(Driver, ObjType::wdf_driver);
  if (!d) return STATUS_INVALID_HANDLE;
  if (!Key) return STATUS_INVALID_PARAMETER;
  return open_service_key(d->driver->store, d->driver->service, driver_subject(*d->driver),
                          DriverRegKeyPersistentState, DesiredAccess, CallerMode::kernel,
                          isodrv::api::Disposition::open_always, reinterpret_cast<HANDLE*>(Key));
}

ISODRV_API NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType, ACCESS_MASK DesiredAccess,
                                            PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key) {
  auto d = wdf<WdfDeviceObj>(Device, ObjType::wdf_device);
  if (!d) return STATUS_INVALID_HANDLE;
  if (!Key) return STATUS_INVALID_PARAMETER;
  DeviceImpl* dev = d->device;
  bool subkey = DeviceInstanceKeyType & WDF_REGKEY_DEVICE_SUBKEY;
  ULONG type = DeviceInstanceKeyType & ~static_cast<ULONG>(WDF_REGKEY_DEVICE_SUBKEY);
  if (!subkey) {
    return open_devnode_key(dev->driver->store, dev->instance_id, device_subject(*dev), type, DesiredAccess,
                            CallerMode::kernel, isodrv::api::Disposition::open_always, reinterpret_cast<HANDLE*>(Key));
  }
  // The <ServiceName> subkey of the device's key, created when missing.
  HANDLE base = nullptr;
  NTSTATUS st = open_devnode_key(dev->driver->store, dev->instance_id, device_subject(*dev), type,
                                 KEY_ALL_ACCESS, CallerMode::kernel, isodrv::api::Disposition::open_always, &base);
  if (!NT_SUCCESS(st)) return st;
  auto parent = lookup_as<KeyObj>(base, ObjType::key);
  st = open_relative(*parent, dev->driver->service, DesiredAccess, isodrv::registry::Disposition::open_always, 0, nullptr, "WdfDeviceOpenRegistryKey",
                     __builtin_return_address(0), reinterpret_cast<HANDLE*>(Key));
  erase(base, {ObjType::key});
  return st;
}

ISODRV_API NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value) {
  auto key = lookup_as<KeyObj>(reinterpret_cast<HANDLE>(Key), ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  std::string name;
  if (!Value || !to_utf8(ValueName, name)) return STATUS_INVALID_PARAMETER;
  isodrv::registry::Value v;
  if (NTSTATUS st = read_value(*key, name, v); !NT_SUCCESS(st)) return st;
  if (v.type != REG_DWORD || v.data.size() != 4) return STATUS_OBJECT_TYPE_MISMATCH;
  std::memcpy(Value, v.data.data(), 4);
  return STATUS_SUCCESS;
}

// ValueByteLength receives the stored size; Value (when given) the string without its NUL.
// A NULL Value or one whose MaximumLength is too small: STATUS_BUFFER_OVERFLOW.
ISODRV_API NTSTATUS WdfRegistryQueryUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName, PUSHORT ValueByteLength,
                                                 PUNICODE_STRING Value) {
  auto key = lookup_as<KeyObj>(reinterpret_cast<HANDLE>(Key), ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  std::string name;
  if (!to_utf8(ValueName, name)) return STATUS_INVALID_PARAMETER;
  isodrv::registry::Value v;
  if (NTSTATUS st = read_value(*key, name, v); !NT_SUCCESS(st)) return st;
  if (v.type != REG_SZ && v.type != REG_EXPAND_SZ) return STATUS_OBJECT_TYPE_MISMATCH;
  std::size_t bytes = v.data.size() & ~std::size_t{1};
  if (bytes > 0xFFFE) return STATUS_INVALID_PARAMETER;
  if (ValueByteLength) *ValueByteLength = static_cast<USHORT>(bytes);
  std::size_t text = bytes;
  while (text >= 2 && v.data[text - 1] == 0 && v.data[text - 2] == 0) text -= 2;  // without NULs
  if (!Value || !Value->Buffer || Value->MaximumLength < text) return STATUS_BUFFER_OVERFLOW;
  std::memcpy(Value->Buffer, v.data.data(), text);
  Value->Length = static_cast<USHORT>(text);
  if (Value->MaximumLength >= text + 2) Value->Buffer[text / 2] = 0;
  return STATUS_SUCCESS;
}

ISODRV_API NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value) {
  auto key = lookup_as<KeyObj>(reinterpret_cast<HANDLE>(Key), ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  std::string name;
  if (!to_utf8(ValueName, name)) return STATUS_INVALID_PARAMETER;
  return write_value(*key, name, REG_DWORD, &Value, sizeof Value, "WdfRegistryAssignULong",
                     __builtin_return_address(0));
}

ISODRV_API HANDLE WdfRegistryWdmGetHandle(WDFKEY Key) {
  return lookup(reinterpret_cast<HANDLE>(Key), ObjType::key) ? reinterpret_cast<HANDLE>(Key) : nullptr;
}

ISODRV_API VOID WdfRegistryClose(WDFKEY Key) { erase(reinterpret_cast<HANDLE>(Key), {ObjType::key}); }

}  // extern "C"
