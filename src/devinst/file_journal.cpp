// Crash safety for the file changes an install or uninstall makes outside the driver store (DIRID 12
// copies and their undo), which SQLite's transaction cannot cover.
//
// Before a file changes, its prior state goes to <root>/.devinst-journal/ (a sidecar with the old
// bytes, and one line in `journal`), fsynced. The journal's first line is a token that the same write
// transaction inserts into devinst_file_txn, so after a crash the token row tells whether the
// transaction committed: if it did, the changes stand and the journal is dropped; if not, every
// change is reverted from the journal, newest first. The owner holds an flock on the journal while
// its transaction is open, so a recovering process never touches a live one.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "devinst/engine_impl.h"

namespace isodrv::devinst {

namespace fs = std::filesystem;

namespace {

// Not below .staging: the store's own recovery empties that folder before this one runs.
std::string journal_dir(const std::string& root) { return root + "/.devinst-journal"; }

bool write_all(int fd, const void* data, std::size_t n) {
  auto p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Writes a whole file and makes it durable.
bool write_durable(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Puts a file back the way the journal line says it was: its old bytes, or absent. False when that
// failed (or the line is not one this file writes), so the journal is kept for the next attempt.
bool revert_entry(const std::string& line, const std::string& dir) {
  std::error_code ec;
  if (line.size() > 2 && line[0] == 'C' && line[1] == ' ') {
    fs::remove(line.substr(2), ec);
    return !ec;
  }
  const std::size_t tab = line.find('\t');
  if (line.size() > 2 && line[0] == 'R' && line[1] == ' ' && tab != std::string::npos) {
    const std::string sidecar = dir + "/" + line.substr(tab + 1);
    return fs::exists(sidecar, ec) && write_durable(line.substr(2, tab - 2), read_bytes(sidecar));
  }
  return false;
}

}  // namespace

Status Engine::Impl::journal_file_change(const detail::FileAction& a) {
  const std::string dir = journal_dir(root);
  if (journal_fd < 0) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    static std::mt19937_64 rng{std::random_device{}()};
    journal_token = std::to_string(::getpid()) + "-" + std::to_string(rng());
    auto& ins = q("INSERT INTO devinst_file_txn(token) VALUES(?)");
    ins.bind(1, journal_token);
    if (auto s = ins.run(); !s) return s;
    // Written under a temporary name and renamed once locked and durable, so a recovering process
    // only ever sees a complete journal whose owner it can test with flock.
    const std::string tmp = dir + "/journal.tmp-" + journal_token;
    journal_fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (journal_fd < 0) return Error(Errc::io_error, "cannot create the file journal", tmp);
    ::flock(journal_fd, LOCK_EX);
    const std::string header = journal_token + "\n";
    if (!write_all(journal_fd, header.data(), header.size()) || ::fsync(journal_fd) != 0 ||
        ::rename(tmp.c_str(), (dir + "/journal").c_str()) != 0) {
      return Error(Errc::io_error, std::string("cannot write the file journal: ") + std::strerror(errno), dir);
    }
    fsync_dir(dir);
    journal_entries = 0;
  }
  std::string line;
  if (a.existed) {
    const std::string sidecar = "prior-" + std::to_string(journal_entries);
    if (!write_durable(dir + "/" + sidecar, a.prior)) return Error(Errc::io_error, "cannot save the prior file", a.host);
    line = "R " + a.host + "\t" + sidecar + "\n";
  } else {
    line = "C " + a.host + "\n";
  }
  ++journal_entries;
  if (!write_all(journal_fd, line.data(), line.size()) || ::fsync(journal_fd) != 0) {
    return Error(Errc::io_error, "cannot write the file journal", dir);
  }
  return {};
}

void Engine::Impl::end_file_journal() {
  if (journal_fd < 0) return;
  std::error_code ec;
  fs::remove_all(journal_dir(root), ec);  // the journal and its sidecars; the lock goes with the fd
  ::close(journal_fd);
  journal_fd = -1;
  journal_token.clear();
}

Status Engine::Impl::recover_file_journal() {
  const std::string dir = journal_dir(root);
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
  auto& sel = q("SELECT 1 FROM devinst_file_txn WHERE token = ?");
  sel.bind(1, token);
  const bool committed = sel.row();
  sel.reset();
  if (!committed) {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      if (!revert_entry(*it, dir)) {
        ::close(fd);
        return Error(Errc::io_error, "cannot undo a file change of an interrupted install (" + *it +
                                         "); the journal is kept for the next attempt", path);
      }
    }
  }
  fs::remove_all(dir, ec);
  ::close(fd);
  auto& del = q("DELETE FROM devinst_file_txn WHERE token = ?");
  del.bind(1, token);
  return del.run();
}

}  // namespace isodrv::devinst
