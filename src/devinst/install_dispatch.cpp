// The installer's dispatcher: one handler per directive in a table (as Wine's setupapi has one
// callback per directive), the walk over an install section's operations in the model's order, and
// the roots it starts from (DDInstall and its sub-sections, ClassInstall32).
#include <algorithm>
#include "devinst/install_facts.h"
#include "devinst/inbox.h"
#include "devinst/installer.h"

namespace isodrv::devinst::detail {
namespace {

// Nested Needs beyond this depth mean a cycle the model did not catch.
constexpr int kMaxNeedsDepth = 16;

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

}  // namespace

const std::vector<Installer::DirectiveHandler>& Installer::handlers() {
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

Status Installer::apply_section(const Loaded& pkg, std::size_t idx, const Binding& b, int depth) {
  const package::InstallSection& is = pkg.pkg.sections[idx];
  if (depth > kMaxNeedsDepth) return Error(Errc::invalid_argument, "Needs nests too deeply at [" + std::string(is.name) + "]", pkg.doc->path());
  if (!is.exists) return Error(Errc::not_found, "install section [" + std::string(is.name) + "] does not exist", pkg.doc->path());
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

const Installer::DirectiveHandler* Installer::handler(std::string_view directive, SectionRole role) const {
  for (const auto& h : handlers()) {
    if (inf::iequals(directive, h.name) && (h.any_role || h.role == role)) return &h;
  }
  return nullptr;
}

bool Installer::checks_lists(std::string_view directive) {
  for (const char* d : {"DelFiles", "RenFiles", "DelReg", "AddReg", "BitReg", "DelProperty", "AddProperty"}) {
    if (inf::iequals(directive, d)) return true;
  }
  return false;
}

Status Installer::unhandled(const Loaded& pkg, const package::Operation& op, const Binding& b) {
  if (b.role == SectionRole::wdf && op.directive.size() >= 4 && inf::iequals(op.directive.substr(0, 4), "Umdf")) {
    return op.count ? wdf_setting(pkg.pkg.wdf_settings[op.first]) : Status();
  }
  for (const char* d : {"AddComponent", "AddSoftware", "AddEventProvider", "UpdateInis", "UpdateIniFields", "Ini2Reg",
                        "RegisterDlls", "UnregisterDlls", "ProfileItems", "AddFilter"}) {
    if (inf::iequals(op.directive, d)) notes.push_back(where(pkg, op.line) + d + " is not applied by isodrv");
  }
  return {};
}

std::string Installer::where(const Loaded& pkg, const inf::Line& l) {
  return pkg.doc->path() + ":" + std::to_string(l.line()) + ": ";
}

// Needs = section: a section of this INF, or of an INF an Include names (read from the inbox
// folder, inbox.cpp), runs as part of this one, in its role.
Status Installer::apply_needed(const Loaded& pkg, std::span<const package::Operation> ops, const package::Operation& op,
                               const Binding& b, int depth) {
  if (op.target_section != package::Operation::npos) return apply_section(pkg, op.target_section, b, depth + 1);
  auto needed = resolve_needed(e_, pkg, ops, op);
  if (!needed) return needed.error();
  const std::size_t before = used_files.size();
  if (auto s = apply_section(*needed->pkg, needed->section, b, depth + 1); !s) return s;
  return record_included(site(pkg, op.line), *needed, std::span<const std::string>(used_files).subspan(before));
}

Status Installer::on_add_component(const Loaded& p, const package::Operation& op, const Binding&) {
  return apply_add_component(site(p, op.line));
}

Status Installer::on_add_software(const Loaded& p, const package::Operation& op, const Binding&) {
  return apply_add_software(site(p, op.line));
}

Status Installer::on_restart(const Loaded& pkg, const package::Operation& op, const Binding&) {
  const std::string kind = inf::iequals(op.directive, "Reboot") ? "Reboot" : "Restart";
  notes.push_back(where(pkg, op.line) + kind + ": the device needs a system restart to finish installing (recorded)");
  return record_install_fact(e_, install_id_, kFactRestart, kind, pkg.doc->path() + ":" + std::to_string(op.line.line()));
}

Error Installer::at_line(Error e, const Loaded& pkg, std::uint32_t line) {
  if (e.file.empty()) {
    e.file = pkg.doc->path();
    e.line = line;
  }
  return e;
}

Binding Installer::bind(SectionRole role, const std::string& key, const std::string& object) const {
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

Result<std::size_t> Installer::model_section(const Loaded& pkg, const std::string& name, SectionRole role) {
  if (auto i = package::find_install_section(pkg.pkg, name, role)) return *i;
  return Error(Errc::not_found, "install section [" + name + "] does not exist", pkg.doc->path());
}

Status Installer::apply_ddinstall(const Loaded& pkg, const std::string& ddinstall, const std::string& sw_key) {
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
      if (auto k = ensure(b.hkr, KeyUse::install_only); !k) return k.error();  // the device's own, like the software key
    }
    if (auto s = apply_section(pkg, *idx, b); !s) return s;
  }
  return {};
}

Status Installer::apply_class_install(const Loaded& pkg, const std::string& class_key) {
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

}  // namespace isodrv::devinst::detail
