// `store verify`'s check of the files device installs placed outside the driver store: every file
// an install record or an undo record names must be there, and no copy of a staged package's file
// may lie in the Windows tree without an install that placed it (a leftover of a lost operation).
#include <filesystem>
#include <map>
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

// Staged payload files by (size, sha256): "oemN.inf's relative/path".
std::map<std::pair<std::uint64_t, std::string>, std::string> staged_files(const store::Store& st) {
  std::map<std::pair<std::uint64_t, std::string>, std::string> out;
  auto list = st.list();
  if (!list) return out;
  for (const auto& p : *list) {
    auto files = st.files(p.published_name);
    if (!files) continue;
    for (const auto& f : *files) out.emplace(std::make_pair(f.size, f.sha256), p.published_name + "'s " + f.relative_path);
  }
  return out;
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
  {
    auto& s = q("SELECT instance_id, published_name, files FROM devinst_installs ORDER BY id");
    while (s.row()) {
      const std::string who = s.text(0).empty() ? s.text(1) : s.text(0) + " (" + s.text(1) + ")";
      std::string files = s.text(2);
      for (std::size_t at = 0; at < files.size();) {
        auto nl = files.find('\n', at);
        if (nl == std::string::npos) nl = files.size();
        used.emplace_back(who, files.substr(at, nl - at));
        at = nl + 1;
      }
    }
  }
  for (const auto& [who, win] : used) {
    if (auto host = detail::inf_path_to_host(root, win)) expect(*host, "file of the driver installed on " + who + " is missing");
  }
  {
    auto& s = q("SELECT DISTINCT key FROM devinst_undo WHERE op IN (?, ?) ORDER BY key");
    s.bind(1, static_cast<std::int64_t>(detail::kUndoFileCreated)).bind(2, static_cast<std::int64_t>(detail::kUndoFileReplaced));
    while (s.row()) expect(s.text(0), "file placed by a device install is missing");
  }
  const auto staged = staged_files(*st);
  std::error_code ec;
  const fs::path windows = fs::path(root) / "Windows";
  for (auto it = fs::recursive_directory_iterator(windows, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || placed.count(it->path().string())) continue;
    if (outside_install_targets(root, it->path().string())) continue;
    const auto size = static_cast<std::uint64_t>(it->file_size(ec));
    const auto same_size = staged.lower_bound({size, ""});
    if (same_size == staged.end() || same_size->first.first != size) continue;  // hash only plausible copies
    auto sha = package::sha256_file(it->path().string());
    if (!sha) continue;
    if (auto hit = staged.find({size, *sha}); hit != staged.end()) {
      out.push_back({it->path().string(), "copy of " + hit->second + " that no install placed (left over)"});
    }
  }
  return out;
}

Result<std::vector<store::VerifyProblem>> Engine::verify_placed_files() const { return impl_->verify_placed_files(); }

}  // namespace isodrv::devinst
