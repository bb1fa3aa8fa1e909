// Applying a driver's install sections to one device (DDInstall, .HW, .Services, .Interfaces,
// ClassInstall32, extension INFs) with every change recorded so that uninstall can undo exactly it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "devinst/engine_impl.h"
#include "base/text.h"
#include "devinst/components.h"
#include "devinst/delfiles.h"
#include "devinst/inbox.h"
#include "devinst/install_facts.h"
#include "devinst/wow64.h"
#include "isodrv/registry_roots.h"

namespace isodrv::devinst {

std::optional<std::string> detail::windows_to_host(const std::string& root, const std::string& windows) {
  std::string p = windows;
  if (p.size() < 3 || !inf::iequals(p.substr(0, 3), "C:\\")) return std::nullopt;
  p = p.substr(3);
  std::replace(p.begin(), p.end(), '\\', '/');
  if (inf::iequals(p.substr(0, 7), "Windows")) p = "Windows" + p.substr(7);
  auto norm = package::normalize_relative_path(p);
  if (!norm) return std::nullopt;
  return root + "/" + *norm;
}
namespace fs = std::filesystem;
using detail::DeviceRow;
using detail::Diff;
using detail::Loaded;
using package::RegOp;
using package::SectionRole;

namespace {

// The Extension setup class: packages of this class with an ExtensionId extend a base driver.
constexpr const char* kExtensionClassGuid = "{e2f84ce7-8efa-411c-aa69-97454ca4cb57}";
// SPSVCINST_ASSOCSERVICE: the service is the device's function driver.
constexpr std::uint32_t kAssocService = 0x2;
// SPSVCINST_DELETEEVENTLOGENTRY: DelService also removes the service's event-log registration.
constexpr std::uint32_t kDeleteEventLogEntry = 0x4;
// Nested Needs beyond this depth mean a cycle the model did not catch.
constexpr int kMaxNeedsDepth = 16;
// Where UMDF drivers' service keys live (registry-layout.md §1, wdf/introduction-to-registry-keys).
constexpr const char* kUmdfServicesKey = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\WUDF\\Services";

// The DDInstall sub-sections the engine applies, in the order it applies them (package::kSubsections).
const std::vector<package::Subsection>& install_order() {
  static const std::vector<package::Subsection> order = [] {
    std::vector<package::Subsection> v;
    for (const auto& s : package::kSubsections) {
      if (s.install_step) v.push_back(s);
    }
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.install_step < b.install_step; });
    return v;
  }();
  return order;
}

std::string long_path(std::string_view p) {
  auto cut = p.find('\\');
  std::string_view head = p.substr(0, cut);
  for (const auto& r : registry_roots::kRoots) {
    if (inf::iequals(head, r.short_name)) {
      return std::string(r.long_name) + (cut == std::string_view::npos ? "" : std::string(p.substr(cut)));
    }
  }
  return std::string(p);
}

std::string fold(std::string_view p) { return detail::fold_path(p); }

bool has_prefix_path(const std::string& folded, const std::string& folded_prefix) {
  return folded == folded_prefix ||
         (folded.size() > folded_prefix.size() && folded.compare(0, folded_prefix.size(), folded_prefix) == 0 &&
          folded[folded_prefix.size()] == '\\');
}

using base::trim;


std::string lower(std::string_view s) { return inf::to_lower_ascii(s); }

// ---- the install context ----------------------------------------------------------------------

struct Binding {
  std::string hkr;          // the key HKR means ("" when HKR is not allowed)
  bool hw = false;          // .HW: device-property names go to the Enum instance key
  SectionRole role = SectionRole::other;
  // The object AddProperty / DelProperty act on: the device's Enum key, the interface's key, the
  // class key ("" where the directive has no object). Its properties live below it in "Properties".
  std::string props;
};

class Installer {
 public:
  Installer(Engine::Impl& e, const DeviceRow& dev, std::int64_t install_id, bool dry_run,
            store::WriteTxn& txn)
      : e_(e), dev_(dev), install_id_(install_id), dry_run_(dry_run), txn_(txn),
        owner_("i" + std::to_string(install_id)), enum_path_(enum_key_path(dev.instance_id)) {}

  std::vector<std::string> notes, side_effects, interfaces, used_files, extensions, umdf_services;
  std::string assoc_service, software_key;
  std::vector<Diff> diffs;

  // ---- recording primitives ----

