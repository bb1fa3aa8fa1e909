// The state-location API over one store root: the funnels that validate a device, service or
// interface, and the functions that turn them into confined registry handles and directories.
#include <filesystem>
#include <string>
#include <system_error>

#include "isodrv/api.h"
#include "isodrv/package.h"
#include "isodrv/registry_roots.h"
#include "isodrv/store.h"

namespace isodrv::api {
namespace {

namespace fs = std::filesystem;
using registry::KeyHandle;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// The Driver value: "{ClassGUID}\NNNN" with a 4-digit decimal ordinal.
bool is_driver_value(std::string_view s) {
  if (s.size() != 43 || !inf::is_braced_guid(s.substr(0, 38)) || s[38] != '\\') return false;
  for (char c : s.substr(39)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}


// Service names: at most 256 characters; '/' and '\' are not allowed by the SCM and would leave
// the service's key or directory.
Status check_service_name(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return Error(Errc::invalid_argument, "service " + in_quotes(name) + ": " + why);
  };
  if (name.empty()) return bad("the service name is empty");
  if (name.size() > kMaxServiceNameLen) {
    return bad("a service name has at most " + std::to_string(kMaxServiceNameLen) + " characters");
  }
  if (name == "." || name == "..") return Error(Errc::path_escape, "service " + in_quotes(name) + ": refused name");
  for (char c : name) {
    if (c == '/' || c == '\\') {
      return Error(Errc::path_escape, "service " + in_quotes(name) + ": '/' and '\\' are refused in a service name");
    }
    if (static_cast<unsigned char>(c) < 0x20) return bad("control character in the service name");
  }
  return {};
}

std::string join(std::string_view a, std::string_view b) { return std::string(a) + "\\" + std::string(b); }

// Whether `p` (existing or not) lies below `root` once symbolic links are followed: the deepest
// existing ancestor is resolved, so a link planted inside the root cannot lead writes outside it.
bool confined(const fs::path& root, const fs::path& p) {
  std::error_code ec;
  fs::path real_root = fs::canonical(root, ec);
  if (ec) return false;
  fs::path probe = p;
  fs::path tail;
  while (!fs::exists(fs::symlink_status(probe, ec)) && probe.has_parent_path() && probe != probe.parent_path()) {
    tail = probe.filename() / tail;
    probe = probe.parent_path();
  }
  fs::path real = fs::canonical(probe, ec);
  if (ec) return false;
  auto r = real.begin();
  for (auto it = real_root.begin(); it != real_root.end(); ++it, ++r) {
    if (r == real.end() || *r != *it) return false;
  }
  return true;
}

}  // namespace

// A device instance ID is <enumerator>\<device>\<instance>; every character is above 0x20 and
// below 0x7F and not ',' (device-instance-ids, MAX_DEVICE_ID_LEN). '/' and '.' / '..' components
// are legal to no Windows rule we rely on but would leave the per-device directory: refused.
Session::Session(registry::Registry registry, std::string root) : registry_(std::move(registry)) {
  std::error_code ec;
  fs::path abs = fs::absolute(root, ec);
  root_ = (ec ? fs::path(root) : abs).lexically_normal().string();
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

Result<Session> Session::open(const std::string& root) {
  if (root.empty()) return Error(Errc::invalid_argument, "no store root given");
  // Through the store, so that an operation a dead process left half-done is finished first.
  auto reg = store::open_registry(root);
  if (!reg) return reg.error();
  return Session(std::move(*reg), root);
}

namespace {
enum Base { kEnum = 0, kServices = 1, kClass = 2, kDeviceClasses = 3 };
constexpr std::string_view kBasePaths[] = {kEnumKey, kServicesKey, kClassKey, kDeviceClassesKey};
}  // namespace

Result<KeyHandle> Session::below_base(int base, std::string_view rel, Disposition disposition) const {
  KeyHandle& cached = bases_[base];
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!cached.valid()) {
      auto k = registry_.open_key(kBasePaths[base], disposition);
      if (!k) return k.error();
      cached = *k;
    }
    auto r = cached.open_subkey(rel, disposition);
    if (r || r.error().code != Errc::key_deleted) return r;
    cached = KeyHandle();  // the base key was deleted and maybe recreated: open it again
  }
  return Error(Errc::key_deleted, std::string(kBasePaths[base]) + ": the key was deleted while in use");
}

void Session::audit(std::string_view function, std::string_view subject, std::optional<std::string> location) const {
  if (!audit_) return;
  const bool ok = location.has_value();
  audit_(AccessRecord{function, std::string(subject), ok ? std::move(*location) : std::string(), ok});
}

