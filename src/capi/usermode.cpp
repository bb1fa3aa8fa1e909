// User-mode names over the same state opens: winreg (Win32 error codes), cfgmgr32 (CONFIGRET)
// and the winsvc service-state routines. HKLM paths are isolation violations, as in kernel mode.
#include <cstring>
#include <mutex>
#include <vector>

#include "capi/keys.h"
#include "capi/state.h"
#include "isodrv/win/cfgmgr32.h"

using namespace isodrv::capi;

namespace {

LSTATUS win32_of(NTSTATUS st) {
  switch (st) {
    case STATUS_SUCCESS: return ERROR_SUCCESS;
    case STATUS_OBJECT_NAME_NOT_FOUND:
    case STATUS_NOT_FOUND: return ERROR_FILE_NOT_FOUND;
    case STATUS_OBJECT_PATH_NOT_FOUND: return ERROR_PATH_NOT_FOUND;
    case STATUS_ACCESS_DENIED: return ERROR_ACCESS_DENIED;
    case STATUS_INVALID_HANDLE: return ERROR_INVALID_HANDLE;
    case STATUS_INVALID_PARAMETER:
    case STATUS_OBJECT_NAME_INVALID: return ERROR_INVALID_PARAMETER;
    case STATUS_OBJECT_PATH_SYNTAX_BAD: return ERROR_BAD_PATHNAME;
    case STATUS_BUFFER_OVERFLOW: return ERROR_MORE_DATA;
    case STATUS_KEY_DELETED: return ERROR_KEY_DELETED;
    case STATUS_REGISTRY_CORRUPT: return ERROR_BADDB;
    case STATUS_INSUFFICIENT_RESOURCES: return ERROR_NOT_ENOUGH_MEMORY;
    default: return ERROR_GEN_FAILURE;
  }
}

// The predefined roots (winreg.h values) and the registry root each names.
const char* predefined_root(HKEY h) {
  switch (reinterpret_cast<std::uintptr_t>(h)) {
    case static_cast<std::uintptr_t>(static_cast<std::intptr_t>(static_cast<LONG>(0x80000000))): return "HKCR";
    case static_cast<std::uintptr_t>(static_cast<std::intptr_t>(static_cast<LONG>(0x80000001))): return "HKCU";
    case static_cast<std::uintptr_t>(static_cast<std::intptr_t>(static_cast<LONG>(0x80000002))): return "HKLM";
    case static_cast<std::uintptr_t>(static_cast<std::intptr_t>(static_cast<LONG>(0x80000003))): return "HKU";
    case static_cast<std::uintptr_t>(static_cast<std::intptr_t>(static_cast<LONG>(0x80000005))): return "HKCC";
    default: return nullptr;
  }
}

// Device instances located by CM_Locate_DevNodeW; DEVINST n names entry n-1.
struct DevInsts {
  std::mutex mutex;
  std::vector<std::pair<std::shared_ptr<Store>, std::string>> ids;
};
DevInsts& devinsts() {
  static auto* d = new DevInsts;
  return *d;
}

CONFIGRET cr_of(NTSTATUS st, CONFIGRET not_found) {
  switch (st) {
    case STATUS_SUCCESS: return CR_SUCCESS;
    case STATUS_OBJECT_NAME_NOT_FOUND: return not_found;
    case STATUS_ACCESS_DENIED: return CR_ACCESS_DENIED;
    case STATUS_INVALID_PARAMETER:
    case STATUS_OBJECT_NAME_INVALID: return CR_INVALID_DATA;
    default: return CR_REGISTRY_ERROR;
  }
}

std::shared_ptr<ServiceObj> service_of(void* h, ObjType type) { return lookup_as<ServiceObj>(static_cast<HANDLE>(h), type); }

DWORD copy_path(const std::string& path, PWCHAR buf, DWORD cch, DWORD* required) {
  std::u16string w = to_utf16(path);
  DWORD need = static_cast<DWORD>(w.size() + 1);
  if (required) *required = need;
  if (!buf || cch < need) return ERROR_INSUFFICIENT_BUFFER;
  std::memcpy(buf, w.c_str(), need * sizeof(WCHAR));
  return ERROR_SUCCESS;
}

DWORD service_directory(const std::shared_ptr<Store>& store, const std::string& service,
                        isodrv::api::DriverDirectoryType type, PWCHAR buf, DWORD cch, DWORD* required) {
  std::string host;
  {
    std::lock_guard lock(store->mutex);
    auto loc = store->session->driver_directory(service, type);
    if (!loc) return static_cast<DWORD>(win32_of(status_of(loc.error())));
    host = loc->host_path;
  }
  return copy_path(host, buf, cch, required);
}

}  // namespace

