// Line edits as byte ranges of the original file. Decoding keeps, per physical line, where it starts
// in the original bytes (inf::decode); a line's break is found by comparing the encoded "\r" and
// "\n" just before the next line, so CRLF, LF and UTF-16 files are edited without re-encoding
// anything but the changed lines.
#include "fix/source.h"

namespace isodrv::fix::detail {

std::string keep_quotes(std::string_view old_field, std::string_view value) {
  const bool was_quoted = old_field.size() >= 2 && old_field.front() == '"' && old_field.back() == '"';
  if (!was_quoted || (!value.empty() && value.front() == '"')) return std::string(value);
  return "\"" + std::string(value) + "\"";
}

LineFields split_fields(std::string_view t) {
  LineFields out;
  bool quoted = false;
  std::size_t eq = std::string_view::npos;
  out.code_end = t.size();
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '"') quoted = !quoted;
    else if (!quoted && t[i] == ';') {
      out.code_end = i;
      break;
    } else if (!quoted && t[i] == '=' && eq == std::string_view::npos) {
      eq = i;
    }
  }
  auto trimmed = [&](std::size_t b, std::size_t e) {
    while (b < e && (t[b] == ' ' || t[b] == '\t')) ++b;
    while (e > b && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r')) --e;
    return LineFields::Span{b, e};
  };
  std::size_t start = 0;
  if (eq != std::string_view::npos) {
    out.key = trimmed(0, eq);
    start = eq + 1;
  }
  quoted = false;
  std::size_t field = start;
  for (std::size_t i = start; i <= out.code_end; ++i) {
    if (i < out.code_end && t[i] == '"') quoted = !quoted;
    if (i == out.code_end || (!quoted && t[i] == ',')) {
      out.fields.push_back(trimmed(field, i));
      field = i + 1;
    }
  }
  // A line with nothing after '=' still has one (empty) field, as SetupAPI counts it; a line that is
  // only a comment has none.
  if (!out.key && out.fields.size() == 1 && out.fields[0].begin == out.fields[0].end) out.fields.clear();
  return out;
}

Result<Source> Source::build(std::string_view bytes, unsigned codepage) {
  Source s;
  s.bytes_ = std::string(bytes);
  inf::DecodeOptions o;
  o.codepage = codepage;
  auto dec = inf::decode(s.bytes_, o);
  if (!dec.ok()) return dec.error();
  s.dec_ = std::move(dec.value());
  s.codepage_ = codepage;
  // New lines end as the file's lines do: the first line break decides (CRLF when there is none).
  if (s.line_count() > 1) {
    auto [b, e] = s.range(1);
    const std::string lf = s.encoded("\n");
    s.line_break_ = s.next_start(1) - e > lf.size() ? "\r\n" : "\n";
  }
  return s;
}

std::string Source::encoded(std::string_view utf8) const { return inf::encode(utf8, dec_.encoding, codepage_); }

std::uint32_t Source::next_start(std::uint32_t line) const {
  return line < line_count() ? dec_.line_byte_start[line] : dec_.bytes_end;
}

std::pair<std::uint32_t, std::uint32_t> Source::range(std::uint32_t line) const {
  const std::uint32_t begin = dec_.line_byte_start[line - 1];
  std::uint32_t end = next_start(line);
  if (line < line_count()) {
    const std::string lf = encoded("\n"), cr = encoded("\r");
    if (end - begin >= lf.size() && bytes_.compare(end - lf.size(), lf.size(), lf) == 0) end -= static_cast<std::uint32_t>(lf.size());
    if (end - begin >= cr.size() && bytes_.compare(end - cr.size(), cr.size(), cr) == 0) end -= static_cast<std::uint32_t>(cr.size());
  }
  return {begin, end};
}

std::string_view Source::physical(std::uint32_t line) const {
  if (line == 0 || line > line_count()) return {};
  const std::string_view all = dec_.view(bytes_);
  const std::uint32_t b = dec_.line_text_start[line - 1];
  std::uint32_t e = line < line_count() ? dec_.line_text_start[line] : static_cast<std::uint32_t>(all.size());
  if (e > b && all[e - 1] == '\n') --e;
  if (e > b && all[e - 1] == '\r') --e;
  return all.substr(b, e - b);
}

bool Source::continues(std::uint32_t line) const {
  if (line >= line_count()) return false;  // a backslash on the last line continues nothing
  const std::string_view t = physical(line);
  const LineFields f = split_fields(t);
  std::string_view code = t.substr(0, f.code_end);
  while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.remove_suffix(1);
  return !code.empty() && code.back() == '\\';
}

std::uint32_t Source::first_physical(std::uint32_t line) const {
  while (line > 1 && line <= line_count() && continues(line - 1)) --line;
  return line;
}

std::uint32_t Source::last_physical(std::uint32_t line) const {
  while (line < line_count() && continues(line)) ++line;
  return line;
}

std::vector<Source::Segment> Source::segments(std::uint32_t line, std::string* joined) const {
  std::vector<Segment> out;
  std::string text;
  for (std::uint32_t l = line;; ++l) {
    std::string_view t = physical(l);
    // The parser skips the blanks a continuation line starts with.
    std::size_t skip = 0;
    if (l != line) {
      while (skip < t.size() && (t[skip] == ' ' || t[skip] == '\t')) ++skip;
      t.remove_prefix(skip);
    }
    if (!continues(l)) {
      out.push_back({l, skip, text.size(), t.size()});
      text += t;
      break;
    }
    // The code before the continuation: blanks and backslashes at its end are not part of it.
    std::size_t end = split_fields(t).code_end;
    while (end > 0 && (t[end - 1] == ' ' || t[end - 1] == '\t' || t[end - 1] == '\\')) --end;
    out.push_back({l, skip, text.size(), end});
    text += t.substr(0, end);
  }
  if (joined) *joined = std::move(text);
  return out;
}

