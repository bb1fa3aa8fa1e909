// The stdout buffer behind std::cout: writes go straight to file descriptor 1 and the first failure
// is kept with its errno, because std::ostream only keeps a bad bit and C stdio loses the reason.
#include "cli/output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/commands.h"

namespace isodrv::cli {

StdoutBuffer::StdoutBuffer() { setp(buf_, buf_ + sizeof buf_); }

StdoutBuffer::~StdoutBuffer() { drain(); }

bool StdoutBuffer::write_fd(const char* p, std::size_t n) {
  while (n > 0) {
    if (error_) return false;
    const ssize_t w = ::write(STDOUT_FILENO, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    if (w == 0) {
      error_ = EIO;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return error_ == 0;
}

bool StdoutBuffer::drain() {
  const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
  setp(buf_, buf_ + sizeof buf_);
  return n == 0 ? error_ == 0 : write_fd(buf_, n);
}

StdoutBuffer::int_type StdoutBuffer::overflow(int_type c) {
  if (!drain()) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

std::streamsize StdoutBuffer::xsputn(const char* s, std::streamsize n) {
  const auto room = static_cast<std::streamsize>(epptr() - pptr());
  if (n <= room) {
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  // A large piece goes out directly after what is buffered, without a copy.
  if (!drain() || !write_fd(s, static_cast<std::size_t>(n))) return 0;
  return n;
}

int StdoutBuffer::sync() { return drain() ? 0 : -1; }

int StdoutBuffer::finish() {
  drain();
  return error_;
}

StdoutGuard::StdoutGuard() : old_(std::cout.rdbuf(&buf_)) {}

StdoutGuard::~StdoutGuard() {
  if (!finished_) finish();
  std::cout.rdbuf(old_);
}

int StdoutGuard::finish() {
  finished_ = true;
  std::cout.flush();
  const int err = buf_.finish();
  if (err == 0) return 0;
  std::cerr << "isodrv: error writing standard output: " << std::strerror(err) << "\n";
  return kExitUsage;
}

}  // namespace isodrv::cli
