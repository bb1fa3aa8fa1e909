// Splicing rewritten and inserted lines into an INF's bytes. A rewrite changes only the bytes between
// the common prefix and suffix of the old and new line, after checking that those bytes re-encode
// exactly; when they do not (a lossy decode), the whole line is re-encoded instead.
#include "line_edits.h"

#include <algorithm>

namespace isodrv::stamp::detail {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

struct Splice {
  std::uint32_t begin, end;
  int order;  // rewrites (0) go before inserts (1) at the same offset
  std::string bytes;
};

}  // namespace

Result<LineMap> LineMap::build(std::string_view bytes, const inf::DecodeOptions& opts) {
  auto dec = inf::decode(bytes, opts);
  if (!dec.ok()) return dec.error();
  LineMap m;
  m.bytes_ = bytes;
  m.dec_ = std::move(dec.value());
  m.codepage_ = opts.codepage;
  return m;
}

std::string_view LineMap::text(std::uint32_t line) const {
  const auto& starts = dec_.line_text_start;
  if (line == 0 || line > starts.size()) return {};
  std::uint32_t b = starts[line - 1];
  const std::string_view all = text();
  std::uint32_t e = line < starts.size() ? starts[line] : static_cast<std::uint32_t>(all.size());
  std::string_view s = all.substr(b, e - b);
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

std::pair<std::uint32_t, std::uint32_t> LineMap::byte_range(std::uint32_t line) const {
  const auto& starts = dec_.line_byte_start;
  if (line == 0 || line > starts.size()) return {0, 0};
  const std::uint32_t b = starts[line - 1];
  if (line == starts.size()) {
    // The last line ends where its text ends, so a ^Z and what follows it stay untouched.
    std::size_t e = std::min<std::size_t>(bytes_.size(), b + encode(text(line)).size());
    return {b, static_cast<std::uint32_t>(e)};
  }
  const std::uint32_t next = starts[line];
  const std::size_t brk = encode(text().substr(dec_.line_text_start[line - 1] + text(line).size(),
                                              dec_.line_text_start[line] - dec_.line_text_start[line - 1] -
                                                  static_cast<std::uint32_t>(text(line).size())))
                              .size();
  return {b, next >= b + brk ? static_cast<std::uint32_t>(next - brk) : next};
}

std::string_view LineMap::break_bytes(std::uint32_t line) const {
  if (line == 0 || line >= count()) return {};
  auto [b, e] = byte_range(line);
  return bytes_.substr(e, dec_.line_byte_start[line] - e);
}

std::size_t code_end(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i != std::string_view::npos && line[i] == '[') {
    std::size_t rb = line.find(']', i);
    return rb == std::string_view::npos ? line.size() : rb + 1;
  }
  // Most lines hold no '"' before their first ';' (or none at all): two searches answer them, and
  // only a line with a quote there is walked byte by byte.
  const std::size_t semi = line.find(';');
  const std::size_t quote = line.find('"');
  if (quote == std::string_view::npos || (semi != std::string_view::npos && semi < quote)) {
    return semi == std::string_view::npos ? line.size() : semi;
  }
  bool quoted = false;
  for (i = quote; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    else if (line[i] == ';' && !quoted) return i;
  }
  return line.size();
}

std::size_t find_equals(std::string_view line, std::size_t end) {
  bool quoted = false;
  for (std::size_t i = 0; i < end && i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    else if (line[i] == '=' && !quoted) return i;
  }
  return std::string_view::npos;
}

void EditPlan::rewrite(std::uint32_t line, std::string new_text, EditKind kind) {
  rewrites_[line] = Rewrite{std::move(new_text), kind};
}

void EditPlan::insert_after(std::uint32_t line, std::string text, EditKind kind) {
  inserts_.push_back(Insert{line, std::move(text), kind});
}

std::string_view EditPlan::current(const LineMap& map, std::uint32_t line) const {
  auto it = rewrites_.find(line);
  return it != rewrites_.end() ? std::string_view(it->second.text) : map.text(line);
}

std::uint32_t EditPlan::output_line(std::uint32_t line) const {
  if (line == 0) return 0;
  std::uint32_t shift = 0;
  for (const auto& ins : inserts_) {
    if (ins.after < line) ++shift;
  }
  return line + shift;
}

std::string EditPlan::apply(const LineMap& map, std::vector<Edit>& edits) const {
  const std::string_view bytes = map.bytes();
  std::vector<Splice> splices;

  for (const auto& [line, rw] : rewrites_) {
    const std::string_view old = map.text(line);
    const std::string_view neu = rw.text;
    if (old == neu) continue;
    auto [b, e] = map.byte_range(line);
    std::size_t p = 0;
    while (p < old.size() && p < neu.size() && old[p] == neu[p]) ++p;
    while (p > 0 && p < old.size() && is_continuation(old[p])) --p;
    std::size_t s = 0;
    while (s < old.size() - p && s < neu.size() - p && old[old.size() - 1 - s] == neu[neu.size() - 1 - s]) ++s;
    while (s > 0 && is_continuation(old[old.size() - s])) --s;
    const std::string pre = map.encode(old.substr(0, p));
    const std::string mid = map.encode(old.substr(p, old.size() - p - s));
    const std::string suf = map.encode(old.substr(old.size() - s));
    const bool exact = pre.size() + mid.size() + suf.size() == e - b && bytes.compare(b, pre.size(), pre) == 0 &&
                       bytes.compare(b + pre.size(), mid.size(), mid) == 0 &&
                       bytes.compare(b + pre.size() + mid.size(), suf.size(), suf) == 0;
    if (exact) {
      const auto mb = static_cast<std::uint32_t>(b + pre.size());
      splices.push_back(Splice{mb, static_cast<std::uint32_t>(mb + mid.size()), 0,
                               map.encode(neu.substr(p, neu.size() - p - s))});
    } else {
      splices.push_back(Splice{b, e, 0, map.encode(neu)});
    }
  }

  // A new line takes the line break of the line it follows, else the file's first one, else CRLF.
  std::string fallback_break;
  for (std::uint32_t l = 1; l < map.count() && fallback_break.empty(); ++l) fallback_break = map.break_bytes(l);
  if (fallback_break.empty()) fallback_break = map.encode("\r\n");
  for (const auto& ins : inserts_) {
    std::string brk(map.break_bytes(ins.after));
    if (brk.empty()) brk = fallback_break;
    splices.push_back(Splice{map.byte_range(ins.after).second, map.byte_range(ins.after).second, 1, brk + map.encode(ins.text)});
  }
  std::stable_sort(splices.begin(), splices.end(), [](const Splice& a, const Splice& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.order < b.order;
  });

  std::string out;
  out.reserve(bytes.size() + 256);
  std::uint32_t at = 0;
  for (const auto& sp : splices) {
    out.append(bytes.substr(at, sp.begin - at));
    out += sp.bytes;
    at = sp.end;
  }
  out.append(bytes.substr(at));

  for (const auto& [line, rw] : rewrites_) {
    if (map.text(line) == rw.text) continue;
    edits.push_back(Edit{output_line(line), rw.kind, false, std::string(map.text(line)), rw.text});
  }
  // Inserted lines: after the anchor's new position, in the order they were planned.
  std::map<std::uint32_t, std::uint32_t> seen;
  for (const auto& ins : inserts_) {
    std::uint32_t k = seen[ins.after]++;
    edits.push_back(Edit{output_line(ins.after) + 1 + k, ins.kind, true, {}, ins.text});
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.line < b.line; });
  return out;
}

}  // namespace isodrv::stamp::detail
