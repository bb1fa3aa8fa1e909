// Capped whole-file reads. It lives with the INF reader because every layer reads inputs and this is
// the lowest one; the cap is one process-wide number so that every reader applies the same limit.
#include "isodrv/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace isodrv {
namespace {

std::atomic<std::uint64_t> g_max_input_size{kDefaultMaxInputSize};

}  // namespace

std::uint64_t max_input_size() { return g_max_input_size.load(std::memory_order_relaxed); }

void set_max_input_size(std::uint64_t bytes) {
  g_max_input_size.store(std::min(bytes, kLargestMaxInputSize), std::memory_order_relaxed);
}

Result<std::string> read_input_fd(int fd, const std::string& name) {
  const std::uint64_t cap = max_input_size();
  struct stat st{};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) return Error(Errc::read_fault, "is a directory", name);
  std::string out;
  // Sized from fstat when the file says how big it is; devices and pipes grow as they are read.
  std::size_t want = S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 0;
  if (want > cap) {
    return Error(Errc::read_fault,
                 "is larger than the " + std::to_string(cap) + "-byte input limit (raise it with --max-input-size)", name);
  }
  // Spare capacity beyond the file: an ANSI file decodes to UTF-8 in this buffer (Document::parse),
  // growing by a byte or two per non-ASCII byte; pages the decoder never touches cost no memory.
  if (want) out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(want + want / 4 + 64, cap + 1)));
  out.resize(std::min<std::uint64_t>(want + 1, cap + 1));
  std::size_t got = 0;
  for (;;) {
    if (got == out.size()) {
      if (got > cap) break;
      out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(out.size() * 2 + 65536, cap + 1)));
    }
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EISDIR) return Error(Errc::read_fault, "is a directory", name);
      return Error(Errc::read_fault, std::string("cannot read: ") + std::strerror(errno), name);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  // One byte past the cap is read to tell "exactly at the limit" from "over it"; no more.
  if (got > cap) {
    return Error(Errc::read_fault,
                 "is larger than the " + std::to_string(cap) + "-byte input limit (raise it with --max-input-size)", name);
  }
  out.resize(got);
  return out;
}

Result<std::string> read_input(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Error(Errc::file_not_found, "the file does not exist", path);
    if (err == EACCES || err == EPERM) return Error(Errc::access_denied, "permission denied", path);
    return Error(Errc::read_fault, std::string("cannot open: ") + std::strerror(err), path);
  }
  auto r = read_input_fd(fd, path);
  ::close(fd);
  return r;
}

}  // namespace isodrv
