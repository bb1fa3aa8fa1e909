// What becomes of the state folders the API hands out once their owner is gone: a service's
// Windows\ServiceState\<svc> (Data, SharedData) lives as long as its Services\<svc> key, a
// device's Windows\DeviceState\<id>\Data as long as its device node. Uninstall, device removal and
// driver delete sweep the folders whose owner they removed; store verify reports any left over.
#include <algorithm>
#include <filesystem>

#include "devinst/engine_impl.h"

namespace isodrv::devinst {
namespace fs = std::filesystem;

namespace {

// The folder name of a device's state is its instance ID with '\' written as '#'.
std::string instance_id_of(std::string folder) {
  for (auto& c : folder) {
    if (c == '#') c = '\\';
  }
  return folder;
}

}  // namespace

std::vector<std::string> Engine::Impl::orphaned_state_folders() {
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path services = store::host_folder(root, store::kServiceStateFolder);
  for (const auto& e : fs::directory_iterator(services, ec)) {
    const std::string name = e.path().filename().string();
    if (!reg.open_key(std::string(kControlSet) + "\\Services\\" + name)) out.push_back(e.path().string());
  }
  const fs::path devices = store::host_folder(root, store::kDeviceStateFolder);
  for (const auto& e : fs::directory_iterator(devices, ec)) {
    const std::string id = instance_id_of(e.path().filename().string());
    if (!reg.open_key(std::string(kControlSet) + "\\Enum\\" + id)) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Engine::Impl::sweep_state_folders() {
  // After the owner's removal committed: a failure here leaves a folder store verify reports, and
  // the next uninstall, removal or delete sweeps it again.
  std::error_code ec;
  for (const auto& dir : orphaned_state_folders()) fs::remove_all(dir, ec);
}

Result<std::vector<std::string>> Engine::orphaned_state_folders() const { return impl_->orphaned_state_folders(); }

}  // namespace isodrv::devinst