namespace {
// What a resolution reached, for the audit: the location named by `where` when it succeeded.
template <typename T, typename F>
std::optional<std::string> reached(const Result<T>& r, F where) {
  if (!r) return std::nullopt;
  return where(r.value());
}
}  // namespace

// ---- Funnels ------------------------------------------------------------------------------------

Result<Device> Session::resolve_device(std::string_view instance_id) const {
  if (auto s = check_instance_id(instance_id); !s) return s.error();
  auto key = below_base(kEnum, instance_id);
  if (!key) {
    if (key.error().code != Errc::not_found) return key.error();
    return Error(Errc::not_found, "device " + in_quotes(instance_id) + " does not exist (no key " +
                                      join(kEnumKey, instance_id) + ")");
  }
  // The stored spelling names the device everywhere below, so that host paths do not depend on
  // the letter case a caller used.
  std::string stored = key->path().substr(bases_[kEnum].path().size() + 1);
  return Device{std::move(stored), std::move(*key)};
}

Result<Service> Session::resolve_service(std::string_view name) const {
  if (auto s = check_service_name(name); !s) return s.error();
  auto key = below_base(kServices, name);
  if (!key) {
    if (key.error().code != Errc::not_found) return key.error();
    return Error(Errc::not_found, "service " + in_quotes(name) + " does not exist (no key " + join(kServicesKey, name) + ")");
  }
  return Service{key->name(), std::move(*key)};
}

Result<Interface> Session::resolve_interface(std::string_view link) const {
  auto bad = [&](const std::string& why) {
    return Error(Errc::invalid_argument, "interface " + in_quotes(link) + ": " + why);
  };
  std::string_view p = link;
  auto prefix = p.substr(0, 4);
  if (prefix != "\\\\?\\" && prefix != "\\??\\") return bad("a symbolic link starts with \\\\?\\ or \\??\\");
  p.remove_prefix(4);
  std::string_view name = p, reference;
  if (auto cut = p.find('\\'); cut != std::string_view::npos) {
    name = p.substr(0, cut);
    reference = p.substr(cut + 1);
    if (reference.empty()) return bad("the reference string after '\\' is empty");
    if (reference.find('\\') != std::string_view::npos) return bad("a reference string cannot contain '\\'");
  }
  auto hash = name.rfind('#');
  if (hash == std::string_view::npos || hash == 0) {
    return bad("expected <instance ID with '#' for '\\'>#{InterfaceClassGUID}");
  }
  std::string_view guid = name.substr(hash + 1);
  if (!inf::is_braced_guid(guid)) return bad("the interface class GUID is not of the form {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}");
  for (char c : p) {
    if (static_cast<unsigned char>(c) < 0x20) return bad("control character in the symbolic link");
  }
  std::string rel = std::string(guid) + "\\##?#" + std::string(name) + "\\#" + std::string(reference);
  auto key = below_base(kDeviceClasses, rel);
  if (!key) {
    if (key.error().code == Errc::path_escape) return bad(key.error().message);
    if (key.error().code != Errc::not_found) return key.error();
    return Error(Errc::not_found, "interface " + in_quotes(link) + " is not registered (no key " +
                                      join(kDeviceClassesKey, rel) + ")");
  }
  return Interface{std::string(guid), std::string(reference), std::move(*key)};
}

// ---- Registry state -----------------------------------------------------------------------------

Result<KeyHandle> Session::open_below(const KeyHandle& base, std::string_view rel, Disposition disposition) const {
  auto key = base.open_subkey(rel, disposition);
  if (!key && key.error().code == Errc::not_found) {
    return Error(Errc::not_found, short_key_path(base) + "\\" + std::string(rel) + " does not exist");
  }
  return key;
}

Result<KeyHandle> Session::open_device_key(std::string_view instance_id, DeviceKeyType type,
                                           Disposition disposition) const {
  auto run = [&]() -> Result<KeyHandle> {
    auto dev = resolve_device(instance_id);
    if (!dev) return dev.error();
    if (type == DeviceKeyType::hardware) return open_below(dev->key, kDeviceParameters, disposition);
    if (type != DeviceKeyType::software) return Error(Errc::invalid_argument, "unknown device key type");
    auto driver = dev->key.get_string(kDriverValue);
    if (!driver) {
      if (driver.error().code != Errc::not_found) return driver.error();
      return Error(Errc::unsupported, "device " + in_quotes(dev->instance_id) +
                                          " has no driver installed (no Driver value), so it has no software key");
    }
    if (!is_driver_value(*driver)) {
      return Error(Errc::corrupt, short_key_path(dev->key) + ": the Driver value " + in_quotes(*driver) +
                                      " is not of the form {ClassGUID}\\NNNN");
    }
    auto key = below_base(kClass, *driver, disposition);
    if (!key && key.error().code == Errc::not_found) {
      return Error(Errc::not_found, join(kClassKey, *driver) + " does not exist");
    }
    return key;
  };
  auto r = run();
  audit("open_device_key", instance_id, reached(r, short_key_path));
  return r;
}

