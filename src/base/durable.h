// Durable-file helpers: writing a whole buffer to a descriptor, and making a folder's entries (a
// rename, a new file) survive a crash. Every writer below a store root uses these; there is one of each.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>

namespace isodrv::base {

// Writes all `n` bytes (retrying short writes and EINTR); false with errno set on failure.
inline bool write_all(int fd, const void* data, std::size_t n) {
  auto p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// fsyncs a folder, so that the entries created or renamed in it are on disk. Best effort: a
// folder that cannot be opened is left alone (the caller's own writes report real failures).
inline void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace isodrv::base
