// The original bytes of an INF as physical lines, and edits of whole lines expressed as byte ranges of
// those bytes: new text is encoded like the file and new lines end like the file's lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/diag.h"
#include "isodrv/inf.h"

namespace isodrv::fix::detail {

// The comma-separated fields of a line's value (after '=' outside quotes, or the whole line), and
// its key, as spans of the line's text; a ';' outside quotes ends the line's code.
struct LineFields {
  struct Span {
    std::size_t begin = 0, end = 0;  // trimmed of blanks
  };
  std::optional<Span> key;
  std::vector<Span> fields;
  std::size_t code_end = 0;  // where a comment starts, or the text's size
};
LineFields split_fields(std::string_view text);
// `value` for a field that was written as `old_field`: quoted again when the old one was quoted.
std::string keep_quotes(std::string_view old_field, std::string_view value);

class Source {
 public:
  static Result<Source> build(std::string_view bytes, unsigned codepage);

  std::uint32_t line_count() const { return static_cast<std::uint32_t>(dec_.line_byte_start.size()); }
  // Decoded text of physical line `line` (1-based), without its line break.
  std::string_view physical(std::uint32_t line) const;
  // The logical line that starts at physical line `line`: its physical lines joined the way the
  // parser joins them (a trailing run of backslashes and blanks, and a comment after it, dropped).
  // The text of `line` itself when it does not continue.
  std::string text(std::uint32_t line) const;
  // Whether the line ends with a continuation backslash (its logical line goes on).
  bool continues(std::uint32_t line) const;
  // The physical line where the logical line holding `line` starts.
  std::uint32_t first_physical(std::uint32_t line) const;
  // The last physical line of the logical line that starts at `line`.
  std::uint32_t last_physical(std::uint32_t line) const;
  inf::Encoding encoding() const { return dec_.encoding; }

  // The logical line starting at `line` rewritten as `new_text` (a new version of text(line)). Only
  // the physical lines holding a change are edited, each only where its text changes: continuation
  // backslashes, comments and lines the change does not reach keep their bytes.
  std::vector<diag::Edit> replace_line(std::uint32_t line, std::string_view new_text) const;
  // The whole logical line (every physical line of it) removed.
  diag::Edit delete_line(std::uint32_t line) const;
  // A section from its header to its last line removed, with the blank lines that follow it.
  diag::Edit delete_lines(std::uint32_t first, std::uint32_t last) const;
  // New lines after `line` (each given without a line break).
  diag::Edit insert_after(std::uint32_t line, const std::vector<std::string>& lines) const;
  // New lines at the end of the file, after a blank line.
  diag::Edit append(const std::vector<std::string>& lines) const;
  // The field `i` (0 = first value field) of `line` replaced by `value`; nullopt when the line has
  // no such field. A field past the last is appended with the commas it needs.
  std::optional<std::string> with_field(std::uint32_t line, std::size_t i, std::string_view value) const;

 private:
  // One physical line of a logical line: where its code starts in the joined text, and how long it is.
  struct Segment {
    std::uint32_t line;
    std::size_t skip;                  // blanks at the start of a continuation line, not joined
    std::size_t joined_begin, length;  // where the rest starts in the joined text, and its length
  };
  std::vector<Segment> segments(std::uint32_t line, std::string* joined) const;
  diag::Edit replace_physical(std::uint32_t line, std::string_view new_text) const;
  std::pair<std::uint32_t, std::uint32_t> range(std::uint32_t line) const;  // line break excluded
  std::uint32_t next_start(std::uint32_t line) const;                       // after its line break
  std::string encoded(std::string_view utf8) const;
  std::string bytes_;
  inf::DecodedText dec_;
  unsigned codepage_ = 1252;
  std::string line_break_ = "\r\n";  // decoded; the file's first line break
};

}  // namespace isodrv::fix::detail
