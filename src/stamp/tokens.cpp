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

}  // namespace detail

Result<std::string> resolve_stamp_tokens_for_check(std::string_view bytes, inf::Arch arch) {
  if (bytes.find('$') == std::string_view::npos) return std::string(bytes);
  auto map = detail::LineMap::build(bytes, {});
  if (!map.ok()) return map.error();
  detail::EditPlan plan;
  std::vector<Note> notes;
  detail::plan_tokens(*map, detail::check_token_values(arch), plan, notes);
  if (plan.empty()) return std::string(bytes);
  std::vector<Edit> edits;
  return plan.apply(*map, edits);
}

// Kept for the callers of stamp_tokens.h; the same resolution as above.
std::string accept_tokens_for_check(std::string_view bytes, inf::Arch arch) {
  auto r = resolve_stamp_tokens_for_check(bytes, arch);
  return r.ok() ? std::move(r.value()) : std::string(bytes);
}

}  // namespace isodrv::stamp