Result<KeyHandle> Session::open_interface_key(std::string_view symbolic_link, Disposition disposition) const {
  auto run = [&]() -> Result<KeyHandle> {
    auto itf = resolve_interface(symbolic_link);
    if (!itf) return itf.error();
    return open_below(itf->key, kDeviceParameters, disposition);
  };
  auto r = run();
  audit("open_interface_key", symbolic_link, reached(r, short_key_path));
  return r;
}

Result<PropertyData> Session::read_property(const KeyHandle& object, std::string_view fmtid, std::uint32_t pid) const {
  namespace dp = package::devprop;
  auto guid = dp::normalize_guid(fmtid);
  if (!guid) return Error(Errc::invalid_argument, "property category " + in_quotes(fmtid) + " is not a GUID");
  const std::string sub = dp::property_subkey(dp::Key{*guid, pid});
  auto key = object.open_subkey(sub);
  auto missing = [&] {
    return Error(Errc::not_found, short_key_path(object) + " has no property " + *guid + "," + std::to_string(pid));
  };
  if (!key) return key.error().code == Errc::not_found ? missing() : key.error();
  auto v = key->query_value("");
  if (!v) return v.error().code == Errc::not_found ? missing() : v.error();
  if ((v->type & dp::kRegTypeBase) != dp::kRegTypeBase) {
    return Error(Errc::corrupt, short_key_path(*key) + ": not a property value (type " + std::to_string(v->type) + ")");
  }
  return PropertyData{v->type & ~dp::kRegTypeBase, std::move(v->data)};
}

Result<PropertyData> Session::get_device_property(std::string_view instance_id, std::string_view fmtid,
                                                  std::uint32_t pid) const {
  auto run = [&]() -> Result<PropertyData> {
    auto dev = resolve_device(instance_id);
    if (!dev) return dev.error();
    return read_property(dev->key, fmtid, pid);
  };
  auto r = run();
  audit("get_device_property", instance_id, reached(r, [&](const auto&) { return std::string(fmtid) + "," + std::to_string(pid); }));
  return r;
}

Result<PropertyData> Session::get_interface_property(std::string_view symbolic_link, std::string_view fmtid,
                                                     std::uint32_t pid) const {
  auto run = [&]() -> Result<PropertyData> {
    auto itf = resolve_interface(symbolic_link);
    if (!itf) return itf.error();
    return read_property(itf->key, fmtid, pid);
  };
  auto r = run();
  audit("get_interface_property", symbolic_link, reached(r, [&](const auto&) { return std::string(fmtid) + "," + std::to_string(pid); }));
  return r;
}

Result<KeyHandle> Session::open_driver_key(std::string_view service, DriverKeyType type, Disposition disposition) const {
  auto run = [&]() -> Result<KeyHandle> {
    auto svc = resolve_service(service);
    if (!svc) return svc.error();
    switch (type) {
      case DriverKeyType::parameters: {
        // Parameters holds what the INF wrote; the driver reads it and never changes it.
        auto key = open_below(svc->key, kParametersSubkey, disposition);
        if (!key) return key;
        return key->as_read_only();
      }
      case DriverKeyType::persistent_state:
        return open_below(svc->key, kStateSubkey, disposition);
      case DriverKeyType::shared_persistent_state:
        return open_below(svc->key, kSharedStateSubkey, disposition);
    }
    return Error(Errc::invalid_argument, "unknown driver key type");
  };
  auto r = run();
  audit("open_driver_key", service, reached(r, short_key_path));
  return r;
}

// ---- File state ---------------------------------------------------------------------------------

