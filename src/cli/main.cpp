// isodrv command-line entry point: builds the command tree, runs it, maps failures to exit codes.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/output.h"
#include "isodrv/input.h"
#include "isodrv/inf.h"
#include "isodrv/store.h"

namespace isodrv::cli {

const std::vector<ExitCodeInfo>& exit_codes() {
  static const std::vector<ExitCodeInfo> table = {
#define ISODRV_EXIT(name, number, precedence, meaning) {number, precedence, meaning},
#include "cli/exit_codes.def"
#undef ISODRV_EXIT
  };
  return table;
}

std::string exit_code_help() {
  std::string out = "Exit codes:\n";
  for (const auto& e : exit_codes()) out += "  " + std::to_string(e.number) + "  " + e.meaning + "\n";
  out += "  With several inputs the first of 2, 3, 4, 1, 0 that applies wins.\n";
  return out;
}

int combine_exit(int a, int b) {
  int best = kExitOk, best_precedence = 1 << 30;
  for (const auto& e : exit_codes()) {
    if ((e.number == a || e.number == b) && e.precedence < best_precedence) {
      best = e.number;
      best_precedence = e.precedence;
    }
  }
  return best;
}

int exit_for(const Error& e) {
  switch (e.code) {
#define ISODRV_ERRC(id, name, exit, status) \
  case Errc::id: return kExit##exit;
#include "isodrv/errc.def"
#undef ISODRV_ERRC
  }
  return kExitUsage;
}

void report_error(Context& ctx, const Error& e) {
  std::cerr << "isodrv: " << e.to_string() << "\n";
  ctx.exit_code = combine_exit(ctx.exit_code, exit_for(e));
}

void add_global_options(CLI::App& app, Context& ctx) {
  app.add_option("--root", ctx.root, "Store root (default $ISODRV_ROOT, else $XDG_DATA_HOME/isodrv/default, else ~/.local/share/isodrv/default)")
      ->check([](const std::string& v) {
        return v.empty() ? std::string("--root must not be empty (an unset variable?)") : std::string();
      });
  app.add_option("--format", ctx.format, "Output format where a command has several (check: text, infverif, json, sarif, github; "
                                        "driver list, device list/show, inf dump: text, json)")
      ->transform(CLI::IsMember({"text", "infverif", "json", "jsonl", "sarif", "github"}, CLI::ignore_case));
  app.add_flag("-v,--verbose", ctx.verbose, "More detail: check prints a verdict for every file; store commands name the root they use (stderr), driver add lists the staged files, device install prints its registry/file diff");
}

bool Context::json() const { return format == "json"; }

namespace {

// "1048576", "64K", "256M", "1G" (binary units); nullopt when malformed or above the largest cap.
std::optional<std::uint64_t> parse_size(const std::string& v) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9' && n <= kLargestMaxInputSize) n = n * 10 + static_cast<std::uint64_t>(v[i++] - '0');
  if (i == 0 || n > kLargestMaxInputSize) return std::nullopt;
  std::string unit = v.substr(i);
  int shift = 0;
  if (unit == "K" || unit == "k" || unit == "KiB") shift = 10;
  else if (unit == "M" || unit == "m" || unit == "MiB") shift = 20;
  else if (unit == "G" || unit == "g" || unit == "GiB") shift = 30;
  else if (!unit.empty()) return std::nullopt;
  if (n > (kLargestMaxInputSize >> shift)) return std::nullopt;
  return n << shift;
}

}  // namespace

bool set_max_input_size_option(const std::string& v, std::string& err) {
  auto n = parse_size(v);
  if (!n) {
    err = "--max-input-size: '" + v + "' is not a size such as 512M or 1G";
    return false;
  }
  set_max_input_size(*n);
  return true;
}

