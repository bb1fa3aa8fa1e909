// Atomic replacement of a stamped file: write a temporary file beside it, flush it, rename it over
// the target. The one piece of file I/O in the stamp library.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "isodrv/stamp.h"

namespace isodrv::stamp {

Status write_file_atomic(const std::string& path, std::string_view bytes) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmpl = (dir / ("." + target.filename().string() + ".isodrv-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    return Error(Errc::io_error, std::string("cannot create a temporary file beside it: ") + std::strerror(errno), path);
  }
  auto fail = [&](const char* what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmpl.c_str());
    return Error(Errc::io_error, std::string(what) + ": " + std::strerror(err), path);
  };
  // An existing file keeps its permission bits; a new one gets the usual 0666 minus umask.
  struct stat st{};
  mode_t mode;
  if (::stat(path.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(fd, mode) != 0) return fail("cannot set permissions");
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot flush");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    return Error(Errc::io_error, std::string("cannot close: ") + std::strerror(err), path);
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    return Error(Errc::io_error, std::string("cannot replace the file: ") + std::strerror(err), path);
  }
  return {};
}

}  // namespace isodrv::stamp
