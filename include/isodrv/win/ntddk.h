/* isodrv C ABI, kernel names: the state-location routines of wdm.h / ntddk.h with Windows'
 * signatures, backed by an isodrv store root. Link with -lisodrv.
 * Bind first: IsodrvBindDriver(root, u"service") gives the DRIVER_OBJECT a DriverEntry receives,
 * IsodrvBindDevice(driver, u"ROOT\\X\\0000") the PDO (and calls the driver's AddDevice).
 * Strings are UTF-16 (WCHAR is 16-bit on every host): write u"..." (or L"..." in C with -fshort-wchar). */
#ifndef ISODRV_WIN_NTDDK_H
#define ISODRV_WIN_NTDDK_H

#include "isodrv/win/basetypes.h"

ISODRV_BEGIN_C

typedef LONG NTSTATUS;
#define NT_SUCCESS(s) (((NTSTATUS)(s)) >= 0)
#define NT_INFORMATION(s) ((((ULONG)(s)) >> 30) == 1)
#define NT_WARNING(s) ((((ULONG)(s)) >> 30) == 2)
#define NT_ERROR(s) ((((ULONG)(s)) >> 30) == 3)

/* The NTSTATUS values this library returns (ntstatus.h numbers). */
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#define STATUS_NO_MORE_ENTRIES ((NTSTATUS)0x8000001AL)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)
#define STATUS_END_OF_FILE ((NTSTATUS)0xC0000011L)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022L)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023L)
#define STATUS_OBJECT_TYPE_MISMATCH ((NTSTATUS)0xC0000024L)
#define STATUS_OBJECT_NAME_INVALID ((NTSTATUS)0xC0000033L)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034L)
#define STATUS_OBJECT_NAME_COLLISION ((NTSTATUS)0xC0000035L)
#define STATUS_OBJECT_PATH_NOT_FOUND ((NTSTATUS)0xC000003AL)
#define STATUS_OBJECT_PATH_SYNTAX_BAD ((NTSTATUS)0xC000003BL)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_FILE_IS_A_DIRECTORY ((NTSTATUS)0xC00000BAL)
#define STATUS_INTERNAL_ERROR ((NTSTATUS)0xC00000E5L)
#define STATUS_NOT_A_DIRECTORY ((NTSTATUS)0xC0000103L)
#define STATUS_CANNOT_DELETE ((NTSTATUS)0xC0000121L)
#define STATUS_REGISTRY_CORRUPT ((NTSTATUS)0xC000014CL)
#define STATUS_KEY_DELETED ((NTSTATUS)0xC000017CL)
#define STATUS_IO_DEVICE_ERROR ((NTSTATUS)0xC0000185L)
#define STATUS_NOT_FOUND ((NTSTATUS)0xC0000225L)

