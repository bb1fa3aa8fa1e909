// Stampinf's tokens ($ARCH$, $KMDFVERSION$ …): the one table of them, their resolution line by line,
// and the entry point `check` uses for .inx input (InfVerif's /stampinf).
#include "tokens.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "isodrv/stamp_tokens.h"
#include "line_edits.h"

namespace isodrv::stamp {

const std::vector<TokenInfo>& tokens() {
  // No token is a substring of another, so the order of replacement does not matter.
  static const std::vector<TokenInfo> kTokens = {
      {Token::arch, "$ARCH$", "-a", "amd64"},
      {Token::kmdf_version, "$KMDFVERSION$", "-k", "1.33"},
      {Token::kmdf_coinstaller_version, "$KMDFCOINSTALLERVERSION$", "-k", "01033"},
      {Token::umdf_version, "$UMDFVERSION$", "-u", "2.33.0"},
      {Token::umdf_coinstaller_version, "$UMDFCOINSTALLERVERSION$", "-u", "02033"},
  };
  return kTokens;
}

namespace detail {

TokenValues token_values(const std::optional<inf::Arch>& arch, const std::optional<WdfVersion>& kmdf,
                         const std::optional<WdfVersion>& umdf) {
  TokenValues v;
  v.value[static_cast<std::size_t>(Token::arch)] = arch ? std::string(inf::arch_name(*arch)) : std::string();
  if (kmdf) {
    v.value[static_cast<std::size_t>(Token::kmdf_version)] = kmdf->library_text(false);
    v.value[static_cast<std::size_t>(Token::kmdf_coinstaller_version)] = kmdf->coinstaller_text();
  }
  if (umdf) {
    v.value[static_cast<std::size_t>(Token::umdf_version)] = umdf->library_text(true);
    v.value[static_cast<std::size_t>(Token::umdf_coinstaller_version)] = umdf->coinstaller_text();
  }
  return v;
}

TokenValues check_token_values(inf::Arch arch) {
  WdfVersion kmdf{1, 33, 0, false};
  WdfVersion umdf{2, 33, 0, true};
  return token_values(arch, kmdf, umdf);
}

static_assert(static_cast<std::size_t>(inf::Arch::ia64) + 1 == kArchCount, "one TokenValues per inf::Arch");

// check_token_values per architecture, made once: `check` stamps every .inx with them.
const TokenValues& check_token_values_cached(inf::Arch arch) {
  static const auto kValues = [] {
    std::array<TokenValues, kArchCount> v;
    for (std::size_t a = 0; a < v.size(); ++a) v[a] = check_token_values(static_cast<inf::Arch>(a));
    return v;
  }();
  return kValues[static_cast<std::size_t>(arch)];
}

LineTokens replace_tokens(std::string& code, const TokenValues& values) {
  LineTokens r;
  for (const auto& t : tokens()) {
    const auto i = static_cast<std::size_t>(t.token);
    const std::optional<std::string>& value = values.value[i];
    for (std::size_t pos = code.find(t.text); pos != std::string::npos;) {
      if (!value) {
        r.left |= 1u << i;
        pos = code.find(t.text, pos + t.text.size());
        continue;
      }
      if (t.token == Token::arch && value->empty()) r.removed_arch = true;
      code.replace(pos, t.text.size(), *value);
      r.changed = true;
      pos = code.find(t.text, pos + value->size());
    }
  }
  return r;
}

void plan_tokens(const LineMap& map, const TokenValues& values, EditPlan& plan, std::vector<Note>& notes) {
  std::uint32_t first_left[5] = {0, 0, 0, 0, 0};
  std::uint32_t first_removed_arch = 0;
  for (std::uint32_t line = 1; line <= map.count(); ++line) {
    const std::string_view text = map.text(line);
    const std::size_t end = code_end(text);
    if (text.substr(0, end).find('$') == std::string_view::npos) continue;
    std::string code(text.substr(0, end));
    const LineTokens r = replace_tokens(code, values);
    for (std::size_t i = 0; i < 5; ++i) {
      if ((r.left >> i & 1u) && !first_left[i]) first_left[i] = line;
    }
    if (r.removed_arch && !first_removed_arch) first_removed_arch = line;
    if (r.changed) plan.rewrite(line, code + std::string(text.substr(end)), EditKind::token);
  }
  if (first_removed_arch) {
    notes.push_back(Note{first_removed_arch, "no architecture given (-a): $ARCH$ was removed, so NT$ARCH$ became NT"});
  }
  for (const auto& t : tokens()) {
    const auto i = static_cast<std::size_t>(t.token);
    if (first_left[i]) {
      notes.push_back(Note{first_left[i], std::string(t.text) + " is left as it is: give " + std::string(t.option) +
                                              " to resolve it"});
    }
  }
}

// Whether the bytes decode as Windows-1252 that converts back exactly, so each physical line's
// text is its bytes: no BOM (and so not UTF-16, which also always holds NULs), no NUL, no ^Z.
static bool text_is_bytes(std::string_view bytes) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.size() >= 2 && ((b(0) == 0xFF && b(1) == 0xFE) || (b(0) == 0xFE && b(1) == 0xFF))) return false;
  if (bytes.size() >= 3 && b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return false;
  return bytes.find('\0') == std::string_view::npos && bytes.find('\x1A') == std::string_view::npos;
}

// What plan_tokens does to one line, on the bytes of a file whose text is its bytes: only the lines
// that hold a '$' are looked at (one search for the next '$' instead of decoding and walking every
// line), and the output is spliced as EditPlan::apply would splice it. Every value must be given
// (check's are). `out` is written only when some line changed.
Spliced splice_tokens_in_bytes(std::string_view bytes, const TokenValues& values, std::string& out) {
  if (!text_is_bytes(bytes)) return Spliced::not_bytes;
  std::size_t copied = 0;
  bool changed_any = false;
  std::string code;
  for (std::size_t dollar = bytes.find('$'); dollar != std::string_view::npos;) {
    // The line's start: memrchr searches back many bytes a step (rfind compares one at a time).
    const void* nl = ::memrchr(bytes.data(), '\n', dollar);
    const std::size_t ls = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1 : 0;
    std::size_t le = bytes.find('\n', dollar);
    if (le == std::string_view::npos) le = bytes.size();
    std::string_view text = bytes.substr(ls, le - ls);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const std::size_t end = code_end(text);
    if (text.substr(0, end).find('$') != std::string_view::npos) {
      code.assign(text.substr(0, end));
      if (replace_tokens(code, values).changed) {
        if (!changed_any) {
          out.clear();
          out.reserve(bytes.size() + 256);
        }
        changed_any = true;
        out.append(bytes.substr(copied, ls - copied));
        out += code;
        copied = ls + end;
      }
    }
    dollar = le < bytes.size() ? bytes.find('$', le) : std::string_view::npos;
  }
  if (!changed_any) return Spliced::unchanged;
  out.append(bytes.substr(copied));
  return Spliced::changed;
}

namespace {

// A UTF-16LE code unit from its two bytes.
char16_t unit_at(std::string_view bytes, std::size_t i) {
  return static_cast<char16_t>(static_cast<unsigned char>(bytes[i]) | static_cast<unsigned char>(bytes[i + 1]) << 8);
}

// Whether any 16-bit lane of `v` is zero (exact as a whole: a borrow only ever follows a real zero).
bool has_zero_unit(std::uint64_t v) {
  return ((v - 0x0001000100010001ULL) & ~v & 0x8000800080008000ULL) != 0;
}

// UTF-16LE with its BOM whose units decode one for one and encode back exactly: an even length, no
// NUL, no ^Z (where decoding stops) and no surrogate (an unpaired one decodes to U+FFFD). Then each
// physical line's text is its units, as a Windows-1252 file's text is its bytes. Four units a step
// (eight with SSE2).
bool utf16le_units_are_text(std::string_view bytes) {
  if (bytes.size() < 2 || bytes.size() % 2 != 0) return false;
  if (static_cast<unsigned char>(bytes[0]) != 0xFF || static_cast<unsigned char>(bytes[1]) != 0xFE) return false;
  std::size_t i = 2;
#if defined(__SSE2__)
  // Eight units a step: each lane compared with 0 and ^Z, and its top five bits with a surrogate's.
  const __m128i zero = _mm_setzero_si128(), ctrl_z = _mm_set1_epi16(0x1A);
  const __m128i top = _mm_set1_epi16(static_cast<short>(0xF800)), surrogate = _mm_set1_epi16(static_cast<short>(0xD800));
  for (; i + 16 <= bytes.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes.data() + i));
    const __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi16(v, zero), _mm_cmpeq_epi16(v, ctrl_z)),
                                     _mm_cmpeq_epi16(_mm_and_si128(v, top), surrogate));
    if (_mm_movemask_epi8(bad) != 0) return false;
  }
