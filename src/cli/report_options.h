// What `check` and `report merge` share about output: format names and where SARIF/GitHub paths
// are relative to.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "isodrv/report.h"

namespace isodrv::cli {

std::optional<diag::Format> parse_format(std::string_view f);
inline constexpr std::string_view kFormatNames = "text, infverif, json, jsonl, sarif, github, html";

// Fills opts.cwd and opts.base: findings are written relative to `sarif_base` (--sarif-base) or,
// without it, the current directory. False with a message when the folder does not exist.
bool set_path_base(diag::PathBase& opts, const std::string& sarif_base, std::string& error);

}  // namespace isodrv::cli
