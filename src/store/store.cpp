// The driver store: staging (journal row + temporary folder renamed into place), publishing
// oemN.inf, removal, recovery of half-finished operations on open, and verification.
#include "isodrv/store.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>

#include "isodrv/package.h"
#include "isodrv/store_paths.h"
#include "base/durable.h"
#include "registry/sqlite_error.h"
#include "registry/statement.h"
#include "store/funnel.h"

namespace isodrv::store {
namespace fs = std::filesystem;

std::string file_repository_dir(const std::string& root) { return host_folder(root, kFileRepositoryFolder); }
std::string inf_dir(const std::string& root) { return host_folder(root, kInfFolder); }
std::string staging_dir(const std::string& root) { return root + "/.staging"; }
std::string database_path(const std::string& root) { return root + "/registry.db"; }

void crash_point(const char* name) {
  static const char* wanted = std::getenv("ISODRV_TEST_CRASH_POINT");
  if (wanted && std::string_view(wanted) == name) raise(SIGKILL);
}

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS store_packages(
  id INTEGER PRIMARY KEY,
  published_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  original_name TEXT NOT NULL,
  provider TEXT, class_name TEXT, class_guid TEXT, version TEXT, date TEXT,
  arch TEXT NOT NULL,
  folder TEXT NOT NULL UNIQUE COLLATE NOCASE,
  hash16 TEXT NOT NULL,
  isolated INTEGER NOT NULL, signed INTEGER NOT NULL, run_from_store INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS store_files(
  package_id INTEGER NOT NULL REFERENCES store_packages(id) ON DELETE CASCADE,
  relative_path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
  PRIMARY KEY(package_id, relative_path));
CREATE TABLE IF NOT EXISTS store_journal(
  id INTEGER PRIMARY KEY, op TEXT NOT NULL, temp_dir TEXT, folder TEXT, published_name TEXT);
)sql";

std::string normal_root(const std::string& root_in) {
  std::error_code ec;
  std::string root = fs::absolute(root_in, ec).lexically_normal().string();
  if (!root.empty() && root.back() == '/') root.pop_back();
  return root;
}

// An exclusive advisory lock on <root>/.lock serialises every process that changes the store.
class RootLock {
 public:
  // `shared`: readers, which only need no writer in the middle of a change.
  enum class Kind { exclusive, shared };
  RootLock(const std::string& root, Kind kind) {
    fd_ = ::open((root + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) ::flock(fd_, kind == Kind::exclusive ? LOCK_EX : LOCK_SH);
  }
  ~RootLock() {
    if (fd_ >= 0) {
      ::flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

using Stmt = dbutil::Statement;

std::string random_name() {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<std::uint64_t>(::getpid()));
  static const char* hex = "0123456789abcdef";
  std::string s = "stage-";
  for (int i = 0; i < 16; ++i) s.push_back(hex[rng() & 15]);
  return s;
}

using base::fsync_dir;

StagedPackage read_package(const Stmt& s) {
  StagedPackage p;
  p.id = s.integer(0);
  p.published_name = s.text(1);
  p.original_name = s.text(2);
  p.provider = s.text(3);
  p.class_name = s.text(4);
  p.class_guid = s.text(5);
  p.version = s.text(6);
  p.date = s.text(7);
  p.arch = s.text(8);
  p.folder = s.text(9);
  p.hash16 = s.text(10);
  p.isolated = s.integer(11) != 0;
  p.signed_ = s.integer(12) != 0;
  p.run_from_store = s.integer(13) != 0;
  p.devices = s.integer(14);
  return p;
}

}  // namespace

struct Store::Impl {
  std::string root;
  sqlite3* db = nullptr;
  bool has_users_view = false;

  ~Impl() {
    if (db) sqlite3_close(db);
  }

  Status exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = dbutil::sqlite_reason(db, err);
      sqlite3_free(err);
      return Error(dbutil::sqlite_errc(db, Errc::corrupt), "database: " + m, database_path(root));
    }
    return {};
  }

