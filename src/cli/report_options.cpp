// Output options shared by `check` and `report merge`.
#include "cli/report_options.h"

#include <filesystem>

namespace isodrv::cli {
namespace fs = std::filesystem;

std::optional<diag::Format> parse_format(std::string_view f) {
  if (f == "text") return diag::Format::text;
  if (f == "infverif") return diag::Format::infverif;
  if (f == "json") return diag::Format::json;
  if (f == "jsonl") return diag::Format::jsonl;
  if (f == "sarif") return diag::Format::sarif;
  if (f == "github") return diag::Format::github;
  if (f == "html") return diag::Format::html;
  return std::nullopt;
}

bool set_path_base(diag::PathBase& opts, const std::string& sarif_base, const std::string& project_root,
                   std::string& error) {
  std::error_code ec;
  // Results name files relative to the project root (check::display_path), so that is where a
  // relative result path resolves; the current folder only when no root is known.
  if (!project_root.empty()) {
    opts.cwd = project_root;
  } else if (fs::path cwd = fs::current_path(ec); !ec) {
    opts.cwd = cwd.string();
  }
  while (opts.cwd.size() > 1 && opts.cwd.back() == '/') opts.cwd.pop_back();
  if (sarif_base.empty()) {
    opts.base = opts.cwd;
    return true;
  }
  fs::path base = fs::absolute(sarif_base, ec);
  if (ec || !fs::is_directory(base, ec)) {
    error = sarif_base + ": --sarif-base is not a folder";
    return false;
  }
  opts.base = base.lexically_normal().string();
  while (opts.base.size() > 1 && opts.base.back() == '/') opts.base.pop_back();
  opts.base_given = true;
  return true;
}

}  // namespace isodrv::cli
