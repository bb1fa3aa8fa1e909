/* isodrv C ABI, KMDF names: driver and device objects and the WDF registry routines a KMDF driver
 * uses for its state, with the signatures of wdfdriver.h / wdfdevice.h / wdfregistry.h.
 * Calls are plain functions here (no WdfFunctions table). Link with -lisodrv. */
#ifndef ISODRV_WIN_WDF_H
#define ISODRV_WIN_WDF_H

#include "isodrv/win/ntddk.h"

ISODRV_BEGIN_C

typedef struct WDFDRIVER__ *WDFDRIVER;
typedef struct WDFDEVICE__ *WDFDEVICE;
typedef struct WDFKEY__ *WDFKEY;
typedef struct WDFDEVICE_INIT *PWDFDEVICE_INIT;

#define WDF_NO_OBJECT_ATTRIBUTES NULL
#define WDF_NO_HANDLE NULL

/* Object attributes are accepted and ignored: keys and devices are released by their Close calls
 * or with the driver. */
typedef struct _WDF_OBJECT_ATTRIBUTES {
  ULONG Size;
  PVOID EvtCleanupCallback;
  PVOID EvtDestroyCallback;
  ULONG ExecutionLevel;
  ULONG SynchronizationScope;
  PVOID ParentObject;
  size_t ContextSizeOverride;
  PVOID ContextTypeInfo;
} WDF_OBJECT_ATTRIBUTES, *PWDF_OBJECT_ATTRIBUTES;

typedef NTSTATUS EVT_WDF_DRIVER_DEVICE_ADD(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit);
typedef EVT_WDF_DRIVER_DEVICE_ADD *PFN_WDF_DRIVER_DEVICE_ADD;
typedef VOID EVT_WDF_DRIVER_UNLOAD(WDFDRIVER Driver);
typedef EVT_WDF_DRIVER_UNLOAD *PFN_WDF_DRIVER_UNLOAD;

typedef struct _WDF_DRIVER_CONFIG {
  ULONG Size;
  PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
  PFN_WDF_DRIVER_UNLOAD EvtDriverUnload;
  ULONG DriverInitFlags;
  ULONG DriverPoolTag;
} WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;

static inline VOID WDF_DRIVER_CONFIG_INIT(PWDF_DRIVER_CONFIG Config, PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd) {
  PUCHAR p = (PUCHAR)Config;
  for (size_t i = 0; i < sizeof(WDF_DRIVER_CONFIG); ++i) p[i] = 0;
  Config->Size = sizeof(WDF_DRIVER_CONFIG);
  Config->EvtDriverDeviceAdd = EvtDriverDeviceAdd;
}

static inline VOID WDF_OBJECT_ATTRIBUTES_INIT(PWDF_OBJECT_ATTRIBUTES Attributes) {
  PUCHAR p = (PUCHAR)Attributes;
  for (size_t i = 0; i < sizeof(WDF_OBJECT_ATTRIBUTES); ++i) p[i] = 0;
  Attributes->Size = sizeof(WDF_OBJECT_ATTRIBUTES);
}

/* WdfDeviceOpenRegistryKey's type: PLUGPLAY_REGKEY_DEVICE / _DRIVER, optionally with this flag
 * for the <ServiceName> subkey of that key. */
#define WDF_REGKEY_DEVICE_SUBKEY 0x100
#define WDF_REGKEY_DRIVER_SUBKEY 0x100

ISODRV_API NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
                                   PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
                                   WDFDRIVER *Driver);
ISODRV_API WDFDRIVER WdfGetDriver(void);
ISODRV_API PDRIVER_OBJECT WdfDriverWdmGetDriverObject(WDFDRIVER Driver);
ISODRV_API NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT *DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
                                   WDFDEVICE *Device);
ISODRV_API PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device);

ISODRV_API NTSTATUS WdfDriverOpenParametersRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                                      PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);
ISODRV_API NTSTATUS WdfDriverOpenPersistentStateRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                                           PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);
ISODRV_API NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType,
                                            ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                            WDFKEY *Key);
ISODRV_API NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value);
ISODRV_API NTSTATUS WdfRegistryQueryUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                                 PUSHORT ValueByteLength, PUNICODE_STRING Value);
ISODRV_API NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value);
ISODRV_API HANDLE WdfRegistryWdmGetHandle(WDFKEY Key);
ISODRV_API VOID WdfRegistryClose(WDFKEY Key);

ISODRV_END_C

#endif /* ISODRV_WIN_WDF_H */
