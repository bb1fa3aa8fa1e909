// SARIF and GitHub output for every form of input path (issue 10 item 4): relative to the current
// folder or --sarif-base when under it, else absolute file:// URIs; columns of UTF-16 files in
// UTF-16 units; one rules entry per code with helpUri and fullDescription; validated by
// Microsoft's SARIF Multitool over absolute and relative inputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "support/cli_run.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

isodrv_test::CliRun run(const std::string& args) { return isodrv_test::run_in_source_dir(args, "env -u CI"); }

const std::string kFixture = "tests/cli/fixtures/nonisolated.inf";

fs::path outside() {
  fs::path d = fs::temp_directory_path() / ("isodrv-sarif-paths-" + std::to_string(::getpid()));
  fs::create_directories(d / "sub dir");
  fs::copy_file(fs::path(ISODRV_SOURCE_DIR) / kFixture, d / "sub dir" / "x.inf", fs::copy_options::overwrite_existing);
  return d;
}

std::set<std::pair<std::string, std::string>> artifacts(const json& sarif) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& r : sarif["runs"][0]["results"]) {
    const auto& a = r["locations"][0]["physicalLocation"]["artifactLocation"];
    out.emplace(a["uri"], a.value("uriBaseId", ""));
  }
  return out;
}

}  // namespace

