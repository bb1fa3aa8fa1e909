// Files under a state directory handle (ZwCreateFile with RootDirectory, ZwReadFile, ZwWriteFile):
// relative names stay below the directory (no '..', no absolute name, no host symbolic link on
// the way); absolute names are isolation violations.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "capi/state.h"

using namespace isodrv::capi;

namespace {

NTSTATUS errno_status(int e) {
  switch (e) {
    case ENOENT: return STATUS_OBJECT_NAME_NOT_FOUND;
    case ENOTDIR: return STATUS_OBJECT_PATH_NOT_FOUND;
    case EEXIST: return STATUS_OBJECT_NAME_COLLISION;
    case EISDIR: return STATUS_FILE_IS_A_DIRECTORY;
    case EACCES:
    case EPERM:
    case ELOOP: return STATUS_ACCESS_DENIED;  // ELOOP: O_NOFOLLOW met a symbolic link
    case ENOMEM: return STATUS_INSUFFICIENT_RESOURCES;
    default: return STATUS_IO_DEVICE_ERROR;
  }
}

// The host path of `rel` below `base`; every existing component on the way must be a real
// directory (a symbolic link could lead out of the state directory).
NTSTATUS below(const std::string& base, const std::string& rel, std::string& host) {
  host = base;
  if (rel.empty()) return STATUS_SUCCESS;
  if (rel.front() == '\\') return STATUS_OBJECT_PATH_SYNTAX_BAD;  // absolute name with a RootDirectory
  std::size_t start = 0;
  while (true) {
    std::size_t cut = rel.find('\\', start);
    std::string c = rel.substr(start, cut == std::string::npos ? std::string::npos : cut - start);
    if (c.empty() || c == "." || c == ".." || c.find('/') != std::string::npos || c.find(':') != std::string::npos) {
      return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    host += "/" + c;
    struct stat st;
    if (::lstat(host.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return STATUS_ACCESS_DENIED;
    if (cut == std::string::npos) break;
    start = cut + 1;
  }
  return STATUS_SUCCESS;
}

struct Target {
  std::string host, windows;
  Origin origin;
  bool writable = true;
};

// An absolute NT or drive path: "\SystemRoot\…", "\??\C:\…", "\DosDevices\C:\…", "C:\…".
NTSTATUS absolute_target(std::string name, const void* ret, Target& t) {
  auto store = current_store();
  if (!store) return STATUS_OBJECT_PATH_NOT_FOUND;
  constexpr std::string_view kDosDevices = "\\DosDevices\\";
  if (name.size() > kDosDevices.size() && name.compare(0, kDosDevices.size(), kDosDevices) == 0) {
    name = "\\??\\" + name.substr(kDosDevices.size());
  }
  auto norm = isodrv::api::normalize_windows_path(name);
  if (!norm) return STATUS_OBJECT_PATH_NOT_FOUND;  // a device path or another drive: not in this installation
  t.origin = Origin{store, current_subject(), false, CallerMode::kernel};
  if (violation(t.origin, isodrv::audit::Kind::file_absolute, "ZwCreateFile", name,
                isodrv::audit::file_alternative(*norm, CallerMode::kernel), ret)) {
    return STATUS_ACCESS_DENIED;
  }
  auto host = isodrv::api::windows_to_host(store->root, *norm);
  if (!host) return STATUS_OBJECT_PATH_NOT_FOUND;
  t.host = *host;
  t.windows = *norm;
  return STATUS_SUCCESS;
}

NTSTATUS open_directory(const Target& t, ULONG disposition, PIO_STATUS_BLOCK iosb, PHANDLE out) {
  struct stat st;
  bool exists = ::lstat(t.host.c_str(), &st) == 0;
  if (exists && S_ISLNK(st.st_mode)) return STATUS_ACCESS_DENIED;
  if (exists && !S_ISDIR(st.st_mode)) return STATUS_NOT_A_DIRECTORY;
  if (exists && disposition == FILE_CREATE) return STATUS_OBJECT_NAME_COLLISION;
  if (!exists) {
    if (disposition != FILE_CREATE && disposition != FILE_OPEN_IF) return STATUS_OBJECT_NAME_NOT_FOUND;
    if (!t.writable) return STATUS_ACCESS_DENIED;
    if (::mkdir(t.host.c_str(), 0777) != 0) return errno_status(errno);
  }
  iosb->Information = exists ? FILE_OPENED : FILE_CREATED;
  return hand_out_directory(isodrv::api::Location{t.windows, t.host}, t.origin, t.writable, out);
}

NTSTATUS open_file(const Target& t, ACCESS_MASK granted, ULONG disposition, PIO_STATUS_BLOCK iosb, PHANDLE out) {
  constexpr ACCESS_MASK kWriteData = FILE_WRITE_DATA | FILE_APPEND_DATA;
  struct stat st;
  bool exists = ::lstat(t.host.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return STATUS_FILE_IS_A_DIRECTORY;
  int flags = O_CLOEXEC | O_NOFOLLOW;
  ULONG info = FILE_OPENED;
  switch (disposition) {
    case FILE_SUPERSEDE: flags |= O_CREAT | O_TRUNC; info = exists ? FILE_SUPERSEDED : FILE_CREATED; break;
    case FILE_OPEN: break;
    case FILE_CREATE: flags |= O_CREAT | O_EXCL; info = FILE_CREATED; break;
    case FILE_OPEN_IF: flags |= O_CREAT; info = exists ? FILE_OPENED : FILE_CREATED; break;
    case FILE_OVERWRITE: flags |= O_TRUNC; info = FILE_OVERWRITTEN; break;
    case FILE_OVERWRITE_IF: flags |= O_CREAT | O_TRUNC; info = exists ? FILE_OVERWRITTEN : FILE_CREATED; break;
    default: return STATUS_INVALID_PARAMETER;
  }
  bool changes = (flags & O_TRUNC) || ((flags & O_CREAT) && !exists);
  if (changes && !(granted & kWriteData)) return STATUS_ACCESS_DENIED;
  flags |= (granted & kWriteData) ? O_RDWR : O_RDONLY;
  int fd = ::open(t.host.c_str(), flags, 0666);
  if (fd < 0) return errno_status(errno);
  auto file = std::make_shared<FileObj>();
  file->fd = fd;
  file->granted = granted;
  file->origin = t.origin;
  file->windows_path = t.windows;
  iosb->Information = info;
  *out = insert(std::move(file));
  return STATUS_SUCCESS;
}

bool current_position(PLARGE_INTEGER offset) {
  return !offset || (offset->u.HighPart == -1 && offset->u.LowPart == FILE_USE_FILE_POINTER_POSITION);
}

}  // namespace

extern "C" {

ISODRV_API NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                                       POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
                                       PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
                                       ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength) {
  if (!FileHandle || !IoStatusBlock || !ObjectAttributes || ObjectAttributes->Length != sizeof(OBJECT_ATTRIBUTES)) {
    return STATUS_INVALID_PARAMETER;
  }
  if ((CreateOptions & FILE_DIRECTORY_FILE) && (CreateOptions & FILE_NON_DIRECTORY_FILE)) {
    return STATUS_INVALID_PARAMETER;
  }
  std::string name;
  if (!to_utf8(ObjectAttributes->ObjectName, name)) return STATUS_OBJECT_NAME_INVALID;
  Target t;
  if (ObjectAttributes->RootDirectory) {
    auto dir = lookup_as<DirObj>(ObjectAttributes->RootDirectory, ObjType::directory);
    if (!dir) return STATUS_INVALID_HANDLE;
    if (NTSTATUS st = below(dir->host_path, name, t.host); !NT_SUCCESS(st)) return st;
    t.windows = dir->windows_path + (name.empty() ? "" : "\\" + name);
    t.origin = dir->origin;
    t.writable = dir->writable;
  } else {
    if (NTSTATUS st = absolute_target(name, __builtin_return_address(0), t); !NT_SUCCESS(st)) return st;
  }
  bool ok = true;
  ACCESS_MASK granted = map_file_access(DesiredAccess, t.writable, ok);
  if (!ok) return STATUS_ACCESS_DENIED;
  NTSTATUS st = (CreateOptions & FILE_DIRECTORY_FILE) ? open_directory(t, CreateDisposition, IoStatusBlock, FileHandle)
                                                       : open_file(t, granted, CreateDisposition, IoStatusBlock,
                                                                   FileHandle);
  IoStatusBlock->Status = st;
  return st;
}

ISODRV_API NTSTATUS NTAPI ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                     PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                     PLARGE_INTEGER ByteOffset, PULONG Key) {
  auto file = lookup_as<FileObj>(FileHandle, ObjType::file);
  if (!file) return STATUS_INVALID_HANDLE;
  if (!IoStatusBlock || (Length && !Buffer)) return STATUS_INVALID_PARAMETER;
  if (!(file->granted & FILE_READ_DATA)) return STATUS_ACCESS_DENIED;
  std::uint64_t at = current_position(ByteOffset) ? file->position : static_cast<std::uint64_t>(ByteOffset->QuadPart);
  ssize_t n = ::pread(file->fd, Buffer, Length, static_cast<off_t>(at));
  if (n < 0) return IoStatusBlock->Status = errno_status(errno);
  file->position = at + static_cast<std::uint64_t>(n);
  IoStatusBlock->Information = static_cast<ULONG_PTR>(n);
  IoStatusBlock->Status = (n == 0 && Length > 0) ? STATUS_END_OF_FILE : STATUS_SUCCESS;
  return IoStatusBlock->Status;
}

ISODRV_API NTSTATUS NTAPI ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                      PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                      PLARGE_INTEGER ByteOffset, PULONG Key) {
  auto file = lookup_as<FileObj>(FileHandle, ObjType::file);
  if (!file) return STATUS_INVALID_HANDLE;
  if (!IoStatusBlock || (Length && !Buffer)) return STATUS_INVALID_PARAMETER;
  if (!(file->granted & (FILE_WRITE_DATA | FILE_APPEND_DATA))) return STATUS_ACCESS_DENIED;
  if (!file->origin.isolated &&
      violation(file->origin, isodrv::audit::Kind::file_write, "ZwWriteFile", file->windows_path,
                isodrv::audit::file_alternative(file->windows_path, CallerMode::kernel), __builtin_return_address(0))) {
    return STATUS_ACCESS_DENIED;
  }
  std::uint64_t at;
  if (ByteOffset && ByteOffset->u.HighPart == -1 && ByteOffset->u.LowPart == FILE_WRITE_TO_END_OF_FILE) {
    struct stat st;
    if (::fstat(file->fd, &st) != 0) return IoStatusBlock->Status = errno_status(errno);
    at = static_cast<std::uint64_t>(st.st_size);
  } else {
    at = current_position(ByteOffset) ? file->position : static_cast<std::uint64_t>(ByteOffset->QuadPart);
  }
  ssize_t n = ::pwrite(file->fd, Buffer, Length, static_cast<off_t>(at));
  if (n < 0) return IoStatusBlock->Status = errno_status(errno);
  file->position = at + static_cast<std::uint64_t>(n);
  IoStatusBlock->Information = static_cast<ULONG_PTR>(n);
  return IoStatusBlock->Status = STATUS_SUCCESS;
}

}  // extern "C"
