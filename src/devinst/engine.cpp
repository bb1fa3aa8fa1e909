// The device-installation engine's outer layer: bookkeeping tables in registry.db, device nodes,
// the staged-package cache, driver choice, and the transactions around every install and uninstall.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <filesystem>

#include "devinst/components.h"
#include "devinst/inbox.h"
#include "devinst/engine_impl.h"
#include "devinst/install_facts.h"
#include "isodrv/registry_layout.h"
#include "registry/sqlite_error.h"

namespace isodrv::devinst {
namespace fs = std::filesystem;
using detail::DeviceRow;
using detail::InstallRow;
using detail::Loaded;
using detail::Stmt;

namespace {

// device_nodes.package_id is the package the device currently runs. The store never reads these
// tables: it counts a package's users (driver list "devices", delete refusal) through the view
// store_package_users (store.h), defined here; a primitive driver's install (instance_id '') has
// no device node and counts as one user.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS device_nodes(
  instance_id TEXT PRIMARY KEY COLLATE NOCASE,
  hardware_ids TEXT NOT NULL,
  compatible_ids TEXT NOT NULL,
  package_id INTEGER,
  install_id INTEGER,
  backup_folder TEXT, backup_ddinstall TEXT, backup_published TEXT);
CREATE INDEX IF NOT EXISTS device_nodes_package ON device_nodes(package_id);
CREATE TABLE IF NOT EXISTS devinst_installs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL COLLATE NOCASE,
  package_id INTEGER NOT NULL, published_name TEXT NOT NULL, folder TEXT NOT NULL,
  ddinstall TEXT NOT NULL, rank INTEGER NOT NULL, matching_id TEXT NOT NULL,
  service TEXT, class_guid TEXT, software_key TEXT,
  interfaces TEXT, files TEXT, extensions TEXT);
CREATE TABLE IF NOT EXISTS devinst_undo(
  id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  op INTEGER NOT NULL, key TEXT NOT NULL, name TEXT, flag INTEGER, type INTEGER, data BLOB);
CREATE INDEX IF NOT EXISTS devinst_undo_owner ON devinst_undo(owner, id);
CREATE TABLE IF NOT EXISTS devinst_scope_users(
  install_id INTEGER NOT NULL, scope TEXT NOT NULL, PRIMARY KEY(install_id, scope));
