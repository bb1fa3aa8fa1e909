// Rule family "version": filled in by its own change; see families.h.
#include "rules/families.h"

namespace isodrv::rules {

void run_version_rules(Context& ctx) { (void)ctx; }

}  // namespace isodrv::rules
