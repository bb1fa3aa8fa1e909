// InputWalk: the files of a check run produced as checking proceeds, in the order expand_inputs
// gives them, so a run over a million files does not first hold a million paths.
#include <algorithm>
#include <filesystem>

#include "isodrv/check.h"
#include "isodrv/inf.h"

namespace isodrv::check {
namespace fs = std::filesystem;

// One folder being walked: its entries that matter, sorted by name with "/" after folder names,
// which puts them in the order of the sorted full paths below them.
struct InputWalk::Frame {
  std::string dir;
  std::vector<std::pair<std::string, bool>> entries;  // sort key, is a folder
  std::size_t next = 0;
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
}

// As recursive_directory_iterator walks: symbolic links to folders are not followed, a folder
// that cannot be opened is skipped, and files are regular files (links followed) named *.inf/*.inx.
void InputWalk::push_folder(const std::string& dir) {
  Frame f;
  f.dir = dir;
  std::error_code ec;
  for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code e2;
    if (!it->is_symlink(e2) && it->is_directory(e2)) {
      f.entries.emplace_back(name + "/", true);
    } else if (is_inf_name(name) && it->is_regular_file(e2)) {
      f.entries.emplace_back(name, false);
    }
  }
  std::sort(f.entries.begin(), f.entries.end());
  frames_.push_back(std::move(f));
}

bool InputWalk::next_from_tree(std::string& path) {
  while (!frames_.empty()) {
    Frame& f = frames_.back();
    if (f.next >= f.entries.size()) {
      frames_.pop_back();
      continue;
    }
    const auto& [key, folder] = f.entries[f.next++];
    std::string full = (fs::path(f.dir) / (folder ? key.substr(0, key.size() - 1) : key)).string();
    if (folder) {
      push_folder(full);  // invalidates f
      continue;
    }
    path = std::move(full);
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

bool InputWalk::next(std::string& path) {
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
        continue;
      }
      entry = s.path;
      ++source_;
    }
    if (on_input) on_input(entry);
    std::error_code ec;
    if (fs::is_directory(entry, ec)) {
      push_folder(entry);
      continue;
    }
    path = std::move(entry);  // a file, or a missing path (reported as unreadable in its place)
    return true;
  }
}

}  // namespace isodrv::check
