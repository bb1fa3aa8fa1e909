// Internal storage of a parsed INF: flat arrays of sections, lines and fields that index into the
// decoded text (or, for fields that needed unquoting or joining, into an arena). Private to src/inf.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "isodrv/inf.h"

namespace isodrv::inf {

// Unaligned loads of 8 and 4 bytes (memcpy becomes one mov); shared by the hash below and the
// word-at-a-time comparisons in document.cpp.
inline std::uint64_t load_u64(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline std::uint32_t load_u32(const char* p) {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// Case-insensitive (ASCII) hashing so tables can be keyed by views into the text without copies.
// OR-ing 0x20 into every byte folds A-Z onto a-z (and merges a few punctuation pairs, which only
// costs a collision that the comparison then rejects). Names of up to 16 bytes (nearly every
// section name and [Strings] key) take two overlapping loads and one 64x64->128-bit multiply whose
// halves are XORed; longer names fold 16 bytes per multiply first. The length is in the seed, so
// the overlap cannot make names of different lengths alike.
struct CiHash {
  static std::uint64_t mix(std::uint64_t x, std::uint64_t y) {
    __extension__ using U128 = unsigned __int128;
    const U128 r = static_cast<U128>(x) * y;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
  }
  std::size_t operator()(std::string_view s) const noexcept {
    constexpr std::uint64_t kFold = 0x2020202020202020ULL, k1 = 0x9E3779B97F4A7C15ULL, k2 = 0xFF51AFD7ED558CCDULL;
    const char* p = s.data();
    const std::size_t n = s.size();
    std::uint64_t seed = k2 ^ n, a = 0, b = 0;
    if (n > 16) {
      std::size_t i = 0;
      for (; i + 16 < n; i += 16) seed = mix((load_u64(p + i) | kFold) ^ k1, (load_u64(p + i + 8) | kFold) ^ seed);
      a = load_u64(p + n - 16);
      b = load_u64(p + n - 8);
    } else if (n >= 8) {
      a = load_u64(p);
      b = load_u64(p + n - 8);
    } else if (n >= 4) {
      a = load_u32(p) | std::uint64_t{load_u32(p + n - 4)} << 32;
    } else if (n) {
      a = static_cast<unsigned char>(p[0]) | std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
          std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
    }
    return static_cast<std::size_t>(mix((a | kFold) ^ k1, (b | kFold) ^ seed));
  }
};

// Whether two names of the same length are equal ignoring ASCII case. A name is nearly always
// spelled the same at its uses as where it is defined: names of up to 32 bytes are first compared
// byte for byte, inline, in two overlapping loads a side (of 16 bytes past 16: [Strings] keys such
// as "SingleAdbInterface" are often that long), and only names that differ (or are shorter or
// longer) go to the case-folding comparison.
inline bool ci_same_length_equal(const char* p, const char* q, std::size_t n) {
#if defined(__SSE2__)
  if (n > 16 && n <= 32) {
    auto load = [](const char* s) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s)); };
    const __m128i head = _mm_cmpeq_epi8(load(p), load(q)), tail = _mm_cmpeq_epi8(load(p + n - 16), load(q + n - 16));
    const __m128i eq = _mm_and_si128(head, tail);
    if (_mm_movemask_epi8(eq) == 0xFFFF) return true;
    return detail::iequals_same_length(p, q, n);
  }
#endif
  if (n >= 8 && n <= 16) {
    if (load_u64(p) == load_u64(q) && load_u64(p + n - 8) == load_u64(q + n - 8)) return true;
  } else if (n >= 4 && n < 8) {
    if (load_u32(p) == load_u32(q) && load_u32(p + n - 4) == load_u32(q + n - 4)) return true;
  } else if (n && n < 4) {
    // ("%HTC%", "%LG%": the first, middle and last byte are all of them)
    if (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]) return true;
  }
  return detail::iequals_same_length(p, q, n);
}
inline bool ci_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ci_same_length_equal(a.data(), b.data(), a.size());
}

