// isodrv command-line entry point: builds the command tree, runs it, maps failures to exit codes.
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"

namespace isodrv::cli {

int combine_exit(int a, int b) {
  for (int code : {kExitUsage, kExitUnreadable, kExitFindings}) {
    if (a == code || b == code) return code;
  }
  return kExitOk;
}

int exit_for(const Error& e) {
  switch (e.code) {
    case Errc::file_not_found:
    case Errc::access_denied:
    case Errc::read_fault:
    case Errc::io_error:
      return kExitUnreadable;
    case Errc::expected_section_name:
    case Errc::bad_section_name_line:
    case Errc::section_name_too_long:
    case Errc::general_syntax:
    case Errc::wrong_inf_style:
      return kExitFindings;
    default:
      return kExitUsage;
  }
}

void report_error(Context& ctx, const Error& e) {
  std::cerr << "isodrv: " << e.to_string() << "\n";
  ctx.exit_code = combine_exit(ctx.exit_code, exit_for(e));
}

std::string Context::store_root() const {
  if (!root.empty()) return root;
  if (const char* env = std::getenv("ISODRV_ROOT"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/isodrv/default";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/share/isodrv/default";
}

}  // namespace isodrv::cli

int main(int argc, char** argv) {
  using namespace isodrv::cli;
  CLI::App app{"isodrv: Windows driver package isolation on any platform", "isodrv"};
  app.set_version_flag("--version", std::string("isodrv ") + ISODRV_VERSION);
  app.require_subcommand(1);
  Context ctx;
  app.add_option("--root", ctx.root, "Store root (default $ISODRV_ROOT or ~/.local/share/isodrv/default)");

  register_inf_commands(app, ctx);
  register_reg_commands(app, ctx);
  register_check_commands(app, ctx);
  register_driver_commands(app, ctx);
  register_stamp_commands(app, ctx);
  register_device_commands(app, ctx);
  register_state_commands(app, ctx);

  std::vector<std::string> raw(argv, argv + argc);
  std::vector<std::string> args = translate_infverif_args(raw);
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
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "isodrv: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  return ctx.exit_code;
}
