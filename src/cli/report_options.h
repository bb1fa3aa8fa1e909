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

// Fills opts.cwd and opts.base. Result paths are relative to `project_root` (check's --project-root,
// else the enclosing git top-level, else the current folder); SARIF URIs and GitHub paths are
// written relative to `sarif_base` (--sarif-base) or, without it, the project root, so that
// %SRCROOT% is the project root. False with a message when --sarif-base is not a folder.
bool set_path_base(diag::PathBase& opts, const std::string& sarif_base, const std::string& project_root,
                   std::string& error);

}  // namespace isodrv::cli
