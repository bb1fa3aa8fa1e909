// The C ABI's runtime: stores, the handle table (the one funnel every call validates its handles
// through), access-mask mapping, the isolation mode and the audit, text conversions.
#include "capi/runtime.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

#include "registry/text.h"

namespace isodrv::capi {
namespace {

// Handle values are never reused, so a closed handle stays invalid instead of silently naming a
// newer object. They start high and step by 4 (like Windows handles), so small integers,
// NULL and the predefined HKEYs are never valid handles.
struct HandleTable {
  std::mutex mutex;
  std::unordered_map<std::uintptr_t, std::shared_ptr<Object>> objects;
  std::uintptr_t next = 0x10000;
};
HandleTable& table() {
  static auto* t = new HandleTable;  // never destroyed: drivers may close handles from atexit
  return *t;
}

struct Bindings {
  std::mutex mutex;
  std::set<const void*> drivers, devices;
  std::map<std::string, std::shared_ptr<Store>> stores;
  std::shared_ptr<Store> current;
  std::string subject = "process";
};
Bindings& bindings() {
  static auto* b = new Bindings;
  return *b;
}

std::atomic<int> g_mode{-1};  // -1: not read from the environment yet

// "" when ISODRV_ROOT is set but empty: an unset CI variable must not bind the home directory's
// store (the CLI refuses the same case), so binding then fails.
std::string default_root() {
  if (const char* env = std::getenv("ISODRV_ROOT")) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/isodrv/default";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/share/isodrv/default";
}

}  // namespace

FileObj::~FileObj() {
  if (fd >= 0) ::close(fd);
}

HANDLE insert(std::shared_ptr<Object> object) {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  std::uintptr_t value = t.next;
  t.next += 4;
  t.objects.emplace(value, std::move(object));
  return reinterpret_cast<HANDLE>(value);
}

std::shared_ptr<Object> lookup(HANDLE h, ObjType type) {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  auto it = t.objects.find(reinterpret_cast<std::uintptr_t>(h));
  if (it == t.objects.end() || it->second->type != type) return nullptr;
  return it->second;
}

bool erase(HANDLE h, std::initializer_list<ObjType> types) {
  std::shared_ptr<Object> doomed;  // released outside the lock (a file closes its descriptor)
  auto& t = table();
  std::lock_guard lock(t.mutex);
  auto it = t.objects.find(reinterpret_cast<std::uintptr_t>(h));
  if (it == t.objects.end()) return false;
  bool match = false;
  for (ObjType type : types) match = match || it->second->type == type;
  if (!match) return false;
  doomed = std::move(it->second);
  t.objects.erase(it);
  return true;
}

DriverImpl* find_driver(const DRIVER_OBJECT* d) {
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  return b.drivers.count(d) ? reinterpret_cast<DriverImpl*>(const_cast<DRIVER_OBJECT*>(d)) : nullptr;
}

DeviceImpl* find_device(const DEVICE_OBJECT* d) {
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  return b.devices.count(d) ? reinterpret_cast<DeviceImpl*>(const_cast<DEVICE_OBJECT*>(d)) : nullptr;
}

void register_driver(DriverImpl* d) {
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  b.drivers.insert(&d->pub);
}

void unregister_driver(DriverImpl* d) {
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  b.drivers.erase(&d->pub);
  for (auto& dev : d->devices) b.devices.erase(&dev->pub);
}

void register_device(DeviceImpl* d) {
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  b.devices.insert(&d->pub);
}

std::shared_ptr<Store> store_for(const std::string& root_in, Error* error) {
  std::string root = root_in.empty() ? default_root() : root_in;
  if (root.empty()) {
    if (error) *error = Error(Errc::invalid_argument, "ISODRV_ROOT is set but empty; name a store root");
    return nullptr;
  }
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  if (auto it = b.stores.find(root); it != b.stores.end()) return it->second;
  auto s = api::Session::open(root);
  if (!s) {
    if (error) *error = s.error();
    return nullptr;
  }
  auto store = std::make_shared<Store>();
  store->root = root;
  store->session = std::make_unique<api::Session>(std::move(*s));
  b.stores.emplace(root, store);
  return store;
}

std::shared_ptr<Store> current_store() {
  {
    auto& b = bindings();
    std::lock_guard lock(b.mutex);
    if (b.current) return b.current;
  }
  auto s = store_for("");
  set_current(s, "process");
  return s;
}

void set_current(const std::shared_ptr<Store>& store, const std::string& subject) {
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  b.current = store;
  b.subject = subject;
}

std::string current_subject() {
  auto& b = bindings();
  std::lock_guard lock(b.mutex);
  return b.subject;
}

ACCESS_MASK map_key_access(ACCESS_MASK desired, ACCESS_MASK ceiling, bool& ok) {
  ACCESS_MASK m = desired & ~static_cast<ACCESS_MASK>(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);
  if (desired & GENERIC_READ) m |= KEY_READ;
  if (desired & GENERIC_WRITE) m |= KEY_WRITE;
  if (desired & GENERIC_EXECUTE) m |= KEY_EXECUTE;
  if (desired & GENERIC_ALL) m |= KEY_ALL_ACCESS;
  if (desired & MAXIMUM_ALLOWED) m |= ceiling;
  m &= ~static_cast<ACCESS_MASK>(KEY_WOW64_32KEY | KEY_WOW64_64KEY | SYNCHRONIZE);  // view selectors, not rights
  ok = (m & ~ceiling) == 0;
  return m;
}

ACCESS_MASK map_file_access(ACCESS_MASK desired, bool writable, bool& ok) {
  constexpr ACCESS_MASK kWrite = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES |
                                 DELETE | WRITE_DAC | WRITE_OWNER;
  ACCESS_MASK m = desired & ~static_cast<ACCESS_MASK>(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);
  if (desired & GENERIC_READ) m |= FILE_GENERIC_READ;
  if (desired & GENERIC_WRITE) m |= FILE_GENERIC_WRITE;
  if (desired & GENERIC_ALL) m |= FILE_ALL_ACCESS;
  if (desired & MAXIMUM_ALLOWED) m |= writable ? FILE_ALL_ACCESS : FILE_GENERIC_READ;
  ok = writable || (m & kWrite) == 0;
  return m;
}

bool enforcing() {
  int mode = g_mode.load();
  if (mode < 0) {
    const char* env = std::getenv("ISODRV_ISOLATION");
    mode = env && std::string_view(env) == "enforce" ? IsodrvIsolationEnforce : IsodrvIsolationAudit;
    int expected = -1;
    g_mode.compare_exchange_strong(expected, mode);
    mode = g_mode.load();
  }
  return mode == IsodrvIsolationEnforce;
}

bool violation(const Origin& origin, audit::Kind kind, std::string_view call, std::string_view path,
               std::string alternative, const void* return_address) {
  bool deny = enforcing();
  if (!origin.store) return deny;
  audit::Record r;
  r.subject = origin.subject;
  r.call = std::string(call);
  r.path = std::string(path);
  r.alternative = std::move(alternative);
  r.kind = kind;
  r.denied = deny;
  r.return_address = reinterpret_cast<std::uintptr_t>(return_address);
  std::lock_guard lock(origin.store->mutex);
  // A record that cannot be written must not change what the driver sees; the call goes on.
  (void)audit::append(origin.store->session->registry(), r);
  return deny;
}

NTSTATUS status_of(const Error& e) {
  switch (e.code) {
#define ISODRV_ERRC(id, name, exit, status) \
  case Errc::id: return STATUS_##status;
#include "isodrv/errc.def"
#undef ISODRV_ERRC
  }
  return STATUS_UNSUCCESSFUL;
}

bool to_utf8(const WCHAR* p, std::size_t units, std::string& out) {
  out.clear();
  if (!p || units == 0) return true;
  return registry::text::utf16_to_utf8(std::u16string_view(reinterpret_cast<const char16_t*>(p), units), out);
}

bool to_utf8(const UNICODE_STRING* s, std::string& out) {
  if (!s) {
    out.clear();
    return true;
  }
  if (s->Length % 2 != 0 || (s->Length && !s->Buffer)) return false;
  return to_utf8(s->Buffer, s->Length / 2, out);
}

bool to_utf8_z(const WCHAR* z, std::string& out) {
  std::size_t n = 0;
  if (z) {
    while (z[n]) ++n;
  }
  return to_utf8(z, n, out);
}

std::u16string to_utf16(std::string_view utf8) {
  std::u16string out;
  registry::text::utf8_to_utf16(utf8, out);
  return out;
}

}  // namespace isodrv::capi

extern "C" {

ISODRV_API VOID IsodrvSetIsolationMode(ISODRV_ISOLATION_MODE Mode) {
  isodrv::capi::g_mode.store(Mode == IsodrvIsolationEnforce ? IsodrvIsolationEnforce : IsodrvIsolationAudit);
}

ISODRV_API ISODRV_ISOLATION_MODE IsodrvGetIsolationMode(void) {
  return isodrv::capi::enforcing() ? IsodrvIsolationEnforce : IsodrvIsolationAudit;
}

}  // extern "C"
