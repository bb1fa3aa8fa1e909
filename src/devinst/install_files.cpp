// The installer's file directives (install-semantics.md §4): CopyFiles, DelFiles and RenFiles.
// Every change is recorded for undo and made through the write funnel, which journals the prior
// state so that a transaction that does not commit puts the file back.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include "devinst/delfiles.h"
#include "devinst/inbox.h"
#include "devinst/installer.h"

namespace isodrv::devinst::detail {

std::optional<std::string> inf_path_to_host(const std::string& root, const std::string& windows) {
  auto host = store::windows_to_host(root, windows, store::PathSpelling::inf_destination);
  if (!host) return std::nullopt;
  return *host;
}
namespace {

namespace fs = std::filesystem;

}  // namespace

Status Installer::copy_files(const Loaded& pkg, const package::Operation& op) {
  if (!op.target_exists) {
    return Error(Errc::not_found, "CopyFiles names section [" + std::string(op.target) + "], which does not exist",
                 pkg.doc->path(), op.line.line());
  }
  for (const package::FileCopy& copy : items(pkg.pkg.copies, op)) {
    const package::FileCopy* c = &copy;
    const std::string where_file = pkg.doc->path();
    if (!pkg.inbox_inf.empty() && c->dirid == inf::kDiridDriverStore) {
      notes.push_back(inbox_in_place_note(pkg, *c));
      continue;
    }
    if (!c->source) {
      return Error(Errc::not_found, "file '" + std::string(c->source_name) + "' is not listed in SourceDisksFiles", where_file,
                   c->line.line());
    }
    auto located = package::locate_package_file(pkg.host_folder, c->source->relative_path);
    if (!located) {
      return Error(Errc::file_not_found, "file '" + c->source->relative_path + "' is missing from the driver store folder",
                   where_file, c->line.line());
    }
    if (c->dirid == inf::kDiridDriverStore) {
      // Run from the driver store: the file is already in place; only its presence is checked.
      std::string win = pkg.windows_folder + "\\" + c->source->relative_path;
      std::replace(win.begin(), win.end(), '/', '\\');
      used_files.push_back(win);
      continue;
    }
    auto dir = inf::dirid_path(c->dirid, pkg.doc->dirids());
    if (!dir) {
      return Error(Errc::unsupported, "CopyFiles destination DIRID '" + std::string(c->dirid_text) + "' cannot be resolved",
                   where_file, c->destination_line.line());
    }
    std::string win = *dir + (c->dest_subdir.empty() ? "" : "\\" + std::string(c->dest_subdir)) + "\\" + std::string(c->dest_name);
    auto host = host_path(win);
    if (!host) {
      return Error(Errc::path_escape, "CopyFiles destination " + win + " is outside the emulated Windows tree",
                   where_file, c->line.line());
    }
    used_files.push_back(win);
    side_effects.push_back("copied " + c->source->relative_path + " to " + win + " (outside the driver store)");
    if (dry_run()) {
      diffs.push_back({Diff::copy_file, pkg.windows_folder + "\\" + c->source->relative_path, win, {}});
      continue;
    }
    auto st = in_scope("files:" + lower(pkg.sp.folder) + "|" + lower(win), [&]() -> Status { return copy_one(located->host_path, *host); });
    if (!st) return st;
  }
  return {};
}

Status Installer::copy_one(const std::string& from, const std::string& to) {
  std::error_code ec;
  const bool existed = fs::exists(to, ec);
  std::vector<std::uint8_t> prior;
  if (existed) {
    std::ifstream in(to, std::ios::binary);
    prior.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto made = txn_.create_directories(fs::path(to).parent_path().string());
  if (!made) return made.error();
  // Undone innermost first, as the records replay newest first.
  for (auto it = made->rbegin(); it != made->rend(); ++it) {
    if (auto s = record(detail::kUndoDirCreated, *it, "", 0, 0, {}); !s) return s;
  }
  if (existed) {
    if (auto s = record(detail::kUndoFileReplaced, to, "", 0, 0, prior); !s) return s;
  } else {
    if (auto s = record(detail::kUndoFileCreated, to, "", 0, 0, {}); !s) return s;
  }
  return txn_.copy_file(from, to);
}

Status Installer::on_copy_files(const Loaded& pkg, const package::Operation& op, const Binding&) {
  if (auto s = copy_files(pkg, op); !s) return at_line(s.error(), pkg, op.line.line());
  return {};
}

std::optional<std::string> Installer::change_folder(const Loaded& pkg, const package::FileChange& c, const char* directive) {
  const std::string at = where(pkg, c.line);
  if (!c.destination) {
    notes.push_back(at + directive + " list [" + std::string(c.list_section) + "] has no DestinationDirs entry; not applied");
    return std::nullopt;
  }
  if (c.destination->dirid == 13) {
    notes.push_back(at + directive + " does not act on the driver store (DIRID 13); not applied");
    return std::nullopt;
  }
  auto dir = inf::dirid_path(c.destination->dirid, pkg.doc->dirids());
  if (!dir) {
    notes.push_back(at + directive + " destination DIRID '" + c.destination->dirid_text + "' cannot be resolved; not applied");
    return std::nullopt;
  }
  return *dir + (c.destination->subdir.empty() ? "" : "\\" + c.destination->subdir);
}

Status Installer::on_del_files(const Loaded& pkg, const package::Operation& op, const Binding&) {
  std::vector<const package::FileChange*> changes;
  std::optional<package::FileChange> single;
  if (op.target.starts_with('@')) {
    single = single_file_delete(*pkg.doc, op.line, op.target);
    if (single) changes.push_back(&*single);
  }
  for (const package::FileChange& change : items(pkg.pkg.file_changes, op)) changes.push_back(&change);
  for (const package::FileChange* c : changes) {
    auto folder = change_folder(pkg, *c, "DelFiles");
    if (!folder || c->name.empty()) continue;
    const std::string win = *folder + "\\" + std::string(c->name);
    auto host = host_path(win);
    if (!host) return Error(Errc::path_escape, "DelFiles target " + win + " is outside the emulated Windows tree", pkg.doc->path(), c->line.line());
    std::error_code ec;
    if (!fs::is_regular_file(*host, ec)) continue;  // deleting a missing file does nothing
    side_effects.push_back("deleted " + win + " (DelFiles)");
    if (dry_run()) continue;
    auto st = in_scope("delfile:" + lower(win), [&]() -> Status { return remove_one(*host); });
    if (!st) return at_line(st.error(), pkg, c->line.line());
  }
  return {};
}

Status Installer::on_ren_files(const Loaded& pkg, const package::Operation& op, const Binding&) {
  for (const package::FileChange& change : items(pkg.pkg.file_changes, op)) {
    const package::FileChange* c = &change;
    auto folder = change_folder(pkg, *c, "RenFiles");
    if (!folder || c->name.empty() || c->old_name.empty()) continue;
    const std::string from_win = *folder + "\\" + std::string(c->old_name), to_win = *folder + "\\" + std::string(c->name);
    auto from = host_path(from_win);
    auto to = host_path(to_win);
    if (!from || !to) return Error(Errc::path_escape, "RenFiles target is outside the emulated Windows tree", pkg.doc->path(), c->line.line());
    std::error_code ec;
    if (!fs::is_regular_file(*from, ec) || inf::iequals(*from, *to)) continue;
    side_effects.push_back("renamed " + from_win + " to " + std::string(c->name) + " (RenFiles)");
    if (dry_run()) continue;
    auto st = in_scope("renfile:" + lower(from_win), [&]() -> Status { return rename_one(*from, *to); });
    if (!st) return at_line(st.error(), pkg, c->line.line());
  }
  return {};
}

Installer::PriorFile Installer::prior_state(const std::string& host) {
  std::error_code ec;
  PriorFile a;
  a.existed = fs::exists(host, ec);
  if (a.existed) {
    std::ifstream in(host, std::ios::binary);
    a.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return a;
}

Status Installer::remove_one(const std::string& host) {
  PriorFile a = prior_state(host);
  if (auto s = record(detail::kUndoFileReplaced, host, "", 0, 0, a.bytes); !s) return s;
  return txn_.remove_file(host);
}

Status Installer::rename_one(const std::string& from, const std::string& to) {
  PriorFile dst = prior_state(to);
  PriorFile src = prior_state(from);
  if (dst.existed) {
    if (auto s = record(detail::kUndoFileReplaced, to, "", 0, 0, dst.bytes); !s) return s;
  } else if (auto s = record(detail::kUndoFileCreated, to, "", 0, 0, {}); !s) {
    return s;
  }
  if (auto s = record(detail::kUndoFileReplaced, from, "", 0, 0, src.bytes); !s) return s;
  if (auto s = txn_.copy_file(from, to); !s) return s;
  return txn_.remove_file(from);
}

}  // namespace isodrv::devinst::detail
