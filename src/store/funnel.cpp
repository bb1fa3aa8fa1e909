// The write funnel: how a write transaction below a store root ends (commit or abandon), its crash
// points, and the file changes it journals (file_journal.cpp keeps the journal itself).
#include "store/funnel.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "isodrv/store.h"

namespace isodrv::store {

namespace fs = std::filesystem;

namespace {

Error sys_error(Errc code, const char* what, const std::string& path) {
  return Error(code, std::string(what) + ": " + std::strerror(errno), path);
}

// Copies the bytes of `in` to `fd`; the first failure as an error.
std::optional<Error> pump(int in, int fd, const std::string& from, const std::string& to) {
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(Errc::read_fault, "cannot read", from);
    if (n == 0) return std::nullopt;
    for (const char* p = buf; p < buf + n;) {
      const ssize_t w = ::write(fd, p, static_cast<std::size_t>(buf + n - p));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        if (w == 0) errno = ENOSPC;  // a write that makes no progress: the device is full
        return sys_error(Errc::io_error, "cannot write", to);
      }
      p += w;
    }
  }
}

bool write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace

Status copy_file_synced(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return sys_error(Errc::read_fault, "cannot read", from);
  int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    Error e = sys_error(Errc::io_error, "cannot create", to);
    ::close(in);
    return e;
  }
  std::optional<Error> err = pump(in, fd, from, to);
  if (!err && ::fsync(fd) != 0) err = sys_error(Errc::io_error, "cannot write", to);
  if (::close(fd) != 0 && !err) err = sys_error(Errc::io_error, "cannot write", to);
  ::close(in);
  if (err) return *err;
  return {};
}

WriteTxn::WriteTxn(std::string root, sqlite3* db, std::string name, Sql sql)
    : root_(std::move(root)), name_(std::move(name)), db_(db), sql_(std::move(sql)) {}

WriteTxn::~WriteTxn() { abandon(); }

namespace {
// A file's state before it changes.
template <typename Change>
Change prior_of(const std::string& host) {
  Change c;
  c.host = host;
  std::error_code ec;
  c.existed = fs::exists(host, ec);
  if (c.existed) {
    std::ifstream in(host, std::ios::binary);
    c.prior.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return c;
}
}  // namespace

void WriteTxn::changed() {
  const auto files = std::count_if(changes_.begin(), changes_.end(), [](const Change& c) { return !c.directory && !c.removed_directory; });
  if (files == 1) crash_point((name_ + ":file-changed").c_str());
}

Status WriteTxn::copy_file(const std::string& from, const std::string& to) {
  auto c = prior_of<Change>(to);
  if (auto s = journal(c); !s) return s;
  // Remembered before the copy: a copy that fails half-way is put back with the rest.
  changes_.push_back(std::move(c));
  if (auto s = copy_file_synced(from, to); !s) return s;
  changed();
  return {};
}

Status WriteTxn::write_file(const std::string& host, const std::vector<std::uint8_t>& bytes) {
  auto c = prior_of<Change>(host);
  if (auto s = journal(c); !s) return s;
  changes_.push_back(std::move(c));
  if (!write_bytes(host, bytes)) return sys_error(Errc::io_error, "cannot write", host);
  changed();
  return {};
}

Status WriteTxn::remove_file(const std::string& host) {
  auto c = prior_of<Change>(host);
  if (!c.existed) return {};
  if (auto s = journal(c); !s) return s;
  changes_.push_back(std::move(c));
  std::error_code ec;
  fs::remove(host, ec);
  if (ec) return Error(Errc::io_error, "cannot remove: " + ec.message(), host);
  changed();
  return {};
}

Result<std::vector<std::string>> WriteTxn::create_directories(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> made;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) made.insert(made.begin(), p.string());
  for (const auto& d : made) {
    Change c;
    c.host = d;
    c.directory = true;
    if (auto s = journal(c); !s) return s.error();
    changes_.push_back(std::move(c));
    if (!fs::create_directory(d, ec) && ec) return Error(Errc::io_error, "cannot create the folder: " + ec.message(), d);
  }
  return made;
}

Status WriteTxn::remove_empty_directory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) return {};
  Change c;
  c.host = dir;
  c.removed_directory = true;
  if (auto s = journal(c); !s) return s;
  changes_.push_back(std::move(c));
  fs::remove(dir, ec);
  return {};
}

void WriteTxn::revert_in_memory() { revert_to(0); }

void WriteTxn::revert_to(std::size_t mark) {
  std::error_code ec;
  while (changes_.size() > mark) {
    const Change& c = changes_.back();
    if (c.directory) {
      fs::remove(c.host, ec);  // only when empty
    } else if (c.removed_directory) {
      fs::create_directories(c.host, ec);
    } else if (c.existed) {
      (void)write_bytes(c.host, c.prior);
    } else {
      fs::remove(c.host, ec);
    }
    changes_.pop_back();
  }
}

Status WriteTxn::commit() {
  if (!open_) return Error(Errc::internal, "the write transaction has already ended");
  crash_point((name_ + ":before-commit").c_str());
  open_ = false;
  if (auto s = sql_.commit(); !s) {
    // The SQL side rolled back: the files follow it.
    revert_in_memory();
    end_journal();
    return s;
  }
  crash_point((name_ + ":committed").c_str());
  end_journal();
  changes_.clear();
  return {};
}

void WriteTxn::abandon() {
  if (!open_) return;
  open_ = false;
  sql_.rollback();
  revert_in_memory();
  end_journal();
}

}  // namespace isodrv::store
