// Rule family "files": where copied files come from (SourceDisksNames/SourceDisksFiles per
// architecture) and where they go (DestinationDirs, DIRID 13 isolation rules, ServiceBinary).
#include <algorithm>
#include <array>
#include <optional>
#include <map>
#include <set>

#include "isodrv/dirids.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::FileCopy;
using package::PayloadFile;

constexpr std::size_t kNoField = static_cast<std::size_t>(-1);
constexpr long kDriverStore = inf::kDiridDriverStore;  // the package's FileRepository folder

// The 24H2 and /h columns of the DIRID table (include/isodrv/dirids.h).
bool is_deprecated_dirid(long d) { return inf::dirid_deprecated_24h2(d); }
bool is_h_exception(long d) { return inf::dirid_h_exception(d); }

// Copy flags that make no sense in a fresh, read-only driver store folder (IV 1103): they ask for
// overwrite/replace/in-use handling of a file that cannot already be there, or for compressed
// sources. NOSKIP (0x2) and PROTECTED_WINDOWS_DRIVER_FILE (0x100) stay allowed: CI-validated
// samples use both on DIRID 13 copies.
constexpr std::uint32_t kCopyFlagNoOverwrite = 0x0010;
constexpr std::uint32_t kCopyFlagReplaceOnly = 0x0400;
constexpr std::uint32_t kCopyFlagNoDecomp = 0x0800;
constexpr std::uint32_t kCopyFlagReplaceBootFile = 0x1000;
constexpr std::uint32_t kCopyFlagNoPrune = 0x2000;
constexpr std::uint32_t kCopyFlagInUseRename = 0x4000;
constexpr std::uint32_t kDriverStoreForbiddenFlags = kCopyFlagNoOverwrite | kCopyFlagReplaceOnly | kCopyFlagNoDecomp |
                                                    kCopyFlagReplaceBootFile | kCopyFlagNoPrune |
                                                    kCopyFlagInUseRename;

std::string hex_flags(std::uint32_t v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s.push_back(kHex[(v >> shift) & 15]);
  return s;
}

std::string lower(std::string_view s) { return inf::to_lower_ascii(s); }

// A package-relative folder in one comparable form: lower case, '/'-separated, no empty or "." parts.
std::string folder_key(std::string_view path) {
  if (auto n = package::normalize_relative_path(path)) return lower(*n);
  return lower(path);
}

// A Windows path in one comparable form: lower case, '\' separators, no doubled separators.
std::string path_key(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/') c = '\\';
    if (c == '\\' && !out.empty() && out.back() == '\\') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);  // what to_lower_ascii does
    out.push_back(c);
  }
  return out;
}

void join_into(std::string& a, std::string_view b) {
  if (b.empty()) return;
  if (!a.empty() && a.back() != '\\') a.push_back('\\');
  a.append(b);
}

std::string join_path(std::string a, std::string_view b) {
  join_into(a, b);
  return a;
}

// The folder a DIRID (and optional subdirectory) names, for messages.
std::string destination_text(const inf::Document& doc, long dirid, std::string_view subdir) {
  auto base = inf::dirid_path(dirid, doc.dirids());
  std::string out = base && !base->empty() ? *base : "DIRID " + std::to_string(dirid);
  return join_path(std::move(out), subdir);
}

bool is_section_family(std::string_view name, std::string_view base) {
  // The first byte, folded (| 0x20 leaves no pair of letters that differ only in case unequal),
  // rules out most names of a document-wide scan before the comparison.
  if (!base.empty() && (name.empty() || (name[0] | 0x20) != (base[0] | 0x20))) return false;
  return name.size() >= base.size() && rules::iequals(name.substr(0, base.size()), base) &&
         (name.size() == base.size() || name[base.size()] == '.');
}

// The field of a copy's line that names the file (the @file field for CopyFiles=@x).
std::size_t copy_field(const FileCopy& c) {
  if (c.list_section.empty()) {
    for (std::size_t i = 0; i < c.line.field_count(); ++i) {
      std::string_view f = c.line.raw_field(i);
      while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
      if (!f.empty() && f.front() == '@') return i;
    }
    return 0;
  }
  return c.line.has_key() ? kNoField : 0;
}

