// Undoing an install: replaying its undo records newest first, then the shared scopes it was the
// last user of, so that the registry and the Windows tree return to what they were before it.
#include <algorithm>
#include <fstream>

#include "devinst/engine_impl.h"

namespace isodrv::devinst {
using detail::DeviceRow;
using detail::Diff;
using detail::fold_path;

Status Engine::Impl::uninstall_install_locked(std::int64_t install_id, store::WriteTxn& txn) {
  retry_keys.clear();
  if (auto r = undo_owner("i" + std::to_string(install_id), txn); !r) return r;
  std::vector<std::string> scopes;
  {
    auto& s = q("SELECT scope FROM devinst_scope_users WHERE install_id = ?");
    s.bind(1, install_id);
    while (s.row()) scopes.push_back(s.text(0));
  }
  {
    auto& s = q("DELETE FROM devinst_scope_users WHERE install_id = ?");
    s.bind(1, install_id);
    if (auto r = s.run(); !r) return r;
  }
  // Shared keys after the rest, the deepest first, so that a container is empty when its turn comes.
  std::stable_sort(scopes.begin(), scopes.end(), [](const std::string& a, const std::string& b) {
    const bool ka = a.rfind("key:", 0) == 0, kb = b.rfind("key:", 0) == 0;
    if (ka != kb) return kb;
    return ka && a.size() > b.size();
  });
  for (const auto& scope : scopes) {
    auto& s = q("SELECT 1 FROM devinst_scope_users WHERE scope = ? LIMIT 1");
    s.bind(1, scope);
    if (s.row()) continue;
    if (auto r = undo_owner(scope, txn); !r) return r;
  }
  // Keys this uninstall created-and-kept because a later-replayed owner still had keys below them.
  std::sort(retry_keys.begin(), retry_keys.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& path : retry_keys) {
    auto k = reg.open_key(path);
    if (!k) continue;
    auto subs = k->enum_subkeys();
    if (!subs || !subs->empty()) continue;
    if (auto s = k->delete_tree(); !s) return s;
    if (dry_diffs) dry_diffs->push_back({Diff::delete_key, k->path(), "", {}});
  }
  retry_keys.clear();
  auto& del = q("DELETE FROM devinst_installs WHERE id = ?");
  del.bind(1, install_id);
  return del.run();
}

namespace {

// One devinst_undo row.
struct UndoRec {
  int op, flag;
  std::string key, name;
  std::uint32_t type;
  std::vector<std::uint8_t> data;
};

// One handler per undo kind (UndoOp), each putting back what its record describes.
using UndoHandler = Status (*)(Engine::Impl&, const UndoRec&, store::WriteTxn&);

Status undo_key_created(Engine::Impl& e, const UndoRec& r, store::WriteTxn&) {
  auto k = e.reg.open_key(r.key);
  if (!k) return {};
  auto subs = k->enum_subkeys();
  if (r.flag == 1 || (subs && subs->empty())) {
    if (auto s = k->delete_tree(); !s) return s;
    if (e.dry_diffs) e.dry_diffs->push_back({Diff::delete_key, k->path(), "", {}});
  } else {
    e.retry_keys.push_back(k->path());
  }
  return {};
}

Status undo_value(Engine::Impl& e, const UndoRec& r, store::WriteTxn&) {
  if (r.flag == 1) {
    auto k = e.reg.open_key(r.key, registry::Disposition::open_always);
    if (!k) return k.error();
    if (auto s = k->set_value(r.name, r.type, r.data); !s) return s;
    if (e.dry_diffs) e.dry_diffs->push_back({Diff::set_value, k->path(), r.name, registry::Value{r.type, r.data}});
    return {};
  }
  auto k = e.reg.open_key(r.key);
  if (!k) return {};
  auto s = k->delete_value(r.name);
  if (!s && s.error().code != Errc::not_found) return s;
  if (s && e.dry_diffs) e.dry_diffs->push_back({Diff::delete_value, k->path(), r.name, {}});
  return {};
}

Status undo_key_existed(Engine::Impl& e, const UndoRec& r, store::WriteTxn&) {
  auto k = e.reg.open_key(r.key, registry::Disposition::open_always);
  if (!k) return k.error();
  if (e.dry_diffs) e.dry_diffs->push_back({Diff::add_key, k->path(), "", {}});
  return {};
}

Status undo_file_created(Engine::Impl&, const UndoRec& r, store::WriteTxn& txn) { return txn.remove_file(r.key); }
Status undo_file_replaced(Engine::Impl&, const UndoRec& r, store::WriteTxn& txn) { return txn.write_file(r.key, r.data); }
Status undo_dir_created(Engine::Impl&, const UndoRec& r, store::WriteTxn& txn) {
  return txn.remove_empty_directory(r.key);  // only when empty
}

// The values of the key back in their recorded order (names '\n'-separated), the others after them.
Status undo_value_order(Engine::Impl& e, const UndoRec& r, store::WriteTxn&) {
  auto k = e.reg.open_key(r.key);
  if (!k) return {};
  auto vals = k->enum_values();
  if (!vals) return vals.error();
  std::vector<std::string> want;
  std::string names(r.data.begin(), r.data.end());
  for (std::size_t at = 0, nl; (nl = names.find('\n', at)) != std::string::npos; at = nl + 1) {
    want.push_back(names.substr(at, nl - at));
  }
  auto folded_eq = [](const std::string& a, const std::string& b) { return registry::fold_name(a) == registry::fold_name(b); };
  std::vector<const registry::NamedValue*> order;
  for (const auto& w : want) {
    for (const auto& v : *vals) {
      if (folded_eq(v.name, w)) order.push_back(&v);
    }
  }
  for (const auto& v : *vals) {
    if (std::none_of(want.begin(), want.end(), [&](const std::string& w) { return folded_eq(v.name, w); })) order.push_back(&v);
  }
  std::size_t first = 0;
  while (first < order.size() && order[first] == &(*vals)[first]) ++first;
  for (std::size_t i = first; i < order.size(); ++i) {
    if (auto s = k->delete_value(order[i]->name); !s) return s;
    if (auto s = k->set_value(order[i]->name, order[i]->value); !s) return s;
  }
  return {};
}

UndoHandler undo_handler(int op) {
  switch (op) {
    case detail::kUndoKeyCreated: return undo_key_created;
    case detail::kUndoValue: return undo_value;
    case detail::kUndoKeyExisted: return undo_key_existed;
    case detail::kUndoFileCreated: return undo_file_created;
    case detail::kUndoFileReplaced: return undo_file_replaced;
    case detail::kUndoDirCreated: return undo_dir_created;
    case detail::kUndoValueOrder: return undo_value_order;
    default: return nullptr;
  }
}

}  // namespace

Status Engine::Impl::undo_owner(const std::string& owner, store::WriteTxn& txn) {
  std::vector<UndoRec> recs;
  {
    auto& s = q("SELECT op, key, name, flag, type, data FROM devinst_undo WHERE owner = ? ORDER BY id DESC");
    s.bind(1, owner);
    while (s.row()) {
      recs.push_back({static_cast<int>(s.integer(0)), static_cast<int>(s.integer(3)), s.text(1), s.text(2),
                      static_cast<std::uint32_t>(s.integer(4)), s.blob(5)});
    }
  }
  for (const auto& r : recs) {
    UndoHandler h = undo_handler(r.op);
    if (!h) return Error(Errc::corrupt, "unknown undo record kind " + std::to_string(r.op));
    if (auto s = h(*this, r, txn); !s) return s;
  }
  auto& del = q("DELETE FROM devinst_undo WHERE owner = ?");
  del.bind(1, owner);
  return del.run();
}

Status Engine::Impl::uninstall_locked(const DeviceRow& dev, store::WriteTxn& txn, std::string* removed_folder,
                                      std::string* removed_ddinstall, std::string* removed_published) {
  if (!dev.install_id) return {};
  auto row = install_row(*dev.install_id);
  if (!row) return row.error();
  if (removed_folder) *removed_folder = row->driver.folder;
  if (removed_ddinstall) *removed_ddinstall = row->driver.ddinstall;
  if (removed_published) *removed_published = row->driver.published_name;
  // The software-component devices this driver created go first, with their own drivers.
  if (auto r = remove_components_locked(row->id, txn); !r) return r;
  // Its own changes first (they lie inside shared keys such as the class key), then the shared
  // scopes (a service, a class) it was the last user of.
  if (auto r = uninstall_install_locked(row->id, txn); !r) return r;
  if (!row->software_key.empty()) {
    auto cut = row->software_key.rfind('\\');
    auto it = class_indexes.find(fold_path(row->software_key.substr(0, cut)));
    if (it != class_indexes.end()) {
      const int freed = std::atoi(row->software_key.c_str() + cut + 1);
      it->second.used.erase(freed);
      it->second.lowest_free = std::min(it->second.lowest_free, freed);
    }
  }
  auto& dn = q("UPDATE device_nodes SET package_id = NULL, install_id = NULL WHERE instance_id = ?");
  dn.bind(1, dev.instance_id);
  return dn.run();
}

}  // namespace isodrv::devinst
