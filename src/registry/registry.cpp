// The registry store on SQLite: schema, predefined keys, key handles, values and transactions.
// Every handle operation resolves the handle through Impl::check (one funnel for validity).
#include "isodrv/registry.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "registry/names.h"
#include "registry/sqlite_error.h"
#include "registry/statement.h"
#include "registry/text.h"

namespace isodrv::registry {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS reg_keys(
  id INTEGER PRIMARY KEY,
  parent INTEGER NOT NULL,          -- 0 for a hive root
  name TEXT NOT NULL,               -- as first spelled (UTF-8)
  folded TEXT NOT NULL,             -- fold_name(name), compared and sorted
  gen INTEGER NOT NULL,             -- random; a handle matches only the key it was opened on
  last_write INTEGER NOT NULL,      -- FILETIME (100 ns since 1601-01-01 UTC)
  flags INTEGER NOT NULL DEFAULT 0  -- 1: predefined, cannot be deleted
);
CREATE UNIQUE INDEX IF NOT EXISTS reg_keys_child ON reg_keys(parent, folded);
CREATE TABLE IF NOT EXISTS reg_values(
  id INTEGER PRIMARY KEY,           -- creation order = enumeration order
  key INTEGER NOT NULL,
  name TEXT NOT NULL,               -- '' for the default value
  folded TEXT NOT NULL,
  type INTEGER NOT NULL,
  data BLOB NOT NULL                -- bytes exactly as Windows stores them
);
CREATE UNIQUE INDEX IF NOT EXISTS reg_values_name ON reg_values(key, folded);
)sql";

constexpr std::int64_t kFlagPredefined = 1;

FileTime system_filetime() {
  using namespace std::chrono;
  auto ns = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
  return static_cast<FileTime>(ns / 100) + 116444736000000000ULL;
}

Error db_error(sqlite3* db, const std::string& what) {
  return Error(Errc::io_error, what + ": " + dbutil::sqlite_reason(db));
}

// Prepared once per connection (kSql) and reset on every use.
using Stmt = dbutil::Statement;

enum StmtId {
  kBegin,
  kBeginRead,
  kCommit,
  kRollback,
  kSavepoint,
  kRelease,
  kRollbackTo,
  kCheck,
  kTouch,
  kTouchId,
  kFindChild,
  kInsertKey,
  kUpsertValue,
  kQueryValue,
  kDeleteValue,
  kEnumSubkeys,
  kEnumValues,
  kDeleteSubtreeValues,
  kDeleteSubtreeKeys,
  kKeyInfo,
  kStmtCount
};

constexpr const char* kSql[kStmtCount] = {
    "BEGIN IMMEDIATE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT reg_op",
    "RELEASE reg_op",
    "ROLLBACK TO reg_op",
    "SELECT gen FROM reg_keys WHERE id=?1",
    "UPDATE reg_keys SET last_write=?3 WHERE id=?1 AND gen=?2",
    "UPDATE reg_keys SET last_write=?2 WHERE id=?1",
    "SELECT id, gen, name FROM reg_keys WHERE parent=?1 AND folded=?2",
    "INSERT INTO reg_keys(parent, name, folded, gen, last_write, flags) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT INTO reg_values(key, name, folded, type, data) VALUES(?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(key, folded) DO UPDATE SET type=excluded.type, data=excluded.data",
    "SELECT k.gen, v.type, v.data FROM reg_keys k LEFT JOIN reg_values v ON v.key=k.id AND v.folded=?2 "
    "WHERE k.id=?1",
    "DELETE FROM reg_values WHERE key=?1 AND folded=?2",
    "SELECT name FROM reg_keys WHERE parent=?1 ORDER BY folded",
    "SELECT name, type, data FROM reg_values WHERE key=?1 ORDER BY id",
    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT k.id FROM reg_keys k JOIN sub ON k.parent=sub.id) "
    "DELETE FROM reg_values WHERE key IN (SELECT id FROM sub)",
    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT k.id FROM reg_keys k JOIN sub ON k.parent=sub.id) "
    "DELETE FROM reg_keys WHERE id IN (SELECT id FROM sub)",
    "SELECT parent, flags, last_write FROM reg_keys WHERE id=?1",
};

