// `store verify`'s check of the files device installs placed outside the driver store: every file
// an install record or an undo record names must be there, holding (when it is a copy of a staged
// file at all) a file of a package installed there, and no copy of a staged package's file may lie
// in the Windows tree without an install that placed it (a leftover of a lost operation).
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "devinst/engine_impl.h"

namespace isodrv::devinst {
namespace fs = std::filesystem;

namespace {

// Folders whose files device installs never place: the driver store and published INFs (the store
// verifies them) and the state folders (the drivers' own data).
bool outside_install_targets(const std::string& root, const std::string& host) {
  for (const char* folder : {store::kDriverStoreFolder, store::kInfFolder, store::kServiceStateFolder,
                             store::kDeviceStateFolder}) {
    const std::string prefix = store::host_folder(root, folder) + "/";
    if (inf::iequals(host.substr(0, prefix.size()), prefix)) return true;
  }
  return false;
}

// A staged payload file: its package's published name and its path in the package.
struct StagedFile {
  std::string published, relative_path;
  std::string name() const { return published + "'s " + relative_path; }
};
// Staged payload files by (size, sha256), in the store's order.
using StagedFiles = std::map<std::pair<std::uint64_t, std::string>, std::vector<StagedFile>>;

StagedFiles staged_files(const store::Store& st) {
  StagedFiles out;
  auto list = st.list();
  if (!list) return out;
  for (const auto& p : *list) {
    auto files = st.files(p.published_name);
    if (!files) continue;
    for (const auto& f : *files) out[{f.size, f.sha256}].push_back({p.published_name, f.relative_path});
  }
  return out;
}

// The staged files `host` is a copy of; nullptr when it is none (hashed only when a staged file has its size).
const std::vector<StagedFile>* copy_of(const StagedFiles& staged, const fs::path& host) {
  std::error_code ec;
  const auto size = static_cast<std::uint64_t>(fs::file_size(host, ec));
  if (ec) return nullptr;
  const auto same_size = staged.lower_bound({size, ""});
  if (same_size == staged.end() || same_size->first.first != size) return nullptr;
  auto sha = package::sha256_file(host.string());
  if (!sha) return nullptr;
  auto hit = staged.find({size, *sha});
  return hit == staged.end() ? nullptr : &hit->second;
}

// An installed file that is a copy of staged files none of which belongs to a package installed
// there: the registry and the file disagree (e.g. a lost journal after files changed).
std::optional<std::string> foreign_copy(const StagedFiles& staged, const std::string& host,
                                        const std::set<std::string>& installed, const std::string& who) {
  const auto* copies = copy_of(staged, host);
  if (!copies) return std::nullopt;
  for (const auto& c : *copies) {
    if (installed.count(c.published)) return std::nullopt;
  }
  return "holds " + copies->front().name() + ", not the file of the driver installed on " + who;
}

}  // namespace

std::vector<store::VerifyProblem> Engine::Impl::verify_placed_files() {
  StatementGuard guard(*this);
  std::vector<store::VerifyProblem> out;
  std::set<std::string> placed;  // host paths some record says an install put there
  auto expect = [&](const std::string& host, const std::string& what) {
    std::error_code ec;
    if (!placed.insert(host).second) return;
    if (!fs::is_regular_file(host, ec)) out.push_back({host, what});
  };
  std::vector<std::pair<std::string, std::string>> used;  // (instance, Windows path)
  std::map<std::string, std::set<std::string>> installed_at;  // Windows path -> packages whose installs list it
  {
    auto& s = q("SELECT instance_id, published_name, files FROM devinst_installs ORDER BY id");
    while (s.row()) {
      const std::string who = s.text(0).empty() ? s.text(1) : s.text(0) + " (" + s.text(1) + ")";
      std::string files = s.text(2);
      for (std::size_t at = 0; at < files.size();) {
        auto nl = files.find('\n', at);
        if (nl == std::string::npos) nl = files.size();
        used.emplace_back(who, files.substr(at, nl - at));
        installed_at[inf::to_lower_ascii(used.back().second)].insert(s.text(1));
        at = nl + 1;
      }
    }
  }
  const auto staged = staged_files(*st);
  for (const auto& [who, win] : used) {
    auto host = detail::inf_path_to_host(root, win);
    if (!host) continue;
    const bool known = placed.count(*host) != 0;
    expect(*host, "file of the driver installed on " + who + " is missing");
    std::error_code ec;
    if (known || !fs::is_regular_file(*host, ec)) continue;
    if (auto foreign = foreign_copy(staged, *host, installed_at[inf::to_lower_ascii(win)], who)) out.push_back({*host, *foreign});
  }
  {
    auto& s = q("SELECT DISTINCT key FROM devinst_undo WHERE op IN (?, ?) ORDER BY key");
    s.bind(1, static_cast<std::int64_t>(detail::kUndoFileCreated)).bind(2, static_cast<std::int64_t>(detail::kUndoFileReplaced));
    while (s.row()) expect(s.text(0), "file placed by a device install is missing");
  }
  std::error_code ec;
  const fs::path windows = fs::path(root) / "Windows";
  for (auto it = fs::recursive_directory_iterator(windows, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || placed.count(it->path().string())) continue;
    if (outside_install_targets(root, it->path().string())) continue;
    if (const auto* copies = copy_of(staged, it->path())) {
      out.push_back({it->path().string(), "copy of " + copies->front().name() + " that no install placed (left over)"});
    }
  }
  return out;
}

Result<std::vector<store::VerifyProblem>> Engine::verify_placed_files() const { return impl_->verify_placed_files(); }

}  // namespace isodrv::devinst
