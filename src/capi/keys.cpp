// Registry keys through the C ABI: the shared open/read/write operations (access checks,
// confinement, isolation audit) and the Zw* key routines over them.
#include "capi/keys.h"

#include <cstring>

namespace isodrv::capi {
namespace {

constexpr std::string_view kLinkValue = "SymbolicLinkValue";

// A key created with REG_OPTION_CREATE_LINK carries its target in a REG_LINK SymbolicLinkValue.
// Following one could lead anywhere in the registry, so a relative open never does.
bool is_link(const registry::KeyHandle& k) {
  auto v = k.query_value(kLinkValue);
  return v && v->type == REG_LINK;
}

}  // namespace

NTSTATUS hand_out_key(Result<registry::KeyHandle> key, Origin origin, ACCESS_MASK desired, ACCESS_MASK ceiling,
                      HANDLE* out) {
  if (!key) return status_of(key.error());
  bool ok = true;
  ACCESS_MASK granted = map_key_access(desired, ceiling, ok);
  if (!ok) return STATUS_ACCESS_DENIED;
  auto obj = std::make_shared<KeyObj>();
  obj->origin = std::move(origin);
  obj->granted = granted;
  obj->ceiling = ceiling;
  obj->shown = api::short_key_path(*key);
  obj->key = (ceiling & (KEY_SET_VALUE | KEY_CREATE_SUB_KEY)) ? std::move(*key) : key->as_read_only();
  *out = insert(std::move(obj));
  return STATUS_SUCCESS;
}

NTSTATUS open_relative(const KeyObj& parent, std::string_view rel, ACCESS_MASK desired,
                       registry::Disposition disposition, ULONG options, ULONG* disposition_out, std::string_view call,
                       const void* ret, HANDLE* out) {
  if (!rel.empty() && rel.front() == '\\') return STATUS_OBJECT_PATH_SYNTAX_BAD;  // absolute name with a root
  if (options & REG_OPTION_CREATE_LINK) return STATUS_ACCESS_DENIED;
  bool ok = true;
  map_key_access(desired, parent.ceiling, ok);
  if (!ok) return STATUS_ACCESS_DENIED;
  if (!parent.origin.isolated) {
    std::string path = parent.shown + (rel.empty() ? "" : "\\" + std::string(rel));
    if (violation(parent.origin, audit::Kind::registry_relative, call, path,
                  audit::registry_alternative(path, parent.origin.mode), ret)) {
      return STATUS_ACCESS_DENIED;
    }
  }
  std::lock_guard lock(parent.origin.store->mutex);
  registry::KeyHandle key = parent.key;
  bool created = false;
  if (!rel.empty()) {
    auto parts = registry::split_relative_path(rel);
    if (!parts) return parts.error().code == Errc::invalid_argument ? STATUS_OBJECT_NAME_INVALID
                                                                    : STATUS_OBJECT_PATH_SYNTAX_BAD;
    // One component at a time, so that a link anywhere on the way is seen.
    for (std::size_t i = 0; i < parts->size(); ++i) {
      const std::string& part = (*parts)[i];
      auto next = key.open_subkey(part);
      if (!next && next.error().code == Errc::not_found && disposition == registry::Disposition::open_always) {
        bool last = i + 1 == parts->size();
        if (!last) return STATUS_OBJECT_NAME_NOT_FOUND;  // ZwCreateKey creates only the last component
        if (!(parent.granted & KEY_CREATE_SUB_KEY) || !(parent.ceiling & KEY_CREATE_SUB_KEY)) {
          return STATUS_ACCESS_DENIED;
        }
        next = key.open_subkey(part, registry::Disposition::open_always);
        created = next.ok();
      }
      if (!next) return next.error().code == Errc::not_found && i + 1 < parts->size() ? STATUS_OBJECT_PATH_NOT_FOUND
                                                                                      : status_of(next.error());
      if (is_link(*next)) return STATUS_ACCESS_DENIED;
      key = std::move(*next);
    }
  }
  if (disposition_out) *disposition_out = created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY;
  return hand_out_key(key, parent.origin, desired, parent.ceiling, out);
}

NTSTATUS open_absolute(std::string_view hk_path, std::string_view shown, ACCESS_MASK desired,
                       registry::Disposition disposition, CallerMode mode, std::string_view call, const void* ret,
                       HANDLE* out) {
  auto store = current_store();
  if (!store) return STATUS_OBJECT_NAME_NOT_FOUND;
  Origin origin{store, current_subject(), false, mode};
  if (violation(origin, audit::Kind::registry_absolute, call, shown, audit::registry_alternative(shown, origin.mode),
                ret)) {
    return STATUS_ACCESS_DENIED;
  }
  std::lock_guard lock(store->mutex);
  auto key = store->session->registry().open_key(hk_path, disposition);
  if (!key && key.error().code == Errc::path_escape) return STATUS_OBJECT_PATH_SYNTAX_BAD;
  if (!key && key.error().code == Errc::invalid_argument) return STATUS_OBJECT_NAME_INVALID;
  return hand_out_key(std::move(key), std::move(origin), desired, KEY_ALL_ACCESS, out);
}

NTSTATUS read_value(const KeyObj& key, std::string_view name, registry::Value& out) {
  if (!(key.granted & KEY_QUERY_VALUE)) return STATUS_ACCESS_DENIED;
  std::lock_guard lock(key.origin.store->mutex);
  auto v = key.key.query_value(name);
  if (!v) return status_of(v.error());
  out = std::move(*v);
  return STATUS_SUCCESS;
}

NTSTATUS write_value(const KeyObj& key, std::string_view name, ULONG type, const void* data, ULONG size,
                     std::string_view call, const void* ret) {
  if (!(key.granted & KEY_SET_VALUE) || !(key.ceiling & KEY_SET_VALUE)) return STATUS_ACCESS_DENIED;
  if (size && !data) return STATUS_INVALID_PARAMETER;
  if (type == REG_LINK) return STATUS_ACCESS_DENIED;  // links are not created through the state API
  if (!key.origin.isolated) {
    std::string path = key.shown + "\\" + (name.empty() ? "(Default)" : std::string(name));
    if (violation(key.origin, audit::Kind::registry_write, call, path,
                  audit::registry_alternative(key.shown, key.origin.mode), ret)) {
      return STATUS_ACCESS_DENIED;
    }
  }
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::lock_guard lock(key.origin.store->mutex);
  auto s = key.key.set_value(name, type, std::vector<std::uint8_t>(p, p + size));
  return s ? STATUS_SUCCESS : status_of(s.error());
}

}  // namespace isodrv::capi

