// Device installation speed: one package installed on 10,000 devices (`driver add --install`), and
// moving all of them off it again (`driver delete --uninstall`). Target: under 5 s for the install.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "isodrv/devinst.h"
#include "isodrv/store.h"

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
  if (!st.ok() || !st->add((base / "pkg/quokka.inf").string(), {}).ok()) std::abort();
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

}  // namespace

BENCHMARK(BM_InstallOnDevices)->Arg(1000)->Arg(kDevices)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_UninstallFromDevices)->Arg(kDevices)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