typedef struct _UNICODE_STRING {
  USHORT Length;        /* bytes, without a terminating NUL */
  USHORT MaximumLength; /* bytes of Buffer */
  PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* A constant UNICODE_STRING from a u"" literal. */
#define RTL_CONSTANT_STRING(s) {(USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), (PWSTR)(s)}

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L

typedef struct _OBJECT_ATTRIBUTES {
  ULONG Length;
  HANDLE RootDirectory;      /* a key or directory handle: ObjectName is relative to it */
  PUNICODE_STRING ObjectName;
  ULONG Attributes;
  PVOID SecurityDescriptor;
  PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define InitializeObjectAttributes(p, n, a, r, s) \
  do {                                            \
    (p)->Length = sizeof(OBJECT_ATTRIBUTES);      \
    (p)->RootDirectory = (r);                     \
    (p)->Attributes = (a);                        \
    (p)->ObjectName = (n);                        \
    (p)->SecurityDescriptor = (s);                \
    (p)->SecurityQualityOfService = NULL;         \
  } while (0)

typedef struct _IO_STATUS_BLOCK {
  union {
    NTSTATUS Status;
    PVOID Pointer;
  };
  ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;
typedef VOID (*PIO_APC_ROUTINE)(PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG Reserved);

/* ---- Driver and device objects (the fields a driver's state code touches) ---- */
struct _DRIVER_OBJECT;
struct _DEVICE_OBJECT;
struct _IRP;
typedef struct _IRP IRP, *PIRP;

typedef NTSTATUS DRIVER_INITIALIZE(struct _DRIVER_OBJECT *DriverObject, PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;
typedef NTSTATUS DRIVER_ADD_DEVICE(struct _DRIVER_OBJECT *DriverObject, struct _DEVICE_OBJECT *PhysicalDeviceObject);
typedef DRIVER_ADD_DEVICE *PDRIVER_ADD_DEVICE;
typedef VOID DRIVER_UNLOAD(struct _DRIVER_OBJECT *DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;
typedef VOID DRIVER_STARTIO(struct _DEVICE_OBJECT *DeviceObject, PIRP Irp);
typedef DRIVER_STARTIO *PDRIVER_STARTIO;
typedef NTSTATUS DRIVER_DISPATCH(struct _DEVICE_OBJECT *DeviceObject, PIRP Irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;

#define IRP_MJ_MAXIMUM_FUNCTION 0x1b

typedef struct _DRIVER_EXTENSION {
  struct _DRIVER_OBJECT *DriverObject;
  PDRIVER_ADD_DEVICE AddDevice;
  ULONG Count;
  UNICODE_STRING ServiceKeyName;
} DRIVER_EXTENSION, *PDRIVER_EXTENSION;

typedef struct _DRIVER_OBJECT {
  CSHORT Type;
  CSHORT Size;
  struct _DEVICE_OBJECT *DeviceObject;
  ULONG Flags;
  PVOID DriverStart;
  ULONG DriverSize;
  PVOID DriverSection;
  PDRIVER_EXTENSION DriverExtension;
  UNICODE_STRING DriverName;        /* "\Driver\<service>" */
  PUNICODE_STRING HardwareDatabase;
  PVOID FastIoDispatch;
  PDRIVER_INITIALIZE DriverInit;
  PDRIVER_STARTIO DriverStartIo;
  PDRIVER_UNLOAD DriverUnload;
  PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;

typedef struct _DEVICE_OBJECT {
  CSHORT Type;
  USHORT Size;
  LONG ReferenceCount;
  struct _DRIVER_OBJECT *DriverObject;
  struct _DEVICE_OBJECT *NextDevice;
  struct _DEVICE_OBJECT *AttachedDevice;
  PIRP CurrentIrp;
  PVOID Timer;
  ULONG Flags;
  ULONG Characteristics;
  PVOID Vpb;
  PVOID DeviceExtension;
  ULONG DeviceType;
  CHAR StackSize;
} DEVICE_OBJECT, *PDEVICE_OBJECT;

/* ---- Registry state ---- */
#define PLUGPLAY_REGKEY_DEVICE 1
#define PLUGPLAY_REGKEY_DRIVER 2
#define PLUGPLAY_REGKEY_CURRENT_HWPROFILE 4

typedef enum _DRIVER_REGKEY_TYPE {
  DriverRegKeyParameters = 0,
  DriverRegKeyPersistentState = 1,
  DriverRegKeySharedPersistentState = 2
} DRIVER_REGKEY_TYPE, *PDRIVER_REGKEY_TYPE;

typedef enum _KEY_VALUE_INFORMATION_CLASS {
  KeyValueBasicInformation = 0,
  KeyValueFullInformation = 1,
  KeyValuePartialInformation = 2
} KEY_VALUE_INFORMATION_CLASS;

typedef struct _KEY_VALUE_BASIC_INFORMATION {
  ULONG TitleIndex;
  ULONG Type;
  ULONG NameLength; /* bytes */
  WCHAR Name[1];
} KEY_VALUE_BASIC_INFORMATION, *PKEY_VALUE_BASIC_INFORMATION;

typedef struct _KEY_VALUE_FULL_INFORMATION {
  ULONG TitleIndex;
  ULONG Type;
  ULONG DataOffset; /* from the start of the structure */
  ULONG DataLength;
  ULONG NameLength;
  WCHAR Name[1];
} KEY_VALUE_FULL_INFORMATION, *PKEY_VALUE_FULL_INFORMATION;

typedef struct _KEY_VALUE_PARTIAL_INFORMATION {
  ULONG TitleIndex;
  ULONG Type;
  ULONG DataLength;
  UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION, *PKEY_VALUE_PARTIAL_INFORMATION;

typedef enum _KEY_INFORMATION_CLASS {
  KeyBasicInformation = 0,
  KeyNodeInformation = 1,
  KeyFullInformation = 2
} KEY_INFORMATION_CLASS;

typedef struct _KEY_BASIC_INFORMATION {
  LARGE_INTEGER LastWriteTime;
  ULONG TitleIndex;
  ULONG NameLength;
  WCHAR Name[1];
} KEY_BASIC_INFORMATION, *PKEY_BASIC_INFORMATION;

typedef struct _KEY_NODE_INFORMATION {
  LARGE_INTEGER LastWriteTime;
  ULONG TitleIndex;
  ULONG ClassOffset;
  ULONG ClassLength;
  ULONG NameLength;
  WCHAR Name[1];
} KEY_NODE_INFORMATION, *PKEY_NODE_INFORMATION;

/* ---- File state ---- */
typedef enum _DRIVER_DIRECTORY_TYPE {
  DriverDirectoryImage = 0,
  DriverDirectoryData = 1,
  DriverDirectorySharedData = 2
} DRIVER_DIRECTORY_TYPE, *PDRIVER_DIRECTORY_TYPE;

typedef enum _DEVICE_DIRECTORY_TYPE { DeviceDirectoryData = 0 } DEVICE_DIRECTORY_TYPE, *PDEVICE_DIRECTORY_TYPE;

#define FILE_READ_DATA 0x0001UL
#define FILE_LIST_DIRECTORY 0x0001UL
#define FILE_WRITE_DATA 0x0002UL
#define FILE_ADD_FILE 0x0002UL
#define FILE_APPEND_DATA 0x0004UL
#define FILE_ADD_SUBDIRECTORY 0x0004UL
#define FILE_READ_EA 0x0008UL
#define FILE_WRITE_EA 0x0010UL
#define FILE_EXECUTE 0x0020UL
#define FILE_TRAVERSE 0x0020UL
#define FILE_READ_ATTRIBUTES 0x0080UL
#define FILE_WRITE_ATTRIBUTES 0x0100UL
#define FILE_GENERIC_READ (STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE)
#define FILE_GENERIC_WRITE \
  (STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | FILE_APPEND_DATA | SYNCHRONIZE)
#define FILE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF)

#define FILE_SHARE_READ 0x1UL
#define FILE_SHARE_WRITE 0x2UL
#define FILE_SHARE_DELETE 0x4UL
#define FILE_ATTRIBUTE_NORMAL 0x80UL

#define FILE_SUPERSEDE 0UL
#define FILE_OPEN 1UL
#define FILE_CREATE 2UL
#define FILE_OPEN_IF 3UL
#define FILE_OVERWRITE 4UL
#define FILE_OVERWRITE_IF 5UL

#define FILE_DIRECTORY_FILE 0x00000001UL
#define FILE_WRITE_THROUGH 0x00000002UL
#define FILE_SEQUENTIAL_ONLY 0x00000004UL
#define FILE_SYNCHRONOUS_IO_ALERT 0x00000010UL
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020UL
#define FILE_NON_DIRECTORY_FILE 0x00000040UL

/* IO_STATUS_BLOCK.Information after ZwCreateFile. */
#define FILE_SUPERSEDED 0UL
#define FILE_OPENED 1UL
#define FILE_CREATED 2UL
#define FILE_OVERWRITTEN 3UL
#define FILE_EXISTS 4UL
#define FILE_DOES_NOT_EXIST 5UL

#define FILE_USE_FILE_POINTER_POSITION 0xfffffffe
#define FILE_WRITE_TO_END_OF_FILE 0xffffffff

/* ---- Routines ---- */
/* Writes the formatted message to standard output (the kernel debugger's stand-in). */
ISODRV_API ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));
ISODRV_API VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
ISODRV_API VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
ISODRV_API VOID NTAPI ExFreePool(PVOID P);
ISODRV_API VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag);

ISODRV_API NTSTATUS NTAPI IoOpenDeviceRegistryKey(PDEVICE_OBJECT DeviceObject, ULONG DevInstKeyType,
                                                  ACCESS_MASK DesiredAccess, PHANDLE DeviceRegKey);
ISODRV_API NTSTATUS NTAPI IoOpenDriverRegistryKey(PDRIVER_OBJECT DriverObject, DRIVER_REGKEY_TYPE RegKeyType,
                                                  ACCESS_MASK DesiredAccess, ULONG Flags, PHANDLE DriverRegKey);
ISODRV_API NTSTATUS NTAPI IoOpenDeviceInterfaceRegistryKey(PUNICODE_STRING SymbolicLinkName,
                                                           ACCESS_MASK DesiredAccess,
                                                           PHANDLE DeviceInterfaceRegKey);
ISODRV_API NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject,
                                                    const GUID *InterfaceClassGuid,
                                                    PUNICODE_STRING ReferenceString,
                                                    PUNICODE_STRING SymbolicLinkName);
ISODRV_API NTSTATUS NTAPI IoGetDriverDirectory(PDRIVER_OBJECT DriverObject, DRIVER_DIRECTORY_TYPE DirectoryType,
                                               ULONG Flags, PHANDLE DriverDirectoryHandle);
ISODRV_API NTSTATUS NTAPI IoGetDeviceDirectory(PDEVICE_OBJECT PhysicalDeviceObject,
                                               DEVICE_DIRECTORY_TYPE DirectoryType, ULONG Flags, PVOID Reserved,
                                               PHANDLE DeviceDirectoryHandle);
ISODRV_API NTSTATUS NTAPI IoQueryFullDriverPath(PDRIVER_OBJECT DriverObject, PUNICODE_STRING FullPath);
ISODRV_API NTSTATUS NTAPI RtlQueryRegistryValueWithFallback(HANDLE PrimaryHandle, HANDLE FallbackHandle,
                                                            PUNICODE_STRING ValueName, ULONG ValueLength,
                                                            PULONG ValueType, PVOID ValueData,
                                                            PULONG ResultLength);

ISODRV_API NTSTATUS NTAPI ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                                      POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex,
                                      PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition);
ISODRV_API NTSTATUS NTAPI ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes);
ISODRV_API NTSTATUS NTAPI ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                                          KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                          PVOID KeyValueInformation, ULONG Length, PULONG ResultLength);
ISODRV_API NTSTATUS NTAPI ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex,
                                        ULONG Type, PVOID Data, ULONG DataSize);
