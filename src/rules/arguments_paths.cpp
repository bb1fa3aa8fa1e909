// Rule family "arguments", part three: disk IDs and paths in [SourceDisksNames],
// [SourceDisksFiles] and [DestinationDirs] (1008, 1015, 1016, 1201).
#include <map>

#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using util::trim;
using util::unresolved;

// Why a relative path as written cannot be used; empty when it can.
std::string path_problem(std::string_view p, bool absolute_allowed) {
  for (char c : p) {
    // Characters no Windows file or folder name may hold (':' only after a drive letter, below),
    // tested inline: a find in a set of them cost a call per character.
    if (static_cast<unsigned char>(c) < 0x20 || c == '<' || c == '>' || c == '|' || c == '"' || c == '*' || c == '?') {
      return std::string("it contains the character '") + c + "'";
    }
  }
  const std::size_t colon = p.find(':');
  if (colon != std::string_view::npos) {
    const bool drive = colon == 1 && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'));
    if (!drive || p.find(':', colon + 1) != std::string_view::npos) return "it contains ':' outside a drive letter";
    if (!absolute_allowed) return "it names a drive, but the path must be relative";
  }
  if (!absolute_allowed && p.size() >= 2 && p[0] == '\\' && p[1] == '\\') return "it is a network path";
  return {};
}

bool is_disk_section(std::string_view name, std::string_view base) {
  return util::has_prefix_ci(name, base) && (name.size() == base.size() || name[base.size()] == '.');
}

// The part after the base name (".amd64"), lower case; "" for the undecorated section.
std::string decoration(std::string_view name, std::string_view base) {
  return inf::to_lower_ascii(name.substr(base.size()));
}

void check_disk_id(Context& ctx, const inf::Line& l, const std::string& id, std::size_t field, const char* where) {
  if (unresolved(id)) return;
  if (id.empty() || !inf::parse_u32(id)) ctx.report<Rule::r1008>(l, {id.empty() ? "(none)" : id, where}, field);
}

// Windows climbs out of the package folder with "..": the copy would read a file that is not part
// of the package (and that driver-store staging cannot find).
bool climbs_out(std::string_view path) {
  int depth = 0;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find_first_of("\\/", i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (--depth < 0) return true;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    i = j + 1;
  }
  return false;
}

// [SourceDisksNames*]: disk id -> path, per decoration.
using DiskPaths = std::map<std::string, std::map<std::uint32_t, std::string>>;

DiskPaths check_disk_names(Context& ctx) {
  DiskPaths out;
  const auto& doc = ctx.doc();
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    if (!is_disk_section(s.name(), "SourceDisksNames")) continue;
    auto& paths = out[decoration(s.name(), "SourceDisksNames")];
    for (inf::Line l : s) {
      if (!l.has_key()) continue;
      const std::string id = trim(*l.key());
      check_disk_id(ctx, l, id, static_cast<std::size_t>(-1), "[SourceDisksNames]");
      const std::string path = trim(l.field(3));
      if (!path.empty() && !unresolved(path)) {
        std::string why = path_problem(path, false);
        if (!why.empty()) ctx.report<Rule::r1015>(l, {path, std::string(s.name()), why}, 3);
      }
      if (auto n = inf::parse_u32(id)) paths[*n] = path;
    }
  }
  return out;
}

// The path of disk `id` for a SourceDisksFiles section of decoration `dec`: the same decoration
// first, then the undecorated section; "" when neither lists it.
std::string_view disk_path_of(const DiskPaths& disks, const std::string& dec, const std::string& id) {
  auto n = inf::parse_u32(id);
  if (!n) return {};
  static const std::string kUndecorated;
  for (const std::string* d : {&dec, &kUndecorated}) {  // no copy of either name per entry
    auto it = disks.find(*d);
    if (it == disks.end()) continue;
    auto p = it->second.find(*n);
    if (p != it->second.end()) return p->second;
  }
  return {};
}

// One SourceDisksFiles entry: "name = disk-id[,subdir]".
void check_disk_file(Context& ctx, const DiskPaths& disks, inf::Section s, const std::string& dec, const inf::Line& l) {
  if (!l.has_key()) {
    // "quokka.sys" without "= disk-id": the file is on no disk.
    ctx.report<Rule::r1008>(l, {"(none)", "[SourceDisksFiles]"}, 0);
    return;
  }
  const std::string name = trim(*l.key());
  const std::string id = trim(l.field(0));
  check_disk_id(ctx, l, id, 0, "[SourceDisksFiles]");
  const std::string subdir = trim(l.field(1));
  if (unresolved(subdir) || unresolved(name)) return;
  if (!subdir.empty()) {
    std::string why = path_problem(subdir, false);
    if (!why.empty()) {
      ctx.report<Rule::r1015>(l, {subdir, std::string(s.name()), why}, 1);
      return;
    }
  }
  const std::string_view disk_path = disk_path_of(disks, dec, id);
  if (unresolved(disk_path) || !path_problem(disk_path, false).empty()) return;
  std::string full;
  full.reserve(disk_path.size() + subdir.size() + name.size() + 2);
  full.append(disk_path).append("\\").append(subdir).append("\\").append(name);
  if (climbs_out(full)) {
    ctx.report<Rule::r1016>(l, {name, full, "it climbs out of the package folder with '..'"}, 1);
  } else if (full.size() >= inf::kMaxPath) {
    ctx.report<Rule::r1016>(l, {name, full, "it is " + std::to_string(full.size()) + " characters long (the limit is 259)"});
  }
}

void check_disk_files(Context& ctx, const DiskPaths& disks) {
  const auto& doc = ctx.doc();
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    if (!is_disk_section(s.name(), "SourceDisksFiles")) continue;
    const std::string dec = decoration(s.name(), "SourceDisksFiles");
    for (inf::Line l : s) {
      if (l.field_count() == 0 && !l.has_key()) continue;
      check_disk_file(ctx, disks, s, dec, l);
    }
  }
}

// [DestinationDirs]: dirid[,subdir]; DIRID -1 (or 65535) takes an absolute path.
void check_destination_dirs(Context& ctx) {
  auto sec = ctx.doc().section("DestinationDirs");
  if (!sec) return;
  for (inf::Line l : *sec) {
    if (!l.has_key()) continue;
    if (l.field_count() > 2) {
      ctx.report<Rule::r1201>(l, {std::string(*l.raw_key()), std::to_string(l.field_count()), "2"}, 2);
    }
    const std::string subdir = trim(l.field(1));
    if (subdir.empty() || unresolved(subdir)) continue;
    auto dirid = inf::parse_u32(trim(l.field(0)));
    const bool absolute = trim(l.field(0)) == "-1" || (dirid && *dirid == 65535);
    std::string why = path_problem(subdir, absolute);
    if (!why.empty()) ctx.report<Rule::r1015>(l, {subdir, "DestinationDirs", why}, 1);
  }
}

}  // namespace

void check_source_paths(Context& ctx) {
  check_disk_files(ctx, check_disk_names(ctx));
  check_destination_dirs(ctx);
}

}  // namespace isodrv::rules