// Whether a copy entry names a file at all. A line holding only non-breaking spaces (a UTF-8
// NBSP read as ANSI, as in some samples) is blank to InfVerif; every real file name has a letter
// or digit.
bool names_file(const FileCopy& c) {
  return std::any_of(c.source_name.begin(), c.source_name.end(), [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
  });
}

// A few architectures in order (there are five): held in place, no allocation per install section.
class ArchList {
 public:
  void push_back(inf::Arch a) {
    if (n_ < a_.size()) a_[n_++] = a;
  }
  bool empty() const { return n_ == 0; }
  const inf::Arch* begin() const { return a_.data(); }
  const inf::Arch* end() const { return a_.data() + n_; }
  bool contains(inf::Arch a) const { return std::find(begin(), end(), a) != end(); }

 private:
  std::array<inf::Arch, 5> a_{};
  std::size_t n_ = 0;
};

std::string arch_list(const ArchList& arches) {
  std::string out;
  for (auto a : arches) {
    if (!out.empty()) out += ", ";
    out += std::string(inf::arch_name(a));
  }
  return out;
}

// Facts shared by the rules: which architectures an install section serves, and the payload
// (SourceDisksFiles + SourceDisksNames) each of those architectures sees.
class Files {
 public:
  explicit Files(const Context& ctx) : ctx_(ctx) {}

  const PayloadFile* payload(inf::Arch arch, std::string_view name) {
    // The model already holds the target architecture's payload; other architectures are read once.
    const std::vector<PayloadFile>* list = &ctx_.pkg().payload;
    if (arch != ctx_.pkg().target.arch) {
      auto it = payload_.find(arch);
      if (it == payload_.end()) it = payload_.emplace(arch, package::payload_files(ctx_.doc(), arch)).first;
      list = &it->second;
    }
    for (const auto& p : *list) {
      if (rules::iequals(p.name, name)) return &p;
    }
    return nullptr;
  }

  // The architectures for which SetupAPI would run this install section. A section decorated
  // .NT<arch> serves that arch; an undecorated root serves the arches its Models entries are
  // decorated for, minus those that have a more specific variant; anything else, the target.
  const ArchList& arches(std::size_t section) {
    if (arches_.empty()) arches_.resize(ctx_.pkg().sections.size());
    auto& slot = arches_[section];
    if (!slot) slot = compute_arches(section);
    return *slot;
  }

 private:
  ArchList compute_arches(std::size_t index) const {
    const auto& pkg = ctx_.pkg();
    const auto& s = pkg.sections[index];
    ArchList out;
    if (s.arch) {
      out.push_back(*s.arch);
      return out;
    }
    const inf::Arch target = pkg.target.arch;
    if (s.base.empty()) {
      out.push_back(target);
      return out;
    }
    ArchList candidates;
    bool any_models = false;
    for (const auto& m : pkg.models) {
      if (!rules::iequals(m.install_base, s.base)) continue;
      any_models = true;
      inf::Arch a = target;
      if (m.decoration && m.decoration->arch) {
        a = *m.decoration->arch;
      } else if (candidates.contains(target)) {
        // The target is a candidate already: the walk of [Manufacturer] below could only add it
        // again (many Models entries of one section name the same install section).
        continue;
      } else if (target_claimed_elsewhere(m.models_section)) {
        // An undecorated or "NT" Models section is not used where a sibling names the arch.
        continue;
      }
      if (!candidates.contains(a)) candidates.push_back(a);
    }
    if (!any_models) candidates.push_back(target);
    for (inf::Arch a : candidates) {
      std::string_view chosen = ctx_.doc().actual_install_section_name(s.base, a);
      if (serves(s.name, chosen)) out.push_back(a);
    }
    return out;
  }

