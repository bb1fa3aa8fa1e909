// FolderNames: one listing per folder for a whole check run, shared by the checking threads, so
// the cost of a file does not grow with the number of other files beside it.
#include <bit>
#include <cstring>
#include <functional>

#include "base/folder_entries.h"
#include "isodrv/package.h"

namespace isodrv::package {

// The lower-case names of one folder in one buffer, found through an open-addressing hash table of
// (offset, size) slots. A sorted vector of one std::string per name cost the flat folder of 14,000
// INFs ~16 M instructions to build (an allocation per long name, then a sort comparing strings),
// about twice the table's cost; a lookup is one hash and, nearly always, one comparison.
struct FolderNames::Listing {
  struct Slot {
    std::uint32_t at = 0;
    std::uint32_t size = 0;  // 0: empty (a folder entry's name is never empty)
  };
  std::string text;  // every name, lower case, one after another
  std::vector<Slot> slots;
  unsigned shift = 64;  // 64 - log2(slots.size())

  static std::uint64_t hash(std::string_view s) {
    // std::hash mixes eight bytes a step; the product spreads its bits to the top, which picks the slot.
    return static_cast<std::uint64_t>(std::hash<std::string_view>{}(s)) * 0x9E3779B97F4A7C15ull;
  }
  std::string_view name(const Slot& s) const { return {text.data() + s.at, s.size}; }

  // Sizes the table for `count` names (at most half full: a probe ends at an empty slot) and
  // enters every name of `text`, given as (offset, size) in `names`. A name listed twice (which
  // a folder never holds) is entered twice: lookups only ask whether one is there.
  void index(const std::vector<Slot>& names) {
    const std::size_t size = std::bit_ceil(std::max<std::size_t>(2 * names.size(), 16));
    slots.assign(size, Slot{});
    shift = 64 - static_cast<unsigned>(std::countr_zero(size));
    const std::size_t mask = size - 1;
    for (const Slot& n : names) {
      std::size_t at = static_cast<std::size_t>(hash(name(n)) >> shift);
      while (slots[at].size != 0) at = (at + 1) & mask;
      slots[at] = n;
    }
  }

  // Whether `lower` (lower case) is one of the names.
  bool contains(std::string_view lower) const {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t at = static_cast<std::size_t>(hash(lower) >> shift);; at = (at + 1) & mask) {
      const Slot& s = slots[at];
      if (s.size == 0) return false;
      if (s.size == lower.size() && std::memcmp(text.data() + s.at, lower.data(), lower.size()) == 0) return true;
    }
  }
};

std::shared_ptr<const FolderNames::Listing> FolderNames::listing(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = folders_.find(dir); it != folders_.end()) return it->second;
  }
  // Read outside the lock: two threads may list the same folder once each, which is cheaper
  // than making every other folder's readers wait for it.
  auto l = std::make_shared<Listing>();
  std::vector<Listing::Slot> names;
  base::for_each_folder_entry(dir.empty() ? "." : dir.c_str(), [&](std::string_view n, unsigned char) {
    if (n == "." || n == "..") return;
    names.push_back(Listing::Slot{static_cast<std::uint32_t>(l->text.size()), static_cast<std::uint32_t>(n.size())});
    inf::append_lower_ascii(n, l->text);
  });
  l->index(names);
  std::lock_guard<std::mutex> lock(mutex_);
  // A run walks folders one after another, so the listings kept are those of the last few
  // thousand folders: memory does not grow with the size of a FileRepository-like tree. A folder
  // needed again after that is listed again (readers keep their own reference meanwhile).
  if (folders_.size() >= kKeptFolders) folders_.clear();
  return folders_.emplace(dir, std::move(l)).first->second;
}

bool FolderNames::contains(const std::string& dir, std::string_view name) {
  auto l = listing(dir);
  return l->contains(inf::to_lower_ascii(name));
}

}  // namespace isodrv::package