extern "C" {

ISODRV_API LSTATUS WINAPI RegOpenKeyExW(HKEY hKey, LPCWSTR lpSubKey, DWORD ulOptions, REGSAM samDesired,
                                       PHKEY phkResult) {
  if (!phkResult) return ERROR_INVALID_PARAMETER;
  std::string sub;
  if (!to_utf8_z(lpSubKey, sub)) return ERROR_INVALID_PARAMETER;
  HANDLE out = nullptr;
  NTSTATUS st;
  if (const char* root = predefined_root(hKey)) {
    std::string path = std::string(root) + (sub.empty() ? "" : "\\" + sub);
    st = open_absolute(path, path, samDesired, isodrv::registry::Disposition::open_existing, CallerMode::user, "RegOpenKeyExW", __builtin_return_address(0), &out);
  } else {
    auto parent = lookup_as<KeyObj>(reinterpret_cast<HANDLE>(hKey), ObjType::key);
    if (!parent) return ERROR_INVALID_HANDLE;
    st = open_relative(*parent, sub, samDesired, isodrv::registry::Disposition::open_existing, 0, nullptr, "RegOpenKeyExW", __builtin_return_address(0),
                       &out);
  }
  if (NT_SUCCESS(st)) *phkResult = reinterpret_cast<HKEY>(out);
  return win32_of(st);
}

// lpData NULL: the size only. Too small: ERROR_MORE_DATA with the size in *lpcbData.
ISODRV_API LSTATUS WINAPI RegQueryValueExW(HKEY hKey, LPCWSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType,
                                          LPBYTE lpData, LPDWORD lpcbData) {
  auto key = lookup_as<KeyObj>(reinterpret_cast<HANDLE>(hKey), ObjType::key);
  if (!key) return predefined_root(hKey) ? ERROR_ACCESS_DENIED : ERROR_INVALID_HANDLE;
  if (lpReserved || (lpData && !lpcbData)) return ERROR_INVALID_PARAMETER;
  std::string name;
  if (!to_utf8_z(lpValueName, name)) return ERROR_INVALID_PARAMETER;
  isodrv::registry::Value v;
  if (NTSTATUS st = read_value(*key, name, v); !NT_SUCCESS(st)) return win32_of(st);
  if (lpType) *lpType = v.type;
  auto size = static_cast<DWORD>(v.data.size());
  if (!lpcbData) return ERROR_SUCCESS;
  DWORD room = *lpcbData;
  *lpcbData = size;
  if (!lpData) return ERROR_SUCCESS;
  if (room < size) return ERROR_MORE_DATA;
  if (size) std::memcpy(lpData, v.data.data(), size);
  return ERROR_SUCCESS;
}

ISODRV_API LSTATUS WINAPI RegSetValueExW(HKEY hKey, LPCWSTR lpValueName, DWORD Reserved, DWORD dwType,
                                        const BYTE* lpData, DWORD cbData) {
  auto key = lookup_as<KeyObj>(reinterpret_cast<HANDLE>(hKey), ObjType::key);
  if (!key) return predefined_root(hKey) ? ERROR_ACCESS_DENIED : ERROR_INVALID_HANDLE;
  std::string name;
  if (Reserved || !to_utf8_z(lpValueName, name)) return ERROR_INVALID_PARAMETER;
  return win32_of(write_value(*key, name, dwType, lpData, cbData, "RegSetValueExW", __builtin_return_address(0)));
}

ISODRV_API LSTATUS WINAPI RegCloseKey(HKEY hKey) {
  if (predefined_root(hKey)) return ERROR_SUCCESS;  // closing a predefined key is a no-op
  return erase(reinterpret_cast<HANDLE>(hKey), {ObjType::key}) ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}

ISODRV_API CONFIGRET WINAPI CM_Locate_DevNodeW(PDEVINST pdnDevInst, DEVINSTID_W pDeviceID, ULONG ulFlags) {
  if (!pdnDevInst) return CR_INVALID_POINTER;
  if (ulFlags & ~static_cast<ULONG>(CM_LOCATE_DEVNODE_PHANTOM)) return CR_INVALID_FLAG;
  std::string id;
  if (!pDeviceID || !to_utf8_z(pDeviceID, id) || id.empty()) return CR_INVALID_DEVICE_ID;
  auto store = current_store();
  if (!store) return CR_NO_SUCH_DEVNODE;
  {
    std::lock_guard lock(store->mutex);
    auto dev = store->session->resolve_device(id);
    if (!dev) return dev.error().code == isodrv::Errc::not_found ? CR_NO_SUCH_DEVNODE : CR_INVALID_DEVICE_ID;
    id = dev->instance_id;
  }
  auto& d = devinsts();
  std::lock_guard lock(d.mutex);
  d.ids.emplace_back(store, id);
  *pdnDevInst = static_cast<DEVINST>(d.ids.size());
  return CR_SUCCESS;
}

ISODRV_API CONFIGRET WINAPI CM_Open_DevNode_Key(DEVINST dnDevNode, REGSAM samDesired, ULONG ulHardwareProfile,
                                               REGDISPOSITION Disposition, PHKEY phkDevice, ULONG ulFlags) {
  if (!phkDevice) return CR_INVALID_POINTER;
  if ((ulFlags & ~static_cast<ULONG>(CM_REGISTRY_BITS)) || (ulFlags & CM_REGISTRY_USER)) return CR_INVALID_FLAG;
  if (Disposition & ~static_cast<ULONG>(RegDisposition_Bits)) return CR_INVALID_DATA;
  std::shared_ptr<Store> store;
  std::string id;
  {
    auto& d = devinsts();
    std::lock_guard lock(d.mutex);
    if (dnDevNode == 0 || dnDevNode > d.ids.size()) return CR_INVALID_DEVNODE;
    store = d.ids[dnDevNode - 1].first;
    id = d.ids[dnDevNode - 1].second;
  }
  if ((ulFlags & CM_REGISTRY_CONFIG) && ulHardwareProfile != 0) return CR_INVALID_DATA;  // only the current one
  ULONG type = (ulFlags & CM_REGISTRY_SOFTWARE) ? PLUGPLAY_REGKEY_DRIVER : PLUGPLAY_REGKEY_DEVICE;
  if (ulFlags & CM_REGISTRY_CONFIG) type |= PLUGPLAY_REGKEY_CURRENT_HWPROFILE;
  HANDLE out = nullptr;
  NTSTATUS st = open_devnode_key(store, id, "device " + id, type, samDesired, CallerMode::user,
                                 static_cast<isodrv::api::Disposition>(Disposition), &out);
  if (NT_SUCCESS(st)) *phkDevice = reinterpret_cast<HKEY>(out);
  return cr_of(st, CR_NO_SUCH_REGISTRY_KEY);
}

ISODRV_API CONFIGRET WINAPI CM_Open_Device_Interface_KeyW(LPCWSTR pszDeviceInterface, REGSAM samDesired,
                                                         REGDISPOSITION Disposition, PHKEY phkDeviceInterface,
                                                         ULONG ulFlags) {
  if (!phkDeviceInterface || !pszDeviceInterface) return CR_INVALID_POINTER;
  if (ulFlags != 0) return CR_INVALID_FLAG;
  if (Disposition & ~static_cast<ULONG>(RegDisposition_Bits)) return CR_INVALID_DATA;
  std::string link;
  if (!to_utf8_z(pszDeviceInterface, link)) return CR_INVALID_DATA;
  auto store = current_store();
  if (!store) return CR_NO_SUCH_DEVICE_INTERFACE;
  HANDLE out = nullptr;
  NTSTATUS st = open_interface_key(store, link, current_subject(), samDesired, CallerMode::user,
                                   static_cast<isodrv::api::Disposition>(Disposition), &out);
  if (NT_SUCCESS(st)) *phkDeviceInterface = reinterpret_cast<HKEY>(out);
  return cr_of(st, Disposition == RegDisposition_OpenExisting ? CR_NO_SUCH_REGISTRY_KEY : CR_NO_SUCH_DEVICE_INTERFACE);
}

// ---- Services ------------------------------------------------------------------------------------

ISODRV_API SERVICE_STATUS_HANDLE WINAPI RegisterServiceCtrlHandlerW(LPCWSTR lpServiceName,
                                                                   LPHANDLER_FUNCTION lpHandlerProc) {
  std::string name;
  if (!lpServiceName || !to_utf8_z(lpServiceName, name)) return nullptr;
  auto store = current_store();
  if (!store) return nullptr;
  auto obj = std::make_shared<ServiceObj>(ObjType::service_status);
  {
    std::lock_guard lock(store->mutex);
    auto svc = store->session->resolve_service(name);
    if (!svc) return nullptr;
    obj->service = svc->name;
  }
  obj->origin = Origin{store, "service " + obj->service, true, CallerMode::user};
  set_current(store, obj->origin.subject);
  return static_cast<SERVICE_STATUS_HANDLE>(insert(std::move(obj)));
}

ISODRV_API SC_HANDLE WINAPI OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess) {
  if (lpMachineName && *lpMachineName) return nullptr;  // only the local machine
  auto obj = std::make_shared<ServiceObj>(ObjType::sc_manager);
  obj->origin = Origin{current_store(), current_subject(), true, CallerMode::user};
  return static_cast<SC_HANDLE>(insert(std::move(obj)));
}

