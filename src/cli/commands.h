// Shared state of the isodrv command line and the registration hooks of every command family.
// Each family lives in its own cmd_*.cpp and adds its subcommands to the app.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <stdexcept>
#include <functional>
#include <string>
#include <vector>

#include "isodrv/result.h"

namespace isodrv::cli {

// Exit codes: one row each in exit_codes.def.
enum ExitCode : int {
#define ISODRV_EXIT(name, number, precedence, meaning) name = number,
#include "cli/exit_codes.def"
#undef ISODRV_EXIT
};

struct ExitCodeInfo {
  int number;
  int precedence;
  const char* meaning;
};
// Every exit code, in numeric order.
const std::vector<ExitCodeInfo>& exit_codes();
// The table as text for --help and man pages ("  0  success: ...").
std::string exit_code_help();

// With several inputs the first of 2, 3, 4, 1, 0 that applies wins (the precedence column).
int combine_exit(int a, int b);

// Exit code for a library error.
int exit_for(const Error& e);

// A command-line mistake found after parsing (an empty store root); main prints it, exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Context {
  std::string root;    // --root, resolved lazily by store commands
  std::string format;  // global --format, lower case; "" when not given
  bool verbose = false;  // global -v
  int exit_code = kExitOk;
  mutable bool root_announced = false;  // -v names the store root once, on stderr
  // Whether the global --format asks for JSON (the same as a command's --json).
  bool json() const;
  // Resolves the store root: --root, else $ISODRV_ROOT, else $XDG_DATA_HOME/isodrv/default.
  std::string store_root() const;
  // For commands that only read: an error (exit 3) when there is no store at the root, so that a
  // mistyped --root is reported instead of a new empty store being created there.
  Status existing_store() const;
};

// Prints "isodrv: <error>" to stderr and folds the matching exit code into ctx.
void report_error(Context& ctx, const Error& e);

// --root, --format and -v: accepted before or after the subcommand.
void add_global_options(CLI::App& app, Context& ctx);
// For commands that take their arguments raw (reg): removes --root DIR, --format F, --verbose and
// --max-input-size N (also with '=') from `args` into ctx (the size is applied at once); returns
// false with `err` set when one lacks its value or the size is malformed.
bool take_global_options(Context& ctx, std::vector<std::string>& args, std::string& err);
// Applies --max-input-size V ("64M", "1G" …); false with `err` set when V is not such a size.
bool set_max_input_size_option(const std::string& v, std::string& err);
// "isodrv: did you mean …?" for a mistyped subcommand, option or choice in `args`; "" when there is none.
std::string did_you_mean(const CLI::App& app, const std::vector<std::string>& args);

void register_inf_commands(CLI::App& app, Context& ctx);
// Hidden `isodrv generate man|completion`: pages and completion script from the command tree.
void register_generate_commands(CLI::App& app, Context& ctx);
void register_check_commands(CLI::App& app, Context& ctx);
void register_fix_commands(CLI::App& app, Context& ctx);
void register_driver_commands(CLI::App& app, Context& ctx);
void register_reg_commands(CLI::App& app, Context& ctx);
void register_stamp_commands(CLI::App& app, Context& ctx);
void register_device_commands(CLI::App& app, Context& ctx);
void register_state_commands(CLI::App& app, Context& ctx);
void register_report_commands(CLI::App& app, Context& ctx);
void register_audit_commands(CLI::App& app, Context& ctx);
// Rewrites InfVerif's slash options (/w, /code N, /sw1402 …) after `check` into isodrv's spelling,
// and a program name of infverif or stampinf into `check` or `stamp`. `takes_value` says whether an
// isodrv long option of check consumes the next argument. Errors are usage errors (an unknown /flag,
// two different modes).
Result<std::vector<std::string>> translate_infverif_args(const std::vector<std::string>& args,
                                                         const std::function<bool(const std::string&)>& takes_value);
// The tool name a program path stands for: "infverif" for /usr/bin/InfVerif.exe.
std::string invoked_as(const std::string& argv0);

}  // namespace isodrv::cli