CREATE INDEX IF NOT EXISTS devinst_scope_users_scope ON devinst_scope_users(scope);
CREATE TABLE IF NOT EXISTS devinst_install_facts(
  install_id INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devinst_install_facts_install ON devinst_install_facts(install_id);
CREATE TRIGGER IF NOT EXISTS devinst_install_facts_gone AFTER DELETE ON devinst_installs
  BEGIN DELETE FROM devinst_install_facts WHERE install_id = old.id; END;
CREATE VIEW IF NOT EXISTS store_package_users(package_id) AS
  SELECT package_id FROM device_nodes
  UNION ALL SELECT package_id FROM devinst_installs WHERE instance_id = '';
CREATE TABLE IF NOT EXISTS devinst_components(
  instance_id TEXT PRIMARY KEY COLLATE NOCASE,
  parent TEXT NOT NULL COLLATE NOCASE,
  install_id INTEGER NOT NULL,
  name TEXT NOT NULL, flags INTEGER NOT NULL, section TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devinst_components_parent ON devinst_components(parent);
CREATE INDEX IF NOT EXISTS devinst_components_install ON devinst_components(install_id);
CREATE TABLE IF NOT EXISTS devinst_software(
  install_id INTEGER NOT NULL, name TEXT NOT NULL, flags INTEGER NOT NULL, type INTEGER NOT NULL,
  software_id TEXT NOT NULL, version TEXT NOT NULL, binary TEXT NOT NULL, arguments TEXT NOT NULL,
  source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devinst_software_install ON devinst_software(install_id);
CREATE TRIGGER IF NOT EXISTS devinst_software_gone AFTER DELETE ON devinst_installs
  BEGIN DELETE FROM devinst_software WHERE install_id = old.id; END;
CREATE TABLE IF NOT EXISTS devinst_component_entries(
  instance_id TEXT NOT NULL COLLATE NOCASE, entry TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devinst_component_entries_id ON devinst_component_entries(instance_id);
CREATE TRIGGER IF NOT EXISTS devinst_component_entries_gone AFTER DELETE ON devinst_components
  BEGIN DELETE FROM devinst_component_entries WHERE instance_id = old.instance_id; END;
CREATE TABLE IF NOT EXISTS devinst_problems(
  instance_id TEXT PRIMARY KEY COLLATE NOCASE, code INTEGER NOT NULL, message TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS devinst_problems_node_gone AFTER DELETE ON device_nodes
  BEGIN DELETE FROM devinst_problems WHERE instance_id = old.instance_id; END;
CREATE TRIGGER IF NOT EXISTS devinst_problems_installed AFTER UPDATE OF install_id ON device_nodes
  WHEN new.install_id IS NOT NULL
  BEGIN DELETE FROM devinst_problems WHERE instance_id = new.instance_id; END;
)sql";


std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The same instance-ID rules as every state-location API entry point, so a device that can be
// added can always be resolved.
Status check_instance_id(const std::string& id) { return registry_layout::check_instance_id(id); }

}  // namespace

// ---- paths -----------------------------------------------------------------------------------

std::string enum_key_path(std::string_view id) { return std::string(kControlSet) + "\\Enum\\" + std::string(id); }
std::string hardware_key_path(std::string_view id) { return enum_key_path(id) + "\\Device Parameters"; }
std::string service_key_path(std::string_view s) { return std::string(kControlSet) + "\\Services\\" + std::string(s); }
std::string class_key_path(std::string_view g) { return std::string(kControlSet) + "\\Control\\Class\\" + std::string(g); }

namespace {
std::string hashed_instance(std::string_view id) {
  std::string s(id);
  std::replace(s.begin(), s.end(), '\\', '#');
  return s;
}
}  // namespace

std::string interface_symbolic_link(std::string_view id, std::string_view guid, std::string_view ref) {
  std::string link = "\\\\?\\" + hashed_instance(id) + "#" + std::string(guid);
  if (!ref.empty()) link += "\\" + std::string(ref);
  return link;
}

std::string interface_key_path(std::string_view id, std::string_view guid, std::string_view ref) {
  return std::string(kControlSet) + "\\Control\\DeviceClasses\\" + std::string(guid) + "\\##?#" + hashed_instance(id) +
         "#" + std::string(guid) + "\\#" + std::string(ref);
}

// What a new device needs: a valid instance ID and at least one ID, none of them empty (an empty
// string cannot be stored in a REG_MULTI_SZ list).
Status check_device_spec(const DeviceSpec& s) {
  if (auto c = check_instance_id(s.instance_id); !c) return c;
  if (s.hardware_ids.empty() && s.compatible_ids.empty()) {
    return Error(Errc::invalid_argument, "device " + s.instance_id + " needs at least one hardware or compatible ID");
  }
  for (const auto* list : {&s.hardware_ids, &s.compatible_ids}) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if ((*list)[i].empty()) {
        return Error(Errc::invalid_argument, "device " + s.instance_id + ": " +
                                                 (list == &s.hardware_ids ? "hardware" : "compatible") + " ID " +
                                                 std::to_string(i + 1) + " is empty");
      }
    }
  }
  return {};
}

Result<std::vector<DeviceSpec>> parse_machine_json(std::string_view text, const std::string& file_name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error and also out_of_range: a number too large for a double (found by machine_fuzz).
    return Error(Errc::invalid_argument, std::string("not valid JSON: ") + e.what(), file_name);
  }
  if (!j.is_array()) return Error(Errc::invalid_argument, "a machine file is an array of devices", file_name);
  std::vector<DeviceSpec> out;
  std::map<std::string, std::size_t> seen;  // folded instance ID -> entry
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& d = j[i];
    const std::string where = "device " + std::to_string(i) + ": ";
    if (!d.is_object() || !d.contains("instance_id") || !d["instance_id"].is_string()) {
      return Error(Errc::invalid_argument, where + "needs a string \"instance_id\"", file_name);
    }
    DeviceSpec s;
    s.instance_id = d["instance_id"].get<std::string>();
    for (const char* field : {"hardware_ids", "compatible_ids"}) {
      if (!d.contains(field)) continue;
      if (!d[field].is_array()) return Error(Errc::invalid_argument, where + field + " must be an array", file_name);
      for (const auto& v : d[field]) {
        if (!v.is_string()) return Error(Errc::invalid_argument, where + field + " holds a non-string", file_name);
        (std::string_view(field) == "hardware_ids" ? s.hardware_ids : s.compatible_ids).push_back(v.get<std::string>());
      }
    }
    // Checked here too, so the message names the file and the entry rather than only the device.
    if (auto c = check_device_spec(s); !c) return Error(c.error().code, where + c.error().message, file_name);
    if (auto [it, fresh] = seen.emplace(inf::to_lower_ascii(s.instance_id), i); !fresh) {
      return Error(Errc::invalid_argument,
                   where + "instance ID " + s.instance_id + " is already used by device " + std::to_string(it->second),
                   file_name);
    }
    out.push_back(std::move(s));
  }
  return out;
}

// ---- Impl ------------------------------------------------------------------------------------

