// Writing a stamped file. A regular file is replaced atomically (a temporary file beside it, flushed,
// renamed over it) keeping its owner and mode; a symbolic link is followed, so its target is stamped
// and the link stays; a device or FIFO is written into, never replaced. The one piece of file I/O in
// the stamp library.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "isodrv/stamp.h"

namespace isodrv::stamp {
namespace {

Error io_error(const std::string& what, int err, const std::string& path) {
  return Error(Errc::io_error, what + ": " + std::strerror(err), path);
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", errno, path);
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// A device node, FIFO or socket receives the bytes as a stream; replacing it would destroy it.
Status write_into_special(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return io_error("cannot open for writing", errno, path);
  Status s = write_all(fd, bytes, path);
  if (::close(fd) != 0 && s.ok()) return io_error("cannot close", errno, path);
  return s;
}

// The file a path finally names: every symbolic link along the way is followed. A dangling link
// resolves to the path it points at, which is then created.
std::string final_target(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) break;
    fs::path next = fs::read_symlink(p, ec);
    if (ec) break;
    p = next.is_absolute() ? next : p.parent_path() / next;
  }
  return p.string();
}

}  // namespace

Status write_file_atomic(const std::string& requested, std::string_view bytes) {
  namespace fs = std::filesystem;
  const std::string path = final_target(requested);
  struct stat st{};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return Error(Errc::io_error, "is a directory", requested);
  if (exists && !S_ISREG(st.st_mode)) return write_into_special(path, bytes);

  const fs::path target(path);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmpl = (dir / ("." + target.filename().string() + ".isodrv-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return io_error("cannot create a temporary file beside it", errno, requested);
  auto fail = [&](const Error& e) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return e;
  };
  // An existing file keeps its owner, group and permission bits; a new one gets 0666 minus umask.
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
    if ((st.st_uid != ::geteuid() || st.st_gid != ::getegid()) && ::fchown(fd, st.st_uid, st.st_gid) != 0) {
      return fail(io_error("cannot keep the file's owner and group", errno, requested));
    }
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(fd, mode) != 0) return fail(io_error("cannot set permissions", errno, requested));
  if (auto s = write_all(fd, bytes, requested); !s.ok()) return fail(s.error());
  if (::fsync(fd) != 0) return fail(io_error("cannot flush", errno, requested));
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    return io_error("cannot close", err, requested);
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    return io_error("cannot replace the file", err, requested);
  }
  return {};
}

}  // namespace isodrv::stamp
