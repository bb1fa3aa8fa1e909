// `isodrv state …`: resolves the state locations an isolated driver reaches through the API and
// prints each as one line (a key "HKLM\…" or a Windows path; --host prints the path on this machine).
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "isodrv/api.h"

namespace isodrv::cli {
namespace {

struct StateArgs {
  std::string subject;  // instance ID, service name or symbolic link
  std::string type;
  bool host = false;
  bool existing = false;  // --existing: the default since --create exists; kept for scripts
  bool create = false;    // --create: make the key or folder (and the store) when missing
};

// Exit codes of `state` (DESIGN.md §3): a device, service, interface or location that does not
// exist, or a device without a driver, is 1 (like reg.exe's "not found"); a malformed argument,
// a name that would escape and inconsistent registry state are 2; an I/O failure is 3.
int fail(Context& ctx, const Error& e) {
  std::cerr << "isodrv: state: " << e.to_string() << "\n";
  int code = exit_for(e);
  if (e.code == Errc::not_found || e.code == Errc::unsupported) code = kExitFindings;
  ctx.exit_code = combine_exit(ctx.exit_code, code);
  return code;
}

api::Disposition disposition(const StateArgs& a) {
  return a.create ? api::Disposition::open_always : api::Disposition::open_existing;
}

// The session runs the store's recovery itself, as every way into a store does (DESIGN.md §2).
// open_always creates the store when missing; open_existing reports a missing one.
Result<api::Session> open_session(const Context& ctx, api::Disposition disposition) {
  if (disposition == api::Disposition::open_existing) {
    if (auto ex = ctx.existing_store(); !ex) return ex.error();
  }
  return api::Session::open(ctx.store_root());
}

template <typename F>
int with_session(Context& ctx, api::Disposition store_disposition, F&& f) {
  auto s = open_session(ctx, store_disposition);
  if (!s) return fail(ctx, s.error());
  return f(*s);
}

int print_key(Context& ctx, const Result<registry::KeyHandle>& k) {
  if (!k) return fail(ctx, k.error());
  std::cout << api::short_key_path(k.value()) << "\n";
  return kExitOk;
}

int print_location(Context& ctx, const Result<api::Location>& l, bool host) {
  if (!l) return fail(ctx, l.error());
  std::cout << (host ? l->host_path : l->windows_path) << "\n";
  return kExitOk;
}

const std::map<std::string, api::DeviceKeyType> kDeviceKeyTypes = {{"hardware", api::DeviceKeyType::hardware},
                                                                    {"software", api::DeviceKeyType::software}};
const std::map<std::string, api::DriverKeyType> kDriverKeyTypes = {
    {"parameters", api::DriverKeyType::parameters},
    {"persistent", api::DriverKeyType::persistent_state},
    {"shared", api::DriverKeyType::shared_persistent_state}};
const std::map<std::string, api::DriverDirectoryType> kDriverDirTypes = {
    {"image", api::DriverDirectoryType::image},
    {"data", api::DriverDirectoryType::data},
    {"shared", api::DriverDirectoryType::shared_data}};

template <typename M>
std::vector<std::string> keys_of(const M& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

}  // namespace

void register_state_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<StateArgs>();
  auto* state = app.add_subcommand("state", "Resolve the state locations of the driver API (keys and directories)");
  state->require_subcommand(1);
  auto existing = [a](CLI::App* cmd) {
    cmd->add_flag("--create", a->create,
                  "Create the key or folder when it does not exist (as the API's open-always does); without it a "
                  "missing location is reported (exit 1) and nothing is written");
    cmd->add_flag("--existing", a->existing, "Only open what exists (the default; kept for older scripts)");
  };
  auto done = [&ctx](int code) { ctx.exit_code = combine_exit(ctx.exit_code, code); };

  auto* dk = state->add_subcommand("device-key", "A device's hardware or software key (IoOpenDeviceRegistryKey)");
  dk->add_option("ID", a->subject, "Device instance ID, e.g. ROOT\\BILBY\\0000")->required();
  dk->add_option("--type", a->type, "hardware | software")->required()->transform(CLI::IsMember(keys_of(kDeviceKeyTypes), CLI::ignore_case));
  existing(dk);
  dk->callback([a, &ctx, done] {
    done(with_session(ctx, disposition(*a), [&](api::Session& s) {
      return print_key(ctx, s.open_device_key(a->subject, kDeviceKeyTypes.at(a->type), disposition(*a)));
    }));
  });

  auto* ik = state->add_subcommand("interface-key", "A device interface's key (IoOpenDeviceInterfaceRegistryKey)");
  ik->add_option("SYMLINK", a->subject, "Symbolic link, \\\\?\\… or \\??\\…")->required();
  existing(ik);
  ik->callback([a, &ctx, done] {
    done(with_session(ctx, disposition(*a), [&](api::Session& s) {
      return print_key(ctx, s.open_interface_key(a->subject, disposition(*a)));
    }));
  });

  auto* rk = state->add_subcommand("driver-key", "A driver's registry state (IoOpenDriverRegistryKey)");
  rk->add_option("SERVICE", a->subject, "Service name")->required();
  rk->add_option("--type", a->type, "parameters | persistent | shared")
      ->required()
      ->transform(CLI::IsMember(keys_of(kDriverKeyTypes), CLI::ignore_case));
  existing(rk);
  rk->callback([a, &ctx, done] {
    done(with_session(ctx, disposition(*a), [&](api::Session& s) {
      return print_key(ctx, s.open_driver_key(a->subject, kDriverKeyTypes.at(a->type), disposition(*a)));
    }));
  });

  auto* dd = state->add_subcommand("driver-dir", "A driver's directory (IoGetDriverDirectory)");
  dd->add_option("SERVICE", a->subject, "Service name")->required();
  dd->add_option("--type", a->type, "image | data | shared")->required()->transform(CLI::IsMember(keys_of(kDriverDirTypes), CLI::ignore_case));
  dd->add_flag("--host", a->host, "Print the path on this machine");
  existing(dd);
  dd->callback([a, &ctx, done] {
    done(with_session(ctx, disposition(*a), [&](api::Session& s) {
      return print_location(ctx, s.driver_directory(a->subject, kDriverDirTypes.at(a->type), disposition(*a)),
                            a->host);
    }));
  });

  auto* vd = state->add_subcommand("device-dir", "A device's data directory (IoGetDeviceDirectory)");
  vd->add_option("ID", a->subject, "Device instance ID")->required();
  vd->add_flag("--host", a->host, "Print the path on this machine");
  existing(vd);
  vd->callback([a, &ctx, done] {
    done(with_session(ctx, disposition(*a), [&](api::Session& s) {
      return print_location(ctx, s.device_directory(a->subject, disposition(*a)), a->host);
    }));
  });

  auto* dp = state->add_subcommand("driver-path", "The full path of a driver's image (IoQueryFullDriverPath)");
  dp->add_option("SERVICE", a->subject, "Service name")->required();
  dp->add_flag("--host", a->host, "Print the path on this machine");
  dp->callback([a, &ctx, done] {
    done(with_session(ctx, disposition(*a), [&](api::Session& s) {
      return print_location(ctx, s.query_full_driver_path(a->subject), a->host);
    }));
  });
}

}  // namespace isodrv::cli
