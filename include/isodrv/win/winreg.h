/* isodrv C ABI, user-mode registry names (winreg.h signatures, Win32 error codes), backed by the
 * store root bound last (IsodrvBindDriver) or, when none, $ISODRV_ROOT / the CLI's default root.
 * Link with -lisodrv. Strings are UTF-16: u"..." (or L"..." in C with -fshort-wchar). */
#ifndef ISODRV_WIN_WINREG_H
#define ISODRV_WIN_WINREG_H

#include "isodrv/win/basetypes.h"

ISODRV_BEGIN_C

typedef LONG LSTATUS;
typedef struct HKEY__ *HKEY, **PHKEY;

/* The predefined keys. Opening below them is an absolute-path access (an isolation violation). */
#define HKEY_CLASSES_ROOT ((HKEY)(ULONG_PTR)((LONG)0x80000000))
#define HKEY_CURRENT_USER ((HKEY)(ULONG_PTR)((LONG)0x80000001))
#define HKEY_LOCAL_MACHINE ((HKEY)(ULONG_PTR)((LONG)0x80000002))
#define HKEY_USERS ((HKEY)(ULONG_PTR)((LONG)0x80000003))
#define HKEY_CURRENT_CONFIG ((HKEY)(ULONG_PTR)((LONG)0x80000005))

/* Win32 error codes (winerror.h numbers) returned here. */
#define ERROR_SUCCESS 0L
#define ERROR_FILE_NOT_FOUND 2L
#define ERROR_PATH_NOT_FOUND 3L
#define ERROR_ACCESS_DENIED 5L
#define ERROR_INVALID_HANDLE 6L
#define ERROR_NOT_ENOUGH_MEMORY 8L
#define ERROR_GEN_FAILURE 31L
#define ERROR_INVALID_PARAMETER 87L
#define ERROR_INSUFFICIENT_BUFFER 122L
#define ERROR_BAD_PATHNAME 161L
#define ERROR_MORE_DATA 234L
#define ERROR_NO_MORE_ITEMS 259L
#define ERROR_KEY_DELETED 1018L
#define ERROR_SERVICE_DOES_NOT_EXIST 1060L
#define ERROR_BADDB 1009L

ISODRV_API LSTATUS WINAPI RegOpenKeyExW(HKEY hKey, LPCWSTR lpSubKey, DWORD ulOptions, REGSAM samDesired,
                                       PHKEY phkResult);
ISODRV_API LSTATUS WINAPI RegQueryValueExW(HKEY hKey, LPCWSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType,
                                          LPBYTE lpData, LPDWORD lpcbData);
ISODRV_API LSTATUS WINAPI RegSetValueExW(HKEY hKey, LPCWSTR lpValueName, DWORD Reserved, DWORD dwType,
                                        const BYTE *lpData, DWORD cbData);
ISODRV_API LSTATUS WINAPI RegCloseKey(HKEY hKey);

ISODRV_END_C

#endif /* ISODRV_WIN_WINREG_H */
