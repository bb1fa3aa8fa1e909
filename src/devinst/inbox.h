// Include / Needs across INFs (install-semantics.md §9, docs/devinst.md "Include / Needs"): a Needs
// naming a section that is not in the INF itself is found in the INFs its Include lines name, read
// from the inbox INF folder the user gave (`--inbox DIR`, Engine::set_inbox_folder). The needed
// section then runs through the installer like one of the INF's own, in the needing section's role.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "devinst/components.h"
#include "devinst/engine_impl.h"
#include "isodrv/package_needed.h"

namespace isodrv::devinst {

// The parsed inbox INFs of one engine, and a model per needed section (inbox.cpp).
struct InboxCache;

// An included INF's section, ready to apply: `pkg` is the inbox INF as a package whose model holds
// the section (index `section`) and what it reaches. Files it copies come from the inbox folder.
struct NeededSection {
  const detail::Loaded* pkg = nullptr;
  std::size_t section = 0;
  std::string inf;  // the inbox INF's file name as the Include line spells it
};

// Finds the section `needs` (a Needs operation of `pkg` whose section the INF lacks) in the INFs
// named by the Include lines of the same section (`ops`), then by the package's other Include
// lines, in that order. Errors name the INF(s) and the section: no inbox folder given (not_found),
// an included INF missing from the folder (file_not_found), the section in none of them (not_found).
Result<NeededSection> resolve_needed(Engine::Impl& e, const detail::Loaded& pkg, std::span<const package::Operation> ops,
                                     const package::Operation& needs);

// After a needed section of an inbox INF ran: records it with the install, and the files it copied
// (`copied`, Windows paths) as inbox files (install facts; device show lists them).
Status record_included(const DirectiveSite& site, const NeededSection& needed, std::span<const std::string> copied);

// How many inbox INFs this process has parsed: each at most once per engine (tests).
std::size_t inbox_inf_parses();

// `device show`: the included sections and inbox files of an install.
void read_included(Engine::Impl& e, std::int64_t install_id, DeviceInfo& info);

// A CopyFiles entry of an inbox INF whose destination is DIRID 13 names a file in that INF's own
// driver store folder, which isodrv does not model: the note that says it is not copied.
std::string inbox_in_place_note(const detail::Loaded& inbox, const package::FileCopy& copy);

}  // namespace isodrv::devinst
