// Names for the fix record on a diagnostic (diag.h); the edits themselves are made by src/fix.
#include "isodrv/diag.h"

namespace isodrv::diag {

std::string_view fix_safety_name(FixSafety s) { return s == FixSafety::safe ? "safe" : "unsafe"; }

}  // namespace isodrv::diag
