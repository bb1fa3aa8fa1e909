// A directive line the package model reaches twice is judged once: the rule context's first_time
// owns that de-duplication (issue 16 part 5). Two Models entries naming the same DDInstall section
// are one install root in the model; a section reached in two roles is two: here [Inst] is the
// DDInstall of one Models entry and, through Needs, part of the other's [Inst2].
// [Inst.HW] is reached the same way ([Inst2.HW] Needs it); its lists carry the file and registry
// findings (1230, 1330, 1103, 1303) whose once-per-line sets the families no longer keep.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

#include "isodrv/check.h"
#include "isodrv/package.h"
#include "isodrv/rules.h"

namespace {

const char* kInf = R"([Version]
Signature   = "$Windows NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %Prov%
CatalogFile = w.cat
DriverVer   = 11/24/2026,1.0.0.0
PnpLockdown = 1

[SourceDisksNames]
1 = %Disk%

[SourceDisksFiles]
w.sys = 1

[DestinationDirs]
Store_Files = 13
Sys_Files = 12
Other_Files = 13
Flag_Files = 13

[Manufacturer]
%Prov% = M, NTamd64

[M.NTamd64]
%%MODELS%%

[Inst]
CopyFiles = Store_Files, Sys_Files
DelFiles  = Store_Files
; the directives below are reached once per root
AddReg    = Missing_AddReg
LogConfig = LC
FeatureScore = 0x1FF
BitReg =

[Inst.Services]
AddService = wombat, 0x2, Svc, , Nowhere
AddService = numbat, 0, Svc2

[Svc]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\w.sys

[Store_Files]
w.sys

[Sys_Files]
w.sys

[LC]
ConfigPriority = HARDRECONFIG

[Strings]
Prov = "Wombat Works"
Disk = "Wombat Disk"
Desc = "Wombat Device"

[Inst2]
Needs = Inst

[Inst.HW]
AddReg    = Co_AddReg, ks.Missing
CopyFiles = Other_Files, Flag_Files

[Co_AddReg]
HKR,,CoInstallers32,0x00010000,"wombatco.dll,Entry"

[Other_Files]
w.sys,o.sys

[Flag_Files]
u.sys,,,0x00000400

[Svc2]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %12%\elsewhere.sys

[Inst2.HW]
Needs = Inst.HW
)";

const char* kTwoRoots = "%Desc% = Inst, PCI\\VEN_1234&DEV_0001\n%Desc% = Inst2, PCI\\VEN_1234&DEV_0002";

std::string inf_text(const std::string& models) {
  std::string text = kInf;
  text.replace(text.find("%%MODELS%%"), 10, models);
  return text;
}

// (code, line) -> how many findings of `code` the rule families report at that line, before the
// check's final pass removes identical findings (so a rule that reports a line twice shows here).
std::map<std::pair<int, std::uint32_t>, int> rule_findings(const std::string& models) {
  auto doc = isodrv::inf::Document::parse(inf_text(models), "twice.inf");
  EXPECT_TRUE(doc.ok());
  const isodrv::package::Package pkg = isodrv::package::build_package(*doc);
  isodrv::rules::CheckSettings settings;
  settings.mode = isodrv::diag::Mode::w;
  std::vector<isodrv::diag::Diagnostic> out;
  isodrv::rules::Context ctx(*doc, pkg, settings, out);
  for (const auto& family : isodrv::rules::families()) family.run(ctx);
  std::map<std::pair<int, std::uint32_t>, int> counts;
  for (const auto& d : out) ++counts[{d.code, d.line}];
  return counts;
}

// The same after the whole check.
std::map<std::pair<int, std::uint32_t>, int> findings(const std::string& models) {
  isodrv::check::Options opts;
  opts.settings.mode = isodrv::diag::Mode::w;
  auto res = isodrv::check::check_bytes(inf_text(models), "twice.inf", opts);
  std::map<std::pair<int, std::uint32_t>, int> out;
  for (const auto& d : res.diagnostics) ++out[{d.code, d.line}];
  return out;
}

TEST(DirectiveOnce, SectionReachedFromTwoModelsEntriesReportsEachFindingOnce) {
  const auto twice = rule_findings(kTwoRoots);
  // The directive lines of [Inst] (lines 30-36), [Inst.HW] and the entries of the lists and service
  // sections they name, one finding each.
  const std::pair<int, std::uint32_t> expected[] = {
      {1102, 31},  // DelFiles on a DIRID 13 list
      {1205, 31},  // the list named by CopyFiles and DelFiles
      {1203, 33},  // AddReg names a missing section
      {1245, 35},  // FeatureScore beyond one byte
      {1005, 36},  // BitReg without a section name
      {1250, 39},  // AddService's event log type
      {1322, 52},  // a copy outside the driver store
      {1203, 66},  // [Inst.HW]'s AddReg names a missing section
      {1303, 70},  // a co-installer
      {1100, 73},  // a copy into DIRID 13 under another name
      {1230, 73},  // its source is not in SourceDisksFiles
      {1330, 73},  // the same destination as [Store_Files]' w.sys, from another source
      {1103, 76},  // a forbidden copy flag on a DIRID 13 copy
      {1230, 76},
      {2084, 82},  // a service binary the package does not copy, outside the driver store
  };
  for (const auto& e : expected) {
    auto it = twice.find(e);
    ASSERT_NE(it, twice.end()) << "no " << e.first << " at line " << e.second;
    EXPECT_EQ(it->second, 1) << e.first << " at line " << e.second << " reported " << it->second << " times";
  }
  for (const auto& [key, count] : twice) {
    EXPECT_EQ(count, 1) << key.first << " at line " << key.second;
  }
}

TEST(DirectiveOnce, TheModelReachesTheLinesTwice) {
  // What the test above relies on: without the framework's de-duplication, [Inst]'s lines would be
  // judged once per root.
  auto doc = isodrv::inf::Document::parse(inf_text(kTwoRoots), "twice.inf");
  ASSERT_TRUE(doc.ok());
  const isodrv::package::Package pkg = isodrv::package::build_package(*doc);
  std::size_t delfiles = 0;
  for (const auto& d : pkg.directives) delfiles += d.line.line() == 31 ? 1 : 0;
  EXPECT_EQ(delfiles, 2u);
}

TEST(DirectiveOnce, TheWholeCheckReportsTheSameFindingsOnce) {
  const auto twice = findings(kTwoRoots);
  for (auto key : {std::pair<int, std::uint32_t>{1102, 31}, {1203, 33}, {1005, 36}, {1250, 39}}) {
    EXPECT_EQ(twice.count(key) ? twice.at(key) : 0, 1) << key.first << " at line " << key.second;
  }
}

}  // namespace