// A case-insensitive index from names to 32-bit values in one flat, open-addressed table (a
// node-based map costs an allocation per entry, which small files feel). Names are not stored:
// `name_of(value)` gives the name back when a probe needs comparing. The first kInline slots live
// in the index itself (inside Document::Impl's one allocation): a driver INF's tens of sections and
// strings then take no allocation of their own. It never moves (its slots may point into itself).
// No initialisers: a table's slots are written free by CiIndex::rehash before any is read, so the
// inline ones are not written a first time when Document::Impl is built (128 slots a document).
struct CiIndexSlot {
  std::uint32_t hash;
  std::uint32_t value;  // CiIndex::kNone: free
};
class CiIndex {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  CiIndex() = default;
  CiIndex(const CiIndex&) = delete;
  CiIndex& operator=(const CiIndex&) = delete;
  void clear() {
    heap_.reset();
    slots_ = &empty_slot_;
    mask_ = 0;
    size_ = 0;
    grow_at_ = 0;
  }
  void reserve(std::size_t n) {
    if (n * 2 > capacity()) rehash(n * 2);
  }
  std::size_t size() const { return size_; }
  template <typename NameOf>
  std::uint32_t find(std::string_view key, NameOf name_of) const {
    // An empty index probes the one free slot empty_slot_: no test of its own on the way.
    const auto h = static_cast<std::uint32_t>(CiHash{}(key));
    const std::size_t mask = mask_;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.hash == h && ci_equal(name_of(s.value), key)) return s.value;
    }
  }
  // Inserts key -> value unless the key is there; returns the value now held for the key.
  template <typename NameOf>
  std::uint32_t try_emplace(std::string_view key, std::uint32_t value, NameOf name_of) {
    if (size_ >= grow_at_) rehash(capacity() * 2);
    const auto h = static_cast<std::uint32_t>(CiHash{}(key));
    const std::size_t mask = mask_;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.value == kNone) {
        s = Slot{h, value};
        ++size_;
        return value;
      }
      if (s.hash == h && ci_equal(name_of(s.value), key)) return s.value;
    }
  }

 private:
  using Slot = CiIndexSlot;
  static constexpr std::size_t kInline = 64;
  std::size_t capacity() const { return slots_ == &empty_slot_ ? 0 : mask_ + 1; }
  // A table of at least `want` slots (a power of two, never fewer than kInline, so the inline
  // slots are only ever the first table: growing always moves them to the heap).
  void rehash(std::size_t want) {
    std::size_t cap = kInline;
    while (cap < want) cap *= 2;
    std::unique_ptr<Slot[]> old_heap = std::move(heap_);
    const Slot* old = slots_;
    const std::size_t old_cap = capacity();
    if (cap == kInline) {
      slots_ = inline_;
    } else {
      heap_.reset(new Slot[cap]);
      slots_ = heap_.get();
    }
    std::fill_n(slots_, cap, Slot{0, kNone});
    mask_ = cap - 1;
    grow_at_ = cap / 2;
    const std::size_t mask = cap - 1;
    for (std::size_t k = 0; k < old_cap; ++k) {
      const Slot& s = old[k];
      if (s.value == kNone) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].value != kNone) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  static inline Slot empty_slot_{0, kNone};  // never written: inserting rehashes first
  Slot* slots_ = &empty_slot_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  // The size at which an insertion grows the table first (half its slots; 0 before the first table).
  std::size_t grow_at_ = 0;
  std::unique_ptr<Slot[]> heap_;
  Slot inline_[kInline];
};