TEST(SarifPaths, RelativeUnderTheBaseElseFileUris) {
  const fs::path d = outside();
  const std::string abs_inside = (fs::path(ISODRV_SOURCE_DIR) / kFixture).string();
  const std::string abs_outside = (d / "sub dir" / "x.inf").string();
  json s = json::parse(run("check --format sarif " + kFixture + " './" + kFixture + "' '" + abs_inside + "' '" +
                           abs_outside + "'").out);
  auto a = artifacts(s);
  EXPECT_TRUE(a.count({kFixture, "%SRCROOT%"}));
  EXPECT_TRUE(a.count({"file://" + d.string() + "/sub%20dir/x.inf", ""})) << s.dump(1);
  EXPECT_EQ(a.size(), 2u) << "relative, ./relative and absolute-under-cwd are the same artifact";
  for (const auto& [uri, base] : a) EXPECT_NE(uri.front(), '/') << "a relative reference must not start with '/'";

  // --sarif-base: relative to it; its URI is given in originalUriBaseIds.
  json b = json::parse(run("check --format sarif --sarif-base '" + d.string() + "' " + kFixture + " '" + abs_outside + "'").out);
  auto ab = artifacts(b);
  EXPECT_TRUE(ab.count({"sub%20dir/x.inf", "%SRCROOT%"}));
  EXPECT_TRUE(ab.count({"file://" + std::string(ISODRV_SOURCE_DIR) + "/" + kFixture, ""}));
  EXPECT_EQ(b["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://" + d.string() + "/");
  EXPECT_EQ(run("check --format sarif --sarif-base /no/such/dir " + kFixture).rc, 2);

  // GitHub annotations: relative to the workspace (the current folder) for a path under it.
  auto g = run("check --format github '" + abs_inside + "'").out;
  EXPECT_NE(g.find("file=" + kFixture + ","), std::string::npos) << g;
  fs::remove_all(d);
}

TEST(SarifPaths, OneRuleEntryPerCodeWithHelpUriAndFullDescription) {
  json s = json::parse(run("check --format sarif tests/rules").out);
  const auto& rules = s["runs"][0]["tool"]["driver"]["rules"];
  std::set<std::string> ids;
  for (const auto& r : rules) {
    EXPECT_TRUE(ids.insert(r["id"].get<std::string>()).second) << r["id"];
    ASSERT_TRUE(r.contains("helpUri")) << r["id"];
    EXPECT_EQ(r["helpUri"].get<std::string>().rfind("https://", 0), 0u);
    EXPECT_FALSE(r["fullDescription"]["text"].get<std::string>().empty()) << r["id"];
  }
  for (const auto& res : s["runs"][0]["results"]) {
    EXPECT_EQ(rules[res["ruleIndex"].get<std::size_t>()]["id"], res["ruleId"]);
    EXPECT_TRUE(ids.count(res["ruleId"]));
  }
}

TEST(SarifPaths, Utf16FileColumnsCountUtf16Units) {
  const fs::path d = outside();
  // "Include=" then ü ü U+1F600 (two UTF-16 units) ".inf, " before the second name: column 19.
  std::u16string text = u"[Version]\r\nSignature=\"$WINDOWS NT$\"\r\nClass=System\r\n"
                        u"ClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}\r\nProvider=T\r\n"
                        u"DriverVer=01/01/2024,1.0.0.0\r\nPnpLockdown=1\r\nCatalogFile=a.cat\r\n"
                        u"[Manufacturer]\r\nT=M,NTamd64\r\n[M.NTamd64]\r\nDev=I,ROOT\\X\r\n[I.NT]\r\n"
                        u"Include=\u00fc\u00fc\U0001F600.inf, helper.inf\r\n";
  {
    std::ofstream f(d / "u16.inf", std::ios::binary);
    f.write("\xff\xfe", 2);
    for (char16_t c : text) f.put(static_cast<char>(c & 0xFF)).put(static_cast<char>(c >> 8));
  }
  json s = json::parse(run("check --format sarif '" + (d / "u16.inf").string() + "'").out);
  EXPECT_EQ(s["runs"][0]["columnKind"], "utf16CodeUnits");
  std::set<int> columns;
  for (const auto& r : s["runs"][0]["results"]) {
    if (r["ruleId"] == "1202") columns.insert(r["locations"][0]["physicalLocation"]["region"]["startColumn"].get<int>());
  }
  EXPECT_EQ(columns, (std::set<int>{9, 19}));
  fs::remove_all(d);
}

TEST(SarifPaths, MultitoolValidatesAbsoluteRelativeAndBasedOutput) {
  if (std::system("command -v npm >/dev/null 2>&1") != 0) GTEST_SKIP() << "npm not available: SARIF validation skipped";
  fs::path cache = fs::path(ISODRV_CLI).parent_path().parent_path() / "sarif-multitool";
  fs::path tool = cache / "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
  if (!fs::exists(tool)) {
    std::string install = "timeout 300 npm install --silent --no-audit --no-fund --prefix '" + cache.string() +
                          "' @microsoft/sarif-multitool-linux@5.7.0 >/dev/null 2>&1";
    if (std::system(install.c_str()) != 0 || !fs::exists(tool)) {
      GTEST_SKIP() << "could not install @microsoft/sarif-multitool-linux from npm: SARIF validation skipped";
    }
  }
  fs::permissions(tool, fs::perms::owner_exec, fs::perm_options::add);
  const fs::path d = outside();
  const std::string abs_inside = (fs::path(ISODRV_SOURCE_DIR) / kFixture).string();
  const std::string abs_outside = (d / "sub dir" / "x.inf").string();
  const std::vector<std::string> runs = {
      "check --format sarif " + kFixture + " tests/rules/1209/bad.inf",
      "check --format sarif '" + abs_inside + "' '" + abs_outside + "'",
      "check --format sarif --sarif-base '" + d.string() + "' '" + abs_inside + "' '" + abs_outside + "'",
  };
  for (std::size_t i = 0; i < runs.size(); ++i) {
    fs::path sarif = cache / ("paths" + std::to_string(i) + ".sarif");
    fs::path result = cache / ("paths" + std::to_string(i) + ".validation.sarif");
    run(runs[i] + " > '" + sarif.string() + "'");
    std::string cmd = "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 timeout 300 '" + tool.string() + "' validate '" +
                      sarif.string() + "' -o '" + result.string() + "' --log ForceOverwrite >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "Sarif.Multitool validate failed to run";
    std::string report = isodrv_test::slurp(result);
    EXPECT_EQ(report.find("\"ruleId\""), std::string::npos) << runs[i] << "\n" << report;
  }
  fs::remove_all(d);
}
