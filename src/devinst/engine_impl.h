// Internals of the device-installation engine shared by its source files: the bookkeeping tables
// in registry.db, the staged-package cache, and the install context that records undo steps.
#pragma once

#include <sqlite3.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "isodrv/devinst.h"
#include "isodrv/inf.h"
#include "isodrv/package.h"
#include "isodrv/ranking.h"
#include "isodrv/registry.h"
#include "isodrv/store.h"
#include "isodrv/store_paths.h"
#include "registry/statement.h"
#include "store/funnel.h"

namespace isodrv::devinst::detail {

// A prepared statement on the registry's connection (the one wrapper, registry/statement.h).
using Stmt = dbutil::Statement;

// A staged package, parsed once per engine with %13% pointing at its FileRepository folder.
struct Loaded {
  store::StagedPackage sp;
  // Shared: an inbox INF's document serves its probe and every needed section of it, parsed once
  // per engine (inbox.cpp); `pkg` points into it.
  std::shared_ptr<inf::Document> doc;
  package::Package pkg;
  std::string host_folder;     // <root>/Windows/System32/DriverStore/FileRepository/<folder>
  std::string windows_folder;  // C:\Windows\System32\DriverStore\FileRepository\<folder>
  std::string extension_id;    // [Version] ExtensionId, lower case; "" for a base driver
  // An included inbox INF (inbox.cpp): its file name. Its files come from the inbox folder
  // (host_folder); it is never staged. "" for a staged package.
  std::string inbox_inf;

  Signing signing() const { return sp.signed_ ? Signing::signed_package : Signing::unsigned_package; }
};

// Undo step kinds recorded in devinst_undo.
enum UndoOp : int {
  kUndoKeyCreated = 1,   // key; flag 1: delete the tree, 0: delete only when it has no subkeys
  kUndoValue = 2,        // key, name; flag 1: restore (type, data), 0: delete the value
  kUndoKeyExisted = 3,   // key: recreate it (from a deleted tree)
  kUndoFileCreated = 4,  // host path: remove it
  kUndoFileReplaced = 5, // host path: write back data
  kUndoDirCreated = 6,   // host path: remove it when empty
  kUndoValueOrder = 7,   // key; data: the value names in order ('\n'-separated) to restore
};

struct Diff {
  enum Kind { add_key, set_value, delete_value, delete_key, copy_file } kind;
  std::string key, name;
  registry::Value value;
};

// Host path under `root` of a Windows path the engine joined from an INF (store::windows_to_host,
// the one mapping); nullopt for a path that would leave the emulated tree.
std::optional<std::string> inf_path_to_host(const std::string& root, const std::string& windows);

// The dry-run diff (diff.cpp).
std::string render_diff(const std::vector<Diff>& diffs);
// A key path in the form the engine compares: long root name, case-folded.
std::string fold_path(std::string_view path);

struct DeviceRow {
  std::string instance_id;
  std::vector<std::string> hardware_ids, compatible_ids;
  std::optional<std::int64_t> package_id, install_id;
  std::string backup_folder, backup_ddinstall, backup_published;
};

struct InstallRow {
  std::int64_t id = 0;
  std::string instance_id;
  std::int64_t package_id = 0;
  InstalledDriver driver;
  std::string service, class_guid, software_key;
  std::vector<std::string> interfaces, files, extensions;
};

}  // namespace isodrv::devinst::detail

namespace isodrv::devinst {

// Hardware and compatible ID lists are stored one ID per line.
inline std::string join_lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += '\n';
    out += s;
  }
  return out;
}

struct InboxCache;  // inbox.cpp

struct Engine::Impl {
  std::string root;
  // Where Include'd INFs are read from (Engine::set_inbox_folder; "" = none) and what was read.
  std::string inbox_folder;
  std::shared_ptr<InboxCache> inbox;
  registry::Registry reg;
  // State folders whose service key or device node is gone (state_folders.cpp), and their removal
  // after an uninstall, a device removal or a move off a deleted package committed.
  std::vector<std::string> orphaned_state_folders();
  void sweep_state_folders();
  // The files device installs placed that are missing, and copies of staged files none placed (verify.cpp).
  std::vector<store::VerifyProblem> verify_placed_files();
  std::unique_ptr<store::Store> st;
  std::map<std::int64_t, std::unique_ptr<detail::Loaded>> packages;  // by store id
  // Software key indexes in use per class key (folded path), and the lowest index that may be free.
  struct ClassIndexes {
    bool loaded = false;
    std::set<int> used;
    int lowest_free = 0;
  };
  std::map<std::string, ClassIndexes> class_indexes;
  std::map<std::string, std::unique_ptr<detail::Stmt>> stmts;  // must go before reg
  // During a dry run: the changes an uninstall that precedes the install makes, for the diff.
  std::vector<detail::Diff>* dry_diffs = nullptr;
  std::vector<detail::Diff> pending_diffs;
  // Keys an undo created-record could not delete yet because they still had subkeys; the uninstall
  // tries them again once every record of every owner it replays has run.
  std::vector<std::string> retry_keys;  // handed from that uninstall to the install's diff
  // Software-component devices an install created (AddComponent) and that still need their
  // driver: install_components_locked ranks and installs them once their parent's install is done.
  std::vector<std::string> pending_components;
  // The package move_devices_off is taking away: never a candidate for a component device.
  std::int64_t leaving_package = -1;

