// One wording for SQLite failures in every database of the store (registry, driver store, devices):
// SQLite's message plus the system's errno words, and an I/O code when the disk said no.
#pragma once

#include <sqlite3.h>

#include <cstring>
#include <string>

#include "isodrv/result.h"

namespace isodrv::dbutil {

// "database or disk is full (No space left on device)"; `fallback` is used when SQLite has no text.
inline std::string sqlite_reason(sqlite3* db, const char* fallback = nullptr) {
  if (!db) return "out of memory";
  std::string msg = fallback ? fallback : sqlite3_errmsg(db);
  if (const int sys = sqlite3_system_errno(db); sys != 0) msg += std::string(" (") + std::strerror(sys) + ")";
  return msg;
}

// Full disk, I/O errors, read-only or unopenable files are the system refusing: Errc::io_error
// (exit 3). Anything else keeps the caller's code.
inline Errc sqlite_errc(sqlite3* db, Errc otherwise) {
  if (!db) return Errc::not_enough_memory;
  switch (sqlite3_errcode(db) & 0xFF) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Errc::io_error;
    default:
      return otherwise;
  }
}

}  // namespace isodrv::dbutil
