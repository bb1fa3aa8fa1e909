// Driver store staging speed over the corpus: every corpus INF that stages (as in
// tests/store/corpus_stage_test.cpp: templates skipped, stamp tokens resolved, dummy payloads and
// catalogs), staged into a fresh store per iteration. Baselines in the same run over the same files:
// a plain recursive copy (what `cp -r` does) and a copy that fsyncs every file and folder, which is
// the durability the store's staging protocol pays for.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "isodrv/package.h"
#include "isodrv/stamp_tokens.h"
#include "isodrv/store.h"
#include "../tests/support/staging.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

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

fs::path fresh_dir(const char* tag) {
  static std::mt19937_64 rng{std::random_device{}()};
  auto d = fs::temp_directory_path() / (std::string("isodrv-store-bench-") + tag + "-" + std::to_string(rng()));
  fs::create_directories(d);
  return d;
}

// The package folders, built once: one folder per corpus INF that stages.
struct Packages {
  fs::path base;
  std::vector<fs::path> folders;
  std::vector<std::string> infs;
  std::uint64_t files = 0, bytes = 0;

  Packages() {
    const fs::path corpus = ISODRV_CORPUS_DIR;
    if (!fs::exists(corpus / "MANIFEST.tsv")) return;
    base = fresh_dir("pkgs");
    std::ifstream manifest(corpus / "MANIFEST.tsv");
    std::string line;
    std::getline(manifest, line);
    std::size_t n = 0;
    while (std::getline(manifest, line)) {
      std::string rel = line.substr(0, line.find('\t'));
      std::string bytes_in = slurp(corpus / rel);
      if (is_template(rel, bytes_in)) continue;
      std::string stamped = isodrv::stamp::accept_tokens_for_check(bytes_in, isodrv::inf::Arch::amd64);
      auto doc = isodrv::inf::Document::parse(stamped, rel);
      if (!doc.ok()) continue;
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
        if (isodrv::inf::iequals(f.relative_path, name)) continue;
        fs::path dest = pkg / f.relative_path;
        fs::create_directories(dest.parent_path());
        std::ofstream(dest, std::ios::binary) << "dummy payload for " << f.relative_path;
      }
      if (auto cat = isodrv::package::catalog_file(*doc, target.arch)) {
        if (auto r = isodrv::package::normalize_relative_path(*cat)) {
          fs::create_directories((pkg / *r).parent_path());
          std::ofstream(pkg / *r, std::ios::binary) << "dummy catalog";
        }
      }
      if (escapes) {  // refused by the store (path_escape); not part of the benchmark
        fs::remove_all(pkg);
        continue;
      }
      folders.push_back(pkg);
      infs.push_back((pkg / name).string());
    }
    // Keep only packages that stage, so every iteration does the same work.
    auto probe_root = fresh_dir("probe");
    auto store = isodrv::store::Store::open((probe_root / "root").string());
    std::vector<fs::path> kept_folders;
    std::vector<std::string> kept_infs;
    isodrv::store::AddOptions opts = isodrv::test::staging();
    opts.allow_unisolated = true;
    for (std::size_t i = 0; i < infs.size(); ++i) {
      auto added = store->add(infs[i], opts);
      if (!added.ok()) continue;
      kept_folders.push_back(folders[i]);
      kept_infs.push_back(infs[i]);
      for (auto& e : fs::recursive_directory_iterator(folders[i])) {
        if (e.is_regular_file()) {
          ++files;
          bytes += e.file_size();
        }
      }
    }
    fs::remove_all(probe_root);
    folders = std::move(kept_folders);
    infs = std::move(kept_infs);
  }
  ~Packages() {
    if (!base.empty()) fs::remove_all(base);
  }
};

Packages& packages() {
  static Packages p;
  return p;
}

void counters(benchmark::State& state) {
  const auto& p = packages();
  const double n = static_cast<double>(p.folders.size());
  state.counters["packages"] = n;
  state.counters["files"] = static_cast<double>(p.files);
  state.counters["packages/s"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_StageCorpus(benchmark::State& state) {
  auto& p = packages();
  if (p.folders.empty()) {
    state.SkipWithError("corpus not found; nothing to stage");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path dir = fresh_dir("stage");
    state.ResumeTiming();
    auto store = isodrv::store::Store::open((dir / "root").string());
    isodrv::store::AddOptions opts = isodrv::test::staging();
    opts.allow_unisolated = true;
    std::size_t ok = 0;
    for (const auto& inf : p.infs) ok += store->add(inf, opts).ok();
    benchmark::DoNotOptimize(ok);
    state.PauseTiming();
    if (ok != p.infs.size()) state.SkipWithError("a package failed to stage");
    store = isodrv::store::Store::open((dir / "root2").string());  // closes the first store
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  counters(state);
}

// cp -r of every package folder.
void BM_CopyBaseline(benchmark::State& state) {
  auto& p = packages();
  if (p.folders.empty()) {
    state.SkipWithError("corpus not found");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path dir = fresh_dir("copy");
    state.ResumeTiming();
    for (std::size_t i = 0; i < p.folders.size(); ++i) {
      fs::copy(p.folders[i], dir / std::to_string(i), fs::copy_options::recursive);
    }
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  counters(state);
}

bool copy_fsync(const fs::path& from, const fs::path& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return false;
  }
  char buf[65536];
  ssize_t n;
  bool ok = true;
  while ((n = ::read(in, buf, sizeof buf)) > 0) ok = ok && ::write(out, buf, static_cast<std::size_t>(n)) == n;
  ok = ok && n == 0 && ::fsync(out) == 0;
  ::close(in);
  ::close(out);
  return ok;
}

void fsync_dir(const fs::path& d) {
  int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The same copy, with every file and folder fsynced (the store's staging protocol fsyncs the
// staged files, the package folder and the folders it renames into).
void BM_CopyFsyncBaseline(benchmark::State& state) {
  auto& p = packages();
  if (p.folders.empty()) {
    state.SkipWithError("corpus not found");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path dir = fresh_dir("copysync");
    state.ResumeTiming();
    for (std::size_t i = 0; i < p.folders.size(); ++i) {
      const fs::path dest = dir / std::to_string(i);
      fs::create_directories(dest);
      for (auto& e : fs::recursive_directory_iterator(p.folders[i])) {
        const fs::path target = dest / fs::relative(e.path(), p.folders[i]);
        if (e.is_directory()) {
          fs::create_directories(target);
        } else if (!copy_fsync(e.path(), target)) {
          state.SkipWithError("copy failed");
        }
      }
      for (auto& e : fs::recursive_directory_iterator(dest)) {
        if (e.is_directory()) fsync_dir(e.path());
      }
      fsync_dir(dest);
    }
    fsync_dir(dir);
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  counters(state);
}

}  // namespace

BENCHMARK(BM_StageCorpus)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_CopyBaseline)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_CopyFsyncBaseline)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

BENCHMARK_MAIN();
