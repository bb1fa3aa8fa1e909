// `isodrv device add|list|show|install|uninstall|rollback|remove`: simulated devices and driver
// installs, pnputil-style.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "isodrv/devinst.h"
#include "isodrv/input.h"
#include "isodrv/package.h"

namespace isodrv::cli {
namespace {

struct DeviceArgs {
  std::string id;
  std::vector<std::string> hwids, compatible;
  std::string from;
  std::string inf;
  std::string inbox;  // --inbox DIR: where Include'd INFs are read from
  bool dry_run = false;
  bool json = false;
};

// Missing devices and drivers that match nothing are findings (1), not usage errors; a refusal by
// policy (in use, would escape the root) keeps its own code 4.
int device_exit(const Error& e) {
  if (e.code == Errc::not_found || e.code == Errc::already_exists) return kExitFindings;
  return exit_for(e);
}

int fail(const Error& e) {
  std::cerr << "isodrv: " << e.to_string() << "\n";
  return device_exit(e);
}

nlohmann::json driver_json(const std::optional<devinst::InstalledDriver>& d) {
  if (!d) return nullptr;
  return {{"published_name", d->published_name}, {"ddinstall", d->ddinstall}, {"rank", d->rank},
          {"folder", d->folder}, {"matching_id", d->matching_id}};
}

// A property's value: a string, or an array for list and array types.
nlohmann::json property_json(const devinst::DeviceProperty& p) {
  const bool many = (p.type & isodrv::package::devprop::kList) != 0;
  nlohmann::json value = many ? nlohmann::json(p.text) : nlohmann::json(p.text.empty() ? std::string() : p.text[0]);
  return {{"fmtid", p.fmtid},
          {"pid", p.pid},
          {"name", p.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.name)},
          {"type", isodrv::package::devprop::type_name(p.type)},
          {"value", value}};
}

nlohmann::json properties_json(const std::vector<devinst::DeviceProperty>& props) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : props) j.push_back(property_json(p));
  return j;
}

std::string property_line(const devinst::DeviceProperty& p) {
  std::string v;
  for (std::size_t i = 0; i < p.text.size(); ++i) v += (i ? "; " : "") + p.text[i];
  std::string key = p.fmtid + "," + std::to_string(p.pid);
  return (p.name.empty() ? key : p.name + " (" + key + ")") + " " + isodrv::package::devprop::type_name(p.type) + " = " + v;
}

nlohmann::json software_json(const std::vector<devinst::SoftwareInstall>& list) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& s : list) {
    j.push_back({{"name", s.name}, {"flags", s.flags}, {"type", s.type}, {"software_id", s.software_id},
                 {"version", s.version}, {"binary", s.binary}, {"arguments", s.arguments}, {"source", s.source}});
  }
  return j;
}

// "<name> type 1 (MSI/EXE) 1.0.0.0 C:\…\setup.exe args …": what `device show` prints per record.
std::string software_line(const devinst::SoftwareInstall& s) {
  std::string out = s.name + " type " + std::to_string(s.type) + (s.type == 1 ? " (MSI/EXE)" : " (Store app)");
  if (!s.version.empty()) out += " " + s.version;
  if (!s.binary.empty()) out += " " + s.binary;
  if (!s.software_id.empty()) out += " " + s.software_id;
  if (!s.arguments.empty()) out += " args " + s.arguments;
  return out + " (recorded; not executed)";
}

nlohmann::json component_json(const devinst::ComponentOrigin& c) {
  nlohmann::json ignored = nlohmann::json::array();
  for (const auto& x : c.ignored) ignored.push_back({{"entry", x.text}, {"source", x.source}});
  return {{"name", c.name}, {"flags", c.flags}, {"section", c.section}, {"source", c.source}, {"ignored_entries", ignored}};
}

