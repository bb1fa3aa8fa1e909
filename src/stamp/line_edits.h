// Line-precise editing of an INF in its own encoding: a map of physical lines to byte ranges, and a
// plan of rewritten and inserted lines that is applied by splicing only the bytes that differ.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/stamp.h"

namespace isodrv::stamp::detail {

// The physical lines of a file: decoded text and the byte range each occupies.
class LineMap {
 public:
  static Result<LineMap> build(std::string_view bytes, const inf::DecodeOptions& opts);

  std::uint32_t count() const { return static_cast<std::uint32_t>(dec_.line_text_start.size()); }
  // Decoded text of a line without its line break (1-based).
  std::string_view text(std::uint32_t line) const;
  // [begin, end) of the line in the original bytes, line break excluded.
  std::pair<std::uint32_t, std::uint32_t> byte_range(std::uint32_t line) const;
  // The bytes of the line break that ends `line` ("" for a last line without one).
  std::string_view break_bytes(std::uint32_t line) const;
  inf::Encoding encoding() const { return dec_.encoding; }
  const inf::DecodeFlags& flags() const { return dec_.flags; }
  std::string encode(std::string_view utf8) const { return inf::encode(utf8, dec_.encoding, codepage_); }
  std::string_view bytes() const { return bytes_; }

 private:
  std::string_view bytes_;
  inf::DecodedText dec_;
  unsigned codepage_ = 1252;
  // The decoded text is derived on each use, never cached as a view: dec_ may own it in a small
  // string whose buffer moves along with the LineMap (a cached view then pointed into freed stack).
  std::string_view text() const { return dec_.view(bytes_); }
};

// Where the code part of a physical line ends: at the first ';' outside quotes, or just after the
// ']' of a section header. Tokens and values are only edited before this point.
std::size_t code_end(std::string_view line);
// Position of the first '=' outside quotes before `end`, or npos.
std::size_t find_equals(std::string_view line, std::size_t end);

// Changes planned against one LineMap.
class EditPlan {
 public:
  // Replaces the text of `line` (its line break is kept).
  void rewrite(std::uint32_t line, std::string new_text, EditKind kind);
  // Adds a new line after `line`; several inserts after one line keep their order.
  void insert_after(std::uint32_t line, std::string text, EditKind kind);
  bool empty() const { return rewrites_.empty() && inserts_.empty(); }
  // The text `line` will have (its rewrite, or the original).
  std::string_view current(const LineMap& map, std::uint32_t line) const;
  // Where input line `line` ends up in the output.
  std::uint32_t output_line(std::uint32_t line) const;
  // The new bytes; appends one Edit per changed or inserted line (output line numbers).
  std::string apply(const LineMap& map, std::vector<Edit>& edits) const;

 private:
  struct Rewrite {
    std::string text;
    EditKind kind;
  };
  struct Insert {
    std::uint32_t after;
    std::string text;
    EditKind kind;
  };
  std::map<std::uint32_t, Rewrite> rewrites_;
  std::vector<Insert> inserts_;
};

}  // namespace isodrv::stamp::detail
