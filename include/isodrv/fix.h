// `isodrv fix`: rewrites an INF toward isolation by editing its original bytes (encoding, line
// endings, comments and untouched lines kept), and says what the driver's code must change with it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "isodrv/check.h"
#include "isodrv/diag.h"

namespace isodrv::fix {

struct Options {
  check::Options check;        // mode, target, code page: as for `check`
  check::Selection selection;  // --select: which findings are fixed
  bool unsafe = false;         // --unsafe-fixes: apply unsafe fixes too
};

// The outcome for one file. `fixed` equals `original` byte for byte when nothing was applied.
struct FileFix {
  std::string path;
  std::string original, fixed;
  bool unreadable = false;      // the file could not be read (exit 3); `error` says why
  std::string error;
  // Every finding whose fix was applied, with its Fix (edits relative to the bytes of the round
  // that applied it, migrations relative to the original line numbers of that round).
  std::vector<diag::Diagnostic> applied;
  // Findings left after fixing (a full check of `fixed`, selection applied); those of a rule with a
  // fix carry a Fix: without edits and with the reason, or with edits that were not applied
  // (an unsafe fix without --unsafe-fixes).
  diag::FileResult after;
  // For each finding of `after`, its line in the original file (0 for a line a fix added).
  std::vector<std::uint32_t> after_original_lines;
  bool changed() const { return fixed != original; }
};

// Fixes one file given its bytes: check, fix what can be fixed without conflicting edits, check
// again, until nothing more applies.
FileFix fix_bytes(std::string_view bytes, const std::string& path, const Options& opts);
// The same, reading the file (an .inx is read with stamp tokens accepted, as check does).
FileFix fix_file(const std::string& path, const Options& opts);

// Fills Diagnostic::fix for each finding of a rule that declares a fix, from the bytes checked.
// `bytes` are the file as written (for an .inx, before stamp tokens were accepted).
void attach_fixes(std::string_view bytes, const std::string& path, const check::Options& opts,
                  std::vector<diag::Diagnostic>& diagnostics);

// Applies edits (sorted, not overlapping) to `bytes`.
std::string apply_edits(std::string_view bytes, const std::vector<diag::Edit>& edits);

// A unified diff (3 lines of context) of the decoded text of two versions of a file; "" when equal.
std::string unified_diff(std::string_view before, std::string_view after, const std::string& path,
                         unsigned codepage = 1252);

}  // namespace isodrv::fix
