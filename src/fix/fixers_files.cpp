// File fixes: a file list's destination moves from DIRID 10/11/12 to the driver store (1322, 1341)
// with the folder it has in the package (1100), and every ServiceBinary, UmdfServiceBinary and AddReg
// path that names a moved file follows (2084, 2085). If one reference cannot be rewritten, nothing
// moves: a file whose references still point at the old place would break the driver.
#include <algorithm>
#include <filesystem>
#include <map>

#include "fix/fixers.h"

namespace isodrv::fix::detail {


const char* file_api(std::string_view name) {
  const bool sys = name.size() > 4 && inf::iequals(name.substr(name.size() - 4), ".sys");
  return sys ? kFileApi
             : "software that loaded it by name from the system folder finds the package's store folder instead: "
               "CM_Get_DevNode_Property(DEVPKEY_Device_DriverInfPath) then SetupGetInfDriverStoreLocation (a component "
               "loaded from the store: GetModuleFileName of itself); a driver: IoGetDriverDirectory(DriverDirectoryImage)";
}

static bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && inf::iequals(s.substr(0, prefix.size()), prefix);
}

// The package folder a payload file sits in, '\'-separated ("" for the package root).
std::string package_folder(const package::PayloadFile& p) {
  std::string rel = p.relative_path;
  const std::size_t slash = rel.rfind('/');
  rel = slash == std::string::npos ? "" : rel.substr(0, slash);
  std::replace(rel.begin(), rel.end(), '/', '\\');
  return rel;
}

std::string join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "\\" + std::string(b);
}

// A Windows path as text for comparison: \SystemRoot\, %SystemRoot%\ and a relative System32\…
// (how SCM reads a ServiceBinary) spelled as C:\Windows\…, without quotes or arguments.
std::string normalized_path(std::string s) {
  if (!s.empty() && s[0] == '"') {
    const std::size_t q = s.find('"', 1);
    s = s.substr(1, q == std::string::npos ? std::string::npos : q - 1);
  } else if (const std::size_t sp = s.find(' '); sp != std::string::npos) {
    s = s.substr(0, sp);
  }
  for (std::string_view p : {"\\SystemRoot\\", "%SystemRoot%\\", "%windir%\\"}) {
    if (starts_with_ci(s, p)) return "C:\\Windows\\" + s.substr(p.size());
  }
  if (starts_with_ci(s, "System32\\")) return "C:\\Windows\\" + s;
  return s;
}