  Status record(int op, const std::string& key, std::string_view name, int flag, std::uint32_t type,
                const std::vector<std::uint8_t>& data) {
    if (!recording_) return {};
    return record_as(owner_, op, key, name, flag, type, data);
  }
  Status record_as(const std::string& owner, int op, const std::string& key, std::string_view name, int flag,
                   std::uint32_t type, const std::vector<std::uint8_t>& data) {
    auto& s = e_.q("INSERT INTO devinst_undo(owner, op, key, name, flag, type, data) VALUES(?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, owner).bind(2, static_cast<std::int64_t>(op)).bind(3, key).bind(4, name);
    s.bind(5, static_cast<std::int64_t>(flag)).bind(6, static_cast<std::int64_t>(type)).bind_blob(7, data);
    return s.run();
  }

  // Opens `path`, creating what is missing; every key created is recorded. `private_key`: the key
  // belongs to this install alone (undo deletes its whole tree).
  Result<registry::KeyHandle> ensure(const std::string& path, bool private_key = false) {
    const std::string f = fold(path);
    if (auto it = cache_.find(f); it != cache_.end()) return it->second;
    auto k = e_.reg.open_key(path, false);
    if (k) {
      // A shared container some install created (a class key, an interface-class key): this
      // install is one more user of it.
      if (!private_key) {
        const std::string scope = "key:" + fold(k->path());
        auto& q = e_.q("SELECT 1 FROM devinst_undo WHERE owner = ? LIMIT 1");
        q.bind(1, scope);
        if (q.row()) {
          if (auto s = use_scope(scope); !s) return s.error();
        }
      }
      cache_.emplace(f, *k);
      return k;
    }
    if (k.error().code != Errc::not_found) return k.error();
    auto cut = path.rfind('\\');
    if (cut == std::string::npos) return k.error();
    auto parent = ensure(path.substr(0, cut));
    if (!parent) return parent.error();
    auto c = parent->open_subkey(path.substr(cut + 1), true);
    if (!c) return c.error();
    const bool container = !private_key && !created_here(*parent);
    created_.insert(fold(c->path()));
    if (container) {
      // Created outside anything this install owns: other installs may put their keys below it,
      // so it goes when its last user goes (and only if it is empty then).
      const std::string scope = "key:" + fold(c->path());
      if (recording_) {
        if (auto s = record_as(scope, detail::kUndoKeyCreated, c->path(), "", 0, 0, {}); !s) return s.error();
      }
      if (auto s = use_scope(scope); !s) return s.error();
    } else if (auto s = record(detail::kUndoKeyCreated, c->path(), "", private_key ? 1 : 0, 0, {}); !s) {
      return s.error();
    }
    if (dry_run_) diffs.push_back({Diff::add_key, c->path(), "", {}});
    cache_.emplace(f, *c);
    return c;
  }

  bool created_here(const registry::KeyHandle& k) const { return created_.count(fold(k.path())) != 0; }

  Status use_scope(const std::string& scope) {
    auto& u = e_.q("INSERT OR IGNORE INTO devinst_scope_users(install_id, scope) VALUES(?, ?)");
    u.bind(1, install_id_).bind(2, scope);
    return u.run();
  }

  Status set(const registry::KeyHandle& k, std::string_view name, const registry::Value& v) {
    if (!created_here(k)) {
      // An unchanged value is neither written nor recorded (the common case for a service that
      // every device of a machine-wide install shares).
      auto prior = k.query_value(name);
      if (prior) {
        if (*prior == v) return {};
        if (auto s = record(detail::kUndoValue, k.path(), name, 1, prior->type, prior->data); !s) return s;
      } else if (prior.error().code == Errc::not_found) {
        if (auto s = record(detail::kUndoValue, k.path(), name, 0, 0, {}); !s) return s;
      } else {
        return prior.error();
      }
    }
    if (auto s = k.set_value(name, v); !s) return s;
    if (dry_run_) diffs.push_back({Diff::set_value, k.path(), std::string(name), v});
    return {};
  }
  Status set_sz(const registry::KeyHandle& k, std::string_view name, std::string_view s,
                std::uint32_t type = registry::kRegSz) {
    auto b = registry::encode_sz(s);
    if (!b) return b.error();
    return set(k, name, registry::Value{type, std::move(*b)});
  }
  Status set_dword(const registry::KeyHandle& k, std::string_view name, std::uint32_t v) {
    return set(k, name, registry::Value{registry::kRegDword, registry::encode_dword(v)});
  }
  Status set_multi(const registry::KeyHandle& k, std::string_view name, const std::vector<std::string>& v) {
    auto b = registry::encode_multi_sz(v);
    if (!b) return b.error();
    return set(k, name, registry::Value{registry::kRegMultiSz, std::move(*b)});
  }

  Status delete_value(const registry::KeyHandle& k, std::string_view name) {
    auto prior = k.query_value(name);
    if (!prior) return prior.error().code == Errc::not_found ? Status() : Status(prior.error());
    if (recording_ && !created_here(k)) {
      // Undo recreates the value at the end; the order record then puts every value back in place.
      auto vals = k.enum_values();
      if (!vals) return vals.error();
      std::string order;
      for (const auto& v : *vals) order += v.name + "\n";
      if (auto s = record(detail::kUndoValueOrder, k.path(), "", 0, 0, std::vector<std::uint8_t>(order.begin(), order.end())); !s) {
        return s;
      }
      if (auto s = record(detail::kUndoValue, k.path(), name, 1, prior->type, prior->data); !s) return s;
    }
    if (auto s = k.delete_value(name); !s) return s;
    if (dry_run_) diffs.push_back({Diff::delete_value, k.path(), std::string(name), {}});
    return {};
  }

  // Records a tree so that replaying the records backwards recreates it with values in order.
  Status snapshot(const registry::KeyHandle& k) {
    auto subs = k.enum_subkeys();
    if (!subs) return subs.error();
    for (auto it = subs->rbegin(); it != subs->rend(); ++it) {
      auto c = k.open_subkey(*it);
      if (!c) return c.error();
      if (auto s = snapshot(*c); !s) return s;
    }
    auto vals = k.enum_values();
    if (!vals) return vals.error();
    for (auto it = vals->rbegin(); it != vals->rend(); ++it) {
      if (auto s = record(detail::kUndoValue, k.path(), it->name, 1, it->value.type, it->value.data); !s) return s;
    }
    return record(detail::kUndoKeyExisted, k.path(), "", 0, 0, {});
  }

  Status delete_tree(const std::string& path) {
    auto k = e_.reg.open_key(path, false);
    if (!k) return k.error().code == Errc::not_found ? Status() : Status(k.error());
    if (recording_ && !created_here(*k)) {
      if (auto s = snapshot(*k); !s) return s;
    }
    const std::string f = fold(k->path());
    if (auto s = k->delete_tree(); !s) return s;
    for (auto it = cache_.begin(); it != cache_.end();) it = has_prefix_path(it->first, f) ? cache_.erase(it) : std::next(it);
    for (auto it = created_.begin(); it != created_.end();) it = has_prefix_path(*it, f) ? created_.erase(it) : std::next(it);
    if (dry_run_) diffs.push_back({Diff::delete_key, k->path(), "", {}});
    return {};
  }

  // Runs `f` with changes recorded under a shared scope (a service, a setup class, the non-isolated
  // files of a package). Only the install that brings a scope into use records its changes; the
  // last install that leaves it undoes them.
  template <typename F>
  Status in_scope(const std::string& scope, F&& f) {
    bool in_use = false;
    {
      auto& s = e_.q("SELECT 1 FROM devinst_scope_users WHERE scope = ? AND install_id != ? LIMIT 1");
      s.bind(1, scope).bind(2, install_id_);
      in_use = s.row();
    }
    std::string saved_owner = owner_;
    bool saved_recording = recording_;
    std::set<std::string> saved_created;
    saved_created.swap(created_);
    owner_ = scope;
    recording_ = saved_recording && !in_use;
    Status result = f();
    owner_ = saved_owner;
    recording_ = saved_recording;
    for (auto& c : created_) saved_created.insert(c);  // keys created here are still new to the install
    created_.swap(saved_created);
    if (!result) return result;
    auto& u = e_.q("INSERT OR IGNORE INTO devinst_scope_users(install_id, scope) VALUES(?, ?)");
    u.bind(1, install_id_).bind(2, scope);
    return u.run();
  }

  // ---- registry operations (registry-layout.md §4.3) ----

  // The key an entry writes to, or "" when the entry is skipped (a note says why).
  Result<std::string> target_key(const RegOp& op, const Binding& b, bool& property) {
    property = false;
    const std::string where = op.line.document().path() + ":" + std::to_string(op.line.line()) + ": ";
    std::string base;
    if (op.root == "HKR") {
      if (b.hkr.empty()) {
        return Error(Errc::invalid_argument, "HKR is not allowed in a section of this kind (" + std::string(op.reg_section) + ")",
                     op.line.document().path(), op.line.line());
      }
      base = b.hkr;
      // The model marks the .HW entries that name device properties (package::kDevnodePropertyNames).
      if (b.hw && op.devnode_property) {
        base = enum_path_;
        property = true;
      }
    } else if (registry_roots::is_inf_absolute_root(op.root)) {
      base = op.root;
    } else {
      notes.push_back(where + "unknown registry root '" + op.root + "'; entry skipped");
      return std::string();
    }
    std::string sub = trim(op.subkey);
    while (!sub.empty() && sub.back() == '\\') sub.pop_back();
    while (!sub.empty() && sub.front() == '\\') sub.erase(0, 1);
    if (sub.empty() && op.root != "HKR") {
      return Error(Errc::invalid_argument, "a registry entry must not write to the root of " + op.root,
                   op.line.document().path(), op.line.line());
    }
    // FLG_*REG_32BITKEY in a 64-bit install: the entry acts on the 32-bit registry view.
    if (sixty_four_ && op.root != "HKR" && (op.flags.value_or(0) & package::addreg::k32BitKey)) {
      sub = wow64_32bit_subkey(op.root, sub);
    }
    return sub.empty() ? base : base + "\\" + sub;
  }

  Result<registry::Value> encode(const package::AddRegData& d) {
    registry::Value v;
    v.type = d.type;
    if (d.type == registry::kRegSz || d.type == registry::kRegExpandSz) {
      auto b = registry::encode_sz(d.strings.empty() ? std::string() : d.strings[0]);
      if (!b) return b.error();
      v.data = std::move(*b);
    } else if (d.type == registry::kRegMultiSz) {
      auto b = registry::encode_multi_sz(d.strings);
      if (!b) return b.error();
      v.data = std::move(*b);
    } else if (d.number && d.type == registry::kRegDword) {
      v.data = registry::encode_dword(static_cast<std::uint32_t>(*d.number));
    } else if (d.number) {
      v.data = registry::encode_qword(*d.number);
    } else {
      v.data = d.bytes;
    }
    return v;
  }

  Status add_reg(const RegOp& op, const Binding& b) {
    namespace ar = package::addreg;
    if (!op.flags) {
      return Error(Errc::invalid_argument, "invalid AddReg flags '" + op.flags_text + "'", op.line.document().path(),
                   op.line.line());
    }
    const std::uint32_t flags = *op.flags;
    if (flags & ar::kDelRegBit) return {};  // a DelReg-style entry in an AddReg section is skipped
    bool property = false;
    auto path = target_key(op, b, property);
    if (!path) return path.error();
    if (path->empty()) return {};
    if (flags & (ar::kKeyOnly | ar::kKeyOnlyCommon)) {
      auto k = ensure(*path);
      return k ? Status() : Status(k.error());
    }
    const std::string name = op.value_name.value_or("");
    if (flags & ar::kDelVal) {
      if (!op.value_name) return delete_tree(*path);
      auto k = e_.reg.open_key(*path, false);
      if (!k) return k.error().code == Errc::not_found ? Status() : Status(k.error());
      return delete_value(*k, name);
    }
    if (flags & ar::kOverwriteOnly) {
      auto k = e_.reg.open_key(*path, false);
      if (!k || !k->query_value(name)) return {};  // neither the key nor the value is created
    }
    // 32BITKEY chose the view in target_key; 64BITKEY is the native view.
    auto k = ensure(*path);
    if (!k) return k.error();
    if (!op.value_name && op.data.empty()) return {};  // "HKR,Sub" creates the key only
    auto data = package::addreg_data(op);
    if (!data) return data.error();
    auto existing = k->query_value(name);
    if ((flags & ar::kNoClobber) && existing) return {};
    if (data->type == registry::kRegMultiSz && (flags & ar::kAppend)) {
      std::vector<std::string> merged;
      if (existing && existing->type == registry::kRegMultiSz) {
        if (auto cur = registry::decode_multi_sz(existing->data)) merged = *cur;
      }
      for (const auto& s : data->strings) {
        bool present = std::any_of(merged.begin(), merged.end(), [&](const std::string& m) { return inf::iequals(m, s); });
        if (!present) merged.push_back(s);
      }
      return set_multi(*k, name, merged);
    }
    if (b.role == SectionRole::coinstallers && inf::iequals(name, "CoInstallers32")) {
      if (auto s = record_coinstallers(op, *data); !s) return s;
    }
    auto v = encode(*data);
    if (!v) {
      Error e = v.error();
      e.file = op.line.document().path();
      e.line = op.line.line();
      return e;
    }
    return set(*k, name, *v);
  }

  // Co-installers are registered as Windows does (the CoInstallers32 value) but never run: they
  // are legacy, not valid in universal or isolated INFs [IV 1303]; the device records them.
  Status record_coinstallers(const RegOp& op, const package::AddRegData& data) {
    const std::string source = op.line.document().path() + ":" + std::to_string(op.line.line());
    for (const auto& entry : data.strings) {
      if (entry.empty()) continue;
      notes.push_back(source + ": co-installer " + entry + " registered, not executed (not valid in a universal INF)");
      if (auto s = record_install_fact(e_, install_id_, kFactCoInstaller, entry, source); !s) return s;
    }
    return {};
  }

  Status del_reg(const RegOp& op, const Binding& b) {
    namespace ar = package::addreg;
    const std::uint32_t flags = op.flags.value_or(0);
    bool property = false;
    auto path = target_key(op, b, property);
    if (!path) return path.error();
    if (path->empty()) return {};
    if ((flags & ar::kDelStringMultiSz) == ar::kDelStringMultiSz) {
      auto k = e_.reg.open_key(*path, false);
      if (!k) return {};
      auto cur = k->get_multi_sz(op.value_name.value_or(""));
      if (!cur) return {};
      std::vector<std::string> kept;
      const std::string gone = op.data.empty() ? std::string() : op.data[0];
      for (const auto& s : *cur) {
        if (!inf::iequals(s, gone)) kept.push_back(s);
      }
      if (kept.size() == cur->size()) return {};
      return set_multi(*k, op.value_name.value_or(""), kept);
    }
    if (!op.value_name || (flags & ar::kKeyOnlyCommon)) return delete_tree(*path);
    auto k = e_.reg.open_key(*path, false);
    if (!k) return {};
    return delete_value(*k, *op.value_name);
  }

  Status bit_reg(const RegOp& op, const Binding& b) {
    bool property = false;
    auto path = target_key(op, b, property);
    if (!path) return path.error();
    if (path->empty() || op.data.size() < 2) return {};
    auto k = e_.reg.open_key(*path, false);
    if (!k) return {};
    auto cur = k->query_value(op.value_name.value_or(""));
    if (!cur || cur->type != registry::kRegBinary) return {};  // BitReg changes existing binary values only
    auto mask = inf::parse_bit_mask(op.data[0]);
    auto index = inf::parse_u32(op.data[1]);
    if (!mask || *mask > 0xFF || !index) {
      return Error(Errc::invalid_argument, "invalid BitReg mask or byte index", op.line.document().path(), op.line.line());
    }
    if (*index >= cur->data.size()) return {};
    registry::Value v = *cur;
    if (op.flags.value_or(0) & 1) v.data[*index] |= static_cast<std::uint8_t>(*mask);
    else v.data[*index] &= static_cast<std::uint8_t>(~*mask);
    return set(*k, op.value_name.value_or(""), v);
  }

  // ---- device properties (install-semantics.md §8) ----

  Status property(const package::PropertyOp& op, const Binding& b) {
    namespace dp = package::devprop;
    const std::string& file = op.line.document().path();
    if (!op.error.empty()) return Error(Errc::invalid_argument, op.error, file, op.line.line());
    const char* directive = op.kind == package::PropertyOpKind::add ? "AddProperty" : "DelProperty";
    if (b.props.empty()) {
      notes.push_back(file + ":" + std::to_string(op.line.line()) + ": " + directive + " in a " +
                      std::string(package::section_role_name(b.role)) + " has no device, interface or class to set; skipped");
      return {};
    }
    const std::string root = b.props + "\\" + dp::kPropertiesKey;
    const std::string cat = root + "\\" + op.key.fmtid;
    const std::string path = cat + "\\" + dp::pid_key_name(op.key.pid);
    std::optional<registry::Value> existing;
    if (auto k = e_.reg.open_key(path, false)) {
      if (auto v = k->query_value("")) existing = *v;
    }
    const std::uint32_t existing_type = existing ? existing->type & ~dp::kRegTypeBase : 0;
    if (op.kind == package::PropertyOpKind::del) {
      if (!existing) return {};
      if (op.flags & dp::kDelString) {
        if (existing_type != dp::kStringList) return {};
        auto cur = registry::decode_multi_sz(existing->data);
        if (!cur) return {};
        std::vector<std::string> kept;
        for (const auto& s : *cur) {
          bool gone = std::any_of(op.values.begin(), op.values.end(), [&](const std::string& v) { return inf::iequals(s, v); });
          if (!gone) kept.push_back(s);
        }
        auto bytes = registry::encode_multi_sz(kept);
        if (!bytes) return bytes.error();
        auto k = ensure(path, true);
        if (!k) return k.error();
        return set(*k, "", registry::Value{existing->type, std::move(*bytes)});
      }
      return delete_tree(path);
    }
    if ((op.flags & dp::kNoClobber) && existing) return {};
    if ((op.flags & dp::kOverwriteOnly) && !existing) return {};
    auto data = dp::encode(op.type, op.values);
    if (!data) return Error(data.error().code, data.error().message, file, op.line.line());
    if (op.flags & dp::kAppend) {
      if (op.type != dp::kStringList) {
        return Error(Errc::invalid_argument, "AddProperty flag 0x4 (append) needs DEVPROP_TYPE_STRING_LIST", file, op.line.line());
      }
      // Strings not already present go at the end; a missing property is created [ND].
      std::vector<std::string> merged;
      if (existing && existing_type == dp::kStringList) {
        if (auto cur = registry::decode_multi_sz(existing->data)) merged = *cur;
      }
      for (const auto& v : op.values) {
        if (v.empty()) continue;
        if (std::none_of(merged.begin(), merged.end(), [&](const std::string& m) { return inf::iequals(m, v); })) merged.push_back(v);
      }
      auto bytes = registry::encode_multi_sz(merged);
      if (!bytes) return bytes.error();
      *data = std::move(*bytes);
    } else if (op.flags & (dp::kOr | dp::kAnd)) {
      if (op.type != dp::kUint32) {
        return Error(Errc::invalid_argument, "AddProperty flags 0x8 (or) and 0x10 (and) need DEVPROP_TYPE_UINT32", file,
                     op.line.line());
      }
      // Combined with the current value; a missing property takes the value as given [ND].
      if (existing && existing_type == dp::kUint32 && existing->data.size() == 4) {
        for (std::size_t i = 0; i < 4; ++i) {
          (*data)[i] = (op.flags & dp::kOr) ? ((*data)[i] | existing->data[i]) : ((*data)[i] & existing->data[i]);
        }
      }
    }
    for (const auto& p : {root, cat}) {
      if (auto k = ensure(p, true); !k) return k.error();
    }
    auto k = ensure(path, true);
    if (!k) return k.error();
    return set(*k, "", registry::Value{dp::kRegTypeBase | op.type, std::move(*data)});
  }

  // ---- files ----

  std::optional<std::string> host_path(const std::string& windows) { return detail::windows_to_host(e_.root, windows); }

  Status copy_files(const Loaded& pkg, const package::Operation& op) {
    if (!op.target_exists) {
      return Error(Errc::not_found, "CopyFiles names section [" + std::string(op.target) + "], which does not exist",
                   pkg.doc->path(), op.line.line());
    }
    for (const package::FileCopy& copy : items(pkg.pkg.copies, op)) {
      const package::FileCopy* c = &copy;
      const std::string where_file = pkg.doc->path();
      if (!pkg.inbox_inf.empty() && c->dirid == inf::kDiridDriverStore) {
        notes.push_back(inbox_in_place_note(pkg, *c));
        continue;
      }
      if (!c->source) {
        return Error(Errc::not_found, "file '" + c->source_name + "' is not listed in SourceDisksFiles", where_file,
                     c->line.line());
      }
      auto located = package::locate_package_file(pkg.host_folder, c->source->relative_path);
      if (!located) {
        return Error(Errc::file_not_found, "file '" + c->source->relative_path + "' is missing from the driver store folder",
                     where_file, c->line.line());
      }
      if (c->dirid == inf::kDiridDriverStore) {
        // Run from the driver store: the file is already in place; only its presence is checked.
        std::string win = pkg.windows_folder + "\\" + c->source->relative_path;
        std::replace(win.begin(), win.end(), '/', '\\');
        used_files.push_back(win);
        continue;
      }
      auto dir = inf::dirid_path(c->dirid, pkg.doc->dirids());
      if (!dir) {
        return Error(Errc::unsupported, "CopyFiles destination DIRID '" + c->dirid_text + "' cannot be resolved",
                     where_file, c->destination_line.line());
      }
      std::string win = *dir + (c->dest_subdir.empty() ? "" : "\\" + c->dest_subdir) + "\\" + c->dest_name;
      auto host = host_path(win);
      if (!host) {
        return Error(Errc::path_escape, "CopyFiles destination " + win + " is outside the emulated Windows tree",
                     where_file, c->line.line());
      }
      used_files.push_back(win);
      side_effects.push_back("copied " + c->source->relative_path + " to " + win + " (outside the driver store)");
      if (dry_run_) {
        diffs.push_back({Diff::copy_file, pkg.windows_folder + "\\" + c->source->relative_path, win, {}});
        continue;
      }
      auto st = in_scope("files:" + lower(pkg.sp.folder) + "|" + lower(win), [&]() -> Status { return copy_one(located->host_path, *host); });
      if (!st) return st;
    }
    return {};
  }

  // The undo records first (in the transaction), then the copy through the write funnel, which
  // journals the destination's prior state and puts it back if the transaction does not commit.
  Status copy_one(const std::string& from, const std::string& to) {
    std::error_code ec;
    const bool existed = fs::exists(to, ec);
    std::vector<std::uint8_t> prior;
    if (existed) {
      std::ifstream in(to, std::ios::binary);
      prior.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto made = txn_.create_directories(fs::path(to).parent_path().string());
    if (!made) return made.error();
    // Undone innermost first, as the records replay newest first.
    for (auto it = made->rbegin(); it != made->rend(); ++it) {
      if (auto s = record(detail::kUndoDirCreated, *it, "", 0, 0, {}); !s) return s;
    }
    if (existed) {
      if (auto s = record(detail::kUndoFileReplaced, to, "", 0, 0, prior); !s) return s;
    } else {
      if (auto s = record(detail::kUndoFileCreated, to, "", 0, 0, {}); !s) return s;
    }
    return txn_.copy_file(from, to);
  }

  // ---- sections ----

  // The records an operation's directive filled (Package::regs, copies …): [first, first + count).
  template <class T>
  static std::span<const T> items(const std::vector<T>& v, const package::Operation& op) {
    return std::span<const T>(v).subspan(op.first, op.count);
  }

  // ---- sections: one handler per directive (Wine's setupapi: one callback per directive) ----

  using Handler = Status (Installer::*)(const Loaded&, const package::Operation&, const Binding&);
  struct DirectiveHandler {
    const char* name;
    Handler fn;
    bool any_role;       // false: only in sections of `role`
    SectionRole role;
  };

  // The handler of each directive the engine applies. The order directives apply in is the
  // model's (package::kApplyOrder); a handler receives one operation, with what the model parsed.
  static const std::vector<DirectiveHandler>& handlers() {
    static const std::vector<DirectiveHandler> table = {
        {"DelFiles", &Installer::on_del_files, true, SectionRole::other},
        {"RenFiles", &Installer::on_ren_files, true, SectionRole::other},
        {"CopyFiles", &Installer::on_copy_files, true, SectionRole::other},
        {"DelReg", &Installer::on_reg, true, SectionRole::other},
        {"AddReg", &Installer::on_reg, true, SectionRole::other},
        {"BitReg", &Installer::on_reg, true, SectionRole::other},
        {"DelProperty", &Installer::on_property, true, SectionRole::other},
        {"AddProperty", &Installer::on_property, true, SectionRole::other},
        {"DelService", &Installer::on_del_service, false, SectionRole::services},
        {"AddService", &Installer::on_add_service, false, SectionRole::services},
        {"AddInterface", &Installer::on_add_interface, false, SectionRole::interfaces},
        {"KmdfService", &Installer::on_kmdf_service, false, SectionRole::wdf},
        {"UmdfService", &Installer::on_umdf_service, false, SectionRole::wdf},
        {"Reboot", &Installer::on_restart, false, SectionRole::ddinstall},
        {"Restart", &Installer::on_restart, false, SectionRole::ddinstall},
        {"AddComponent", &Installer::on_add_component, false, SectionRole::components},
        {"AddSoftware", &Installer::on_add_software, false, SectionRole::software},
    };
    return table;
  }

  // Applies install section `idx` (an index into the package model's sections): its operations in
  // the model's order, Needs last and in the role (so with the HKR) of this section.
  Status apply_section(const Loaded& pkg, std::size_t idx, const Binding& b, int depth = 0) {
    const package::InstallSection& is = pkg.pkg.sections[idx];
    if (depth > kMaxNeedsDepth) return Error(Errc::invalid_argument, "Needs nests too deeply at [" + is.name + "]", pkg.doc->path());
    if (!is.exists) return Error(Errc::not_found, "install section [" + is.name + "] does not exist", pkg.doc->path());
    sixty_four_ = pkg.pkg.target.arch == inf::Arch::amd64 || pkg.pkg.target.arch == inf::Arch::arm64 ||
                  pkg.pkg.target.arch == inf::Arch::ia64;
    const std::span<const package::Operation> ops = package::operations_of(pkg.pkg, idx);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const package::Operation& op = ops[i];
      if (inf::iequals(op.directive, "Include")) continue;
      if (inf::iequals(op.directive, "Needs")) {
        if (auto s = apply_needed(pkg, ops, op, b, depth); !s) return s;
        continue;
      }
      const DirectiveHandler* h = handler(op.directive, b.role);
      if (!h) {
        if (auto s = unhandled(pkg, op, b); !s) return at_line(s.error(), pkg, op.line.line());
        continue;
      }
      // A directive naming several lists checks that they all exist before it applies any.
      const bool first_of_line = i == 0 || ops[i - 1].line.index() != op.line.index();
      if (first_of_line && checks_lists(op.directive)) {
        for (std::size_t j = i; j < ops.size() && ops[j].line.index() == op.line.index(); ++j) {
          if (ops[j].target_exists || ops[j].target.starts_with('@')) continue;
          return Error(Errc::not_found, std::string(op.directive) + " names section [" + std::string(ops[j].target) +
                       "], which does not exist", pkg.doc->path(), op.line.line());
        }
      }
      if (auto s = (this->*h->fn)(pkg, op, b); !s) return at_line(s.error(), pkg, op.line.line());
    }
    return {};
  }

  const DirectiveHandler* handler(std::string_view directive, SectionRole role) const {
    for (const auto& h : handlers()) {
      if (inf::iequals(directive, h.name) && (h.any_role || h.role == role)) return &h;
    }
    return nullptr;
  }

  static bool checks_lists(std::string_view directive) {
    for (const char* d : {"DelFiles", "RenFiles", "DelReg", "AddReg", "BitReg", "DelProperty", "AddProperty"}) {
      if (inf::iequals(directive, d)) return true;
    }
    return false;
  }

  // A directive without a handler: a device-level UMDF setting in .Wdf, or reported as not applied.
  Status unhandled(const Loaded& pkg, const package::Operation& op, const Binding& b) {
    if (b.role == SectionRole::wdf && op.directive.size() >= 4 && inf::iequals(op.directive.substr(0, 4), "Umdf")) {
      return op.count ? wdf_setting(pkg.pkg.wdf_settings[op.first]) : Status();
    }
    for (const char* d : {"AddComponent", "AddSoftware", "AddEventProvider", "UpdateInis", "UpdateIniFields", "Ini2Reg",
                          "RegisterDlls", "UnregisterDlls", "ProfileItems", "AddFilter"}) {
      if (inf::iequals(op.directive, d)) notes.push_back(where(pkg, op.line) + d + " is not applied by isodrv");
    }
    return {};
  }

  static std::string where(const Loaded& pkg, const inf::Line& l) {
    return pkg.doc->path() + ":" + std::to_string(l.line()) + ": ";
  }

  // Needs = section: a section of this INF, or of an INF an Include names (read from the inbox
  // folder, inbox.cpp), runs as part of this one, in its role.
  Status apply_needed(const Loaded& pkg, std::span<const package::Operation> ops, const package::Operation& op,
                      const Binding& b, int depth) {
    if (op.target_section != package::Operation::npos) return apply_section(pkg, op.target_section, b, depth + 1);
    auto needed = resolve_needed(e_, pkg, ops, op);
    if (!needed) return needed.error();
    const std::size_t before = used_files.size();
    if (auto s = apply_section(*needed->pkg, needed->section, b, depth + 1); !s) return s;
    return record_included(site(pkg, op.line), *needed, std::span<const std::string>(used_files).subspan(before));
  }

  Status on_copy_files(const Loaded& pkg, const package::Operation& op, const Binding&) {
    if (auto s = copy_files(pkg, op); !s) return at_line(s.error(), pkg, op.line.line());
    return {};
  }

  Status on_reg(const Loaded& pkg, const package::Operation& op, const Binding& b) {
    for (const RegOp& r : items(pkg.pkg.regs, op)) {
      Status s = r.kind == package::RegOpKind::add ? add_reg(r, b) : r.kind == package::RegOpKind::del ? del_reg(r, b) : bit_reg(r, b);
      if (!s) return at_line(s.error(), pkg, r.line.line());
    }
    return {};
  }

  Status on_property(const Loaded& pkg, const package::Operation& op, const Binding& b) {
    for (const package::PropertyOp& p : items(pkg.pkg.properties, op)) {
      if (auto s = property(p, b); !s) return at_line(s.error(), pkg, p.line.line());
    }
    return {};
  }

  Status on_add_service(const Loaded& p, const package::Operation& op, const Binding&) {
    return add_service(p, p.pkg.services[op.first], op.line);
  }
  Status on_add_interface(const Loaded& p, const package::Operation& op, const Binding&) {
    return add_interface(p, p.pkg.interfaces[op.first]);
  }
  Status on_kmdf_service(const Loaded& p, const package::Operation& op, const Binding&) {
    return kmdf_service(p.pkg.wdf_services[op.first]);
  }
  Status on_umdf_service(const Loaded& p, const package::Operation& op, const Binding&) {
    return umdf_service(p, p.pkg.wdf_services[op.first]);
  }

  // Software components and software installs: components.cpp, software.cpp.
  Status on_add_component(const Loaded& p, const package::Operation& op, const Binding&) {
    return apply_add_component(site(p, op.line));
  }
  Status on_add_software(const Loaded& p, const package::Operation& op, const Binding&) {
    return apply_add_software(site(p, op.line));
  }
  DirectiveSite site(const Loaded& p, const inf::Line& l) { return {e_, p, l, dev_.instance_id, install_id_, dry_run_, notes, diffs}; }

  // Reboot / Restart in a DDInstall: Windows finishes the install and flags the device as needing a
  // system restart (DI_NEEDREBOOT / DI_NEEDRESTART); isodrv records the request with the device.
  Status on_restart(const Loaded& pkg, const package::Operation& op, const Binding&) {
    const std::string kind = inf::iequals(op.directive, "Reboot") ? "Reboot" : "Restart";
    notes.push_back(where(pkg, op.line) + kind + ": the device needs a system restart to finish installing (recorded)");
    return record_install_fact(e_, install_id_, kFactRestart, kind, pkg.doc->path() + ":" + std::to_string(op.line.line()));
  }

  // ---- DelFiles / RenFiles (install-semantics.md §4) ----

  // The folder a DelFiles/RenFiles list acts on, or nullopt with a note saying why it is skipped:
  // Windows never lets these directives touch the driver store (DIRID 13).
  std::optional<std::string> change_folder(const Loaded& pkg, const package::FileChange& c, const char* directive) {
    const std::string at = where(pkg, c.line);
    if (!c.destination) {
      notes.push_back(at + directive + " list [" + c.list_section + "] has no DestinationDirs entry; not applied");
      return std::nullopt;
    }
    if (c.destination->dirid == 13) {
      notes.push_back(at + directive + " does not act on the driver store (DIRID 13); not applied");
      return std::nullopt;
    }
    auto dir = inf::dirid_path(c.destination->dirid, pkg.doc->dirids());
    if (!dir) {
      notes.push_back(at + directive + " destination DIRID '" + c.destination->dirid_text + "' cannot be resolved; not applied");
      return std::nullopt;
    }
    return *dir + (c.destination->subdir.empty() ? "" : "\\" + c.destination->subdir);
  }

  // DelFiles = list deletes each entry of the list; DelFiles = @file one file from DefaultDestDir
  // (delfiles.cpp).
  Status on_del_files(const Loaded& pkg, const package::Operation& op, const Binding&) {
    std::vector<const package::FileChange*> changes;
    std::optional<package::FileChange> single;
    if (op.target.starts_with('@')) {
      single = single_file_delete(*pkg.doc, op.line, op.target);
      if (single) changes.push_back(&*single);
    }
    for (const package::FileChange& change : items(pkg.pkg.file_changes, op)) changes.push_back(&change);
    for (const package::FileChange* c : changes) {
      auto folder = change_folder(pkg, *c, "DelFiles");
      if (!folder || c->name.empty()) continue;
      const std::string win = *folder + "\\" + c->name;
      auto host = host_path(win);
      if (!host) return Error(Errc::path_escape, "DelFiles target " + win + " is outside the emulated Windows tree", pkg.doc->path(), c->line.line());
      std::error_code ec;
      if (!fs::is_regular_file(*host, ec)) continue;  // deleting a missing file does nothing
      side_effects.push_back("deleted " + win + " (DelFiles)");
      if (dry_run_) continue;
      auto st = in_scope("delfile:" + lower(win), [&]() -> Status { return remove_one(*host); });
      if (!st) return at_line(st.error(), pkg, c->line.line());
    }
    return {};
  }

  Status on_ren_files(const Loaded& pkg, const package::Operation& op, const Binding&) {
    for (const package::FileChange& change : items(pkg.pkg.file_changes, op)) {
      const package::FileChange* c = &change;
      auto folder = change_folder(pkg, *c, "RenFiles");
      if (!folder || c->name.empty() || c->old_name.empty()) continue;
      const std::string from_win = *folder + "\\" + c->old_name, to_win = *folder + "\\" + c->name;
      auto from = host_path(from_win);
      auto to = host_path(to_win);
      if (!from || !to) return Error(Errc::path_escape, "RenFiles target is outside the emulated Windows tree", pkg.doc->path(), c->line.line());
      std::error_code ec;
      if (!fs::is_regular_file(*from, ec) || inf::iequals(*from, *to)) continue;
      side_effects.push_back("renamed " + from_win + " to " + c->name + " (RenFiles)");
      if (dry_run_) continue;
      auto st = in_scope("renfile:" + lower(from_win), [&]() -> Status { return rename_one(*from, *to); });
      if (!st) return at_line(st.error(), pkg, c->line.line());
    }
    return {};
  }

  // The prior state of a file, for its undo record (the write funnel journals it itself).
  struct PriorFile {
    bool existed = false;
    std::vector<std::uint8_t> bytes;
  };
  static PriorFile prior_state(const std::string& host) {
    std::error_code ec;
    PriorFile a;
    a.existed = fs::exists(host, ec);
    if (a.existed) {
      std::ifstream in(host, std::ios::binary);
      a.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return a;
  }

  // Deletes one file: undo writes its bytes back; the funnel's journal lets a kill before commit
  // restore it.
  Status remove_one(const std::string& host) {
    PriorFile a = prior_state(host);
    if (auto s = record(detail::kUndoFileReplaced, host, "", 0, 0, a.bytes); !s) return s;
    return txn_.remove_file(host);
  }

  // Renames one file as a copy under the new name plus a delete of the old one, each recorded and
  // journaled (by the funnel) like any file change.
  Status rename_one(const std::string& from, const std::string& to) {
    PriorFile dst = prior_state(to);
    PriorFile src = prior_state(from);
    if (dst.existed) {
      if (auto s = record(detail::kUndoFileReplaced, to, "", 0, 0, dst.bytes); !s) return s;
    } else if (auto s = record(detail::kUndoFileCreated, to, "", 0, 0, {}); !s) {
      return s;
    }
    if (auto s = record(detail::kUndoFileReplaced, from, "", 0, 0, src.bytes); !s) return s;
    if (auto s = txn_.copy_file(from, to); !s) return s;
    return txn_.remove_file(from);
  }

  // ---- DelService (install-semantics.md §6) ----

  // DelService = name[,flags[,EventLogType[,EventName]]]: deletes the service key (its undo record
  // brings it back); SPSVCINST_DELETEEVENTLOGENTRY (0x4) also deletes its event-log registration;
  // SPSVCINST_STOPSERVICE (0x200) has nothing to stop here. A service another installed driver
  // still uses is kept, with a note [ND: Windows would mark it for deletion under that driver].
  Status on_del_service(const Loaded& pkg, const package::Operation& op, const Binding&) {
    const package::ServiceDelete& d = pkg.pkg.service_deletes[op.first];
    const inf::Line& l = d.directive;
    const std::string& name = d.name;
    if (name.empty()) return Error(Errc::invalid_argument, "DelService needs a service name", pkg.doc->path(), l.line());
    const std::optional<std::uint32_t> flags = d.flags;
    if (!flags) return Error(Errc::invalid_argument, "invalid DelService flags '" + d.flags_text + "'", pkg.doc->path(), l.line());
    {
      auto& q = e_.q("SELECT 1 FROM devinst_scope_users WHERE scope = ? AND install_id != ? LIMIT 1");
      q.bind(1, "svc:" + lower(name)).bind(2, install_id_);
      if (q.row()) {
        notes.push_back(where(pkg, l) + "DelService " + name + ": another installed driver uses the service; kept");
        return {};
      }
    }
    if (auto s = delete_tree(service_key_path(name)); !s) return s;
    if (*flags & kDeleteEventLogEntry) {
      const std::string type = d.eventlog_type.empty() ? "System" : d.eventlog_type;
      const std::string event = d.event_name.empty() ? name : d.event_name;
      if (auto s = delete_tree(std::string(kControlSet) + "\\Services\\EventLog\\" + type + "\\" + event); !s) return s;
    }
    return {};
  }

  // Every failure names the INF line that caused it.
  static Error at_line(Error e, const Loaded& pkg, std::uint32_t line) {
    if (e.file.empty()) {
      e.file = pkg.doc->path();
      e.line = line;
    }
    return e;
  }

  // ImagePath: a kernel-mode service is loaded through \SystemRoot; other services get the full
  // Windows path (docs/devinst.md, "ImagePath").
  static std::string image_path(const std::string& binary, std::optional<std::uint32_t> type) {
    const bool kernel = type && (*type == 0x1 || *type == 0x2 || *type == 0x8);
    if (kernel && binary.size() > 11 && inf::iequals(binary.substr(0, 11), "C:\\Windows\\")) {
      return "\\SystemRoot\\" + binary.substr(11);
    }
    return binary;
  }

  Status add_service(const Loaded& pkg, const package::ServiceInstall& service, const inf::Line& l) {
    const package::ServiceInstall* svc = &service;
    const std::uint32_t flags = svc->flags.value_or(0);
    if (svc->name.empty()) return {};  // a null service (AddService=,2) installs nothing
    if (svc->install_index == package::Operation::npos || !pkg.pkg.sections[svc->install_index].exists) {
      return Error(Errc::not_found, "AddService " + svc->name + " names no existing service-install section",
                   pkg.doc->path(), l.line());
    }
    if (flags & kAssocService) assoc_service = svc->name;
    return in_scope("svc:" + lower(svc->name), [&]() -> Status {
      auto k = ensure(service_key_path(svc->name), true);
      if (!k) return k.error();
      if (svc->service_type) {
        if (auto s = set_dword(*k, "Type", *svc->service_type); !s) return s;
      }
      if (svc->start_type) {
        if (auto s = set_dword(*k, "Start", *svc->start_type); !s) return s;
      }
      if (svc->error_control) {
        if (auto s = set_dword(*k, "ErrorControl", *svc->error_control); !s) return s;
      }
      if (!svc->service_binary.empty()) {
        if (auto s = set_sz(*k, "ImagePath", image_path(svc->service_binary, svc->service_type), registry::kRegExpandSz); !s) {
          return s;
        }
      }
      if (auto s = service_texts(*k, *svc); !s) return s;
      if (auto s = apply_section(pkg, svc->install_index, bind(SectionRole::service_install, k->path())); !s) return s;
      if (svc->eventlog_index != package::Operation::npos) {
        const std::string type = svc->eventlog_type.empty() ? "System" : svc->eventlog_type;
        const std::string name = svc->event_name.empty() ? svc->name : svc->event_name;
        auto ek = ensure(std::string(kControlSet) + "\\Services\\EventLog\\" + type + "\\" + name, true);
        if (!ek) return ek.error();
        if (auto s = apply_section(pkg, svc->eventlog_index, bind(SectionRole::eventlog_install, ek->path())); !s) return s;
      }
      return {};
    });
  }

  // The service-install section's DisplayName, Description, LoadOrderGroup, StartName and
  // Dependencies, as the model read them.
  Status service_texts(const registry::KeyHandle& k, const package::ServiceInstall& svc) {
    for (auto [v, reg_name] : {std::pair{&svc.display_name, "DisplayName"}, std::pair{&svc.description, "Description"},
                               std::pair{&svc.load_order_group, "Group"}, std::pair{&svc.start_name, "ObjectName"}}) {
      if (v->empty()) continue;
      if (auto s = set_sz(k, reg_name, *v); !s) return s;
    }
    std::vector<std::string> services, groups;
    for (const std::string& d : svc.dependencies) {
      if (d[0] == '+') groups.push_back(d.substr(1));
      else services.push_back(d);
    }
    if (!services.empty()) {
      if (auto s = set_multi(k, "DependOnService", services); !s) return s;
    }
    if (!groups.empty()) {
      if (auto s = set_multi(k, "DependOnGroup", groups); !s) return s;
    }
    return {};
  }

  // KMDF bookkeeping under the service's Parameters\Wdf key (registry-layout.md §1).
  Status kmdf_service(const package::WdfService& w) {
    if (w.name.empty() || !w.install_exists) return {};
    return in_scope("svc:" + lower(w.name), [&]() -> Status {
      auto k = ensure(service_key_path(w.name) + "\\Parameters\\Wdf");
      if (!k) return k.error();
      // The section's first KmdfLibraryVersion entry.
      auto v = std::find_if(w.values.begin(), w.values.end(), [](const auto& e) { return inf::iequals(e.first, "KmdfLibraryVersion"); });
      if (v != w.values.end() && !v->second.empty()) {
        if (auto s = set_sz(*k, "KmdfLibraryVersion", v->second[0]); !s) return s;
      }
      return {};
    });
  }

  // UMDF 2: the driver's service key lives under WUDF\Services (registry-layout.md §1), with the
  // library version and the binary the host loads [ND value names: the INF's own].
  Status umdf_service(const Loaded& pkg, const package::WdfService& service) {
    const package::WdfService* w = &service;
    if (w->name.empty()) return {};
    if (!w->install_exists) {
      return Error(Errc::not_found, "UmdfService " + w->name + " names no existing wdf-service-install section",
                   pkg.doc->path(), w->directive.line());
    }
    umdf_services.push_back(w->name);
    return in_scope("umdf:" + lower(w->name), [&]() -> Status {
      auto k = ensure(std::string(kUmdfServicesKey) + "\\" + w->name, true);
      if (!k) return k.error();
      for (const auto& [name, fields] : w->values) {
        if (inf::iequals(name, "ServiceBinary")) {
          if (auto s = set_sz(*k, name, fields.empty() ? "" : fields[0], registry::kRegExpandSz); !s) return s;
        } else if (fields.size() > 1) {
          if (auto s = set_multi(*k, name, fields); !s) return s;
        } else if (auto s = set_sz(*k, name, fields.empty() ? "" : fields[0]); !s) {
          return s;
        }
      }
      return {};
    });
  }

  // Device-level UMDF directives (UmdfServiceOrder, UmdfKernelModeClientPolicy, UmdfFileObjectPolicy,
  // UmdfFsContextUsePolicy …) as values of the device's WUDF key [ND]: the order as REG_MULTI_SZ,
  // the others as the REG_SZ the INF names.
  Status wdf_setting(const package::WdfSetting& setting) {
    const package::WdfSetting* w = &setting;
    if (dev_.instance_id.empty()) return {};
    auto k = ensure(hardware_key_path(dev_.instance_id) + "\\WUDF", true);
    if (!k) return k.error();
    if (inf::iequals(w->name, "UmdfServiceOrder")) return set_multi(*k, w->name, w->values);
    return set_sz(*k, w->name, w->values.empty() ? "" : w->values[0]);
  }

  Status add_interface(const Loaded& pkg, const package::InterfaceInstall& interface) {
    const package::InterfaceInstall* itf = &interface;
    if (itf->guid.empty()) return {};
    const std::string link = interface_symbolic_link(dev_.instance_id, itf->guid, itf->reference);
    const std::string key_path = interface_key_path(dev_.instance_id, itf->guid, itf->reference);
    const std::string inst_path = key_path.substr(0, key_path.rfind('\\'));
    auto inst = ensure(inst_path, true);
    if (!inst) return inst.error();
    if (auto s = set_sz(*inst, "DeviceInstance", dev_.instance_id); !s) return s;
    auto ref = ensure(key_path, true);
    if (!ref) return ref.error();
    if (auto s = set_sz(*ref, "SymbolicLink", link); !s) return s;
    auto dp = ensure(key_path + "\\Device Parameters", true);
    if (!dp) return dp.error();
    if (itf->install_index != package::Operation::npos) {
      if (auto s = apply_section(pkg, itf->install_index, bind(SectionRole::add_interface, dp->path(), ref->path())); !s) return s;
    }
    interfaces.push_back(link);
    return {};
  }

  // What HKR and AddProperty stand for in a section of `role`: the model's binding
  // (package::hkr_binding_for) made concrete. `key` is the key HKR names (the software key, the
  // service key …), `object` the interface or class whose properties AddProperty sets; .HW binds
  // to the device's hardware key, and DDInstall, .HW and .Interfaces set device properties [ND
  // for .Interfaces].
  Binding bind(SectionRole role, const std::string& key = {}, const std::string& object = {}) const {
    Binding b;
    b.role = role;
    const package::HkrBinding hkr = package::hkr_binding_for(role);
    b.hw = hkr == package::HkrBinding::device_parameters;
    if (b.hw) b.hkr = hardware_key_path(dev_.instance_id);
    else if (hkr != package::HkrBinding::none && hkr != package::HkrBinding::interface_class_key) b.hkr = key;
    const bool device = role == SectionRole::ddinstall || role == SectionRole::hw || role == SectionRole::interfaces;
    b.props = device ? enum_path_ : object;
    return b;
  }

  // The install section of the model named `name` in `role`; an error when the model lacks it.
  Result<std::size_t> model_section(const Loaded& pkg, const std::string& name, SectionRole role) {
    if (auto i = package::find_install_section(pkg.pkg, name, role)) return *i;
    return Error(Errc::not_found, "install section [" + name + "] does not exist", pkg.doc->path());
  }

  // The DDInstall, then its sub-sections in install-step order, each with what HKR means there.
  Status apply_ddinstall(const Loaded& pkg, const std::string& ddinstall, const std::string& sw_key) {
    auto root = model_section(pkg, ddinstall, SectionRole::ddinstall);
    if (!root) return root.error();
    if (auto s = apply_section(pkg, *root, bind(SectionRole::ddinstall, sw_key)); !s) return s;
    // .Events and .Filters hold only directives the engine reports as not applied (AddEventProvider,
    // AddFilter); they are visited for that.
    for (const package::Subsection& sub : install_order()) {
      std::string name = ddinstall + std::string(sub.suffix);
      if (!pkg.doc->has_section(name)) continue;
      auto idx = model_section(pkg, name, sub.role);
      if (!idx) return idx.error();
      const Binding b = bind(sub.role, sw_key);
      if (b.hw) {
        if (auto k = ensure(b.hkr, true); !k) return k.error();  // the device's own, like the software key
      }
      if (auto s = apply_section(pkg, *idx, b); !s) return s;
    }
    return {};
  }

  Status apply_class_install(const Loaded& pkg, const std::string& class_key) {
    std::string section = pkg.doc->actual_install_section("ClassInstall32", pkg.pkg.target.arch);
    if (!pkg.doc->has_section(section)) return {};
    auto idx = model_section(pkg, section, SectionRole::class_install);
    if (!idx) return idx.error();
    const std::string scope = "class:" + lower(pkg.sp.class_guid);
    bool in_use = false;
    {
      auto& s = e_.q("SELECT 1 FROM devinst_scope_users WHERE scope = ? LIMIT 1");
      s.bind(1, scope);
      in_use = s.row();
    }
    if (!in_use) {
      // A class some other installation already set up is left as it is.
      auto k = e_.reg.open_key(class_key);
      if (k) {
        auto vals = k->enum_values();
        if (vals && !vals->empty()) return {};
      }
    }
    return in_scope(scope, [&]() -> Status {
      if (in_use) return Status();
      auto k = ensure(class_key);
      if (!k) return k.error();
      return apply_section(pkg, *idx, bind(SectionRole::class_install, k->path(), k->path()));
    });
  }

  Engine::Impl& e_;
  const DeviceRow& dev_;
  std::int64_t install_id_;
  bool dry_run_;
  store::WriteTxn& txn_;
  std::string owner_;
  bool recording_ = true;
  bool sixty_four_ = true;  // the package installs for a 64-bit architecture (WOW64 applies)
  std::string enum_path_;
  std::map<std::string, registry::KeyHandle> cache_;
  std::set<std::string> created_;
};

// "6-21-2006" as Windows writes DriverDate, and the FILETIME of that day for DriverDateData.
std::string driver_date_text(std::uint32_t yyyymmdd) {
  if (!yyyymmdd) return {};
  return std::to_string(yyyymmdd / 100 % 100) + "-" + std::to_string(yyyymmdd % 100) + "-" + std::to_string(yyyymmdd / 10000);
}

std::vector<std::uint8_t> driver_date_data(std::uint32_t yyyymmdd) {
  std::uint64_t ft = 0;
  if (yyyymmdd) {
    // Days from 1601-01-01 to the date (proleptic Gregorian), times 864000000000 (100 ns per day).
    auto days_from_civil = [](std::int64_t y, unsigned m, unsigned d) {
      y -= m <= 2;
      const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
      const unsigned yoe = static_cast<unsigned>(y - era * 400);
      const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
      const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
      return era * 146097 + static_cast<std::int64_t>(doe) - 719468;  // days since 1970-01-01
    };
    std::int64_t days = days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100) + 134774;
    ft = static_cast<std::uint64_t>(days) * 864000000000ULL;
  }
  return registry::encode_qword(ft);
}

// The device ID the identifier score points at, lower case (MatchingDeviceId).
std::string matching_id(const DeviceRow& dev, std::uint32_t score) {
  std::string id;
  if (score < 0x2000) {
    std::size_t i = score & 0xFFF;
    if (i < dev.hardware_ids.size()) id = dev.hardware_ids[i];
  } else {
    std::size_t j = score & 0xFF;
    if (j < dev.compatible_ids.size()) id = dev.compatible_ids[j];
  }
  return lower(id);
}

}  // namespace

