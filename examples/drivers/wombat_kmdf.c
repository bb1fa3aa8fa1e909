/* wombat, KMDF style: an isolated driver's state handling written against the WDK names.
 * It reads its Parameters (read-only), keeps a start counter in its persistent state, appends to a
 * log in its data directory, reads a value of its device's hardware key and of its interface key.
 * Every location comes from a handle the OS hands it; no path is absolute. */
#include <isodrv/win/wdf.h>

/* {8f3b5a10-2c4d-4e6f-9a1b-0c2d3e4f5a6b}, the interface wombat.inf registers. */
static const GUID GUID_DEVINTERFACE_WOMBAT = {0x8f3b5a10, 0x2c4d, 0x4e6f, {0x9a, 0x1b, 0x0c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b}};

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD WombatEvtDeviceAdd;

static NTSTATUS ReadParameters(WDFDRIVER Driver) {
  WDFKEY params;
  NTSTATUS status = WdfDriverOpenParametersRegistryKey(Driver, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &params);
  if (!NT_SUCCESS(status)) return status;
  UNICODE_STRING traceName = RTL_CONSTANT_STRING(u"TraceLevel");
  ULONG traceLevel = 0;
  status = WdfRegistryQueryULong(params, &traceName, &traceLevel);
  DbgPrint("wombat: Parameters\\TraceLevel = %lu (0x%08x)\n", (unsigned long)traceLevel, (unsigned)status);

  WCHAR buffer[32];
  UNICODE_STRING greeting = {0, sizeof(buffer), buffer};
  UNICODE_STRING greetingName = RTL_CONSTANT_STRING(u"Greeting");
  USHORT bytes = 0;
  status = WdfRegistryQueryUnicodeString(params, &greetingName, &bytes, &greeting);
  DbgPrint("wombat: Parameters\\Greeting has %u bytes (0x%08x)\n", (unsigned)greeting.Length, (unsigned)status);

  /* Parameters is read-only to the driver: this must fail. */
  status = WdfRegistryAssignULong(params, &traceName, 5);
  DbgPrint("wombat: writing Parameters -> 0x%08x\n", (unsigned)status);
  WdfRegistryClose(params);
  return STATUS_SUCCESS;
}

static NTSTATUS CountStart(WDFDRIVER Driver) {
  WDFKEY state;
  NTSTATUS status = WdfDriverOpenPersistentStateRegistryKey(Driver, KEY_READ | KEY_SET_VALUE,
                                                            WDF_NO_OBJECT_ATTRIBUTES, &state);
  if (!NT_SUCCESS(status)) return status;
  UNICODE_STRING name = RTL_CONSTANT_STRING(u"StartCount");
  ULONG count = 0;
  (void)WdfRegistryQueryULong(state, &name, &count); /* absent on the first start */
  status = WdfRegistryAssignULong(state, &name, count + 1);
  DbgPrint("wombat: StartCount %lu -> %lu (0x%08x)\n", (unsigned long)count, (unsigned long)(count + 1),
           (unsigned)status);
  WdfRegistryClose(state);
  return status;
}

static NTSTATUS AppendLog(PDRIVER_OBJECT DriverObject) {
  HANDLE dir, file;
  NTSTATUS status = IoGetDriverDirectory(DriverObject, DriverDirectoryData, 0, &dir);
  if (!NT_SUCCESS(status)) return status;
  UNICODE_STRING name = RTL_CONSTANT_STRING(u"wombat.log");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, dir, NULL);
  IO_STATUS_BLOCK iosb;
  status = ZwCreateFile(&file, FILE_APPEND_DATA | SYNCHRONIZE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL,
                        FILE_SHARE_READ, FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
  if (NT_SUCCESS(status)) {
    static const char line[] = "wombat started\n";
    LARGE_INTEGER end;
    end.u.LowPart = FILE_WRITE_TO_END_OF_FILE;
    end.u.HighPart = -1;
    status = ZwWriteFile(file, NULL, NULL, NULL, &iosb, (PVOID)line, sizeof(line) - 1, &end, NULL);
    ZwClose(file);
  }
  DbgPrint("wombat: appended to the data directory's wombat.log (0x%08x)\n", (unsigned)status);
  ZwClose(dir);
  return status;
}

static NTSTATUS ReadDeviceState(WDFDEVICE Device) {
  WDFKEY hw;
  NTSTATUS status = WdfDeviceOpenRegistryKey(Device, PLUGPLAY_REGKEY_DEVICE, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &hw);
  if (!NT_SUCCESS(status)) return status;
  UNICODE_STRING name = RTL_CONSTANT_STRING(u"BufferSize");
  ULONG size = 0;
  status = WdfRegistryQueryULong(hw, &name, &size);
  DbgPrint("wombat: hardware key BufferSize = %lu (0x%08x)\n", (unsigned long)size, (unsigned)status);
  WdfRegistryClose(hw);

  UNICODE_STRING link;
  UNICODE_STRING reference = RTL_CONSTANT_STRING(u"Burrow");
  status = IoRegisterDeviceInterface(WdfDeviceWdmGetPhysicalDevice(Device), &GUID_DEVINTERFACE_WOMBAT, &reference,
                                     &link);
  if (!NT_SUCCESS(status)) return status;
  HANDLE itf;
  status = IoOpenDeviceInterfaceRegistryKey(&link, KEY_READ | KEY_SET_VALUE, &itf);
  if (NT_SUCCESS(status)) {
    ULONG opened = 1;
    UNICODE_STRING valueName = RTL_CONSTANT_STRING(u"Opened");
    status = ZwSetValueKey(itf, &valueName, 0, REG_DWORD, &opened, sizeof(opened));
    DbgPrint("wombat: interface key Opened = 1 (0x%08x)\n", (unsigned)status);
    ZwClose(itf);
  }
  RtlFreeUnicodeString(&link);
  return status;
}

NTSTATUS WombatEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit) {
  WDFDEVICE device;
  NTSTATUS status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
  if (!NT_SUCCESS(status)) return status;
  status = ReadDeviceState(device);
  if (!NT_SUCCESS(status)) return status;
  return AppendLog(WdfDriverWdmGetDriverObject(Driver));
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WDF_DRIVER_CONFIG config;
  WDF_DRIVER_CONFIG_INIT(&config, WombatEvtDeviceAdd);
  WDFDRIVER driver;
  NTSTATUS status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, &driver);
  if (!NT_SUCCESS(status)) return status;
  status = ReadParameters(driver);
  if (!NT_SUCCESS(status)) return status;
  return CountStart(driver);
}
