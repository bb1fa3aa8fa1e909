// DelFiles=@file (install-semantics.md §4): the single-file form of DelFiles, as the file changes
// the installer's DelFiles handler applies like the entries of a list.
#pragma once

#include <optional>
#include <string_view>

#include "isodrv/inf.h"
#include "isodrv/package.h"

namespace isodrv::devinst {

// The file change of one `@name` target of a DelFiles directive: the file `name` in the folder
// DefaultDestDir names — the destination CopyFiles=@name copies to, since a single file has no list
// section of its own in DestinationDirs. No DefaultDestDir: the change has no destination (the
// handler notes it and skips it, as for a list without one). nullopt for a target without '@'.
// The change's name is a view of `target`, which must outlive it (Operation::target does).
std::optional<package::FileChange> single_file_delete(const inf::Document& doc, const inf::Line& directive,
                                                      std::string_view target);

}  // namespace isodrv::devinst