ISODRV_API SC_HANDLE WINAPI OpenServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, DWORD dwDesiredAccess) {
  auto scm = service_of(hSCManager, ObjType::sc_manager);
  std::string name;
  if (!scm || !scm->origin.store || !lpServiceName || !to_utf8_z(lpServiceName, name)) return nullptr;
  auto obj = std::make_shared<ServiceObj>(ObjType::sc_service);
  {
    std::lock_guard lock(scm->origin.store->mutex);
    auto svc = scm->origin.store->session->resolve_service(name);
    if (!svc) return nullptr;
    obj->service = svc->name;
  }
  obj->origin = scm->origin;
  return static_cast<SC_HANDLE>(insert(std::move(obj)));
}

ISODRV_API BOOL WINAPI CloseServiceHandle(SC_HANDLE hSCObject) {
  return erase(static_cast<HANDLE>(hSCObject), {ObjType::sc_manager, ObjType::sc_service}) ? TRUE : FALSE;
}

ISODRV_API DWORD WINAPI GetServiceRegistryStateKey(SERVICE_STATUS_HANDLE ServiceStatusHandle,
                                                  SERVICE_REGISTRY_STATE_TYPE StateType, DWORD AccessMask,
                                                  HKEY* ServiceStateKey) {
  auto svc = service_of(ServiceStatusHandle, ObjType::service_status);
  if (!svc) return ERROR_INVALID_HANDLE;
  if (!ServiceStateKey || StateType < ServiceRegistryStateParameters || StateType >= MaxServiceRegistryStateType) {
    return ERROR_INVALID_PARAMETER;
  }
  int type = StateType == ServiceRegistryStateParameters ? DriverRegKeyParameters : DriverRegKeyPersistentState;
  return static_cast<DWORD>(win32_of(open_service_key(svc->origin.store, svc->service, svc->origin.subject, type,
                                                      AccessMask, CallerMode::user, isodrv::api::Disposition::open_always,
                                                      reinterpret_cast<HANDLE*>(ServiceStateKey))));
}

