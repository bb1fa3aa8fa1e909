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

// Makes `s` `n` bytes long and lets `fill(data, n)` write them from the old size on, keeping the
// count it returns. With C++23's resize_and_overwrite (this file is built as C++23 where the
// compiler has it) the new bytes are not zeroed first: every file check reads was written twice,
// once with zeros.
template <class Fill>
void overwrite(std::string& s, std::size_t n, Fill fill) {
#if defined(__cpp_lib_string_resize_and_overwrite)
  s.resize_and_overwrite(n, fill);
#else
  s.resize(n);
  s.resize(fill(s.data(), n));
#endif
}

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
  std::size_t got = 0;
  int err = 0;
  bool at_end = false;
  // Reads into [got, n) until the end, an error or a full buffer; the string keeps what was read.
  // A regular file that gave fewer bytes than asked, and as many as fstat said it holds, is at its
  // end (a read of a regular file is short only there): no further read to be told so.
  auto fill = [&](char* data, std::size_t n) {
    while (got < n) {
      const ssize_t r = ::read(fd, data + got, n - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        err = r < 0 ? errno : 0;
        at_end = true;
        break;
      }
      got += static_cast<std::size_t>(r);
      if (want && got == want && got < n) {
        at_end = true;
        break;
      }
    }
    return got;
  };
  overwrite(out, static_cast<std::size_t>(std::min<std::uint64_t>(want + 1, cap + 1)), fill);
  while (!at_end && got <= cap) {
    overwrite(out, static_cast<std::size_t>(std::min<std::uint64_t>(out.size() * 2 + 65536, cap + 1)), fill);
  }
  if (err == EISDIR) return Error(Errc::read_fault, "is a directory", name);
  if (err) return Error(Errc::read_fault, std::string("cannot read: ") + std::strerror(err), name);
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