  ~Impl() { stmts.clear(); }

  sqlite3* db() const { return reg.connection(); }
  detail::Stmt& q(const char* sql);
  Status exec(const char* sql);
  void forget_caches() { class_indexes.clear(); }
  // A statement left on a row keeps a read snapshot open, which would make the next write
  // transaction fail once another connection (the store's) has written: every public operation
  // ends with all statements reset.
  void reset_statements() {
    for (auto& [sql, stmt] : stmts) stmt->reset();
  }
  // The write funnel of every public operation that writes (docs/devinst.md "The write funnel"):
  // begins the transaction, runs `body(txn)`, then commits through the store's WriteTxn (its crash
  // points devinst:file-changed, devinst:before-commit, devinst:committed and its file journal) or,
  // when the body fails or the operation is a dry run, abandons: SQL rolled back, files put back,
  // cached rows dropped. A committed operation then sweeps the state folders it orphaned.
  enum class Ending { commit, dry_run };
  template <typename Body>
  auto mutate(Body&& body, Ending ending = Ending::commit) -> decltype(body(std::declval<store::WriteTxn&>()));
  // Every write transaction starts here: a statement still on a row would pin an old snapshot, and
  // SQLite refuses (without waiting) to upgrade a stale snapshot once another process has written.
  Result<std::unique_ptr<store::WriteTxn>> begin();
  struct StatementGuard {
    Impl& d;
    explicit StatementGuard(Impl& i) : d(i) { d.reset_statements(); }
    ~StatementGuard() { d.reset_statements(); }
  };

  // Bookkeeping.
  Result<detail::DeviceRow> device_row(const std::string& instance_id);
  std::vector<detail::DeviceRow> device_rows();
  Result<detail::InstallRow> install_row(std::int64_t id);
  // Every staged package, parsed (cached by id and folder).
  Result<std::vector<detail::Loaded*>> all_packages();
  Result<detail::Loaded*> package_by_name(const std::string& published_name);

  // The best base driver for a device among `candidates`, or nullopt.
  struct Choice {
    detail::Loaded* pkg = nullptr;
    Match match;
  };
  std::optional<Choice> best_for(const DeviceIds& ids, const std::vector<detail::Loaded*>& candidates);

  // One install or uninstall inside the caller's transaction.
  Result<InstallReport> install_locked(const detail::DeviceRow& dev, detail::Loaded& pkg, const Match& m,
                                       Ending ending, store::WriteTxn& txn);
  Status uninstall_locked(const detail::DeviceRow& dev, store::WriteTxn& txn,
                          std::string* removed_folder = nullptr, std::string* removed_ddinstall = nullptr,
                          std::string* removed_published = nullptr);
  // A primitive driver's [DefaultInstall…] and its .Services, recorded as an install without a device.
  Result<InstallReport> install_primitive_locked(detail::Loaded& pkg, store::WriteTxn& txn);
  Status uninstall_install_locked(std::int64_t install_id, store::WriteTxn& txn);
  // Creates a device node (Enum key with HardwareID, CompatibleIDs, ConfigFlags) and its row.
  Status add_device_node(const DeviceSpec& spec);
  // Deletes a device node, its bookkeeping rows and every parent level below Enum it leaves empty.
  Status delete_device_node(const std::string& instance_id);
  // Software components (components.cpp): the devices in pending_components get the best staged
  // driver (or stay without one), their reports added to `parent`; and the children an install
  // created are removed (their drivers uninstalled first) before that install is undone.
  Status install_components_locked(InstallReport& parent, Ending ending, store::WriteTxn& txn);
  Status remove_components_locked(std::int64_t install_id, store::WriteTxn& txn);
  Status undo_owner(const std::string& owner, store::WriteTxn& txn);
  // Moves the device to `pkg`, uninstalling the current driver; `replaced` says whether that driver
  // becomes the device's backup (rollback target) or is forgotten (its package is being deleted).
  enum class Replaced { keep_as_backup, forget };
  Result<InstallReport> move_to(const detail::DeviceRow& dev, detail::Loaded& pkg, const Match& m, Ending ending,
                                store::WriteTxn& txn, Replaced replaced = Replaced::keep_as_backup);
};

template <typename Body>
auto Engine::Impl::mutate(Body&& body, Ending ending) -> decltype(body(std::declval<store::WriteTxn&>())) {
  StatementGuard guard(*this);
  auto txn = begin();
  if (!txn) return txn.error();
  auto r = body(**txn);
  reset_statements();
  if (!r || ending == Ending::dry_run) {
    (*txn)->abandon();
    forget_caches();
    return r;
  }
  if (auto s = (*txn)->commit(); !s) {
    forget_caches();
    return s.error();
  }
  // An install that moved a device off another driver, or an uninstall, may have removed a
  // service: its state folders go with it.
  sweep_state_folders();
  return r;
}

}  // namespace isodrv::devinst
