// The DIRID table (include/isodrv/dirids.h) against spec/dirids.md: every DIRID row of the spec has
// a table row with the same 24H2 and /h columns, and dirid_path resolves the stock paths.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "isodrv/inf.h"

using namespace isodrv::inf;

namespace {

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string c;
  while (std::getline(ss, c, '|')) {
    const auto b = c.find_first_not_of(' '), e = c.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : c.substr(b, e - b + 1));
  }
  return out;
}

}  // namespace

TEST(DiridTable, MatchesTheSpecColumns) {
  const std::filesystem::path spec = std::filesystem::path(ISODRV_SPEC_DIR) / "dirids.md";
  if (!std::filesystem::exists(spec)) GTEST_SKIP() << "spec not found at " << spec;
  std::ifstream in(spec);
  std::string line;
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    auto c = cells(line);
    // | DIRID | name | meaning | path | 24H2 | /h | /u | /w |  (c[0] is the text before the first '|')
    if (c.size() < 9 || c[1].empty() || !(std::isdigit(static_cast<unsigned char>(c[1][0])) || c[1].rfind("\u2212", 0) == 0)) {
      continue;
    }
    std::vector<long> ids;
    if (c[1].rfind("\u2212", 0) == 0) ids = {-1, 65535};  // "−1 (65535)"
    else ids = {std::stol(c[1])};
    for (long id : ids) {
      const DiridInfo* d = find_dirid(id);
      ASSERT_NE(d, nullptr) << "DIRID " << id << " of spec/dirids.md is not in the table";
      EXPECT_EQ(d->deprecated_24h2, c[5] == "yes") << "24H2 column of DIRID " << id;
      EXPECT_EQ(d->h_exception, c[6] == "yes") << "/h column of DIRID " << id;
      ++rows;
    }
  }
  EXPECT_GE(rows, 40u) << "spec/dirids.md rows were not read";
}

TEST(DiridTable, StockPaths) {
  DiridContext ctx;
  ctx.windows_dir = "C:\\Windows";
  ctx.system_drive = "C:";
  ctx.src_path = "D:\\pkg";
  EXPECT_EQ(dirid_path(kDiridDrivers, ctx), "C:\\Windows\\System32\\drivers");
  EXPECT_EQ(dirid_path(kDiridDriverStore, ctx), "C:\\Windows\\System32\\DriverStore\\FileRepository");
  EXPECT_EQ(dirid_path(16422, ctx), "C:\\Program Files");
  EXPECT_EQ(dirid_path(kDiridSource, ctx), "D:\\pkg");
  EXPECT_EQ(dirid_path(kDiridAbsolute, ctx), "");
  EXPECT_EQ(dirid_path(66004, ctx), std::nullopt) << "defined, without a stock path";
  EXPECT_EQ(dirid_path(99, ctx), std::nullopt);
  EXPECT_TRUE(dirid_deprecated_24h2(17));
  EXPECT_TRUE(dirid_h_exception(66004));
  EXPECT_FALSE(dirid_h_exception(kDiridDriverStore)) << "13 is the target, not an exception";
}