// A table whose final size is bounded before it is filled (field and line records: parse_text
// counts separators and physical lines first). One uninitialised allocation of the bound (pages
// never written cost no memory, as with vector::reserve) and appends that only store the record and
// bump the count; the bound is still checked (a wrong bound grows the table instead of writing past it).
template <typename T>
class BoundedArray {
 public:
  void reserve(std::size_t n) {
    if (n <= cap_) return;
    std::unique_ptr<T[]> p(new T[n]);  // default-initialised: trivial T is not written
    if (size_) std::memcpy(static_cast<void*>(p.get()), data_, size_ * sizeof(T));
    own_ = std::move(p);  // a block shared by reserve_with stays in joint_: the other table may use it
    data_ = own_.get();
    cap_ = n;
  }
  // Room for n records here and m in `other` (both still empty) from one allocation, which this table
  // keeps until it is destroyed: the parser's field and line tables were one allocation each a document.
  template <typename U>
  void reserve_with(std::size_t n, BoundedArray<U>& other, std::size_t m) {
    static_assert(alignof(U) >= alignof(T) && std::is_trivially_copyable_v<T> && std::is_trivially_copyable_v<U>);
    const std::size_t at = m * sizeof(U);  // `other`'s records first: theirs is the stricter alignment
    joint_.reset(new std::byte[at + n * sizeof(T)]);  // creates the records implicitly; none is written
    other.adopt(reinterpret_cast<U*>(joint_.get()), m);
    adopt(reinterpret_cast<T*>(joint_.get() + at), n);
  }
  __attribute__((always_inline)) void push_back(const T& v) {
    if (__builtin_expect(size_ == cap_, false)) reserve(cap_ * 2 + 16);
    data_[size_++] = v;
  }
  void resize_down(std::size_t n) { size_ = n < size_ ? n : size_; }
  // For appends through a cursor the caller holds (the parser's simple lines keep it in a register):
  // records are written from data() + size() up to data() + capacity(), then published by count.
  std::size_t capacity() const { return cap_; }
  void set_size(std::size_t n) { size_ = n; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  template <typename>
  friend class BoundedArray;
  void adopt(T* p, std::size_t n) {
    data_ = p;
    cap_ = n;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0, cap_ = 0;
  std::unique_ptr<T[]> own_;
  std::unique_ptr<std::byte[]> joint_;
};

namespace detail_impl {

// A [Strings] key and its value as substitution reads them: a lookup then compares the key and
// copies the value without decoding two field records. Views into the text and the arena, which
// do not change once parsed.
struct StringEntry {
  const char* key;
  const char* value;
  std::uint32_t key_len, value_len;
  std::string_view key_text() const { return std::string_view(key, key_len); }
  std::string_view value_text() const { return std::string_view(value, value_len); }
};

}  // namespace detail_impl

// The selected [Strings] section's entries, one per key the index holds (the first of repeats), in
// the order they were met. The first kInline live inside Document::Impl, as CiIndex's first slots
// do, so a driver INF's tens of strings take no allocation; more move to a vector that grows.
class StringEntries {
 public:
  using Entry = detail_impl::StringEntry;
  StringEntries() = default;
  StringEntries(const StringEntries&) = delete;
  StringEntries& operator=(const StringEntries&) = delete;
  void clear() {
    heap_ = std::vector<Entry>();
    data_ = inline_;
    size_ = 0;
  }
  void push_back(const Entry& e) {
    if (data_ == inline_ && size_ < kInline) {
      inline_[size_++] = e;
      return;
    }
    if (data_ == inline_) heap_.assign(inline_, inline_ + size_);
    heap_.push_back(e);
    data_ = heap_.data();
    ++size_;
  }
  std::uint32_t size() const { return size_; }
  const Entry& operator[](std::uint32_t i) const { return data_[i]; }

 private:
  static constexpr std::uint32_t kInline = 64;
  Entry inline_[kInline];
  std::vector<Entry> heap_;
  Entry* data_ = inline_;
  std::uint32_t size_ = 0;
};

using detail::FieldRec;
using detail::LineRec;
using detail::SectionRec;

// Document::Impl::separators when decoding did not count them.
inline constexpr std::size_t kSeparatorsUncounted = ~std::size_t{0};

struct Document::Impl {
  // Impl is over 3 KB (the inline room of the two indexes and the string entries), past what
  // glibc's per-thread cache of freed blocks takes (1,032 bytes): allocating and freeing it cost a
  // document ~450 instructions. A document takes a room for one Impl outside the heap instead, when
  // no other document holds it (document.cpp).
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;

  std::string path;
  // The input as read, or (bytes_replaced) its UTF-8 text decoded in place: Windows-1252 without
  // a NUL or a ^Z converts both ways exactly, so keeping the text alone saves a copy of the file,
  // and Document::bytes() rebuilds the bytes into `rebuilt` the first time it is asked.
  std::string bytes;
  bool bytes_replaced = false;
  // (and the physical lines' byte offsets, which decoding in place does not record)
  mutable std::once_flag rebuilt_once;
  mutable std::string rebuilt;
  mutable std::vector<std::uint32_t> rebuilt_line_starts;
  DecodedText decoded;
  std::string_view text;
  std::size_t separators = kSeparatorsUncounted;  // ',' and '=' in text as decode_in_place counted them (parse_text's bound)
  std::string arena;
  BoundedArray<FieldRec> fields;
  BoundedArray<LineRec> lines;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> end_lines;  // (line index, end line) of continued lines, in order
  std::vector<SectionRec> sections;
  std::vector<std::uint32_t> section_lines;  // empty when it would be the identity
  std::vector<std::pair<std::uint32_t, std::uint32_t>> headers;  // (section, physical line), by section
  // Where each section's headers start in `headers` (size sections+1); empty when every section has
  // exactly one header, so headers[s] is section s's.
  std::vector<std::uint32_t> header_begin;
  CiIndex section_map;  // section name -> merged section index
  std::vector<ParseNote> notes;

  std::uint16_t langid = 0x0409;
  std::int32_t strings_section = -1;
  using StringEntry = detail_impl::StringEntry;
  StringEntries string_entries;
  CiIndex strings;  // [Strings] key -> index into string_entries
  bool strings_may_repeat = false;  // see Document::strings_keys_may_repeat
  // Whether an indexed [Strings] key may hold a '%' (its field's kHasPercent). When none may, a
  // name holding one is never found, so a lookup need not test the name for '%' first.
  bool strings_key_percent = false;
  DiridContext dirids;
  unsigned codepage = 1252;

  // (as detail::Tables::field_text: the length and the flags in one load)
  std::string_view field_text(const FieldRec& f) const {
    const unsigned w = f.len_flags();
    if (FieldRec::has(w, FieldRec::kInArena)) return std::string_view(arena.data() + f.at, w & FieldRec::kLenMask);
    return std::string_view(text.data() + f.at + ((w >> (FieldRec::kFlagsShift + 2)) & 1), w & FieldRec::kLenMask);
  }
  // Text offset where the field's token starts.
  std::uint32_t field_pos(const FieldRec& f) const {
    if (!FieldRec::has(f.len_flags(), FieldRec::kInArena)) return f.at;
    std::uint32_t p;
    std::memcpy(&p, arena.data() + f.at - 4, 4);
    return p;
  }
  std::string_view section_name(std::uint32_t s) const {
    return text.substr(sections[s].name_off, sections[s].name_len);
  }
  Position position_of(std::uint32_t text_offset) const;
  // The line index at position k of the lines grouped by section.
  std::uint32_t section_line(std::uint32_t k) const { return section_lines.empty() ? k : section_lines[k]; }
  std::uint32_t find_section(std::string_view name) const {
    return section_map.find(name, [this](std::uint32_t s) { return section_name(s); });
  }
  // The entry [Strings] holds for key, or nullptr.
  const StringEntry* find_string(std::string_view key) const {
    const std::uint32_t e = strings.find(key, [this](std::uint32_t i) { return string_entries[i].key_text(); });
    return e == CiIndex::kNone ? nullptr : &string_entries[e];
  }
};

// decode() for a string the caller hands over: Windows-1252 text without a NUL or a ^Z is decoded
// into `bytes` itself (then `replaced`; the result borrows all of `bytes`, and its byte offsets
// refer to the original bytes, which encode_cp1252_exact gives back, with line_byte_start).
// `separators`: set to the text's ',' and '=' where decoding counted them on the way, else left as it was.
// `line_starts_room`: an empty table whose capacity the result's line_text_start takes over (a
// document in the Impl room passes the previous one's, which spares an allocation a file).
Result<DecodedText> decode_in_place(std::string& bytes, const DecodeOptions& opts, bool& replaced, std::size_t& separators,
                                    std::vector<std::uint32_t> line_starts_room = {});
// Windows-1252 bytes of text that decode_in_place produced (every character is one of the page's),
// and where each physical line starts in them.
std::string encode_cp1252_exact(std::string_view utf8, std::vector<std::uint32_t>& line_starts);

// Runs the tokenizer over impl.text and fills the arrays. Returns the SetupAPI error on failure.
Status parse_text(Document::Impl& impl);

// The [Strings] entry `raw` substitutes to when it is one whole %token% that [Strings] defines
// (nothing around it, no other '%' in it), else nullptr: Document::substitute appends its value, and
// substitute_view hands out a view of it (it lives as long as the document).
const Document::Impl::StringEntry* whole_token_entry(const Document::Impl& d, std::string_view raw);
// Document::substitute of `raw` that holds a '%' and is not one whole defined token (whole_token_entry
// gave nullptr): the rest of the work, without testing for the whole token again.
bool substitute_not_whole_token(const Document::Impl& d, std::string_view raw, std::string& out);

}  // namespace isodrv::inf
