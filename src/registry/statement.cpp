// The prepared-statement wrapper of statement.h.
#include "registry/statement.h"

#include "registry/sqlite_error.h"

namespace isodrv::dbutil {

Statement::Statement(sqlite3* db, const char* sql, const char* what) { prepare(db, sql, Lifetime::once, what); }

Statement::~Statement() { sqlite3_finalize(s_); }

bool Statement::prepare(sqlite3* db, const char* sql, Lifetime lifetime, const char* what) {
  sqlite3_finalize(s_);
  s_ = nullptr;
  db_ = db;
  what_ = what;
  const unsigned flags = lifetime == Lifetime::persistent ? SQLITE_PREPARE_PERSISTENT : 0U;
  return sqlite3_prepare_v3(db, sql, -1, flags, &s_, nullptr) == SQLITE_OK;
}

void Statement::finalize() {
  sqlite3_finalize(s_);
  s_ = nullptr;
}

Statement& Statement::use() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  return *this;
}

Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}

Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

Statement& Statement::bind_blob(int i, const std::vector<std::uint8_t>& v) {
  // A zero-length blob must not be bound from a null pointer (that binds NULL).
  static const std::uint8_t kEmpty = 0;
  sqlite3_bind_blob(s_, i, v.empty() ? &kEmpty : v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

int Statement::step() { return sqlite3_step(s_); }

bool Statement::row() { return sqlite3_step(s_) == SQLITE_ROW; }

Status Statement::run() {
  const int rc = sqlite3_step(s_);
  sqlite3_reset(s_);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error(Errc::io_error, std::string(what_) + ": " + sqlite_reason(db_));
  return {};
}

std::string Statement::text(int c) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
}

std::int64_t Statement::integer(int c) const { return sqlite3_column_int64(s_, c); }

bool Statement::is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }

std::vector<std::uint8_t> Statement::blob(int c) const {
  auto p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_, c));
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(s_, c));
  return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}

}  // namespace isodrv::dbutil