Stmt& Engine::Impl::q(const char* sql) {
  auto it = stmts.find(sql);
  if (it == stmts.end()) it = stmts.emplace(sql, std::make_unique<Stmt>(db(), sql, "device database")).first;
  return it->second->use();
}

Status Engine::Impl::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown";
    sqlite3_free(err);
    return Error(Errc::io_error, "device database: " + m, store::database_path(root));
  }
  return {};
}

namespace {
DeviceRow read_device(Stmt& s) {
  DeviceRow d;
  d.instance_id = s.text(0);
  d.hardware_ids = split_lines(s.text(1));
  d.compatible_ids = split_lines(s.text(2));
  if (!s.is_null(3)) d.package_id = s.integer(3);
  if (!s.is_null(4)) d.install_id = s.integer(4);
  d.backup_folder = s.text(5);
  d.backup_ddinstall = s.text(6);
  d.backup_published = s.text(7);
  return d;
}
}  // namespace

Result<DeviceRow> Engine::Impl::device_row(const std::string& id) {
  auto& s = q("SELECT instance_id, hardware_ids, compatible_ids, package_id, install_id, backup_folder, "
              "backup_ddinstall, backup_published FROM device_nodes WHERE instance_id = ?");
  s.bind(1, id);
  if (!s.row()) return Error(Errc::not_found, "no device with instance ID " + id);
  return read_device(s);
}

std::vector<DeviceRow> Engine::Impl::device_rows() {
  std::vector<DeviceRow> out;
  auto& s = q("SELECT instance_id, hardware_ids, compatible_ids, package_id, install_id, backup_folder, "
              "backup_ddinstall, backup_published FROM device_nodes ORDER BY instance_id");
  while (s.row()) out.push_back(read_device(s));
  return out;
}

Result<InstallRow> Engine::Impl::install_row(std::int64_t id) {
  auto& s = q("SELECT id, instance_id, package_id, published_name, folder, ddinstall, rank, matching_id, service, "
              "class_guid, software_key, interfaces, files, extensions FROM devinst_installs WHERE id = ?");
  s.bind(1, id);
  if (!s.row()) return Error(Errc::corrupt, "install record " + std::to_string(id) + " is missing");
  InstallRow r;
  r.id = s.integer(0);
  r.instance_id = s.text(1);
  r.package_id = s.integer(2);
  r.driver.published_name = s.text(3);
  r.driver.folder = s.text(4);
  r.driver.ddinstall = s.text(5);
  r.driver.rank = static_cast<std::uint32_t>(s.integer(6));
  r.driver.matching_id = s.text(7);
  r.service = s.text(8);
  r.class_guid = s.text(9);
  r.software_key = s.text(10);
  r.interfaces = split_lines(s.text(11));
  r.files = split_lines(s.text(12));
  r.extensions = split_lines(s.text(13));
  return r;
}

Result<std::vector<Loaded*>> Engine::Impl::all_packages() {
  auto list = st->list();
  if (!list) return list.error();
  std::vector<Loaded*> out;
  std::set<std::int64_t> live;
  for (const auto& p : *list) {
    live.insert(p.id);
    auto it = packages.find(p.id);
    if (it != packages.end() && it->second->sp.folder == p.folder) {
      it->second->sp = p;  // device counts change
      out.push_back(it->second.get());
      continue;
    }
    auto l = std::make_unique<Loaded>();
    l->sp = p;
    l->host_folder = st->folder_path(p);
    auto arch = inf::parse_arch(p.arch).value_or(inf::Arch::amd64);
    l->windows_folder = package::driver_store_path(p.original_name, arch, p.hash16);
    auto doc = inf::Document::load(l->host_folder + "/" + p.original_name);
    if (!doc) continue;  // store verify reports damaged packages; they cannot be installed
    l->doc = std::make_unique<inf::Document>(std::move(*doc));
    inf::DiridContext ctx;
    ctx.src_path = l->windows_folder;
    ctx.driver_store = l->windows_folder;
    l->doc->set_dirids(ctx);
    inf::Target target;
    target.arch = arch;
    l->pkg = package::build_package(*l->doc, target);
    if (auto v = l->doc->section("Version")) {
      if (auto e = v->find("ExtensionId"); e && e->field_count()) l->extension_id = inf::to_lower_ascii(e->field(0));
    }
    Loaded* raw = l.get();
    packages[p.id] = std::move(l);
    out.push_back(raw);
  }
  for (auto it = packages.begin(); it != packages.end();) {
    it = live.count(it->first) ? std::next(it) : packages.erase(it);
  }
  return out;
}

Result<Loaded*> Engine::Impl::package_by_name(const std::string& published_name) {
  auto all = all_packages();
  if (!all) return all.error();
  for (auto* p : *all) {
    if (inf::iequals(p->sp.published_name, published_name)) return p;
  }
  return Error(Errc::not_found, "no staged package named " + published_name);
}

