/* isodrv C ABI, the service-state routines of winsvc.h (user-mode services: their registry state
 * keys and directories). Link with -lisodrv. */
#ifndef ISODRV_WIN_WINSVC_H
#define ISODRV_WIN_WINSVC_H

#include "isodrv/win/winreg.h"

ISODRV_BEGIN_C

typedef struct SC_HANDLE__ *SC_HANDLE, *LPSC_HANDLE;
typedef struct SERVICE_STATUS_HANDLE__ *SERVICE_STATUS_HANDLE;
typedef VOID(WINAPI *LPHANDLER_FUNCTION)(DWORD dwControl);

#define SC_MANAGER_CONNECT 0x0001UL
#define SC_MANAGER_ALL_ACCESS 0xF003FUL
#define SERVICE_QUERY_CONFIG 0x0001UL
#define SERVICE_ALL_ACCESS 0xF01FFUL

typedef enum SERVICE_REGISTRY_STATE_TYPE {
  ServiceRegistryStateParameters = 0,
  ServiceRegistryStatePersistent = 1,
  MaxServiceRegistryStateType = 2
} SERVICE_REGISTRY_STATE_TYPE;
typedef enum SERVICE_SHARED_REGISTRY_STATE_TYPE {
  ServiceSharedRegistryPersistentState = 0
} SERVICE_SHARED_REGISTRY_STATE_TYPE;
typedef enum SERVICE_DIRECTORY_TYPE {
  ServiceDirectoryPersistentState = 0,
  ServiceDirectoryTypeMax = 1
} SERVICE_DIRECTORY_TYPE;
typedef enum SERVICE_SHARED_DIRECTORY_TYPE {
  ServiceSharedDirectoryPersistentState = 0
} SERVICE_SHARED_DIRECTORY_TYPE;

/* The service calls this first; the handle names the service whose state the calls below reach. */
ISODRV_API SERVICE_STATUS_HANDLE WINAPI RegisterServiceCtrlHandlerW(LPCWSTR lpServiceName,
                                                                   LPHANDLER_FUNCTION lpHandlerProc);
ISODRV_API SC_HANDLE WINAPI OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess);
ISODRV_API SC_HANDLE WINAPI OpenServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, DWORD dwDesiredAccess);
ISODRV_API BOOL WINAPI CloseServiceHandle(SC_HANDLE hSCObject);

ISODRV_API DWORD WINAPI GetServiceRegistryStateKey(SERVICE_STATUS_HANDLE ServiceStatusHandle,
                                                  SERVICE_REGISTRY_STATE_TYPE StateType, DWORD AccessMask,
                                                  HKEY *ServiceStateKey);
ISODRV_API DWORD WINAPI GetSharedServiceRegistryStateKey(SC_HANDLE ServiceHandle,
                                                        SERVICE_SHARED_REGISTRY_STATE_TYPE StateType,
                                                        DWORD AccessMask, HKEY *ServiceStateKey);
/* The directory's path on this machine (so that the platform's file API can open it). */
ISODRV_API DWORD WINAPI GetServiceDirectory(SERVICE_STATUS_HANDLE hServiceStatus,
                                           SERVICE_DIRECTORY_TYPE eDirectoryType, PWCHAR lpPathBuffer,
                                           DWORD cchPathBufferLength, DWORD *lpcchRequiredBufferLength);
ISODRV_API DWORD WINAPI GetSharedServiceDirectory(SC_HANDLE ServiceHandle,
                                                 SERVICE_SHARED_DIRECTORY_TYPE DirectoryType, PWCHAR PathBuffer,
                                                 DWORD PathBufferLength, DWORD *RequiredBufferLength);

ISODRV_END_C

#endif /* ISODRV_WIN_WINSVC_H */
