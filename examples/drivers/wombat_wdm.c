/* wombat, WDM style: the same state handling with the Io* / Zw* routines and the documented
 * buffer-too-small protocol. Parameters read with RtlQueryRegistryValueWithFallback (an override
 * in the persistent state wins), a counter in a subkey of the persistent state, a data file read
 * back and rewritten, the device's hardware key and its interface key. */
#include <isodrv/win/ntddk.h>

static const GUID GUID_DEVINTERFACE_WOMBAT = {0x8f3b5a10, 0x2c4d, 0x4e6f, {0x9a, 0x1b, 0x0c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b}};

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE WombatAddDevice;
static DRIVER_UNLOAD WombatUnload;

static ULONG g_traceLevel;

/* A DWORD value: first ask for the size with the fixed part only, then read it whole. */
static NTSTATUS QueryDword(HANDLE key, PCWSTR valueName, PULONG value) {
  UNICODE_STRING name;
  RtlInitUnicodeString(&name, valueName);
  ULONG needed = 0;
  UCHAR small[FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data)];
  NTSTATUS status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, small, sizeof(small), &needed);
  if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL) return status;
  ULONG storage[8];
  if (needed > sizeof(storage)) return STATUS_BUFFER_TOO_SMALL;
  PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)storage;
  status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, needed, &needed);
  if (!NT_SUCCESS(status)) return status;
  if (info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)) return STATUS_OBJECT_TYPE_MISMATCH;
  *value = *(const ULONG*)info->Data;
  return STATUS_SUCCESS;
}

static NTSTATUS ReadSettings(PDRIVER_OBJECT DriverObject) {
  HANDLE params, state;
  NTSTATUS status = IoOpenDriverRegistryKey(DriverObject, DriverRegKeyParameters, KEY_READ, 0, &params);
  if (!NT_SUCCESS(status)) return status;
  status = IoOpenDriverRegistryKey(DriverObject, DriverRegKeyPersistentState, KEY_ALL_ACCESS, 0, &state);
  if (!NT_SUCCESS(status)) {
    ZwClose(params);
    return status;
  }
  UNICODE_STRING name = RTL_CONSTANT_STRING(u"TraceLevel");
  ULONG type = 0, length = 0;
  status = RtlQueryRegistryValueWithFallback(state, params, &name, sizeof(g_traceLevel), &type, &g_traceLevel, &length);
  DbgPrint("wombat-wdm: TraceLevel = %lu (0x%08x)\n", (unsigned long)g_traceLevel, (unsigned)status);

  ULONG count = 0;
  (void)QueryDword(params, u"TraceLevel", &count);
  DbgPrint("wombat-wdm: Parameters\\TraceLevel via ZwQueryValueKey = %lu\n", (unsigned long)count);

  /* A subkey of the persistent state keeps a counter. */
  UNICODE_STRING sub = RTL_CONSTANT_STRING(u"Counters");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &sub, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, state, NULL);
  HANDLE counters;
  ULONG disposition = 0;
  status = ZwCreateKey(&counters, KEY_ALL_ACCESS, &oa, 0, NULL, REG_OPTION_NON_VOLATILE, &disposition);
  if (NT_SUCCESS(status)) {
    ULONG starts = 0;
    (void)QueryDword(counters, u"Starts", &starts);
    ++starts;
    UNICODE_STRING value = RTL_CONSTANT_STRING(u"Starts");
    status = ZwSetValueKey(counters, &value, 0, REG_DWORD, &starts, sizeof(starts));
    DbgPrint("wombat-wdm: State\\Counters\\Starts = %lu (%s, 0x%08x)\n", (unsigned long)starts,
             disposition == REG_CREATED_NEW_KEY ? "created" : "opened", (unsigned)status);
    ZwClose(counters);
  }

  /* Leaving the subtree is refused. */
  UNICODE_STRING up = RTL_CONSTANT_STRING(u"..\\Parameters");
  InitializeObjectAttributes(&oa, &up, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, state, NULL);
  HANDLE escaped;
  DbgPrint("wombat-wdm: opening ..\\Parameters below State -> 0x%08x\n", (unsigned)ZwOpenKey(&escaped, KEY_READ, &oa));
  ZwClose(state);
  ZwClose(params);
  return STATUS_SUCCESS;
}

/* The data file holds the number of times the device was started, as text. */
static NTSTATUS UpdateDeviceFile(PDEVICE_OBJECT Pdo) {
  HANDLE dir, file;
  NTSTATUS status = IoGetDeviceDirectory(Pdo, DeviceDirectoryData, 0, NULL, &dir);
  if (!NT_SUCCESS(status)) return status;
  UNICODE_STRING name = RTL_CONSTANT_STRING(u"starts.txt");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, dir, NULL);
  IO_STATUS_BLOCK iosb;
  status = ZwCreateFile(&file, FILE_GENERIC_READ | FILE_GENERIC_WRITE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0,
                        FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
  ZwClose(dir);
  if (!NT_SUCCESS(status)) return status;
  char text[16] = {0};
  LARGE_INTEGER zero;
  zero.QuadPart = 0;
  unsigned starts = 0;
  if (NT_SUCCESS(ZwReadFile(file, NULL, NULL, NULL, &iosb, text, sizeof(text) - 1, &zero, NULL))) {
    for (ULONG_PTR i = 0; i < iosb.Information && text[i] >= '0' && text[i] <= '9'; ++i) {
      starts = starts * 10 + (unsigned)(text[i] - '0');
    }
  }
  ++starts;
  int n = 0;
  char digits[12];
  unsigned v = starts;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  text[n] = '\n';
  status = ZwWriteFile(file, NULL, NULL, NULL, &iosb, text, (ULONG)n + 1, &zero, NULL);
  DbgPrint("wombat-wdm: device file starts.txt = %u (0x%08x)\n", starts, (unsigned)status);
  ZwClose(file);
  return status;
}

static NTSTATUS WombatAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo) {
  HANDLE hw;
  NTSTATUS status = IoOpenDeviceRegistryKey(Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &hw);
  if (!NT_SUCCESS(status)) return status;
  ULONG size = 0;
  status = QueryDword(hw, u"BufferSize", &size);
  DbgPrint("wombat-wdm: hardware key BufferSize = %lu (0x%08x)\n", (unsigned long)size, (unsigned)status);
  ZwClose(hw);

  UNICODE_STRING link, reference = RTL_CONSTANT_STRING(u"Burrow");
  status = IoRegisterDeviceInterface(Pdo, &GUID_DEVINTERFACE_WOMBAT, &reference, &link);
  if (!NT_SUCCESS(status)) return status;
  HANDLE itf;
  status = IoOpenDeviceInterfaceRegistryKey(&link, KEY_READ, &itf);
  RtlFreeUnicodeString(&link);
  if (!NT_SUCCESS(status)) return status;
  ULONG channels = 0;
  status = QueryDword(itf, u"Channels", &channels);
  DbgPrint("wombat-wdm: interface key Channels = %lu (0x%08x)\n", (unsigned long)channels, (unsigned)status);
  ZwClose(itf);
  return UpdateDeviceFile(Pdo);
}

static VOID WombatUnload(PDRIVER_OBJECT DriverObject) { DbgPrint("wombat-wdm: unloaded\n"); }

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  UNREFERENCED_PARAMETER(RegistryPath);
  DriverObject->DriverExtension->AddDevice = WombatAddDevice;
  DriverObject->DriverUnload = WombatUnload;
  return ReadSettings(DriverObject);
}