std::string Source::text(std::uint32_t line) const {
  if (line == 0 || line > line_count()) return {};
  if (!continues(line)) return std::string(physical(line));
  std::string joined;
  segments(line, &joined);
  return joined;
}

diag::Edit Source::replace_physical(std::uint32_t line, std::string_view new_text) const {
  auto [b, e] = range(line);
  return {b, e, encoded(new_text)};
}

std::vector<diag::Edit> Source::replace_line(std::uint32_t line, std::string_view new_text) const {
  if (!continues(line)) return {replace_physical(line, new_text)};
  std::string old;
  const std::vector<Segment> segs = segments(line, &old);
  // The changed stretch of the joined text: what lies between the common prefix and suffix.
  std::size_t p = 0;
  while (p < old.size() && p < new_text.size() && old[p] == new_text[p]) ++p;
  std::size_t s = 0;
  while (s < old.size() - p && s < new_text.size() - p && old[old.size() - 1 - s] == new_text[new_text.size() - 1 - s]) ++s;
  if (p == old.size() && p == new_text.size()) return {};
  const std::size_t old_end = old.size() - s;
  const std::string middle(new_text.substr(p, new_text.size() - s - p));
  // The segment the change starts in (an insertion at a segment's end stays in that segment) and
  // the one it ends in.
  std::size_t a = 0;
  while (a + 1 < segs.size() && p > segs[a].joined_begin + segs[a].length) ++a;
  if (old_end > p) {
    while (a + 1 < segs.size() && p == segs[a].joined_begin + segs[a].length) ++a;
  }
  std::size_t z = a;
  while (z + 1 < segs.size() && old_end > segs[z].joined_begin + segs[z].length) ++z;
  // New text ending in a backslash or blank where a continuation follows would join differently:
  // the logical line is then written as one physical line.
  const std::string_view kept_head = std::string_view(old).substr(segs[a].joined_begin, p - segs[a].joined_begin);
  const std::string head = std::string(kept_head) + middle;
  if (a + 1 < segs.size() && !head.empty() && (head.back() == '\\' || head.back() == ' ' || head.back() == '\t') &&
      (z > a || p - segs[a].joined_begin + middle.size() >= segs[a].length)) {
    return {{range(segs.front().line).first, range(segs.back().line).second, encoded(new_text)}};
  }
  std::vector<diag::Edit> out;
  for (std::size_t k = a; k <= z; ++k) {
    std::string t(physical(segs[k].line));
    const std::size_t from = k == a ? p - segs[k].joined_begin : 0;
    const std::size_t to = k == z ? old_end - segs[k].joined_begin : segs[k].length;
    t.replace(segs[k].skip + from, to - from, k == a ? middle : std::string());
    out.push_back(replace_physical(segs[k].line, t));
  }
  return out;
}

diag::Edit Source::delete_line(std::uint32_t line) const { return delete_lines(line, last_physical(line)); }

diag::Edit Source::delete_lines(std::uint32_t first, std::uint32_t last) const {
  const std::uint32_t b = range(first).first;
  if (last < line_count()) return {b, next_start(last), {}};
  // The last line has no break of its own: the one before the first goes with it.
  return {first > 1 ? range(first - 1).second : b, range(last).second, {}};
}

diag::Edit Source::insert_after(std::uint32_t line, const std::vector<std::string>& lines) const {
  std::string text;
  for (const auto& l : lines) text += l + line_break_;
  if (line < line_count() || range(line).second != next_start(line)) {
    const std::uint32_t at = next_start(line);
    return {at, at, encoded(text)};
  }
  // The last line without a line break: the new lines start with one.
  const std::uint32_t at = range(line).second;
  text = line_break_ + text.substr(0, text.size() - line_break_.size());
  return {at, at, encoded(text)};
}

diag::Edit Source::append(const std::vector<std::string>& lines) const {
  // After a blank line; the file keeps whether it ends with a line break.
  const std::uint32_t last = line_count();
  const bool ends_with_break = last == 0 || text(last).empty();
  std::string text = ends_with_break ? line_break_ : line_break_ + line_break_;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += lines[i];
    if (ends_with_break || i + 1 < lines.size()) text += line_break_;
  }
  return {dec_.bytes_end, dec_.bytes_end, encoded(text)};
}

std::optional<std::string> Source::with_field(std::uint32_t line, std::size_t i, std::string_view value) const {
  const std::string t = text(line);
  const LineFields f = split_fields(t);
  if (f.fields.empty()) return std::nullopt;
  std::string out(t);
  if (i < f.fields.size()) {
    out.replace(f.fields[i].begin, f.fields[i].end - f.fields[i].begin, keep_quotes(t.substr(f.fields[i].begin, f.fields[i].end - f.fields[i].begin), value));
    return out;
  }
  std::string tail;
  for (std::size_t k = f.fields.size(); k <= i; ++k) tail += ",";
  tail += value;
  out.insert(f.fields.back().end, tail);
  return out;
}

}  // namespace isodrv::fix::detail