Status check_value_name(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) {
    return Error(Errc::invalid_argument, "a value name must not contain a NUL character");
  }
  std::u16string wide;
  if (!text::utf8_to_utf16(name, wide)) return Error(Errc::invalid_argument, "a value name must be valid UTF-8");
  if (wide.size() > kMaxValueNameChars) {
    return Error(Errc::invalid_argument,
                 "a value name must not be longer than " + std::to_string(kMaxValueNameChars) + " characters");
  }
  return {};
}

std::string display_value_name(std::string_view name) {
  return name.empty() ? std::string("(Default)") : std::string(name);
}

}  // namespace

namespace detail {

struct Impl {
  sqlite3* db = nullptr;
  Options options;
  int depth = 0;  // open Transaction objects
  Stmt stmts[kStmtCount];

  ~Impl() {
    for (auto& s : stmts) s.finalize();  // before closing the connection
    if (db) sqlite3_close(db);
  }

  FileTime now() const { return options.clock ? options.clock() : system_filetime(); }
  Stmt& st(StmtId id) { return stmts[id].use(); }

  Status exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = dbutil::sqlite_reason(db, err);
      sqlite3_free(err);
      return Error(Errc::io_error, std::string("registry database: ") + msg);
    }
    return {};
  }
  Status run(StmtId id) {
    int rc = st(id).step();
    stmts[id].reset();
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db_error(db, "registry database");
    return {};
  }

  // Runs `f` atomically: in its own transaction, or as a savepoint of the caller's transaction.
  template <typename F>
  Status atomically(F&& f) {
    const bool outer = depth == 0;
    if (auto s = run(outer ? kBegin : kSavepoint); !s) return s;
    Status result = f();
    if (result) {
      if (auto s = run(outer ? kCommit : kRelease); s) return result;
      result = db_error(db, "registry database commit");
    }
    if (outer) {
      (void)run(kRollback);
    } else {
      (void)run(kRollbackTo);
      (void)run(kRelease);
    }
    return result;
  }

  // For operations whose statements leave nothing visible half-done when a later one fails (the
  // key's last-write time is written first): their own transaction at depth 0, else no savepoint.
  template <typename F>
  Status atomically_light(F&& f) {
    if (depth > 0) return f();
    return atomically(std::forward<F>(f));
  }

  // Runs read-only `f` in one read transaction when no transaction is open, so that a multi-step
  // lookup sees one snapshot and takes the WAL read lock once.
  template <typename F>
  Status reading(F&& f) {
    if (depth > 0) return f();
    if (auto s = run(kBeginRead); !s) return s;
    Status result = f();
    (void)run(kCommit);
    return result;
  }

  // The one funnel for handles: the key must still be the one the handle was opened on.
  Status check(const KeyHandle& h) {
    auto& s = st(kCheck).bind(1, h.id_);
    int rc = s.step();
    bool ok = rc == SQLITE_ROW && s.integer(0) == h.gen_;
    s.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db, "registry database");
    if (!ok) return Error(Errc::key_deleted, h.path_ + ": the key has been deleted");
    return {};
  }
  // Checks the handle and records a write to its key, in one statement.
  Status touch(const KeyHandle& h) {
    auto& s = st(kTouch).bind(1, h.id_).bind(2, h.gen_).bind(3, static_cast<std::int64_t>(now()));
    int rc = s.step();
    s.reset();
    if (rc != SQLITE_DONE) return db_error(db, "registry database");
    if (sqlite3_changes(db) != 1) return Error(Errc::key_deleted, h.path_ + ": the key has been deleted");
    return {};
  }
  Status touch_id(std::int64_t id) {
    auto& s = st(kTouchId).bind(1, id).bind(2, static_cast<std::int64_t>(now()));
    int rc = s.step();
    s.reset();
    if (rc != SQLITE_DONE) return db_error(db, "registry database");
    return {};
  }

  struct Child {
    std::int64_t id = 0, gen = 0;
    std::string name;
  };
  // Looks up one child; `found` false when absent.
  Status find_child(std::int64_t parent, std::string_view folded, Child& out, bool& found) {
    auto& s = st(kFindChild).bind(1, parent).bind(2, folded);
    int rc = s.step();
    found = rc == SQLITE_ROW;
    if (found) out = {s.integer(0), s.integer(1), s.text(2)};
    s.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db, "registry database");
    return {};
  }
  Status insert_key(std::int64_t parent, std::string_view name, std::string_view folded, std::int64_t flags,
                    Child& out) {
    std::int64_t gen = 0;
    while (gen == 0) {
      sqlite3_randomness(sizeof gen, &gen);
      gen &= INT64_MAX;
    }
    auto& s = st(kInsertKey)
                  .bind(1, parent)
                  .bind(2, name)
                  .bind(3, folded)
                  .bind(4, gen)
                  .bind(5, static_cast<std::int64_t>(now()))
                  .bind(6, flags);
    int rc = s.step();
    s.reset();
    if (rc != SQLITE_DONE) return db_error(db, "registry database: creating a key");
    out = {sqlite3_last_insert_rowid(db), gen, std::string(name)};
    return {};
  }

  // Walks `parts` below `base`; creates what is missing when Disposition::open_always.
  Result<KeyHandle> walk(const KeyHandle& base, const std::vector<std::string>& parts, Disposition disposition,
                         std::int64_t flags = 0) {
    const bool create = disposition == Disposition::open_always;
    KeyHandle cur = base;
    auto step_all = [&]() -> Status {
      for (const auto& part : parts) {
        Child c;
        bool found = false;
        std::string folded = text::fold(part);
        if (auto s = find_child(cur.id_, folded, c, found); !s) return s;
        if (!found) {
          if (!create) return Error(Errc::not_found, cur.path_ + "\\" + part + ": the key does not exist");
          if (auto s = insert_key(cur.id_, part, folded, flags, c); !s) return s;
          if (auto s = touch(cur); !s) return s;
        }
        cur.id_ = c.id;
        cur.gen_ = c.gen;
        cur.path_ += '\\';
        cur.path_ += c.name;
      }
      return {};
    };
    auto checked_walk = [&]() -> Status {
      if (auto s = check(base); !s) return s;
      return step_all();
    };
    Status s = create ? atomically(checked_walk) : reading(checked_walk);
    if (!s) return s.error();
    return cur;
  }

  std::vector<std::pair<std::string, Child>> hives;  // hives cannot be deleted: cached

  Result<KeyHandle> hive(std::string_view long_name, const std::shared_ptr<Impl>& self) {
    Child c;
    bool found = false;
    for (const auto& [n, h] : hives) {
      if (n == long_name) c = h, found = true;
    }
    if (!found) {
      if (auto s = find_child(0, text::fold(long_name), c, found); !s) return s.error();
      if (!found) return Error(Errc::corrupt, std::string(long_name) + ": the hive is missing from the database");
      hives.emplace_back(std::string(long_name), c);
    }
    KeyHandle h;
    h.impl_ = self;
    h.id_ = c.id;
    h.gen_ = c.gen;
    h.path_ = c.name;
    return h;
  }

  Status create_predefined() {
    return atomically([&]() -> Status {
      for (const auto& r : names::kRoots) {
        if (!r.below.empty()) continue;
        Child c;
        bool found = false;
        if (auto s = find_child(0, text::fold(r.long_name), c, found); !s) return s;
        if (!found) {
          if (auto s = insert_key(0, r.long_name, text::fold(r.long_name), kFlagPredefined, c); !s) return s;
        }
      }
      for (const auto& p : names::kPredefinedKeys) {
        Child c;
        bool found = false;
        if (auto s = find_child(0, text::fold(p.hive), c, found); !s) return s;
        std::int64_t parent = c.id;
        std::string_view rest = p.path;
        while (!rest.empty()) {
          auto cut = rest.find('\\');
          std::string_view part = rest.substr(0, cut);
          rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
          if (auto s = find_child(parent, text::fold(part), c, found); !s) return s;
          if (!found) {
            if (auto s = insert_key(parent, part, text::fold(part), kFlagPredefined, c); !s) return s;
          } else {
            std::string sql = "UPDATE reg_keys SET flags=flags|1 WHERE id=" + std::to_string(c.id);
            if (auto s = exec(sql.c_str()); !s) return s;
          }
          parent = c.id;
        }
      }
      return {};
    });
  }
};

}  // namespace detail

