// The one write funnel below a store root (STYLE.md "Layers"; SQLite's pager): every operation that
// writes — staging, deleting, every device-install operation — ends its SQL transaction here.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "isodrv/result.h"

namespace isodrv::store {

// A WriteTxn owns the end of one SQL transaction (commit or abandon), the crash points around the
// commit ("<name>:before-commit", "<name>:committed", and "<name>:file-changed" after its first
// file change), and the journal of the changes it makes to files outside the database, which
// SQLite cannot roll back (docs/store.md "The write funnel"). File changes go through its
// methods only, so each one is journalled before it happens and undone when the transaction is
// abandoned or dies.
class WriteTxn {
 public:
  // How the SQL transaction underneath ends: the devinst engine's registry::Transaction, or the
  // store's own connection.
  struct Sql {
    std::function<Status()> commit;
    std::function<void()> rollback;
  };
  // `db` is the connection the transaction runs on: the journal's token joins it.
  WriteTxn(std::string root, sqlite3* db, std::string name, Sql sql);
  ~WriteTxn();  // abandons a transaction still open
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;

  // File changes, each journalled durably before it happens. A failed copy or write leaves the
  // destination as it was (a disk-full copy says "no space left on device").
  Status copy_file(const std::string& from, const std::string& to);
  Status write_file(const std::string& host, const std::vector<std::uint8_t>& bytes);
  Status remove_file(const std::string& host);
  // Creates `dir` and its missing parents; the ones it created are removed again (when empty) if
  // the transaction does not commit. Returns the folders created, outermost first.
  Result<std::vector<std::string>> create_directories(const std::string& dir);
  // Removes `dir` when it is empty; it comes back if the transaction does not commit.
  Status remove_empty_directory(const std::string& dir);

  // A point inside the transaction to go back to (a software component whose install failed,
  // while its parent's stays): revert_to(mark) puts back the file changes made after it; the
  // caller rolls its SQL back to a savepoint of its own. Their journal lines stay: replaying them
  // on recovery finds the files already as they were.
  std::size_t mark() const { return changes_.size(); }
  void revert_to(std::size_t mark);
  // Commits: a failed commit abandons. Runs the crash points and drops the journal.
  Status commit();
  // Rolls the SQL back, puts every changed file back as it was, drops the journal.
  void abandon();
  bool open() const { return open_; }

 private:
  struct Change {
    std::string host;
    bool existed = false;
    std::vector<std::uint8_t> prior;
    bool directory = false;  // a folder this transaction created
    bool removed_directory = false;  // an empty folder this transaction removed
  };
  Status journal(const Change& c);
  void revert_in_memory();
  void end_journal();
  void changed();

  std::string root_, name_;
  sqlite3* db_;
  Sql sql_;
  bool open_ = true;
  std::vector<Change> changes_;
  int journal_fd_ = -1;
  std::string token_;
};

// The journal's folder below a root; it exists only while a write transaction with file changes
// is open, or when one died (recovery then finishes it).
std::string file_journal_dir(const std::string& root);

// Finishes the file journal a dead process left: keeps its changes when its transaction committed,
// reverts them when not. A live owner's journal (locked) is left alone. Run by every store open.
Status recover_file_journal(sqlite3* db, const std::string& root);

// The table that tells a journal's fate: its token row commits with the transaction.
inline constexpr const char* kFileTxnSchema = "CREATE TABLE IF NOT EXISTS devinst_file_txn(token TEXT PRIMARY KEY);";

class Store;
// `driver delete --uninstall` in one commit: under the root lock, `commit_with` runs the device
// moves in its own write transaction, adds the deletion (`removal`, the store's SQL, run on that
// transaction's connection) and commits; the package's files are then removed as Store::remove
// removes them (crash points delete:journal, delete:removed-folder, delete:removed-inf).
using RemovalSql = std::function<Status(sqlite3* db)>;
Status remove_package_with(Store& st, const std::string& published_name,
                           const std::function<Status(const RemovalSql&)>& commit_with);

// Copies a file and makes it durable; every failure carries the system's words, and a full disk is
// said as such ("cannot write: no space left on device").
Status copy_file_synced(const std::string& from, const std::string& to);

}  // namespace isodrv::store