  // Who uses a package is the install engine's knowledge: the store reads it through the view
  // that engine defines (store.h: kPackageUsersView), never through the engine's tables.
  std::string devices_expr() const {
    return has_users_view ? std::string("(SELECT count(*) FROM ") + kPackageUsersView + " u WHERE u.package_id = p.id)"
                          : std::string("0");
  }

  std::string select_packages(const std::string& where) const {
    return "SELECT p.id, p.published_name, p.original_name, p.provider, p.class_name, p.class_guid, p.version, "
           "p.date, p.arch, p.folder, p.hash16, p.isolated, p.signed, p.run_from_store, " +
           devices_expr() + " FROM store_packages p " + where;
  }

  void refresh_device_table() {
    Stmt s(db, "SELECT 1 FROM sqlite_master WHERE type='view' AND name=?");
    s.bind(1, std::string(kPackageUsersView));
    has_users_view = s.row();
  }

  // Completes or rolls back whatever a dead process left (DESIGN.md §2 Recovery).
  Status recover() {
    struct Entry {
      std::int64_t id;
      std::string op, temp, folder, published;
    };
    std::vector<Entry> entries;
    {
      Stmt s(db, "SELECT id, op, temp_dir, folder, published_name FROM store_journal ORDER BY id");
      while (s.row()) entries.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4)});
    }
    std::error_code ec;
    for (const auto& e : entries) {
      // A journal row exists only while its operation has not committed (stage) or has not
      // finished removing files (delete). Both end with the files matching the database.
      if (!e.temp.empty()) fs::remove_all(staging_dir(root) + "/" + e.temp, ec);
      bool folder_owned = false, inf_owned = false;
      {
        Stmt s(db, "SELECT 1 FROM store_packages WHERE folder = ?");
        s.bind(1, e.folder);
        folder_owned = s.row();
      }
      {
        Stmt s(db, "SELECT 1 FROM store_packages WHERE published_name = ?");
        s.bind(1, e.published);
        inf_owned = s.row();
      }
      if (!e.folder.empty() && !folder_owned) fs::remove_all(file_repository_dir(root) + "/" + e.folder, ec);
      if (!e.published.empty() && !inf_owned) {
        fs::remove(inf_dir(root) + "/" + e.published, ec);
        fs::remove(inf_dir(root) + "/" + e.published + ".tmp", ec);
      }
      Stmt del(db, "DELETE FROM store_journal WHERE id = ?");
      del.bind(1, e.id);
      del.step();
    }
    // Temporary folders are only ever named in a journal row; anything left is debris.
    for (auto& d : fs::directory_iterator(staging_dir(root), ec)) fs::remove_all(d.path(), ec);
    // Then the file changes of a write transaction that died (a device install's copies).
    return recover_file_journal(db, root);
  }

  // Every write transaction of the store starts here and ends in the funnel (funnel.h).
  Result<std::unique_ptr<WriteTxn>> begin(const char* name) {
    if (auto st = exec("BEGIN IMMEDIATE"); !st) return st.error();
    WriteTxn::Sql sql;
    sql.commit = [this]() -> Status {
      auto st = exec("COMMIT");
      if (!st) (void)exec("ROLLBACK");
      return st;
    };
    sql.rollback = [this] { (void)exec("ROLLBACK"); };
    return std::make_unique<WriteTxn>(root, db, name, std::move(sql));
  }

  // Opens the database of an existing root and finishes what a dead process left.
  Status open_and_recover();
  std::string next_published_name();
  struct Item {
    std::string rel, host;
  };
  // The journal row, the copies into a temporary folder, the rename into FileRepository and the
  // published INF; the files recorded, or the error after everything was taken back.
  Result<std::vector<StagedFile>> place_files(const std::string& inf_path, const inf::Document& doc,
                                              const std::vector<Item>& items, const StagedPackage& p,
                                              std::string& temp);
  Status record_package(StagedPackage& p, const std::vector<StagedFile>& recorded, const std::string& temp);
  Status finish_removal(const StagedPackage& p);
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;
const std::string& Store::root() const { return impl_->root; }

