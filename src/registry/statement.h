// The one prepared-statement wrapper over SQLite for every database below a store root (the
// registry, the driver store, the install engine's tables): binding, stepping, reading columns,
// and SQLite failures worded once (sqlite_error.h).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/result.h"

namespace isodrv::dbutil {

// How long a statement lives: prepared for one use, or kept for the life of the connection.
enum class Lifetime : std::uint8_t { once, persistent };

class Statement {
 public:
  Statement() = default;
  // Prepares `sql`; valid() is false when it did not compile. `what` names the database in errors.
  Statement(sqlite3* db, const char* sql, const char* what = "database");
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  bool prepare(sqlite3* db, const char* sql, Lifetime lifetime = Lifetime::once, const char* what = "database");
  bool valid() const { return s_ != nullptr; }

  // Resets and clears the bindings, for a statement used more than once.
  Statement& use();
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, std::int64_t v);
  Statement& bind_null(int i);
  Statement& bind_blob(int i, const std::vector<std::uint8_t>& v);

  int step();   // sqlite3_step's result
  bool row();   // steps; true while a row is available
  // Steps to completion and resets; Errc::io_error "<what>: <SQLite's reason>" on failure.
  Status run();

  std::string text(int c) const;
  std::int64_t integer(int c) const;
  bool is_null(int c) const;
  std::vector<std::uint8_t> blob(int c) const;

  void reset() { sqlite3_reset(s_); }
  void finalize();

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  const char* what_ = "database";
};

}  // namespace isodrv::dbutil
