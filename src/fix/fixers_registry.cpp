// Registry fixes: service state moves below the service's Parameters key, where an isolated driver
// reads it with IoOpenDriverRegistryKey(DriverRegKeyParameters) — HKR entries of a service-install
// section (1323) in place, and HKLM writes under Services\<service> (1320, 1321) into an AddReg
// section of that service's install section.
#include <algorithm>

#include "fix/fixers.h"

namespace isodrv::fix::detail {
namespace {

constexpr std::string_view kServicesPrefix = "SYSTEM\\CurrentControlSet\\Services\\";
constexpr const char* kParametersApi =
    "IoOpenDriverRegistryKey(DriverRegKeyParameters) / WdfDriverOpenParametersRegistryKey";

// Names Windows itself reads from a service key (the service control manager, I/O manager and
// Filter Manager): moving them below Parameters would change what Windows does, not where the
// driver finds its state, so they have no automatic fix.
bool read_by_windows(std::string_view subkey, std::string_view value) {
  static constexpr std::string_view kValues[] = {
      "Type", "Start", "ErrorControl", "ImagePath", "Group", "Tag", "DependOnService", "DependOnGroup",
      "ObjectName", "DisplayName", "Description", "FailureActions", "DelayedAutoStart", "ServiceSidType",
      "RequiredPrivileges", "LaunchProtected", "BootFlags", "DebugFlags", "SupportedFeatures"};
  std::string_view first = subkey.substr(0, subkey.find('\\'));
  if (inf::iequals(first, "Instances") || inf::iequals(first, "Enum") || inf::iequals(first, "Security")) return true;
  if (!subkey.empty()) return false;
  return std::any_of(std::begin(kValues), std::end(kValues), [&](std::string_view v) { return inf::iequals(v, value); });
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && inf::iequals(s.substr(0, prefix.size()), prefix);
}

// "Parameters" plus what a key below the service key becomes under it.
std::string parameters_subkey(std::string_view rest) {
  if (starts_with_ci(rest, "Parameters") && (rest.size() == 10 || rest[10] == '\\')) return std::string(rest);
  return rest.empty() ? "Parameters" : "Parameters\\" + std::string(rest);
}

std::string quoted_if_needed(const std::string& s) {
  return s.find_first_of(" ,;\t") == std::string::npos ? s : "\"" + s + "\"";
}

const package::RegOp* reg_at(const package::Package& pkg, std::uint32_t line) {
  for (const auto& r : pkg.regs) {
    if (r.line.line() == line) return &r;
  }
  return nullptr;
}

std::string service_path(std::string_view svc, std::string_view sub, const std::optional<std::string_view>& value) {
  std::string p = "HKLM\\" + std::string(kServicesPrefix) + std::string(svc);
  if (!sub.empty()) p += "\\" + std::string(sub);
  if (value) p += " : " + std::string(value->empty() ? std::string_view("(default)") : *value);
  return p;
}

// Whether install section `sec` names `target` in one of its AddReg lines.
bool references_addreg(const inf::Section& sec, std::string_view target) {
  for (const auto& l : sec.find_all("AddReg")) {
    for (std::size_t i = 0; i < l.field_count(); ++i) {
      if (inf::iequals(l.field(i), target)) return true;
    }
  }
  return false;
}

// A key created without a value under the service key is a place for the driver to write at run
// time; an isolated driver writes such state under DriverRegKeyPersistentState, which Windows creates,
// so the INF line goes and the code opens that key instead.
bool runtime_key(const package::RegOp& op) {
  return !op.value_name || (op.flags && (*op.flags & package::addreg::kKeyOnly));
}

void to_persistent_state(const FixContext& c, diag::Diagnostic& d, const std::string& before, const std::string& svc) {
  d.fix->description = "key for run-time state removed; the driver writes it under its persistent-state key";
  d.fix->edits.push_back(c.src.delete_line(d.line));
  d.fix->migrations.push_back({"persistent-state",
                               "IoOpenDriverRegistryKey(DriverRegKeyPersistentState) for registry state / "
                               "IoGetDriverDirectory(DriverDirectoryData) for files",
                               before, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\" + svc + "\\State (created by Windows)",
                               d.line, std::string(c.src.text(d.line))});
}


// Moves the entry on d.line, rewritten as `moved`, into AddReg section `target`, which install
// section `install` names (the AddReg line and the sections are created when missing). false when
// the section is being created by another fix of this round (the next round adds to it).
bool move_entry(FixContext& c, diag::Diagnostic& d, const std::string& install, const std::string& target,
                const std::string& moved) {
  auto existing = c.doc.section(target);
  auto inst = c.doc.section(install);
  if ((!existing && c.creating.count(inf::to_lower_ascii(target))) || (!inst && c.creating.count(inf::to_lower_ascii(install)))) {
    return false;
  }
  // Edits at one offset apply in the order given: the AddReg line before a section appended after it.
  d.fix->edits.push_back(c.src.delete_line(d.line));
  std::vector<std::string> appended;
  if (!inst) {
    c.creating.insert(inf::to_lower_ascii(install));
    appended = {"[" + install + "]", "AddReg = " + target, ""};
  } else if (!references_addreg(*inst, target)) {
    d.fix->edits.push_back(c.src.insert_after(last_line_of(*inst), {"AddReg = " + target}));
  }
  if (existing) {
    d.fix->edits.push_back(c.src.insert_after(last_line_of(*existing), {moved}));
  } else {
    c.creating.insert(inf::to_lower_ascii(target));
    appended.push_back("[" + target + "]");
    appended.push_back(moved);
  }
  if (!appended.empty()) d.fix->edits.push_back(c.src.append(appended));
  return true;
}

constexpr std::string_view kEnumPrefix = "SYSTEM\\CurrentControlSet\\Enum\\";
constexpr std::string_view kDeviceParameters = "Device Parameters";
constexpr const char* kDeviceApi =
    "IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DEVICE) / WdfDeviceOpenRegistryKey(PLUGPLAY_REGKEY_DEVICE) in the driver, "
    "CM_Open_DevNode_Key(CM_REGISTRY_HARDWARE) in an app";

// HKLM,SYSTEM\CurrentControlSet\Enum\<enumerator>\<device>\<instance>\Device Parameters[\…] for a device
// this DDInstall installs describes the device: it is the device's hardware key, which HKR in
// [DDInstall.HW] writes for every device the section installs.
void fix_device_key(FixContext& c, diag::Diagnostic& d, const package::RegOp& op) {
  const std::string rest(op.subkey.substr(kEnumPrefix.size()));
  std::vector<std::string> parts;
  for (std::size_t at = 0;;) {
    const std::size_t bs = rest.find('\\', at);
    parts.push_back(rest.substr(at, bs == std::string::npos ? std::string::npos : bs - at));
    if (bs == std::string::npos) break;
    at = bs + 1;
  }
  if (parts.size() < 4 || !inf::iequals(parts[3], kDeviceParameters)) {
    return no_fix(d, "only a device's Device Parameters key has an isolated place (HKR in [DDInstall.HW]); the device's own "
                     "key holds what Windows manages (use AddProperty for device properties)");
  }
  const std::string device_id = parts[0] + "\\" + parts[1];
  const auto& root = c.pkg.sections[c.pkg.sections[op.context].root];
  if (root.role != package::SectionRole::ddinstall) return no_fix(d, "the entry is not installed by a DDInstall section");
  const bool installs = std::any_of(c.pkg.models.begin(), c.pkg.models.end(), [&](const package::ModelEntry& m) {
    return inf::iequals(m.install_base, root.base) &&
           std::any_of(m.hardware_ids.begin(), m.hardware_ids.end(), [&](std::string_view h) { return inf::iequals(h, device_id); });
  });
  if (!installs) {
    return no_fix(d, device_id + " is not a hardware ID [" + std::string(root.name) + "] installs, so the key is not this device's");
  }
  if (op.kind != package::RegOpKind::add) return no_fix(d, "only AddReg entries have a fix; remove this entry by hand");
  if (op.line.has_key()) return no_fix(d, "the entry's line cannot be split into fields safely");
  std::string sub;
  for (std::size_t i = 4; i < parts.size(); ++i) sub += (sub.empty() ? "" : "\\") + parts[i];
  const std::string t = c.src.text(d.line);
  const LineFields f = split_fields(t);
  if (f.fields.size() < 2) return no_fix(d, "the entry has no subkey field");
  const std::string moved = "HKR," + quoted_if_needed(sub) + std::string(t.substr(f.fields[1].end));
  const std::string hw = std::string(root.name) + ".HW";
  const std::string target = std::string(root.name) + ".DeviceParameters.AddReg";
  if (!move_entry(c, d, hw, target, moved)) return;
  d.fix->description = "moved to HKR in [" + hw + "] (the device's hardware key) ([" + target + "])";
  const std::string value = op.value_name ? " : " + std::string(op.value_name->empty() ? std::string_view("(default)") : *op.value_name) : "";
  d.fix->migrations.push_back({"device-parameters", kDeviceApi, "HKLM\\" + std::string(op.subkey) + value,
                               "HKLM\\SYSTEM\\CurrentControlSet\\Enum\\<each device [" + std::string(root.name) + "] installs>\\Device Parameters" +
                                   (sub.empty() ? "" : "\\" + sub) + value,
                               d.line, t});
}

// A DelReg entry under this package's own service key cleans up what an older, non-isolated
// version wrote. An isolated package writes nothing there and Windows removes the service key with
// the package, so the entry goes; a value an older version left stays until then, unread.
void remove_delreg(const FixContext& c, diag::Diagnostic& d, const std::string& before) {
  d.fix->description = "DelReg entry under the service's own key removed";
  d.fix->edits.push_back(c.src.delete_line(d.line));
  d.fix->migrations.push_back({"removed",
                               "none: the isolated driver keeps its state under IoOpenDriverRegistryKey keys, which Windows "
                               "removes with the package; a value an older version left here is no longer read",
                               before, "(not deleted)", d.line, c.src.text(d.line)});
}

}  // namespace

const package::ServiceInstall* find_service(const package::Package& pkg, std::string_view name) {
  for (const auto& s : pkg.services) {
    if (inf::iequals(s.name, name)) return &s;
  }
  return nullptr;
}

void fix_service_hkr(FixContext& c, diag::Diagnostic& d) {
  // The entry as a service-install section applies it (an AddReg section may be applied elsewhere too).
  const package::RegOp* op = nullptr;
  for (const auto& r : c.pkg.regs) {
    if (r.line.line() == d.line && r.binding == package::HkrBinding::service_key) op = &r;
  }
  if (!op) return no_fix(d, "the entry is not an HKR entry of a service");
  for (const auto& r : c.pkg.regs) {
    if (r.line.line() == d.line && r.binding != package::HkrBinding::service_key) {
      return no_fix(d, "[" + std::string(r.reg_section) + "] is applied by [" + std::string(c.pkg.sections[r.context].name) +
                           "] too, where HKR is another key: give the service its own AddReg section");
    }
  }
  const std::string svc(c.pkg.sections[op->context].service);
  if (op->kind == package::RegOpKind::del) return remove_delreg(c, d, service_path(svc, op->subkey, op->value_name));
  if (op->kind != package::RegOpKind::add) return no_fix(d, "only AddReg entries have a fix; remove this entry by hand");
  if (op->line.has_key()) return no_fix(d, "the entry's line cannot be split into fields safely");
  if (read_by_windows(op->subkey, op->value_name.value_or(""))) {
    return no_fix(d, "Windows itself reads this from the service key (" + service_path(svc, op->subkey, op->value_name) +
                         "); moving it would change what Windows does");
  }
  if (runtime_key(*op)) return to_persistent_state(c, d, service_path(svc, op->subkey, std::nullopt), svc);
  const std::string sub = parameters_subkey(op->subkey);
  auto text = c.src.with_field(d.line, 1, quoted_if_needed(sub));
  if (!text) return no_fix(d, "the entry has no subkey field");
  d.fix->description = "HKR entry moved below Parameters";
  add_edits(*d.fix, c.src.replace_line(d.line, *text));
  diag::Migration m{"parameters", kParametersApi, service_path(svc, op->subkey, op->value_name),
                    service_path(svc, sub, op->value_name), d.line, std::string(c.src.text(d.line))};
  d.fix->migrations.push_back(std::move(m));
}

void fix_hklm_service(FixContext& c, diag::Diagnostic& d) {
  const package::RegOp* op = reg_at(c.pkg, d.line);
  if (op && is_etw_registration(*op)) return fix_etw_registration(c, d, *op);
  if (!op || op->root != "HKLM" || !starts_with_ci(op->subkey, kServicesPrefix)) {
    if (op && op->root == "HKLM" && starts_with_ci(op->subkey, kEnumPrefix)) return fix_device_key(c, d, *op);
    return no_fix(d, "no isolated location holds " + (op ? std::string(op->root) + "\\" + std::string(op->subkey) : std::string("this key")) +
                         ": it is global state that other software reads");
  }
  const std::string rest(op->subkey.substr(kServicesPrefix.size()));
  const std::string svc_name = rest.substr(0, rest.find('\\'));
  const std::string below = rest.size() > svc_name.size() ? rest.substr(svc_name.size() + 1) : "";
  const package::ServiceInstall* svc = find_service(c.pkg, svc_name);
  if (!svc || !svc->install_exists) {
    return no_fix(d, "service " + svc_name + " is not installed by this package, so its key is not this driver's state");
  }
  if (op->kind == package::RegOpKind::del) {
    return remove_delreg(c, d, "HKLM\\" + std::string(op->subkey) + (op->value_name ? " : " + std::string(*op->value_name) : ""));
  }
  if (op->kind != package::RegOpKind::add) return no_fix(d, "only AddReg entries have a fix; remove this entry by hand");
  if (op->line.has_key()) return no_fix(d, "the entry's line cannot be split into fields safely");
  if (read_by_windows(below, op->value_name.value_or(""))) {
    return no_fix(d, "Windows itself reads this from the service key; moving it would change what Windows does");
  }
  if (runtime_key(*op) && !starts_with_ci(below, "Parameters")) return to_persistent_state(c, d, "HKLM\\" + std::string(op->subkey), std::string(svc->name));
  const std::string install(svc->install_section);
  if (!c.doc.has_section(install)) return no_fix(d, "the service's install section is missing");
  const std::string sub = parameters_subkey(below);
  const std::string target = std::string(svc->name) + ".Parameters.AddReg";
  const std::string t = c.src.text(d.line);
  const LineFields f = split_fields(t);
  if (f.fields.size() < 2) return no_fix(d, "the entry has no subkey field");
  const std::string moved = "HKR," + quoted_if_needed(sub) + std::string(t.substr(f.fields[1].end));
  if (!move_entry(c, d, install, target, moved)) return;
  d.fix->description = "moved to HKR,Parameters of service " + std::string(svc->name) + " ([" + target + "])";
  diag::Migration m{"parameters", kParametersApi, "HKLM\\" + std::string(op->subkey) + (op->value_name ? " : " + std::string(*op->value_name) : ""),
                    service_path(svc->name, sub, op->value_name), d.line, std::string(t)};
  d.fix->migrations.push_back(std::move(m));
}

}  // namespace isodrv::fix::detail
