// Software components and software installs ([DDInstall.Components] AddComponent,
// [DDInstall.Software] AddSoftware): the handlers the installer's directive table calls, and the
// readers `device show` uses. Logic in components.cpp and software.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devinst/engine_impl.h"

namespace isodrv::devinst {

// What a directive handler outside the installer needs of the install it runs in.
struct DirectiveSite {
  Engine::Impl& engine;
  const detail::Loaded& pkg;
  const inf::Line& line;             // the directive
  const std::string& instance_id;    // the device being installed ("" for a primitive driver)
  std::int64_t install_id;
  Engine::Impl::Ending ending;      // dry_run: nothing is written, the diff is filled
  std::vector<std::string>& notes;
  std::vector<detail::Diff>& diffs;  // filled during a dry run
};

// Where a directive's record came from: the INF's Windows path in the driver store and the line.
std::string recorded_source(const DirectiveSite& site);

// AddComponent = name, [flags], component-install-section: creates the child device
// SWD\DRIVERENUM\<name>&<depth>&<parent hash>&<n> with hardware IDs SWC\<ComponentID>, records it
// as the installing device's child, and queues it for its own driver (pending_components).
Status apply_add_component(const DirectiveSite& site);
// AddSoftware = name, [flags], software-install-section: records the software install.
Status apply_add_software(const DirectiveSite& site);

// `device show`: the device's place in the tree and its install's software records.
void read_component_links(Engine::Impl& e, DeviceInfo& info);
void read_software(Engine::Impl& e, std::int64_t install_id, DeviceInfo& info);

}  // namespace isodrv::devinst
