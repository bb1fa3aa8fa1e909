// `isodrv driver add|list|delete` and `isodrv store verify`: the driver store, pnputil-style.
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "isodrv/check.h"
#include "isodrv/devinst.h"
#include "isodrv/store.h"

namespace isodrv::cli {
namespace {

struct DriverArgs {
  std::string inf;
  std::string published;
  std::string arch = "amd64";
  bool allow_unisolated = false;
  bool install = false;
  bool json = false;
  bool uninstall = false;
  bool force = false;
  std::string inbox;  // --inbox DIR (with --install / --uninstall): where Include'd INFs are read from
};

// Prints an error whose exit code the caller chooses (report_error would fold in exit_for's).
void say(const Error& e) { std::cerr << "isodrv: " << e.to_string() << "\n"; }

Result<store::Store> open_store(const Context& ctx) { return store::Store::open(ctx.store_root()); }

nlohmann::json package_json(const store::StagedPackage& p) {
  return {{"published_name", p.published_name}, {"original_name", p.original_name}, {"provider", p.provider},
          {"class", p.class_name},             {"class_guid", p.class_guid},       {"version", p.version},
          {"date", p.date},                     {"arch", p.arch},                   {"folder", p.folder},
          {"isolated", p.isolated},             {"signed", p.signed_},              {"devices", p.devices}};
}

int run_add(Context& ctx, const DriverArgs& a) {
  auto arch = inf::parse_arch(a.arch);
  if (!arch) {
    std::cerr << "isodrv: unknown architecture '" << a.arch << "'\n";
    return kExitUsage;
  }
  auto st = open_store(ctx);
  if (!st.ok()) {
    report_error(ctx, st.error());
    return ctx.exit_code;
  }
  store::AddOptions opts;
  opts.arch = *arch;
  opts.allow_unisolated = a.allow_unisolated;
  opts.validate = check::isolation_errors;  // the store stages; check judges isolation
  std::cout << "Adding driver package:  " << a.inf << "\n";
  auto r = st->add(a.inf, opts);
  if (!r.ok()) {
    std::cout << "Failed to add driver package.\n";
    say(r.error());
    return exit_for(r.error());
  }
  for (const auto& e : r->isolation_errors) std::cerr << e << "\n";
  if (r->already_staged) {
    std::cout << "Driver package is already in the store (identical package).\n";
  } else {
    std::cout << "Driver package added successfully" << (r->package.isolated ? "" : " (marked not isolated)") << ".\n";
  }
  std::cout << "Published Name:         " << r->package.published_name << "\n";
  std::cout << "Driver Store Folder:    " << r->package.folder << "\n";
  if (ctx.verbose) {
    auto files = st->files(r->package.published_name);
    if (!files.ok()) {
      say(files.error());
      return exit_for(files.error());
    }
    for (const auto& f : *files) std::cout << "Staged File:            " << f.relative_path << " (" << f.size << " bytes)\n";
  }
  if (!a.install) return kExitOk;
  // --install: every device this package now ranks best for moves to it, in one transaction.
  auto engine = devinst::Engine::open(ctx.store_root());
  if (!engine.ok()) {
    report_error(ctx, engine.error());
    return exit_for(engine.error());
  }
  if (auto s = engine->set_inbox_folder(a.inbox); !s) {
    report_error(ctx, s.error());
    return exit_for(s.error());
  }
  auto installed = engine->install_on_matching(r->package.published_name);
  if (!installed.ok()) {
    std::cout << "Failed to install the driver package on devices; no device was changed.\n";
    say(installed.error());
    return kExitFindings;
  }
  for (const auto& rep : *installed) {
    for (const auto& n : rep.notes) std::cerr << "note: " << n << "\n";
    std::cout << "Installed on device:    " << rep.instance_id << " [" << rep.driver.ddinstall << "]\n";
  }
  if (installed->empty()) std::cout << "No device ranks this package best; nothing installed.\n";
  return kExitOk;
}

int run_list(Context& ctx, const DriverArgs& a) {
  if (auto ex = ctx.existing_store(); !ex) {
    report_error(ctx, ex.error());
    return ctx.exit_code;
  }
  auto st = open_store(ctx);
  if (!st.ok()) {
    report_error(ctx, st.error());
    return ctx.exit_code;
  }
  auto list = st->list();
  if (!list.ok()) {
    report_error(ctx, list.error());
    return ctx.exit_code;
  }
  if (a.json || ctx.json()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& p : *list) j.push_back(package_json(p));
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "Microsoft PnP Utility compatible listing (isodrv)\n\n";
  for (const auto& p : *list) {
    std::cout << "Published Name:     " << p.published_name << "\n"
              << "Original Name:      " << p.original_name << "\n"
              << "Provider Name:      " << p.provider << "\n"
              << "Class Name:         " << p.class_name << "\n"
              << "Class GUID:         " << p.class_guid << "\n"
              << "Driver Version:     " << p.date << " " << p.version << "\n"
              << "Signer Name:        " << (p.signed_ ? "(signed)" : "(unsigned)") << "\n"
              << "Architecture:       " << p.arch << "\n"
              << "Folder:             " << p.folder << "\n"
              << "Isolated:           " << (p.isolated ? "yes" : "no") << "\n"
              << "Installed Devices:  " << p.devices << "\n\n";
  }
  return kExitOk;
}

int run_delete(Context& ctx, const DriverArgs& a) {
  auto st = open_store(ctx);
  if (!st.ok()) {
    report_error(ctx, st.error());
    return ctx.exit_code;
  }
  if (a.uninstall) {
    // Move every device off the package (next best driver, or none) and delete it, in one commit.
    auto engine = devinst::Engine::open(ctx.store_root());
    if (!engine.ok()) {
      report_error(ctx, engine.error());
      return exit_for(engine.error());
    }
    if (auto s = engine->set_inbox_folder(a.inbox); !s) {
      report_error(ctx, s.error());
      return exit_for(s.error());
    }
    auto moved = engine->move_devices_off(a.published, devinst::Engine::Removal::delete_package);
    if (!moved.ok()) {
      std::cout << "Failed to move devices off the driver package: " << moved.error().message << "\n";
      say(moved.error());
      return kExitFindings;
    }
    for (const auto& id : *moved) std::cout << "Device moved off the package: " << id << "\n";
    std::cout << "Driver package deleted successfully.\n";
    return kExitOk;
  }
  auto r = st->remove(a.published, a.force ? store::Store::RemoveMode::force : store::Store::RemoveMode::unused_only);
  if (!r.ok()) {
    std::cout << "Failed to delete driver package: " << r.error().message << "\n";
    say(r.error());
    // A package that does not exist is missing is a finding (1, as pnputil's "not found"), one in use is refused by policy (4); a store
    // that cannot be written is an I/O failure (3).
    const int code = exit_for(r.error());
    return code == kExitUnreadable || code == kExitPolicy ? code : kExitFindings;
  }
  std::cout << "Driver package deleted successfully.\n";
  return kExitOk;
}

int run_verify(Context& ctx) {
  if (auto ex = ctx.existing_store(); !ex) {
    report_error(ctx, ex.error());
    return ctx.exit_code;
  }
  auto st = open_store(ctx);
  if (!st.ok()) {
    report_error(ctx, st.error());
    return ctx.exit_code;
  }
  auto problems = st->verify();
  if (!problems.ok()) {
    report_error(ctx, problems.error());
    return ctx.exit_code;
  }
  // State folders outlive nothing: a service's or device's folder without its owner is a problem.
  auto engine = devinst::Engine::open(ctx.store_root());
  if (!engine.ok()) {
    report_error(ctx, engine.error());
    return ctx.exit_code;
  }
  auto orphans = engine->orphaned_state_folders();
  if (!orphans.ok()) {
    report_error(ctx, orphans.error());
    return ctx.exit_code;
  }
  for (const auto& o : *orphans) {
    problems->push_back({o, o.find("/ServiceState/") != std::string::npos
                                ? "state folder of a service that no longer exists"
                                : "state folder of a device that no longer exists"});
  }
  // The files device installs placed or removed outside the driver store agree with their records.
  auto placed = engine->verify_placed_files();
  if (!placed.ok()) {
    report_error(ctx, placed.error());
    return ctx.exit_code;
  }
  problems->insert(problems->end(), placed->begin(), placed->end());
  for (const auto& p : *problems) std::cout << p.path << ": " << p.message << "\n";
  if (problems->empty()) {
    std::cout << "store is consistent\n";
    return kExitOk;
  }
  std::cout << problems->size() << " problem(s) found\n";
  return kExitFindings;
}

}  // namespace

void register_driver_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<DriverArgs>();
  auto* driver = app.add_subcommand("driver", "Stage, list and remove driver packages (pnputil)");
  driver->require_subcommand(1);
  auto* add = driver->add_subcommand("add", "Stage a package into the driver store");
  add->add_option("INF", a->inf, "The package's INF")->required();
  add->add_option("--arch", a->arch, "Architecture to stage for (default amd64)");
  add->add_flag("--allow-unisolated", a->allow_unisolated, "Stage even with /w isolation errors (marked)");
  add->add_flag("--install", a->install, "Install the package on every device it now ranks best for");
  add->add_option("--inbox", a->inbox, "With --install: folder of inbox INFs that Include= names are read from");
  add->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_add(ctx, *a)); });
  auto* list = driver->add_subcommand("list", "List staged packages");
  list->add_flag("--json", a->json, "JSON output: an array with one object per package (same as --format json)");
  list->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_list(ctx, *a)); });
  auto* del = driver->add_subcommand("delete", "Remove a staged package");
  del->add_option("PUBLISHED", a->published, "Published name, e.g. oem0.inf")->required();
  del->add_flag("--uninstall", a->uninstall, "Move devices off the package first");
  del->add_option("--inbox", a->inbox, "With --uninstall: folder of inbox INFs that Include= names are read from");
  del->add_flag("--force", a->force, "Remove even while devices use it (refused for run-from-store packages)");
  del->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_delete(ctx, *a)); });

  auto* st = app.add_subcommand("store", "Driver store maintenance");
  st->require_subcommand(1);
  auto* verify = st->add_subcommand("verify", "Check that the database and the files agree");
  verify->callback([&ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_verify(ctx)); });
}

}  // namespace isodrv::cli
