// Registry operation costs (create/open/set/query, a 10^6-value bulk set in one transaction)
// against raw SQLite statements on an equivalent table as the baseline, measured in the same run.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "isodrv/registry.h"

namespace fs = std::filesystem;
namespace reg = isodrv::registry;

namespace {

constexpr int kBulkValues = 1000000;

std::string fresh_dir(const char* tag) {
  static std::mt19937_64 rng{std::random_device{}()};
  auto d = fs::temp_directory_path() / (std::string("isodrv-bench-") + tag + "-" + std::to_string(rng()));
  fs::create_directories(d);
  return d.string();
}

std::string value_name(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "Value%07d", i);
  return buf;
}

struct TempRegistry {
  std::string dir = fresh_dir("reg");
  reg::Registry r = std::move(reg::Registry::open(dir + "/registry.db")).value();
  ~TempRegistry() {
    r = reg::Registry();
    fs::remove_all(dir);
  }
};

// The baseline: the same rows in a table with the same columns and unique index, written by one
// prepared statement, with the same pragmas. No handle checks, no folding, no last-write time.
struct RawDb {
  std::string dir = fresh_dir("raw");
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* select = nullptr;
  RawDb() {
    sqlite3_open((dir + "/raw.db").c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE v(id INTEGER PRIMARY KEY, key INTEGER NOT NULL, name TEXT NOT NULL,"
                 " folded TEXT NOT NULL, type INTEGER NOT NULL, data BLOB NOT NULL);"
                 "CREATE UNIQUE INDEX v_name ON v(key, folded);",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO v(key, name, folded, type, data) VALUES(?1, ?2, ?3, ?4, ?5)", -1, &insert,
                       nullptr);
    sqlite3_prepare_v2(db, "SELECT type, data FROM v WHERE key=?1 AND folded=?2", -1, &select, nullptr);
  }
  ~RawDb() {
    sqlite3_finalize(insert);
    sqlite3_finalize(select);
    sqlite3_close(db);
    fs::remove_all(dir);
  }
  void put(int i) {
    std::string name = value_name(i);
    std::uint32_t data = static_cast<std::uint32_t>(i);
    sqlite3_bind_int64(insert, 1, 7);
    sqlite3_bind_text(insert, 2, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 4, reg::kRegDword);
    sqlite3_bind_blob(insert, 5, &data, 4, SQLITE_TRANSIENT);
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
};

void BM_RawSqliteInsert1M(benchmark::State& state) {
  for (auto _ : state) {
    RawDb raw;
    auto t0 = std::chrono::steady_clock::now();
    sqlite3_exec(raw.db, "BEGIN", nullptr, nullptr, nullptr);
    for (int i = 0; i < kBulkValues; ++i) raw.put(i);
    sqlite3_exec(raw.db, "COMMIT", nullptr, nullptr, nullptr);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations() * kBulkValues);
}
BENCHMARK(BM_RawSqliteInsert1M)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_RegistrySetValue1M(benchmark::State& state) {
  for (auto _ : state) {
    TempRegistry t;
    auto key = std::move(t.r.open_key("HKLM\\SOFTWARE\\Bench", isodrv::registry::Disposition::open_always)).value();
    auto t0 = std::chrono::steady_clock::now();
    auto tx = std::move(t.r.begin()).value();
    for (int i = 0; i < kBulkValues; ++i) {
      if (!key.set_dword(value_name(i), static_cast<std::uint32_t>(i))) state.SkipWithError("set_dword failed");
    }
    if (!tx.commit()) state.SkipWithError("commit failed");
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations() * kBulkValues);
}
BENCHMARK(BM_RegistrySetValue1M)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// Per-operation costs on a populated key (10^5 values), all inside one open transaction so that
// commit cost is not measured.
void BM_RawSqliteQuery(benchmark::State& state) {
  RawDb raw;
  sqlite3_exec(raw.db, "BEGIN", nullptr, nullptr, nullptr);
  for (int i = 0; i < 100000; ++i) raw.put(i);
  int i = 0;
  for (auto _ : state) {
    std::string name = value_name(i++ % 100000);
    sqlite3_bind_int64(raw.select, 1, 7);
    sqlite3_bind_text(raw.select, 2, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(raw.select) == SQLITE_ROW) {
      benchmark::DoNotOptimize(sqlite3_column_blob(raw.select, 1));
    }
    sqlite3_reset(raw.select);
  }
  sqlite3_exec(raw.db, "COMMIT", nullptr, nullptr, nullptr);
}
BENCHMARK(BM_RawSqliteQuery);

void BM_RegistryQueryValue(benchmark::State& state) {
  TempRegistry t;
  auto key = std::move(t.r.open_key("HKLM\\SOFTWARE\\Bench", isodrv::registry::Disposition::open_always)).value();
  auto tx = std::move(t.r.begin()).value();
  for (int i = 0; i < 100000; ++i) (void)key.set_dword(value_name(i), i);
  int i = 0;
  for (auto _ : state) {
    auto v = key.query_value(value_name(i++ % 100000));
    benchmark::DoNotOptimize(v);
  }
  (void)tx.commit();
}
BENCHMARK(BM_RegistryQueryValue);

void BM_RawSqliteInsert(benchmark::State& state) {
  RawDb raw;
  sqlite3_exec(raw.db, "BEGIN", nullptr, nullptr, nullptr);
  int i = 0;
  for (auto _ : state) raw.put(i++);
  sqlite3_exec(raw.db, "COMMIT", nullptr, nullptr, nullptr);
}
BENCHMARK(BM_RawSqliteInsert);

void BM_RegistrySetValue(benchmark::State& state) {
  TempRegistry t;
  auto key = std::move(t.r.open_key("HKLM\\SOFTWARE\\Bench", isodrv::registry::Disposition::open_always)).value();
  auto tx = std::move(t.r.begin()).value();
  int i = 0;
  for (auto _ : state) {
    (void)key.set_dword(value_name(i), static_cast<std::uint32_t>(i));
    ++i;
  }
  (void)tx.commit();
}
BENCHMARK(BM_RegistrySetValue);

// Creating a subkey: a lookup, an insert and the parent's last-write time.
void BM_RegistryCreateKey(benchmark::State& state) {
  TempRegistry t;
  auto key = std::move(t.r.open_key("HKLM\\SOFTWARE\\Bench", isodrv::registry::Disposition::open_always)).value();
  auto tx = std::move(t.r.begin()).value();
  int i = 0;
  for (auto _ : state) {
    auto k = key.open_subkey(value_name(i++), isodrv::registry::Disposition::open_always);
    benchmark::DoNotOptimize(k);
  }
  (void)tx.commit();
}
BENCHMARK(BM_RegistryCreateKey);

// Opening an existing key by its full path (root + 5 components).
void BM_RegistryOpenKeyFullPath(benchmark::State& state) {
  TempRegistry t;
  (void)t.r.open_key("HKLM\\SYSTEM\\CurrentControlSet\\Services\\quokka\\Parameters", isodrv::registry::Disposition::open_always);
  for (auto _ : state) {
    auto k = t.r.open_key("HKLM\\SYSTEM\\CurrentControlSet\\Services\\quokka\\Parameters");
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_RegistryOpenKeyFullPath);

// A single set_value outside any transaction: one durable commit (WAL, synchronous=NORMAL).
void BM_RegistrySetValueAutocommit(benchmark::State& state) {
  TempRegistry t;
  auto key = std::move(t.r.open_key("HKLM\\SOFTWARE\\Bench", isodrv::registry::Disposition::open_always)).value();
  int i = 0;
  for (auto _ : state) {
    (void)key.set_dword(value_name(i % 1000), static_cast<std::uint32_t>(i));
    ++i;
  }
}
BENCHMARK(BM_RegistrySetValueAutocommit);

}  // namespace

BENCHMARK_MAIN();
