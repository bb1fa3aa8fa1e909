// Rule family "arguments", part three: disk IDs and paths in [SourceDisksNames],
// [SourceDisksFiles] and [DestinationDirs] (1008, 1015, 1016, 1201).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

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

// Which of the two disk lists a section is: [SourceDisksNames] or [SourceDisksFiles], undecorated
// or with a decoration ("SourceDisksNames.amd64"). Both names are 16 bytes and share their first 11.
enum class DiskList { none, names, files };

constexpr std::string_view kDiskNames = "SourceDisksNames";
constexpr std::string_view kDiskFiles = "SourceDisksFiles";

DiskList disk_list(std::string_view name) {
  constexpr std::size_t kSize = kDiskNames.size();
  constexpr std::size_t kShared = std::string_view("SourceDisks").size();
  // The first byte (folded) settles most section names before any comparison.
  if (name.size() < kSize || (name[0] | 0x20) != 's' || (name.size() > kSize && name[kSize] != '.')) return DiskList::none;
  if (!rules::iequals(name.substr(0, kShared), kDiskNames.substr(0, kShared))) return DiskList::none;
  const std::string_view last = name.substr(kShared, kSize - kShared);
  if (rules::iequals(last, kDiskNames.substr(kShared))) return DiskList::names;
  if (rules::iequals(last, kDiskFiles.substr(kShared))) return DiskList::files;
  return DiskList::none;
}

// The key of a line that has one, trimmed, as util::trimmed_field_view reads a field.
std::string_view key_view(const inf::Line& l, std::string& scratch) {
  if (!l.key_has_percent()) return base::trim_view(*l.raw_key());
  scratch = *l.key();
  return base::trim_view(scratch);
}