using detail::Impl;

// ---- encoders ---------------------------------------------------------------------------------

Result<std::vector<std::uint8_t>> encode_sz(std::string_view utf8) {
  std::u16string wide;
  if (!text::utf8_to_utf16(utf8, wide)) return Error(Errc::invalid_argument, "string data is not valid UTF-8");
  std::vector<std::uint8_t> out;
  out.reserve(wide.size() * 2 + 2);
  for (char16_t c : wide) {
    out.push_back(static_cast<std::uint8_t>(c & 0xFF));
    out.push_back(static_cast<std::uint8_t>(c >> 8));
  }
  out.push_back(0);
  out.push_back(0);
  return out;
}

Result<std::vector<std::uint8_t>> encode_multi_sz(const std::vector<std::string>& strings) {
  std::vector<std::uint8_t> out;
  for (const auto& s : strings) {
    if (s.empty()) return Error(Errc::invalid_argument, "a REG_MULTI_SZ string must not be empty");
    if (s.find('\0') != std::string::npos) {
      return Error(Errc::invalid_argument, "a REG_MULTI_SZ string must not contain a NUL character");
    }
    auto one = encode_sz(s);
    if (!one) return one.error();
    out.insert(out.end(), one->begin(), one->end());
  }
  out.push_back(0);
  out.push_back(0);
  return out;
}

