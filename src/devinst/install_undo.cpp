// The installer's recorded changes: every registry write goes through here with the undo record
// that takes it back (devinst_undo), and keys shared by several installs are counted per scope.
#include "devinst/installer.h"

namespace isodrv::devinst::detail {
namespace {

// `folded` is `folded_prefix` or a key below it.
bool has_prefix_path(const std::string& folded, const std::string& folded_prefix) {
  return folded == folded_prefix ||
         (folded.size() > folded_prefix.size() && folded.compare(0, folded_prefix.size(), folded_prefix) == 0 &&
          folded[folded_prefix.size()] == '\\');
}

}  // namespace

Status Installer::record(int op, const std::string& key, std::string_view name, int flag, std::uint32_t type,
                         const std::vector<std::uint8_t>& data) {
  if (!recording_) return {};
  return record_as(owner_, op, key, name, flag, type, data);
}

Status Installer::record_as(const std::string& owner, int op, const std::string& key, std::string_view name, int flag,
                            std::uint32_t type, const std::vector<std::uint8_t>& data) {
  auto& s = e_.q("INSERT INTO devinst_undo(owner, op, key, name, flag, type, data) VALUES(?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, owner).bind(2, static_cast<std::int64_t>(op)).bind(3, key).bind(4, name);
  s.bind(5, static_cast<std::int64_t>(flag)).bind(6, static_cast<std::int64_t>(type)).bind_blob(7, data);
  return s.run();
}

Result<registry::KeyHandle> Installer::ensure(const std::string& path, KeyUse use) {
  const std::string f = fold(path);
  if (auto it = cache_.find(f); it != cache_.end()) return it->second;
  auto k = e_.reg.open_key(path);
  if (k) {
    // A shared container some install created (a class key, an interface-class key): this
    // install is one more user of it.
    if (use == KeyUse::shared) {
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
  auto c = parent->open_subkey(path.substr(cut + 1), registry::Disposition::open_always);
  if (!c) return c.error();
  const bool container = use == KeyUse::shared && !created_here(*parent);
  created_.insert(fold(c->path()));
  if (container) {
    // Created outside anything this install owns: other installs may put their keys below it,
    // so it goes when its last user goes (and only if it is empty then).
    const std::string scope = "key:" + fold(c->path());
    if (recording_) {
      if (auto s = record_as(scope, detail::kUndoKeyCreated, c->path(), "", 0, 0, {}); !s) return s.error();
    }
    if (auto s = use_scope(scope); !s) return s.error();
  } else if (auto s = record(detail::kUndoKeyCreated, c->path(), "", use == KeyUse::install_only ? 1 : 0, 0, {}); !s) {
    return s.error();
  }
  if (dry_run()) diffs.push_back({Diff::add_key, c->path(), "", {}});
  cache_.emplace(f, *c);
  return c;
}

Status Installer::use_scope(const std::string& scope) {
  auto& u = e_.q("INSERT OR IGNORE INTO devinst_scope_users(install_id, scope) VALUES(?, ?)");
  u.bind(1, install_id_).bind(2, scope);
  return u.run();
}

Status Installer::set(const registry::KeyHandle& k, std::string_view name, const registry::Value& v) {
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
  if (dry_run()) diffs.push_back({Diff::set_value, k.path(), std::string(name), v});
  return {};
}

Status Installer::set_sz(const registry::KeyHandle& k, std::string_view name, std::string_view s, std::uint32_t type) {
  auto b = registry::encode_sz(s);
  if (!b) return b.error();
  return set(k, name, registry::Value{type, std::move(*b)});
}

Status Installer::set_dword(const registry::KeyHandle& k, std::string_view name, std::uint32_t v) {
  return set(k, name, registry::Value{registry::kRegDword, registry::encode_dword(v)});
}

Status Installer::set_multi(const registry::KeyHandle& k, std::string_view name, const std::vector<std::string>& v) {
  auto b = registry::encode_multi_sz(v);
  if (!b) return b.error();
  return set(k, name, registry::Value{registry::kRegMultiSz, std::move(*b)});
}

Status Installer::delete_value(const registry::KeyHandle& k, std::string_view name) {
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
  if (dry_run()) diffs.push_back({Diff::delete_value, k.path(), std::string(name), {}});
  return {};
}

Status Installer::snapshot(const registry::KeyHandle& k) {
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

Status Installer::delete_tree(const std::string& path) {
  auto k = e_.reg.open_key(path);
  if (!k) return k.error().code == Errc::not_found ? Status() : Status(k.error());
  if (recording_ && !created_here(*k)) {
    if (auto s = snapshot(*k); !s) return s;
  }
  const std::string f = fold(k->path());
  if (auto s = k->delete_tree(); !s) return s;
  for (auto it = cache_.begin(); it != cache_.end();) it = has_prefix_path(it->first, f) ? cache_.erase(it) : std::next(it);
  for (auto it = created_.begin(); it != created_.end();) it = has_prefix_path(*it, f) ? created_.erase(it) : std::next(it);
  if (dry_run()) diffs.push_back({Diff::delete_key, k->path(), "", {}});
  return {};
}

}  // namespace isodrv::devinst::detail