  // Whether the Manufacturer line that owns Models section `models` also lists a decoration for
  // the target architecture (then its architecture-neutral Models section is not used there).
  bool target_claimed_elsewhere(std::string_view models) const {
    auto mfg = ctx_.doc().section("Manufacturer");
    if (!mfg) return false;
    // The fields read as views: a copy only for a field that holds a token.
    auto field_text = [](const inf::Line& l, std::size_t i, std::string& buf) -> std::string_view {
      if (!l.field_has_percent(i)) return l.raw_field(i);
      buf = l.field(i);
      return buf;
    };
    std::string base_buf, decoration_buf;
    for (inf::Line l : *mfg) {
      std::string_view base = field_text(l, 0, base_buf);
      while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
      if (base.empty() || !is_section_family(models, base)) continue;
      for (std::size_t i = 1; i < l.field_count(); ++i) {
        auto d = inf::parse_os_decoration(field_text(l, i, decoration_buf));
        if (d.arch && *d.arch == ctx_.pkg().target.arch) return true;
      }
    }
    return false;
  }

  // Whether `name` is the chosen install section or one of its .HW/.Services/… sub-sections.
  static bool serves(std::string_view name, std::string_view chosen) {
    if (!is_section_family(name, chosen)) return false;
    std::string_view rest = name.substr(chosen.size());
    return rest.empty() || !(rest.size() >= 3 && rules::iequals(rest.substr(0, 3), ".NT"));
  }

  const Context& ctx_;
  std::map<inf::Arch, std::vector<PayloadFile>> payload_;
  std::vector<std::optional<ArchList>> arches_;  // by Package::sections index, filled on first ask
};

// ---------------------------------------------------------------------------------------------
// Source side: SourceDisksNames / SourceDisksFiles
// ---------------------------------------------------------------------------------------------

std::vector<inf::Section> sections_of(const inf::Document& doc, std::string_view base) {
  std::vector<inf::Section> out;
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    if (is_section_family(s.name(), base)) out.push_back(s);
  }
  return out;
}

// 1213 (.cat listed), 1231 (compressed name), 1273 (disk id not in SourceDisksNames).
void check_source_disks_files(Context& ctx) {
  const auto& doc = ctx.doc();
  auto names = sections_of(doc, "SourceDisksNames");
  auto disk_known = [&](std::string_view files_section, std::string_view id) {
    std::string_view suffix = files_section.substr(std::min<std::size_t>(files_section.size(), 16));
    for (const auto& n : names) {
      std::string_view nsuffix = n.name().substr(16);
      // An undecorated file list may take its disk from any SourceDisksNames; a decorated one
      // only from its own architecture's or the undecorated section.
      if (!suffix.empty() && !nsuffix.empty() && !rules::iequals(suffix, nsuffix)) continue;
      if (n.find(id)) return true;
    }
    return false;
  };
  // The file lists walked in place (no second list of sections to allocate).
  for (std::size_t si = 0; si < doc.section_count(); ++si) {
    const inf::Section sec = doc.section_at(si);
    if (!is_section_family(sec.name(), "SourceDisksFiles")) continue;
    for (inf::Line l : sec) {
      auto key = l.raw_key();
      if (!key || key->empty()) continue;
      std::string name = l.key().value_or(std::string(*key));  // as payload_files names it
      // Compared ignoring case in place ('.' and '_' have no case): no lower-cased copy.
      if (name.size() > 4 && rules::iequals(std::string_view(name).substr(name.size() - 4), ".cat")) {
        ctx.report<Rule::r1213>(l, {name}, kNoField);
      }
      std::size_t dot = name.rfind('.');
      if (dot != std::string::npos && dot + 1 < name.size() && name.back() == '_') {
        ctx.report<Rule::r1231>(l, {name}, kNoField);
      }
      if (!l.has_key()) continue;
      std::string id = l.field_count() ? l.field(0) : std::string();
      while (!id.empty() && id.back() == ' ') id.pop_back();
      if (id.empty() || disk_known(sec.name(), id)) continue;
      ctx.report<Rule::r1273>(l, {name, id, std::string(sec.name())}, 0);
    }
  }
}

