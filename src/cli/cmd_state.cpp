// `isodrv state …`: resolves the state locations an isolated driver reaches through the API.
#include "cli/commands.h"

namespace isodrv::cli {

void register_state_commands(CLI::App& app, Context& ctx) {}

}  // namespace isodrv::cli