std::optional<Engine::Impl::Choice> Engine::Impl::best_for(const DeviceIds& ids, const std::vector<Loaded*>& candidates) {
  std::optional<Choice> best;
  for (auto* p : candidates) {
    if (!p->extension_id.empty()) continue;  // extension INFs never are a device's driver
    auto m = best_match(p->pkg, ids, p->signing());
    if (!m) continue;
    // Equal by every documented criterion: the package staged later wins (pnputil's order) [ND].
    if (!best || better(*m, best->match) || (!better(best->match, *m) && p->sp.id > best->pkg->sp.id)) {
      best = Choice{p, *m};
    }
  }
  return best;
}

Result<InstallReport> Engine::Impl::move_to(const DeviceRow& dev, Loaded& pkg, const Match& m, Ending ending,
                                            store::WriteTxn& txn, Replaced replaced_driver) {
  std::optional<InstalledDriver> replaced;
  if (dev.install_id) {
    auto cur = install_row(*dev.install_id);
    if (!cur) return cur.error();
    if (inf::iequals(cur->driver.folder, pkg.sp.folder) && inf::iequals(cur->driver.ddinstall, m.ddinstall)) {
      InstallReport r;
      r.instance_id = dev.instance_id;
      r.driver = cur->driver;
      r.changed = false;
      return r;
    }
    replaced = cur->driver;
    std::vector<detail::Diff> undone;
    if (ending == Ending::dry_run) dry_diffs = &undone;
    Status un = uninstall_locked(dev, txn);
    dry_diffs = nullptr;
    if (!un) return un.error();
    pending_diffs = std::move(undone);
    if (replaced_driver == Replaced::keep_as_backup) {
      auto& u = q("UPDATE device_nodes SET backup_folder = ?, backup_ddinstall = ?, backup_published = ? "
                  "WHERE instance_id = ?");
      u.bind(1, replaced->folder).bind(2, replaced->ddinstall).bind(3, replaced->published_name).bind(4, dev.instance_id);
      if (auto s = u.run(); !s) return s.error();
    }
  }
  auto fresh = device_row(dev.instance_id);  // the uninstall changed the row
  if (!fresh) return fresh.error();
  auto r = install_locked(*fresh, pkg, m, ending, txn);
  pending_diffs.clear();
  if (!r) return r;
  r->replaced = replaced;
  if (auto s = install_components_locked(*r, ending, txn); !s) return s.error();
  return r;
}

// ---- Engine ----------------------------------------------------------------------------------

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

Result<Engine> Engine::open(const std::string& root) {
  auto st = store::Store::open(root);
  if (!st) return st.error();
  auto impl = std::make_unique<Impl>();
  impl->root = st->root();
  auto reg = registry::Registry::open(store::database_path(impl->root));
  if (!reg) return reg.error();
  impl->reg = std::move(*reg);
  if (auto s = impl->exec(kSchema); !s) return s.error();
  // A machine-wide install touches tens of thousands of keys in one transaction; SQLite's default
  // 2 MB page cache would spill it to the WAL long before commit.
  if (auto s = impl->exec("PRAGMA cache_size=-65536"); !s) return s.error();
  impl->st = std::make_unique<store::Store>(std::move(*st));
  return Engine(std::move(impl));
}

Result<std::unique_ptr<store::WriteTxn>> Engine::Impl::begin() {
  reset_statements();
  pending_components.clear();
  auto tx = reg.begin();
  if (!tx) return tx.error();
  auto shared = std::make_shared<registry::Transaction>(std::move(*tx));
  store::WriteTxn::Sql sql;
  sql.commit = [shared] { return shared->commit(); };
  sql.rollback = [shared] { (void)shared->rollback(); };
  return std::make_unique<store::WriteTxn>(root, db(), "devinst", std::move(sql));
}

// One new device node and its bookkeeping row, inside the caller's transaction.
Status Engine::Impl::add_device_node(const DeviceSpec& s) {
  Engine::Impl& d = *this;
  auto& ex = d.q("SELECT 1 FROM device_nodes WHERE instance_id = ?");
  ex.bind(1, s.instance_id);
  if (ex.row()) return Error(Errc::already_exists, "a device with instance ID " + s.instance_id + " already exists");
  if (auto k = d.reg.open_key(enum_key_path(s.instance_id)); k) {
    return Error(Errc::already_exists, "the registry already has a device node " + k->path());
  }
  auto key = d.reg.open_key(enum_key_path(s.instance_id), registry::Disposition::open_always);
  if (!key) return key.error();
  if (!s.hardware_ids.empty()) {
    if (auto r = key->set_multi_sz("HardwareID", s.hardware_ids); !r) return r;
  }
  if (!s.compatible_ids.empty()) {
    if (auto r = key->set_multi_sz("CompatibleIDs", s.compatible_ids); !r) return r;
  }
  // CONFIGFLAG_REINSTALL: the device has no driver yet; a successful install resets it to 0.
  if (auto r = key->set_dword("ConfigFlags", 0x20); !r) return r;
  auto& ins = d.q("INSERT INTO device_nodes(instance_id, hardware_ids, compatible_ids) VALUES(?, ?, ?)");
  ins.bind(1, s.instance_id).bind(2, join_lines(s.hardware_ids)).bind(3, join_lines(s.compatible_ids));
  return ins.run();
}

