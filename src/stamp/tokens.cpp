// Stampinf's tokens ($ARCH$, $KMDFVERSION$ …): the one table of them, their resolution line by line,
// and the entry point `check` uses for .inx input (InfVerif's /stampinf).
#include "tokens.h"

#include <array>

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
    const std::size_t nl = bytes.rfind('\n', dollar);
    const std::size_t ls = nl == std::string_view::npos ? 0 : nl + 1;
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
