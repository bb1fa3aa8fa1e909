// InfVerif /h checks each Models section with the signing rules of the last OS build that uses it,
// capped by /rulever; the /h rules (DIRID 13 with its exceptions, the DIRIDs 24H2 deprecated)
// begin with 24H2. `/rulever vnext` keeps no exceptions. Issue 15 part 3.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "isodrv/check.h"

namespace {

// [Old_Install] is used up to build 21999 only ([Wallaby.NTamd64.10.0...22000] takes over there).
constexpr const char* kInf = R"([Version]
Signature   = "$Windows NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %P%
CatalogFile = wallaby.cat
DriverVer   = 11/24/2026,1.0.0.1
PnpLockdown = 1

[Manufacturer]
%P% = Wallaby, NTamd64, NTamd64.10.0...22000

[Wallaby.NTamd64]
%D% = Old_Install, Root\Wallaby

[Wallaby.NTamd64.10.0...22000]
%D% = New_Install, Root\Wallaby

[Old_Install.NT]
CopyFiles = Old_Files

[New_Install.NT]
CopyFiles = New_Files, New_Drv

[DestinationDirs]
Old_Files = 17
New_Files = 17
New_Drv   = 12

[Old_Files]
old.pnf

[New_Files]
new.pnf

[New_Drv]
wallaby.sys

[SourceDisksNames]
1 = %P%

[SourceDisksFiles]
old.pnf = 1
new.pnf = 1
wallaby.sys = 1

[Strings]
P = "Wallaby Labs"
D = "Wallaby Device"
)";

constexpr std::uint32_t kOldFilesLine = 26, kNewFilesLine = 27, kOldEntry = 31, kNewEntry = 34, kDrvEntry = 37;

bool has(const isodrv::diag::FileResult& r, int code, std::uint32_t line) {
  for (const auto& d : r.diagnostics) {
    if (d.code == code && d.line == line) return true;
  }
  return false;
}

isodrv::diag::FileResult check(isodrv::diag::Mode mode, std::optional<std::uint32_t> rulever = {}, bool vnext = false) {
  isodrv::check::Options opts;
  opts.settings.mode = mode;
  opts.settings.rulever = rulever;
  opts.settings.rulever_vnext = vnext;
  return isodrv::check::check_bytes(kInf, "wallaby.inf", opts);
}

TEST(HRuleset, EachModelsSectionIsCheckedWithTheRulesOfItsLastBuild) {
  auto h = check(isodrv::diag::Mode::h);
  EXPECT_TRUE(has(h, 1322, kNewEntry)) << "the 22000+ section gets the newest rules";
  EXPECT_TRUE(has(h, 1340, kNewFilesLine));
  EXPECT_FALSE(has(h, 1322, kOldEntry)) << "the section used up to 21999 predates the /h rules";
  EXPECT_FALSE(has(h, 1340, kOldFilesLine));
  EXPECT_FALSE(has(h, 1322, kDrvEntry)) << "DIRID 12 is an /h exception";
  // /w does not depend on the build: both copies are findings.
  auto w = check(isodrv::diag::Mode::w);
  EXPECT_TRUE(has(w, 1322, kNewEntry));
  EXPECT_TRUE(has(w, 1322, kOldEntry));
  EXPECT_TRUE(has(w, 1340, kOldFilesLine));
}

TEST(HRuleset, RuleverCapsTheRulesAndVnextDropsTheExceptions) {
  auto capped = check(isodrv::diag::Mode::h, 22621u);
  EXPECT_FALSE(has(capped, 1322, kNewEntry)) << "22H2's signing rules asked for no DIRID 13";
  EXPECT_FALSE(has(capped, 1340, kNewFilesLine));
  auto newest = check(isodrv::diag::Mode::h, 26100u);
  EXPECT_TRUE(has(newest, 1322, kNewEntry));
  auto vnext = check(isodrv::diag::Mode::h, std::nullopt, true);
  EXPECT_TRUE(has(vnext, 1322, kDrvEntry)) << "vnext keeps no DIRID exceptions";
  EXPECT_FALSE(has(vnext, 1322, kOldEntry));
}

}  // namespace

namespace {

// /rulever below the first build a Models section is used on: InfVerif does not validate that
// section at all ("the specified ruleset does not apply to it"), so none of its findings is shown,
// whatever their code; sections older builds use are still checked.
TEST(HRuleset, RuleverBelowASectionsFirstBuildSkipsThatSection) {
  std::string inf = kInf;
  auto add_after = [&inf](const std::string& anchor, const std::string& line) {
    const auto p = inf.find(anchor);
    ASSERT_NE(p, std::string::npos) << anchor;
    inf.insert(p + anchor.size(), line);
  };
  add_after("[Old_Install.NT]\nCopyFiles = Old_Files\n", "AddReg = Old_Missing\n");
  add_after("[New_Install.NT]\nCopyFiles = New_Files, New_Drv\n", "AddReg = New_Missing\n");
  constexpr std::uint32_t kOldMissing = 21, kNewMissing = 25;
  auto run = [&inf](std::optional<std::uint32_t> rulever, bool vnext = false) {
    isodrv::check::Options opts;
    opts.settings.mode = isodrv::diag::Mode::h;
    opts.settings.rulever = rulever;
    opts.settings.rulever_vnext = vnext;
    return isodrv::check::check_bytes(inf, "wallaby.inf", opts);
  };
  auto all = run(std::nullopt);
  EXPECT_TRUE(has(all, 1203, kOldMissing));
  EXPECT_TRUE(has(all, 1203, kNewMissing));
  auto old_rules = run(17763u);
  EXPECT_TRUE(has(old_rules, 1203, kOldMissing)) << "the section 17763 uses is still checked";
  EXPECT_FALSE(has(old_rules, 1203, kNewMissing)) << "a section first used on 22000 is not validated";
  EXPECT_FALSE(has(old_rules, 1296, 23));
  auto from_first = run(22000u);
  EXPECT_TRUE(has(from_first, 1203, kNewMissing)) << "22000 is the section's first build";
  auto vnext = run(std::nullopt, true);
  EXPECT_TRUE(has(vnext, 1203, kNewMissing));
  // /w ignores /rulever.
  isodrv::check::Options w;
  w.settings.mode = isodrv::diag::Mode::w;
  w.settings.rulever = 17763u;
  EXPECT_TRUE(has(isodrv::check::check_bytes(inf, "wallaby.inf", w), 1203, kNewMissing));
}

}  // namespace
