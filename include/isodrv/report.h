// Report writers with the options of catalog-scale runs: where SARIF URIs and GitHub file paths
// start. Kept apart from diag.h, which every rule includes.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "isodrv/diag.h"

namespace isodrv::diag {

// A finding under `base` (absolute) is written relative to it; any other as an absolute file://
// URI (SARIF) or path (GitHub). Relative paths are resolved against `cwd`. Both "" (the
// default): paths are written as given.
struct PathBase {
  std::string cwd;
  std::string base;
  bool base_given = false;  // --sarif-base: SARIF names the base's URI in originalUriBaseIds
};

std::unique_ptr<ReportWriter> make_writer(const RenderOptions& opts, const PathBase& paths, Mode mode,
                                          const std::string& tool_version, std::ostream& out);

}  // namespace isodrv::diag
