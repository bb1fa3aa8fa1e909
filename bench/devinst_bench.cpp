// Device installation speed: one package installed on 10,000 devices (`driver add --install`), and
// moving all of them off it again (`driver delete --uninstall`). Target: under 5 s for the install.
// Baseline, in the same run: raw SQLite inserts of as many rows as the install writes per device.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "isodrv/devinst.h"
#include "isodrv/store.h"
#include "../tests/support/staging.h"

namespace fs = std::filesystem;

namespace {

constexpr int kDevices = 10000;

// A fresh root with the quokka fixture staged and `n` matching devices.
fs::path prepare(int n) {
  fs::path base = fs::temp_directory_path() / ("isodrv-devinst-bench-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "pkg");
  fs::copy_file(fs::path(ISODRV_SOURCE_DIR) / "tests/devinst/fixtures/quokka/quokka.inf", base / "pkg/quokka.inf");
  std::ofstream(base / "pkg/quokka.sys") << "payload\n";
  std::ofstream(base / "pkg/quokka.cat") << "catalog\n";
  auto st = isodrv::store::Store::open((base / "root").string());
  if (!st.ok() || !st->add((base / "pkg/quokka.inf").string(), isodrv::test::staging()).ok()) std::abort();
  auto e = isodrv::devinst::Engine::open((base / "root").string());
  std::vector<isodrv::devinst::DeviceSpec> devices;
  for (int i = 0; i < n; ++i) {
    char id[64];
    std::snprintf(id, sizeof id, "ROOT\\QUOKKA\\%04d", i);
    devices.push_back({id, {"ROOT\\QUOKKA"}, {}});
  }
  if (!e.ok() || !e->add_devices(devices).ok()) std::abort();
  return base;
}

void BM_InstallOnDevices(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    fs::path base = prepare(n);
    auto e = isodrv::devinst::Engine::open((base / "root").string());
    state.ResumeTiming();
    auto r = e->install_on_matching("oem0.inf");
    state.PauseTiming();
    if (!r.ok() || static_cast<int>(r->size()) != n) state.SkipWithError("install failed");
    fs::remove_all(base);
    state.ResumeTiming();
  }
  state.counters["devices/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_UninstallFromDevices(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    fs::path base = prepare(n);
    auto e = isodrv::devinst::Engine::open((base / "root").string());
    if (!e->install_on_matching("oem0.inf").ok()) state.SkipWithError("install failed");
    state.ResumeTiming();
    auto r = e->move_devices_off("oem0.inf");
    state.PauseTiming();
    if (!r.ok() || static_cast<int>(r->size()) != n) state.SkipWithError("uninstall failed");
    fs::remove_all(base);
    state.ResumeTiming();
  }
  state.counters["devices/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

// What one install of the fixture writes per device, counted in registry.db (docs/PERFORMANCE.md):
// 6 keys, 24 values and 14 undo records. The baseline inserts that many rows per device into three
// plain tables with a unique index each, one prepared statement per table, one transaction, the same
// pragmas (WAL, synchronous=NORMAL): the floor for storing this much state in SQLite, without name
// folding, handle checks, ranking, INF reading or undo bookkeeping.
void BM_RawSqliteSameRows(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    fs::path dir = fs::temp_directory_path() / ("isodrv-devinst-raw-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    sqlite3* db = nullptr;
    sqlite3_open((dir / "raw.db").c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE k(id INTEGER PRIMARY KEY, parent INTEGER, folded TEXT NOT NULL, name TEXT NOT NULL);"
                 "CREATE UNIQUE INDEX k_name ON k(parent, folded);"
                 "CREATE TABLE v(id INTEGER PRIMARY KEY, key INTEGER NOT NULL, folded TEXT NOT NULL,"
                 " name TEXT NOT NULL, type INTEGER NOT NULL, data BLOB NOT NULL);"
                 "CREATE UNIQUE INDEX v_name ON v(key, folded);"
                 "CREATE TABLE u(id INTEGER PRIMARY KEY, install INTEGER NOT NULL, seq INTEGER NOT NULL,"
                 " path TEXT NOT NULL, name TEXT NOT NULL, data BLOB);"
                 "CREATE UNIQUE INDEX u_seq ON u(install, seq);",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt *ik = nullptr, *iv = nullptr, *iu = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO k(parent, folded, name) VALUES(?1, ?2, ?2)", -1, &ik, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO v(key, folded, name, type, data) VALUES(?1, ?2, ?2, 4, ?3)", -1, &iv, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO u(install, seq, path, name, data) VALUES(?1, ?2, ?3, ?4, ?5)", -1, &iu, nullptr);
    state.ResumeTiming();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    char name[96];
    std::int64_t key = 0;
    for (int d = 0; d < n; ++d) {
      for (int i = 0; i < 6; ++i) {
        std::snprintf(name, sizeof name, "ROOT\\QUOKKA\\%04d\\key%d", d, i);
        sqlite3_bind_int64(ik, 1, d);
        sqlite3_bind_text(ik, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_step(ik);
        sqlite3_reset(ik);
        key = sqlite3_last_insert_rowid(db);
      }
      for (int i = 0; i < 24; ++i) {
        std::snprintf(name, sizeof name, "Value%02d", i);
        const std::uint32_t data = static_cast<std::uint32_t>(i);
        sqlite3_bind_int64(iv, 1, key - (i % 6));
        sqlite3_bind_text(iv, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(iv, 3, &data, 4, SQLITE_TRANSIENT);
        sqlite3_step(iv);
        sqlite3_reset(iv);
      }
      for (int i = 0; i < 14; ++i) {
        std::snprintf(name, sizeof name, "HKLM\\SYSTEM\\CurrentControlSet\\Enum\\ROOT\\QUOKKA\\%04d", d);
        sqlite3_bind_int64(iu, 1, d);
        sqlite3_bind_int64(iu, 2, i);
        sqlite3_bind_text(iu, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(iu, 4, "Value", -1, SQLITE_STATIC);
        sqlite3_bind_null(iu, 5);
        sqlite3_step(iu);
        sqlite3_reset(iu);
      }
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    state.PauseTiming();
    sqlite3_finalize(ik);
    sqlite3_finalize(iv);
    sqlite3_finalize(iu);
    sqlite3_close(db);
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["devices/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(BM_RawSqliteSameRows)->Arg(kDevices)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_InstallOnDevices)->Arg(1000)->Arg(kDevices)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_UninstallFromDevices)->Arg(kDevices)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