// Deletes the device node, then every parent level that only held it (enumerator, device ID).
Status Engine::Impl::delete_device_node(const std::string& instance_id) {
  Engine::Impl& d = *this;
  std::string path = enum_key_path(instance_id);
  if (auto k = d.reg.open_key(path); k) {
    if (auto s = k->delete_tree(); !s) return s;
  }
  const std::string enum_root = std::string(kControlSet) + "\\Enum";
  for (auto cut = path.rfind('\\'); cut != std::string::npos && path.substr(0, cut).size() > enum_root.size();
       cut = path.rfind('\\')) {
    path = path.substr(0, cut);
    auto k = d.reg.open_key(path);
    if (!k) break;
    auto subs = k->enum_subkeys();
    auto vals = k->enum_values();
    if (!subs || !vals || !subs->empty() || !vals->empty()) break;
    if (auto s = k->delete_tree(); !s) return s;
  }
  auto& del = d.q("DELETE FROM device_nodes WHERE instance_id = ?");
  del.bind(1, instance_id);
  if (auto s = del.run(); !s) return s;
  auto& comp = d.q("DELETE FROM devinst_components WHERE instance_id = ?");
  comp.bind(1, instance_id);
  return comp.run();
}

Status Engine::add_devices(const std::vector<DeviceSpec>& specs) {
  for (const auto& s : specs) {
    if (auto c = check_device_spec(s); !c) return c;
  }
  return impl_->mutate([&](store::WriteTxn&) -> Status {
    for (const auto& s : specs) {
      if (auto r = impl_->add_device_node(s); !r) return r;
    }
    return {};
  });
}

Status Engine::add_device(const DeviceSpec& spec) { return add_devices({spec}); }

Status Engine::remove_device(const std::string& id) {
  Impl& d = *impl_;
  return d.mutate([&](store::WriteTxn& txn) -> Status {
    auto dev = d.device_row(id);
    if (!dev) return dev.error();
    if (dev->install_id) {
      if (auto s = d.uninstall_locked(*dev, txn); !s) return s;
    }
    return d.delete_device_node(dev->instance_id);
  });
}

namespace {
// Every property below `object_key`\Properties\{fmtid}\NNNN (package::devprop's layout).
std::vector<DeviceProperty> read_properties(const registry::Registry& reg, const std::string& object_key) {
  namespace dp = package::devprop;
  std::vector<DeviceProperty> out;
  auto root = reg.open_key(object_key + "\\" + dp::kPropertiesKey);
  if (!root) return out;
  auto cats = root->enum_subkeys();
  if (!cats) return out;
  for (const auto& c : *cats) {
    auto fmtid = dp::normalize_guid(c);
    auto ck = root->open_subkey(c);
    if (!fmtid || !ck) continue;
    auto pids = ck->enum_subkeys();
    if (!pids) continue;
    for (const auto& p : *pids) {
      auto pk = ck->open_subkey(p);
      if (!pk) continue;
      auto v = pk->query_value("");
      auto pid = inf::parse_u32("0x" + p);
      if (!v || !pid || (v->type & dp::kRegTypeBase) != dp::kRegTypeBase) continue;
      DeviceProperty d;
      d.fmtid = *fmtid;
      d.pid = *pid;
      if (const auto* k = dp::known_by_key(dp::Key{d.fmtid, d.pid})) d.name = k->devpkey;
      d.type = v->type & ~dp::kRegTypeBase;
      d.data = v->data;
      d.text = dp::decode(d.type, d.data);
      out.push_back(std::move(d));
    }
  }
  std::sort(out.begin(), out.end(), [](const DeviceProperty& a, const DeviceProperty& b) {
    return a.fmtid != b.fmtid ? a.fmtid < b.fmtid : a.pid < b.pid;
  });
  return out;
}

// "\\?\<id>#{guid}[\ref]" back to its DeviceClasses key.
std::string interface_key_of(const std::string& instance_id, const std::string& link) {
  auto open = link.rfind("#{");
  if (open == std::string::npos) return {};
  auto close = link.find('}', open);
  if (close == std::string::npos) return {};
  std::string guid = link.substr(open + 1, close - open);
  std::string ref = close + 2 <= link.size() ? link.substr(std::min(close + 2, link.size())) : std::string();
  return interface_key_path(instance_id, guid, ref);
}

DeviceInfo info_from(Engine::Impl& d, const DeviceRow& r) {
  DeviceInfo i;
  i.instance_id = r.instance_id;
  i.hardware_ids = r.hardware_ids;
  i.compatible_ids = r.compatible_ids;
  i.hardware_key = hardware_key_path(r.instance_id);
  if (!r.backup_folder.empty()) {
    InstalledDriver b;
    b.folder = r.backup_folder;
    b.ddinstall = r.backup_ddinstall;
    b.published_name = r.backup_published;
    i.backup = b;
  }
  if (r.install_id) {
    if (auto in = d.install_row(*r.install_id)) {
      i.driver = in->driver;
      i.service = in->service;
      i.class_guid = in->class_guid;
      i.software_key = in->software_key;
      i.interfaces = in->interfaces;
      i.files = in->files;
      i.extensions = in->extensions;
    }
    read_install_facts(d, *r.install_id, i);
    read_software(d, *r.install_id, i);
    read_included(d, *r.install_id, i);
  }
  read_component_links(d, i);
  i.properties = read_properties(d.reg, enum_key_path(r.instance_id));
  for (const auto& link : i.interfaces) {
    auto props = read_properties(d.reg, interface_key_of(r.instance_id, link));
    if (!props.empty()) i.interface_properties.push_back({link, std::move(props)});
  }
  return i;
}
}  // namespace

