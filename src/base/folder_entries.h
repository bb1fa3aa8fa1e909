// Listing a folder's entries: one loop for the input walk (src/check) and the package's file
// listing (src/package), which both list thousands of folders in a run of a tree.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <string_view>

namespace isodrv::base {

// Calls f(name, d_type) for each entry of `dir`, "." and ".." included; false when it does not
// open. On Linux with getdents64 on a descriptor opened O_DIRECTORY: opendir would first fstat it
// to learn what O_DIRECTORY already ensures, one more system call per folder.
template <class F>
bool for_each_folder_entry(const char* dir, F&& f) {
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 30)
  const int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  alignas(struct dirent64) char buf[32768];
  for (ssize_t n; (n = ::getdents64(fd, buf, sizeof buf)) > 0;) {
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const struct dirent64*>(buf + off);
      f(std::string_view(e->d_name), e->d_type);
      off += e->d_reclen;
    }
  }
  ::close(fd);
  return true;
#else
  DIR* d = ::opendir(dir);
  if (!d) return false;
  while (const dirent* e = ::readdir(d)) f(std::string_view(e->d_name), e->d_type);
  ::closedir(d);
  return true;
#endif
}

}  // namespace isodrv::base
