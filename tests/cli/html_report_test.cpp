// --format html (issue 10 item 3) in a real headless Chromium: the page loads without script
// errors, its counts equal the JSON report's, and a filter hides rows. Skipped, saying so, where
// /usr/bin/chromium is absent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

isodrv_test::CliRun run(const std::string& args) { return isodrv_test::run_in_source_dir(args, "env -u CI"); }

// The DOM after load, from headless Chromium with a fresh profile and no network.
std::string dump_dom(const fs::path& page, const std::string& hash, const fs::path& profile) {
  const std::string cmd = "timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                          "--disable-background-networking --disable-component-update --disable-sync --user-data-dir='" +
                          profile.string() + "' --dump-dom 'file://" + page.string() + hash + "' 2>/dev/null";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string attr(const std::string& dom, const std::string& re) {
  std::smatch m;
  return std::regex_search(dom, m, std::regex(re)) ? m[1].str() : std::string();
}

}  // namespace

TEST(HtmlReport, LoadsInChromiumWithTheJsonCountsAndFilters) {
  const std::string inputs = " tests/rules examples";
  const std::string html = run("check --format html" + inputs).out;
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")) << "the page must not load anything";
  EXPECT_EQ(html.find("https://"), std::string::npos);
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "/usr/bin/chromium not installed: HTML report not tested in a browser";
  const fs::path d = fs::temp_directory_path() / ("isodrv-html-" + std::to_string(::getpid()));
  fs::create_directories(d / "profile");
  const fs::path page = d / "report.html";
  run("check --format html" + inputs + " > '" + page.string() + "'");
  auto json = nlohmann::json::parse(run("check --format json" + inputs).out);
  const std::size_t total = json["summary"]["errors"].get<std::size_t>() + json["summary"]["warnings"].get<std::size_t>();
  std::size_t with_1322 = 0;
  for (const auto& f : json["files"]) {
    for (const auto& x : f["diagnostics"]) with_1322 += x["code"] == 1322;
  }

  std::string dom = dump_dom(page, "", d / "profile");
  ASSERT_NE(dom.find("data-ready=\"1\""), std::string::npos) << "the page's script did not finish:\n" << dom.substr(0, 2000);
  EXPECT_EQ(dom.find("data-error="), std::string::npos);
  EXPECT_EQ(attr(dom, "data-total=\"(\\d+)\""), std::to_string(total));
  EXPECT_EQ(attr(dom, "data-visible=\"(\\d+)\""), std::to_string(total));
  EXPECT_EQ(attr(dom, "id=\"n-files\">files<b>(\\d+)</b>"), std::to_string(json["summary"]["files"].get<std::size_t>()));
  EXPECT_EQ(attr(dom, "id=\"n-errors\">errors<b>(\\d+)</b>"), std::to_string(json["summary"]["errors"].get<std::size_t>()));

  // A filter by code hides every other row.
  ASSERT_GT(with_1322, 0u);
  std::string filtered = dump_dom(page, "#code=1322", d / "profile");
  EXPECT_EQ(attr(filtered, "data-visible=\"(\\d+)\""), std::to_string(with_1322));
  EXPECT_LT(with_1322, total);
  fs::remove_all(d);
}