Result<std::vector<DeviceInfo>> Engine::list_devices() const {
  Impl::StatementGuard guard(*impl_);
  std::vector<DeviceInfo> flat;
  for (const auto& r : impl_->device_rows()) flat.push_back(info_from(*impl_, r));
  // Tree order: every device a bus reported (or whose parent is gone), each followed by its
  // descendants depth first; rows come sorted by instance ID, and so do children.
  std::map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < flat.size(); ++i) by_id[inf::to_lower_ascii(flat[i].instance_id)] = i;
  std::vector<DeviceInfo> out;
  std::vector<bool> placed(flat.size(), false);
  std::function<void(std::size_t)> place = [&](std::size_t i) {
    if (placed[i]) return;
    placed[i] = true;
    out.push_back(flat[i]);
    for (const auto& c : flat[i].children) {
      if (auto it = by_id.find(inf::to_lower_ascii(c)); it != by_id.end()) place(it->second);
    }
  };
  for (std::size_t i = 0; i < flat.size(); ++i) {
    if (flat[i].parent.empty() || !by_id.count(inf::to_lower_ascii(flat[i].parent))) place(i);
  }
  for (std::size_t i = 0; i < flat.size(); ++i) place(i);  // a cycle cannot happen; never drop a device
  return out;
}

Result<DeviceInfo> Engine::device(const std::string& id) const {
  Impl::StatementGuard guard(*impl_);
  auto r = impl_->device_row(id);
  if (!r) return r.error();
  return info_from(*impl_, *r);
}

Result<InstallReport> Engine::install(const std::string& id, const InstallOptions& opts) {
  Impl& d = *impl_;
  Impl::StatementGuard guard(d);
  auto all = d.all_packages();
  if (!all) return all.error();
  auto dev = d.device_row(id);
  if (!dev) return dev.error();
  std::vector<Loaded*> candidates = *all;
  if (!opts.inf.empty()) {
    auto p = d.package_by_name(opts.inf);
    if (!p) return p.error();
    if (!(*p)->extension_id.empty()) {
      return Error(Errc::invalid_argument, opts.inf + " is an extension INF; it applies together with a base driver");
    }
    candidates = {*p};
  }
  auto choice = d.best_for(DeviceIds{dev->hardware_ids, dev->compatible_ids}, candidates);
  if (!choice) {
    return Error(Errc::not_found, opts.inf.empty() ? "no staged driver matches device " + id
                                                   : opts.inf + " has no Models entry that matches device " + id);
  }
  const Impl::Ending ending = opts.dry_run ? Impl::Ending::dry_run : Impl::Ending::commit;
  return d.mutate(
      [&](store::WriteTxn& txn) -> Result<InstallReport> {
        // Read again inside the transaction: another process may have changed the device meanwhile.
        auto fresh = d.device_row(id);
        if (!fresh) return fresh.error();
        return d.move_to(*fresh, *choice->pkg, choice->match, ending, txn);
      },
      ending);
}

