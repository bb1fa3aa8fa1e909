// Shared state of the isodrv command line and the registration hooks of every command family.
// Each family lives in its own cmd_*.cpp and adds its subcommands to the app.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "isodrv/result.h"

namespace isodrv::cli {

// Exit codes, DESIGN.md §3.
enum ExitCode : int {
  kExitOk = 0,        // success, every INF valid
  kExitFindings = 1,  // error-level findings, or a file that is not a valid INF
  kExitUsage = 2,     // usage, configuration or internal error
  kExitUnreadable = 3 // an input could not be read
};

// With several inputs the first of 2, 3, 1, 0 that applies wins.
int combine_exit(int a, int b);

// Exit code for a library error.
int exit_for(const Error& e);

// A command-line mistake found after parsing (an empty store root); main prints it, exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Context {
  std::string root;  // --root, resolved lazily by store commands
  int exit_code = kExitOk;
  // Resolves the store root: --root, else $ISODRV_ROOT, else $XDG_DATA_HOME/isodrv/default.
  std::string store_root() const;
};

// Prints "isodrv: <error>" to stderr and folds the matching exit code into ctx.
void report_error(Context& ctx, const Error& e);

void register_inf_commands(CLI::App& app, Context& ctx);
void register_check_commands(CLI::App& app, Context& ctx);
void register_driver_commands(CLI::App& app, Context& ctx);
void register_reg_commands(CLI::App& app, Context& ctx);
void register_stamp_commands(CLI::App& app, Context& ctx);
void register_device_commands(CLI::App& app, Context& ctx);
void register_state_commands(CLI::App& app, Context& ctx);
void register_report_commands(CLI::App& app, Context& ctx);
void register_audit_commands(CLI::App& app, Context& ctx);
// Rewrites InfVerif's slash options (/w, /code N …) after `check` into isodrv's spelling.
std::vector<std::string> translate_infverif_args(const std::vector<std::string>& args);

}  // namespace isodrv::cli
