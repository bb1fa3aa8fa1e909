// Software components (install-semantics.md §12): AddComponent creates a software-enumerated child
// device of the device being installed; the child is ranked and installed like any other device,
// and goes when the driver that created it goes.
#include <cstdio>

#include "base/text.h"
#include "devinst/components.h"
#include "isodrv/registry_layout.h"

namespace isodrv::devinst {
using base::trim;
using detail::Diff;

namespace {

// The enumerator Windows reports component devices under (pnputil shows SWD\DRIVERENUM\…).
constexpr const char* kComponentEnumerator = "SWD\\DRIVERENUM\\";
// A component ID becomes the hardware ID SWC\<id> (inf-addcomponent-directive).
constexpr const char* kComponentHwidPrefix = "SWC\\";
// A device whose driver failed to install: CM_PROB_FAILED_INSTALL, and CONFIGFLAG_FAILEDINSTALL in
// its ConfigFlags (which Windows keeps across restarts).
constexpr std::uint32_t kProblemFailedInstall = 28;
constexpr std::uint32_t kConfigFlagFailedInstall = 0x40;

std::string where(const DirectiveSite& s) {
  return s.pkg.doc->path() + ":" + std::to_string(s.line.line()) + ": ";
}

Error at(const DirectiveSite& s, Errc code, const std::string& message) {
  return Error(code, message, s.pkg.doc->path(), s.line.line());
}

// How many component levels lie above `instance_id` (0 for a device a bus reported).
int component_depth(Engine::Impl& e, std::string id) {
  int depth = 0;
  for (int guard = 0; guard < 64; ++guard) {
    auto& q = e.q("SELECT parent FROM devinst_components WHERE instance_id = ?");
    q.bind(1, id);
    if (!q.row()) break;
    id = q.text(0);
    ++depth;
  }
  return depth;
}

// FNV-1a of the case-folded parent ID: a stable stand-in for Windows' parent-ID prefix [ND].
std::string parent_hash(const std::string& parent) {
  std::uint32_t h = 2166136261u;
  for (char c : inf::to_lower_ascii(parent)) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", h);
  return buf;
}

bool device_exists(Engine::Impl& e, const std::string& id) {
  auto& q = e.q("SELECT 1 FROM device_nodes WHERE instance_id = ?");
  q.bind(1, id);
  if (q.row()) return true;
  return e.reg.open_key(enum_key_path(id)).ok();
}

// SWD\DRIVERENUM\<name>&<depth>&<hash>&<n>, n the first index not taken.
Result<std::string> child_instance_id(const DirectiveSite& s, const std::string& name) {
  const std::string stem = std::string(kComponentEnumerator) + name + "&" +
                           std::to_string(component_depth(s.engine, s.instance_id) + 1) + "&" +
                           parent_hash(s.instance_id) + "&";
  for (int n = 0; n < 10000; ++n) {
    std::string id = stem + std::to_string(n);
    if (auto c = registry_layout::check_instance_id(id); !c) {
      return at(s, Errc::invalid_argument, "component " + name + " makes no valid device instance ID: " + c.error().message);
    }
    if (!device_exists(s.engine, id)) return id;
  }
  return at(s, Errc::unsupported, "no free instance ID for component " + name);
}

struct ComponentSection {
  std::vector<std::string> hardware_ids;
  std::string description;
  std::vector<ComponentEntry> ignored;  // every other entry, as written
};

// ComponentIDs (required) and Description, the only entries the docs define; the PnP manager
// ignores anything else, and so does isodrv, but it keeps them with the child (device show lists
// them) and notes them, so an INF writer sees what Windows will not do.
std::string recorded_source_at(const DirectiveSite& s, std::uint32_t line) {
  return s.pkg.windows_folder + "\\" + s.pkg.sp.original_name + ":" + std::to_string(line);
}

Result<ComponentSection> read_component_section(const DirectiveSite& s, const std::string& section) {
  auto sec = s.pkg.doc->section(section);
  if (!sec) return at(s, Errc::not_found, "AddComponent names section [" + section + "], which does not exist");
  ComponentSection out;
  for (inf::Line l : *sec) {
    if (l.key_is("ComponentIDs")) {
      for (std::size_t i = 0; i < l.field_count(); ++i) {
        std::string id = trim(l.field(i));
        if (!id.empty()) out.hardware_ids.push_back(kComponentHwidPrefix + id);
      }
    } else if (l.key_is("Description")) {
      out.description = trim(l.field(0));
    } else {
      ComponentEntry extra;
      std::string fields;
      for (std::size_t i = 0; i < l.field_count(); ++i) fields += (i ? ", " : "") + trim(l.field(i));
      if (l.has_key()) extra.text = std::string(*l.raw_key()) + " = " + fields;
      else extra.text = fields.empty() && l.raw_key() ? std::string(*l.raw_key()) : fields;
      if (extra.text.empty()) continue;
      extra.source = recorded_source_at(s, l.line());
      s.notes.push_back(s.pkg.doc->path() + ":" + std::to_string(l.line()) + ": '" + extra.text +
                        "' in component-install-section [" + section + "] is not a component entry; ignored, as Windows does");
      out.ignored.push_back(std::move(extra));
    }
  }
  if (out.hardware_ids.empty()) {
    return at(s, Errc::invalid_argument, "component-install-section [" + section + "] has no ComponentIDs");
  }
  return out;
}

}  // namespace

// "C:\Windows\…\FileRepository\<folder>\x.inf:12": where a record came from, as Windows names the
// INF (the same on every machine, unlike the host path).
std::string recorded_source(const DirectiveSite& s) { return recorded_source_at(s, s.line.line()); }

namespace {

bool already_added(Engine::Impl& e, const std::string& parent, const std::string& name) {
  auto& q = e.q("SELECT 1 FROM devinst_components WHERE parent = ? AND name = ? COLLATE NOCASE LIMIT 1");
  q.bind(1, parent).bind(2, name);
  return q.row();
}

}  // namespace

Status apply_add_component(const DirectiveSite& s) {
  const std::string name = trim(s.line.field(0));
  const std::string flags_text = trim(s.line.field(1));
  const std::string section = trim(s.line.field(2));
  if (name.empty() || section.empty()) {
    return at(s, Errc::invalid_argument, "AddComponent needs a component name and a component-install-section");
  }
  auto flags = flags_text.empty() ? std::optional<std::uint32_t>(0) : inf::parse_u32(flags_text);
  if (!flags) return at(s, Errc::invalid_argument, "invalid AddComponent flags '" + flags_text + "'");
  if (name.find_first_of("\\/") != std::string::npos) {
    return at(s, Errc::invalid_argument, "component name '" + name + "' cannot be part of a device instance ID");
  }
  auto content = read_component_section(s, section);
  if (!content) return content.error();
  if (s.instance_id.empty()) {
    s.notes.push_back(where(s) + "AddComponent " + name + ": no device to be the parent; not applied");
    return {};
  }
  // Component names are unique per INF; a second directive for the same name (an extension
  // repeating its base's) adds nothing [ND].
  if (already_added(s.engine, s.instance_id, name)) {
    s.notes.push_back(where(s) + "AddComponent " + name + ": the device already has this component; not added again");
    return {};
  }
  auto id = child_instance_id(s, name);
  if (!id) return id.error();
  DeviceSpec spec{*id, content->hardware_ids, {}};
  if (auto st = s.engine.add_device_node(spec); !st) return at(s, st.error().code, st.error().message);
  if (!content->description.empty()) {
    // A software device carries its description before any driver sets DeviceDesc [ND].
    auto k = s.engine.reg.open_key(enum_key_path(*id));
    if (!k) return k.error();
    if (auto st = k->set_string("DeviceDesc", content->description); !st) return st;
  }
  auto& ins = s.engine.q(
      "INSERT INTO devinst_components(instance_id, parent, install_id, name, flags, section, source) "
      "VALUES(?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, *id).bind(2, s.instance_id).bind(3, s.install_id).bind(4, name);
  ins.bind(5, static_cast<std::int64_t>(*flags)).bind(6, section).bind(7, recorded_source(s));
  if (auto st = ins.run(); !st) return st;
  for (const ComponentEntry& extra : content->ignored) {
    auto& x = s.engine.q("INSERT INTO devinst_component_entries(instance_id, entry, source) VALUES(?, ?, ?)");
    x.bind(1, *id).bind(2, extra.text).bind(3, extra.source);
    if (auto st = x.run(); !st) return st;
  }
  if (s.ending == Engine::Impl::Ending::dry_run) {
    auto k = s.engine.reg.open_key(enum_key_path(*id));
    if (k) {
      s.diffs.push_back({Diff::add_key, k->path(), "", {}});
      if (auto vals = k->enum_values()) {
        for (const auto& v : *vals) s.diffs.push_back({Diff::set_value, k->path(), v.name, v.value});
      }
    }
  }
  s.notes.push_back(where(s) + "AddComponent " + name + ": created software component device " + *id);
  s.engine.pending_components.push_back(*id);
  return {};
}

void read_component_links(Engine::Impl& e, DeviceInfo& info) {
  {
    auto& q = e.q("SELECT parent, name, flags, section, source FROM devinst_components WHERE instance_id = ?");
    q.bind(1, info.instance_id);
    if (q.row()) {
      info.parent = q.text(0);
      info.component = ComponentOrigin{q.text(1), static_cast<std::uint32_t>(q.integer(2)), q.text(3), q.text(4), {}};
    }
  }
  if (info.component) {
    auto& x = e.q("SELECT entry, source FROM devinst_component_entries WHERE instance_id = ? ORDER BY rowid");
    x.bind(1, info.instance_id);
    while (x.row()) info.component->ignored.push_back(ComponentEntry{x.text(0), x.text(1)});
  }
  {
    auto& q = e.q("SELECT instance_id FROM devinst_components WHERE parent = ? ORDER BY instance_id");
    q.bind(1, info.instance_id);
    while (q.row()) info.children.push_back(q.text(0));
  }
  auto& p = e.q("SELECT code, message FROM devinst_problems WHERE instance_id = ?");
  p.bind(1, info.instance_id);
  if (p.row()) {
    info.problem = static_cast<std::uint32_t>(p.integer(0));
    info.problem_message = p.text(1);
  }
}

namespace {

// A component device whose driver could not be installed: what that install did is rolled back
// (its SQL to the savepoint, its files through the funnel), and the child keeps a problem, as
// Windows leaves it (the parent's install stands).
Status leave_with_problem(Engine::Impl& e, const std::string& id, const Error& err, std::size_t files_mark,
                          store::WriteTxn& txn) {
  e.reset_statements();
  if (auto s = e.exec("ROLLBACK TO isodrv_component; RELEASE isodrv_component"); !s) return s;
  txn.revert_to(files_mark);
  e.forget_caches();
  e.pending_components.clear();  // grandchildren its install had queued are rolled back too
  e.pending_diffs.clear();
  auto k = e.reg.open_key(enum_key_path(id));
  if (!k) return k.error();
  auto current = k->get_dword("ConfigFlags");
  const std::uint32_t flags = current ? *current : 0;
  if (auto s = k->set_dword("ConfigFlags", flags | kConfigFlagFailedInstall); !s) return s;
  auto& ins = e.q("INSERT OR REPLACE INTO devinst_problems(instance_id, code, message) VALUES(?, ?, ?)");
  ins.bind(1, id).bind(2, static_cast<std::int64_t>(kProblemFailedInstall)).bind(3, err.to_string());
  return ins.run();
}

}  // namespace

// ---- the children's drivers ---------------------------------------------------------------------

Status Engine::Impl::install_components_locked(InstallReport& parent, Ending ending, store::WriteTxn& txn) {
  std::vector<detail::Loaded*> candidates;
  for (auto& [id, p] : packages) {
    if (id != leaving_package) candidates.push_back(p.get());
  }
  // This install's children only: a child's own install drains what it adds itself.
  std::vector<std::string> mine;
  mine.swap(pending_components);
  for (const std::string& id : mine) {
    auto row = device_row(id);
    if (!row) return row.error();
    auto choice = best_for(DeviceIds{row->hardware_ids, row->compatible_ids}, candidates);
    if (!choice) {
      // As on Windows, the component device exists without a driver until a matching component
      // INF is staged (driver add --install then installs it).
      parent.notes.push_back("no staged driver matches software component device " + id + "; it has no driver");
      InstallReport none;
      none.instance_id = id;
      parent.components.push_back(std::move(none));
      continue;
    }
    if (auto s = exec("SAVEPOINT isodrv_component"); !s) return s;
    const std::size_t files_mark = txn.mark();
    auto r = move_to(*row, *choice->pkg, choice->match, ending, txn);
    if (!r) {
      if (auto s = leave_with_problem(*this, id, r.error(), files_mark, txn); !s) return s;
      parent.notes.push_back("software component device " + id + ": its driver " + choice->pkg->sp.published_name +
                             " could not be installed (" + r.error().to_string() + "); the device has problem 28 "
                             "(CM_PROB_FAILED_INSTALL)");
      InstallReport failed;
      failed.instance_id = id;
      failed.driver.published_name = choice->pkg->sp.published_name;
      failed.driver.folder = choice->pkg->sp.folder;
      failed.driver.ddinstall = choice->match.ddinstall;
      failed.failure = r.error().to_string();
      parent.components.push_back(std::move(failed));
      continue;
    }
    if (auto s = exec("RELEASE isodrv_component"); !s) return s;
    for (auto& n : r->notes) parent.notes.push_back(std::move(n));
    r->notes.clear();
    if (ending == Ending::dry_run) {
      // One diff: the child's changes follow the parent's (without a second header line).
      const auto body = r->diff.find("\r\n");
      if (body != std::string::npos) parent.diff += r->diff.substr(body + 2);
      r->diff.clear();
    }
    parent.components.push_back(std::move(*r));
  }
  return {};
}

Status Engine::Impl::remove_components_locked(std::int64_t install_id, store::WriteTxn& txn) {
  std::vector<std::string> children;
  {
    auto& s = q("SELECT instance_id FROM devinst_components WHERE install_id = ? ORDER BY instance_id");
    s.bind(1, install_id);
    while (s.row()) children.push_back(s.text(0));
  }
  for (const auto& child : children) {
    auto row = device_row(child);
    if (!row) continue;  // removed by hand meanwhile
    if (row->install_id) {
      if (auto s = uninstall_locked(*row, txn); !s) return s;
    }
    if (dry_diffs) dry_diffs->push_back({Diff::delete_key, enum_key_path(child), "", {}});
    if (auto s = delete_device_node(child); !s) return s;
  }
  return {};
}

}  // namespace isodrv::devinst