std::string detail::fold_path(std::string_view p) { return registry::fold_name(long_path(p)); }

// ---- install ----------------------------------------------------------------------------------

Result<InstallReport> Engine::Impl::install_locked(const DeviceRow& dev, Loaded& pkg, const Match& m, bool dry_run,
                                                   store::WriteTxn& txn) {
  if (pkg.sp.class_guid.empty()) {
    return Error(Errc::invalid_argument, "the package names no ClassGuid in [Version]", pkg.doc->path());
  }
  const std::string guid = pkg.sp.class_guid;
  InstalledDriver drv;
  drv.published_name = pkg.sp.published_name;
  drv.folder = pkg.sp.folder;
  drv.ddinstall = m.ddinstall;
  drv.rank = m.rank;
  drv.matching_id = matching_id(dev, m.identifier_score);

  auto& ins = q("INSERT INTO devinst_installs(instance_id, package_id, published_name, folder, ddinstall, rank, "
                "matching_id) VALUES(?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, dev.instance_id).bind(2, pkg.sp.id).bind(3, drv.published_name).bind(4, drv.folder);
  ins.bind(5, drv.ddinstall).bind(6, static_cast<std::int64_t>(drv.rank)).bind(7, drv.matching_id);
  if (auto s = ins.run(); !s) return s.error();
  const std::int64_t install_id = sqlite3_last_insert_rowid(db());

  Installer in(*this, dev, install_id, dry_run, txn);
  auto enum_key = in.ensure(enum_key_path(dev.instance_id));
  if (!enum_key) return enum_key.error();

  // The class, then the software key: the first unused four-digit index under the class key.
  const std::string class_key = class_key_path(guid);
  if (auto s = in.apply_class_install(pkg, class_key); !s) return s.error();
  auto ck = in.ensure(class_key);
  if (!ck) return ck.error();
  auto& ci = class_indexes[fold(ck->path())];
  if (!ci.loaded) {
    auto subs = ck->enum_subkeys();
    if (!subs) return subs.error();
    for (const auto& s : *subs) {
      if (s.size() == 4 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        ci.used.insert(std::stoi(s));
      }
    }
    ci.loaded = true;
    ci.lowest_free = 0;
  }
  int index = ci.lowest_free;
  char nnnn[16];
  std::string sw_path;
  for (;; ++index) {
    if (ci.used.count(index)) continue;
    if (index > 9999) return Error(Errc::unsupported, "class " + guid + " has no free software key index left");
    std::snprintf(nnnn, sizeof nnnn, "%04d", index);
    sw_path = class_key + "\\" + nnnn;
    // The remembered set may be older than the registry (another process installed meanwhile).
    if (!reg.open_key(sw_path)) break;
    ci.used.insert(index);
  }
  ci.lowest_free = index + 1;
  auto sw = in.ensure(sw_path, true);
  if (!sw) return sw.error();
  ci.used.insert(index);
  in.software_key = sw_path;

  const inf::Document& doc = *pkg.doc;
  std::string mfg;
  for (const auto& me : doc.manufacturers(pkg.pkg.target)) {
    if (inf::iequals(me.chosen_section, m.entry->models_section)) mfg = me.name;
  }
  const std::string ext = m.ddinstall.size() > m.entry->install_base.size() ? m.ddinstall.substr(m.entry->install_base.size()) : "";
  auto sws = [&](const char* n, const std::string& v) { return in.set_sz(*sw, n, v); };
  for (auto s : {sws("DriverDesc", m.entry->description), sws("ProviderName", pkg.sp.provider),
                 sws("DriverDate", driver_date_text(m.driver_ver.date)), sws("DriverVersion", m.driver_ver.version_text),
                 sws("InfPath", pkg.sp.published_name), sws("InfSection", m.entry->install_base),
                 sws("InfSectionExt", ext), sws("MatchingDeviceId", drv.matching_id)}) {
    if (!s) return s.error();
  }
  if (auto s = in.set(*sw, "DriverDateData", registry::Value{registry::kRegBinary, driver_date_data(m.driver_ver.date)}); !s) {
    return s.error();
  }

  auto es = [&](const char* n, const std::string& v) { return in.set_sz(*enum_key, n, v); };
  for (auto s : {es("DeviceDesc", m.entry->description), es("Mfg", mfg), es("Class", pkg.sp.class_name),
                 es("ClassGUID", guid), es("Driver", guid + "\\" + nnnn)}) {
    if (!s) return s.error();
  }

  if (auto s = in.apply_ddinstall(pkg, m.ddinstall, sw_path); !s) return s.error();

  // Extension INFs apply after the base driver: the best one of each ExtensionId.
  // The packages the caller loaded for this operation (asking the store again per device would
  // make a 10,000-device install quadratic: its list counts devices per package).
  std::map<std::string, std::pair<Loaded*, Match>> best_ext;
  for (auto& [pid, loaded] : packages) {
    Loaded* p = loaded.get();
    if (p->extension_id.empty() || !inf::iequals(p->sp.class_guid, kExtensionClassGuid)) continue;
    auto em = best_match(p->pkg, DeviceIds{dev.hardware_ids, dev.compatible_ids}, p->sp.signed_);
    if (!em) continue;
    auto it = best_ext.find(p->extension_id);
    if (it == best_ext.end() || better(*em, it->second.second)) best_ext[p->extension_id] = {p, *em};
  }
  for (auto& [id, pm] : best_ext) {
    if (auto s = in.apply_ddinstall(*pm.first, pm.second.ddinstall, sw_path); !s) return s.error();
    in.extensions.push_back(pm.first->sp.published_name);
  }

  if (!in.assoc_service.empty()) {
    if (auto s = in.set_sz(*enum_key, "Service", in.assoc_service); !s) return s.error();
  }
  if (auto s = in.set_dword(*enum_key, "ConfigFlags", 0); !s) return s.error();

  auto& up = q("UPDATE devinst_installs SET service = ?, class_guid = ?, software_key = ?, interfaces = ?, files = ?, "
               "extensions = ? WHERE id = ?");
  up.bind(1, in.assoc_service).bind(2, guid).bind(3, sw_path).bind(4, join_lines(in.interfaces));
  up.bind(5, join_lines(in.used_files)).bind(6, join_lines(in.extensions)).bind(7, install_id);
  if (auto s = up.run(); !s) return s.error();
  auto& dn = q("UPDATE device_nodes SET package_id = ?, install_id = ? WHERE instance_id = ?");
  dn.bind(1, pkg.sp.id).bind(2, install_id).bind(3, dev.instance_id);
  if (auto s = dn.run(); !s) return s.error();

  InstallReport r;
  r.instance_id = dev.instance_id;
  r.driver = drv;
  r.changed = true;
  r.notes = std::move(in.notes);
  r.side_effects = std::move(in.side_effects);
  if (dry_run) {
    std::vector<Diff> all = std::move(pending_diffs);
    all.insert(all.end(), in.diffs.begin(), in.diffs.end());
    r.diff = detail::render_diff(all);
  }
  return r;
}

Result<InstallReport> Engine::Impl::install_primitive_locked(Loaded& pkg, store::WriteTxn& txn) {
  const std::string section = pkg.doc->actual_install_section("DefaultInstall", pkg.pkg.target.arch);
  if (!pkg.doc->has_section(section)) {
    return Error(Errc::not_found, "the package has neither Models entries nor a [DefaultInstall] section", pkg.doc->path());
  }
  auto& ins = q("INSERT INTO devinst_installs(instance_id, package_id, published_name, folder, ddinstall, rank, "
                "matching_id) VALUES('', ?, ?, ?, ?, 0, '')");
  ins.bind(1, pkg.sp.id).bind(2, pkg.sp.published_name).bind(3, pkg.sp.folder).bind(4, section);
  if (auto s = ins.run(); !s) return s.error();
  const std::int64_t install_id = sqlite3_last_insert_rowid(db());
  DeviceRow none;
  Installer in(*this, none, install_id, false, txn);
  // DefaultInstall: HKR is not allowed (registry-layout.md §2); services come from .Services.
  auto root = in.model_section(pkg, section, SectionRole::default_install);
  if (!root) return root.error();
  if (auto s = in.apply_section(pkg, *root, in.bind(SectionRole::default_install)); !s) return s.error();
  const std::string services = section + std::string(package::subsection_suffix(SectionRole::services));
  if (pkg.doc->has_section(services)) {
    auto idx = in.model_section(pkg, services, SectionRole::services);
    if (!idx) return idx.error();
    if (auto s = in.apply_section(pkg, *idx, in.bind(SectionRole::services)); !s) return s.error();
  }
  auto& up = q("UPDATE devinst_installs SET service = ?, files = ? WHERE id = ?");
  up.bind(1, in.assoc_service).bind(2, join_lines(in.used_files)).bind(3, install_id);
  if (auto s = up.run(); !s) return s.error();
  InstallReport r;
  r.driver.published_name = pkg.sp.published_name;
  r.driver.folder = pkg.sp.folder;
  r.driver.ddinstall = section;
  r.changed = true;
  r.notes = std::move(in.notes);
  r.side_effects = std::move(in.side_effects);
  return r;
}

}  // namespace isodrv::devinst