bool take_global_options(Context& ctx, std::vector<std::string>& args, std::string& err) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string* target = nullptr;
    std::string name = a.substr(0, a.find('='));
    std::string size;  // --max-input-size, applied at once
    if (name == "--root") target = &ctx.root;
    else if (name == "--format") target = &ctx.format;
    else if (name == "--max-input-size") target = &size;
    if (a == "--verbose") {
      ctx.verbose = true;
    } else if (target && a.find('=') != std::string::npos) {
      *target = a.substr(a.find('=') + 1);
    } else if (target) {
      if (i + 1 >= args.size()) {
        err = a + " needs a value";
        return false;
      }
      *target = args[++i];
    } else {
      rest.push_back(a);
    }
    if (target == &size && !set_max_input_size_option(size, err)) return false;
  }
  ctx.format = isodrv::inf::to_lower_ascii(ctx.format);
  args = std::move(rest);
  return true;
}

Status Context::existing_store() const {
  const std::string r = store_root();
  std::error_code ec;
  if (!r.empty() && std::filesystem::exists(store::database_path(r), ec)) return {};
  return Error(Errc::file_not_found,
               "no driver store at " + r + " (nothing was created: isodrv makes one on the first driver add, device add or reg import)");
}

namespace {

struct RootChoice {
  std::string root;
  const char* from;
};

RootChoice choose_root(const std::string& given) {
  if (!given.empty()) return {given, "--root"};
  if (const char* env = std::getenv("ISODRV_ROOT")) {
    // An empty variable is almost always an unset one in a script; falling back to the home
    // directory would stage packages where nobody looks.
    if (!*env) throw UsageError("ISODRV_ROOT is set but empty; give a store root or unset it");
    return {env, "$ISODRV_ROOT"};
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return {std::string(xdg) + "/isodrv/default", "$XDG_DATA_HOME"};
  }
  const char* home = std::getenv("HOME");
  return {std::string(home ? home : ".") + "/.local/share/isodrv/default", "the default under $HOME"};
}

}  // namespace

std::string Context::store_root() const {
  RootChoice c = choose_root(root);
  if (verbose && !root_announced) {
    root_announced = true;
    std::cerr << "isodrv: store root " << c.root << " (from " << c.from << ")\n";
  }
  return std::move(c.root);
}

}  // namespace isodrv::cli

namespace {

int run_main(int argc, char** argv) {
  using namespace isodrv::cli;
  CLI::App app{"isodrv: Windows driver package isolation on any platform", "isodrv"};
  app.set_version_flag("--version", std::string("isodrv ") + ISODRV_VERSION);
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too (`isodrv driver list --root DIR`): an
  // option a subcommand does not know falls through to its parent.
  app.fallthrough();
  app.footer(exit_code_help());
  Context ctx;
  add_global_options(app, ctx);

  app.add_option_function<std::string>("--max-input-size", [](const std::string& v) {
        std::string err;
        if (!set_max_input_size_option(v, err)) throw CLI::ValidationError(err);
      },
      "Largest input file read (INF, .reg, machine file, list), e.g. 64M or 1G (default 256M, at most 2G)");

  register_inf_commands(app, ctx);
  register_reg_commands(app, ctx);
  register_check_commands(app, ctx);
  register_fix_commands(app, ctx);
  register_driver_commands(app, ctx);
  register_stamp_commands(app, ctx);
  register_device_commands(app, ctx);
  register_state_commands(app, ctx);
  register_report_commands(app, ctx);
  register_audit_commands(app, ctx);
  register_generate_commands(app, ctx);

  std::vector<std::string> raw(argv, argv + argc);
  CLI::App* check = app.get_subcommand("check");
  auto translated = translate_infverif_args(raw, [check](const std::string& name) {
    const CLI::Option* o = check->get_option_no_throw(name);
    return o && o->get_items_expected_min() > 0;
  });
  if (!translated.ok()) {
    std::cerr << "isodrv: " << translated.error().message << "\n";
    return kExitUsage;
  }
  std::vector<std::string> args = std::move(translated.value());
  std::vector<char*> cargs;
  for (auto& s : args) cargs.push_back(s.data());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    if (std::string hint = did_you_mean(app, args); !hint.empty()) std::cerr << hint << "\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "isodrv: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "isodrv: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Every command's output goes through one buffer that keeps the first write error, so a full disk
  // or a closed stdout ends with exit 2 and the system's words, whatever the command was.
  isodrv::cli::StdoutGuard out;
  const int rc = run_main(argc, argv);
  const int out_rc = out.finish();
  return out_rc != 0 ? out_rc : rc;
}
