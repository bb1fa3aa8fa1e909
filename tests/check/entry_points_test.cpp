// Entry points as Windows has them: every section Windows can install from is reached (no 2083),
// findings name the target OS they concern, and an exact target (/osver, /wbuild) keeps only what
// that OS would use. Fixtures are written here; corpus cases skip when the corpus is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "isodrv/check.h"
#include "isodrv/package.h"

namespace {

using isodrv::diag::Diagnostic;
using isodrv::diag::FileResult;
using isodrv::diag::Mode;

FileResult check(const std::string& text, Mode mode = Mode::w, isodrv::inf::Target target = {}) {
  isodrv::check::Options opts;
  opts.settings.mode = mode;
  opts.settings.target = target;
  return isodrv::check::check_bytes(text, "fixture.inf", opts);
}

std::vector<const Diagnostic*> with_code(const FileResult& r, int code) {
  std::vector<const Diagnostic*> out;
  for (const auto& d : r.diagnostics) {
    if (d.code == code) out.push_back(&d);
  }
  return out;
}

constexpr const char* kHead = R"([Version]
Signature = "$Windows NT$"
Class = ActivityMonitor
ClassGuid = {b86dff51-a31e-4bac-b3cf-e8cfe75c9fc2}
Provider = %P%
DriverVer = 06/16/2007,1.0.0.0
CatalogFile = f.cat
PnpLockdown = 1

[SourceDisksNames]
1 = %P%

[SourceDisksFiles]
f.sys = 1

[Strings]
P = "Contoso"
)";

// The minifilter layout: an OS-versioned DefaultInstall for 24H2 and a downlevel one.
constexpr const char* kMinifilter = R"(
[DestinationDirs]
Down.Files = 12
New.Files = 13
Down.Del = 12

[DefaultInstall.NTamd64.10.0...25952]
CopyFiles = New.Files

[DefaultInstall.NTamd64.10.0...25952.Services]
AddService = F,,New.Service

[New.Service]
ServiceBinary = %13%\f.sys
ServiceType = 2
StartType = 3
ErrorControl = 1
AddReg = New.Reg

[New.Reg]
HKR,Parameters,SupportedFeatures,0x00010001,3

[New.Files]
f.sys

[DefaultInstall.NTamd64]
CopyFiles = Down.Files

[DefaultInstall.NTamd64.Services]
AddService = F,,Down.Service

[Down.Service]
ServiceBinary = %12%\f.sys
ServiceType = 2
StartType = 3
ErrorControl = 1

[Down.Files]
f.sys

[DefaultUninstall.NTamd64]
LegacyUninstall = 1
DelFiles = Down.Del

[DefaultUninstall.NTamd64.Services]
DelService = F,0x200

[Down.Del]
f.sys
)";

TEST(EntryPoints, OsVersionedDefaultInstallAndLegacyUninstallAreReached) {
  auto r = check(std::string(kHead) + kMinifilter, Mode::u);
  EXPECT_TRUE(with_code(r, 2083).empty()) << "a section Windows reads was reported as unreached";
  // Removals are what DefaultUninstall is for.
  EXPECT_TRUE(with_code(r, 1308).empty());
  EXPECT_TRUE(with_code(r, 1309).empty());
}

TEST(EntryPoints, FindingNamesItsTargetOs) {
  auto r = check(std::string(kHead) + kMinifilter, Mode::w);
  auto copies = with_code(r, 1322);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0]->target_os, "NTamd64") << "the DIRID 12 copy belongs to the downlevel DefaultInstall";
}

TEST(EntryPoints, ExactTargetKeepsWhatThatOsUses) {
  // On 24H2 the OS-versioned section wins: the downlevel DIRID 12 copy is not installed.
  auto t24h2 = isodrv::inf::parse_target_os("NTAMD64.10.0...26100");
  ASSERT_TRUE(t24h2.ok());
  auto r = check(std::string(kHead) + kMinifilter, Mode::w, t24h2.value());
  EXPECT_TRUE(with_code(r, 1322).empty());
  // On 22H2 the downlevel section is the one used.
  auto t22h2 = isodrv::inf::parse_target_os("10.0.22621");
  ASSERT_TRUE(t22h2.ok());
  r = check(std::string(kHead) + kMinifilter, Mode::w, t22h2.value());
  EXPECT_EQ(with_code(r, 1322).size(), 1u);
  EXPECT_TRUE(with_code(r, 1322)[0]->target_os.empty()) << "one target only: nothing to name";
}

TEST(EntryPoints, TargetOsSyntaxes) {
  auto a = isodrv::inf::parse_target_os("NTAMD64.10.0.0.17763");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().build, 17763u);
  EXPECT_EQ(a.value().major, 10u);
  EXPECT_TRUE(a.value().exact);
  auto b = isodrv::inf::parse_target_os("10.0.17763");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value().build, 17763u);
  auto c = isodrv::inf::parse_target_os("NTarm64.10.0...22000");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().arch, isodrv::inf::Arch::arm64);
  EXPECT_EQ(c.value().build, 22000u);
  EXPECT_FALSE(isodrv::inf::parse_target_os("ten").ok());
  // MAJOR.MINOR alone keeps the default build (a decoration without a build matches every build).
  auto d = isodrv::inf::parse_target_os("10.0");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().build, 26100u);
  EXPECT_FALSE(isodrv::inf::parse_target_os("10").ok());
}

TEST(EntryPoints, DeviceDataAndRemoveSectionsAreReached) {
  const std::string text = std::string(kHead) + R"(
[Manufacturer]
%P% = M,NTamd64

[M.NTamd64]
%P% = Inst, root\x

[Inst.NTamd64]
DeviceData = Inst.Data

[Inst.Data]
Server = local

[Inst.NTamd64.Services]
AddService = x,2,Svc

[Inst.NTamd64.Remove.Services]
DelService = x,0x200

[Svc]
ServiceBinary = %13%\f.sys
ServiceType = 1
StartType = 3
ErrorControl = 1
)";
  auto r = check(text, Mode::u);
  EXPECT_TRUE(with_code(r, 2083).empty());
  EXPECT_TRUE(with_code(r, 1309).empty()) << "DelService in .Remove.Services is the removal Windows runs";
}

TEST(EntryPoints, MinifilterSampleFromCorpus) {
  const std::string path =
      std::string(ISODRV_CORPUS_DIR) + "/windows-driver-samples/filesys/miniFilter/nullFilter/nullFilter.inf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus not found: " << path;
  isodrv::check::Options opts;
  opts.settings.mode = Mode::u;
  opts.settings.stampinf = true;
  auto r = isodrv::check::check_file(path, opts);
  EXPECT_TRUE(with_code(r, 2083).empty());
  // Unstamped $ARCH$ (no /stampinf): the 1274 is reported and the rest is still checked.
  opts.settings.stampinf = false;
  opts.settings.mode = Mode::w;
  r = isodrv::check::check_file(path, opts);
  EXPECT_FALSE(with_code(r, 1274).empty());
  EXPECT_FALSE(with_code(r, 1322).empty()) << "the downlevel DIRID 12 copy must still be found";
  EXPECT_TRUE(with_code(r, 2083).empty());
}

}  // namespace