// The disk id as a number; 1008 when it is none (an unresolved token is 1235's, not reported here).
std::optional<std::uint32_t> checked_disk_id(Context& ctx, const inf::Line& l, std::string_view id, std::size_t field,
                                             const char* where) {
  const auto n = inf::parse_u32(id);  // fails for "" and for text holding '%' or '$'
  if (!n && !unresolved(id)) {
    ctx.report<Rule::r1008>(l, {id.empty() ? std::string("(none)") : std::string(id), where}, field);
  }
  return n;
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

// One disk of a [SourceDisksNames*] section: its decoration (".amd64", "" for the undecorated
// section; compared ignoring case), its id and its path. A package lists a handful, so a list
// searched from the back (a later line for the same disk replaces an earlier one) serves better
// than a map of maps with a lower-cased copy of every decoration.
struct Disk {
  std::string_view decoration;
  std::uint32_t id = 0;
  std::string path;
};
using DiskPaths = std::vector<Disk>;

void check_disk_names(Context& ctx, const inf::Section& s, DiskPaths& out) {
  const std::string_view dec = s.name().substr(kDiskNames.size());
  std::string scratch;
  for (inf::Line l : s) {
    if (!l.has_key()) continue;
    const std::string_view id = key_view(l, scratch);
    const auto n = checked_disk_id(ctx, l, id, static_cast<std::size_t>(-1), "[SourceDisksNames]");
    std::string path(base::trim_view(l.field(3)));
    if (!path.empty() && !unresolved(path)) {
      std::string why = path_problem(path, false);
      if (!why.empty()) ctx.report<Rule::r1015>(l, {path, std::string(s.name()), why}, 3);
    }
    if (n) out.push_back({dec, *n, std::move(path)});
  }
}

// The path of disk `id` for a SourceDisksFiles section of decoration `dec`: the same decoration
// first, then the undecorated section; "" when neither lists it.
std::string_view disk_path_of(const DiskPaths& disks, std::string_view dec, std::optional<std::uint32_t> n) {
  if (!n) return {};
  for (std::string_view d : {dec, std::string_view()}) {
    for (auto it = disks.rbegin(); it != disks.rend(); ++it) {
      if (it->id == *n && rules::iequals(it->decoration, d)) return it->path;
    }
  }
  return {};
}

// One SourceDisksFiles entry: "name = disk-id[,subdir]".
void check_disk_file(Context& ctx, const DiskPaths& disks, inf::Section s, const inf::Line& l) {
  if (!l.has_key()) {
    // "quokka.sys" without "= disk-id": the file is on no disk.
    ctx.report<Rule::r1008>(l, {"(none)", "[SourceDisksFiles]"}, 0);
    return;
  }
  std::string name_scratch;
  std::string id_scratch;
  std::string subdir_scratch;
  const std::string_view name = key_view(l, name_scratch);
  const std::string_view id = util::trimmed_field_view(l, 0, id_scratch);
  const auto n = checked_disk_id(ctx, l, id, 0, "[SourceDisksFiles]");
  const std::string_view subdir = util::trimmed_field_view(l, 1, subdir_scratch);
  if (unresolved(subdir) || unresolved(name)) return;
  if (!subdir.empty()) {
    std::string why = path_problem(subdir, false);
    if (!why.empty()) {
      ctx.report<Rule::r1015>(l, {std::string(subdir), std::string(s.name()), why}, 1);
      return;
    }
  }
  const std::string_view disk_path = disk_path_of(disks, s.name().substr(kDiskFiles.size()), n);
  if (unresolved(disk_path) || !path_problem(disk_path, false).empty()) return;
  const std::size_t size = disk_path.size() + subdir.size() + name.size() + 2;
  if (size < inf::kMaxPath) {
    // The usual case: short, and a climb out needs a "..".
    if (disk_path.find("..") == std::string_view::npos && subdir.find("..") == std::string_view::npos &&
        name.find("..") == std::string_view::npos) {
      return;
    }
  }
  std::string full;
  full.reserve(size);
  full.append(disk_path).append("\\").append(subdir).append("\\").append(name);
  if (climbs_out(full)) {
    ctx.report<Rule::r1016>(l, {std::string(name), full, "it climbs out of the package folder with '..'"}, 1);
  } else if (full.size() >= inf::kMaxPath) {
    ctx.report<Rule::r1016>(l, {std::string(name), full, "it is " + std::to_string(full.size()) + " characters long (the limit is 259)"});
  }
}

// Every [SourceDisksNames*] section first (a file's disk may be listed after it), then every
// [SourceDisksFiles*] line; the file lists are looked for again only between the first and the
// last one the first pass met (no list of them to allocate).
void check_disks(Context& ctx) {
  const auto& doc = ctx.doc();
  std::size_t files_begin = doc.section_count();
  std::size_t files_end = 0;
  DiskPaths disks;
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    const DiskList list = disk_list(s.name());
    if (list == DiskList::names) check_disk_names(ctx, s, disks);
    if (list == DiskList::files) {
      files_begin = std::min(files_begin, i);
      files_end = i + 1;
    }
  }
  for (std::size_t i = files_begin; i < files_end; ++i) {
    inf::Section s = doc.section_at(i);
    if (disk_list(s.name()) != DiskList::files) continue;
    for (inf::Line l : s) {
      if (l.field_count() == 0 && !l.has_key()) continue;
      check_disk_file(ctx, disks, s, l);
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
    const std::string subdir = util::trimmed_field(l, 1);
    if (subdir.empty() || unresolved(subdir)) continue;
    auto dirid = inf::parse_u32(util::trimmed_field(l, 0));
    const bool absolute = util::trimmed_field(l, 0) == "-1" || (dirid && *dirid == 65535);
    std::string why = path_problem(subdir, absolute);
    if (!why.empty()) ctx.report<Rule::r1015>(l, {subdir, "DestinationDirs", why}, 1);
  }
}

}  // namespace

void check_source_paths(Context& ctx) {
  check_disks(ctx);
  check_destination_dirs(ctx);
}

}  // namespace isodrv::rules
