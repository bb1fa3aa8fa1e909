/* A stand-in for the PnP manager: loads one example driver against an isodrv store and starts
 * its device, the way Windows would call DriverEntry and then AddDevice.
 *   usage: <program> STORE_ROOT SERVICE INSTANCE_ID
 * The driver is linked in (DriverEntry); libisodrv provides everything it calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isodrv/win/ntddk.h>

DRIVER_INITIALIZE DriverEntry;

/* ASCII command-line arguments as UTF-16 (enough for service names and instance IDs). */
static WCHAR* widen(const char* s) {
  size_t n = strlen(s);
  WCHAR* w = (WCHAR*)malloc((n + 1) * sizeof(WCHAR));
  if (!w) exit(3);
  for (size_t i = 0; i <= n; ++i) w[i] = (WCHAR)(unsigned char)s[i];
  return w;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s STORE_ROOT SERVICE INSTANCE_ID\n", argv[0]);
    return 2;
  }
  WCHAR* service = widen(argv[2]);
  WCHAR* instance = widen(argv[3]);
  PDRIVER_OBJECT driver = IsodrvBindDriver(argv[1], service);
  if (!driver) {
    fprintf(stderr, "host: service %s is not in the store %s\n", argv[2], argv[1]);
    return 1;
  }
  NTSTATUS status = DriverEntry(driver, IsodrvDriverRegistryPath(driver));
  printf("host: DriverEntry returned 0x%08x\n", (unsigned)status);
  if (!NT_SUCCESS(status)) return 1;
  PDEVICE_OBJECT pdo = IsodrvBindDevice(driver, instance);
  printf("host: AddDevice %s\n", pdo ? "succeeded" : "failed");
  IsodrvUnbindDriver(driver);
  free(service);
  free(instance);
  return pdo ? 0 : 1;
}