// 1230: every copied file must be listed for each architecture the copying section serves.
void check_listed_sources(Context& ctx, Files& files) {
  for (const auto& c : ctx.pkg().copies) {
    if (!names_file(c)) continue;
    ArchList missing;
    for (inf::Arch a : files.arches(c.context)) {
      if (!files.payload(a, c.source_name)) missing.push_back(a);
    }
    if (missing.empty() || !ctx.first_time(Rule::r1230, c.line)) continue;
    std::string where = c.list_section.empty() ? "CopyFiles" : "[" + std::string(c.list_section) + "]";
    ctx.report<Rule::r1230>(c.line, {c.source_name, where, arch_list(missing)}, copy_field(c));
  }
}

// ---------------------------------------------------------------------------------------------
// Destination side: DestinationDirs and DIRIDs
// ---------------------------------------------------------------------------------------------

// 1275: a copy with neither its list's DestinationDirs entry nor DefaultDestDir.
void check_missing_destinations(Context& ctx) {
  for (const auto& c : ctx.pkg().copies) {
    if (c.has_destination || !names_file(c) || !ctx.first_time(Rule::r1275, c.line)) continue;
    std::string list = c.list_section.empty() ? "@" + std::string(c.dest_name) : std::string(c.list_section);
    ctx.report<Rule::r1275>(c.line, {c.dest_name, list}, copy_field(c));
  }
}

void note_destination(diag::Diagnostic& d, const FileCopy& c) {
  Context::note(d, c.destination_line,
                c.from_default ? "destination comes from DefaultDestDir here" : "destination set here");
}


// 1322 (/w: only DIRID 13) and 1306 (/u: only system folders), once per copy entry.
void check_destination_dirids(Context& ctx) {
  const auto& doc = ctx.doc();
  for (const auto& c : ctx.pkg().copies) {
    if (!c.has_destination || c.dirid == -2 || c.dirid == kDriverStore || !names_file(c)) continue;
    if (!ctx.first_time(Rule::r1322, c.line)) continue;  // 1322 and 1306: each entry once
    std::string where = destination_text(doc, c.dirid, c.dest_subdir);
    // /rulever vnext: the rules expected next keep no exceptions.
    bool h_exempt = ctx.mode() == diag::Mode::h && is_h_exception(c.dirid) && !ctx.settings().rulever_vnext;
    if (!h_exempt && ctx.h_enforced(Rule::r1322, c.list_section)) {
      auto& d = ctx.report<Rule::r1322>(c.line, {c.dest_name, where, c.dirid_text}, copy_field(c));
      note_destination(d, c);
    }
    // Universal INFs may still copy to System32, System32\drivers and a folder below Windows.
    bool universal_ok = c.dirid == inf::kDiridSystem || c.dirid == inf::kDiridDrivers ||
                        (c.dirid == inf::kDiridWindows && !folder_key(c.dest_subdir).empty());
    if (!universal_ok) {
      auto& d = ctx.report<Rule::r1306>(c.line, {c.dest_name, where}, copy_field(c));
      note_destination(d, c);
    }
  }
}

// 1340: a DestinationDirs entry naming a deprecated DIRID.
void check_deprecated_destinations(Context& ctx) {
  auto dd = ctx.doc().section("DestinationDirs");
  if (!dd) return;
  for (inf::Line l : *dd) {
    if (!l.field_count()) continue;
    // The same reading as FileCopy's destination (list_destination), for every entry.
    auto dest = package::list_destination(ctx.doc(), l.has_key() ? std::string(*l.raw_key()) : std::string());
    long dirid = dest && dest->line.index() == l.index() ? dest->dirid : -2;
    if (!is_deprecated_dirid(dirid)) continue;
    // DefaultDestDir serves every list: the package's newest rules decide.
    const std::string key = l.has_key() ? std::string(*l.raw_key()) : std::string();
    if (!ctx.h_enforced(Rule::r1340, rules::iequals(key, "DefaultDestDir") ? std::string() : key)) continue;
    ctx.report<Rule::r1340>(l, {std::to_string(dirid), destination_text(ctx.doc(), dirid, {})}, 0);
  }
}

