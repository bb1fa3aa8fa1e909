// The fixers: one function per rule code that has a fix (fix_table.def), each given the finding and
// the file's model, filling the finding's Fix with edits of the original bytes or the reason there
// is none.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "fix/source.h"
#include "isodrv/diag.h"
#include "isodrv/inf.h"
#include "isodrv/package.h"

namespace isodrv::fix::detail {

struct ListFolder {
  bool used = false;       // some architecture copies the list from a DDInstall
  std::string folder;      // the folder for the first such architecture
  bool per_arch = false;   // another architecture has it in another folder: a split is needed
  bool mixed = false;      // for one architecture, its files sit in several folders
};

struct FixContext {
  const inf::Document& doc;     // parsed from the checked bytes (stamp tokens accepted in an .inx)
  const package::Package& pkg;
  const Source& src;            // the original bytes, which the edits address
  bool inx = false;             // the file is an .inx (stampinf input)
  // Sections a fix of this round creates: a second fix that needs the same section waits for the
  // next round, when the section exists and it can add to it.
  std::set<std::string>& creating;
  // What each architecture installs exactly (SetupAPI's pick), built when a fix first needs it.
  std::map<inf::Arch, package::Package> arch_models{};
  std::map<std::string, ListFolder> list_folders{};  // by lower-case list name
  const package::Package& model_for(inf::Arch a);
};

using Fixer = void (*)(FixContext&, diag::Diagnostic&);
// The fixer of a code; nullptr when the code has none.
Fixer fixer_for(int code);

// Shared pieces.
// Appends `edits` to the fix.
inline void add_edits(diag::Fix& fix, const std::vector<diag::Edit>& edits) {
  fix.edits.insert(fix.edits.end(), edits.begin(), edits.end());
}
// Sets `d.fix` to "no automatic fix" with `reason`.
void no_fix(diag::Diagnostic& d, std::string reason);
// The service this package installs under `name` (case-insensitive); nullptr when none.
const package::ServiceInstall* find_service(const package::Package& pkg, std::string_view name);

// A directive line that names a section: the section holding the line, and the line.
struct SectionRef {
  inf::Section from;
  inf::Line line;
};
// Every `directive` line (AddReg, CopyFiles …) of the document that names section `name`.
std::vector<SectionRef> references_to(const inf::Document& doc, std::string_view directive, std::string_view name);
// Whether a section is a DDInstall.CoInstallers section.
bool is_coinstallers_section(std::string_view name);
// The last physical line of a section's content, or its header when it has none.
std::uint32_t last_line_of(const inf::Section& s);

// File fixes (fixers_files.cpp).
inline constexpr long kDriverStore = 13;
inline constexpr const char* kFileApi =
    "IoQueryFullDriverPath (the driver's own image) / IoGetDriverDirectory(DriverDirectoryImage) (files beside it)";
// What the code must call for a moved file: kFileApi for a driver image; for a DLL or program that
// other software found by name in a system folder, how user-mode code finds the store folder.
const char* file_api(std::string_view name);
// The package folder a payload file sits in, '\\'-separated ("" for the package root).
std::string package_folder(const package::PayloadFile& p);
// a\b, or the one that is not empty.
std::string join(std::string_view a, std::string_view b);
// A Windows path as text for comparison (\SystemRoot\, %SystemRoot%\ and System32\… as C:\Windows\…).
std::string normalized_path(std::string s);
// A build-time placeholder written where a DIRID goes (INX_PLATFORM_DRIVERS_DIR).
bool is_placeholder(std::string_view t);
// One file the fix moves: where it was and where it goes.
struct Moved {
  const package::FileCopy* copy;
  std::string old_path;   // C:\Windows\System32\drivers\x.sys
  std::string new_raw;    // %13%\sub\x.sys
};
// The raw text of a path field that names `m`, rewritten to its new place; nullopt when the field
// does not name it, "" when it does in a way that cannot be rewritten.
std::optional<std::string> rewritten(const FixContext& c, std::string_view raw, const Moved& m);
// The package folder the files of copy list `list` sit in for each architecture that copies it from
// a DDInstall (each architecture's exact model; an architecture the package carries none of them
// for cannot stage it and does not count).
ListFolder list_folder(FixContext& c, std::string_view list);
// Per-architecture split (fixers_arch.cpp): the list of `anchor` gets a copy per architecture, each
// with its DestinationDirs entry in that architecture's package folder, and the DDInstall and
// service-install sections that must name it per architecture are split with it.
void split_per_arch(FixContext& c, diag::Diagnostic& d, const package::FileCopy& anchor, const package::FileCopy* self);
void fix_destination(FixContext& c, diag::Diagnostic& d);      // 1322, 1341
void fix_store_layout(FixContext& c, diag::Diagnostic& d);     // 1100
void fix_service_binary(FixContext& c, diag::Diagnostic& d);   // 2084, 2085
// Registry fixes (fixers_registry.cpp).
void fix_service_hkr(FixContext& c, diag::Diagnostic& d);      // 1323
void fix_hklm_service(FixContext& c, diag::Diagnostic& d);     // 1320, 1321
// ETW registration written as WINEVT AddReg entries (fixers_events.cpp), reached from 1320/1321.
bool is_etw_registration(const package::RegOp& op);
void fix_etw_registration(FixContext& c, diag::Diagnostic& d, const package::RegOp& op);
// Section and directive fixes (fixers_sections.cpp).
void fix_pnplockdown(FixContext& c, diag::Diagnostic& d);      // 1324
void fix_default_install(FixContext& c, diag::Diagnostic& d);  // 1421
void fix_remove_line(FixContext& c, diag::Diagnostic& d);      // 1301, 1303, 1450

}  // namespace isodrv::fix::detail
