// Stampinf's tokens ($ARCH$, $KMDFVERSION$ …): the one table of them, their resolution line by line,
// and the entry point `check` uses for .inx input (InfVerif's /stampinf).
#include "tokens.h"

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

void plan_tokens(const LineMap& map, const TokenValues& values, EditPlan& plan, std::vector<Note>& notes) {
  std::uint32_t first_left[5] = {0, 0, 0, 0, 0};
  std::uint32_t first_removed_arch = 0;
  for (std::uint32_t line = 1; line <= map.count(); ++line) {
    const std::string_view text = map.text(line);
    const std::size_t end = code_end(text);
    if (text.substr(0, end).find('$') == std::string_view::npos) continue;
    std::string code(text.substr(0, end));
    bool changed = false;
    for (const auto& t : tokens()) {
      const auto i = static_cast<std::size_t>(t.token);
      for (std::size_t pos = code.find(t.text); pos != std::string::npos;) {
        if (!values.value[i]) {
          if (!first_left[i]) first_left[i] = line;
          pos = code.find(t.text, pos + t.text.size());
          continue;
        }
        if (t.token == Token::arch && values.value[i]->empty() && !first_removed_arch) first_removed_arch = line;
        code.replace(pos, t.text.size(), *values.value[i]);
        changed = true;
        pos = code.find(t.text, pos + values.value[i]->size());
      }
    }
    if (changed) plan.rewrite(line, code + std::string(text.substr(end)), EditKind::token);
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
// (check's are). nullopt when the text is not the bytes.
std::optional<std::string> resolve_tokens_in_bytes(std::string_view bytes, const TokenValues& values) {
  if (!text_is_bytes(bytes)) return std::nullopt;
  std::string out;
  std::size_t copied = 0;
  bool changed_any = false;
  for (std::size_t dollar = bytes.find('$'); dollar != std::string_view::npos;) {
    const std::size_t nl = bytes.rfind('\n', dollar);
    const std::size_t ls = nl == std::string_view::npos ? 0 : nl + 1;
    std::size_t le = bytes.find('\n', dollar);
    if (le == std::string_view::npos) le = bytes.size();
    std::string_view text = bytes.substr(ls, le - ls);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const std::size_t end = code_end(text);
    if (text.substr(0, end).find('$') != std::string_view::npos) {
      std::string code(text.substr(0, end));
      bool changed = false;
      for (const auto& t : tokens()) {
        const std::string& value = *values.value[static_cast<std::size_t>(t.token)];
        for (std::size_t pos = code.find(t.text); pos != std::string::npos; pos = code.find(t.text, pos + value.size())) {
          code.replace(pos, t.text.size(), value);
          changed = true;
        }
      }
      if (changed) {
        if (!changed_any) out.reserve(bytes.size() + 256);
        changed_any = true;
        out.append(bytes.substr(copied, ls - copied));
        out += code;
        copied = ls + end;
      }
    }
    dollar = le < bytes.size() ? bytes.find('$', le) : std::string_view::npos;
  }
  if (!changed_any) return std::string(bytes);
  out.append(bytes.substr(copied));
  return out;
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
  const detail::TokenValues values = detail::check_token_values(arch);
  if (auto fast = detail::resolve_tokens_in_bytes(bytes, values)) return std::move(*fast);
  return detail::resolve_tokens_by_lines(bytes, values);
}

// Kept for the callers of stamp_tokens.h; the same resolution as above.
std::string accept_tokens_for_check(std::string_view bytes, inf::Arch arch) {
  auto r = resolve_stamp_tokens_for_check(bytes, arch);
  return r.ok() ? std::move(r.value()) : std::string(bytes);
}

}  // namespace isodrv::stamp
