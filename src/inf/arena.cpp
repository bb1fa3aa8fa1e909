// The string arena and the view-or-substitute reading of fields: most fields hold no %token%, and
// those are handed out as views of the document instead of fresh strings.
#include <algorithm>
#include <cstring>

#include "inf/document_impl.h"
#include "isodrv/inf_arena.h"

namespace isodrv::inf {

std::string_view StringArena::store(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > left_) {
    // Chunks double up to kLargestChunk; a string larger than that gets a chunk of its own size.
    chunk_size_ = chunk_size_ == 0 ? kFirstChunk : std::min(chunk_size_ * 2, kLargestChunk);
    const std::size_t size = std::max(chunk_size_, s.size());
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    next_ = chunks_.back().get();
    left_ = size;
    last_size_ = size;
  }
  char* at = next_;
  std::memcpy(at, s.data(), s.size());
  next_ += s.size();
  left_ -= s.size();
  used_ += s.size();
  return std::string_view(at, s.size());
}

void StringArena::reset() {
  if (chunks_.empty()) return;
  if (chunks_.size() > 1) {
    std::swap(chunks_.front(), chunks_.back());
    chunks_.resize(1);
  }
  next_ = chunks_.front().get();
  left_ = last_size_;
  used_ = 0;
}

std::string_view substitute_view(const Document& doc, std::string_view raw, StringArena& arena) {
  // Most flagged fields are one whole token ("%DeviceDesc%"): its value is already text the
  // document holds, so it is handed out as it is, not copied (a scratch string and the arena).
  if (const Document::Impl::StringEntry* e = whole_token_entry(doc.impl(), raw)) return e->value_text();
  if (raw.find('%') == std::string_view::npos) return raw;
  std::string& out = arena.scratch();
  out.clear();
  substitute_not_whole_token(doc.impl(), raw, out);
  return arena.store(out);
}

}  // namespace isodrv::inf