#endif
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, bytes.data() + i, 8);
    if (has_zero_unit(v) || has_zero_unit(v ^ 0x001A001A001A001AULL) ||
        has_zero_unit((v & 0xF800F800F800F800ULL) ^ 0xD800D800D800D800ULL)) {
      return false;
    }
  }
  for (; i < bytes.size(); i += 2) {
    const char16_t u = unit_at(bytes, i);
    if (u == 0 || u == 0x1A || (u >= 0xD800 && u <= 0xDFFF)) return false;
  }
  return true;
}

// The byte offset of the next unit `c` (ASCII) at or after byte offset `from` (even), or npos.
std::size_t find_unit(std::string_view bytes, char c, std::size_t from) {
  for (std::size_t at = bytes.find(c, from); at != std::string_view::npos; at = bytes.find(c, at + 1)) {
    if (at % 2 == 0 && at + 1 < bytes.size() && bytes[at + 1] == '\0') return at;
  }
  return std::string_view::npos;
}

// The byte offset just after the last unit `c` (ASCII) before byte offset `before` (even), or 0.
std::size_t after_last_unit(std::string_view bytes, char c, std::size_t before) {
  for (std::size_t at = before; at >= 2; at -= 2) {
    if (bytes[at - 2] == c && bytes[at - 1] == '\0') return at;
  }
  return 0;
}

