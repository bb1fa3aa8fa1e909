// Cost of the state-location API: resolve + open + one value query for the device, driver and
// interface keys, against opening the same key by its full path in the registry (the baseline).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <string>

#include "isodrv/api.h"
#include "isodrv/registry.h"

namespace fs = std::filesystem;
namespace api = isodrv::api;
namespace reg = isodrv::registry;

namespace {

// A machine of this many devices, each with a driver, a service and an interface, so that lookups
// run against tables of a realistic size rather than a nearly empty database.
constexpr int kDevices = 1000;
constexpr const char* kClassGuid = "{4d36e97d-e325-11ce-bfc1-08002be10318}";
constexpr const char* kItfGuid = "{6bdd1fc6-810f-11d0-bec7-08002be2092f}";
const std::string kCcs = "HKLM\\SYSTEM\\CurrentControlSet";

std::string num(int i, int width) {
  std::string s = std::to_string(i);
  int pad = width - static_cast<int>(s.size());
  return std::string(pad > 0 ? pad : 0, '0') + s;
}
std::string device(int i) { return "ROOT\\BENCH" + num(i, 4) + "\\0000"; }
std::string service(int i) { return "bench" + num(i, 4); }
std::string link(int i) { return "\\\\?\\ROOT#BENCH" + num(i, 4) + "#0000#" + kItfGuid; }

struct Machine {
  std::string dir;
  reg::Registry registry;
  std::unique_ptr<api::Session> session;

  Machine() {
    static std::mt19937_64 rng{std::random_device{}()};
    dir = (fs::temp_directory_path() / ("isodrv-api-bench-" + std::to_string(rng()))).string();
    registry = std::move(reg::Registry::open_root(dir)).value();
    auto tx = std::move(registry.begin()).value();
    for (int i = 0; i < kDevices; ++i) {
      std::string driver = std::string(kClassGuid) + "\\" + num(i, 4);
      auto dev = std::move(registry.open_key(kCcs + "\\Enum\\" + device(i), isodrv::registry::Disposition::open_always)).value();
      (void)dev.set_string("Driver", driver);
      (void)dev.set_string("Service", service(i));
      (void)std::move(dev.open_subkey("Device Parameters", isodrv::registry::Disposition::open_always)).value().set_dword("Gain", i);
      (void)std::move(registry.open_key(kCcs + "\\Control\\Class\\" + driver, isodrv::registry::Disposition::open_always)).value().set_string("DriverDesc", "d");
      auto svc = std::move(registry.open_key(kCcs + "\\Services\\" + service(i), isodrv::registry::Disposition::open_always)).value();
      (void)svc.set_string("ImagePath", "\\SystemRoot\\System32\\drivers\\" + service(i) + ".sys");
      (void)std::move(svc.open_subkey("Parameters", isodrv::registry::Disposition::open_always)).value().set_dword("Speed", i);
      (void)std::move(svc.open_subkey("State", isodrv::registry::Disposition::open_always)).value().set_dword("Other", i);
      std::string itf = kCcs + "\\Control\\DeviceClasses\\" + kItfGuid + "\\##?#ROOT#BENCH" + num(i, 4) + "#0000#" +
                        kItfGuid + "\\#\\Device Parameters";
      (void)std::move(registry.open_key(itf, isodrv::registry::Disposition::open_always)).value().set_dword("Volume", i);
    }
    (void)tx.commit();
    session = std::make_unique<api::Session>(registry, dir);
  }
  ~Machine() {
    session.reset();
    registry = reg::Registry();
    fs::remove_all(dir);
  }
};

Machine& machine() {
  static Machine m;
  return m;
}

// Cycles through the devices so that no single row stays hot in SQLite's page cache position.
int next(int& i) { return i = (i + 7) % kDevices; }

void BM_DeviceKey_Hardware(benchmark::State& st) {
  auto& s = *machine().session;
  int i = 0;
  for (auto _ : st) {
    auto k = s.open_device_key(device(next(i)), api::DeviceKeyType::hardware, api::Disposition::open_existing);
    benchmark::DoNotOptimize(k->get_dword("Gain"));
  }
}
BENCHMARK(BM_DeviceKey_Hardware);

void BM_DeviceKey_Software(benchmark::State& st) {
  auto& s = *machine().session;
  int i = 0;
  for (auto _ : st) {
    auto k = s.open_device_key(device(next(i)), api::DeviceKeyType::software, api::Disposition::open_existing);
    benchmark::DoNotOptimize(k->get_string("DriverDesc"));
  }
}
BENCHMARK(BM_DeviceKey_Software);

void BM_DriverKey_Parameters(benchmark::State& st) {
  auto& s = *machine().session;
  int i = 0;
  for (auto _ : st) {
    auto k = s.open_driver_key(service(next(i)), api::DriverKeyType::parameters, api::Disposition::open_existing);
    benchmark::DoNotOptimize(k->get_dword("Speed"));
  }
}
BENCHMARK(BM_DriverKey_Parameters);

void BM_InterfaceKey(benchmark::State& st) {
  auto& s = *machine().session;
  int i = 0;
  for (auto _ : st) {
    auto k = s.open_interface_key(link(next(i)), api::Disposition::open_existing);
    benchmark::DoNotOptimize(k->get_dword("Volume"));
  }
}
BENCHMARK(BM_InterfaceKey);

// Handles opened once, then the override-or-default read a driver does on every query.
void BM_QueryValueWithFallback(benchmark::State& st) {
  auto& s = *machine().session;
  auto state = std::move(s.open_driver_key(service(1), api::DriverKeyType::persistent_state)).value();
  auto params = std::move(s.open_driver_key(service(1), api::DriverKeyType::parameters)).value();
  for (auto _ : st) benchmark::DoNotOptimize(api::query_value_with_fallback(state, params, "Speed"));
}
BENCHMARK(BM_QueryValueWithFallback);

// Baseline: the hardware key opened by its full path, with no funnel, then the same query.
void BM_Baseline_OpenKeyByPath(benchmark::State& st) {
  auto& r = machine().registry;
  int i = 0;
  for (auto _ : st) {
    auto k = r.open_key(kCcs + "\\Enum\\" + device(next(i)) + "\\Device Parameters");
    benchmark::DoNotOptimize(k->get_dword("Gain"));
  }
}
BENCHMARK(BM_Baseline_OpenKeyByPath);

// A directory that exists: path mapping, confinement check (canonical paths) and stat.
void BM_DeviceDirectory(benchmark::State& st) {
  auto& s = *machine().session;
  for (int i = 0; i < kDevices; ++i) (void)s.device_directory(device(i));
  int i = 0;
  for (auto _ : st) benchmark::DoNotOptimize(s.device_directory(device(next(i)), api::Disposition::open_existing));
}
BENCHMARK(BM_DeviceDirectory);

}  // namespace

BENCHMARK_MAIN();