nlohmann::json device_json(const devinst::DeviceInfo& i) {
  auto or_null = [](const std::string& s) -> nlohmann::json { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  nlohmann::json backup = nullptr;
  if (i.backup) backup = {{"published_name", i.backup->published_name}, {"ddinstall", i.backup->ddinstall}, {"folder", i.backup->folder}};
  return {{"instance_id", i.instance_id},     {"hardware_ids", i.hardware_ids}, {"compatible_ids", i.compatible_ids},
          {"driver", driver_json(i.driver)},  {"service", or_null(i.service)},  {"class_guid", or_null(i.class_guid)},
          {"hardware_key", i.hardware_key},   {"software_key", or_null(i.software_key)},
          {"interfaces", i.interfaces},       {"files", i.files},               {"extensions", i.extensions},
          {"backup", backup}, {"properties", properties_json(i.properties)},
          {"pending_restart", i.pending_restart.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json{{"kind", i.pending_restart},
                                                                         {"source", i.pending_restart_source}}},
          {"coinstallers", i.coinstallers},
          {"parent", or_null(i.parent)}, {"children", i.children},
          {"component", i.component ? component_json(*i.component) : nlohmann::json(nullptr)},
          {"software", software_json(i.software)},
          {"included", i.included}, {"inbox_files", i.inbox_files},
          {"problem", i.problem ? nlohmann::json{{"code", i.problem}, {"name", "CM_PROB_FAILED_INSTALL"},
                                                 {"message", i.problem_message}}
                                : nlohmann::json(nullptr)},
          {"interface_properties", [&] {
             nlohmann::json j = nlohmann::json::object();
             for (const auto& ip : i.interface_properties) j[ip.symbolic_link] = properties_json(ip.properties);
             return j;
           }()}};
}

std::string rank_hex(std::uint32_t r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", r);
  return buf;
}

void print_components(const devinst::InstallReport& r, bool verbose);

// With -v, the .reg-style diff of what the install changed follows the summary line.
void print_report(const devinst::InstallReport& r, bool verbose) {
  for (const auto& n : r.notes) std::cerr << "note: " << n << "\n";
  for (const auto& s : r.side_effects) std::cerr << "non-isolated: " << s << "\n";
  if (!r.changed) {
    std::cout << r.instance_id << ": already uses " << r.driver.published_name << " (" << r.driver.ddinstall << ")\n";
    return;
  }
  std::cout << r.instance_id << ": installed " << r.driver.published_name << " [" << r.driver.ddinstall << "] rank "
            << rank_hex(r.driver.rank);
  if (r.replaced) std::cout << " (replaced " << r.replaced->published_name << ", kept for rollback)";
  std::cout << "\n";
  if (verbose) std::cout << r.diff;
  print_components(r, verbose);
}

// The software-component devices an install created, each with the driver it got (or none).
void print_components(const devinst::InstallReport& r, bool verbose) {
  for (const auto& c : r.components) {
    if (!c.failure.empty()) {
      std::cout << c.instance_id << ": component device created; its driver " << c.driver.published_name
                << " could not be installed, problem 28 (CM_PROB_FAILED_INSTALL): " << c.failure << "\n";
      continue;
    }
    if (c.driver.published_name.empty()) {
      std::cout << c.instance_id << ": component device created; no staged driver matches\n";
      continue;
    }
    print_report(c, verbose);
  }
}

template <typename F>
int with_engine(Context& ctx, F&& f, const std::string& inbox = {}) {
  auto e = devinst::Engine::open(ctx.store_root());
  if (!e) return fail(e.error());
  if (auto s = e->set_inbox_folder(inbox); !s) return fail(s.error());
  return f(*e);
}

int run_add(Context& ctx, const DeviceArgs& a) {
  std::vector<devinst::DeviceSpec> specs;
  if (!a.from.empty()) {
    if (!a.id.empty() || !a.hwids.empty()) {
      std::cerr << "isodrv: device add takes either --from MACHINE.json or ID --hwid …, not both\n";
      return kExitUsage;
    }
    auto text = read_input(a.from);
    if (!text) {
      Error e = text.error();
      e.message = "cannot read the machine file: " + e.message;
      return fail(e);
    }
    auto parsed = devinst::parse_machine_json(*text, a.from);
    if (!parsed) return fail(parsed.error());
    specs = std::move(*parsed);
  } else {
    if (a.id.empty() || a.hwids.empty()) {
      std::cerr << "isodrv: device add needs ID and --hwid (or --from MACHINE.json)\n";
      return kExitUsage;
    }
    for (const auto& [opt, list] : {std::pair{"--hwid", &a.hwids}, std::pair{"--compatible", &a.compatible}}) {
      if (std::any_of(list->begin(), list->end(), [](const std::string& s) { return s.empty(); })) {
        std::cerr << "isodrv: " << opt << ": an ID must not be empty\n";
        return kExitUsage;
      }
    }
    specs.push_back({a.id, a.hwids, a.compatible});
  }
  return with_engine(ctx, [&](devinst::Engine& e) {
    if (auto s = e.add_devices(specs); !s) return fail(s.error());
    for (const auto& s : specs) std::cout << "Device added: " << s.instance_id << "\n";
    return int(kExitOk);
  });
}

int run_list(Context& ctx, const DeviceArgs& a) {
  if (auto ex = ctx.existing_store(); !ex) return fail(ex.error());
  return with_engine(ctx, [&](devinst::Engine& e) {
    auto list = e.list_devices();
    if (!list) return fail(list.error());
    if (a.json || ctx.json()) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& d : *list) j.push_back(device_json(d));
      std::cout << j.dump(2) << "\n";
      return int(kExitOk);
    }
    // The tree: list_devices returns each device before its children; a child's block is indented
    // two spaces per level below a device a bus reported, and names its parent.
    std::map<std::string, std::size_t> depth;
    for (const auto& d : *list) {
      std::size_t level = 0;
      if (auto it = depth.find(isodrv::inf::to_lower_ascii(d.parent)); !d.parent.empty() && it != depth.end()) {
        level = it->second + 1;
      }
      depth[isodrv::inf::to_lower_ascii(d.instance_id)] = level;
      const std::string pad(2 * level, ' ');
      std::cout << pad << "Instance ID:        " << d.instance_id << "\n";
      if (!d.parent.empty()) std::cout << pad << "Parent:             " << d.parent << "\n";
      std::cout << pad << "Hardware IDs:       ";
      for (std::size_t i = 0; i < d.hardware_ids.size(); ++i) std::cout << (i ? ", " : "") << d.hardware_ids[i];
      std::cout << "\n" << pad << "Driver Name:        " << (d.driver ? d.driver->published_name : "(none)") << "\n"
                << pad << "Service:            " << (d.service.empty() ? "(none)" : d.service) << "\n\n";
    }
    return int(kExitOk);
  });
}

