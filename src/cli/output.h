// Standard output that remembers why a write failed, so a full disk or a closed stdout is reported
// (exit 2 with the system's words) instead of ending as a silent success.
#pragma once

#include <streambuf>
#include <string>

namespace isodrv::cli {

class StdoutBuffer : public std::streambuf {
 public:
  StdoutBuffer();
  ~StdoutBuffer() override;
  StdoutBuffer(const StdoutBuffer&) = delete;
  StdoutBuffer& operator=(const StdoutBuffer&) = delete;
  // Flushes; the errno of the first failed write, 0 when every write succeeded.
  int finish();

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool drain();
  bool write_fd(const char* p, std::size_t n);
  char buf_[1 << 16];
  int error_ = 0;
};

// Installs the buffer under std::cout for the life of the object; finish() reports a failed write
// on stderr and returns the exit code to use (0 when every write succeeded).
class StdoutGuard {
 public:
  StdoutGuard();
  ~StdoutGuard();
  StdoutGuard(const StdoutGuard&) = delete;
  StdoutGuard& operator=(const StdoutGuard&) = delete;
  int finish();

 private:
  StdoutBuffer buf_;
  std::streambuf* old_;
  bool finished_ = false;
};

}  // namespace isodrv::cli
