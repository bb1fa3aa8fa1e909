// The validator the driver store stages with: a /w check whose errors become one line each. It
// lives here, above the store, because the store must not call check (docs/architecture.md).
#include "isodrv/check.h"

namespace isodrv::check {

std::vector<std::string> isolation_errors(std::string_view bytes, const std::string& path, inf::Arch arch) {
  Options opts;
  opts.settings.mode = diag::Mode::w;
  opts.settings.target.arch = arch;
  const diag::FileResult report = check_bytes(bytes, path, opts);
  std::vector<std::string> out;
  for (const auto& d : report.diagnostics) {
    if (d.severity != diag::Severity::error) continue;
    out.push_back(path + ":" + std::to_string(d.line) + ": " + d.message + " [" + std::to_string(d.code) + "]");
  }
  return out;
}

}  // namespace isodrv::check
