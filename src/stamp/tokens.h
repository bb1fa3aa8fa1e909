// Token resolution shared by `isodrv stamp` and `check`: which value each token takes, and the plan
// of line rewrites that puts those values in place (comments are left alone).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/stamp.h"

namespace isodrv::stamp::detail {

class LineMap;
class EditPlan;

// One optional value per Token (indexed by the enum); nullopt leaves that token in the file.
struct TokenValues {
  std::optional<std::string> value[5];
};

// Values for stamping: $ARCH$ becomes the decoration word, or "" without an architecture.
TokenValues token_values(const std::optional<inf::Arch>& arch, const std::optional<WdfVersion>& kmdf,
                         const std::optional<WdfVersion>& umdf);
// Values `check` uses: valid everywhere a token may stand (KMDF 1.33, UMDF 2.33.0).
TokenValues check_token_values(inf::Arch arch);
// The same, made once per architecture for the life of the process.
inline constexpr std::size_t kArchCount = 5;  // inf::Arch: x86, amd64, arm, arm64, ia64
const TokenValues& check_token_values_cached(inf::Arch arch);

// What replacing the tokens in one line's code did: whether it changed, which tokens were left for
// want of a value (bit per Token), and whether $ARCH$ was removed (an empty architecture).
struct LineTokens {
  bool changed = false;
  unsigned left = 0;
  bool removed_arch = false;
};
// Replaces every token of `values` in `code` (a line's text before its comment): the one loop both
// the line-by-line path (plan_tokens) and the byte path (resolve_tokens_in_bytes) run per line.
LineTokens replace_tokens(std::string& code, const TokenValues& values);

// Plans a rewrite of every line whose code part holds a token; notes removed or unresolved tokens.
void plan_tokens(const LineMap& map, const TokenValues& values, EditPlan& plan, std::vector<Note>& notes);

// The file with every token of `values` resolved, line by line through a LineMap and an EditPlan.
Result<std::string> resolve_tokens_by_lines(std::string_view bytes, const TokenValues& values);
// The same result from the bytes alone, for the files whose decoded text is their bytes (Windows-1252
// without a BOM, a NUL or a ^Z: nearly every .inx); nullopt for any other file. Every value must be
// given. Check's path: a search for '$' instead of decoding and walking every line.
std::optional<std::string> resolve_tokens_in_bytes(std::string_view bytes, const TokenValues& values);
// The byte path without the copy of an unchanged file: `out` holds the result only for `changed`.
enum class Spliced { not_bytes, unchanged, changed };
Spliced splice_tokens_in_bytes(std::string_view bytes, const TokenValues& values, std::string& out);
// The same for UTF-16LE with its BOM whose units are its text (no NUL, ^Z or surrogate; even length);
// not_bytes for any other file.
Spliced splice_tokens_in_utf16le(std::string_view bytes, const TokenValues& values, std::string& out);
// The line-by-line path, nullopt when no line changes or the text does not decode.
std::optional<std::string> changed_by_lines(std::string_view bytes, const TokenValues& values);

}  // namespace isodrv::stamp::detail