Status Engine::uninstall(const std::string& id) {
  Impl& d = *impl_;
  return d.mutate([&](store::WriteTxn& txn) -> Status {
    auto dev = d.device_row(id);
    if (!dev) return dev.error();
    if (!dev->install_id) return Error(Errc::not_found, "device " + id + " has no driver installed");
    if (auto s = d.uninstall_locked(*dev, txn); !s) return s;
    auto& u = d.q("UPDATE device_nodes SET backup_folder = NULL, backup_ddinstall = NULL, backup_published = NULL "
                  "WHERE instance_id = ?");
    u.bind(1, dev->instance_id);
    return u.run();
  });
}

Result<InstallReport> Engine::rollback(const std::string& id) {
  Impl& d = *impl_;
  Impl::StatementGuard guard(d);
  auto all = d.all_packages();
  if (!all) return all.error();
  auto dev = d.device_row(id);
  if (!dev) return dev.error();
  if (dev->backup_folder.empty()) return Error(Errc::not_found, "device " + id + " has no previous driver to roll back to");
  Loaded* target = nullptr;
  for (auto* p : *all) {
    if (inf::iequals(p->sp.folder, dev->backup_folder)) target = p;
  }
  if (!target) {
    return Error(Errc::not_found, "the previous driver of " + id + " (" + dev->backup_published +
                                      ") is no longer in the driver store");
  }
  auto m = best_match(target->pkg, DeviceIds{dev->hardware_ids, dev->compatible_ids}, target->signing());
  if (!m) return Error(Errc::not_found, target->sp.published_name + " no longer matches device " + id);
  return d.mutate([&](store::WriteTxn& txn) -> Result<InstallReport> {
    auto fresh = d.device_row(id);  // inside the transaction (see install)
    if (!fresh) return fresh.error();
    return d.move_to(*fresh, *target, *m, Impl::Ending::commit, txn, Impl::Replaced::keep_as_backup);
  });
}

namespace {
// An extension joins the current driver of every device it matches: that driver is reinstalled.
// nullopt when the device is not one the extension applies to.
Result<std::optional<InstallReport>> reinstall_with_extension(Engine::Impl& d, const DeviceRow& dev, Loaded& ext,
                                                              const std::vector<Loaded*>& all, store::WriteTxn& txn) {
  const DeviceIds ids{dev.hardware_ids, dev.compatible_ids};
  if (!dev.install_id || !best_match(ext.pkg, ids, ext.signing())) return std::optional<InstallReport>();
  auto cur = d.install_row(*dev.install_id);
  if (!cur) return cur.error();
  Loaded* base = nullptr;
  for (auto* p : all) {
    if (p->sp.id == cur->package_id) base = p;
  }
  if (!base) return std::optional<InstallReport>();
  auto m = best_match(base->pkg, ids, base->signing());
  if (!m) return std::optional<InstallReport>();
  if (auto s = d.uninstall_locked(dev, txn); !s) return s.error();
  auto fresh = d.device_row(dev.instance_id);
  if (!fresh) return fresh.error();
  auto r = d.install_locked(*fresh, *base, *m, Engine::Impl::Ending::commit, txn);
  if (!r) return r.error();
  if (auto s = d.install_components_locked(*r, Engine::Impl::Ending::commit, txn); !s) return s.error();
  return std::optional<InstallReport>(std::move(*r));
}

// A report, then the component devices its install created that got a driver, each as a report of
// its own (driver add --install lists every device it installed on).
void push_with_components(std::vector<InstallReport>& out, InstallReport r) {
  std::vector<InstallReport> children = std::move(r.components);
  r.components.clear();
  out.push_back(std::move(r));
  for (auto& c : children) {
    if (c.changed) push_with_components(out, std::move(c));
  }
}

// install_on_matching inside its transaction.
Result<std::vector<InstallReport>> install_on_matching_locked(Engine::Impl& d, Loaded& pkg,
                                                              const std::vector<Loaded*>& all, store::WriteTxn& txn) {
  std::vector<InstallReport> out;
  if (pkg.pkg.models.empty()) {
    // A primitive driver: no device, its DefaultInstall applies once.
    auto& q = d.q("SELECT 1 FROM devinst_installs WHERE package_id = ? AND instance_id = '' LIMIT 1");
    q.bind(1, pkg.sp.id);
    if (q.row()) return out;  // already installed
    auto r = d.install_primitive_locked(pkg, txn);
    if (!r) return r.error();
    out.push_back(std::move(*r));
    return out;
  }
  for (const auto& listed : d.device_rows()) {
    // Read again: an install before this one may have removed (and re-created) component devices.
    auto row = d.device_row(listed.instance_id);
    if (!row) continue;
    const DeviceRow& dev = *row;
    if (!pkg.extension_id.empty()) {
      auto r = reinstall_with_extension(d, dev, pkg, all, txn);
      if (!r) return r.error();
      if (*r) push_with_components(out, std::move(**r));
      continue;
    }
    auto choice = d.best_for(DeviceIds{dev.hardware_ids, dev.compatible_ids}, all);
    if (!choice || choice->pkg != &pkg) continue;
    auto r = d.move_to(dev, pkg, choice->match, Engine::Impl::Ending::commit, txn);
    if (!r) {
      Error e = r.error();
      e.message = dev.instance_id + ": " + e.message;
      return e;
    }
    if (r->changed) push_with_components(out, std::move(*r));
  }
  return out;
}

constexpr const char* kClearBackup =
    "UPDATE device_nodes SET backup_folder = NULL, backup_ddinstall = NULL, backup_published = NULL ";

// move_devices_off inside its transaction.
Result<std::vector<std::string>> move_devices_off_locked(Engine::Impl& d, Loaded& target,
                                                         const std::vector<Loaded*>& others, store::WriteTxn& txn) {
  std::vector<std::string> moved;
  for (const auto& dev : d.device_rows()) {
    if (!dev.package_id || *dev.package_id != target.sp.id) continue;
    // The backup can no longer be the package that goes away.
    if (inf::iequals(dev.backup_folder, target.sp.folder)) {
      auto& u = d.q((std::string(kClearBackup) + "WHERE instance_id = ?").c_str());
      u.bind(1, dev.instance_id);
      if (auto s = u.run(); !s) return s.error();
    }
    auto fresh = d.device_row(dev.instance_id);
    if (!fresh && fresh.error().code == Errc::not_found) continue;  // a component device its parent's move removed
    if (!fresh) return fresh.error();
    if (!fresh->package_id || *fresh->package_id != target.sp.id) continue;
    auto choice = d.best_for(DeviceIds{dev.hardware_ids, dev.compatible_ids}, others);
    if (choice) {
      auto r = d.move_to(*fresh, *choice->pkg, choice->match, Engine::Impl::Ending::commit, txn,
                         Engine::Impl::Replaced::forget);  // its package is going
      if (!r) return r.error();
    } else {
      if (auto s = d.uninstall_locked(*fresh, txn); !s) return s.error();
    }
    moved.push_back(dev.instance_id);
  }
  // A primitive driver's device-less install is undone too.
  std::vector<std::int64_t> ids;
  auto& q = d.q("SELECT id FROM devinst_installs WHERE package_id = ? AND instance_id = ''");
  q.bind(1, target.sp.id);
  while (q.row()) ids.push_back(q.integer(0));
  for (auto id : ids) {
    if (auto s = d.uninstall_install_locked(id, txn); !s) return s.error();
  }
  // Backups that point at the package go too: it will not be there to roll back to.
  auto& u = d.q((std::string(kClearBackup) + "WHERE backup_folder = ? COLLATE NOCASE").c_str());
  u.bind(1, target.sp.folder);
  if (auto s = u.run(); !s) return s.error();
  return moved;
}
}  // namespace

