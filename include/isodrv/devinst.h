// The device-installation engine: simulated device nodes, choosing the best staged driver for a
// device, applying its install sections to the registry and the Windows tree, and undoing them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "isodrv/ranking.h"
#include "isodrv/result.h"
#include "isodrv/store.h"

namespace isodrv::devinst {

// A device as a bus driver would report it.
struct DeviceSpec {
  std::string instance_id;                  // e.g. ROOT\ECHO\0000
  std::vector<std::string> hardware_ids;    // most specific first
  std::vector<std::string> compatible_ids;
};

// Parses a MACHINE.json (DESIGN.md §4): an array of {"instance_id","hardware_ids","compatible_ids"}.
Result<std::vector<DeviceSpec>> parse_machine_json(std::string_view text, const std::string& file_name);

// Registry paths (DESIGN.md §2, registry-layout.md §1). Key paths start with "HKLM\".
inline constexpr const char* kControlSet = "HKLM\\SYSTEM\\CurrentControlSet";
std::string enum_key_path(std::string_view instance_id);       // …\Enum\<id>
std::string hardware_key_path(std::string_view instance_id);   // …\Enum\<id>\Device Parameters
std::string service_key_path(std::string_view service);        // …\Services\<name>
std::string class_key_path(std::string_view class_guid);       // …\Control\Class\{guid}
// "\\?\<id with \ as #>#{guid}[\ref]" and its DeviceClasses key "…\{guid}\##?#…#{guid}\#<ref>".
std::string interface_symbolic_link(std::string_view instance_id, std::string_view guid, std::string_view ref);
std::string interface_key_path(std::string_view instance_id, std::string_view guid, std::string_view ref);

// The driver a device runs.
struct InstalledDriver {
  std::string published_name;  // oemN.inf
  std::string folder;          // FileRepository folder
  std::string ddinstall;       // the decorated section applied, e.g. Echo_Device.NT
  std::uint32_t rank = 0;
  std::string matching_id;     // the device ID that matched (lower case, as MatchingDeviceId)
};

// A property in the PnP property store of a device, an interface or a setup class
// (AddProperty; docs/devinst.md "Device properties").
struct DeviceProperty {
  std::string fmtid;                // braced lower-case GUID
  std::uint32_t pid = 0;
  std::string name;                 // DEVPKEY_* when the key is a known one, else ""
  std::uint32_t type = 0;           // DEVPROPTYPE
  std::vector<std::uint8_t> data;   // as IoGetDevicePropertyData returns it
  std::vector<std::string> text;    // decoded for display (one entry per list element)
};
struct InterfaceProperties {
  std::string symbolic_link;
  std::vector<DeviceProperty> properties;
};

struct DeviceInfo {
  std::string instance_id;
  std::vector<std::string> hardware_ids, compatible_ids;
  std::optional<InstalledDriver> driver;
  std::optional<InstalledDriver> backup;   // the previous driver, for rollback
  std::string service, class_guid;
  std::string hardware_key, software_key;  // "" when not created
  std::vector<std::string> interfaces;     // symbolic links
  std::vector<std::string> files;          // Windows paths of the files the driver uses
  std::vector<std::string> extensions;     // published names of extension packages applied
  std::vector<DeviceProperty> properties;  // the device's property store, by fmtid then pid
  std::vector<InterfaceProperties> interface_properties;  // interfaces that have properties
};

struct InstallOptions {
  std::string inf;       // restrict to one staged package (oemN.inf); empty: rank every package
  bool dry_run = false;  // apply, report the changes, then roll everything back
};

struct InstallReport {
  std::string instance_id;
  InstalledDriver driver;
  bool changed = false;                  // false when the device already ran exactly this driver
  std::optional<InstalledDriver> replaced;  // the driver it replaced (kept as the backup)
  std::vector<std::string> notes;        // things reported, not guessed (unavailable Needs sections …)
  std::vector<std::string> side_effects; // non-isolated effects: files copied outside the store
  std::string diff;                      // .reg-style diff of every registry and file change
};

// One engine per store root. Every operation that changes something commits whole or not at all:
// registry changes, device records and undo records share one SQLite transaction.
class Engine {
 public:
  static Result<Engine> open(const std::string& root);
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // Devices.
  Status add_device(const DeviceSpec& spec);
  Status add_devices(const std::vector<DeviceSpec>& specs);  // all or none
  // Uninstalls the device's driver (if any) and deletes its device node.
  Status remove_device(const std::string& instance_id);
  Result<std::vector<DeviceInfo>> list_devices() const;
  Result<DeviceInfo> device(const std::string& instance_id) const;

  // Installs the best driver (or the one in opts.inf) on a device. A device that runs another
  // driver is moved: the old one is undone first and kept as the backup.
  Result<InstallReport> install(const std::string& instance_id, const InstallOptions& opts = {});
  // Removes the device's driver, returning the registry and files to their state before it.
  Status uninstall(const std::string& instance_id);
  // Reinstalls the backup driver (the current one becomes the backup).
  Result<InstallReport> rollback(const std::string& instance_id);

  // `driver add --install`: installs `published_name` on every device it now ranks best for, one
  // device after the other inside one transaction. Returns the devices it was installed on. An
  // extension INF is applied by reinstalling the current driver of every device it matches; a
  // primitive driver (no Models, a [DefaultInstall.NT<arch>] section) is installed once, with no
  // device (its report has an empty instance_id).
  Result<std::vector<InstallReport>> install_on_matching(const std::string& published_name);
  // `driver delete --uninstall`: moves every device off `published_name` to its next best driver
  // (or none), and with Removal::delete_package deletes the package from the store in the same
  // commit. Returns the devices moved.
  enum class Removal { keep_package, delete_package };
  Result<std::vector<std::string>> move_devices_off(const std::string& published_name,
                                                    Removal removal = Removal::keep_package);

  // A driver's state folders live as long as their owner: Windows\ServiceState\<svc> while the
  // key Services\<svc> exists, Windows\DeviceState\<id> while the device node exists. uninstall,
  // remove_device and move_devices_off delete the folders whose owner they removed; this lists any
  // that are left (host paths, sorted), for `store verify`.
  Result<std::vector<std::string>> orphaned_state_folders() const;
  // For `store verify`: every file an install placed outside the driver store that is missing (the
  // install and undo records name them), and every copy of a staged package's file in the Windows
  // tree that no install placed (what a lost operation would leave behind).
  Result<std::vector<store::VerifyProblem>> verify_placed_files() const;

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace isodrv::devinst
