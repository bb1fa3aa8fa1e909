// Cost of the C ABI (libisodrv.so) against the C++ API it sits on and raw SQLite, in one run:
// IoOpenDriverRegistryKey(Parameters) + ZwQueryValueKey + ZwClose, against
// Session::open_driver_key + query_value, against one prepared SQLite statement that finds the
// same value (Services\<svc>\Parameters, value Speed) with no registry layer at all.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "isodrv/api.h"
#include "isodrv/registry.h"
#include "isodrv/win/ntddk.h"

namespace fs = std::filesystem;
namespace api = isodrv::api;
namespace reg = isodrv::registry;

namespace {

constexpr int kServices = 1000;

std::string service(int i) {
  std::string s = std::to_string(i);
  return "bench" + std::string(4 - s.size(), '0') + s;
}

struct Machine {
  std::string dir;
  reg::Registry registry;
  std::unique_ptr<api::Session> session;
  std::vector<PDRIVER_OBJECT> drivers;
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  std::int64_t services_id = 0;

  Machine() {
    static std::mt19937_64 rng{std::random_device{}()};
    dir = (fs::temp_directory_path() / ("isodrv-capi-bench-" + std::to_string(rng()))).string();
    registry = std::move(reg::Registry::open_root(dir)).value();
    auto tx = std::move(registry.begin()).value();
    for (int i = 0; i < kServices; ++i) {
      auto svc = std::move(registry.open_key("HKLM\\SYSTEM\\CurrentControlSet\\Services\\" + service(i), isodrv::registry::Disposition::open_always)).value();
      (void)svc.set_string("ImagePath", "\\SystemRoot\\System32\\drivers\\" + service(i) + ".sys");
      (void)std::move(svc.open_subkey("Parameters", isodrv::registry::Disposition::open_always)).value().set_dword("Speed", i);
    }
    (void)tx.commit();
    session = std::make_unique<api::Session>(registry, dir);
    for (int i = 0; i < kServices; ++i) {
      std::u16string w(service(i).begin(), service(i).end());
      drivers.push_back(IsodrvBindDriver(dir.c_str(), w.c_str()));
    }
    sqlite3_open_v2((dir + "/registry.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    services_id = id_of("HKLM\\SYSTEM\\CurrentControlSet\\Services");
    sqlite3_prepare_v2(db,
                       "SELECT v.data FROM reg_keys s JOIN reg_keys p ON p.parent = s.id AND p.folded = ? "
                       "JOIN reg_values v ON v.key = p.id AND v.folded = ? WHERE s.parent = ? AND s.folded = ?",
                       -1, &stmt, nullptr);
  }
  // The row id of a key, walked once with plain SQL (setup only).
  std::int64_t id_of(const std::string& path) {
    std::int64_t id = 0;
    std::size_t start = 0;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT id FROM reg_keys WHERE parent = ? AND folded = ?", -1, &s, nullptr);
    std::string p = "HKEY_LOCAL_MACHINE" + path.substr(4);
    while (start <= p.size()) {
      std::size_t cut = p.find('\\', start);
      std::string part = reg::fold_name(p.substr(start, cut == std::string::npos ? std::string::npos : cut - start));
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, id);
      sqlite3_bind_text(s, 2, part.c_str(), -1, SQLITE_TRANSIENT);
      id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
      if (cut == std::string::npos) break;
      start = cut + 1;
    }
    sqlite3_finalize(s);
    return id;
  }
  ~Machine() {
    for (auto* d : drivers) IsodrvUnbindDriver(d);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    session.reset();
    registry = reg::Registry();
    fs::remove_all(dir);
  }
};

Machine& machine() {
  static Machine m;
  return m;
}

int next(int& i) { return i = (i + 7) % kServices; }

void BM_CApi_OpenQueryClose(benchmark::State& st) {
  auto& m = machine();
  UNICODE_STRING name;
  RtlInitUnicodeString(&name, u"Speed");
  alignas(8) UCHAR buf[32];
  ULONG len = 0;
  int i = 0;
  for (auto _ : st) {
    HANDLE h = nullptr;
    IoOpenDriverRegistryKey(m.drivers[next(i)], DriverRegKeyParameters, KEY_READ, 0, &h);
    benchmark::DoNotOptimize(ZwQueryValueKey(h, &name, KeyValuePartialInformation, buf, sizeof buf, &len));
    ZwClose(h);
  }
}
BENCHMARK(BM_CApi_OpenQueryClose);

void BM_CppApi_OpenQuery(benchmark::State& st) {
  auto& s = *machine().session;
  int i = 0;
  for (auto _ : st) {
    auto k = s.open_driver_key(service(next(i)), api::DriverKeyType::parameters, api::Disposition::open_existing);
    benchmark::DoNotOptimize(k->query_value("Speed"));
  }
}
BENCHMARK(BM_CppApi_OpenQuery);

void BM_RawSqlite_Query(benchmark::State& st) {
  auto& m = machine();
  std::string params = reg::fold_name("Parameters"), speed = reg::fold_name("Speed");
  int i = 0;
  for (auto _ : st) {
    std::string svc = reg::fold_name(service(next(i)));
    sqlite3_reset(m.stmt);
    sqlite3_bind_text(m.stmt, 1, params.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(m.stmt, 2, speed.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(m.stmt, 3, m.services_id);
    sqlite3_bind_text(m.stmt, 4, svc.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(m.stmt) == SQLITE_ROW) benchmark::DoNotOptimize(sqlite3_column_blob(m.stmt, 0));
  }
}
BENCHMARK(BM_RawSqlite_Query);

// The handle opened once, then the query a driver repeats.
void BM_CApi_QueryOnly(benchmark::State& st) {
  auto& m = machine();
  UNICODE_STRING name;
  RtlInitUnicodeString(&name, u"Speed");
  HANDLE h = nullptr;
  IoOpenDriverRegistryKey(m.drivers[1], DriverRegKeyParameters, KEY_READ, 0, &h);
  alignas(8) UCHAR buf[32];
  ULONG len = 0;
  for (auto _ : st) benchmark::DoNotOptimize(ZwQueryValueKey(h, &name, KeyValuePartialInformation, buf, sizeof buf, &len));
  ZwClose(h);
}
BENCHMARK(BM_CApi_QueryOnly);

void BM_CppApi_QueryOnly(benchmark::State& st) {
  auto k = std::move(machine().session->open_driver_key(service(1), api::DriverKeyType::parameters)).value();
  for (auto _ : st) benchmark::DoNotOptimize(k.query_value("Speed"));
}
BENCHMARK(BM_CppApi_QueryOnly);

}  // namespace

BENCHMARK_MAIN();
