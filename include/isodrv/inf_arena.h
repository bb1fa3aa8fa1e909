// Reading fields without copying them: a string arena, and fields read as views of the document's
// text, substituted into the arena only when they hold a %token% (issue 13 part 2).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/inf.h"

namespace isodrv::inf {

// Monotonic storage for strings: nothing is freed before the arena is. Chunks are owned through
// pointers, so moving the arena (or the object holding it) keeps every address, and a view into it
// stays valid for as long as the arena lives, wherever it was moved to. A first string costs one
// chunk; nothing is allocated while nothing is stored.
class StringArena {
 public:
  StringArena() = default;
  StringArena(StringArena&&) noexcept = default;
  StringArena& operator=(StringArena&&) noexcept = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // A copy of `s` in the arena.
  std::string_view store(std::string_view s);
  // A buffer to build a string in before storing it (substitution's sink); kept between uses so
  // that its capacity is paid for once per arena.
  std::string& scratch() { return scratch_; }
  // Bytes stored so far (tests and measurements).
  std::size_t bytes_used() const { return used_; }
  // Forgets every string stored (views into the arena dangle from here on), keeping the last chunk
  // for the strings that follow: a reader that reuses one arena per document allocates only when a
  // document stores more than fits the chunk its predecessors left.
  void reset();

 private:
  static constexpr std::size_t kFirstChunk = 512, kLargestChunk = 16384;
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* next_ = nullptr;
  std::size_t left_ = 0, chunk_size_ = 0, used_ = 0;
  std::size_t last_size_ = 0;  // the size of chunks_.back()
  std::string scratch_;
};

// field_view, key_view and substitute_view, the reading through this arena, are declared in
// isodrv/inf.h (field_view and key_view inline there, beside the other read accessors).

}  // namespace isodrv::inf
