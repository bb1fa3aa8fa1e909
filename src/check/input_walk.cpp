// InputWalk: the files of a check run produced as checking proceeds, in the order expand_inputs
// gives them, so a run over a million files does not first hold a million paths.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "base/folder_entries.h"
#include "isodrv/check.h"
#include "isodrv/inf.h"

namespace isodrv::check {

// One folder being walked: its entries that matter, sorted by name with "/" after folder names,
// which puts them in the order of the sorted full paths below them.
struct InputWalk::Frame {
  std::string dir;
  std::vector<std::pair<std::string, bool>> entries;  // sort key, is a folder
  std::size_t next = 0;
  bool watched = false;  // an entry, of any kind, has one of watched_names
};

namespace {

bool is_inf_name(std::string_view n) {
  return n.size() >= 4 && (inf::iequals(n.substr(n.size() - 4), ".inf") || inf::iequals(n.substr(n.size() - 4), ".inx"));
}

}  // namespace

InputWalk::InputWalk(std::vector<Source> sources, bool nul) : sources_(std::move(sources)), nul_(nul) {}

InputWalk::~InputWalk() {
  rewind();
  std::free(line_);
}

void InputWalk::rewind() {
  if (list_ && own_list_) std::fclose(list_);
  list_ = nullptr;
  own_list_ = false;
  frames_.clear();
  source_ = 0;
  last_from_tree_ = false;
  // Only the second pass takes the first pass's listings; a third lists the folders again.
  if (++pass_ > 1) replay_.clear();
  replay_next_ = 0;
  replay_bytes_ = 0;
  entry_index_ = 0;
}

std::optional<bool> InputWalk::watched_in_folder() const {
  if (!last_from_tree_ || frames_.empty() || watched_names.empty()) return std::nullopt;
  return frames_.back().watched;
}

namespace {

// What an entry of a folder is, as recursive_directory_iterator would see it: the type readdir
// gives, else lstat's; a symbolic link is "other" (to a folder it is not followed; to a file it
// is tested with stat where its name matters).
enum class EntryKind { folder, file, link, other };

EntryKind entry_kind(const std::string& full, unsigned char d_type) {
  switch (d_type) {
    case DT_DIR: return EntryKind::folder;
    case DT_REG: return EntryKind::file;
    case DT_LNK: return EntryKind::link;
    case DT_UNKNOWN: break;
    default: return EntryKind::other;
  }
  struct stat st {};
  if (::lstat(full.c_str(), &st) != 0) return EntryKind::other;
  if (S_ISLNK(st.st_mode)) return EntryKind::link;
  return S_ISDIR(st.st_mode) ? EntryKind::folder : S_ISREG(st.st_mode) ? EntryKind::file : EntryKind::other;
}

bool is_regular_target(const std::string& full) {
  struct stat st {};
  return ::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// `dir` joined with an entry's name as std::filesystem's operator/ joins them on POSIX: a '/'
// between them unless `dir` already ends with one.
std::string joined(const std::string& dir, std::string_view name) {
  std::string full;
  full.reserve(dir.size() + 1 + name.size());
  full = dir;
  if (!dir.empty() && dir.back() != '/') full += '/';
  full += name;
  return full;
}

}  // namespace

// As recursive_directory_iterator walks: symbolic links to folders are not followed, a folder
// that cannot be opened is skipped, and files are regular files (links followed) named *.inf/*.inx.
// readdir directly: the entry type comes with the name, and no std::filesystem::path is built
// and split per entry.
void InputWalk::push_folder(const std::string& dir) {
  if (pass_ == 1 && replay_next_ < replay_.size()) {
    if (replay_[replay_next_].dir == dir) {
      frames_.push_back(std::move(replay_[replay_next_++]));
      if (replay_next_ == replay_.size()) replay_ = {};  // all taken: free the moved-from frames
      return;
    }
    replay_.clear();  // the walk went another way (the folders changed): list from here on
  }
  Frame f = list_folder(dir);
  if (pass_ == 0) keep_for_replay(f);
  frames_.push_back(std::move(f));
}

// The first pass keeps a copy of each listing, in walk order, while the budget lasts.
void InputWalk::keep_for_replay(const Frame& f) {
  std::size_t bytes = sizeof(Frame) + f.dir.size();
  for (const auto& e : f.entries) bytes += sizeof(e) + e.first.size();
  if (replay_bytes_ + bytes > replay_budget) {
    replay_bytes_ = replay_budget;  // full: the folders after this one are listed again
    return;
  }
  replay_bytes_ += bytes;
  replay_.push_back(f);
}

InputWalk::Frame InputWalk::list_folder(const std::string& dir) const {
  Frame f;
  f.dir = dir;
  std::string full;
  base::for_each_folder_entry(dir.c_str(), [&](std::string_view name, unsigned char d_type) {
    if (name == "." || name == "..") return;
    if (!f.watched && std::find(watched_names.begin(), watched_names.end(), name) != watched_names.end()) f.watched = true;
    const bool inf_name = is_inf_name(name);
    if (d_type != DT_DIR && d_type != DT_UNKNOWN && !inf_name) return;  // decided by its name alone
    full = joined(dir, name);
    const EntryKind kind = entry_kind(full, d_type);
    if (kind == EntryKind::folder) {
      f.entries.emplace_back(std::string(name) + "/", true);
    } else if (inf_name && (kind == EntryKind::file || (kind == EntryKind::link && is_regular_target(full)))) {
      f.entries.emplace_back(std::string(name), false);
    }
  });
  std::sort(f.entries.begin(), f.entries.end());
  return f;
}

bool InputWalk::next_from_tree(std::string& path) {
  while (!frames_.empty()) {
    Frame& f = frames_.back();
    if (f.next >= f.entries.size()) {
      frames_.pop_back();
      continue;
    }
    const auto& [key, folder] = f.entries[f.next++];
    std::string full = joined(f.dir, folder ? std::string_view(key).substr(0, key.size() - 1) : std::string_view(key));
    if (folder) {
      push_folder(full);  // invalidates f
      continue;
    }
    path = std::move(full);
    last_from_tree_ = true;
    return true;
  }
  return false;
}

// The next entry of the open list, with the rules of `check`'s lists; false at its end.
bool InputWalk::next_from_list(std::string& path) {
  for (;;) {
    const ssize_t n = ::getdelim(&line_, &line_cap_, nul_ ? '\0' : '\n', list_);
    if (n < 0) return false;
    std::string line(line_, static_cast<std::size_t>(n));
    if (!line.empty() && line.back() == (nul_ ? '\0' : '\n')) line.pop_back();
    if (nul_) {
      if (line.empty()) continue;
      path = std::move(line);
      return true;
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    path = std::move(line);
    return true;
  }
}

// Whether an input as given (an argument or a list's line) is a folder to walk, as stat says
// (links followed). The first pass asks and notes the answer of each input in turn; later passes
// take the note instead of asking again: a stat walks the whole path in the kernel, and a list of
// files would pay it once per pass. An input past the notes (the inputs changed) is asked again.
bool InputWalk::entry_is_folder(const std::string& entry) {
  const std::size_t i = entry_index_++;
  if (pass_ > 0 && i < entry_folders_.size()) return entry_folders_[i];
  struct stat st {};
  const bool folder = ::stat(cwd_relative(entry, cwd), &st) == 0 && S_ISDIR(st.st_mode);
  if (pass_ == 0) entry_folders_.push_back(folder);
  return folder;
}

// A list of 10,000 paths is read in a few dozen reads instead of the hundreds of stdio's 4 KiB
// buffer (glibc takes the size of a buffer only with the buffer itself).
void InputWalk::set_list_buffer() {
  if (!list_buffer_) list_buffer_ = std::make_unique<char[]>(kListBuffer);
  std::setvbuf(list_, list_buffer_.get(), _IOFBF, kListBuffer);
}

bool InputWalk::next(std::string& path) {
  last_from_tree_ = false;
  for (;;) {
    if (!frames_.empty()) {
      if (next_from_tree(path)) return true;
      continue;
    }
    std::string entry;
    if (list_) {
      if (!next_from_list(entry)) {
        if (own_list_) std::fclose(list_);
        list_ = nullptr;
        ++source_;
        continue;
      }
    } else {
      if (source_ >= sources_.size()) return false;
      const Source& s = sources_[source_];
      if (s.list) {
        own_list_ = !s.open;
        list_ = s.open ? s.open.get() : std::fopen(s.path.c_str(), "rb");
        if (!list_) ++source_;  // the caller checked that it opens; gone since: an empty list
        else if (s.open) std::fseek(list_, 0, SEEK_SET);
        else set_list_buffer();
        continue;
      }
      entry = s.path;
      ++source_;
    }
    if (on_input) on_input(entry);
    if (entry_is_folder(entry)) {
      push_folder(entry);
      continue;
    }
    path = std::move(entry);  // a file, or a missing path (reported as unreadable in its place)
    return true;
  }
}

}  // namespace isodrv::check