int run_show(Context& ctx, const DeviceArgs& a) {
  if (auto ex = ctx.existing_store(); !ex) return fail(ex.error());
  return with_engine(ctx, [&](devinst::Engine& e) {
    auto d = e.device(a.id);
    if (!d) return fail(d.error());
    if (a.json || ctx.json()) {
      std::cout << device_json(*d).dump(2) << "\n";
      return int(kExitOk);
    }
    std::cout << "Instance ID:        " << d->instance_id << "\n";
    if (!d->parent.empty()) std::cout << "Parent:             " << d->parent << "\n";
    if (d->component) {
      std::cout << "Component:          " << d->component->name << " [" << d->component->section << "] ("
                << d->component->source << ")\n";
      for (const auto& x : d->component->ignored) {
        std::cout << "Component Entry:    " << x.text << " (" << x.source << "; not a component entry, ignored)\n";
      }
    }
    for (const auto& h : d->hardware_ids) std::cout << "Hardware ID:        " << h << "\n";
    for (const auto& c : d->compatible_ids) std::cout << "Compatible ID:      " << c << "\n";
    if (d->driver) {
      std::cout << "Driver Name:        " << d->driver->published_name << "\n"
                << "Driver Section:     " << d->driver->ddinstall << "\n"
                << "Driver Rank:        " << rank_hex(d->driver->rank) << "\n"
                << "Matching ID:        " << d->driver->matching_id << "\n"
                << "Class GUID:         " << d->class_guid << "\n"
                << "Service:            " << (d->service.empty() ? "(none)" : d->service) << "\n"
                << "Software Key:       " << d->software_key << "\n";
    } else {
      std::cout << "Driver Name:        (none)\n";
    }
    std::cout << "Hardware Key:       " << d->hardware_key << "\n";
    for (const auto& p : d->properties) std::cout << "Property:           " << property_line(p) << "\n";
    for (const auto& i : d->interfaces) {
      std::cout << "Interface:          " << i << "\n";
      for (const auto& ip : d->interface_properties) {
        if (ip.symbolic_link != i) continue;
        for (const auto& p : ip.properties) std::cout << "  Property:         " << property_line(p) << "\n";
      }
    }
    for (const auto& f : d->files) std::cout << "File:               " << f << "\n";
    for (const auto& x : d->extensions) std::cout << "Extension:          " << x << "\n";
    for (const auto& s : d->software) std::cout << "Software:           " << software_line(s) << "\n";
    for (const auto& x : d->included) std::cout << "Included:           " << x << " (inbox)\n";
    for (const auto& f : d->inbox_files) std::cout << "Inbox File:         " << f << "\n";
    if (d->problem) {
      std::cout << "Problem:            CM_PROB_FAILED_INSTALL (" << d->problem << "): " << d->problem_message << "\n";
    }
    for (const auto& c : d->children) std::cout << "Child:              " << c << "\n";
    for (const auto& c : d->coinstallers) std::cout << "Co-installer:       " << c << " (non-universal; not executed)\n";
    if (!d->pending_restart.empty()) {
      std::cout << "Pending Restart:    " << d->pending_restart << " (" << d->pending_restart_source << ")\n";
    }
    if (d->backup) std::cout << "Previous Driver:    " << d->backup->published_name << " (" << d->backup->ddinstall << ")\n";
    return int(kExitOk);
  });
}