// The units of `code`, narrowed where they are ASCII; any other unit becomes 0x80, which no token,
// quote, bracket or ';' equals, so code_end and replace_tokens see the same positions and matches.
std::string narrowed(std::string_view units) {
  std::string s(units.size() / 2, '\x80');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char16_t u = unit_at(units, 2 * i);
    if (u < 0x80) s[i] = static_cast<char>(u);
  }
  return s;
}

// Appends `code` (one line's code part, tokens replaced) as UTF-16LE: its ASCII characters as
// units, and each 0x80 placeholder as the next original unit of `units` that was not ASCII. The
// values are ASCII, so the placeholders come out in their original order.
void append_widened(std::string& out, std::string_view code, std::string_view units) {
  std::size_t k = 0;  // the next original unit
  for (const char c : code) {
    if (c == '\x80') {
      while (unit_at(units, k) < 0x80) k += 2;
      out.append(units.substr(k, 2));
      k += 2;
      continue;
    }
    out += c;
    out += '\0';
  }
}

}  // namespace

// splice_tokens_in_bytes on UTF-16LE (with its BOM) whose units are its text: the lines that hold a
// '$' unit are found on the bytes, narrowed, resolved as on Windows-1252 bytes and spliced back as
// units; the rest is copied. What EditPlan::apply gives, without decoding the file and walking every
// line (a UTF-16 .inx took the line-by-line path before).
Spliced splice_tokens_in_utf16le(std::string_view bytes, const TokenValues& values, std::string& out) {
  if (!utf16le_units_are_text(bytes)) return Spliced::not_bytes;
  std::size_t copied = 0;
  bool changed_any = false;
  std::string code;
  for (std::size_t dollar = find_unit(bytes, '$', 2); dollar != std::string_view::npos;) {
    const std::size_t ls = std::max<std::size_t>(after_last_unit(bytes, '\n', dollar), 2);  // after the BOM
    std::size_t le = find_unit(bytes, '\n', dollar);
    if (le == std::string_view::npos) le = bytes.size();
    std::size_t te = le;  // the line's text ends before "\r\n"
    if (te - ls >= 2 && bytes[te - 2] == '\r' && bytes[te - 1] == '\0') te -= 2;
    const std::string_view units = bytes.substr(ls, te - ls);
    code = narrowed(units);
    const std::size_t end = code_end(code);
    code.resize(end);
    if (code.find('$') != std::string::npos && replace_tokens(code, values).changed) {
      if (!changed_any) {
        out.clear();
        out.reserve(bytes.size() + 512);
      }
      changed_any = true;
      out.append(bytes.substr(copied, ls - copied));
      append_widened(out, code, units);
      copied = ls + 2 * end;
    }
    dollar = le < bytes.size() ? find_unit(bytes, '$', le) : std::string_view::npos;
  }
  if (!changed_any) return Spliced::unchanged;
  out.append(bytes.substr(copied));
  return Spliced::changed;
}