std::vector<std::uint8_t> encode_dword(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}

std::optional<std::uint32_t> decode_dword(const Value& v) {
  if ((v.type != kRegDword && v.type != kRegDwordBigEndian) || v.data.size() != 4) return std::nullopt;
  std::uint32_t n = 0;
  // Each byte is widened before it is shifted, so no step goes through a signed int.
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t from = v.type == kRegDword ? 3 - i : i;  // most significant byte first
    n = n << 8 | static_cast<std::uint32_t>(v.data[from]);
  }
  return n;
}

std::vector<std::uint8_t> encode_dword_big_endian(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v)};
}

std::vector<std::uint8_t> encode_qword(std::uint64_t v) {
  std::vector<std::uint8_t> out(8);
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return out;
}

Result<std::string> decode_sz(const std::vector<std::uint8_t>& data) {
  std::u16string wide = text::from_utf16le(data.data(), data.size());
  if (auto nul = wide.find(u'\0'); nul != std::u16string::npos) wide.resize(nul);
  std::string out;
  if (!text::utf16_to_utf8(wide, out)) return Error(Errc::corrupt, "string data is not valid UTF-16");
  return out;
}

Result<std::vector<std::string>> decode_multi_sz(const std::vector<std::uint8_t>& data) {
  std::u16string wide = text::from_utf16le(data.data(), data.size());
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < wide.size()) {
    std::size_t end = wide.find(u'\0', start);
    if (end == std::u16string::npos) end = wide.size();
    if (end == start) break;  // the empty string that ends the list
    std::string s;
    if (!text::utf16_to_utf8(std::u16string_view(wide).substr(start, end - start), s)) {
      return Error(Errc::corrupt, "string data is not valid UTF-16");
    }
    out.push_back(std::move(s));
    start = end + 1;
  }
  return out;
}

// ---- Registry ---------------------------------------------------------------------------------

