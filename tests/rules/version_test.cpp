// Unit tests for the version, models, directives and includes families: the rules that depend on
// settings (--provider, stampinf) and the tolerances CI-validated samples showed must stay quiet.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "isodrv/check.h"

namespace {

using isodrv::diag::Mode;

struct Settings {
  Mode mode = Mode::w;
  std::string provider;
  bool stampinf = false;
};

const char* kBody = R"(
[DestinationDirs]
DefaultDestDir = 13

[SourceDisksNames]
1 = %Disk%

[SourceDisksFiles]
n.sys = 1

[Manufacturer]
%Prov% = M, NTamd64.10.0...16299

[M.NTamd64.10.0...16299]
%Desc% = Dev, Root\N

[Dev.NT]
CopyFiles = Files

[Files]
n.sys

[Dev.NT.Services]
AddService = n, 0x00000002, Svc

[Svc]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\n.sys
)";

std::string inf(const std::string& version, const std::string& extra = {}) {
  return "[Version]\nSignature = \"$Windows NT$\"\n" + version + kBody + extra +
         "\n[Strings]\nProv = \"Numbat Devices\"\nDisk = \"Numbat Disk\"\nDesc = \"Numbat Device\"\n";
}

const std::string kVersion =
    "Class = System\nClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}\nProvider = %Prov%\n"
    "CatalogFile = n.cat\nDriverVer = 11/24/2026,1.0.0.1\nPnpLockdown = 1\n";

// Lines of every finding of `code`.
std::vector<std::uint32_t> lines(const std::string& text, int code, const Settings& s = {}) {
  isodrv::check::Options opts;
  opts.settings.mode = s.mode;
  opts.settings.provider = s.provider;
  opts.settings.stampinf = s.stampinf;
  auto res = isodrv::check::check_bytes(text, "t.inf", opts);
  std::vector<std::uint32_t> out;
  for (const auto& d : res.diagnostics) {
    if (d.code == code) out.push_back(d.line);
  }
  return out;
}

TEST(VersionRules, ProviderIsComparedOnlyWhenGiven) {
  const std::string text = inf(kVersion);
  EXPECT_TRUE(lines(text, 1210).empty());
  EXPECT_TRUE(lines(text, 1210, {Mode::w, "Numbat Devices"}).empty());
  EXPECT_EQ(lines(text, 1210, {Mode::w, "Quokka Labs"}), std::vector<std::uint32_t>{5});
}

TEST(VersionRules, MicrosoftProviderIsReportedUnlessProviderNamesMicrosoft) {
  std::string version = kVersion;
  version.replace(version.find("%Prov%"), 6, "\"Microsoft\"");
  const std::string text = inf(version);
  // No CI-validated corpus INF claims Microsoft, so the check needs no --provider; naming a
  // Microsoft provider marks the package as Microsoft's own.
  for (Mode m : {Mode::k, Mode::u, Mode::w, Mode::h}) {
    EXPECT_EQ(lines(text, 1204, {m, ""}), std::vector<std::uint32_t>{5});
  }
  EXPECT_TRUE(lines(text, 1204, {Mode::w, "Microsoft Corporation"}).empty());
  EXPECT_EQ(lines(text, 1204, {Mode::w, "Numbat Devices"}), std::vector<std::uint32_t>{5});
  isodrv::check::Options samples;
  samples.settings.samples = true;
  for (const auto& d : isodrv::check::check_bytes(text, "t.inf", samples).diagnostics) EXPECT_NE(d.code, 1204);
  std::string lookalike = kVersion;
  lookalike.replace(lookalike.find("%Prov%"), 6, "\"VS_Microsoft\"");
  EXPECT_TRUE(lines(inf(lookalike), 1204).empty());
}

TEST(VersionRules, StampinfSuppliesCatalogAndDriverVer) {
  std::string version = "Class = System\nClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}\nProvider = %Prov%\n"
                        "DriverVer = \nPnpLockdown = 1\n";
  const std::string text = inf(version);
  EXPECT_EQ(lines(text, 1233).size(), 1u);  // CatalogFile; DriverVer is present, if empty
  EXPECT_EQ(lines(text, 1218).size(), 1u);
  EXPECT_TRUE(lines(text, 1233, {Mode::w, "", true}).empty());
  EXPECT_TRUE(lines(text, 1218, {Mode::w, "", true}).empty());
}

