// Include / Needs across INFs: the inbox INF folder, the included INFs read from it, and the model
// of each needed section (docs/devinst.md "Include / Needs").
#include "devinst/inbox.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "devinst/install_facts.h"

namespace isodrv::devinst {
namespace fs = std::filesystem;
using detail::Loaded;

// Per engine: where each included INF was found (nullopt: not in the folder), each included INF
// parsed once (the probe for a section and every needed section's package share it), and one
// package per needed section and role, built on first use. The inbox folder does not change while
// an engine lives, so neither does anything read from it.
struct InboxCache {
  // lower-case file name -> host path of every file in the folder, listed once on first use
  std::optional<std::map<std::string, std::string>> listing;
  std::map<std::string, std::shared_ptr<inf::Document>> documents;  // lower-case file name -> parsed INF
  std::map<std::string, std::unique_ptr<Loaded>> needed;            // "inf|section|role|service|default"
};

namespace {

std::atomic<std::size_t> g_inbox_parses{0};

// Where an inbox INF's files live on Windows; %1% and %13% of an inbox INF resolve here [ND].
constexpr const char* kInboxWindowsFolder = "C:\\Windows\\INF";
// Install facts of an included section (value "ks.inf [KS.Registration]") and of an inbox file.
constexpr const char* kFactIncluded = "included";
constexpr const char* kFactInboxFile = "inbox_file";

InboxCache& cache(Engine::Impl& e) {
  if (!e.inbox) e.inbox = std::make_shared<InboxCache>();
  return *e.inbox;
}

// The host path of `name` in the inbox folder, matched case-insensitively as Windows would. The
// folder is listed once per engine, not once per name looked up.
std::optional<std::string> find_inbox_inf(Engine::Impl& e, const std::string& name) {
  auto& listing = cache(e).listing;
  if (!listing) {
    listing.emplace();
    std::error_code ec;
    for (auto it = fs::directory_iterator(e.inbox_folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) listing->emplace(inf::to_lower_ascii(it->path().filename().string()), it->path().string());
    }
  }
  auto it = listing->find(inf::to_lower_ascii(name));
  if (it == listing->end()) return std::nullopt;
  return it->second;
}

// The INF names a Needs may draw from: the Include lines of its own section first, then the
// package's others (an Include in DDInstall also serves its .Services), each once.
std::vector<std::string> include_list(const Loaded& pkg, std::span<const package::Operation> ops) {
  std::vector<std::string> out;
  auto add = [&](std::string_view name) {
    for (const auto& o : out) {
      if (inf::iequals(o, name)) return;
    }
    out.emplace_back(name);
  };
  for (const auto& o : ops) {
    if (inf::iequals(o.directive, "Include")) add(o.target);
  }
  for (const auto& i : pkg.pkg.includes) add(i);
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The included INF `name`, parsed on first use with %1% and %13% at the inbox folder; the same
// document answers whether it has a section and backs every needed section's package.
Result<std::shared_ptr<inf::Document>> inbox_document(Engine::Impl& e, const std::string& name, const std::string& path) {
  auto& documents = cache(e).documents;
  const std::string key = inf::to_lower_ascii(name);
  if (auto it = documents.find(key); it != documents.end()) return it->second;
  auto doc = inf::Document::load(path);
  if (!doc) return doc.error();
  ++g_inbox_parses;
  auto shared = std::make_shared<inf::Document>(std::move(*doc));
  inf::DiridContext ctx;
  ctx.src_path = kInboxWindowsFolder;
  ctx.driver_store = kInboxWindowsFolder;
  shared->set_dirids(ctx);
  documents.emplace(key, shared);
  return shared;
}

// A list of the included INF without its own DestinationDirs entry goes where the including INF's
// DefaultDestDir says, not where the included INF's does (install-semantics.md §9).
void override_default_destination(package::Package& pkg, const package::ListDestination& including) {
  for (package::FileCopy& c : pkg.copies) {
    if (c.has_destination && !c.from_default) continue;
    c.has_destination = true;
    c.from_default = true;
    c.destination_line = including.line;
    c.dirid = including.dirid;
    // The texts outlive `including` (a value of the caller's): kept in the package's arena.
    c.dirid_text = pkg.arena.store(including.dirid_text);
    c.dest_subdir = pkg.arena.store(including.subdir);
  }
}

// The inbox INF as a package holding the needed section in `role`. Inbox INFs name their files in
// layout.inf, not in their own SourceDisksFiles: an unlisted file is the one of that name in the
// inbox folder.
Loaded* needed_package(Engine::Impl& e, const Loaded& including, const std::string& name,
                       const std::shared_ptr<inf::Document>& doc, const package::NeededSection& needed) {
  // The including INF's DefaultDestDir replaces the included INF's (install-semantics.md §9), so the
  // model depends on it too.
  const auto including_default = package::list_destination(*including.doc, "");
  const std::string default_key = including_default && including_default->from_default
                                      ? including_default->dirid_text + "," + including_default->subdir
                                      : std::string("-");
  const std::string key = inf::to_lower_ascii(name + "|" + needed.name + "|" +
                                              std::to_string(static_cast<int>(needed.role)) + "|" + needed.service +
                                              "|" + default_key);
  auto& models = cache(e).needed;
  if (auto it = models.find(key); it != models.end()) return it->second.get();
  auto l = std::make_unique<Loaded>();
  l->inbox_inf = name;
  l->sp.published_name = name;
  l->sp.original_name = fs::path(doc->path()).filename().string();
  l->sp.folder = "inbox";
  l->sp.arch = including.sp.arch;
  l->host_folder = e.inbox_folder;
  l->windows_folder = kInboxWindowsFolder;
  l->doc = doc;
  l->pkg = package::build_needed_package(*l->doc, including.pkg.target, needed);
  if (including_default && including_default->from_default) override_default_destination(l->pkg, *including_default);
  for (package::FileCopy& c : l->pkg.copies) {
    if (c.source || c.source_name.empty()) continue;
    package::PayloadFile f;
    f.name = c.source_name;
    f.relative_path = c.source_name;
    c.source = f;
  }
  auto [it, inserted] = models.emplace(key, std::move(l));
  return it->second.get();
}

}  // namespace

Status Engine::set_inbox_folder(const std::string& dir) {
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec)) {
    return Error(Errc::file_not_found, "the inbox INF folder " + dir + " is not a folder");
  }
  impl_->inbox_folder = dir;
  impl_->inbox.reset();
  return {};
}

