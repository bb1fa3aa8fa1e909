// Accepting stampinf tokens in .inx input for `check`, as InfVerif's /stampinf does: each token is
// replaced by a value that is valid for the target, so rules see what stamping would produce.
#include "isodrv/stamp_tokens.h"

namespace isodrv::stamp {
namespace {

struct TokenValue {
  std::string_view token;
  std::string_view value;  // empty: the architecture word
};

// Values that are valid wherever the token may appear; the real ones come from `isodrv stamp`.
constexpr TokenValue kTokens[] = {
    {"$ARCH$", ""},
    {"$KMDFVERSION$", "1.33"},
    {"$KMDFCOINSTALLERVERSION$", "01033"},
    {"$UMDFVERSION$", "2.33.0"},
    {"$UMDFCOINSTALLERVERSION$", "02033"},
};

bool replace_all(std::string& s, const std::string& arch) {
  bool changed = false;
  for (const auto& t : kTokens) {
    std::string_view value = t.value.empty() ? std::string_view(arch) : t.value;
    for (std::size_t pos = s.find(t.token); pos != std::string::npos; pos = s.find(t.token, pos + value.size())) {
      s.replace(pos, t.token.size(), value);
      changed = true;
    }
  }
  return changed;
}

}  // namespace

std::string accept_tokens_for_check(std::string_view bytes, inf::Arch arch) {
  const std::string arch_word(inf::arch_name(arch));
  if (bytes.find('$') == std::string_view::npos && bytes.find(std::string_view("$\0", 2)) == std::string_view::npos) {
    return std::string(bytes);
  }
  auto dec = inf::decode(bytes);
  if (!dec.ok()) return std::string(bytes);
  if (dec->encoding == inf::Encoding::ansi) {
    std::string out(bytes);
    replace_all(out, arch_word);
    return out;
  }
  std::string text(dec->view(bytes));
  if (!replace_all(text, arch_word)) return std::string(bytes);
  std::string bom;
  switch (dec->encoding) {
    case inf::Encoding::utf8_bom: bom = "\xEF\xBB\xBF"; break;
    case inf::Encoding::utf16le_bom: bom = "\xFF\xFE"; break;
    case inf::Encoding::utf16be_bom: bom = "\xFE\xFF"; break;
    default: break;
  }
  return bom + inf::encode(text, dec->encoding);
}

}  // namespace isodrv::stamp
