// --html FILE (issue 10 item 3): the HTML page written beside another format from one run, by
// `check` and `report merge`; the main output is unchanged, the page is exactly `--format html`'s,
// and a run that stops early or cannot write the page leaves FILE as it was.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

isodrv_test::CliRun run(const std::string& args, const std::string& err = "2>/dev/null") {
  return isodrv_test::run_in_source_dir(args, "env -u CI", err);
}

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("isodrv-htmlfile-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

bool has_partial(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
  }
  return false;
}

const std::string kInputs = " examples tests/rules";

}  // namespace

TEST(HtmlFile, WrittenBesideEveryFormatFromOneRun) {
  const fs::path d = scratch("beside");
  const std::string page = (d / "report.html").string();
  const std::string html = run("check --format html" + kInputs).out;
  ASSERT_NE(html.find("isodrv-data"), std::string::npos);
  for (const char* format : {"sarif", "json", "text", "jsonl", "html"}) {
    for (const char* jobs : {"-j1", "-j2"}) {
      const std::string opts = std::string(" --format ") + format + " " + jobs;
      auto alone = run("check" + opts + kInputs);
      fs::remove(page);
      auto both = run("check" + opts + " --html '" + page + "'" + kInputs);
      EXPECT_EQ(both.rc, alone.rc) << format << jobs;
      EXPECT_EQ(both.rc, 1) << format << jobs;
      EXPECT_EQ(both.out, alone.out) << format << jobs << ": the main output changed";
      EXPECT_EQ(isodrv_test::slurp(page), html) << format << jobs << ": the page differs from --format html";
    }
  }
  EXPECT_FALSE(has_partial(d));
  fs::remove_all(d);
}

TEST(HtmlFile, ReportMergeWritesThePageOfTheWholeRun) {
  const fs::path d = scratch("merge");
  std::string shards;
  for (int i = 1; i <= 2; ++i) {
    const std::string out = (d / ("s" + std::to_string(i) + ".jsonl")).string();
    run("check --format jsonl --shard " + std::to_string(i) + "/2" + kInputs + " > '" + out + "'");
    shards += " '" + out + "'";
  }
  const std::string page = (d / "merged.html").string();
  auto merged = run("report merge --format sarif --html '" + page + "'" + shards);
  auto whole = run("check --format sarif" + kInputs);
  EXPECT_EQ(merged.rc, whole.rc);
  EXPECT_EQ(merged.out, whole.out);
  EXPECT_EQ(isodrv_test::slurp(page), run("check --format html" + kInputs).out);
  fs::remove_all(d);
}

TEST(HtmlFile, ARunThatStopsOrCannotWriteLeavesTheFileAsItWas) {
  const fs::path d = scratch("fail");
  // The second folder's configuration has a bad mode: found only when its files' turn comes, after
  // the first folder's files were written.
  fs::create_directories(d / "a");
  fs::create_directories(d / "b");
  fs::copy_file(fs::path(ISODRV_SOURCE_DIR) / "tests/rules/1322/bad.inf", d / "a/x.inf");
  fs::copy_file(fs::path(ISODRV_SOURCE_DIR) / "tests/rules/1322/bad.inf", d / "b/y.inf");
  std::ofstream(d / "b/isodrv.toml") << "mode = \"z\"\n";
  const fs::path page = d / "report.html";
  std::ofstream(page) << "previous report\n";
  auto r = run("check --format json --html '" + page.string() + "' '" + d.string() + "'");
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(isodrv_test::slurp(page), "previous report\n");
  EXPECT_FALSE(has_partial(d));

  // A folder that does not exist: refused before anything is written to standard output.
  r = run("check --format html --html '" + (d / "no/such/report.html").string() + "' tests/rules/1322", "2>&1");
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.out.rfind("isodrv: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("report.html: cannot write the HTML report"), std::string::npos) << r.out;
  r = run("check --html - tests/rules/1322", "2>&1");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("--html takes a file name"), std::string::npos) << r.out;
  fs::remove_all(d);
}