Status Store::Impl::open_and_recover() {
  if (sqlite3_open_v2(database_path(root).c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    return Error(Errc::io_error, "cannot open the store database", database_path(root));
  }
  sqlite3_busy_timeout(db, 30000);
  // Switching a new database to WAL takes a lock SQLite does not wait for (SQLITE_BUSY at once), so
  // two processes opening a fresh root would race; the root lock serialises the switch as well.
  RootLock lock(root, RootLock::Kind::exclusive);
  if (auto st = exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"); !st) return st;
  if (auto st = exec(kSchema); !st) return st;
  if (auto st = exec(kFileTxnSchema); !st) return st;
  refresh_device_table();
  return recover();
}

Result<Store> Store::open(const std::string& root_in) {
  std::error_code ec;
  if (root_in.empty()) return Error(Errc::invalid_argument, "no store root given");
  fs::create_directories(root_in, ec);
  const std::string root = normal_root(root_in);
  for (const auto& d : {file_repository_dir(root), inf_dir(root), staging_dir(root)}) {
    fs::create_directories(d, ec);
    if (ec) return Error(Errc::io_error, "cannot create " + d + ": " + ec.message(), root);
  }
  auto impl = std::make_unique<Impl>();
  impl->root = root;
  if (auto st = impl->open_and_recover(); !st) return st.error();
  return Store(std::move(impl));
}

Status recover(const std::string& root_in) {
  if (root_in.empty()) return Error(Errc::invalid_argument, "no store root given");
  std::error_code ec;
  if (!fs::exists(database_path(root_in), ec)) return {};  // nothing was ever written
  Store::Impl impl;
  impl.root = normal_root(root_in);
  return impl.open_and_recover();
}

Result<registry::Registry> open_registry(const std::string& root) {
  if (auto st = recover(root); !st) return st.error();
  return registry::Registry::open_root(root);
}

std::string Store::folder_path(const StagedPackage& p) const { return file_repository_dir(impl_->root) + "/" + p.folder; }
std::string Store::published_inf_path(const StagedPackage& p) const {
  return inf_dir(impl_->root) + "/" + p.published_name;
}

Result<std::vector<StagedPackage>> Store::list() const {
  impl_->refresh_device_table();
  std::vector<StagedPackage> out;
  Stmt s(impl_->db, impl_->select_packages("ORDER BY p.id").c_str());
  while (s.row()) out.push_back(read_package(s));
  // oemN order, numerically.
  std::sort(out.begin(), out.end(), [](const StagedPackage& a, const StagedPackage& b) {
    auto num = [](const std::string& n) { return std::atol(n.c_str() + 3); };
    return num(a.published_name) < num(b.published_name);
  });
  return out;
}

Result<StagedPackage> Store::find(const std::string& published_name) const {
  impl_->refresh_device_table();
  Stmt s(impl_->db, impl_->select_packages("WHERE p.published_name = ?").c_str());
  s.bind(1, published_name);
  if (!s.row()) return Error(Errc::not_found, "no staged package named " + published_name);
  return read_package(s);
}

Result<std::vector<StagedFile>> Store::files(const std::string& published_name) const {
  auto p = find(published_name);
  if (!p.ok()) return p.error();
  std::vector<StagedFile> out;
  Stmt s(impl_->db, "SELECT relative_path, size, sha256 FROM store_files WHERE package_id = ? ORDER BY relative_path");
  s.bind(1, p->id);
  while (s.row()) out.push_back({s.text(0), static_cast<std::uint64_t>(s.integer(1)), s.text(2)});
  return out;
}

namespace {

// Every file the package carries (the INF itself aside), resolved below its folder; anything that
// would leave the package folder is refused.
Result<std::vector<Store::Impl::Item>> payload_items(const package::Package& pkg, const std::string& src_dir,
                                                      const std::string& inf_name, const std::string& inf_path,
                                                      std::set<std::string>& seen) {
  std::vector<Store::Impl::Item> items;
  for (const auto& f : package::staged_payload(pkg)) {
    if (f.relative_path.empty()) {
      return Error(Errc::path_escape,
                   "SourceDisksFiles entry '" + f.name + "' names an absolute path or one that leaves the package folder",
                   inf_path, f.line.line());
    }
    auto loc = package::locate_package_file(src_dir, f.relative_path);
    if (!loc.ok()) {
      Error e = loc.error();
      e.file = inf_path;
      e.line = f.line.line();
      e.message = "SourceDisksFiles entry '" + f.name + "': " + e.message;
      return e;
    }
    if (inf::iequals(loc->relative_path, inf_name)) continue;
    if (!seen.insert(inf::to_lower_ascii(loc->relative_path)).second) continue;
    items.push_back({loc->relative_path, loc->host_path});
  }
  return items;
}

// Facts recorded for `driver list`.
StagedPackage package_facts(const inf::Document& doc, const package::Package& pkg, const std::string& inf_name,
                            inf::Arch arch, const std::string& hash, bool isolated) {
  StagedPackage p;
  p.original_name = inf_name;
  p.arch = std::string(inf::arch_name(arch));
  p.hash16 = hash;
  p.folder = package::driver_store_folder_name(inf_name, arch, hash);
  p.isolated = isolated;
  p.signed_ = false;  // catalogs are recorded, not verified (DESIGN.md §2)
  p.run_from_store = std::any_of(pkg.copies.begin(), pkg.copies.end(), [](const package::FileCopy& c) { return c.dirid == inf::kDiridDriverStore; });
  if (auto version = doc.section("Version")) {
    auto get = [&](const char* key) {
      auto l = version->find(key);
      return l && l->field_count() ? l->field(0) : std::string();
    };
    p.provider = get("Provider");
    p.class_name = get("Class");
    p.class_guid = get("ClassGuid");
    if (auto dv = version->find("DriverVer")) {
      p.date = dv->field(0);
      p.version = dv->field_count() > 1 ? dv->field(1) : std::string();
    }
  }
  return p;
}

}  // namespace

// Lowest free oemN: not recorded and not present as a file.
std::string Store::Impl::next_published_name() {
  std::set<long> used;
  {
    Stmt s(db, "SELECT published_name FROM store_packages");
    while (s.row()) used.insert(std::atol(s.text(0).c_str() + 3));
  }
  std::error_code ec;
  for (auto& e : fs::directory_iterator(inf_dir(root), ec)) {
    std::string n = inf::to_lower_ascii(e.path().filename().string());
    if (n.rfind("oem", 0) == 0) used.insert(std::atol(n.c_str() + 3));
  }
  long n = 0;
  while (used.count(n)) ++n;
  return "oem" + std::to_string(n) + ".inf";
}

Result<std::vector<StagedFile>> Store::Impl::place_files(const std::string& inf_path, const inf::Document& doc,
                                                         const std::vector<Item>& items, const StagedPackage& p,
                                                         std::string& temp) {
  temp = random_name();
  const std::string temp_path = staging_dir(root) + "/" + temp;
  const std::string folder_path = file_repository_dir(root) + "/" + p.folder;
  const std::string published = inf_dir(root) + "/" + p.published_name;
  {
    Stmt s(db, "INSERT INTO store_journal(op, temp_dir, folder, published_name) VALUES('stage', ?, ?, ?)");
    s.bind(1, temp).bind(2, p.folder).bind(3, p.published_name);
    if (s.step() != SQLITE_DONE) {
      return Error(dbutil::sqlite_errc(db, Errc::corrupt), "cannot write the store journal: " + dbutil::sqlite_reason(db),
                   database_path(root));
    }
  }
  crash_point("stage:journal");
  auto rollback = [&](Error e) -> Result<std::vector<StagedFile>> {
    (void)recover();
    return e;
  };
  std::vector<StagedFile> recorded;
  std::error_code ec;
  fs::create_directories(temp_path, ec);
  if (auto st = copy_file_synced(inf_path, temp_path + "/" + p.original_name); !st) return rollback(st.error());
  recorded.push_back({p.original_name, static_cast<std::uint64_t>(doc.bytes().size()), package::sha256_hex(doc.bytes())});
  for (const auto& it : items) {
    fs::path dest = fs::path(temp_path) / it.rel;
    fs::create_directories(dest.parent_path(), ec);
    if (auto st = copy_file_synced(it.host, dest.string()); !st) return rollback(st.error());
    auto sha = package::sha256_file(dest.string());
    recorded.push_back({it.rel, static_cast<std::uint64_t>(fs::file_size(dest, ec)), sha.value_or("")});
  }
  fsync_dir(temp_path);
  crash_point("stage:copied");
  fs::rename(temp_path, folder_path, ec);
  if (ec) return rollback(Error(Errc::io_error, "cannot move the package into FileRepository: " + ec.message(), folder_path));
  fsync_dir(file_repository_dir(root));
  crash_point("stage:renamed");
  if (auto st = copy_file_synced(inf_path, published + ".tmp"); !st) return rollback(st.error());
  fs::rename(published + ".tmp", published, ec);
  if (ec) return rollback(Error(Errc::io_error, "cannot publish " + p.published_name + ": " + ec.message(), published));
  fsync_dir(inf_dir(root));
  crash_point("stage:published");
  return recorded;
}

// One transaction makes the package real and retires the journal row.
Status Store::Impl::record_package(StagedPackage& p, const std::vector<StagedFile>& recorded, const std::string& temp) {
  auto tx = begin("stage");
  if (!tx) return tx.error();
  Stmt s(db,
         "INSERT INTO store_packages(published_name, original_name, provider, class_name, class_guid, version, date, "
         "arch, folder, hash16, isolated, signed, run_from_store) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, p.published_name).bind(2, p.original_name).bind(3, p.provider).bind(4, p.class_name);
  s.bind(5, p.class_guid).bind(6, p.version).bind(7, p.date).bind(8, p.arch).bind(9, p.folder).bind(10, p.hash16);
  s.bind(11, static_cast<std::int64_t>(p.isolated)).bind(12, static_cast<std::int64_t>(p.signed_));
  s.bind(13, static_cast<std::int64_t>(p.run_from_store));
  if (s.step() != SQLITE_DONE) {
    return Error(dbutil::sqlite_errc(db, Errc::corrupt), "cannot record the package: " + dbutil::sqlite_reason(db),
                 database_path(root));
  }
  p.id = sqlite3_last_insert_rowid(db);
  for (const auto& f : recorded) {
    Stmt r(db, "INSERT OR REPLACE INTO store_files(package_id, relative_path, size, sha256) VALUES(?,?,?,?)");
    r.bind(1, p.id).bind(2, f.relative_path).bind(3, static_cast<std::int64_t>(f.size)).bind(4, f.sha256);
    r.step();
  }
  Stmt del(db, "DELETE FROM store_journal WHERE temp_dir = ?");
  del.bind(1, temp);
  del.step();
  return (*tx)->commit();
}

Result<AddResult> Store::add(const std::string& inf_path, const AddOptions& opts) {
  Impl& d = *impl_;
  AddResult result;
  if (!opts.validate) return Error(Errc::invalid_argument, "store::add needs a validator (AddOptions::validate)", inf_path);
  inf::ParseOptions popts;
  auto doc = inf::Document::load(inf_path, popts);
  if (!doc.ok()) return doc.error();
  const fs::path src(inf_path);
  const std::string src_dir = src.parent_path().empty() ? std::string(".") : src.parent_path().string();
  const std::string inf_name = src.filename().string();
  if (!inf::iequals(src.extension().string(), ".inf")) {
    return Error(Errc::invalid_argument, "only .inf files can be staged (run `isodrv stamp` on an .inx first)", inf_path);
  }
  inf::Target target;
  target.arch = opts.arch;
  package::Package pkg = package::build_package(*doc, target);
  std::set<std::string> seen;
  auto items = payload_items(pkg, src_dir, inf_name, inf_path, seen);
  if (!items) return items.error();
  // Errors block staging unless explicitly allowed. Paths that leave the package folder are
  // refused first: --allow-unisolated never admits them.
  result.isolation_errors = opts.validate(doc->bytes(), inf_path, opts.arch);
  if (!result.isolation_errors.empty() && !opts.allow_unisolated) {
    // The refusal names its reasons, so nobody has to run `check` to learn them.
    std::string why;
    for (const auto& e : result.isolation_errors) why += "\n  " + e;
    return Error(Errc::not_isolated,
                 "package is not isolated (" + std::to_string(result.isolation_errors.size()) +
                     " /w errors); stage it anyway with --allow-unisolated:" + why,
                 inf_path);
  }
  if (auto cat = package::catalog_file(*doc, opts.arch)) {
    auto loc = package::locate_package_file(src_dir, *cat);
    if (!loc.ok()) {
      Error e = loc.error();
      e.file = inf_path;
      e.message = "catalog '" + *cat + "': " + e.message;
      return e;
    }
    if (seen.insert(inf::to_lower_ascii(loc->relative_path)).second) items->push_back({loc->relative_path, loc->host_path});
  }
  auto hash = package::package_hash(*doc, src_dir, opts.arch);
  if (!hash) return Error(Errc::file_not_found, "a file of the package is missing", inf_path);
  StagedPackage p = package_facts(*doc, pkg, inf_name, opts.arch, *hash, result.isolation_errors.empty());

  RootLock lock(d.root, RootLock::Kind::exclusive);
  if (!lock.ok()) return Error(Errc::io_error, "cannot lock the store", d.root);
  {
    Stmt s(d.db, d.select_packages("WHERE p.folder = ?").c_str());
    s.bind(1, p.folder);
    if (s.row()) {
      result.package = read_package(s);
      result.already_staged = true;
      return result;
    }
  }
  p.published_name = d.next_published_name();
  std::string temp;
  auto recorded = d.place_files(inf_path, *doc, *items, p, temp);
  if (!recorded) return recorded.error();
  if (auto st = d.record_package(p, *recorded, temp); !st) {
    (void)d.recover();
    return st.error();
  }
  result.package = p;
  return result;
}

namespace {
// The deletion as SQL, on whichever connection's transaction it must join: the package's rows go
// and a journal row names the files that recovery removes once the transaction committed.
Status record_removal(sqlite3* db, const StagedPackage& p) {
  Stmt j(db, "INSERT INTO store_journal(op, temp_dir, folder, published_name) VALUES('delete', '', ?, ?)");
  j.bind(1, p.folder).bind(2, p.published_name);
  Stmt d(db, "DELETE FROM store_packages WHERE id = ?");
  d.bind(1, p.id);
  // Not left to ON DELETE CASCADE: the connection may be the registry's, without foreign keys.
  Stmt f(db, "DELETE FROM store_files WHERE package_id = ?");
  f.bind(1, p.id);
  if (j.step() != SQLITE_DONE || d.step() != SQLITE_DONE || f.step() != SQLITE_DONE) {
    return Error(dbutil::sqlite_errc(db, Errc::corrupt), "cannot record the deletion: " + dbutil::sqlite_reason(db));
  }
  return {};
}
}  // namespace

// After the deletion committed: its files go, then recovery retires the journal row.
Status Store::Impl::finish_removal(const StagedPackage& p) {
  crash_point("delete:journal");
  std::error_code ec;
  fs::remove_all(file_repository_dir(root) + "/" + p.folder, ec);
  crash_point("delete:removed-folder");
  fs::remove(inf_dir(root) + "/" + p.published_name, ec);
  crash_point("delete:removed-inf");
  return recover();
}

Status Store::remove(const std::string& published_name, RemoveMode mode) {
  const bool force = mode == RemoveMode::force;
  Impl& d = *impl_;
  RootLock lock(d.root, RootLock::Kind::exclusive);
  auto p = find(published_name);
  if (!p.ok()) return p.error();
  // --force matters only while devices use the package; an unused package is simply deleted.
  if (force && p->devices > 0 && p->run_from_store) {
    return Error(Errc::invalid_argument,
                 published_name + " has run-from-store files; --force is refused for such packages, as on Windows");
  }
  if (p->devices > 0 && !force) {
    return Error(Errc::busy, published_name + " is in use by " + std::to_string(p->devices) +
                                 " device(s); use --uninstall to move them off it first");
  }
  auto tx = d.begin("delete");
  if (!tx) return tx.error();
  if (auto st = record_removal(d.db, *p); !st) return st;
  if (auto st = (*tx)->commit(); !st) return st;
  return d.finish_removal(*p);
}

Status remove_package_with(Store& st, const std::string& published_name,
                           const std::function<Status(const RemovalSql&)>& commit_with) {
  Store::Impl& d = st.impl();
  RootLock lock(d.root, RootLock::Kind::exclusive);
  auto p = st.find(published_name);
  if (!p.ok()) return p.error();
  const RemovalSql removal = [&](sqlite3* db) { return record_removal(db, *p); };
  if (auto s = commit_with(removal); !s) return s;
  return d.finish_removal(*p);
}

Result<std::vector<VerifyProblem>> Store::verify() const {
  Impl& d = *impl_;
  RootLock lock(d.root, RootLock::Kind::shared);
  std::vector<VerifyProblem> out;
  auto packages = list();
  if (!packages.ok()) return packages.error();
  std::set<std::string> folders, infs;
  std::error_code ec;
  for (const auto& p : *packages) {
    folders.insert(inf::to_lower_ascii(p.folder));
    infs.insert(inf::to_lower_ascii(p.published_name));
    const std::string dir = folder_path(p);
    if (!fs::is_directory(dir, ec)) {
      out.push_back({dir, p.published_name + ": package folder is missing"});
      continue;
    }
    auto files = this->files(p.published_name);
    std::set<std::string> recorded;
    for (const auto& f : *files) {
      recorded.insert(f.relative_path);
      std::string host = dir + "/" + f.relative_path;
      if (!fs::is_regular_file(host, ec)) {
        out.push_back({host, p.published_name + ": recorded file is missing"});
        continue;
      }
      auto sha = package::sha256_file(host);
      if (!sha || *sha != f.sha256) out.push_back({host, p.published_name + ": file content differs from the recorded hash"});
    }
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string rel = fs::relative(it->path(), dir, ec).generic_string();
      if (!recorded.count(rel)) out.push_back({it->path().string(), p.published_name + ": file is not recorded"});
    }
    const std::string pub = published_inf_path(p);
    if (!fs::is_regular_file(pub, ec)) {
      out.push_back({pub, p.published_name + ": published INF is missing"});
    } else {
      auto a = package::sha256_file(pub);
      auto b = package::sha256_file(dir + "/" + p.original_name);
      if (!a || !b || *a != *b) out.push_back({pub, p.published_name + ": published INF differs from the staged INF"});
    }
  }
  for (auto& e : fs::directory_iterator(file_repository_dir(d.root), ec)) {
    if (!folders.count(inf::to_lower_ascii(e.path().filename().string()))) {
      out.push_back({e.path().string(), "folder in FileRepository belongs to no staged package"});
    }
  }
  for (auto& e : fs::directory_iterator(inf_dir(d.root), ec)) {
    std::string n = inf::to_lower_ascii(e.path().filename().string());
    if (n.rfind("oem", 0) == 0 && !infs.count(n)) out.push_back({e.path().string(), "published INF belongs to no staged package"});
  }
  for (auto& e : fs::directory_iterator(staging_dir(d.root), ec)) {
    out.push_back({e.path().string(), "unfinished staging folder"});
  }
  Stmt j(d.db, "SELECT op, folder FROM store_journal");
  while (j.row()) out.push_back({j.text(1), "unfinished " + j.text(0) + " operation in the journal"});
  // Opening the store finished any dead transaction's file journal; one still here belongs to an
  // operation in progress, or its recovery failed.
  if (fs::exists(file_journal_dir(d.root), ec)) {
    out.push_back({file_journal_dir(d.root), "file journal of an unfinished device-install transaction"});
  }
  return out;
}

}  // namespace isodrv::store
