// Software installs (install-semantics.md §12): AddSoftware in a [DDInstall.Software] section asks
// Windows to run an MSI/EXE from the driver store (SoftwareType 1) or to fetch a Store app (type 2)
// after the device is installed. isodrv records the request with its identity and never runs it.
#include <algorithm>

#include "base/text.h"
#include "devinst/components.h"

namespace isodrv::devinst {
using base::trim;

namespace {

constexpr std::uint32_t kSoftwareInstaller = 1;  // MSI or EXE from the driver store
constexpr std::uint32_t kSoftwareStoreApp = 2;   // Microsoft Store app, SoftwareID = pfn://…
// SoftwareArguments may name the device; Windows passes its instance ID there.
constexpr std::string_view kInstanceToken = "<<DeviceInstanceID>>";

Error at(const DirectiveSite& s, Errc code, const std::string& message) {
  return Error(code, message, s.pkg.doc->path(), s.line.line());
}

std::string value_of(const inf::Section& sec, std::string_view key) {
  auto l = sec.find(key);
  return l && l->field_count() ? trim(l->field(0)) : std::string();
}

// Every <<DeviceInstanceID>> (any case) replaced by the device's instance ID.
std::string with_instance_id(std::string args, const std::string& instance_id) {
  const std::string folded_token = inf::to_lower_ascii(kInstanceToken);
  for (std::size_t at = 0;;) {
    at = inf::to_lower_ascii(args).find(folded_token, at);
    if (at == std::string::npos) return args;
    args.replace(at, kInstanceToken.size(), instance_id);
    at += instance_id.size();
  }
}

// SoftwareBinary as a Windows path: %13%\x.exe is already the package's FileRepository folder;
// a bare relative name is relative to that folder (the DCHU component sample writes it so).
std::string binary_path(const detail::Loaded& pkg, std::string binary) {
  std::replace(binary.begin(), binary.end(), '/', '\\');
  const bool absolute = binary.size() > 1 && (binary[1] == ':' || binary[0] == '\\');
  return absolute ? binary : pkg.windows_folder + "\\" + binary;
}

// Checks the entries each software type needs and fills the record.
Status read_software_section(const DirectiveSite& s, const inf::Section& sec, SoftwareInstall& r) {
  const std::string type_text = value_of(sec, "SoftwareType");
  auto type = inf::parse_u32(type_text);
  if (!type || (*type != kSoftwareInstaller && *type != kSoftwareStoreApp)) {
    return at(s, Errc::invalid_argument, "software-install-section [" + std::string(sec.name()) +
                                             "]: SoftwareType must be 1 (MSI/EXE) or 2 (Store app), not '" + type_text + "'");
  }
  r.type = *type;
  r.version = value_of(sec, "SoftwareVersion");
  r.software_id = value_of(sec, "SoftwareID");
  r.arguments = with_instance_id(value_of(sec, "SoftwareArguments"), s.instance_id);
  const std::string binary = value_of(sec, "SoftwareBinary");
  if (r.type == kSoftwareInstaller) {
    if (binary.empty() || r.version.empty()) {
      return at(s, Errc::invalid_argument, "software-install-section [" + std::string(sec.name()) +
                                               "]: SoftwareType 1 needs SoftwareBinary and SoftwareVersion");
    }
    r.binary = binary_path(s.pkg, binary);
    const std::string prefix = s.pkg.windows_folder + "\\";
    if (!inf::iequals(r.binary.substr(0, prefix.size()), prefix) ||
        !package::locate_package_file(s.pkg.host_folder, r.binary.substr(prefix.size()))) {
      s.notes.push_back(s.pkg.doc->path() + ":" + std::to_string(s.line.line()) + ": AddSoftware " + r.name +
                        ": SoftwareBinary " + r.binary + " is not a file of the package (Windows would fail to run it)");
    }
  } else if (r.software_id.empty()) {
    return at(s, Errc::invalid_argument, "software-install-section [" + std::string(sec.name()) +
                                             "]: SoftwareType 2 needs SoftwareID (pfn://…)");
  }
  return {};
}

}  // namespace

Status apply_add_software(const DirectiveSite& s) {
  SoftwareInstall r;
  r.name = trim(s.line.field(0));
  const std::string flags_text = trim(s.line.field(1));
  const std::string section = trim(s.line.field(2));
  if (r.name.empty() || section.empty()) {
    return at(s, Errc::invalid_argument, "AddSoftware needs a software name and a software-install-section");
  }
  auto flags = flags_text.empty() ? std::optional<std::uint32_t>(0) : inf::parse_u32(flags_text);
  if (!flags) return at(s, Errc::invalid_argument, "invalid AddSoftware flags '" + flags_text + "'");
  r.flags = *flags;
  auto sec = s.pkg.doc->section(section);
  if (!sec) return at(s, Errc::not_found, "AddSoftware names section [" + section + "], which does not exist");
  if (auto st = read_software_section(s, *sec, r); !st) return st;
  r.source = recorded_source(s);
  auto& ins = s.engine.q(
      "INSERT INTO devinst_software(install_id, name, flags, type, software_id, version, binary, arguments, source) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, s.install_id).bind(2, r.name).bind(3, static_cast<std::int64_t>(r.flags));
  ins.bind(4, static_cast<std::int64_t>(r.type)).bind(5, r.software_id).bind(6, r.version).bind(7, r.binary);
  ins.bind(8, r.arguments).bind(9, r.source);
  if (auto st = ins.run(); !st) return st;
  s.notes.push_back(s.pkg.doc->path() + ":" + std::to_string(s.line.line()) + ": AddSoftware " + r.name + " (SoftwareType " + std::to_string(r.type) +
                    ") recorded, not executed");
  return {};
}

void read_software(Engine::Impl& e, std::int64_t install_id, DeviceInfo& info) {
  auto& q = e.q("SELECT name, flags, type, software_id, version, binary, arguments, source FROM devinst_software "
                "WHERE install_id = ? ORDER BY rowid");
  q.bind(1, install_id);
  while (q.row()) {
    SoftwareInstall r;
    r.name = q.text(0);
    r.flags = static_cast<std::uint32_t>(q.integer(1));
    r.type = static_cast<std::uint32_t>(q.integer(2));
    r.software_id = q.text(3);
    r.version = q.text(4);
    r.binary = q.text(5);
    r.arguments = q.text(6);
    r.source = q.text(7);
    info.software.push_back(std::move(r));
  }
}

}  // namespace isodrv::devinst