Result<std::vector<InstallReport>> Engine::install_on_matching(const std::string& published_name) {
  Impl& d = *impl_;
  Impl::StatementGuard guard(d);
  auto target = d.package_by_name(published_name);
  if (!target) return target.error();
  auto all = d.all_packages();
  if (!all) return all.error();
  return d.mutate(
      [&](store::WriteTxn& txn) { return install_on_matching_locked(d, **target, *all, txn); });
}

Result<std::vector<std::string>> Engine::move_devices_off(const std::string& published_name, Removal removal) {
  Impl& d = *impl_;
  Impl::StatementGuard guard(d);
  auto target = d.package_by_name(published_name);
  if (!target) return target.error();
  auto all = d.all_packages();
  if (!all) return all.error();
  std::vector<Loaded*> others;
  for (auto* p : *all) {
    if (p != *target) others.push_back(p);
  }
  auto moves = [&](store::WriteTxn& txn, const store::RemovalSql* also) -> Result<std::vector<std::string>> {
    d.leaving_package = (*target)->sp.id;
    auto moved = move_devices_off_locked(d, **target, others, txn);
    d.leaving_package = -1;
    if (moved && also) {
      if (auto s = (*also)(d.db()); !s) return s.error();
    }
    return moved;
  };
  if (removal == Removal::keep_package) return d.mutate([&](store::WriteTxn& txn) { return moves(txn, nullptr); });
  // The moves and the package's deletion commit together: a crash leaves both or neither.
  std::vector<std::string> moved;
  auto s = store::remove_package_with(*d.st, published_name, [&](const store::RemovalSql& sql) -> Status {
    auto r = d.mutate([&](store::WriteTxn& txn) { return moves(txn, &sql); });
    if (!r) return r.error();
    moved = std::move(*r);
    return {};
  });
  if (!s) return s.error();
  return moved;
}

}  // namespace isodrv::devinst