int run_install(Context& ctx, const DeviceArgs& a) {
  return with_engine(ctx, [&](devinst::Engine& e) {
    devinst::InstallOptions opts;
    opts.inf = a.inf;
    opts.dry_run = a.dry_run;
    auto r = e.install(a.id, opts);
    if (!r) return fail(r.error());
    if (a.dry_run) {
      for (const auto& n : r->notes) std::cerr << "note: " << n << "\n";
      std::cout << "; dry run: " << r->instance_id << " would install " << r->driver.published_name << " ["
                << r->driver.ddinstall << "]; nothing was changed\r\n";
      for (const auto& c : r->components) {
        std::cout << "; and create component device " << c.instance_id
                  << (!c.failure.empty() ? " (its driver " + c.driver.published_name + " fails: " + c.failure + ")"
                      : c.driver.published_name.empty()
                          ? std::string(" (no staged driver matches)")
                          : " with " + c.driver.published_name + " [" + c.driver.ddinstall + "]")
                  << "\r\n";
      }
      std::cout << r->diff;
      return int(kExitOk);
    }
    print_report(*r, ctx.verbose);
    return int(kExitOk);
  }, a.inbox);
}

int run_uninstall(Context& ctx, const DeviceArgs& a) {
  return with_engine(ctx, [&](devinst::Engine& e) {
    if (auto s = e.uninstall(a.id); !s) return fail(s.error());
    std::cout << a.id << ": driver uninstalled\n";
    return int(kExitOk);
  });
}

int run_rollback(Context& ctx, const DeviceArgs& a) {
  return with_engine(ctx, [&](devinst::Engine& e) {
    auto r = e.rollback(a.id);
    if (!r) return fail(r.error());
    print_report(*r, ctx.verbose);
    return int(kExitOk);
  }, a.inbox);
}

int run_remove(Context& ctx, const DeviceArgs& a) {
  return with_engine(ctx, [&](devinst::Engine& e) {
    if (auto s = e.remove_device(a.id); !s) return fail(s.error());
    std::cout << "Device removed: " << a.id << "\n";
    return int(kExitOk);
  });
}

}  // namespace

void register_device_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<DeviceArgs>();
  auto* device = app.add_subcommand("device", "Simulated devices and driver installs (pnputil)");
  device->require_subcommand(1);
  auto run = [a, &ctx](int (*f)(Context&, const DeviceArgs&)) {
    return [a, &ctx, f] { ctx.exit_code = combine_exit(ctx.exit_code, f(ctx, *a)); };
  };

  auto* add = device->add_subcommand("add", "Create a device node, as a bus driver would report it");
  add->add_option("ID", a->id, "Device instance ID, e.g. ROOT\\ECHO\\0000");
  add->add_option("--hwid", a->hwids, "Hardware IDs, most specific first")->delimiter(',');
  add->add_option("--compatible", a->compatible, "Compatible IDs, most specific first")->delimiter(',');
  add->add_option("--from", a->from, "A MACHINE.json: an array of {instance_id, hardware_ids, compatible_ids}");
  add->callback(run(run_add));

  auto* list = device->add_subcommand("list", "List devices and their drivers");
  list->add_flag("--json", a->json, "JSON output (an array of device show objects)");
  list->callback(run(run_list));

  auto* show = device->add_subcommand("show", "One device: driver, service, keys, interfaces, files");
  show->add_option("ID", a->id, "Device instance ID")->required();
  show->add_flag("--json", a->json, "JSON output: one object with the device, its driver, keys, interfaces and files (same as --format json)");
  show->callback(run(run_show));

  auto* install = device->add_subcommand("install", "Install the best staged driver on a device");
  install->add_option("ID", a->id, "Device instance ID")->required();
  install->add_option("--inf", a->inf, "Only consider this staged package (oemN.inf)");
  install->add_flag("--dry-run", a->dry_run, "Print the registry and file changes as a .reg-style diff; change nothing");
  install->add_option("--inbox", a->inbox, "Folder of inbox INFs (C:\\Windows\\INF) that Include= names are read from");
  install->callback(run(run_install));

  auto* uninstall = device->add_subcommand("uninstall", "Remove the device's driver, undoing what its install did");
  uninstall->add_option("ID", a->id, "Device instance ID")->required();
  uninstall->callback(run(run_uninstall));

  auto* rollback = device->add_subcommand("rollback", "Go back to the device's previous driver");
  rollback->add_option("ID", a->id, "Device instance ID")->required();
  rollback->add_option("--inbox", a->inbox, "Folder of inbox INFs that Include= names are read from");
  rollback->callback(run(run_rollback));

  auto* remove = device->add_subcommand("remove", "Uninstall the driver and delete the device node");
  remove->add_option("ID", a->id, "Device instance ID")->required();
  remove->callback(run(run_remove));
}

}  // namespace isodrv::cli
