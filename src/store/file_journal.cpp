// The write funnel's file journal: crash safety for the file changes a write transaction makes
// outside the database (DIRID 11/12 copies and their undo), which SQLite's transaction cannot cover.
//
// Before a file changes, its prior state goes to <root>/.devinst-journal/ (a sidecar with the old
// bytes, and one line in `journal`: C created, R replaced, D folder created, M folder removed), fsynced. The journal's first line is a token that the same write
// transaction inserts into devinst_file_txn, so after a crash the token row tells whether the
// transaction committed: if it did, the changes stand and the journal is dropped; if not, every
// change is reverted from the journal, newest first. The owner holds an flock on the journal while
// its transaction is open, so a recovering process never touches a live one.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/durable.h"
#include "registry/sqlite_error.h"
#include "registry/statement.h"
#include "store/funnel.h"

namespace isodrv::store {

namespace fs = std::filesystem;

// Not below .staging: the store's own recovery empties that folder before this one runs.
std::string file_journal_dir(const std::string& root) { return root + "/.devinst-journal"; }

namespace {

using base::fsync_dir;
using base::write_all;

// Writes a whole file and makes it durable.
bool write_durable(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  return ok;
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Error journal_error(const std::string& what, const std::string& path) {
  return Error(Errc::io_error, what + ": " + std::strerror(errno), path);
}

// Puts a file back the way the journal line says it was: its old bytes, or absent. False when that
// failed (or the line is not one this file writes), so the journal is kept for the next attempt.
bool revert_entry(const std::string& line, const std::string& dir) {
  std::error_code ec;
  if (line.size() > 2 && line[0] == 'C' && line[1] == ' ') {
    fs::remove(line.substr(2), ec);
    return !ec;
  }
  if (line.size() > 2 && line[0] == 'M' && line[1] == ' ') {
    fs::create_directories(line.substr(2), ec);
    return !ec;
  }
  if (line.size() > 2 && line[0] == 'D' && line[1] == ' ') {
    fs::remove(line.substr(2), ec);  // only when empty: a folder someone else filled stays
    return true;
  }
  const std::size_t tab = line.find('\t');
  if (line.size() > 2 && line[0] == 'R' && line[1] == ' ' && tab != std::string::npos) {
    const std::string sidecar = dir + "/" + line.substr(tab + 1);
    return fs::exists(sidecar, ec) && write_durable(line.substr(2, tab - 2), read_bytes(sidecar));
  }
  return false;
}

// One statement on the transaction's connection, finalized at once (the connection may belong to
// the registry, which must not be left with statements of ours).
Status run_sql(sqlite3* db, const char* sql, const std::string& arg, bool* row = nullptr) {
  dbutil::Statement s(db, sql, "file journal");
  if (!s.valid()) return Error(Errc::io_error, "file journal: " + dbutil::sqlite_reason(db));
  const int rc = s.bind(1, arg).step();
  if (row) *row = rc == SQLITE_ROW;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error(Errc::io_error, "file journal: " + dbutil::sqlite_reason(db));
  return {};
}

// Creates the journal with its token; the token row joins the open transaction.
Status create_journal(sqlite3* db, const std::string& dir, std::string& token, int& fd) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  static std::mt19937_64 rng{std::random_device{}()};
  token = std::to_string(::getpid()) + "-" + std::to_string(rng());
  if (auto s = run_sql(db, "INSERT INTO devinst_file_txn(token) VALUES(?)", token); !s) return s;
  // Written under a temporary name and renamed once locked and durable, so a recovering process
  // only ever sees a complete journal whose owner it can test with flock.
  const std::string tmp = dir + "/journal.tmp-" + token;
  fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return journal_error("cannot create the file journal", tmp);
  ::flock(fd, LOCK_EX);
  const std::string header = token + "\n";
  if (!write_all(fd, header.data(), header.size()) || ::fsync(fd) != 0 ||
      ::rename(tmp.c_str(), (dir + "/journal").c_str()) != 0) {
    return journal_error("cannot write the file journal", dir);
  }
  fsync_dir(dir);
  return {};
}

}  // namespace

Status WriteTxn::journal(const Change& c) {
  const std::string dir = file_journal_dir(root_);
  if (journal_fd_ < 0) {
    if (auto s = create_journal(db_, dir, token_, journal_fd_); !s) return s;
  }
  std::string line;
  if (c.directory) {
    line = "D " + c.host + "\n";
  } else if (c.removed_directory) {
    line = "M " + c.host + "\n";
  } else if (c.existed) {
    const std::string sidecar = "prior-" + std::to_string(changes_.size());
    if (!write_durable(dir + "/" + sidecar, c.prior)) return journal_error("cannot save the prior file", c.host);
    line = "R " + c.host + "\t" + sidecar + "\n";
  } else {
    line = "C " + c.host + "\n";
  }
  if (!write_all(journal_fd_, line.data(), line.size()) || ::fsync(journal_fd_) != 0) {
    return journal_error("cannot write the file journal", dir);
  }
  return {};
}

void WriteTxn::end_journal() {
  if (journal_fd_ < 0) return;
  std::error_code ec;
  fs::remove_all(file_journal_dir(root_), ec);  // the journal and its sidecars; the lock goes with the fd
  ::close(journal_fd_);
  journal_fd_ = -1;
  token_.clear();
}

Status recover_file_journal(sqlite3* db, const std::string& root) {
  const std::string dir = file_journal_dir(root);
  const std::string path = dir + "/journal";
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (fs::exists(dir, ec)) {
      // Only temporary files of an owner that died before renaming; nothing changed yet. A live
      // owner's temporary file is locked.
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) fs::remove(e.path(), ec);
        ::close(fd);
      }
      fs::remove(dir, ec);  // only when empty
    }
    return {};
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(Errc::io_error, "cannot open the file journal", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // its owner is alive and still in its transaction
    ::close(fd);
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  std::string token, line;
  std::getline(in, token);
  std::vector<std::string> entries;
  while (std::getline(in, line)) entries.push_back(line);
  bool committed = false;
  if (auto s = run_sql(db, "SELECT 1 FROM devinst_file_txn WHERE token = ?", token, &committed); !s) {
    ::close(fd);
    return s;
  }
  for (auto it = entries.rbegin(); !committed && it != entries.rend(); ++it) {
    if (!revert_entry(*it, dir)) {
      ::close(fd);
      return Error(Errc::io_error, "cannot undo a file change of an interrupted install (" + *it +
                                       "); the journal is kept for the next attempt", path);
    }
  }
  fs::remove_all(dir, ec);
  ::close(fd);
  return run_sql(db, "DELETE FROM devinst_file_txn WHERE token = ?", token);
}

}  // namespace isodrv::store