Result<Registry> Registry::open(const std::string& db_path, Options options) {
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  if (sqlite3_open_v2(db_path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Error e = db_error(impl->db, db_path + ": cannot open the registry database");
    e.code = Errc::file_not_found;
    return e;
  }
  sqlite3_busy_timeout(impl->db, 30000);
  // Switching a new database to WAL does not wait for the busy handler: when another process is
  // opening the same fresh file, SQLite answers SQLITE_BUSY at once. Retry for as long as the
  // busy timeout would have waited.
  for (int attempt = 0;; ++attempt) {
    int rc = sqlite3_exec(impl->db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) break;
    if ((rc & 0xFF) != SQLITE_BUSY || attempt == 3000) return db_error(impl->db, "registry database: enabling WAL");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (auto s = impl->exec("PRAGMA synchronous=NORMAL;"); !s) return s.error();
  if (auto s = impl->exec(kSchema); !s) return s.error();
  for (int i = 0; i < kStmtCount; ++i) {
    if (!impl->stmts[i].prepare(impl->db, kSql[i], dbutil::Lifetime::persistent, "registry database")) return db_error(impl->db, "registry database: preparing");
  }
  if (auto s = impl->create_predefined(); !s) return s.error();
  Registry r;
  r.impl_ = std::move(impl);
  return r;
}

Result<Registry> Registry::open_root(const std::string& root, Options options) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Error(Errc::io_error, "cannot create the store root: " + ec.message(), root);
  return open(root + "/registry.db", std::move(options));
}

Result<KeyHandle> Registry::open_key(std::string_view path, Disposition disposition) const {
  std::string_view p = path;
  if (p.size() > 1 && p.back() == '\\') p.remove_suffix(1);  // "HKLM\x\" as reg.exe accepts it
  auto cut = p.find('\\');
  std::string_view root_name = p.substr(0, cut);
  const names::Root* root = names::find_root(root_name);
  if (!root) {
    return Error(Errc::invalid_argument, std::string(path) + ": unknown root key '" + std::string(root_name) +
                                             "' (expected HKLM, HKU, HKCR, HKCU, HKCC or their long names)");
  }
  auto hive = impl_->hive(root->hive, impl_);
  if (!hive) return hive.error();
  KeyHandle base = *hive;
  if (!root->below.empty()) {
    std::vector<std::string> below;
    std::string_view rest = root->below;
    while (true) {
      auto c = rest.find('\\');
      below.emplace_back(rest.substr(0, c));
      if (c == std::string_view::npos) break;
      rest = rest.substr(c + 1);
    }
    auto r = impl_->walk(base, below, Disposition::open_existing);  // alias targets are predefined keys
    if (!r) return r.error();
    base = *r;
  }
  base.path_ = std::string(root->long_name);
  if (cut == std::string_view::npos) return base;
  auto parts = split_relative_path(p.substr(cut + 1));
  if (!parts) {
    Error e = parts.error();
    e.message = std::string(path) + ": " + e.message;
    return e;
  }
  return impl_->walk(base, *parts, disposition);
}

Status Registry::delete_key(std::string_view path) const {
  auto k = open_key(path);
  if (!k) return k.error();
  return k->delete_tree();
}

Result<Transaction> Registry::begin() const {
  Status s = impl_->run(impl_->depth == 0 ? kBegin : kSavepoint);
  if (!s) return s.error();
  Transaction t;
  t.impl_ = impl_;
  t.depth_ = ++impl_->depth;
  return t;
}

// ---- Transaction ------------------------------------------------------------------------------

Transaction::Transaction(Transaction&& o) noexcept : impl_(std::move(o.impl_)), depth_(o.depth_) {
  o.impl_.reset();
}

Transaction& Transaction::operator=(Transaction&& o) noexcept {
  if (this != &o) {
    if (impl_) (void)rollback();
    impl_ = std::move(o.impl_);
    depth_ = o.depth_;
    o.impl_.reset();
  }
  return *this;
}

Transaction::~Transaction() {
  if (impl_) (void)rollback();
}

Status Transaction::commit() {
  if (!impl_) return Error(Errc::invalid_argument, "the transaction has already ended");
  if (depth_ > impl_->depth) {
    impl_.reset();
    return Error(Errc::invalid_argument, "the transaction was rolled back with an outer transaction");
  }
  if (depth_ < impl_->depth) {
    return Error(Errc::invalid_argument, "an inner transaction is still open; end it before the outer one");
  }
  auto impl = std::move(impl_);
  impl_.reset();
  --impl->depth;
  Status s = impl->run(depth_ == 1 ? kCommit : kRelease);
  if (!s) {
    // Leave nothing half-done: a failed commit rolls the transaction back.
    if (depth_ == 1) {
      (void)impl->run(kRollback);
    } else {
      (void)impl->run(kRollbackTo);
      (void)impl->run(kRelease);
    }
  }
  return s;
}

Status Transaction::rollback() {
  if (!impl_) return Error(Errc::invalid_argument, "the transaction has already ended");
  auto impl = std::move(impl_);
  impl_.reset();
  if (depth_ > impl->depth) return {};  // already rolled back with an outer transaction
  // Inner transactions still open end with this one: fold their savepoints into ours first.
  for (int d = impl->depth; d > depth_; --d) (void)impl->run(kRelease);
  impl->depth = depth_ - 1;
  if (depth_ == 1) return impl->run(kRollback);
  if (auto s = impl->run(kRollbackTo); !s) return s;
  return impl->run(kRelease);
}

// ---- KeyHandle --------------------------------------------------------------------------------

namespace {
// The one check for changes through a read-only handle (KeyHandle::as_read_only).
Status refuse_read_only(const std::string& path) {
  return Error(Errc::access_denied, path + ": the key was opened read-only");
}
}  // namespace

std::string KeyHandle::name() const {
  auto cut = path_.rfind('\\');
  return cut == std::string::npos ? path_ : path_.substr(cut + 1);
}

bool KeyHandle::exists() const { return impl_ && impl_->check(*this).ok(); }

Result<KeyHandle> KeyHandle::open_subkey(std::string_view rel, Disposition disposition) const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  auto parts = split_relative_path(rel);
  if (!parts) {
    Error e = parts.error();
    e.message = path_ + ": " + e.message;
    return e;
  }
  if (disposition == Disposition::open_always && read_only_) return refuse_read_only(path_).error();
  return impl_->walk(*this, *parts, disposition);  // the copy walk() makes keeps read_only_
}