ISODRV_API NTSTATUS NTAPI ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName);
ISODRV_API NTSTATUS NTAPI ZwEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass,
                                         PVOID KeyInformation, ULONG Length, PULONG ResultLength);
ISODRV_API NTSTATUS NTAPI ZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index,
                                              KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                              PVOID KeyValueInformation, ULONG Length, PULONG ResultLength);
ISODRV_API NTSTATUS NTAPI ZwDeleteKey(HANDLE KeyHandle);
ISODRV_API NTSTATUS NTAPI ZwClose(HANDLE Handle);

ISODRV_API NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                                       POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
                                       PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
                                       ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                                       ULONG EaLength);
ISODRV_API NTSTATUS NTAPI ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                     PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                     PLARGE_INTEGER ByteOffset, PULONG Key);
ISODRV_API NTSTATUS NTAPI ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                      PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                      ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key);

/* ---- isodrv's own calls: binding a driver to a store, and the isolation mode ---- */
/* root NULL: $ISODRV_ROOT, else the CLI's default (~/.local/share/isodrv/default). NULL when the
 * service does not exist in the store (or the root cannot be opened). */
ISODRV_API PDRIVER_OBJECT IsodrvBindDriver(PCSTR root, PCWSTR serviceName);
/* The PDO of an existing device; calls DriverExtension->AddDevice (WDM) or EvtDriverDeviceAdd
 * (KMDF) of the driver once. NULL for an unknown device or driver object. */