// 1341 on one field holding a '%': each %DIRID% token of a deprecated DIRID. Negative tokens are
// not judged here (the rule reads values, where a DIRID -1 token has no use).
void check_field_tokens(Context& ctx, const inf::Line& l, std::size_t field) {
  inf::for_each_dirid_token(l.raw_field(field), [&](long d) {
    if (d >= 0 && is_deprecated_dirid(d)) {
      ctx.report<Rule::r1341>(l, {"%" + std::to_string(d) + "%", destination_text(ctx.doc(), d, {})}, field);
    }
  });
}

// 1341: a %DIRID% token of a deprecated DIRID in a value (registry data, ServiceBinary, …).
void check_deprecated_tokens(Context& ctx) {
  const auto& doc = ctx.doc();
  const auto& used = ctx.pkg().section_used;
  // The fields outside [Strings] that hold a '%' (most fields hold none), from the shared walk in
  // section order; whether a section is judged is settled at its first such key or field.
  std::uint32_t section = DocumentFacts::kNoSectionIndex;
  bool judged = false;
  for (const TokenField& t : ctx.lines().tokens) {
    const inf::Line l = doc.line_at(t.line);
    if (l.section_index() != section) {
      section = l.section_index();
      const inf::Section sec = doc.section_at(section);
      judged = used[section] && !rules::iequals(sec.name(), "DestinationDirs") && ctx.h_enforced(Rule::r1341, sec.name());
    }
    if (judged && t.field != LineWalk::kKey) check_field_tokens(ctx, l, t.field);
  }
}

// ---------------------------------------------------------------------------------------------
// DIRID 13: files run from the driver store exactly as the package carries them
// ---------------------------------------------------------------------------------------------

// 1100 (renamed or moved), 1103 (copy flags) for copies into DIRID 13.
void check_driver_store_copies(Context& ctx, Files& files) {
  // 1100 has two findings per line (renamed, moved), each once: kept apart by local sets, since
  // Context::first_time keys on the code alone.
  std::set<std::uint32_t> renamed, moved;
  for (const auto& c : ctx.pkg().copies) {
    if (!c.has_destination || c.dirid != kDriverStore || !names_file(c)) continue;
    const std::uint32_t key = c.line.index();
    if (!rules::iequals(c.dest_name, c.source_name) && renamed.insert(key).second) {
      auto& d = ctx.report<Rule::r1100>(c.line, {c.source_name, "under the new name " + std::string(c.dest_name)}, copy_field(c));
      note_destination(d, c);
    }
    const std::string dest = folder_key(c.dest_subdir);
    for (inf::Arch a : files.arches(c.context)) {
      const PayloadFile* p = files.payload(a, c.source_name);
      if (!p) continue;
      std::string src_raw = join_path(p->disk_path, p->subdir);
      // A source path that leaves the package (.., drive letter, UNC) is not a package folder at
      // all; staging refuses it as a path escape, so 1100 has nothing to compare.
      if (!package::normalize_relative_path(src_raw)) continue;
      if (folder_key(src_raw) == dest || !moved.insert(key).second) continue;
      std::string from = folder_key(src_raw).empty() ? "the package root" : "'" + src_raw + "'";
      std::string to = dest.empty() ? "the driver store root" : "'" + std::string(c.dest_subdir) + "'";
      auto& d = ctx.report<Rule::r1100>(c.line, {c.source_name, "into " + to + " although it sits in " + from + " of the package"},
                           copy_field(c));
      note_destination(d, c);
      Context::note(d, p->line, "the package location comes from here");
    }
    if (c.flags && (*c.flags & kDriverStoreForbiddenFlags) && ctx.first_time(Rule::r1103, c.line)) {
      auto& d = ctx.report<Rule::r1103>(c.line, {hex_flags(*c.flags & kDriverStoreForbiddenFlags), c.dest_name}, 3);
      note_destination(d, c);
    }
  }
}

