// FolderNames: one listing per folder for a whole check run, shared by the checking threads, so
// the cost of a file does not grow with the number of other files beside it.
#include <algorithm>

#include "base/folder_entries.h"
#include "isodrv/package.h"

namespace isodrv::package {

// The lower-case names of one folder, sorted for binary search.
struct FolderNames::Listing {
  std::vector<std::string> names;
};

std::shared_ptr<const FolderNames::Listing> FolderNames::listing(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = folders_.find(dir); it != folders_.end()) return it->second;
  }
  // Read outside the lock: two threads may list the same folder once each, which is cheaper
  // than making every other folder's readers wait for it.
  auto l = std::make_shared<Listing>();
  base::for_each_folder_entry(dir.empty() ? "." : dir.c_str(), [&](std::string_view n, unsigned char) {
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
