// isodrv.toml (or [tool.isodrv] in a pyproject.toml): check settings discovered upward from each
// input, as ruff discovers its configuration. Read with toml++.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "isodrv/result.h"

namespace isodrv::cli {

struct FileConfig {
  std::string file;  // the file the settings come from; "" when no file applies
  std::string dir;   // its folder (absolute): relative paths in it resolve against this
  std::optional<std::string> mode, target_os, format, baseline;
  std::optional<std::vector<std::string>> select;
  std::vector<std::string> ignore, extend_select;
  // glob relative to `dir` -> codes or prefixes
  std::vector<std::pair<std::string, std::vector<std::string>>> per_file_ignores;
  std::optional<bool> warnings_as_errors;
};

// The nearest configuration for a file or folder: isodrv.toml, .isodrv.toml, or a pyproject.toml
// with a [tool.isodrv] table, in the path's folder or the closest folder above it. Results are
// cached per folder. An unreadable or invalid file is an error ("file:line: message").
// ConfigFor::file says the path is known not to be a folder (a file the input walk produced):
// no stat, and consecutive files of one folder share one look-up.
enum class ConfigFor { any, file };
// What a caller already knows, to spare system calls: whether the input walk's listing of the
// file's folder showed one of config_file_names() (false: that folder is not probed), and the
// working directory, read once per run (else each new folder's path is made absolute with getcwd).
struct ConfigHints {
  std::optional<bool> folder_has_config_name;
  const std::string* cwd = nullptr;
};
Result<FileConfig> find_config(const std::string& path, ConfigFor what = ConfigFor::any, const ConfigHints& hints = {});
// The same without a copy: the configuration stays where discovery keeps it, valid until the next
// call (a run's survey copies only the few distinct ones).
Result<const FileConfig*> find_config_ref(const std::string& path, ConfigFor what, const ConfigHints& hints);
// The names looked for in each folder, in the order they are tried.
const std::vector<std::string>& config_file_names();

}  // namespace isodrv::cli