// 1101: a .security section on a file list bound for DIRID 13.
void check_driver_store_security(Context& ctx) {
  for (const auto& list : ctx.pkg().lists) {
    if (list.kind != package::ListKind::copies) continue;
    // The destination is the list's own: any entry tells it (an empty list copies nothing).
    const auto entries = package::first_use(ctx.pkg().copies, list);
    if (entries.empty()) continue;
    const FileCopy& c = entries.front();
    if (!c.has_destination || c.dirid != kDriverStore) continue;
    auto sec = ctx.doc().section(std::string(c.list_section) + ".security");
    if (!sec) continue;
    auto& d = ctx.report_at<Rule::r1101>(sec->line(), 1, {std::string(sec->name()), c.list_section}, std::string(sec->name()));
    note_destination(d, c);
  }
}

// 1102: DelFiles / RenFiles on a list whose destination is DIRID 13.
void check_driver_store_directives(Context& ctx) {
  for (const auto& r : ctx.pkg().references) {
    if (!rules::iequals(r.directive, "DelFiles") && !rules::iequals(r.directive, "RenFiles")) continue;
    auto dest = package::list_destination(ctx.doc(), r.target);
    if (!dest || dest->dirid != kDriverStore || !ctx.first_time(Rule::r1102, r.line, r.field)) continue;
    auto& d = ctx.report<Rule::r1102>(r.line, {r.directive, r.target}, r.field);
    Context::note(d, dest->line, dest->from_default ? "destination comes from DefaultDestDir here" : "destination set here");
  }
}

// ---------------------------------------------------------------------------------------------
// Conflicts and other listings
// ---------------------------------------------------------------------------------------------

// 1330: one destination file fed from different source files by sections that can run on one system.
void check_conflicting_copies(Context& ctx, Files& files) {
  // The copies grouped by destination (DIRID, folder key, file name ignoring case) by one sort of
  // pointers, instead of a map from a built key string to a vector per destination. Within a
  // destination the copies keep the order of their lines (then of the model), as before.
  struct Dest {
    const FileCopy* copy;
    std::string folder;  // folder_key(dest_subdir): "" for the usual copy without a subdirectory
  };
  std::vector<Dest> dests;
  dests.reserve(ctx.pkg().copies.size());
  for (const auto& c : ctx.pkg().copies) {
    if (!c.has_destination || c.dirid == -2 || !names_file(c)) continue;
    dests.push_back(Dest{&c, c.dest_subdir.empty() ? std::string() : folder_key(c.dest_subdir)});
  }
  auto same_dest = [](const Dest& a, const Dest& b) {
    return a.copy->dirid == b.copy->dirid && a.folder == b.folder && rules::iequals(a.copy->dest_name, b.copy->dest_name);
  };
  std::stable_sort(dests.begin(), dests.end(), [](const Dest& a, const Dest& b) {
    if (a.copy->dirid != b.copy->dirid) return a.copy->dirid < b.copy->dirid;
    if (a.folder != b.folder) return a.folder < b.folder;
    if (!rules::iequals(a.copy->dest_name, b.copy->dest_name)) return ci_less(a.copy->dest_name, b.copy->dest_name);
    return a.copy->line.line() < b.copy->line.line();
  });
  for (std::size_t start = 0, end = 0; start < dests.size(); start = end) {
    for (end = start + 1; end < dests.size() && same_dest(dests[start], dests[end]);) ++end;
    for (std::size_t i = start + 1; i < end; ++i) {
      const FileCopy* c = dests[i].copy;
      const auto& arches_c = files.arches(c->context);
      for (std::size_t j = start; j < i; ++j) {
        const FileCopy* o = dests[j].copy;
        if (rules::iequals(o->source_name, c->source_name)) continue;
        const auto& arches_o = files.arches(o->context);
        bool shared = std::any_of(arches_c.begin(), arches_c.end(), [&](inf::Arch a) { return arches_o.contains(a); });
        if (!shared || !ctx.first_time(Rule::r1330, c->line)) continue;
        auto& d = ctx.report<Rule::r1330>(c->line, {c->dest_name, c->source_name, o->source_name}, copy_field(*c));
        Context::note(d, o->line, "the same destination receives " + std::string(o->source_name) + " here");
        break;
      }
    }
  }
}

