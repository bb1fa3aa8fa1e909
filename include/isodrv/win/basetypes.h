/* isodrv C ABI: the base types every <isodrv/win/...> header shares (Windows spellings and sizes).
 * Written from the documented sizes of the Windows types, for LP64 hosts:
 *   ULONG / LONG / DWORD are 32 bits, ULONG_PTR is pointer-sized, WCHAR is a 16-bit UTF-16 unit.
 * WCHAR: in C it is uint_least16_t (the type of u"" literals; L"" literals match it only under
 * -fshort-wchar); in C++ it is char16_t, so write u"..." there. */
#ifndef ISODRV_WIN_BASETYPES_H
#define ISODRV_WIN_BASETYPES_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <uchar.h>
#endif

#ifdef __cplusplus
#define ISODRV_EXTERN_C extern "C"
#define ISODRV_BEGIN_C extern "C" {
#define ISODRV_END_C }
#else
#define ISODRV_EXTERN_C
#define ISODRV_BEGIN_C
#define ISODRV_END_C
#endif
#define ISODRV_API __attribute__((visibility("default")))

/* Calling-convention and annotation macros of the WDK are empty on this host. */
#ifndef NTAPI
#define NTAPI
#endif
#ifndef WINAPI
#define WINAPI
#endif
#ifndef NTSYSAPI
#define NTSYSAPI
#endif
#ifndef _In_
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _Reserved_
#endif
#ifndef IN
#define IN
#define OUT
#define OPTIONAL
#endif
#ifndef VOID
#define VOID void
#endif
#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#endif
#ifndef FIELD_OFFSET
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#endif
#ifndef ARGUMENT_PRESENT
#define ARGUMENT_PRESENT(p) ((p) != NULL)
#endif

typedef uint8_t UCHAR, *PUCHAR, BYTE, *PBYTE, *LPBYTE, BOOLEAN, *PBOOLEAN;
typedef char CHAR, *PCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR, *LPCSTR;
typedef int16_t SHORT, CSHORT;
typedef uint16_t USHORT, *PUSHORT, WORD;
typedef int32_t LONG, *PLONG, INT, BOOL;
typedef uint32_t ULONG, *PULONG, DWORD, *PDWORD, *LPDWORD, UINT;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG, ULONG64, DWORD64;
typedef uintptr_t ULONG_PTR, SIZE_T, *PSIZE_T, DWORD_PTR;
typedef intptr_t LONG_PTR;
typedef void *PVOID, *LPVOID, *HANDLE, **PHANDLE;
typedef const void *PCVOID, *LPCVOID;
#ifdef __cplusplus
typedef char16_t WCHAR;
#else
typedef uint_least16_t WCHAR;
#endif
typedef WCHAR *PWCHAR, *PWSTR, *LPWSTR, *PWCH;
typedef const WCHAR *PCWSTR, *LPCWSTR, *PCWCH;

typedef union _LARGE_INTEGER {
  struct {
    ULONG LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef struct _GUID {
  ULONG Data1;
  USHORT Data2;
  USHORT Data3;
  UCHAR Data4[8];
} GUID;

/* Access rights (winnt.h values). */
typedef ULONG ACCESS_MASK, *PACCESS_MASK, REGSAM;
#define DELETE 0x00010000UL
#define READ_CONTROL 0x00020000UL
#define WRITE_DAC 0x00040000UL
#define WRITE_OWNER 0x00080000UL
#define SYNCHRONIZE 0x00100000UL
#define STANDARD_RIGHTS_REQUIRED 0x000F0000UL
#define STANDARD_RIGHTS_READ READ_CONTROL
#define STANDARD_RIGHTS_WRITE READ_CONTROL
#define STANDARD_RIGHTS_EXECUTE READ_CONTROL
#define STANDARD_RIGHTS_ALL 0x001F0000UL
#define MAXIMUM_ALLOWED 0x02000000UL
#define GENERIC_READ 0x80000000UL
#define GENERIC_WRITE 0x40000000UL
#define GENERIC_EXECUTE 0x20000000UL
#define GENERIC_ALL 0x10000000UL

#define KEY_QUERY_VALUE 0x0001UL
#define KEY_SET_VALUE 0x0002UL
#define KEY_CREATE_SUB_KEY 0x0004UL
#define KEY_ENUMERATE_SUB_KEYS 0x0008UL
#define KEY_NOTIFY 0x0010UL
#define KEY_CREATE_LINK 0x0020UL
#define KEY_WOW64_64KEY 0x0100UL
#define KEY_WOW64_32KEY 0x0200UL
#define KEY_READ ((STANDARD_RIGHTS_READ | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY) & ~SYNCHRONIZE)
#define KEY_WRITE ((STANDARD_RIGHTS_WRITE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY) & ~SYNCHRONIZE)
#define KEY_EXECUTE (KEY_READ & ~SYNCHRONIZE)
#define KEY_ALL_ACCESS                                                                                       \
  ((STANDARD_RIGHTS_ALL | KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_ENUMERATE_SUB_KEYS |    \
    KEY_NOTIFY | KEY_CREATE_LINK) & ~SYNCHRONIZE)

/* Registry value types. */
#define REG_NONE 0UL
#define REG_SZ 1UL
#define REG_EXPAND_SZ 2UL
#define REG_BINARY 3UL
#define REG_DWORD 4UL
#define REG_DWORD_LITTLE_ENDIAN 4UL
#define REG_DWORD_BIG_ENDIAN 5UL
#define REG_LINK 6UL
#define REG_MULTI_SZ 7UL
#define REG_QWORD 11UL
#define REG_QWORD_LITTLE_ENDIAN 11UL

/* Key creation options and dispositions (ZwCreateKey, RegCreateKeyEx). */
#define REG_OPTION_NON_VOLATILE 0x0UL
#define REG_OPTION_VOLATILE 0x1UL
#define REG_OPTION_CREATE_LINK 0x2UL
#define REG_OPTION_OPEN_LINK 0x8UL
#define REG_CREATED_NEW_KEY 0x1UL
#define REG_OPENED_EXISTING_KEY 0x2UL

#endif /* ISODRV_WIN_BASETYPES_H */
