// The installer: applies one driver's install sections to one device (DDInstall, .HW, .Services,
// .Interfaces, ClassInstall32, extension INFs) with every change recorded so that uninstall can
// undo exactly it. One class, its members defined by concern:
//   install_undo.cpp      recorded registry changes (every write with its undo record) and the
//                         shared scopes (services, classes, files several installs use)
//   install_registry.cpp  AddReg / DelReg / BitReg, AddProperty / DelProperty, AddService /
//                         DelService, KMDF / UMDF services, AddInterface
//   install_files.cpp     CopyFiles, DelFiles, RenFiles (through the write funnel)
//   install_dispatch.cpp  the table of directive handlers and the walk over sections
//   install.cpp           Engine::Impl::install_locked and install_primitive_locked
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "devinst/components.h"
#include "devinst/engine_impl.h"

namespace isodrv::devinst::detail {

using package::RegOp;
using package::SectionRole;

// A key path in the form the engine compares, and an ASCII-lowered name (scope names).
inline std::string fold(std::string_view p) { return fold_path(p); }
inline std::string lower(std::string_view s) { return inf::to_lower_ascii(s); }

// What HKR and AddProperty mean in the section being applied (Installer::bind).
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
  Installer(Engine::Impl& e, const DeviceRow& dev, std::int64_t install_id, Engine::Impl::Ending ending,
            store::WriteTxn& txn)
      : e_(e), dev_(dev), install_id_(install_id), ending_(ending), txn_(txn),
        owner_("i" + std::to_string(install_id)), enum_path_(enum_key_path(dev.instance_id)) {}

  std::vector<std::string> notes, side_effects, interfaces, used_files, extensions, umdf_services;
  std::string assoc_service;
  std::vector<Diff> diffs;

  // ---- recording primitives ----

  // One undo record of this install (or of the shared scope being set up), unless a scope another
  // install already uses is being applied (in_scope).
  Status record(int op, const std::string& key, std::string_view name, int flag, std::uint32_t type,
                const std::vector<std::uint8_t>& data);
  Status record_as(const std::string& owner, int op, const std::string& key, std::string_view name, int flag,
                   std::uint32_t type, const std::vector<std::uint8_t>& data);

  // Who a key `ensure` creates belongs to: `shared`, a container other installs may also use (it
  // goes with its last user, and only when empty); `install_only`, this install alone (undo
  // deletes its whole tree).
  enum class KeyUse { shared, install_only };
  // Opens `path`, creating what is missing; every key created is recorded.
  Result<registry::KeyHandle> ensure(const std::string& path, KeyUse use = KeyUse::shared);

  bool created_here(const registry::KeyHandle& k) const { return created_.count(fold(k.path())) != 0; }

  Status use_scope(const std::string& scope);
  Status set(const registry::KeyHandle& k, std::string_view name, const registry::Value& v);
  Status set_sz(const registry::KeyHandle& k, std::string_view name, std::string_view s,
                std::uint32_t type = registry::kRegSz);
  Status set_dword(const registry::KeyHandle& k, std::string_view name, std::uint32_t v);
  Status set_multi(const registry::KeyHandle& k, std::string_view name, const std::vector<std::string>& v);
  Status delete_value(const registry::KeyHandle& k, std::string_view name);

  // Records a tree so that replaying the records backwards recreates it with values in order.
  Status snapshot(const registry::KeyHandle& k);
  Status delete_tree(const std::string& path);

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
  Result<std::string> target_key(const RegOp& op, const Binding& b);
  Result<registry::Value> encode(const package::AddRegData& d);
  Status add_reg(const RegOp& op, const Binding& b);

  // Co-installers are registered as Windows does (the CoInstallers32 value) but never run: they
  // are legacy, not valid in universal or isolated INFs [IV 1303]; the device records them.
  Status record_coinstallers(const RegOp& op, const package::AddRegData& data);
  Status del_reg(const RegOp& op, const Binding& b);
  Status bit_reg(const RegOp& op, const Binding& b);

  // ---- device properties (install-semantics.md §8) ----

  Status property(const package::PropertyOp& op, const Binding& b);

  // ---- files ----

  std::optional<std::string> host_path(const std::string& windows) { return inf_path_to_host(e_.root, windows); }

  Status copy_files(const Loaded& pkg, const package::Operation& op);

  // The undo records first (in the transaction), then the copy through the write funnel, which
  // journals the destination's prior state and puts it back if the transaction does not commit.
  Status copy_one(const std::string& from, const std::string& to);

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
  static const std::vector<DirectiveHandler>& handlers();

  // Applies install section `idx` (an index into the package model's sections): its operations in
  // the model's order, Needs last and in the role (so with the HKR) of this section.
  Status apply_section(const Loaded& pkg, std::size_t idx, const Binding& b, int depth = 0);
  const DirectiveHandler* handler(std::string_view directive, SectionRole role) const;
  static bool checks_lists(std::string_view directive);

  // A directive without a handler: a device-level UMDF setting in .Wdf, or reported as not applied.
  Status unhandled(const Loaded& pkg, const package::Operation& op, const Binding& b);
  static std::string where(const Loaded& pkg, const inf::Line& l);

  // Needs = section: a section of this INF runs as part of this one; one of an included system INF
  // is not available here and is reported with the section's Include list.
  Status apply_needed(const Loaded& pkg, std::span<const package::Operation> ops, const package::Operation& op,
                      const Binding& b, int depth);
  Status on_copy_files(const Loaded& pkg, const package::Operation& op, const Binding&);
  Status on_reg(const Loaded& pkg, const package::Operation& op, const Binding& b);
  Status on_property(const Loaded& pkg, const package::Operation& op, const Binding& b);
  Status on_add_service(const Loaded& p, const package::Operation& op, const Binding&);
  Status on_add_interface(const Loaded& p, const package::Operation& op, const Binding&);
  Status on_kmdf_service(const Loaded& p, const package::Operation& op, const Binding&);
  Status on_umdf_service(const Loaded& p, const package::Operation& op, const Binding&);

