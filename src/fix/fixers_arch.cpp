// Per-architecture split: a file list whose files sit in a different package folder for each
// architecture ([SourceDisksNames.amd64] "\x64", [SourceDisksNames.x86] "\x86") cannot move to the
// driver store with one DestinationDirs entry, since DIRID 13 names the file's folder in the
// package. The list gets one copy per architecture with its own `13,<folder>` entry; a DDInstall
// that several architectures share is split into decorated copies ([X.NTamd64], [X.NTx86] and their
// .Services, .HW … companions, which SetupAPI prefers over [X.NT] / [X]); a service-install section
// whose ServiceBinary names a moved file gets a copy per architecture too. Each architecture then
// installs what it did before, from its own store folder; nothing else changes.
#include <algorithm>

#include "fix/fixers.h"

namespace isodrv::fix::detail {

const package::Package& FixContext::model_for(inf::Arch a) {
  auto it = arch_models.find(a);
  if (it != arch_models.end()) return it->second;
  inf::Target t = pkg.target;
  t.arch = a;
  t.exact = true;
  return arch_models.emplace(a, package::build_package(doc, t)).first->second;
}

namespace {

constexpr inf::Arch kArches[] = {inf::Arch::x86, inf::Arch::amd64, inf::Arch::arm, inf::Arch::arm64, inf::Arch::ia64};

// The DDInstall section of one architecture that copies the list, and the list's folder there.
struct ArchUse {
  inf::Arch arch;
  std::string folder;
  std::string root;  // the DDInstall as written
  std::string base;  // its undecorated name (what Models entries name)
};

// A section being split: the archs that use it, in order; the first keeps the section (renamed
// when it gets a decorated name), the others get copies.
struct SplitSection {
  std::string name;
  std::vector<std::string> new_names;  // per arch, parallel to `archs`
  std::vector<inf::Arch> archs;
};

std::string_view trimmed(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// The first use of each arch (every DDInstall of one arch copies the list from the same folder).
std::vector<ArchUse> unique_archs(const std::vector<ArchUse>& uses) {
  std::vector<ArchUse> out;
  for (const auto& u : uses) {
    if (std::none_of(out.begin(), out.end(), [&](const ArchUse& o) { return o.arch == u.arch; })) out.push_back(u);
  }
  return out;
}

std::string arch_suffix(inf::Arch a) { return "_" + std::string(inf::arch_name(a)); }

// The header line with the section name replaced (a comment after it kept).
std::optional<std::string> renamed_header(const Source& src, std::uint32_t line, std::string_view name) {
  std::string t(src.physical(line));
  const std::size_t open = t.find('['), close = t.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  return t.substr(0, open + 1) + std::string(name) + t.substr(close);
}

// Field index of `name` in a directive line (fields compared case-insensitively); npos when absent.
std::size_t field_naming(const inf::Line& l, std::string_view name) {
  for (std::size_t f = 0; f < l.field_count(); ++f) {
    if (inf::iequals(trimmed(l.raw_field(f)), name)) return f;
  }
  return std::string::npos;
}

// A one-header section with no continued line (its lines are copied one physical line at a time).
bool copyable(const FixContext& c, const inf::Section& s) {
  if (s.header_lines().size() != 1) return false;
  for (std::uint32_t l = s.line() + 1; l <= last_line_of(s); ++l) {
    if (c.src.continues(l)) return false;
  }
  return true;
}

// Everything one split changes: whole-line rewrites of existing lines (by physical line), and the
// copies inserted after a section's last line.
struct Plan {
  std::map<std::uint32_t, std::string> lines;
  std::map<std::uint32_t, std::vector<std::string>> inserts;
  std::vector<diag::Migration> migrations;
  std::set<std::string> created;
};

// The text of `s`'s lines with the per-line replacements for one arch, as a new section `name`.
std::vector<std::string> section_copy(const FixContext& c, const inf::Section& s, std::string_view name,
                                      const std::map<std::uint32_t, std::string>& replace) {
  std::vector<std::string> out{"", "[" + std::string(name) + "]"};
  for (std::uint32_t l = s.line() + 1; l <= last_line_of(s); ++l) {
    auto it = replace.find(l);
    out.push_back(it != replace.end() ? it->second : std::string(c.src.physical(l)));
  }
  return out;
}

// Lines of a section whose field `field` names `from`, rewritten to name `to`.
bool renames_in(const FixContext& c, const inf::Section& s, std::string_view directive, std::string_view from, std::string_view to,
                std::size_t only_field, std::map<std::uint32_t, std::string>& out) {
  for (const auto& l : s.find_all(directive)) {
    const std::size_t f = field_naming(l, from);
    if (f == std::string::npos || (only_field != std::string::npos && f != only_field)) continue;
    auto t = c.src.with_field(l.line(), f, to);
    if (!t || c.src.continues(l.line())) return false;
    out[l.line()] = *t;
  }
  return true;
}

// Which architectures copy the list, from which DDInstall, and from which folder. False (with the
// reason) when the list cannot be split.
bool arch_uses(FixContext& c, std::string_view list, std::vector<ArchUse>& uses, std::string& reason) {
  for (inf::Arch a : kArches) {
    const package::Package& p = c.model_for(a);
    std::vector<ArchUse> mine;  // one per DDInstall of this arch that copies the list
    bool missing = false;
    for (const auto& cp : p.copies) {
      if (!inf::iequals(cp.list_section, list)) continue;
      const auto& s = p.sections[cp.context];
      if (s.role != package::SectionRole::ddinstall || s.root != cp.context) {
        reason = "[" + std::string(list) + "] is copied from [" + std::string(s.name) + "], not from a DDInstall itself; per-architecture copies of it are not built";
        return false;
      }
      if (!cp.source) {
        missing = true;
        continue;
      }
      const std::string f = package_folder(*cp.source);
      if (!mine.empty() && !inf::iequals(mine[0].folder, f)) {
        reason = "for " + std::string(inf::arch_name(a)) + " the list's files sit in several package folders";
        return false;
      }
      if (std::none_of(mine.begin(), mine.end(), [&](const ArchUse& u) { return inf::iequals(u.root, s.name); })) {
        mine.push_back(ArchUse{a, f, std::string(s.name), std::string(s.base)});
      }
    }
    // An architecture the package carries none of the files for cannot stage it: nothing to keep.
    if (!missing) uses.insert(uses.end(), mine.begin(), mine.end());
  }
  if (unique_archs(uses).size() < 2) reason = "no two architectures copy the list";
  return unique_archs(uses).size() >= 2;
}

// The DDInstall sections to split: each root with the archs that use it and the name each arch's
// copy gets (a root one arch uses keeps its name).
bool plan_roots(const FixContext& c, const std::vector<ArchUse>& uses, std::vector<SplitSection>& roots, std::string& reason) {
  for (const auto& u : uses) {
    auto it = std::find_if(roots.begin(), roots.end(), [&](const SplitSection& r) { return inf::iequals(r.name, u.root); });
    if (it == roots.end()) it = roots.insert(roots.end(), SplitSection{u.root, {}, {}});
    it->archs.push_back(u.arch);
    it->new_names.push_back(u.base + ".NT" + std::string(inf::arch_name(u.arch)));
  }
  for (auto& r : roots) {
    if (r.archs.size() == 1) {
      r.new_names[0] = r.name;
      continue;
    }
    for (const auto& n : r.new_names) {
      if (c.doc.has_section(n)) {
        reason = "[" + n + "] exists but is not what " + r.name + "'s architectures install";
        return false;
      }
    }
  }
  return true;
}

const ArchUse* use_of(const std::vector<ArchUse>& uses, inf::Arch a) {
  for (const auto& u : uses) {
    if (u.arch == a) return &u;
  }
  return nullptr;
}

// Adds to the plan: `s` renamed (when `names[0]` differs) with `per_arch[0]`'s line rewrites, and a
// copy named `names[i]` with `per_arch[i]`'s rewrites for each further arch.
bool split_section(const FixContext& c, const inf::Section& s, const std::vector<std::string>& names,
                   const std::vector<std::map<std::uint32_t, std::string>>& per_arch, Plan& plan) {
  if (names.size() > 1 && !copyable(c, s)) return false;
  if (!inf::iequals(names[0], s.name())) {
    auto h = renamed_header(c.src, s.line(), names[0]);
    if (!h) return false;
    plan.lines[s.line()] = *h;
  }
  for (const auto& [line, text] : per_arch[0]) plan.lines[line] = text;
  auto& ins = plan.inserts[last_line_of(s)];
  for (std::size_t i = 1; i < names.size(); ++i) {
    const auto copy = section_copy(c, s, names[i], per_arch[i]);
    ins.insert(ins.end(), copy.begin(), copy.end());
  }
  for (const auto& n : names) {
    if (!inf::iequals(n, s.name())) plan.created.insert(inf::to_lower_ascii(n));
  }
  return true;
}


constexpr const char* kPerArch =
    "the files sit in a different package folder for each architecture ([SourceDisksNames.<arch>]) and isodrv cannot give "
    "each architecture its own copy list: ";

// The list's files as they move: where each was, and its name in the store.
struct ListFile {
  const package::FileCopy* copy;
  std::string old_path, name;
};

bool moved_files(const FixContext& c, std::string_view list, std::vector<ListFile>& files, std::string& reason) {
  std::set<std::uint32_t> seen;
  for (const auto& cp : c.pkg.copies) {
    if (!inf::iequals(cp.list_section, list) || !seen.insert(cp.line.line()).second) continue;
    if (!cp.has_destination) {
      reason = std::string(cp.dest_name) + " has no destination";
      return false;
    }
    const bool wow = cp.dirid == 10 && inf::iequals(cp.dest_subdir.substr(0, 8), "syswow64");
    const bool known = !wow && (cp.dirid == 10 || cp.dirid == 11 || cp.dirid == 12 || cp.dirid == kDriverStore);
    auto base = is_placeholder(cp.dirid_text) ? std::optional<std::string>("%" + std::string(cp.dirid_text) + "%")
                : known                       ? inf::dirid_path(cp.dirid, c.doc.dirids())
                                              : std::nullopt;
    if (!base) {
      reason = "DIRID " + std::string(cp.dirid_text) + " has no driver-store equivalent";
      return false;
    }
    files.push_back({&cp, join(join(*base, cp.dest_subdir), cp.dest_name), std::string(cp.dirid == kDriverStore ? cp.source_name : cp.dest_name)});
  }
  if (files.empty()) reason = "the list copies nothing";
  return !files.empty();
}

bool is_sys(std::string_view n) { return n.size() > 4 && inf::iequals(n.substr(n.size() - 4), ".sys"); }

std::string store_path(const std::string& folder, const std::string& name) { return join(join("%13%", folder), name); }

// A reference to a moved file other than a ServiceBinary (AddReg path values, UMDF binaries): one
// value cannot name two architectures' folders, so the split is not built.
bool other_references(const FixContext& c, const std::vector<ListFile>& files, std::string& reason) {
  for (const auto& f : files) {
    const Moved m{f.copy, f.old_path, "%13%\\" + f.name};
    for (const auto& r : c.pkg.regs) {
      if (r.kind != package::RegOpKind::add) continue;
      for (const auto& raw : r.raw_data) {
        // A bare .sys name is not loaded through such a value (kernel images load from ImagePath).
        const bool bare = inf::iequals(c.doc.substitute(raw), f.copy->dest_name) && !is_sys(f.copy->dest_name);
        if (rewritten(c, raw, m) || bare) {
          reason = "the AddReg value on line " + std::to_string(r.line.line()) + " names " + std::string(f.copy->dest_name);
          return false;
        }
      }
    }
    for (const auto& w : c.pkg.wdf_services) {
      if (w.umdf && !w.service_binary_raw.empty() && rewritten(c, w.service_binary_raw, m)) {
        reason = "the UmdfServiceBinary on line " + std::to_string(w.service_binary_line.line()) + " names " + std::string(f.copy->dest_name);
        return false;
      }
    }
  }
  return true;
}

// The ServiceBinary line of service-install section `s` and the moved file it names; nullopt when
// it names none of them.
std::optional<std::pair<inf::Line, const ListFile*>> binary_of(const FixContext& c, const inf::Section& s, const std::vector<ListFile>& files) {
  auto l = s.find("ServiceBinary");
  if (!l) return std::nullopt;
  for (const auto& f : files) {
    if (rewritten(c, l->raw_field(0), Moved{f.copy, f.old_path, "%13%\\" + f.name})) return std::make_pair(*l, &f);
  }
  return std::nullopt;
}

struct ServiceSplit {
  SplitSection section;
  inf::Line binary;
  const ListFile* file = nullptr;
};

// Records that `arch` adds the service of section `name`, when its ServiceBinary names a moved file.
void add_service_use(const FixContext& c, const std::string& name, inf::Arch arch, const std::vector<ListFile>& files,
                     std::vector<ServiceSplit>& out) {
  auto svc = c.doc.section(name);
  if (!svc) return;
  auto bin = binary_of(c, *svc, files);
  if (!bin) return;
  auto it = std::find_if(out.begin(), out.end(), [&](const ServiceSplit& s) { return inf::iequals(s.section.name, svc->name()); });
  if (it == out.end()) it = out.insert(out.end(), ServiceSplit{{std::string(svc->name()), {}, {}}, bin->first, bin->second});
  if (std::find(it->section.archs.begin(), it->section.archs.end(), arch) != it->section.archs.end()) return;
  it->section.archs.push_back(arch);
  it->section.new_names.push_back(std::string(svc->name()) + arch_suffix(arch));
}

// The service-install sections whose ServiceBinary names a moved file, with the archs whose
// DDInstall's .Services adds them. Every AddService naming one must be in those DDInstalls, and
// every service running a moved file must be one of them.
bool plan_services(const FixContext& c, const std::vector<ArchUse>& uses, const std::vector<ListFile>& files,
                   std::vector<ServiceSplit>& out, std::string& reason) {
  std::set<std::string> companions;
  for (const auto& u : uses) {
    const std::string comp = u.root + ".Services";
    companions.insert(inf::to_lower_ascii(comp));
    auto sec = c.doc.section(comp);
    if (!sec) continue;
    for (const auto& l : sec->find_all("AddService")) add_service_use(c, std::string(trimmed(l.raw_field(2))), u.arch, files, out);
  }
  for (auto& s : out) {
    if (s.section.archs.size() == 1) s.section.new_names[0] = s.section.name;
    for (const auto& r : references_to(c.doc, "AddService", s.section.name)) {
      if (!companions.count(inf::to_lower_ascii(std::string(r.from.name())))) {
        reason = "[" + std::string(r.from.name()) + "] adds the service of [" + s.section.name + "] too";
        return false;
      }
    }
  }
  for (const auto& svc : c.pkg.services) {
    auto sec = c.doc.section(svc.install_section);
    if (!sec || !binary_of(c, *sec, files)) continue;
    if (std::none_of(out.begin(), out.end(), [&](const ServiceSplit& s) { return inf::iequals(s.section.name, svc.install_section); })) {
      reason = "the service of [" + std::string(svc.install_section) + "] runs a moved file from a DDInstall that does not copy the list";
      return false;
    }
  }
  return true;
}

// The DestinationDirs entries: the list's own entry renamed for the first arch (its comment kept)
// and one more per arch after it; with only DefaultDestDir, one entry per arch after the section.
bool plan_destinations(const FixContext& c, std::string_view list, const std::vector<std::string>& names,
                       const std::vector<std::string>& folders, Plan& plan, std::uint32_t& entry_line) {
  auto dd = c.doc.section("DestinationDirs");
  if (!dd) return false;
  auto own = dd->find(list);
  auto deflt = dd->find("DefaultDestDir");
  if (!own && !deflt) return false;
  const std::uint32_t tline = own ? own->line() : deflt->line();
  if (c.src.continues(tline)) return false;
  const std::string t = c.src.text(tline);
  const LineFields lf = split_fields(t);
  if (!lf.key || lf.fields.empty()) return false;
  entry_line = tline;
  auto entry = [&](std::size_t i) {
    const std::string& f = folders[i];
    const std::string value = "13" + (f.empty() ? "" : f.find_first_of(" ,;\t") != std::string::npos ? ",\"" + f + "\"" : "," + f);
    return t.substr(0, lf.key->begin) + names[i] + t.substr(lf.key->end, lf.fields[0].begin - lf.key->end) + value;
  };
  std::vector<std::string> added;
  for (std::size_t i = own ? 1 : 0; i < names.size(); ++i) added.push_back(entry(i));
  if (own) plan.lines[tline] = entry(0) + t.substr(lf.fields.back().end);
  auto& ins = plan.inserts[own ? tline : last_line_of(*dd)];
  ins.insert(ins.end(), added.begin(), added.end());
  return true;
}

bool for_file(const package::FileCopy* self, const ListFile& f) { return !self || inf::iequals(self->dest_name, f.copy->dest_name); }

std::size_t arch_index(const std::vector<inf::Arch>& archs, inf::Arch a) {
  return static_cast<std::size_t>(std::find(archs.begin(), archs.end(), a) - archs.begin());
}

constexpr const char* kSectionApi =
    "nothing in the driver: each architecture installs its own decorated copy of the section (the device's InfSectionExt "
    "names it); code that reads the installed section's name must accept it";

// Each split service-install section: its ServiceBinary per arch in that arch's store folder.
bool plan_service_sections(const FixContext& c, const std::vector<ArchUse>& uses, const std::vector<ServiceSplit>& services,
                           const package::FileCopy* self, Plan& plan) {
  for (const auto& s : services) {
    auto sec = c.doc.section(s.section.name);
    if (!sec || c.src.continues(s.binary.line())) return false;
    std::vector<std::map<std::uint32_t, std::string>> per(s.section.archs.size());
    for (std::size_t i = 0; i < per.size(); ++i) {
      const ArchUse* u = use_of(uses, s.section.archs[i]);
      auto r = rewritten(c, s.binary.raw_field(0), Moved{s.file->copy, s.file->old_path, store_path(u->folder, s.file->name)});
      auto t = r && !r->empty() ? c.src.with_field(s.binary.line(), 0, *r) : std::nullopt;
      if (!t) return false;
      per[i][s.binary.line()] = *t;
      if (for_file(self, *s.file)) {
        plan.migrations.push_back({"driver-file", kFileApi, c.doc.substitute(s.binary.raw_field(0)) + " (" + std::string(inf::arch_name(u->arch)) + ")",
                                   *r, s.binary.line(), std::string(c.src.text(s.binary.line()))});
      }
    }
    if (!split_section(c, *sec, s.section.new_names, per, plan)) return false;
  }
  return true;
}

// Each DDInstall (and its companions) per arch: its CopyFiles names the arch's list, its .Services
// the arch's service-install sections.
bool plan_root_sections(const FixContext& c, const std::string& list, const std::vector<std::string>& list_names,
                        const std::vector<ArchUse>& uses, const std::vector<SplitSection>& roots,
                        const std::vector<ServiceSplit>& services, bool report, Plan& plan) {
  std::vector<inf::Arch> order;
  for (const auto& u : unique_archs(uses)) order.push_back(u.arch);
  for (const auto& r : roots) {
    auto sec = c.doc.section(r.name);
    if (!sec) return false;
    std::vector<std::map<std::uint32_t, std::string>> per(r.archs.size());
    for (std::size_t i = 0; i < r.archs.size(); ++i) {
      if (!renames_in(c, *sec, "CopyFiles", list, list_names[arch_index(order, r.archs[i])], std::string::npos, per[i])) return false;
    }
    if (!split_section(c, *sec, r.new_names, per, plan)) return false;
    for (const auto& sub : package::kSubsections) {
      auto comp = c.doc.section(r.name + std::string(sub.suffix));
      if (!comp) continue;
      std::vector<std::map<std::uint32_t, std::string>> cper(r.archs.size());
      std::vector<std::string> names;
      for (std::size_t i = 0; i < r.archs.size(); ++i) {
        names.push_back(r.new_names[i] + std::string(sub.suffix));
        for (const auto& s : services) {
          const std::size_t j = arch_index(s.section.archs, r.archs[i]);
          if (sub.role != package::SectionRole::services || j >= s.section.archs.size() || s.section.archs.size() == 1) continue;
          if (!renames_in(c, *comp, "AddService", s.section.name, s.section.new_names[j], 2, cper[i])) return false;
        }
      }
      if (!split_section(c, *comp, names, cper, plan)) return false;
    }
    for (std::size_t i = 0; report && r.archs.size() > 1 && i < r.archs.size(); ++i) {
      plan.migrations.push_back({"install-section", kSectionApi, "[" + r.name + "] (" + std::string(inf::arch_name(r.archs[i])) + ")",
                                 "[" + r.new_names[i] + "]", sec->line(), std::string(c.src.physical(sec->line()))});
    }
  }
  return true;
}

bool apply_plan(const FixContext& c, const std::string& list, const inf::Section& lsec, const std::vector<ArchUse>& uses,
                const std::vector<SplitSection>& roots, const std::vector<ListFile>& files,
                const std::vector<ServiceSplit>& services, const package::FileCopy* self, Plan& plan) {
  std::vector<std::string> names, folders;
  const std::vector<ArchUse> archs = unique_archs(uses);
  for (const auto& u : archs) {
    names.push_back(list + arch_suffix(u.arch));
    folders.push_back(u.folder);
    if (c.doc.has_section(names.back())) return false;
  }
  std::uint32_t entry = 0;
  if (!split_section(c, lsec, names, std::vector<std::map<std::uint32_t, std::string>>(names.size()), plan) ||
      !plan_destinations(c, list, names, folders, plan, entry)) {
    return false;
  }
  for (const auto& f : files) {
    for (std::size_t i = 0; i < archs.size() && for_file(self, f); ++i) {
      plan.migrations.push_back({"driver-file", file_api(f.copy->dest_name), f.old_path + " (" + std::string(inf::arch_name(archs[i].arch)) + ")",
                                 store_path(archs[i].folder, f.name), entry, c.src.text(entry)});
    }
  }
  return plan_service_sections(c, uses, services, self, plan) &&
         plan_root_sections(c, list, names, uses, roots, services, for_file(self, files[0]), plan);
}

}  // namespace

ListFolder list_folder(FixContext& c, std::string_view list) {
  ListFolder out;
  if (list.empty()) return out;
  const std::string key = inf::to_lower_ascii(std::string(list));
  if (auto it = c.list_folders.find(key); it != c.list_folders.end()) return it->second;
  for (inf::Arch a : kArches) {
    const package::Package& p = c.model_for(a);
    std::optional<std::string> fa;
    bool missing = false;
    for (const auto& cp : p.copies) {
      if (!inf::iequals(cp.list_section, list) || p.sections[cp.context].role != package::SectionRole::ddinstall) continue;
      if (!cp.source) {
        missing = true;
        continue;
      }
      const std::string f = package_folder(*cp.source);
      if (fa && !inf::iequals(*fa, f)) out.mixed = true;
      fa = f;
    }
    if (!fa || missing) continue;
    if (out.used && !inf::iequals(out.folder, *fa)) out.per_arch = true;
    if (!out.used) out.folder = *fa;
    out.used = true;
  }
  c.list_folders.emplace(key, out);
  return out;
}

void split_per_arch(FixContext& c, diag::Diagnostic& d, const package::FileCopy& anchor, const package::FileCopy* self) {
  const std::string list(anchor.list_section);
  auto lsec = c.doc.section(list);
  if (c.inx) return no_fix(d, std::string(kPerArch) + "an .inx is stamped once per architecture; stamp it per architecture first");
  if (list.empty() || !lsec) return no_fix(d, std::string(kPerArch) + "the copy is not an entry of a file list");
  std::vector<ArchUse> uses;
  std::vector<SplitSection> roots;
  std::vector<ListFile> files;
  std::vector<ServiceSplit> services;
  std::string reason;
  if (!arch_uses(c, list, uses, reason) || !plan_roots(c, uses, roots, reason) || !moved_files(c, list, files, reason) ||
      !other_references(c, files, reason) || !plan_services(c, uses, files, services, reason)) {
    return no_fix(d, std::string(kPerArch) + reason);
  }
  for (const auto& r : references_to(c.doc, "CopyFiles", list)) {
    if (std::none_of(roots.begin(), roots.end(), [&](const SplitSection& s) { return inf::iequals(s.name, r.from.name()); })) {
      return no_fix(d, std::string(kPerArch) + "[" + std::string(r.from.name()) + "] copies the list too");
    }
  }
  Plan plan;
  if (!apply_plan(c, list, *lsec, uses, roots, files, services, self, plan)) {
    return no_fix(d, std::string(kPerArch) + "a section it would split has a continued line or several headers");
  }
  for (const auto& [line, text] : plan.lines) add_edits(*d.fix, c.src.replace_line(line, text));
  for (const auto& [line, lines] : plan.inserts) d.fix->edits.push_back(c.src.insert_after(line, lines));
  d.fix->migrations = std::move(plan.migrations);
  std::string where;
  for (const auto& u : unique_archs(uses)) where += (where.empty() ? "" : ", ") + std::string(inf::arch_name(u.arch)) + " 13" + (u.folder.empty() ? "" : "," + u.folder);
  d.fix->description = "[" + list + "] split per architecture (" + where + "); " + std::to_string(files.size()) +
                       " file(s) now run from each architecture's driver-store folder";
}

}  // namespace isodrv::fix::detail
