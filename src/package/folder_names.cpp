// FolderNames: one listing per folder for a whole check run, shared by the checking threads, so
// the cost of a file does not grow with the number of other files beside it.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "isodrv/package.h"

namespace isodrv::package {

// The lower-case names of one folder, sorted for binary search.
struct FolderNames::Listing {
  std::vector<std::string> names;
};

namespace {

// Calls f(name) for each entry of `dir`, "." and ".." included; nothing when it does not open. On
// Linux with getdents64 on a descriptor opened O_DIRECTORY: opendir would first fstat it to learn
// what O_DIRECTORY already ensures, one more system call per folder (a check of a tree lists
// thousands). src/check's input walk lists folders the same way.
template <class F>
void for_each_name(const std::string& dir, F&& f) {
  const char* path = dir.empty() ? "." : dir.c_str();
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 30)
  const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  alignas(struct dirent64) char buf[32768];
  for (ssize_t n; (n = ::getdents64(fd, buf, sizeof buf)) > 0;) {
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const struct dirent64*>(buf + off);
      f(std::string_view(e->d_name));
      off += e->d_reclen;
    }
  }
  ::close(fd);
#else
  if (DIR* d = ::opendir(path)) {
    while (const dirent* e = ::readdir(d)) f(std::string_view(e->d_name));
    ::closedir(d);
  }
#endif
}

}  // namespace

std::shared_ptr<const FolderNames::Listing> FolderNames::listing(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = folders_.find(dir); it != folders_.end()) return it->second;
  }
  // Read outside the lock: two threads may list the same folder once each, which is cheaper
  // than making every other folder's readers wait for it.
  auto l = std::make_shared<Listing>();
  for_each_name(dir, [&](std::string_view n) {
    if (n != "." && n != "..") l->names.push_back(inf::to_lower_ascii(n));
  });
  std::sort(l->names.begin(), l->names.end());
  std::lock_guard<std::mutex> lock(mutex_);
  // A run walks folders one after another, so the listings kept are those of the last few
  // thousand folders: memory does not grow with the size of a FileRepository-like tree. A folder
  // needed again after that is listed again (readers keep their own reference meanwhile).
  if (folders_.size() >= kKeptFolders) folders_.clear();
  return folders_.emplace(dir, std::move(l)).first->second;
}

bool FolderNames::contains(const std::string& dir, std::string_view name) {
  auto l = listing(dir);
  const std::string key = inf::to_lower_ascii(name);
  return std::binary_search(l->names.begin(), l->names.end(), key);
}

}  // namespace isodrv::package
