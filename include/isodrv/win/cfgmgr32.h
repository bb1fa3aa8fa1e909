/* isodrv C ABI, user-mode device names (cfgmgr32.h signatures, CONFIGRET codes). Also declares
 * the service-state routines (<isodrv/win/winsvc.h>). Link with -lisodrv. */
#ifndef ISODRV_WIN_CFGMGR32_H
#define ISODRV_WIN_CFGMGR32_H

#include "isodrv/win/winreg.h"
#include "isodrv/win/winsvc.h"

ISODRV_BEGIN_C

typedef DWORD CONFIGRET;
typedef DWORD DEVINST, *PDEVINST, DEVNODE, *PDEVNODE;
typedef WCHAR *DEVINSTID_W;
typedef ULONG REGDISPOSITION;

#define CR_SUCCESS 0x00000000
#define CR_OUT_OF_MEMORY 0x00000002
#define CR_INVALID_POINTER 0x00000003
#define CR_INVALID_FLAG 0x00000004
#define CR_INVALID_DEVNODE 0x00000005
#define CR_INVALID_DEVINST CR_INVALID_DEVNODE
#define CR_NO_SUCH_DEVNODE 0x0000000D
#define CR_NO_SUCH_DEVINST CR_NO_SUCH_DEVNODE
#define CR_FAILURE 0x00000013
#define CR_BUFFER_SMALL 0x0000001A
#define CR_REGISTRY_ERROR 0x0000001D
#define CR_INVALID_DEVICE_ID 0x0000001E
#define CR_INVALID_DATA 0x0000001F
#define CR_NO_SUCH_VALUE 0x00000025
#define CR_NO_SUCH_REGISTRY_KEY 0x0000002E
#define CR_ACCESS_DENIED 0x00000033
#define CR_CALL_NOT_IMPLEMENTED 0x00000034
#define CR_NO_SUCH_DEVICE_INTERFACE 0x00000037

#define CM_LOCATE_DEVNODE_NORMAL 0x00000000
#define CM_LOCATE_DEVNODE_PHANTOM 0x00000001

#define CM_REGISTRY_HARDWARE 0x00000000
#define CM_REGISTRY_SOFTWARE 0x00000001
#define CM_REGISTRY_USER 0x00000100
#define CM_REGISTRY_CONFIG 0x00000200
#define CM_REGISTRY_BITS 0x00000301

#define RegDisposition_OpenAlways 0x00000000
#define RegDisposition_OpenExisting 0x00000001
#define RegDisposition_Bits 0x00000001

ISODRV_API CONFIGRET WINAPI CM_Locate_DevNodeW(PDEVINST pdnDevInst, DEVINSTID_W pDeviceID, ULONG ulFlags);
ISODRV_API CONFIGRET WINAPI CM_Open_DevNode_Key(DEVINST dnDevNode, REGSAM samDesired, ULONG ulHardwareProfile,
                                               REGDISPOSITION Disposition, PHKEY phkDevice, ULONG ulFlags);
ISODRV_API CONFIGRET WINAPI CM_Open_Device_Interface_KeyW(LPCWSTR pszDeviceInterface, REGSAM samDesired,
                                                         REGDISPOSITION Disposition, PHKEY phkDeviceInterface,
                                                         ULONG ulFlags);

ISODRV_END_C

#endif /* ISODRV_WIN_CFGMGR32_H */
