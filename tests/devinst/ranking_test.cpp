// Ranking per driver-store.md §7: identifier scores, feature score, signature score and tie-breakers.
#include <gtest/gtest.h>

#include "isodrv/ranking.h"

using namespace isodrv;

namespace {

// The entry's IDs are views (as the model's are): `ids` must outlive it.
package::ModelEntry entry(const std::vector<std::string>& ids) {
  package::ModelEntry e;
  e.hardware_ids.assign(ids.begin(), ids.end());
  return e;
}

struct ScoreRow {
  const char* proves;
  std::vector<std::string> device_hw, device_compat, inf_ids;
  std::optional<std::uint32_t> expected;
};

}  // namespace

TEST(Ranking, IdentifierScoreTable) {
  const ScoreRow rows[] = {
      {"§7.2: device hardware ID #0 = INF hardware ID", {"PCI\\VEN_1&DEV_2&REV_01", "PCI\\VEN_1&DEV_2"}, {}, {"pci\\ven_1&dev_2&rev_01"}, 0x0000},
      {"§7.2: device hardware ID #1 = INF hardware ID", {"PCI\\VEN_1&DEV_2&REV_01", "PCI\\VEN_1&DEV_2"}, {}, {"PCI\\VEN_1&DEV_2"}, 0x0001},
      {"§7.2: device hardware ID #1 = an INF compatible ID (INF position ignored)", {"A", "B"}, {}, {"X", "Y", "B"}, 0x1001},
      {"§7.2: device compatible ID #2 = INF hardware ID", {"A"}, {"C0", "C1", "C2"}, {"C2"}, 0x2002},
      {"§7.2: compatible #1 = INF compatible #0", {"A"}, {"C0", "C1"}, {"X", "C1"}, 0x3001},
      {"§7.2: compatible #1 = INF compatible #2 adds 0x200", {"A"}, {"C0", "C1"}, {"X", "Y", "Z", "C1"}, 0x3201},
      {"§7.2: the best (lowest) of several matches wins", {"A", "B"}, {"C"}, {"C", "B"}, 0x1001},
      {"§7.1: no common ID, no candidate", {"A"}, {"B"}, {"C", "D"}, std::nullopt},
      {"§7.1: IDs compare case-insensitively", {"usb\\vid_045e&pid_0001"}, {}, {"USB\\VID_045E&PID_0001"}, 0x0000},
  };
  for (const auto& r : rows) {
    devinst::DeviceIds dev{r.device_hw, r.device_compat};
    EXPECT_EQ(devinst::identifier_score(dev, entry(r.inf_ids)), r.expected) << r.proves;
  }
}

TEST(Ranking, DriverVerParsing) {
  auto v = devinst::parse_driver_ver("11/24/2026", "1.2.3.4");
  EXPECT_EQ(v.date, 20261124u);
  EXPECT_EQ(v.version, (1ull << 48) | (2ull << 32) | (3ull << 16) | 4);
  EXPECT_EQ(devinst::parse_driver_ver("2026-11-24", "1").date, 0u) << "not mm/dd/yyyy: ranks as 00/00/0000";
  EXPECT_EQ(devinst::parse_driver_ver("11-24-2026", "1").date, 20261124u) << "'-' may replace '/'";
}

// Issue 16: check accepted 6/1/2024 while ranking wanted exactly mm/dd/yyyy; both now read the date
// with inf::parse_driver_date (docs/inf-engine.md, "Lexical facts: one parser each").
TEST(Ranking, OneDigitMonthAndDayRankAsDated) {
  EXPECT_EQ(devinst::parse_driver_ver("6/1/2024", "1.0.0.0").date, 20240601u);
  EXPECT_EQ(devinst::parse_driver_ver("6-1-2024", "1.0.0.0").date, 20240601u);
  EXPECT_EQ(devinst::parse_driver_ver("02/30/2024", "1.0.0.0").date, 0u) << "not a calendar date, as check says";
  devinst::Match dated, undated;
  dated.rank = undated.rank = 0x80FF0000;
  dated.driver_ver = devinst::parse_driver_ver("6/1/2024", "1.0.0.0");
  undated.driver_ver = devinst::parse_driver_ver("", "9.0.0.0");
  EXPECT_TRUE(devinst::better(dated, undated)) << "a dated driver beats an undated one of higher version";
  undated.driver_ver = devinst::parse_driver_ver("05/31/2024", "9.0.0.0");
  EXPECT_TRUE(devinst::better(dated, undated)) << "6/1/2024 is newer than 05/31/2024";
}

TEST(Ranking, BestMatchUsesFeatureScoreDecorationAndApplicableModels) {
  const char* text =
      "[Version]\nSignature=\"$Windows NT$\"\nDriverVer=01/02/2025,1.0.0.0\n"
      "[Manufacturer]\n%M%=Mfg,NTamd64.10.0...19041,NTx86\n"
      "[Mfg.NTamd64.10.0...19041]\n%D%=Dev, PCI\\VEN_1&DEV_2, PCI\\CC_0300\n"
      "[Mfg.NTx86]\n%D%=Old, PCI\\VEN_1&DEV_2\n"
      "[Dev.NTamd64]\nFeatureScore=0xFD\nDriverVer=03/04/2026,2.0.0.0\n"
      "[Old]\n"
      "[Strings]\nM=\"m\"\nD=\"d\"\n";
  auto doc = inf::Document::parse(text, "x.inf");
  ASSERT_TRUE(doc.ok());
  auto pkg = package::build_package(*doc, inf::Target{});
  devinst::DeviceIds dev{{"PCI\\VEN_1&DEV_2&SUBSYS_0"}, {"PCI\\VEN_1&DEV_2", "PCI\\CC_0300"}};
  auto m = devinst::best_match(pkg, dev, devinst::Signing::unsigned_package);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->ddinstall, "Dev.NTamd64");
  EXPECT_EQ(m->feature_score, 0xFD);
  EXPECT_EQ(m->identifier_score, 0x2000u);  // compatible #0 = INF hardware ID
  EXPECT_EQ(m->rank, (0x80u << 24) | (0xFDu << 16) | 0x2000u);
  EXPECT_EQ(m->driver_ver.date, 20260304u) << "DDInstall DriverVer overrides [Version]";
  // A trusted signature outranks the NT decoration: signature score 0 in the top byte.
  auto s = devinst::best_match(pkg, dev, devinst::Signing::signed_package);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->signature_score, devinst::kSignatureSigned);
  EXPECT_EQ(s->rank, (0xFDu << 16) | 0x2000u);
}

TEST(Ranking, TieBreakersAreDateThenVersion) {
  devinst::Match a, b;
  a.rank = b.rank = 0x80FF0000;
  a.driver_ver = devinst::parse_driver_ver("01/01/2026", "1.0.0.0");
  b.driver_ver = devinst::parse_driver_ver("02/01/2026", "0.1.0.0");
  EXPECT_TRUE(devinst::better(b, a)) << "newer date wins over higher version";
  b.driver_ver = devinst::parse_driver_ver("01/01/2026", "1.0.0.1");
  EXPECT_TRUE(devinst::better(b, a)) << "same date: higher version wins";
  b.rank = 0x80FF0001;
  EXPECT_TRUE(devinst::better(a, b)) << "lower rank wins first";
}
