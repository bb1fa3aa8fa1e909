// The stamp tokens InfVerif's /stampinf accepts in .inx input, shared by `check` and `stamp`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "isodrv/inf.h"

namespace isodrv::stamp {

// Returns the file with stampinf tokens replaced by valid values for `arch`, keeping its encoding
// and every other byte ($ARCH$ -> the architecture word, version tokens -> plausible versions).
std::string accept_tokens_for_check(std::string_view bytes, inf::Arch arch);

// The same for `check`, without copying or comparing a file that stays as it is: the stamped file,
// or nullopt when no token is replaced (the bytes are then the file to check).
std::optional<std::string> stamp_for_check(std::string_view bytes, inf::Arch arch);

// Whether a line of the text stamp_for_check gave may differ from the line as written: it holds one
// of the values put in place of a token. False means the line is as written (a replaced token
// always leaves its value behind), so a finding there needs no mapping back to the written file.
bool may_be_stamped(std::string_view stamped_line, inf::Arch arch);

}  // namespace isodrv::stamp
