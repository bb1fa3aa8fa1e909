// One search of a document's text for a character, mapped to the logical lines that hold it.
#include "rules/line_index.h"

#include <cstring>

namespace isodrv::rules {

std::vector<bool> lines_holding(const inf::Document& doc, char c) {
  const std::uint32_t count = doc.physical_line_count();
  std::vector<bool> physical(static_cast<std::size_t>(count) + 1, false);
  // Physical line n + 1 starts after the n-th '\n' of the decoded text (the decoder's line index):
  // each hit's line is the count of line breaks before it, found with memchr from the previous
  // hit's line, and the rest of a line with a hit is skipped.
  const std::string_view text = doc.text();
  const char* cursor = text.data();  // the start of physical line `line`
  const char* const end = text.data() + text.size();
  std::uint32_t line = 1;
  while (cursor < end) {
    const char* hit = static_cast<const char*>(std::memchr(cursor, c, static_cast<std::size_t>(end - cursor)));
    if (!hit) break;
    while (const void* nl = std::memchr(cursor, '\n', static_cast<std::size_t>(hit - cursor))) {
      cursor = static_cast<const char*>(nl) + 1;
      ++line;
    }
    if (line <= count) physical[line] = true;
    const void* nl = std::memchr(hit, '\n', static_cast<std::size_t>(end - hit));
    if (!nl) break;
    cursor = static_cast<const char*>(nl) + 1;
    ++line;
  }
  std::vector<bool> out(doc.line_count(), false);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const inf::Line l = doc.line_at(i);
    const std::uint32_t first = l.line();
    if (first == 0 || first > count) continue;
    if (physical[first]) {
      out[i] = true;
      continue;
    }
    for (std::uint32_t n = first + 1, last = l.end_line(); n <= last && n <= count; ++n) {
      if (physical[n]) {
        out[i] = true;
        break;
      }
    }
  }
  return out;
}

}  // namespace isodrv::rules
