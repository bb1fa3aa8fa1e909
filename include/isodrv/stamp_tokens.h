// The stamp tokens InfVerif's /stampinf accepts in .inx input, shared by `check` and `stamp`.
#pragma once

#include <string>
#include <string_view>

#include "isodrv/inf.h"

namespace isodrv::stamp {

// Returns the file with stampinf tokens replaced by valid values for `arch`, keeping its encoding
// and every other byte ($ARCH$ -> the architecture word, version tokens -> plausible versions).
std::string accept_tokens_for_check(std::string_view bytes, inf::Arch arch);

}  // namespace isodrv::stamp
