/* wombat, the non-isolated way: the same reads and writes by absolute path, as drivers written
 * before driver package isolation did. libisodrv records each as an isolation violation (audit
 * mode lets them through; enforce mode refuses them) with the state API to use instead:
 * `isodrv audit show`. */
#include <isodrv/win/ntddk.h>

DRIVER_INITIALIZE DriverEntry;

static NTSTATUS OpenAbsolute(PCWSTR path, ACCESS_MASK access, PHANDLE key) {
  UNICODE_STRING name;
  RtlInitUnicodeString(&name, path);
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
  return ZwOpenKey(key, access, &oa);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  /* Parameters below RegistryPath, opened by its absolute name. */
  HANDLE service, params;
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, RegistryPath, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
  NTSTATUS status = ZwOpenKey(&service, KEY_READ, &oa);
  DbgPrint("wombat-legacy: ZwOpenKey(RegistryPath) -> 0x%08x\n", (unsigned)status);
  if (NT_SUCCESS(status)) {
    UNICODE_STRING sub = RTL_CONSTANT_STRING(u"Parameters");
    InitializeObjectAttributes(&oa, &sub, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, service, NULL);
    status = ZwOpenKey(&params, KEY_READ, &oa);
    DbgPrint("wombat-legacy: ZwOpenKey(RegistryPath\\Parameters) -> 0x%08x\n", (unsigned)status);
    if (NT_SUCCESS(status)) ZwClose(params);
    ZwClose(service);
  }

  /* The device's hardware key by its Enum path. */
  HANDLE hw;
  status = OpenAbsolute(u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Enum\\ROOT\\WOMBAT\\0000\\Device Parameters",
                        KEY_READ, &hw);
  DbgPrint("wombat-legacy: ZwOpenKey(\\Registry\\Machine\\...\\Enum\\...) -> 0x%08x\n", (unsigned)status);
  if (NT_SUCCESS(status)) ZwClose(hw);

  /* A file next to the system's own. */
  UNICODE_STRING fileName = RTL_CONSTANT_STRING(u"\\SystemRoot\\wombat.dat");
  InitializeObjectAttributes(&oa, &fileName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
  IO_STATUS_BLOCK iosb;
  HANDLE file;
  status = ZwCreateFile(&file, FILE_GENERIC_WRITE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0, FILE_OVERWRITE_IF,
                        FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
  DbgPrint("wombat-legacy: ZwCreateFile(\\SystemRoot\\wombat.dat) -> 0x%08x\n", (unsigned)status);
  if (NT_SUCCESS(status)) ZwClose(file);
  UNREFERENCED_PARAMETER(DriverObject);
  return STATUS_SUCCESS;
}
