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

// A software install an AddSoftware directive asked for ([DDInstall.Software]): recorded with its
// identity, never executed (docs/devinst.md "Software components").
struct SoftwareInstall {
  std::string name;             // AddSoftware's first field
  std::uint32_t flags = 0;      // 0: once per name, 1: once per component device
  std::uint32_t type = 0;       // SoftwareType: 1 MSI/EXE from the driver store, 2 Microsoft Store app
  std::string software_id;      // type 2: the Store link (pfn://…)
  std::string version;          // SoftwareVersion
  std::string binary;           // type 1: the Windows path of SoftwareBinary
  std::string arguments;        // SoftwareArguments, <<DeviceInstanceID>> replaced
  std::string source;           // "file:line" of the AddSoftware directive
};

// An entry of a component-install-section other than ComponentIDs and Description: Windows
// ignores it; isodrv keeps it with the child so that `device show` can say so.
struct ComponentEntry {
  std::string text;             // "Key = a, b" as written (fields substituted)
  std::string source;           // "file:line"
};

// The AddComponent directive that created a software-component device ([DDInstall.Components]).
struct ComponentOrigin {
  std::string name;             // ComponentName
  std::uint32_t flags = 0;
  std::string section;          // the component-install-section
  std::string source;           // "file:line" of the AddComponent directive
  std::vector<ComponentEntry> ignored;  // the section's other entries (not applied, as on Windows)
};

struct DeviceInfo {
  std::string instance_id;
  // The device tree: a software-component device's parent is the device whose driver's AddComponent
  // created it; "" for a device a bus (device add) reported. Children in instance-ID order.
  std::string parent;
  std::vector<std::string> children;
  std::optional<ComponentOrigin> component;
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
  // "Reboot" or "Restart" when an applied install section asked for one (recorded, as Windows
  // flags the device as needing a restart); "" otherwise. The source is "file:line".
  std::string pending_restart, pending_restart_source;
  // CoInstallers32 entries ("dll,entry") a [DDInstall.CoInstallers] section registered: legacy,
  // not valid in universal INFs, never executed by isodrv.
  std::vector<std::string> coinstallers;
  // AddSoftware records of the device's install (its driver and extensions).
  std::vector<SoftwareInstall> software;
  // Sections of included inbox INFs the install applied (Needs), "ks.inf [KS.Registration]", and
  // the inbox files they copied (Windows paths; also in `files`).
  std::vector<std::string> included, inbox_files;
  // A device whose install failed (a software component whose driver could not be installed):
  // Windows' problem code (28, CM_PROB_FAILED_INSTALL) and the error; 0 / "" otherwise.
  std::uint32_t problem = 0;
  std::string problem_message;
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
  // Software-component devices the install created (AddComponent), each with the driver installed
  // on it; a child no staged driver matches has an empty driver and changed = false.
  std::vector<InstallReport> components;
  // A component device whose driver (`driver`) failed to install: the error. The parent's install
  // stands and the child keeps a problem (DeviceInfo::problem), as on Windows.
  std::string failure;
};

// One engine per store root. Every operation that changes something commits whole or not at all:
// registry changes, device records and undo records share one SQLite transaction.
class Engine {
 public:
  static Result<Engine> open(const std::string& root);
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // The folder holding inbox INFs (Windows' C:\Windows\INF) that Include= names are read from
  // (docs/devinst.md "Include / Needs"). Without one, a Needs of an included INF's section fails
  // the install. file_not_found when `dir` is not a folder.
  Status set_inbox_folder(const std::string& dir);

  // Devices.
  Status add_device(const DeviceSpec& spec);
  Status add_devices(const std::vector<DeviceSpec>& specs);  // all or none
  // Uninstalls the device's driver (if any) and deletes its device node. The software-component
  // devices its driver created go with the driver.
  Status remove_device(const std::string& instance_id);
  // Every device, in tree order: each device (by instance ID) followed by its children.
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
