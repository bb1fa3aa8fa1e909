// Internal storage of a parsed INF: flat arrays of sections, lines and fields that index into the
// decoded text (or, for fields that needed unquoting or joining, into an arena). Private to src/inf.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "isodrv/inf.h"

namespace isodrv::inf {

// Case-insensitive (ASCII) hashing so maps can be keyed by views into the text without copies.
struct CiHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
      h = (h ^ c) * 1099511628211ULL;
    }
    return static_cast<std::size_t>(h);
  }
};
struct CiEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return iequals(a, b); }
};
template <typename V>
using CiMap = std::unordered_map<std::string_view, V, CiHash, CiEqual>;

struct FieldRec {
  std::uint32_t pos;   // text offset where the token starts (its first character or quote)
  std::uint32_t off;   // offset of the value in text, or in the arena when kInArena is set
  std::uint16_t len;   // bytes of UTF-8 (a token is at most 511 UTF-16 units)
  std::uint8_t flags;
  static constexpr std::uint8_t kInArena = 1;
  static constexpr std::uint8_t kQuoted = 2;
};

struct LineRec {
  std::uint32_t first_value;  // index into fields of field 1
  std::uint32_t value_count;
  std::uint32_t key_field;    // index into fields, or kNoKey
  std::uint32_t line;         // physical line where it starts
  std::uint32_t end_line;     // physical line where it ends
  std::uint32_t section;      // merged section index
  bool explicit_key;          // written with '='
  static constexpr std::uint32_t kNoKey = 0xFFFFFFFFu;
};

struct SectionRec {
  std::uint32_t name_off, name_len;  // in text
  std::uint32_t line;                // first header's physical line
  std::uint32_t lines_begin = 0, lines_count = 0;  // into section_lines
};

struct Document::Impl {
  std::string path;
  std::string bytes;
  DecodedText decoded;
  std::string_view text;
  std::string arena;
  std::vector<FieldRec> fields;
  std::vector<LineRec> lines;
  std::vector<SectionRec> sections;
  std::vector<std::uint32_t> section_lines;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> headers;  // (section, physical line)
  CiMap<std::uint32_t> section_map;
  std::vector<ParseNote> notes;

  std::uint16_t langid = 0x0409;
  std::int32_t strings_section = -1;
  CiMap<std::uint32_t> strings;  // key -> field index of the value
  DiridContext dirids;
  unsigned codepage = 1252;

  std::string_view field_text(const FieldRec& f) const {
    return f.flags & FieldRec::kInArena ? std::string_view(arena).substr(f.off, f.len) : text.substr(f.off, f.len);
  }
  std::string_view section_name(std::uint32_t s) const {
    return text.substr(sections[s].name_off, sections[s].name_len);
  }
  Position position_of(std::uint32_t text_offset) const;
};

// Runs the tokenizer over impl.text and fills the arrays. Returns the SetupAPI error on failure.
Status parse_text(Document::Impl& impl);

}  // namespace isodrv::inf
