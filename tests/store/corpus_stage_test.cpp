// Stages every corpus INF that opens as an INF (build templates excluded; .inx and token-bearing
// files stamped first) with dummy payload files, then deletes it, verifying the store after each step.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "isodrv/package.h"
#include "isodrv/stamp_tokens.h"
#include "isodrv/store.h"
#include "support/cli_run.h"
#include "support/staging.h"

namespace fs = std::filesystem;

namespace {

using isodrv_test::slurp;

bool is_template(const std::string& path, const std::string& bytes) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".in") == 0) return true;
  auto has_placeholder = [&](char c) {
    for (std::size_t i = bytes.find(c); i != std::string::npos; i = bytes.find(c, i + 1)) {
      std::size_t j = i + 1;
      while (j < bytes.size() && (std::isalnum(static_cast<unsigned char>(bytes[j])) || bytes[j] == '_')) ++j;
      if (j > i + 2 && j < bytes.size() && bytes[j] == c) return true;
    }
    return false;
  };
  return has_placeholder('@') || has_placeholder('#');
}

}  // namespace

TEST(CorpusStaging, EveryCorpusInfStagesAndDeletesCleanly) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  if (!fs::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  const fs::path base = fs::temp_directory_path() / ("isodrv-corpus-stage-" + std::to_string(::getpid()));
  fs::remove_all(base);
  const fs::path root = base / "root";
  auto store = isodrv::store::Store::open(root.string());
  ASSERT_TRUE(store.ok());

  std::ifstream manifest(corpus / "MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);
  std::size_t staged = 0, skipped_not_inf = 0, skipped_template = 0, refused_escape = 0, n = 0;
  std::ostringstream failures;
  while (std::getline(manifest, line)) {
    std::string rel = line.substr(0, line.find('\t'));
    std::string bytes = slurp(corpus / rel);
    if (is_template(rel, bytes)) {
      ++skipped_template;
      continue;
    }
    // .inx files and .inf files that still carry stamp tokens go through stamping first.
    std::string stamped = isodrv::stamp::accept_tokens_for_check(bytes, isodrv::inf::Arch::amd64);
    auto doc = isodrv::inf::Document::parse(stamped, rel);
    if (!doc.ok()) {
      ++skipped_not_inf;
      continue;
    }
    const fs::path pkg = base / ("pkg" + std::to_string(n++));
    fs::create_directories(pkg);
    std::string name = fs::path(rel).stem().string() + ".inf";
    std::ofstream(pkg / name, std::ios::binary) << stamped;
    isodrv::inf::Target target;
    auto model = isodrv::package::build_package(*doc, target);
    bool escapes = false;
    for (const auto& f : isodrv::package::staged_payload(model)) {
      if (f.relative_path.empty()) {
        escapes = true;
        continue;
      }
      fs::path dest = pkg / f.relative_path;
      if (isodrv::inf::iequals(f.relative_path, name)) continue;  // some packages list their own INF
      fs::create_directories(dest.parent_path());
      std::ofstream(dest, std::ios::binary) << "dummy payload for " << f.relative_path;
    }
    if (auto cat = isodrv::package::catalog_file(*doc, target.arch)) {
      if (auto r = isodrv::package::normalize_relative_path(*cat)) {
        fs::create_directories((pkg / *r).parent_path());
        std::ofstream(pkg / *r, std::ios::binary) << "dummy catalog";
      }
    }
    isodrv::store::AddOptions opts = isodrv::test::staging();
    opts.allow_unisolated = true;
    auto added = store->add((pkg / name).string(), opts);
    if (!added.ok()) {
      if (escapes && added.error().code == isodrv::Errc::path_escape) {
        ++refused_escape;  // the file names a path outside its package: refusing is the contract
        continue;
      }
      failures << rel << ": add failed: " << added.error().to_string() << "\n";
      continue;
    }
    const auto& p = added->package;
    if (!fs::is_directory(store->folder_path(p))) failures << rel << ": no package folder\n";
    if (!fs::is_regular_file(store->published_inf_path(p))) failures << rel << ": no published INF\n";
    auto problems = store->verify();
    for (const auto& pr : *problems) failures << rel << " after add: " << pr.path << ": " << pr.message << "\n";
    if (!added->already_staged) {
      auto removed = store->remove(p.published_name, isodrv::store::Store::RemoveMode::unused_only);
      if (!removed.ok()) failures << rel << ": delete failed: " << removed.error().to_string() << "\n";
      if (fs::exists(store->folder_path(p))) failures << rel << ": folder left after delete\n";
    }
    problems = store->verify();
    for (const auto& pr : *problems) failures << rel << " after delete: " << pr.path << ": " << pr.message << "\n";
    ++staged;
  }
  fs::remove_all(base);
  std::cout << "[ corpus ] staged and deleted " << staged << " packages; " << skipped_template << " build templates and "
            << skipped_not_inf << " files that do not open as INFs skipped; " << refused_escape
            << " refused for paths that leave their package\n";
  EXPECT_GT(staged, 300u);
  EXPECT_EQ(failures.str(), "");
}