Result<Location> Session::state_directory(const std::string& windows_path, Disposition disposition) const {
  auto host = windows_to_host(root_, windows_path);
  if (!host) return host.error();
  std::error_code ec;
  if (disposition == Disposition::open_always) {
    // Checked before creating, so that a link planted below the root cannot make us create
    // directories outside it, and again below in case one was swapped in meanwhile.
    if (!confined(root_, *host)) {
      return Error(Errc::path_escape, windows_path + ": the directory would lie outside the store root", *host);
    }
    fs::create_directories(*host, ec);
    if (ec) return Error(Errc::io_error, "cannot create the directory: " + ec.message(), *host);
  }
  if (!fs::is_directory(*host, ec)) {
    return Error(Errc::not_found, windows_path + ": the directory does not exist", *host);
  }
  if (!confined(root_, *host)) {
    return Error(Errc::path_escape, windows_path + ": the directory lies outside the store root", *host);
  }
  return Location{windows_path, *host};
}

namespace {
// The service's ImagePath as a drive path and a host path (shared by two entry points).
Result<Location> image_location(const Service& svc, const std::string& root) {
  auto image = svc.key.get_string(kImagePathValue);
  if (!image) {
    if (image.error().code != Errc::not_found) return image.error();
    return Error(Errc::unsupported, "service " + in_quotes(svc.name) + " has no ImagePath");
  }
  auto win = normalize_windows_path(*image);
  if (!win) {
    // A malformed ImagePath is bad registry state, not a bad argument of the caller.
    Errc code = win.error().code == Errc::path_escape ? Errc::path_escape : Errc::corrupt;
    return Error(code, short_key_path(svc.key) + ": ImagePath " + win.error().message);
  }
  auto host = windows_to_host(root, *win);
  if (!host) return host.error();
  return Location{*win, *host};
}
}  // namespace

Result<Location> Session::query_full_driver_path(std::string_view service) const {
  auto run = [&]() -> Result<Location> {
    auto svc = resolve_service(service);
    if (!svc) return svc.error();
    return image_location(*svc, root_);
  };
  auto r = run();
  audit("query_full_driver_path", service, reached(r, [](const Location& l) { return l.windows_path; }));
  return r;
}

Result<Location> Session::driver_directory(std::string_view service, DriverDirectoryType type,
                                           Disposition disposition) const {
  auto run = [&]() -> Result<Location> {
    auto svc = resolve_service(service);
    if (!svc) return svc.error();
    switch (type) {
      case DriverDirectoryType::image: {
        // The folder the image is loaded from is the package's; it is never created here.
        auto image = image_location(*svc, root_);
        if (!image) return image.error();
        std::string dir = image->windows_path.substr(0, image->windows_path.rfind('\\'));
        if (dir.size() == 2) dir += '\\';  // "C:" → "C:\"
        return state_directory(dir, Disposition::open_existing);
      }
      case DriverDirectoryType::data:
        return state_directory(std::string(store::kServiceStateFolder) + "\\" + svc->name + "\\Data", disposition);
      case DriverDirectoryType::shared_data:
        return state_directory(std::string(store::kServiceStateFolder) + "\\" + svc->name + "\\SharedData", disposition);
    }
    return Error(Errc::invalid_argument, "unknown driver directory type");
  };
  auto r = run();
  audit("driver_directory", service, reached(r, [](const Location& l) { return l.windows_path; }));
  return r;
}

Result<Location> Session::device_directory(std::string_view instance_id, Disposition disposition) const {
  auto run = [&]() -> Result<Location> {
    auto dev = resolve_device(instance_id);
    if (!dev) return dev.error();
    std::string folder = dev->instance_id;
    for (auto& c : folder) {
      if (c == '\\') c = '#';
    }
    return state_directory(std::string(store::kDeviceStateFolder) + "\\" + folder + "\\Data", disposition);
  };
  auto r = run();
  audit("device_directory", instance_id, reached(r, [](const Location& l) { return l.windows_path; }));
  return r;
}

// ---- Free functions -----------------------------------------------------------------------------

Result<registry::Value> query_value_with_fallback(const KeyHandle& primary, const KeyHandle& fallback,
                                                  std::string_view name) {
  auto v = primary.query_value(name);
  if (v || v.error().code != Errc::not_found) return v;
  v = fallback.query_value(name);
  if (v || v.error().code != Errc::not_found) return v;
  std::string shown = name.empty() ? "(Default)" : std::string(name);
  return Error(Errc::not_found, "value " + shown + " is in neither " + short_key_path(primary) + " nor " +
                                    short_key_path(fallback));
}

std::string short_key_path(const KeyHandle& key) {
  const std::string& p = key.path();
  for (const auto& r : registry_roots::kRoots) {
    const std::string_view lng = r.long_name;
    if (p.compare(0, lng.size(), lng) == 0 && (p.size() == lng.size() || p[lng.size()] == '\\')) {
      return std::string(r.short_name) + p.substr(lng.size());
    }
  }
  return p;
}

}  // namespace isodrv::api