ISODRV_API PDEVICE_OBJECT IsodrvBindDevice(PDRIVER_OBJECT DriverObject, PCWSTR instanceId);
/* The RegistryPath to pass to DriverEntry: \Registry\Machine\SYSTEM\CurrentControlSet\Services\<svc>. */
ISODRV_API PUNICODE_STRING IsodrvDriverRegistryPath(PDRIVER_OBJECT DriverObject);
/* Calls DriverUnload (if set) and releases the driver object and its devices. */
ISODRV_API VOID IsodrvUnbindDriver(PDRIVER_OBJECT DriverObject);

typedef enum _ISODRV_ISOLATION_MODE { IsodrvIsolationAudit = 0, IsodrvIsolationEnforce = 1 } ISODRV_ISOLATION_MODE;
/* Audit (default, or $ISODRV_ISOLATION=audit): isolation violations succeed and are recorded.
 * Enforce ($ISODRV_ISOLATION=enforce): they fail with STATUS_ACCESS_DENIED (and are recorded). */
ISODRV_API VOID IsodrvSetIsolationMode(ISODRV_ISOLATION_MODE Mode);
ISODRV_API ISODRV_ISOLATION_MODE IsodrvGetIsolationMode(void);

ISODRV_END_C

#endif /* ISODRV_WIN_NTDDK_H */