// A build-time placeholder written where a DIRID goes (virtio-win's INX_PLATFORM_DRIVERS_DIR, which
// its build replaces per platform): an identifier that is neither a number nor a %strkey%.
bool is_placeholder(std::string_view t) {
  if (t.empty() || !std::isalpha(static_cast<unsigned char>(t[0]))) return false;
  return std::all_of(t.begin(), t.end(), [](char ch) { return std::isupper(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_'; });
}

// The raw text of a path field that names `m`, rewritten to its new place; nullopt when the field
// does not name it, "" when it does in a way that cannot be rewritten.
std::optional<std::string> rewritten(const FixContext& c, std::string_view raw, const Moved& m) {
  const std::string sub = c.doc.substitute(raw);
  if (!inf::iequals(normalized_path(sub), m.old_path)) return std::nullopt;
  // Keep what follows the file name as written (arguments); the name itself is written as the new
  // path, since a %token% spelling it may also stand for other things.
  const std::size_t name_at = inf::to_lower_ascii(std::string(raw)).rfind(inf::to_lower_ascii(m.copy->dest_name));
  if (name_at != std::string::npos) return m.new_raw + std::string(raw.substr(name_at + m.copy->dest_name.size()));
  if (sub.find(' ') != std::string::npos) return std::string();
  return m.new_raw;
}

namespace {

// Field edits collected per line, applied to the line's current text one after another.
struct LineEdits {
  std::map<std::uint32_t, std::string> text;
  bool set(const FixContext& c, std::uint32_t line, std::size_t field, const std::string& value) {
    auto it = text.find(line);
    const std::string cur = it == text.end() ? std::string(c.src.text(line)) : it->second;
    LineFields f = split_fields(cur);
    if (field >= f.fields.size()) return false;
    std::string out = cur;
    const auto& sp = f.fields[field];
    out.replace(sp.begin, sp.end - sp.begin, keep_quotes(std::string_view(cur).substr(sp.begin, sp.end - sp.begin), value));
    text[line] = out;
    return true;
  }
};

// Rewrites every reference to the moved files; false (with the reason) when one cannot be.
// Migrations are recorded for the references to `self` (the finding's own file; all when null).
bool rewrite_references(const FixContext& c, const std::vector<Moved>& moved, LineEdits& edits, diag::Fix& fix,
                        const package::FileCopy* self, std::string& reason) {
  auto visit = [&](const inf::Line& line, std::size_t field, std::string_view raw, const char* what) {
    for (const auto& m : moved) {
      // A value naming a DLL or program without a folder is found through the loader's search path
      // (System32), which the moved file leaves. (A bare .sys name is not loaded through such a value:
      // kernel images load from the service's ImagePath.)
      const std::string_view n = m.copy->dest_name;
      const bool sys = n.size() > 4 && inf::iequals(n.substr(n.size() - 4), ".sys");
      if (!sys && inf::iequals(c.doc.substitute(raw), n) && std::string_view(what) == "AddReg value") {
        reason = "the AddReg value on line " + std::to_string(line.line()) + " names " + std::string(m.copy->dest_name) +
                 " without a folder, so whatever reads it looks in the system folder; it cannot follow the file to the store";
        return false;
      }
      auto r = rewritten(c, raw, m);
      if (!r) continue;
      if (r->empty() || !edits.set(c, line.line(), field, *r)) {
        reason = std::string(what) + " on line " + std::to_string(line.line()) + " names " + std::string(m.copy->dest_name) +
                 " in a way isodrv cannot rewrite";
        return false;
      }
      if (!self || inf::iequals(m.copy->dest_name, self->dest_name)) {
        fix.migrations.push_back({"driver-file", kFileApi, c.doc.substitute(raw), *r, line.line(),
                                  std::string(c.src.text(line.line()))});
      }
    }
    return true;
  };
  for (const auto& s : c.pkg.services) {
    auto it = s.values.find("servicebinary");
    if (it != s.values.end() && !visit(it->second, 0, it->second.raw_field(0), "ServiceBinary")) return false;
  }
  for (const auto& w : c.pkg.wdf_services) {
    if (w.umdf && !w.service_binary_raw.empty() &&
        !visit(w.service_binary_line, 0, w.service_binary_line.raw_field(0), "UmdfServiceBinary")) {
      return false;
    }
  }
  for (const auto& r : c.pkg.regs) {
    if (r.kind != package::RegOpKind::add) continue;
    for (std::size_t i = 0; i < r.raw_data.size(); ++i) {
      if (!visit(r.line, 4 + i, r.raw_data[i], "AddReg value")) return false;
    }
  }
  return true;
}

// Whether a file sits in a different package folder for some architecture that installs from the
// INF and for which it decorates [SourceDisksNames] / [SourceDisksFiles]: then no one DestinationDirs
// entry (nor one path naming the file) fits every architecture.
bool folder_differs_per_arch(FixContext& c, const package::FileCopy& cp, const std::string& folder) {
  for (inf::Arch a : {inf::Arch::x86, inf::Arch::amd64, inf::Arch::arm, inf::Arch::arm64, inf::Arch::ia64}) {
    const std::string suffix = "." + std::string(inf::arch_name(a));
    if (!c.doc.has_section("SourceDisksNames" + suffix) && !c.doc.has_section("SourceDisksFiles" + suffix)) continue;
    if (c.model_for(a).models.empty()) continue;  // the architecture installs nothing from the INF
    for (const auto& p : package::payload_files(c.doc, a)) {
      if (inf::iequals(p.name, cp.source_name) && !inf::iequals(package_folder(p), folder)) return true;
    }
  }
  return false;
}

constexpr const char* kPerArchReason =
    "the files sit in a different package folder for each architecture ([SourceDisksNames.<arch>]); one DestinationDirs "
    "entry cannot match them all: give each architecture its own copy list";

// Moves the file list whose DestinationDirs entry is on `dest_line` into the driver store.
void move_list(FixContext& c, diag::Diagnostic& d, const package::FileCopy& anchor, const package::FileCopy* self) {
  const std::uint32_t dest_line = anchor.destination_line.line();
  std::vector<Moved> moved;
  std::optional<std::string> folder;
  const ListFolder own = list_folder(c, anchor.list_section);
  if (own.used && own.per_arch && !own.mixed) return split_per_arch(c, d, anchor, self);
  for (const auto& cp : c.pkg.copies) {
    if (!cp.has_destination || cp.destination_line.line() != dest_line) continue;
    // The folder of the architectures that copy the list (an x86-only list read with the amd64
    // model has x86's folder), else the target's.
    const ListFolder lf = list_folder(c, cp.list_section);
    const bool by_arch = lf.used && !lf.mixed;
    if (by_arch && lf.per_arch) return no_fix(d, kPerArchReason);
    if (cp.dirid == 10 && (inf::iequals(cp.dest_subdir, "syswow64") || starts_with_ci(cp.dest_subdir, "syswow64\\"))) {
      return no_fix(d, "10,SysWOW64 is the 32-bit system folder (DIRID 16425), where 32-bit software looks for " + std::string(cp.dest_name) +
                           "; it has no driver-store equivalent");
    }
    if (!cp.source && !by_arch) {
      return no_fix(d, std::string(cp.source_name) + " is not in [SourceDisksFiles]: the package does not carry it (an inbox file?), so it "
                       "cannot run from this package's store folder; take it from the INF that ships it (Include/Needs)");
    }
    const std::string f = by_arch ? lf.folder : package_folder(*cp.source);
    if (folder && !inf::iequals(*folder, f)) {
      return no_fix(d, "the list's files sit in different package folders; give each folder a list of its own");
    }
    folder = f;
    if (folder_differs_per_arch(c, cp, f)) return no_fix(d, kPerArchReason);
    auto base = is_placeholder(cp.dirid_text) ? std::optional<std::string>("%" + std::string(cp.dirid_text) + "%")
                                              : inf::dirid_path(cp.dirid, c.doc.dirids());
    if (!base) return no_fix(d, "DIRID " + std::string(cp.dirid_text) + " cannot be resolved");
    const std::string_view new_name = cp.dirid == kDriverStore ? cp.source_name : cp.dest_name;
    moved.push_back({&cp, join(join(*base, cp.dest_subdir), cp.dest_name), join(join("%13%", f), new_name)});
  }
  if (moved.empty()) return no_fix(d, "no copy uses this DestinationDirs entry");
  const std::string t = c.src.text(dest_line);
  const LineFields lf = split_fields(t);
  if (!lf.key || lf.fields.empty()) return no_fix(d, "the DestinationDirs entry cannot be read");
  const bool quote = folder->find_first_of(" ,;\t") != std::string::npos;
  std::string line_text = std::string(t.substr(0, lf.fields[0].begin)) + "13" +
                          (folder->empty() ? "" : quote ? ",\"" + *folder + "\"" : "," + *folder) +
                          std::string(t.substr(lf.fields.back().end));
  if (line_text == t) {
    return no_fix(d, kPerArchReason);
  }
  LineEdits edits;
  edits.text[dest_line] = line_text;
  std::string reason;
  if (!rewrite_references(c, moved, edits, *d.fix, self, reason)) return no_fix(d, reason);
  for (const auto& [line, text] : edits.text) add_edits(*d.fix, c.src.replace_line(line, text));
  std::size_t at = 0;
  for (const auto& m : moved) {
    if (self && m.copy != self && !inf::iequals(m.copy->dest_name, self->dest_name)) continue;
    d.fix->migrations.insert(d.fix->migrations.begin() + static_cast<long>(at++),
                             {"driver-file", file_api(m.copy->dest_name), m.old_path, m.new_raw, dest_line, std::string(t)});
    if (self) break;
  }
  d.fix->description = "DestinationDirs entry '" + std::string(lf.key ? t.substr(lf.key->begin, lf.key->end - lf.key->begin) : "") +
                       "' moved to 13" + (folder->empty() ? "" : "," + *folder) + "; " + std::to_string(moved.size()) +
                       " file(s) now run from the driver store";
}

const package::FileCopy* copy_at(const package::Package& pkg, std::uint32_t line) {
  for (const auto& cp : pkg.copies) {
    if (cp.line.line() == line) return &cp;
  }
  return nullptr;
}

// A renamed DIRID 13 copy keeps its source name: "new.sys, old.sys" becomes "old.sys", and paths that
// named new.sys in the store name old.sys.
void unrename(FixContext& c, diag::Diagnostic& d, const package::FileCopy& cp) {
  if (cp.list_section.empty()) return no_fix(d, "the copy is not an entry of a file list");
  const std::string t = c.src.text(d.line);
  const LineFields f = split_fields(t);
  if (f.key || f.fields.size() < 2) return no_fix(d, "the copy entry cannot be read");
  const std::string source(t.substr(f.fields[1].begin, f.fields[1].end - f.fields[1].begin));
  std::string line_text = std::string(t.substr(0, f.fields[0].begin)) + source;
  line_text += f.fields.size() > 2 ? "," + std::string(t.substr(f.fields[1].end)) : std::string(t.substr(f.fields[1].end));
  auto base = inf::dirid_path(kDriverStore, c.doc.dirids());
  if (!base) return no_fix(d, "the driver store folder cannot be resolved");
  std::vector<Moved> moved{{&cp, join(join(*base, cp.dest_subdir), cp.dest_name),
                            join(join("%13%", cp.dest_subdir), cp.source_name)}};
  LineEdits edits;
  edits.text[d.line] = line_text;
  std::string reason;
  if (!rewrite_references(c, moved, edits, *d.fix, &cp, reason)) return no_fix(d, reason);
  for (const auto& [line, text] : edits.text) add_edits(*d.fix, c.src.replace_line(line, text));
  d.fix->migrations.insert(d.fix->migrations.begin(),
                           {"driver-file", kFileApi, moved[0].old_path, moved[0].new_raw, d.line, std::string(t)});
  d.fix->description = std::string(cp.dest_name) + " keeps its package name " + std::string(cp.source_name);
}

// %1% (the folder the INF is installed from) in an AddReg path value: an isolated package is always
// installed from its driver-store folder, so a file of the package (or the INF itself) there is
// %13%\… — the same place, named by the DIRID that is not deprecated.
void fix_source_dirid(FixContext& c, diag::Diagnostic& d) {
  const package::RegOp* op = nullptr;
  for (const auto& r : c.pkg.regs) {
    if (r.line.line() == d.line && r.kind == package::RegOpKind::add) op = &r;
  }
  if (!op) return no_fix(d, "only a deprecated DIRID in a DestinationDirs entry or an AddReg path has a fix");
  const std::string inf_name = c.doc.path().empty() ? std::string() : std::filesystem::path(c.doc.path()).filename().string();
  std::string text = c.src.text(d.line);
  bool changed = false;
  for (std::size_t i = 0; i < op->raw_data.size(); ++i) {
    const std::string raw(op->raw_data[i]);  // raw_data holds views into the document
    if (raw.size() < 5 || !starts_with_ci(raw, "%1%\\")) continue;
    std::string rest = raw.substr(4);
    const bool is_inf = inf::iequals(rest, inf_name) ||
                        (rest.size() > 4 && inf_name.size() > 4 && inf::iequals(rest.substr(0, rest.size() - 4), inf_name.substr(0, inf_name.size() - 4)));
    const bool payload = std::any_of(c.pkg.payload.begin(), c.pkg.payload.end(), [&](const package::PayloadFile& p) {
      std::string rel = p.relative_path;
      std::replace(rel.begin(), rel.end(), '/', '\\');
      return inf::iequals(rel, rest);
    });
    if (!is_inf && !payload) return no_fix(d, raw + " names no file of this package; there is nothing in the driver store to name");
    const LineFields f = split_fields(text);
    if (4 + i >= f.fields.size()) return no_fix(d, "the AddReg entry cannot be read");
    const auto& sp = f.fields[4 + i];
    text.replace(sp.begin, sp.end - sp.begin, keep_quotes(std::string_view(text).substr(sp.begin, sp.end - sp.begin), "%13%\\" + rest));
    d.fix->migrations.push_back({"driver-file", kFileApi, raw, "%13%\\" + rest, d.line, c.src.text(d.line)});
    changed = true;
  }
  if (!changed) return no_fix(d, "only %1%\\… paths in AddReg values have a fix");
  add_edits(*d.fix, c.src.replace_line(d.line, text));
  d.fix->description = "%1% (the install source, the driver store folder) written %13%";
}

}  // namespace

void fix_destination(FixContext& c, diag::Diagnostic& d) {
  const package::FileCopy* cp = nullptr;
  if (d.code == 1341) {
    for (const auto& x : c.pkg.copies) {
      if (x.has_destination && x.destination_line.line() == d.line) cp = &x;
    }
    if (!cp) return fix_source_dirid(c, d);
    if (cp->dirid != 10 && cp->dirid != 11 && cp->dirid != 12) {
      return no_fix(d, "DIRID " + std::string(cp->dirid_text) + " has no driver-store equivalent");
    }
    return move_list(c, d, *cp, nullptr);
  } else {
    cp = copy_at(c.pkg, d.line);
  }
  if (!cp || !cp->has_destination) return no_fix(d, "the copy has no DestinationDirs entry to rewrite");
  if (!cp->list_section.empty()) {
    // Windows 10 and later do not run co-installers: a list only a .CoInstallers section copies
    // goes with the co-installer (the fix of 1303 / 1450), it does not move.
    const auto users = references_to(c.doc, "CopyFiles", cp->list_section);
    if (!users.empty() && std::all_of(users.begin(), users.end(), [](const SectionRef& r) { return is_coinstallers_section(r.from.name()); })) {
      return no_fix(d, "only the co-installer section [" + std::string(users[0].from.name()) +
                           "] copies this list, and Windows 10 and later do not run co-installers: remove the co-installer "
                           "(the fix of 1303 / 1450 does)");
    }
  }
  if (cp->dirid != 10 && cp->dirid != 11 && cp->dirid != 12) {
    return no_fix(d, "DIRID " + std::string(cp->dirid_text) + " is a place other software looks for the file; it has no driver-store equivalent");
  }
  move_list(c, d, *cp, cp);
}

void fix_store_layout(FixContext& c, diag::Diagnostic& d) {
  const package::FileCopy* cp = copy_at(c.pkg, d.line);
  if (!cp || !cp->has_destination || cp->dirid != kDriverStore) return no_fix(d, "the copy is not a DIRID 13 copy");
  if (!inf::iequals(cp->dest_name, cp->source_name)) return unrename(c, d, *cp);
  move_list(c, d, *cp, cp);
  if (d.fix->available()) d.fix->description = "DIRID 13 destination given the package folder of its files";
}

void fix_service_binary(FixContext& c, diag::Diagnostic& d) {
  const package::ServiceInstall* svc = nullptr;
  for (const auto& s : c.pkg.services) {
    auto it = s.values.find("servicebinary");
    if (it != s.values.end() && it->second.line() == d.line) svc = &s;
  }
  std::string binary = svc ? std::string(svc->service_binary) : std::string();
  for (const auto& w : c.pkg.wdf_services) {
    if (!svc && w.umdf && !w.service_binary_raw.empty() && w.service_binary_line.line() == d.line) binary = w.service_binary;
  }
  if (binary.empty()) return no_fix(d, "the finding is not on a ServiceBinary line");
  const std::string path = normalized_path(binary);
  const std::string name = path.substr(path.rfind('\\') == std::string::npos ? 0 : path.rfind('\\') + 1);
  const package::FileCopy* cp = nullptr;
  for (const auto& x : c.pkg.copies) {
    if (inf::iequals(x.dest_name, name) && x.has_destination) cp = &x;
  }
  if (!cp) {
    return no_fix(d, "the package does not copy " + name + "; a service running a binary the package does not ship "
                     "belongs to the INF that ships it (Include/Needs)");
  }
  if (cp->dirid == 10 || cp->dirid == 11 || cp->dirid == 12) {
    return;  // the fix of 1322 moves the file and rewrites this line with it
  }
  if (is_placeholder(cp->dirid_text)) {
    // The placeholder stands for the platform's driver folder; an isolated package names the
    // driver store there, and the ServiceBinary written with the same placeholder follows.
    move_list(c, d, *cp, cp);
    if (d.fix->available()) d.fix->description = "placeholder " + std::string(cp->dirid_text) + " replaced by the driver store (13)";
    return;
  }
  if (cp->dirid != kDriverStore) return no_fix(d, name + " is copied to DIRID " + std::string(cp->dirid_text) + ", not to the driver store");
  if (!svc) return;  // a UmdfServiceBinary follows its file when the fix of 1322 moves it
  const std::string new_raw = join("%13%", join(cp->dest_subdir, cp->dest_name));
  auto text = c.src.with_field(d.line, 0, new_raw);
  if (!text) return no_fix(d, "the ServiceBinary line cannot be rewritten");
  d.fix->description = "ServiceBinary points at the copy in the driver store";
  add_edits(*d.fix, c.src.replace_line(d.line, *text));
  d.fix->migrations.push_back({"driver-file", kFileApi, std::string(svc->service_binary), new_raw, d.line, std::string(c.src.text(d.line))});
}

}  // namespace isodrv::fix::detail
