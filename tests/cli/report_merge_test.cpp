// Sharded runs (issue 10 item 5): `check --shard I/N` splits the input files by a hash of their
// path; `report merge` joins the shards' JSON Lines into exactly the unsharded report.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

isodrv_test::CliRun run(const std::string& args) { return isodrv_test::run_in_source_dir(args, "env -u CI", "2>&1"); }

fs::path scratch() {
  fs::path d = fs::temp_directory_path() / ("isodrv-merge-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST(Shard, ThreeShardsMergedAreExactlyTheUnshardedRun) {
  const fs::path d = scratch();
  // Inputs in path order, as report merge orders files (a single folder is always in path order).
  const std::string inputs = " examples tests/rules";
  std::string shards;
  std::size_t files = 0;
  for (int i = 1; i <= 3; ++i) {
    const std::string out = (d / ("s" + std::to_string(i) + ".jsonl")).string();
    auto r = run("check --info --format jsonl --shard " + std::to_string(i) + "/3" + inputs + " > '" + out + "'");
    EXPECT_EQ(r.rc, 1);
    const std::string text = isodrv_test::slurp(out);
    const std::size_t n = count(text, "{\"type\":\"file\"");
    EXPECT_GT(n, 10u) << "shard " << i << " is nearly empty: the partition is not spread";
    files += n;
    shards += " '" + out + "'";
  }
  for (const char* format : {"json", "sarif", "text", "jsonl"}) {
    auto whole = run(std::string("check --info --statistics --format ") + format + inputs);
    auto merged = run(std::string("report merge --info --statistics --format ") + format + shards);
    EXPECT_EQ(merged.rc, whole.rc) << format;
    EXPECT_EQ(merged.out, whole.out) << format;
  }
  EXPECT_EQ(files, count(run("check --format jsonl" + inputs).out, "{\"type\":\"file\""));
  // The partition depends on the paths only: the same shard twice is the same files.
  EXPECT_EQ(run("check --info --format jsonl --shard 2/3" + inputs).out, isodrv_test::slurp(d / "s2.jsonl"));
  fs::remove_all(d);
}

TEST(Shard, RefusesBadShardSpecs) {
  for (const char* spec : {"0/3", "4/3", "1/0", "x", "1/", "/3", "1/3/4"}) {
    auto r = run(std::string("check --shard ") + spec + " tests/rules");
    EXPECT_EQ(r.rc, 2) << spec << ": " << r.out;
  }
}

TEST(ReportMerge, RefusesAnUnfinishedOrForeignReportBeforeWritingAnything) {
  const fs::path d = scratch();
  const fs::path good = d / "good.jsonl", cut = d / "cut.jsonl", foreign = d / "foreign.jsonl";
  run("check --format jsonl tests/rules/1202 > '" + good.string() + "'");
  std::string text = isodrv_test::slurp(good);
  std::ofstream(cut, std::ios::binary) << text.substr(0, text.rfind("{\"type\":\"summary\""));
  std::ofstream(foreign, std::ios::binary) << "{\"type\":\"file\"}\n";
  auto r = isodrv_test::run_in_source_dir("report merge '" + good.string() + "' '" + cut.string() + "'", "env -u CI", "2>/dev/null");
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.out, "");
  auto e = run("report merge '" + good.string() + "' '" + cut.string() + "'");
  EXPECT_NE(e.out.find("ends without the summary record"), std::string::npos) << e.out;
  auto f = run("report merge '" + foreign.string() + "'");
  EXPECT_EQ(f.rc, 2);
  EXPECT_NE(f.out.find("foreign.jsonl:1: not a record"), std::string::npos) << f.out;
  auto m = run("report merge '" + (d / "missing.jsonl").string() + "'");
  EXPECT_EQ(m.rc, 3);
  fs::remove_all(d);
}
