// Token resolution shared by `isodrv stamp` and `check`: which value each token takes, and the plan
// of line rewrites that puts those values in place (comments are left alone).
#pragma once

#include <optional>
#include <string>
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

}  // namespace isodrv::stamp::detail