ISODRV_API DWORD WINAPI GetSharedServiceRegistryStateKey(SC_HANDLE ServiceHandle,
                                                        SERVICE_SHARED_REGISTRY_STATE_TYPE StateType,
                                                        DWORD AccessMask, HKEY* ServiceStateKey) {
  auto svc = service_of(ServiceHandle, ObjType::sc_service);
  if (!svc) return ERROR_INVALID_HANDLE;
  if (!ServiceStateKey || StateType != ServiceSharedRegistryPersistentState) return ERROR_INVALID_PARAMETER;
  return static_cast<DWORD>(win32_of(open_service_key(svc->origin.store, svc->service, svc->origin.subject,
                                                      DriverRegKeySharedPersistentState, AccessMask, CallerMode::user,
                                                      isodrv::api::Disposition::open_always,
                                                      reinterpret_cast<HANDLE*>(ServiceStateKey))));
}

ISODRV_API DWORD WINAPI GetServiceDirectory(SERVICE_STATUS_HANDLE hServiceStatus, SERVICE_DIRECTORY_TYPE eDirectoryType,
                                           PWCHAR lpPathBuffer, DWORD cchPathBufferLength,
                                           DWORD* lpcchRequiredBufferLength) {
  auto svc = service_of(hServiceStatus, ObjType::service_status);
  if (!svc) return ERROR_INVALID_HANDLE;
  if (eDirectoryType != ServiceDirectoryPersistentState) return ERROR_INVALID_PARAMETER;
  return service_directory(svc->origin.store, svc->service, isodrv::api::DriverDirectoryType::data, lpPathBuffer, cchPathBufferLength,
                           lpcchRequiredBufferLength);
}

ISODRV_API DWORD WINAPI GetSharedServiceDirectory(SC_HANDLE ServiceHandle, SERVICE_SHARED_DIRECTORY_TYPE DirectoryType,
                                                 PWCHAR PathBuffer, DWORD PathBufferLength,
                                                 DWORD* RequiredBufferLength) {
  auto svc = service_of(ServiceHandle, ObjType::sc_service);
  if (!svc) return ERROR_INVALID_HANDLE;
  if (DirectoryType != ServiceSharedDirectoryPersistentState) return ERROR_INVALID_PARAMETER;
  return service_directory(svc->origin.store, svc->service, isodrv::api::DriverDirectoryType::shared_data, PathBuffer, PathBufferLength,
                           RequiredBufferLength);
}

}  // extern "C"