Status KeyHandle::set_value(std::string_view name, std::uint32_t type, std::vector<std::uint8_t> data) const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  if (read_only_) return refuse_read_only(path_);
  if (auto s = check_value_name(name); !s) return s;
  std::string folded = text::fold(name);
  return impl_->atomically_light([&]() -> Status {
    if (auto s = impl_->touch(*this); !s) return s;
    auto& s = impl_->st(kUpsertValue)
                  .bind(1, id_)
                  .bind(2, name)
                  .bind(3, folded)
                  .bind(4, static_cast<std::int64_t>(type))
                  .bind_blob(5, data);
    int rc = s.step();
    s.reset();
    if (rc != SQLITE_DONE) return db_error(impl_->db, path_ + ": setting value " + display_value_name(name));
    return {};
  });
}

Status KeyHandle::set_value(std::string_view name, const Value& value) const {
  return set_value(name, value.type, value.data);
}

Status KeyHandle::set_string(std::string_view name, std::string_view utf8, std::uint32_t type) const {
  auto bytes = encode_sz(utf8);
  if (!bytes) return bytes.error();
  return set_value(name, type, std::move(*bytes));
}

Status KeyHandle::set_dword(std::string_view name, std::uint32_t v) const {
  return set_value(name, kRegDword, encode_dword(v));
}

Status KeyHandle::set_qword(std::string_view name, std::uint64_t v) const {
  return set_value(name, kRegQword, encode_qword(v));
}

Status KeyHandle::set_multi_sz(std::string_view name, const std::vector<std::string>& strings) const {
  auto bytes = encode_multi_sz(strings);
  if (!bytes) return bytes.error();
  return set_value(name, kRegMultiSz, std::move(*bytes));
}

Status KeyHandle::set_binary(std::string_view name, std::vector<std::uint8_t> bytes) const {
  return set_value(name, kRegBinary, std::move(bytes));
}

Result<Value> KeyHandle::query_value(std::string_view name) const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  // One statement checks the handle and reads the value.
  auto& s = impl_->st(kQueryValue).bind(1, id_).bind(2, text::fold(name));
  int rc = s.step();
  bool key_ok = rc == SQLITE_ROW && s.integer(0) == gen_;
  bool found = false;
  Value v;
  if (key_ok) {
    found = s.is_null(1) == false;
    if (found) {
      v.type = static_cast<std::uint32_t>(s.integer(1));
      v.data = s.blob(2);
    }
  }
  s.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(impl_->db, path_);
  if (!key_ok) return Error(Errc::key_deleted, path_ + ": the key has been deleted");
  if (!found) return Error(Errc::not_found, path_ + ": value " + display_value_name(name) + " does not exist");
  return v;
}

Result<std::string> KeyHandle::get_string(std::string_view name) const {
  auto v = query_value(name);
  if (!v) return v.error();
  if (v->type != kRegSz && v->type != kRegExpandSz) {
    return Error(Errc::invalid_argument, path_ + ": value " + display_value_name(name) + " is not a string");
  }
  return decode_sz(v->data);
}

Result<std::uint32_t> KeyHandle::get_dword(std::string_view name) const {
  auto v = query_value(name);
  if (!v) return v.error();
  if ((v->type != kRegDword && v->type != kRegDwordBigEndian) || v->data.size() != 4) {
    return Error(Errc::invalid_argument, path_ + ": value " + display_value_name(name) + " is not a DWORD");
  }
  return *decode_dword(*v);
}