Result<NeededSection> resolve_needed(Engine::Impl& e, const Loaded& pkg, std::span<const package::Operation> ops,
                                     const package::Operation& needs) {
  const std::string section(needs.target);
  const std::string& file = pkg.doc->path();
  const std::uint32_t line = needs.line.line();
  const std::vector<std::string> includes = include_list(pkg, ops);
  const std::string what = "Needs=" + section;
  if (includes.empty()) {
    return Error(Errc::not_found, what + ": the INF has no section [" + section + "] and no Include names an INF that could", file, line);
  }
  if (e.inbox_folder.empty()) {
    return Error(Errc::not_found, what + " names a section of an included INF (Include=" + joined(includes) +
                 "); no inbox INF folder was given (--inbox DIR)", file, line);
  }
  std::vector<std::string> missing;
  const package::InstallSection& holder = pkg.pkg.sections[needs.section];
  for (const std::string& name : includes) {
    auto path = find_inbox_inf(e, name);
    if (!path) {
      missing.push_back(name);
      continue;
    }
    auto doc = inbox_document(e, name, *path);
    if (!doc) return Error(doc.error().code, what + ": included INF " + name + ": " + doc.error().to_string(), file, line);
    if (!(*doc)->has_section(section)) continue;
    const Loaded* loaded = needed_package(e, pkg, name, *doc, package::NeededSection{section, holder.role, std::string(holder.service)});
    auto idx = package::find_install_section(loaded->pkg, section, holder.role);
    if (!idx) return Error(Errc::not_found, what + ": section [" + section + "] of " + name + " cannot be read", file, line);
    return NeededSection{loaded, *idx, name};
  }
  if (!missing.empty()) {
    return Error(Errc::file_not_found, what + ": included INF " + joined(missing) + " is not in the inbox INF folder " +
                 e.inbox_folder, file, line);
  }
  return Error(Errc::not_found, what + ": section [" + section + "] is in none of the included INFs (" + joined(includes) +
               ") in " + e.inbox_folder, file, line);
}

Status record_included(const DirectiveSite& site, const NeededSection& needed, std::span<const std::string> copied) {
  const std::string source = recorded_source(site);
  const std::string value = needed.inf + " [" + std::string(needed.pkg->pkg.sections[needed.section].name) + "]";
  if (auto s = record_install_fact(site.engine, site.install_id, kFactIncluded, value, source); !s) return s;
  for (const std::string& f : copied) {
    if (auto s = record_install_fact(site.engine, site.install_id, kFactInboxFile, f, needed.inf); !s) return s;
  }
  return {};
}

std::size_t inbox_inf_parses() { return g_inbox_parses.load(); }

void read_included(Engine::Impl& e, std::int64_t install_id, DeviceInfo& info) {
  auto& s = e.q("SELECT kind, value FROM devinst_install_facts WHERE install_id = ? AND kind IN (?, ?) ORDER BY rowid");
  s.bind(1, install_id).bind(2, kFactIncluded).bind(3, kFactInboxFile);
  while (s.row()) {
    auto& list = s.text(0) == kFactIncluded ? info.included : info.inbox_files;
    std::string v = s.text(1);
    if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(std::move(v));
  }
}

std::string inbox_in_place_note(const Loaded& inbox, const package::FileCopy& copy) {
  return inbox.doc->path() + ":" + std::to_string(copy.line.line()) + ": inbox file " + std::string(copy.source_name) +
         " runs from " + inbox.inbox_inf + "'s own driver store folder (DIRID 13), which isodrv does not model; not copied";
}

}  // namespace isodrv::devinst
