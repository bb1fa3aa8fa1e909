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

// Plans a rewrite of every line whose code part holds a token; notes removed or unresolved tokens.
void plan_tokens(const LineMap& map, const TokenValues& values, EditPlan& plan, std::vector<Note>& notes);

// The file with every token of `values` resolved, line by line through a LineMap and an EditPlan.
Result<std::string> resolve_tokens_by_lines(std::string_view bytes, const TokenValues& values);
// The same result from the bytes alone, for the files whose decoded text is their bytes (Windows-1252
// without a BOM, a NUL or a ^Z: nearly every .inx); nullopt for any other file. Every value must be
// given. Check's path: a search for '$' instead of decoding and walking every line.
std::optional<std::string> resolve_tokens_in_bytes(std::string_view bytes, const TokenValues& values);

}  // namespace isodrv::stamp::detail