std::optional<std::string> resolve_tokens_in_bytes(std::string_view bytes, const TokenValues& values) {
  std::string out;
  switch (splice_tokens_in_bytes(bytes, values, out)) {
    case Spliced::not_bytes: return std::nullopt;
    case Spliced::unchanged: return std::string(bytes);
    case Spliced::changed: break;
  }
  return out;
}

// The line-by-line path; nullopt when no line changes (or the text does not decode: left as it is).
std::optional<std::string> changed_by_lines(std::string_view bytes, const TokenValues& values) {
  auto map = LineMap::build(bytes, {});
  if (!map.ok()) return std::nullopt;
  EditPlan plan;
  std::vector<Note> notes;
  plan_tokens(*map, values, plan, notes);
  if (plan.empty()) return std::nullopt;
  std::vector<Edit> edits;
  return plan.apply(*map, edits);
}

Result<std::string> resolve_tokens_by_lines(std::string_view bytes, const TokenValues& values) {
  auto map = LineMap::build(bytes, {});
  if (!map.ok()) return map.error();
  EditPlan plan;
  std::vector<Note> notes;
  plan_tokens(*map, values, plan, notes);
  if (plan.empty()) return std::string(bytes);
  std::vector<Edit> edits;
  return plan.apply(*map, edits);
}

}  // namespace detail

Result<std::string> resolve_stamp_tokens_for_check(std::string_view bytes, inf::Arch arch) {
  if (bytes.find('$') == std::string_view::npos) return std::string(bytes);
  const detail::TokenValues& values = detail::check_token_values_cached(arch);
  if (auto fast = detail::resolve_tokens_in_bytes(bytes, values)) return std::move(*fast);
  return detail::resolve_tokens_by_lines(bytes, values);
}

// Kept for the callers of stamp_tokens.h; the same resolution as above.
std::string accept_tokens_for_check(std::string_view bytes, inf::Arch arch) {
  auto r = resolve_stamp_tokens_for_check(bytes, arch);
  return r.ok() ? std::move(r.value()) : std::string(bytes);
}

std::optional<std::string> stamp_for_check(std::string_view bytes, inf::Arch arch) {
  if (bytes.find('$') == std::string_view::npos) return std::nullopt;
  const detail::TokenValues& values = detail::check_token_values_cached(arch);
  std::string out;
  switch (detail::splice_tokens_in_bytes(bytes, values, out)) {
    case detail::Spliced::unchanged: return std::nullopt;
    case detail::Spliced::changed: return out;
    case detail::Spliced::not_bytes: break;
  }
  switch (detail::splice_tokens_in_utf16le(bytes, values, out)) {
    case detail::Spliced::unchanged: return std::nullopt;
    case detail::Spliced::changed: return out;
    case detail::Spliced::not_bytes: break;
  }
  return detail::changed_by_lines(bytes, values);
}

bool may_be_stamped(std::string_view stamped_line, inf::Arch arch) {
  const detail::TokenValues& values = detail::check_token_values_cached(arch);
  for (const auto& v : values.value) {
    if (v && !v->empty() && stamped_line.find(*v) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace isodrv::stamp
