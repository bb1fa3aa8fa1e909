// The isolation audit's records in registry.db, and the advice that names the state API a driver
// should use instead of an absolute path.
#include "isodrv/audit.h"

#include <sqlite3.h>

#include <ctime>

#include "registry/statement.h"

namespace isodrv::audit {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS isolation_audit(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  subject TEXT NOT NULL,
  call TEXT NOT NULL,
  path TEXT NOT NULL,
  alternative TEXT NOT NULL,
  kind TEXT NOT NULL,
  denied INTEGER NOT NULL,
  return_address INTEGER NOT NULL
);)";

constexpr Kind kKinds[] = {Kind::registry_absolute, Kind::registry_relative, Kind::registry_write,
                           Kind::file_absolute, Kind::file_write};

std::string folded(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 0x20);
  }
  return out;
}

bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

Error db_error(sqlite3* db, const char* what) {
  return Error(Errc::io_error, std::string("isolation audit: ") + what + ": " + sqlite3_errmsg(db));
}

bool table_exists(sqlite3* db) {
  dbutil::Statement s(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='isolation_audit'", "isolation audit");
  return s.valid() && s.row();
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::registry_absolute: return "registry-absolute";
    case Kind::registry_relative: return "registry-relative";
    case Kind::registry_write: return "registry-write";
    case Kind::file_absolute: return "file-absolute";
    case Kind::file_write: return "file-write";
  }
  return "unknown";
}

// The locations of registry-layout.md §1, recognised in the folded path, each with the routine
// that reaches it from a handle the OS hands the driver.
std::string registry_alternative(std::string_view path, CallerMode mode) {
  const bool user_mode = mode == CallerMode::user;
  std::string p = folded(path);
  if (contains(p, "\\SERVICES\\") && contains(p, "\\PARAMETERS")) {
    return user_mode ? "use GetServiceRegistryStateKey(ServiceRegistryStateParameters)"
                     : "use IoOpenDriverRegistryKey(DriverRegKeyParameters)";
  }
  // The service key itself (DriverEntry's RegistryPath): its settings are in Parameters, and what
  // the driver writes belongs in its persistent state.
  if (auto svc = p.find("\\SERVICES\\"); svc != std::string::npos &&
                                              p.find('\\', svc + 10) == std::string::npos) {
    return user_mode ? "use GetServiceRegistryStateKey (ServiceRegistryStateParameters to read settings, "
                       "ServiceRegistryStatePersistent for state)"
                     : "use IoOpenDriverRegistryKey (DriverRegKeyParameters to read settings, "
                       "DriverRegKeyPersistentState for state)";
  }
  if (contains(p, "\\CONTROL\\DEVICECLASSES\\")) {
    return user_mode ? "use CM_Open_Device_Interface_KeyW" : "use IoOpenDeviceInterfaceRegistryKey";
  }
  if (contains(p, "\\CONTROL\\CLASS\\")) {
    return user_mode ? "use CM_Open_DevNode_Key(CM_REGISTRY_SOFTWARE)"
                     : "use IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DRIVER)";
  }
  if (contains(p, "\\ENUM\\")) {
    return user_mode ? "use CM_Open_DevNode_Key(CM_REGISTRY_HARDWARE)"
                     : "use IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DEVICE)";
  }
  // Anything else the driver keeps (the service key itself, SOFTWARE\<Vendor> …) is mutable state.
  return user_mode ? "use GetServiceRegistryStateKey(ServiceRegistryStatePersistent)"
                   : "use IoOpenDriverRegistryKey(DriverRegKeyPersistentState)";
}

std::string file_alternative(std::string_view path, CallerMode mode) {
  const bool user_mode = mode == CallerMode::user;
  std::string p = folded(path);
  if (contains(p, "\\DRIVERSTORE\\") || (contains(p, "\\SYSTEM32\\DRIVERS\\") && !contains(p, "\\DRIVERDATA"))) {
    return user_mode ? "use GetModuleFileName / the package's own folder"
                     : "use IoGetDriverDirectory(DriverDirectoryImage) or IoQueryFullDriverPath";
  }
  if (contains(p, "\\DEVICESTATE\\")) return "use IoGetDeviceDirectory(DeviceDirectoryData)";
  if (contains(p, "\\SHAREDDATA")) {
    return user_mode ? "use GetSharedServiceDirectory" : "use IoGetDriverDirectory(DriverDirectorySharedData)";
  }
  return user_mode ? "use GetServiceDirectory(ServiceDirectoryPersistentState)"
                   : "use IoGetDriverDirectory(DriverDirectoryData)";
}

Status append(const registry::Registry& reg, Record& record) {
  sqlite3* db = reg.connection();
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) return db_error(db, "create table");
  if (record.time.empty()) record.time = now_utc();
  dbutil::Statement s(db,
                      "INSERT INTO isolation_audit(time, subject, call, path, alternative, kind, denied, "
                      "return_address) VALUES(?,?,?,?,?,?,?,?)",
                      "isolation audit");
  if (!s.valid()) return db_error(db, "prepare");
  s.bind(1, record.time).bind(2, record.subject).bind(3, record.call).bind(4, record.path);
  s.bind(5, record.alternative).bind(6, kind_name(record.kind)).bind(7, std::int64_t{record.denied ? 1 : 0});
  s.bind(8, static_cast<std::int64_t>(record.return_address));
  if (s.step() != SQLITE_DONE) return db_error(db, "insert");
  record.id = sqlite3_last_insert_rowid(db);
  return {};
}

Result<std::vector<Record>> list(const registry::Registry& reg) {
  sqlite3* db = reg.connection();
  std::vector<Record> out;
  if (!table_exists(db)) return out;
  dbutil::Statement s(db,
                      "SELECT id, time, subject, call, path, alternative, kind, denied, return_address "
                      "FROM isolation_audit ORDER BY id",
                      "isolation audit");
  if (!s.valid()) return db_error(db, "prepare");
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    Record r;
    r.id = s.integer(0);
    r.time = s.text(1);
    r.subject = s.text(2);
    r.call = s.text(3);
    r.path = s.text(4);
    r.alternative = s.text(5);
    std::string kind = s.text(6);
    for (Kind k : kKinds) {
      if (kind_name(k) == kind) r.kind = k;
    }
    r.denied = s.integer(7) != 0;
    r.return_address = static_cast<std::uint64_t>(s.integer(8));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return db_error(db, "read");
  return out;
}

Result<std::size_t> clear(const registry::Registry& reg) {
  sqlite3* db = reg.connection();
  if (!table_exists(db)) return std::size_t{0};
  if (sqlite3_exec(db, "DELETE FROM isolation_audit", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_error(db, "clear");
  }
  return static_cast<std::size_t>(sqlite3_changes(db));
}

}  // namespace isodrv::audit