// ---- The Zw* key routines ------------------------------------------------------------------------

using namespace isodrv::capi;
namespace reg = isodrv::registry;

namespace {

// "\Registry\Machine\X" → "HKLM\X", "\Registry\User\X" → "HKU\X"; false for another name.
bool nt_to_hk(const std::string& nt, std::string& hk) {
  auto starts = [&](std::string_view prefix) {
    if (nt.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(nt[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
        return false;
      }
    }
    return nt.size() == prefix.size() || nt[prefix.size()] == '\\';
  };
  for (auto [prefix, root] : {std::pair<std::string_view, std::string_view>{"\\Registry\\Machine", "HKLM"},
                              {"\\Registry\\User", "HKU"}}) {
    if (starts(prefix)) {
      hk = std::string(root) + nt.substr(prefix.size());
      return true;
    }
  }
  return false;
}

NTSTATUS open_key(PHANDLE out, ACCESS_MASK desired, POBJECT_ATTRIBUTES oa, isodrv::registry::Disposition disposition,
                  ULONG options, PULONG disposition_out, std::string_view call, const void* ret) {
  const bool create = disposition == isodrv::registry::Disposition::open_always;
  if (!out || !oa || oa->Length != sizeof(OBJECT_ATTRIBUTES)) return STATUS_INVALID_PARAMETER;
  std::string name;
  if (!to_utf8(oa->ObjectName, name)) return STATUS_OBJECT_NAME_INVALID;
  if (oa->RootDirectory) {
    auto parent = lookup_as<KeyObj>(oa->RootDirectory, ObjType::key);
    if (!parent) return STATUS_INVALID_HANDLE;
    return open_relative(*parent, name, desired, disposition, options, disposition_out, call, ret, out);
  }
  std::string hk;
  if (name.empty() || name.front() != '\\') return STATUS_OBJECT_PATH_SYNTAX_BAD;
  if (!nt_to_hk(name, hk)) return STATUS_OBJECT_NAME_NOT_FOUND;
  if (options & REG_OPTION_CREATE_LINK) return STATUS_ACCESS_DENIED;
  if (disposition_out && create) {
    // Whether it exists decides the disposition; an absent key is created by open_absolute.
    auto store = current_store();
    bool existed = false;
    if (store) {
      std::lock_guard lock(store->mutex);
      existed = store->session->registry().open_key(hk).ok();
    }
    *disposition_out = existed ? REG_OPENED_EXISTING_KEY : REG_CREATED_NEW_KEY;
  }
  NTSTATUS st = open_absolute(hk, name, desired, disposition, CallerMode::kernel, call, ret, out);
  if (disposition_out && !create) *disposition_out = REG_OPENED_EXISTING_KEY;
  return st;
}

// Fills one KEY_VALUE_*_INFORMATION structure. Windows' protocol: ResultLength always receives
// the full size; a buffer smaller than the fixed part gets STATUS_BUFFER_TOO_SMALL and nothing;
// one that holds the fixed part but not all gets it and as much as fits, with STATUS_BUFFER_OVERFLOW.
NTSTATUS fill_value_info(KEY_VALUE_INFORMATION_CLASS cls, const std::string& name, const reg::Value& v, PVOID buf,
                         ULONG len, PULONG result) {
  if (!result) return STATUS_INVALID_PARAMETER;
  if (len && !buf) return STATUS_INVALID_PARAMETER;
  std::u16string wname = to_utf16(name);
  ULONG name_bytes = static_cast<ULONG>(wname.size() * 2);
  ULONG data_bytes = static_cast<ULONG>(v.data.size());
  ULONG fixed = 0, var_offset = 0, required = 0;
  const std::uint8_t* var = nullptr;
  ULONG var_bytes = 0;
  auto* b = static_cast<std::uint8_t*>(buf);
  switch (cls) {
    case KeyValueBasicInformation:
      fixed = var_offset = offsetof(KEY_VALUE_BASIC_INFORMATION, Name);
      required = fixed + name_bytes;
      var = reinterpret_cast<const std::uint8_t*>(wname.data());
      var_bytes = name_bytes;
      break;
    case KeyValueFullInformation:
      fixed = var_offset = offsetof(KEY_VALUE_FULL_INFORMATION, Name);
      required = ((fixed + name_bytes + 3) & ~3U) + data_bytes;  // data starts ULONG-aligned
      var = reinterpret_cast<const std::uint8_t*>(wname.data());
      var_bytes = name_bytes;
      break;
    case KeyValuePartialInformation:
      fixed = var_offset = offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data);
      required = fixed + data_bytes;
      var = v.data.data();
      var_bytes = data_bytes;
      break;
    default:
      return STATUS_INVALID_PARAMETER;
  }
  *result = required;
  if (len < fixed) return STATUS_BUFFER_TOO_SMALL;
  ULONG header[5] = {0, v.type, 0, 0, 0};
  if (cls == KeyValueBasicInformation) header[2] = name_bytes;
  if (cls == KeyValuePartialInformation) header[2] = data_bytes;
  if (cls == KeyValueFullInformation) {
    header[2] = (fixed + name_bytes + 3) & ~3U;
    header[3] = data_bytes;
    header[4] = name_bytes;
  }
  std::memcpy(b, header, fixed);
  std::memcpy(b + var_offset, var, std::min(var_bytes, len - var_offset));
  if (cls == KeyValueFullInformation && len >= required) std::memcpy(b + header[2], v.data.data(), data_bytes);
  return len < required ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS fill_key_info(KEY_INFORMATION_CLASS cls, const std::string& name, reg::FileTime time, PVOID buf, ULONG len,
                       PULONG result) {
  if (!result) return STATUS_INVALID_PARAMETER;
  if (len && !buf) return STATUS_INVALID_PARAMETER;
  std::u16string wname = to_utf16(name);
  ULONG name_bytes = static_cast<ULONG>(wname.size() * 2);
  ULONG fixed;
  if (cls == KeyBasicInformation) {
    fixed = offsetof(KEY_BASIC_INFORMATION, Name);
  } else if (cls == KeyNodeInformation) {
    fixed = offsetof(KEY_NODE_INFORMATION, Name);
  } else {
    return STATUS_INVALID_PARAMETER;
  }
  *result = fixed + name_bytes;
  if (len < fixed) return STATUS_BUFFER_TOO_SMALL;
  auto* b = static_cast<std::uint8_t*>(buf);
  LARGE_INTEGER t;
  t.QuadPart = static_cast<LONGLONG>(time);
  std::memcpy(b, &t, sizeof t);
  ULONG rest[4] = {0, 0, 0, 0};
  if (cls == KeyBasicInformation) {
    rest[1] = name_bytes;
  } else {
    rest[1] = 0xFFFFFFFFu;  // ClassOffset: no class
    rest[2] = 0;
    rest[3] = name_bytes;
  }
  std::memcpy(b + sizeof t, rest, fixed - sizeof t);
  std::memcpy(b + fixed, wname.data(), std::min(name_bytes, len - fixed));
  return len < fixed + name_bytes ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

}  // namespace

extern "C" {

ISODRV_API NTSTATUS NTAPI ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
  return open_key(KeyHandle, DesiredAccess, ObjectAttributes, isodrv::registry::Disposition::open_existing, 0, nullptr, "ZwOpenKey",
                  __builtin_return_address(0));
}

ISODRV_API NTSTATUS NTAPI ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                      ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions,
                                      PULONG Disposition) {
  return open_key(KeyHandle, DesiredAccess, ObjectAttributes, isodrv::registry::Disposition::open_always, CreateOptions,
                  Disposition, "ZwCreateKey", __builtin_return_address(0));
}

ISODRV_API NTSTATUS NTAPI ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                                          KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                          PVOID KeyValueInformation, ULONG Length, PULONG ResultLength) {
  auto key = lookup_as<KeyObj>(KeyHandle, ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  std::string name;
  if (!to_utf8(ValueName, name)) return STATUS_OBJECT_NAME_INVALID;
  reg::Value v;
  if (NTSTATUS st = read_value(*key, name, v); !NT_SUCCESS(st)) return st;
  return fill_value_info(KeyValueInformationClass, name, v, KeyValueInformation, Length, ResultLength);
}

ISODRV_API NTSTATUS NTAPI ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
                                        PVOID Data, ULONG DataSize) {
  auto key = lookup_as<KeyObj>(KeyHandle, ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  std::string name;
  if (!to_utf8(ValueName, name)) return STATUS_OBJECT_NAME_INVALID;
  return write_value(*key, name, Type, Data, DataSize, "ZwSetValueKey", __builtin_return_address(0));
}

ISODRV_API NTSTATUS NTAPI ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName) {
  auto key = lookup_as<KeyObj>(KeyHandle, ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  if (!(key->granted & KEY_SET_VALUE) || !(key->ceiling & KEY_SET_VALUE)) return STATUS_ACCESS_DENIED;
  std::string name;
  if (!to_utf8(ValueName, name)) return STATUS_OBJECT_NAME_INVALID;
  if (!key->origin.isolated &&
      violation(key->origin, isodrv::audit::Kind::registry_write, "ZwDeleteValueKey", key->shown + "\\" + name,
                isodrv::audit::registry_alternative(key->shown, CallerMode::kernel), __builtin_return_address(0))) {
    return STATUS_ACCESS_DENIED;
  }
  std::lock_guard lock(key->origin.store->mutex);
  auto s = key->key.delete_value(name);
  return s ? STATUS_SUCCESS : status_of(s.error());
}

ISODRV_API NTSTATUS NTAPI ZwEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass,
                                         PVOID KeyInformation, ULONG Length, PULONG ResultLength) {
  auto key = lookup_as<KeyObj>(KeyHandle, ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  if (!(key->granted & KEY_ENUMERATE_SUB_KEYS)) return STATUS_ACCESS_DENIED;
  std::string name;
  reg::FileTime time = 0;
  {
    std::lock_guard lock(key->origin.store->mutex);
    auto names = key->key.enum_subkeys();
    if (!names) return status_of(names.error());
    if (Index >= names->size()) return STATUS_NO_MORE_ENTRIES;
    name = (*names)[Index];
    auto sub = key->key.open_subkey(name);
    if (sub) {
      auto t = sub->last_write_time();
      if (t) time = *t;
    }
  }
  return fill_key_info(KeyInformationClass, name, time, KeyInformation, Length, ResultLength);
}

ISODRV_API NTSTATUS NTAPI ZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index,
                                              KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                              PVOID KeyValueInformation, ULONG Length, PULONG ResultLength) {
  auto key = lookup_as<KeyObj>(KeyHandle, ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  if (!(key->granted & KEY_QUERY_VALUE)) return STATUS_ACCESS_DENIED;
  reg::NamedValue nv;
  {
    std::lock_guard lock(key->origin.store->mutex);
    auto values = key->key.enum_values();
    if (!values) return status_of(values.error());
    if (Index >= values->size()) return STATUS_NO_MORE_ENTRIES;
    nv = std::move((*values)[Index]);
  }
  return fill_value_info(KeyValueInformationClass, nv.name, nv.value, KeyValueInformation, Length, ResultLength);
}

ISODRV_API NTSTATUS NTAPI ZwDeleteKey(HANDLE KeyHandle) {
  auto key = lookup_as<KeyObj>(KeyHandle, ObjType::key);
  if (!key) return STATUS_INVALID_HANDLE;
  if (!(key->granted & DELETE) || !(key->ceiling & DELETE)) return STATUS_ACCESS_DENIED;
  if (!key->origin.isolated &&
      violation(key->origin, isodrv::audit::Kind::registry_write, "ZwDeleteKey", key->shown,
                isodrv::audit::registry_alternative(key->shown, CallerMode::kernel), __builtin_return_address(0))) {
    return STATUS_ACCESS_DENIED;
  }
  std::lock_guard lock(key->origin.store->mutex);
  auto subs = key->key.enum_subkeys();
  if (!subs) return status_of(subs.error());
  if (!subs->empty()) return STATUS_CANNOT_DELETE;  // ZwDeleteKey removes a key without subkeys only
  auto s = key->key.delete_tree();
  return s ? STATUS_SUCCESS : (s.error().code == isodrv::Errc::access_denied ? STATUS_CANNOT_DELETE
                                                                              : status_of(s.error()));
}

ISODRV_API NTSTATUS NTAPI ZwClose(HANDLE Handle) {
  return erase(Handle, {ObjType::key, ObjType::directory, ObjType::file}) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

}  // extern "C"
