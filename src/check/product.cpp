// The /product platform definition that Include (1318) and Needs (1317) are checked against: which
// inbox INFs a Windows build ships and, where known, which sections each of them defines.
//
// Format (docs/rules/README.md, "Options that change what is checked"): a text file, one INF per
// line, `name.inf` optionally followed by the names of the sections it defines, separated by
// spaces, tabs or commas; repeated lines for one INF add up. `#` or `;` starts a comment. An INF
// listed without sections accepts every section.
// Or a folder (a copy of a Windows INF folder): every *.inf in it, with its section headers.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "isodrv/check.h"

namespace isodrv::check {
namespace fs = std::filesystem;

namespace {

using Building = std::map<std::string, std::set<std::string>>;

rules::Product finish(std::string path, Building&& b, const std::set<std::string>& any_section) {
  rules::Product p;
  p.path = std::move(path);
  for (auto& [name, sections] : b) {
    rules::Product::Inf inf;
    if (!any_section.count(name)) inf.sections.assign(sections.begin(), sections.end());
    p.infs.emplace_back(name, std::move(inf));
  }
  return p;
}

bool is_inf_name(std::string_view s) { return s.size() > 4 && inf::iequals(s.substr(s.size() - 4), ".inf"); }

Result<rules::Product> load_folder(const std::string& path) {
  Building b;
  std::set<std::string> any_section;
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!is_inf_name(name) || !it->is_regular_file(ec)) continue;
    const std::string key = inf::to_lower_ascii(name);
    auto& sections = b[key];
    std::ifstream in(it->path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto doc = inf::Document::parse(bytes, it->path().string());
    // An INF we cannot read still exists on the platform; accept any section of it.
    if (!doc.ok()) {
      any_section.insert(key);
      continue;
    }
    for (std::size_t s = 0; s < doc->section_count(); ++s) {
      sections.insert(inf::to_lower_ascii(doc->section_at(s).name()));
    }
  }
  if (ec) return Error(Errc::io_error, "cannot read product folder: " + ec.message(), path);
  return finish(path, std::move(b), any_section);
}

}  // namespace

Result<rules::Product> load_product(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return load_folder(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Errc::file_not_found, "cannot read product definition", path);
  Building b;
  std::set<std::string> listed_bare;
  std::string line;
  std::uint32_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (auto c = line.find_first_of("#;"); c != std::string::npos) line.erase(c);
    for (char& ch : line) {
      if (ch == ',' || ch == '\t' || ch == '\r') ch = ' ';
    }
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    if (!is_inf_name(name) || name.find_first_of("\\/:") != std::string::npos) {
      return Error(Errc::invalid_argument, "'" + name + "' is not an INF file name (name.inf)", path, n);
    }
    const std::string key = inf::to_lower_ascii(name);
    auto& sections = b[key];
    std::string section;
    bool any = false;
    while (words >> section) {
      sections.insert(inf::to_lower_ascii(section));
      any = true;
    }
    if (!any) listed_bare.insert(key);
  }
  // A bare line means "this INF, sections unknown" only when no line lists its sections.
  std::set<std::string> any_section;
  for (const auto& k : listed_bare) {
    if (b[k].empty()) any_section.insert(k);
  }
  return finish(path, std::move(b), any_section);
}

}  // namespace isodrv::check