TEST(VersionRules, DriverVerAcceptsSingleDigitMonthAndShortVersions) {
  std::string version = kVersion;
  version.replace(version.find("11/24/2026,1.0.0.1"), 18, "8/29/2014,1.00.0000");
  EXPECT_TRUE(lines(inf(version), 1218).empty());
  EXPECT_TRUE(lines(inf(version), 1217).empty());
  version.replace(version.find("8/29/2014,1.00.0000"), 19, "08/29/2014,0.0.0.0");
  EXPECT_EQ(lines(inf(version), 1217).size(), 1u);
}

TEST(VersionRules, WellKnownClassesCompareCaseInsensitively) {
  std::string version = kVersion;
  version.replace(version.find("Class = System"), 14, "Class = SYSTEM");
  version.replace(version.find("4d36e97d-e325-11ce-bfc1-08002be10318"), 36, "4D36E97D-E325-11CE-BFC1-08002BE10318");
  EXPECT_TRUE(lines(inf(version), 1280).empty());
  EXPECT_TRUE(lines(inf(version), 1281).empty());
}

TEST(DirectiveRules, FrameworkCoInstallersAndHkrDelRegAreTolerated) {
  const std::string extra = R"(
[Dev.NT.CoInstallers]
AddReg = CoReg

[CoReg]
HKR,,CoInstallers32,0x00010000,"WdfCoInstaller01011.dll,WdfCoInstaller","WinUsbCoInstaller2.dll"

[Dev.NT.HW]
DelReg = Reset

[Reset]
HKR,Scsiport,BusNumber
)";
  const std::string text = inf(kVersion, extra);
  EXPECT_TRUE(lines(text, 1303, {Mode::u, "", false}).empty());
  EXPECT_TRUE(lines(text, 1308, {Mode::u, "", false}).empty());
  // ... but /w points the framework co-installer out as a legacy non-isolated step (warning).
  EXPECT_TRUE(lines(text, 1450, {Mode::u, "", false}).empty());
  EXPECT_EQ(lines(text, 1450, {Mode::w, "", false}).size(), 1u);
}

TEST(DirectiveRules, UninstallSectionsAreNotChecked) {
  const std::string extra = R"(
[DefaultUninstall.NTamd64]
LegacyUninstall = 1
DelFiles = Files

[DefaultUninstall.NTamd64.Services]
DelService = n, 0x200
)";
  const std::string text = inf(kVersion, extra);
  EXPECT_TRUE(lines(text, 1308, {Mode::u, "", false}).empty());
  EXPECT_TRUE(lines(text, 1309, {Mode::u, "", false}).empty());
}

TEST(ModelRules, UnstampedArchTokenIsLeftToTheSyntaxFamily) {
  std::string text = inf(kVersion);
  text.replace(text.find("%Prov% = M, NTamd64.10.0...16299"), 32, "%Prov% = M, NT$ARCH$.10.0...16299");
  EXPECT_TRUE(lines(text, 1287).empty());
  EXPECT_TRUE(lines(text, 2010).empty());
  EXPECT_FALSE(lines(text, 1274).empty());
}

TEST(IncludeRules, NeededSectionsOfThisInfRunInTheNeedingSectionsRole) {
  const std::string extra = R"(
[Dev.NT.HW]
Needs = Common.HW

[Common.HW]
AddReg = CommonReg

[CommonReg]
HKR,,"Mode",0x00010001,1
)";
  const std::string text = inf(kVersion, extra);
  // [CommonReg] is reached through the needed section, so it is not reported as unused.
  EXPECT_TRUE(lines(text, 2083).empty());
  EXPECT_TRUE(lines(text, 1312).empty());
  EXPECT_TRUE(lines(text, 1315).empty());
}

TEST(IncludeRules, MissingSectionsNotNamedAfterAnIncludedInfAreNot1220) {
  const std::string extra = R"(
[Dev.NT.HW]
Include = ks.inf
Needs   = KS.Registration
AddProperty = Typo_AddProperty
)";
  EXPECT_TRUE(lines(inf(kVersion, extra), 1220).empty());
}

}  // namespace