  // Software components and software installs: components.cpp, software.cpp.
  Status on_add_component(const Loaded& p, const package::Operation& op, const Binding&);
  Status on_add_software(const Loaded& p, const package::Operation& op, const Binding&);
  DirectiveSite site(const Loaded& p, const inf::Line& l) {
    return {e_, p, l, dev_.instance_id, install_id_, ending_, notes, diffs};
  }

  // Reboot / Restart in a DDInstall: Windows finishes the install and flags the device as needing a
  // system restart (DI_NEEDREBOOT / DI_NEEDRESTART); isodrv records the request with the device.
  Status on_restart(const Loaded& pkg, const package::Operation& op, const Binding&);

  // ---- DelFiles / RenFiles (install-semantics.md §4) ----

  // The folder a DelFiles/RenFiles list acts on, or nullopt with a note saying why it is skipped:
  // Windows never lets these directives touch the driver store (DIRID 13).
  std::optional<std::string> change_folder(const Loaded& pkg, const package::FileChange& c, const char* directive);

  // DelFiles = list deletes each entry of the list; DelFiles = @file one file from DefaultDestDir
  // (delfiles.cpp).
  Status on_del_files(const Loaded& pkg, const package::Operation& op, const Binding&);
  Status on_ren_files(const Loaded& pkg, const package::Operation& op, const Binding&);

  // The prior state of a file, for its undo record (the write funnel journals it itself).
  struct PriorFile {
    bool existed = false;
    std::vector<std::uint8_t> bytes;
  };
  static PriorFile prior_state(const std::string& host);

  // Deletes one file: undo writes its bytes back; the funnel's journal lets a kill before commit
  // restore it.
  Status remove_one(const std::string& host);

  // Renames one file as a copy under the new name plus a delete of the old one, each recorded and
  // journaled (by the funnel) like any file change.
  Status rename_one(const std::string& from, const std::string& to);

  // ---- DelService (install-semantics.md §6) ----

  // DelService = name[,flags[,EventLogType[,EventName]]]: deletes the service key (its undo record
  // brings it back); SPSVCINST_DELETEEVENTLOGENTRY (0x4) also deletes its event-log registration;
  // SPSVCINST_STOPSERVICE (0x200) has nothing to stop here. A service another installed driver
  // still uses is kept, with a note [ND: Windows would mark it for deletion under that driver].
  Status on_del_service(const Loaded& pkg, const package::Operation& op, const Binding&);

  // Every failure names the INF line that caused it.
  static Error at_line(Error e, const Loaded& pkg, std::uint32_t line);

  // ImagePath: a kernel-mode service is loaded through \SystemRoot; other services get the full
  // Windows path (docs/devinst.md, "ImagePath").
  static std::string image_path(const std::string& binary, std::optional<std::uint32_t> type);
  Status add_service(const Loaded& pkg, const package::ServiceInstall& service, const inf::Line& l);

  // The service-install section's DisplayName, Description, LoadOrderGroup, StartName and
  // Dependencies, as the model read them.
  Status service_texts(const registry::KeyHandle& k, const package::ServiceInstall& svc);

  // KMDF bookkeeping under the service's Parameters\Wdf key (registry-layout.md §1).
  Status kmdf_service(const package::WdfService& w);

  // UMDF 2: the driver's service key lives under WUDF\Services (registry-layout.md §1), with the
  // library version and the binary the host loads [ND value names: the INF's own].
  Status umdf_service(const Loaded& pkg, const package::WdfService& service);

  // Device-level UMDF directives (UmdfServiceOrder, UmdfKernelModeClientPolicy, UmdfFileObjectPolicy,
  // UmdfFsContextUsePolicy …) as values of the device's WUDF key [ND]: the order as REG_MULTI_SZ,
  // the others as the REG_SZ the INF names.
  Status wdf_setting(const package::WdfSetting& setting);
  Status add_interface(const Loaded& pkg, const package::InterfaceInstall& interface);

  // What HKR and AddProperty stand for in a section of `role`: the model's binding
  // (package::hkr_binding_for) made concrete. `key` is the key HKR names (the software key, the
  // service key …), `object` the interface or class whose properties AddProperty sets; .HW binds
  // to the device's hardware key, and DDInstall, .HW and .Interfaces set device properties [ND
  // for .Interfaces].
  Binding bind(SectionRole role, const std::string& key = {}, const std::string& object = {}) const;

  // The install section of the model named `name` in `role`; an error when the model lacks it.
  Result<std::size_t> model_section(const Loaded& pkg, const std::string& name, SectionRole role);

  // The DDInstall, then its sub-sections in install-step order, each with what HKR means there.
  Status apply_ddinstall(const Loaded& pkg, const std::string& ddinstall, const std::string& sw_key);
  Status apply_class_install(const Loaded& pkg, const std::string& class_key);

  bool dry_run() const { return ending_ == Engine::Impl::Ending::dry_run; }

  Engine::Impl& e_;
  const DeviceRow& dev_;
  std::int64_t install_id_;
  Engine::Impl::Ending ending_;
  store::WriteTxn& txn_;
  std::string owner_;
  bool recording_ = true;
  bool sixty_four_ = true;  // the package installs for a 64-bit architecture (WOW64 applies)
  std::string enum_path_;
  std::map<std::string, registry::KeyHandle> cache_;
  std::set<std::string> created_;
};

}  // namespace isodrv::devinst::detail