// 1110: CopyINF stages other INF packages; anything else is not a package.
void check_copy_inf(Context& ctx) {
  for (const auto& dir : ctx.pkg().directives) {
    if (!rules::iequals(dir.name, "CopyINF") || !ctx.first_time(Rule::r1110, dir.line)) continue;
    for (std::size_t i = 0; i < dir.line.field_count(); ++i) {
      std::string name = dir.line.field(i);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (name.empty()) continue;
      std::string l = lower(name);
      if (l.size() > 4 && l.compare(l.size() - 4, 4, ".inf") == 0) continue;
      ctx.report<Rule::r1110>(dir.line, {name}, i);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ServiceBinary against the package's copies
// ---------------------------------------------------------------------------------------------

// Inbox drivers that packages name as a service binary without carrying them (the UMDF reflector,
// the HID and USB class mini-drivers); Windows installs them, so they need not be copied.
constexpr const char* kInboxBinaries[] = {"wudfrd.sys", "winusb.sys", "mshidkmdf.sys", "mshidumdf.sys",
                                          "hidusb.sys", "usbser.sys"};

bool starts_with_dirid_token(const inf::Document& doc, std::string_view raw) {
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '"')) raw.remove_prefix(1);
  if (raw.size() < 3) return false;
  const auto name = inf::leading_token(raw);
  if (!name || name->empty()) return false;
  if (inf::dirid_of_token(*name)) return true;
  // A string key whose value is itself a %dirid% path (ServiceBinary = %BinPath%).
  if (auto v = doc.string_value(*name)) return !v->empty() && (*v)[0] == '%' && starts_with_dirid_token(doc, *v);
  return false;
}

std::string_view file_part_view(std::string_view path) {
  std::size_t slash = path.find_last_of("\\/");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}
std::string file_part(std::string_view path) { return std::string(file_part_view(path)); }

// path_key(a) == path_key(b) without building either: separators '/' and '\\' alike, a run of
// separators as one, ASCII letters folded.
bool same_path_key(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  auto sep = [](char c) { return c == '\\' || c == '/'; };
  while (i < a.size() && j < b.size()) {
    if (sep(a[i]) && sep(b[j])) {
      while (++i < a.size() && sep(a[i])) {}
      while (++j < b.size() && sep(b[j])) {}
      continue;
    }
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[j]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return false;
    ++i;
    ++j;
  }
  return i == a.size() && j == b.size();
}

// Whether 2084 stays silent for each of `binaries`: the package copies it, or a copy of that name
// has no destination to compare (1275's finding), or it is an inbox driver Windows provides. One
// walk of the copies for all binaries, each destination joined into a reused buffer (a set of
// path keys of every copy before); the DIRID folders resolved once per DIRID.
std::vector<bool> binaries_accounted_for(Context& ctx, const std::vector<std::string_view>& binaries) {
  std::vector<bool> out(binaries.size(), false);
  for (std::size_t b = 0; b < binaries.size(); ++b) {
    const std::string_view file = file_part_view(binaries[b]);
    out[b] = std::any_of(std::begin(kInboxBinaries), std::end(kInboxBinaries), [&](const char* n) { return rules::iequals(file, n); });
  }
  std::vector<std::pair<long, std::optional<std::string>>> bases;
  std::string dest;
  for (const auto& c : ctx.pkg().copies) {
    // A copy without a usable destination is 1275's (or DIRID resolution's) finding, not 2084's.
    const std::optional<std::string>* base = nullptr;
    if (c.has_destination && c.dirid != -2) {
      auto it = std::find_if(bases.begin(), bases.end(), [&](const auto& e) { return e.first == c.dirid; });
      if (it == bases.end()) it = bases.emplace(bases.end(), c.dirid, inf::dirid_path(c.dirid, ctx.doc().dirids()));
      base = &it->second;
    }
    if (!base || !*base) {
      for (std::size_t b = 0; b < binaries.size(); ++b) {
        if (!out[b] && rules::iequals(c.dest_name, file_part_view(binaries[b]))) out[b] = true;
      }
      continue;
    }
    dest.assign(**base);
    join_into(dest, c.dest_subdir);
    join_into(dest, c.dest_name);
    for (std::size_t b = 0; b < binaries.size(); ++b) {
      if (!out[b] && same_path_key(dest, binaries[b])) out[b] = true;
    }
  }
  return out;
}

void check_service_binaries(Context& ctx) {
  const auto& doc = ctx.doc();
  // The copy destinations below are only compared with ServiceBinary values: none, nothing to build.
  std::vector<std::string_view> binaries;
  for (const auto& s : ctx.pkg().services) {
    if (!s.service_binary.empty() && s.values.count("servicebinary") != 0) binaries.push_back(s.service_binary);
  }
  if (binaries.empty()) return;
  const std::vector<bool> accounted = binaries_accounted_for(ctx, binaries);
  std::size_t b = 0;
  for (const auto& s : ctx.pkg().services) {
    auto it = s.values.find("servicebinary");
    if (it == s.values.end() || s.service_binary.empty()) continue;
    const bool copied = accounted[b++];
    const inf::Line& line = it->second;
    if (!ctx.first_time(Rule::r2084, line)) continue;  // 2084 and 2085: each ServiceBinary line once
    if (!starts_with_dirid_token(doc, s.service_binary_raw)) ctx.report<Rule::r2085>(line, {std::string(s.service_binary_raw)}, 0);
    if (copied) continue;
    auto& d = ctx.report<Rule::r2084>(line, {std::string(s.service_binary_raw), std::string(s.name)}, 0);
    Context::note(d, s.directive, "service " + std::string(s.name) + " is added here");
  }
}

// The ServiceBinary of a UmdfService's wdf-service-install section: 2085 when it is not a %DIRID%
// path; in the isolated modes (/w, /h) 2084 when it lies outside the driver store: an isolated UMDF 2
// driver runs from %13% (wdf/restricting-the-loading-location-of-umdf-drivers), so a binary elsewhere
// is not one the package may carry (1322 reports the copy there). InfVerif does not report a UMDF
// binary the package does not copy (the CI-validated wificx client sample names one), so neither do we.
void check_umdf_service_binaries(Context& ctx) {
  const bool isolated = ctx.mode() == diag::Mode::w || ctx.mode() == diag::Mode::h;
  const auto store = inf::dirid_path(kDriverStore, ctx.doc().dirids());
  for (const auto& w : ctx.pkg().wdf_services) {
    // 2085 keys this family's once-per-line (2084 keys the service one above, a different line set).
    if (!w.umdf || w.service_binary.empty() || !ctx.first_time(Rule::r2085, w.service_binary_line)) continue;
    if (!starts_with_dirid_token(ctx.doc(), w.service_binary_raw)) ctx.report<Rule::r2085>(w.service_binary_line, {w.service_binary_raw}, 0);
    const bool in_store = store && path_key(w.service_binary).rfind(path_key(*store) + "\\", 0) == 0;
    if (!isolated || in_store) continue;
    auto& d = ctx.report<Rule::r2084>(w.service_binary_line, {w.service_binary_raw, w.name}, 0);
    Context::note(d, w.directive, "UMDF service " + w.name + " is added here; an isolated package runs it from the "
                                  "driver store: ServiceBinary = %13%\\" + file_part(w.service_binary));
  }
}

}  // namespace

void run_file_rules(Context& ctx) {
  Files files(ctx);
  check_source_disks_files(ctx);
  check_listed_sources(ctx, files);
  check_missing_destinations(ctx);
  check_destination_dirids(ctx);
  check_deprecated_destinations(ctx);
  check_deprecated_tokens(ctx);
  check_driver_store_copies(ctx, files);
  check_driver_store_security(ctx);
  check_driver_store_directives(ctx);
  check_conflicting_copies(ctx, files);
  check_copy_inf(ctx);
  check_service_binaries(ctx);
  check_umdf_service_binaries(ctx);
}

}  // namespace isodrv::rules
