// Streaming reports (issue 10 items 2 and 5, issue 18 "findings rendered streaming"): --format
// jsonl writes one record per file and a summary; every format's bytes are the same for any -j
// (files are written in input order as they are checked).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "support/cli_run.h"

namespace {

isodrv_test::CliRun run(const std::string& args) { return isodrv_test::run_in_source_dir(args, "env -u CI"); }

std::vector<nlohmann::json> lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(nlohmann::json::parse(l));
  return out;
}

}  // namespace

TEST(Jsonl, OneRecordPerFileThenASummaryMatchingJson) {
  const std::string inputs = "tests/rules tests/cli/fixtures/nonisolated.inf tests/no-such.inf";
  auto jsonl = run("check --format jsonl " + inputs);
  auto json = run("check --format json " + inputs);
  EXPECT_EQ(jsonl.rc, json.rc);
  auto records = lines(jsonl.out);
  auto report = nlohmann::json::parse(json.out);
  ASSERT_EQ(records.size(), report["files"].size() + 1);
  std::size_t findings = 0;
  for (std::size_t i = 0; i + 1 < records.size(); ++i) {
    const auto& r = records[i];
    const auto& f = report["files"][i];
    EXPECT_EQ(r["type"], "file");
    EXPECT_EQ(r["path"], f["path"]);
    EXPECT_EQ(r["valid"], f["valid"]);
    ASSERT_EQ(r["diagnostics"].size(), f["diagnostics"].size()) << r["path"];
    for (std::size_t k = 0; k < r["diagnostics"].size(); ++k) {
      for (const char* key : {"code", "line", "column", "severity", "message", "rule", "section"}) {
        EXPECT_EQ(r["diagnostics"][k][key], f["diagnostics"][k][key]) << key;
      }
    }
    findings += r["diagnostics"].size();
  }
  EXPECT_EQ(records[0]["package"], "tests/rules/1001");
  EXPECT_EQ(records.back()["type"], "summary");
  EXPECT_EQ(records.back()["files"], report["summary"]["files"]);
  EXPECT_EQ(records.back()["errors"], report["summary"]["errors"]);
  EXPECT_EQ(records.back()["warnings"], report["summary"]["warnings"]);
  EXPECT_EQ(records.back()["errors"].get<std::size_t>() + records.back()["warnings"].get<std::size_t>(), findings);
  // The missing file is a record like any other, marked unreadable.
  EXPECT_EQ(records[records.size() - 2]["path"], "tests/no-such.inf");
  EXPECT_EQ(records[records.size() - 2]["unreadable"], true);
  EXPECT_EQ(records[records.size() - 2]["encoding"], "");
}

TEST(Jsonl, RecordsTheEncodingRead) {
  auto out = run("check --format jsonl tests/cli/fixtures/nonisolated.inf");
  auto records = lines(out.out);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["encoding"], "ansi");
  EXPECT_EQ(records[0]["package"], "tests/cli/fixtures");
}

TEST(Streaming, EveryFormatIsTheSameForAnyNumberOfJobs) {
  for (const char* format : {"text", "infverif", "json", "jsonl", "sarif", "github"}) {
    const std::string args = std::string(" --statistics --info --format ") + format + " tests/rules examples";
    auto one = run("check -j1" + args);
    auto three = run("check -j3" + args);
    EXPECT_EQ(one.rc, 1) << format;
    EXPECT_EQ(one.out, three.out) << format;
  }
}
