// `isodrv device add|list|show|install|remove`: simulated devices and driver installs, pnputil-style.
#include "cli/commands.h"

namespace isodrv::cli {

void register_device_commands(CLI::App& app, Context& ctx) {}

}  // namespace isodrv::cli
