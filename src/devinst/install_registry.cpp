// The installer's registry directives (registry-layout.md §4.3, install-semantics.md §6, §8):
// AddReg / DelReg / BitReg entries, AddProperty / DelProperty, AddService / DelService, the KMDF and
// UMDF service keys, device-level UMDF settings and AddInterface.
#include <algorithm>
#include "devinst/install_facts.h"
#include "devinst/installer.h"
#include "devinst/wow64.h"
#include "isodrv/registry_roots.h"

namespace isodrv::devinst::detail {
namespace {

// SPSVCINST_ASSOCSERVICE: the service is the device's function driver.
constexpr std::uint32_t kAssocService = 0x2;
// SPSVCINST_DELETEEVENTLOGENTRY: DelService also removes the service's event-log registration.
constexpr std::uint32_t kDeleteEventLogEntry = 0x4;
// Where UMDF drivers' service keys live (registry-layout.md §1, wdf/introduction-to-registry-keys).
constexpr const char* kUmdfServicesKey = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\WUDF\\Services";

using base::trim;

}  // namespace

Result<std::string> Installer::target_key(const RegOp& op, const Binding& b) {
  const std::string where = op.line.document().path() + ":" + std::to_string(op.line.line()) + ": ";
  std::string base;
  if (op.root == "HKR") {
    if (b.hkr.empty()) {
      return Error(Errc::invalid_argument, "HKR is not allowed in a section of this kind (" + std::string(op.reg_section) + ")",
                   op.line.document().path(), op.line.line());
    }
    base = b.hkr;
    // The model marks the .HW entries that name device properties (package::kDevnodePropertyNames).
    if (b.hw && op.devnode_property) base = enum_path_;
  } else if (registry_roots::is_inf_absolute_root(op.root)) {
    base = op.root;
  } else {
    notes.push_back(where + "unknown registry root '" + std::string(op.root) + "'; entry skipped");
    return std::string();
  }
  std::string sub = trim(op.subkey);
  while (!sub.empty() && sub.back() == '\\') sub.pop_back();
  while (!sub.empty() && sub.front() == '\\') sub.erase(0, 1);
  if (sub.empty() && op.root != "HKR") {
    return Error(Errc::invalid_argument, "a registry entry must not write to the root of " + std::string(op.root),
                 op.line.document().path(), op.line.line());
  }
  // FLG_*REG_32BITKEY in a 64-bit install: the entry acts on the 32-bit registry view.
  if (sixty_four_ && op.root != "HKR" && (op.flags.value_or(0) & package::addreg::k32BitKey)) {
    sub = wow64_32bit_subkey(op.root, sub);
  }
  return sub.empty() ? base : base + "\\" + sub;
}

Result<registry::Value> Installer::encode(const package::AddRegData& d) {
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

Status Installer::add_reg(const RegOp& op, const Binding& b) {
  namespace ar = package::addreg;
  if (!op.flags) {
    return Error(Errc::invalid_argument, "invalid AddReg flags '" + std::string(op.flags_text) + "'", op.line.document().path(),
                 op.line.line());
  }
  const std::uint32_t flags = *op.flags;
  if (flags & ar::kDelRegBit) return {};  // a DelReg-style entry in an AddReg section is skipped
  auto path = target_key(op, b);
  if (!path) return path.error();
  if (path->empty()) return {};
  if (flags & (ar::kKeyOnly | ar::kKeyOnlyCommon)) {
    auto k = ensure(*path);
    return k ? Status() : Status(k.error());
  }
  const std::string name(op.value_name.value_or(""));
  if (flags & ar::kDelVal) {
    if (!op.value_name) return delete_tree(*path);
    auto k = e_.reg.open_key(*path);
    if (!k) return k.error().code == Errc::not_found ? Status() : Status(k.error());
    return delete_value(*k, name);
  }
  if (flags & ar::kOverwriteOnly) {
    auto k = e_.reg.open_key(*path);
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

Status Installer::record_coinstallers(const RegOp& op, const package::AddRegData& data) {
  const std::string source = op.line.document().path() + ":" + std::to_string(op.line.line());
  for (const auto& entry : data.strings) {
    if (entry.empty()) continue;
    notes.push_back(source + ": co-installer " + entry + " registered, not executed (not valid in a universal INF)");
    if (auto s = record_install_fact(e_, install_id_, kFactCoInstaller, entry, source); !s) return s;
  }
  return {};
}

Status Installer::del_reg(const RegOp& op, const Binding& b) {
  namespace ar = package::addreg;
  const std::uint32_t flags = op.flags.value_or(0);
  auto path = target_key(op, b);
  if (!path) return path.error();
  if (path->empty()) return {};
  if ((flags & ar::kDelStringMultiSz) == ar::kDelStringMultiSz) {
    auto k = e_.reg.open_key(*path);
    if (!k) return {};
    auto cur = k->get_multi_sz(op.value_name.value_or(""));
    if (!cur) return {};
    std::vector<std::string> kept;
    const std::string gone(op.data.empty() ? std::string_view() : op.data[0]);
    for (const auto& s : *cur) {
      if (!inf::iequals(s, gone)) kept.push_back(s);
    }
    if (kept.size() == cur->size()) return {};
    return set_multi(*k, op.value_name.value_or(""), kept);
  }
  if (!op.value_name || (flags & ar::kKeyOnlyCommon)) return delete_tree(*path);
  auto k = e_.reg.open_key(*path);
  if (!k) return {};
  return delete_value(*k, *op.value_name);
}

Status Installer::bit_reg(const RegOp& op, const Binding& b) {
  auto path = target_key(op, b);
  if (!path) return path.error();
  if (path->empty() || op.data.size() < 2) return {};
  auto k = e_.reg.open_key(*path);
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

Status Installer::property(const package::PropertyOp& op, const Binding& b) {
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
  if (auto k = e_.reg.open_key(path)) {
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
      auto k = ensure(path, KeyUse::install_only);
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
    if (auto k = ensure(p, KeyUse::install_only); !k) return k.error();
  }
  auto k = ensure(path, KeyUse::install_only);
  if (!k) return k.error();
  return set(*k, "", registry::Value{dp::kRegTypeBase | op.type, std::move(*data)});
}

Status Installer::on_reg(const Loaded& pkg, const package::Operation& op, const Binding& b) {
  for (const RegOp& r : items(pkg.pkg.regs, op)) {
    Status s = r.kind == package::RegOpKind::add ? add_reg(r, b) : r.kind == package::RegOpKind::del ? del_reg(r, b) : bit_reg(r, b);
    if (!s) return at_line(s.error(), pkg, r.line.line());
  }
  return {};
}

Status Installer::on_property(const Loaded& pkg, const package::Operation& op, const Binding& b) {
  for (const package::PropertyOp& p : items(pkg.pkg.properties, op)) {
    if (auto s = property(p, b); !s) return at_line(s.error(), pkg, p.line.line());
  }
  return {};
}

Status Installer::on_add_service(const Loaded& p, const package::Operation& op, const Binding&) {
  return add_service(p, p.pkg.services[op.first], op.line);
}

Status Installer::on_add_interface(const Loaded& p, const package::Operation& op, const Binding&) {
  return add_interface(p, p.pkg.interfaces[op.first]);
}

Status Installer::on_kmdf_service(const Loaded& p, const package::Operation& op, const Binding&) {
  return kmdf_service(p.pkg.wdf_services[op.first]);
}

Status Installer::on_umdf_service(const Loaded& p, const package::Operation& op, const Binding&) {
  return umdf_service(p, p.pkg.wdf_services[op.first]);
}

Status Installer::on_del_service(const Loaded& pkg, const package::Operation& op, const Binding&) {
  const package::ServiceDelete& d = pkg.pkg.service_deletes[op.first];
  const inf::Line& l = d.directive;
  const std::string name(d.name);
  if (name.empty()) return Error(Errc::invalid_argument, "DelService needs a service name", pkg.doc->path(), l.line());
  const std::optional<std::uint32_t> flags = d.flags;
  if (!flags) {
    return Error(Errc::invalid_argument, "invalid DelService flags '" + std::string(d.flags_text) + "'", pkg.doc->path(), l.line());
  }
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
    const std::string type(d.eventlog_type.empty() ? std::string_view("System") : d.eventlog_type);
    const std::string event(d.event_name.empty() ? std::string_view(name) : d.event_name);
    if (auto s = delete_tree(std::string(kControlSet) + "\\Services\\EventLog\\" + type + "\\" + event); !s) return s;
  }
  return {};
}

std::string Installer::image_path(const std::string& binary, std::optional<std::uint32_t> type) {
  const bool kernel = type && (*type == 0x1 || *type == 0x2 || *type == 0x8);
  if (kernel && binary.size() > 11 && inf::iequals(binary.substr(0, 11), "C:\\Windows\\")) {
    return "\\SystemRoot\\" + binary.substr(11);
  }
  return binary;
}

Status Installer::add_service(const Loaded& pkg, const package::ServiceInstall& service, const inf::Line& l) {
  const package::ServiceInstall* svc = &service;
  const std::uint32_t flags = svc->flags.value_or(0);
  const std::string svc_name(svc->name);
  if (svc_name.empty()) return {};  // a null service (AddService=,2) installs nothing
  if (svc->install_index == package::Operation::npos || !pkg.pkg.sections[svc->install_index].exists) {
    return Error(Errc::not_found, "AddService " + svc_name + " names no existing service-install section",
                 pkg.doc->path(), l.line());
  }
  if (flags & kAssocService) assoc_service = svc_name;
  return in_scope("svc:" + lower(svc_name), [&]() -> Status {
    auto k = ensure(service_key_path(svc_name), KeyUse::install_only);
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
      if (auto s = set_sz(*k, "ImagePath", image_path(std::string(svc->service_binary), svc->service_type), registry::kRegExpandSz); !s) {
        return s;
      }
    }
    if (auto s = service_texts(*k, *svc); !s) return s;
    if (auto s = apply_section(pkg, svc->install_index, bind(SectionRole::service_install, k->path())); !s) return s;
    if (svc->eventlog_index != package::Operation::npos) {
      const std::string type(svc->eventlog_type.empty() ? std::string_view("System") : svc->eventlog_type);
      const std::string name(svc->event_name.empty() ? svc->name : svc->event_name);
      auto ek = ensure(std::string(kControlSet) + "\\Services\\EventLog\\" + type + "\\" + name, KeyUse::install_only);
      if (!ek) return ek.error();
      if (auto s = apply_section(pkg, svc->eventlog_index, bind(SectionRole::eventlog_install, ek->path())); !s) return s;
    }
    return {};
  });
}

Status Installer::service_texts(const registry::KeyHandle& k, const package::ServiceInstall& svc) {
  for (auto [v, reg_name] : {std::pair{&svc.display_name, "DisplayName"}, std::pair{&svc.description, "Description"},
                             std::pair{&svc.load_order_group, "Group"}, std::pair{&svc.start_name, "ObjectName"}}) {
    if (v->empty()) continue;
    if (auto s = set_sz(k, reg_name, *v); !s) return s;
  }
  std::vector<std::string> services, groups;
  for (const std::string_view d : svc.dependencies) {
    if (d[0] == '+') groups.emplace_back(d.substr(1));
    else services.emplace_back(d);
  }
  if (!services.empty()) {
    if (auto s = set_multi(k, "DependOnService", services); !s) return s;
  }
  if (!groups.empty()) {
    if (auto s = set_multi(k, "DependOnGroup", groups); !s) return s;
  }
  return {};
}

Status Installer::kmdf_service(const package::WdfService& w) {
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

Status Installer::umdf_service(const Loaded& pkg, const package::WdfService& service) {
  const package::WdfService* w = &service;
  if (w->name.empty()) return {};
  if (!w->install_exists) {
    return Error(Errc::not_found, "UmdfService " + w->name + " names no existing wdf-service-install section",
                 pkg.doc->path(), w->directive.line());
  }
  umdf_services.push_back(w->name);
  return in_scope("umdf:" + lower(w->name), [&]() -> Status {
    auto k = ensure(std::string(kUmdfServicesKey) + "\\" + w->name, KeyUse::install_only);
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

Status Installer::wdf_setting(const package::WdfSetting& setting) {
  const package::WdfSetting* w = &setting;
  if (dev_.instance_id.empty()) return {};
  auto k = ensure(hardware_key_path(dev_.instance_id) + "\\WUDF", KeyUse::install_only);
  if (!k) return k.error();
  if (inf::iequals(w->name, "UmdfServiceOrder")) return set_multi(*k, w->name, w->values);
  return set_sz(*k, w->name, w->values.empty() ? "" : w->values[0]);
}

Status Installer::add_interface(const Loaded& pkg, const package::InterfaceInstall& interface) {
  const package::InterfaceInstall* itf = &interface;
  if (itf->guid.empty()) return {};
  const std::string link = interface_symbolic_link(dev_.instance_id, itf->guid, itf->reference);
  const std::string key_path = interface_key_path(dev_.instance_id, itf->guid, itf->reference);
  const std::string inst_path = key_path.substr(0, key_path.rfind('\\'));
  auto inst = ensure(inst_path, KeyUse::install_only);
  if (!inst) return inst.error();
  if (auto s = set_sz(*inst, "DeviceInstance", dev_.instance_id); !s) return s;
  auto ref = ensure(key_path, KeyUse::install_only);
  if (!ref) return ref.error();
  if (auto s = set_sz(*ref, "SymbolicLink", link); !s) return s;
  auto dp = ensure(key_path + "\\Device Parameters", KeyUse::install_only);
  if (!dp) return dp.error();
  if (itf->install_index != package::Operation::npos) {
    if (auto s = apply_section(pkg, itf->install_index, bind(SectionRole::add_interface, dp->path(), ref->path())); !s) return s;
  }
  interfaces.push_back(link);
  return {};
}

}  // namespace isodrv::devinst::detail
