// Rule family "includes": filled in by its own change; see families.h.
#include "rules/families.h"

namespace isodrv::rules {

void run_include_rules(Context& ctx) { (void)ctx; }

}  // namespace isodrv::rules