Result<std::uint64_t> KeyHandle::get_qword(std::string_view name) const {
  auto v = query_value(name);
  if (!v) return v.error();
  if (v->type != kRegQword || v->data.size() != 8) {
    return Error(Errc::invalid_argument, path_ + ": value " + display_value_name(name) + " is not a QWORD");
  }
  std::uint64_t out = 0;
  for (std::size_t i = 8; i-- > 0;) out = (out << 8) | v->data[i];
  return out;
}

Result<std::vector<std::string>> KeyHandle::get_multi_sz(std::string_view name) const {
  auto v = query_value(name);
  if (!v) return v.error();
  if (v->type != kRegMultiSz) {
    return Error(Errc::invalid_argument, path_ + ": value " + display_value_name(name) + " is not a REG_MULTI_SZ");
  }
  return decode_multi_sz(v->data);
}

Status KeyHandle::delete_value(std::string_view name) const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  if (read_only_) return refuse_read_only(path_);
  std::string folded = text::fold(name);
  return impl_->atomically_light([&]() -> Status {
    if (auto s = impl_->touch(*this); !s) return s;
    auto& s = impl_->st(kDeleteValue).bind(1, id_).bind(2, folded);
    int rc = s.step();
    s.reset();
    if (rc != SQLITE_DONE) return db_error(impl_->db, path_);
    if (sqlite3_changes(impl_->db) == 0) {
      return Error(Errc::not_found, path_ + ": value " + display_value_name(name) + " does not exist");
    }
    return {};
  });
}

Result<std::vector<std::string>> KeyHandle::enum_subkeys() const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  if (auto s = impl_->check(*this); !s) return s.error();
  std::vector<std::string> out;
  auto& s = impl_->st(kEnumSubkeys).bind(1, id_);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.text(0));
  s.reset();
  if (rc != SQLITE_DONE) return db_error(impl_->db, path_);
  return out;
}

Result<std::vector<NamedValue>> KeyHandle::enum_values() const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  if (auto s = impl_->check(*this); !s) return s.error();
  std::vector<NamedValue> out;
  auto& s = impl_->st(kEnumValues).bind(1, id_);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back({s.text(0), {static_cast<std::uint32_t>(s.integer(1)), s.blob(2)}});
  }
  s.reset();
  if (rc != SQLITE_DONE) return db_error(impl_->db, path_);
  return out;
}

Result<FileTime> KeyHandle::last_write_time() const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  if (auto s = impl_->check(*this); !s) return s.error();
  auto& s = impl_->st(kKeyInfo).bind(1, id_);
  int rc = s.step();
  FileTime t = rc == SQLITE_ROW ? static_cast<FileTime>(s.integer(2)) : 0;
  s.reset();
  if (rc != SQLITE_ROW) return db_error(impl_->db, path_);
  return t;
}

Status KeyHandle::delete_tree() const {
  if (!impl_) return Error(Errc::invalid_argument, "the key handle is not open");
  if (read_only_) return refuse_read_only(path_);
  return impl_->atomically([&]() -> Status {
    if (auto s = impl_->check(*this); !s) return s;
    auto& info = impl_->st(kKeyInfo).bind(1, id_);
    int rc = info.step();
    std::int64_t parent = rc == SQLITE_ROW ? info.integer(0) : 0;
    std::int64_t flags = rc == SQLITE_ROW ? info.integer(1) : 0;
    info.reset();
    if (rc != SQLITE_ROW) return db_error(impl_->db, path_);
    if (flags & kFlagPredefined) {
      return Error(Errc::access_denied, path_ + ": a predefined key cannot be deleted");
    }
    for (StmtId id : {kDeleteSubtreeValues, kDeleteSubtreeKeys}) {
      auto& s = impl_->st(id).bind(1, id_);
      int r = s.step();
      s.reset();
      if (r != SQLITE_DONE) return db_error(impl_->db, path_ + ": deleting");
    }
    return impl_->touch_id(parent);
  });
}

Status KeyHandle::delete_subkey(std::string_view rel) const {
  auto k = open_subkey(rel);
  if (!k) return k.error();
  return k->delete_tree();
}

::sqlite3* Registry::connection() const { return impl_->db; }

}  // namespace isodrv::registry
