// Unit tests for the tricky parts of the files family: per-architecture source lookup, /h DIRID
// exceptions, substituted file names, and the cases CI-validated samples showed must stay quiet.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "isodrv/check.h"

namespace {

using isodrv::diag::Mode;

const char* kHead = R"([Version]
Signature   = "$Windows NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %Prov%
CatalogFile = w.cat
DriverVer   = 11/24/2026,1.0.0.0
PnpLockdown = 1

[SourceDisksNames]
1 = %Disk%
)";

const char* kTail = R"(
[Strings]
Prov = "Wombat Works"
Disk = "Wombat Disk"
Desc = "Wombat Device"
DriverName = "wombat"
)";

// (line, code) of every finding of `code`.
std::set<std::pair<std::uint32_t, int>> findings(const std::string& body, int code, Mode mode = Mode::w) {
  isodrv::check::Options opts;
  opts.settings.mode = mode;
  auto res = isodrv::check::check_bytes(std::string(kHead) + body + kTail, "t.inf", opts);
  std::set<std::pair<std::uint32_t, int>> out;
  for (const auto& d : res.diagnostics) {
    if (d.code == code) out.insert({d.line, d.code});
  }
  return out;
}

TEST(FileRules, DestinationNotDriverStoreIsExemptInHModeOnlyForListedDirids) {
  const std::string body = R"(
[DestinationDirs]
Sys_Files  = 12
Help_Files = 18

[SourceDisksFiles]
w.sys = 1
w.chm = 1

[Manufacturer]
%Prov% = M, NTamd64

[M.NTamd64]
%Desc% = Dev, Root\W

[Dev.NT]
CopyFiles = Sys_Files, Help_Files

[Sys_Files]
w.sys

[Help_Files]
w.chm
)";
  EXPECT_EQ(findings(body, 1322, Mode::w).size(), 2u);
  // DIRID 12 is a /h exception; DIRID 18 is deprecated and is not.
  auto h = findings(body, 1322, Mode::h);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->first, 34u);
  EXPECT_TRUE(findings(body, 1322, Mode::u).empty());
}

// A UMDF ServiceBinary outside the driver store is 2084 in the isolated modes (an isolated UMDF
// driver runs from %13%), and nothing in /k and /u.
TEST(FileRules, UmdfServiceBinaryOutsideTheStoreIsFlaggedForIsolatedPackages) {
  const std::string body = R"(
[DestinationDirs]
DefaultDestDir = 13
Um_Files = 12,UMDF

[SourceDisksFiles]
w.dll = 1
x.dll = 1

[Manufacturer]
%Prov% = M, NTamd64

[M.NTamd64]
%Desc% = Dev, Root\W

[Dev.NT]
CopyFiles = Um_Files, Store_Files

[Um_Files]
w.dll

[Store_Files]
x.dll

[Dev.NT.Wdf]
UmdfService = W, W_Install
UmdfService = X, X_Install
UmdfServiceOrder = W, X

[W_Install]
UmdfLibraryVersion = 2.15.0
ServiceBinary = %12%\UMDF\w.dll

[X_Install]
UmdfLibraryVersion = 2.15.0
ServiceBinary = %13%\x.dll
)";
  // Line 43: W's ServiceBinary; X's (%13%, copied there) is never flagged.
  EXPECT_EQ(findings(body, 2084, Mode::w), (std::set<std::pair<std::uint32_t, int>>{{43, 2084}}));
  EXPECT_EQ(findings(body, 2084, Mode::h), (std::set<std::pair<std::uint32_t, int>>{{43, 2084}}));
  EXPECT_TRUE(findings(body, 2084, Mode::k).empty());
  EXPECT_TRUE(findings(body, 2084, Mode::u).empty());
  // A UMDF binary the package does not copy is not 2084's in /k and /u (InfVerif accepts the
  // CI-validated wificx client sample that names one).
  std::string missing = body;
  missing.replace(missing.find("[Um_Files]\nw.dll"), 16, "[Um_Files]\nz.dll");
  EXPECT_TRUE(findings(missing, 2084, Mode::k).empty());
}

TEST(FileRules, UndecoratedInstallSectionIsCheckedForEachModelsArchitecture) {
  const std::string body = R"(
[DestinationDirs]
DefaultDestDir = 13

[SourceDisksFiles.amd64]
w.sys = 1

[Manufacturer]
%Prov% = M, NTamd64, NTx86

[M.NTamd64]
%Desc% = Dev, Root\W

[M.NTx86]
%Desc% = Dev, Root\W

[Dev.NT]
CopyFiles = Files

[Files]
w.sys
)";
  auto f = findings(body, 1230);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f.begin()->first, 32u);  // missing for x86 only
}

TEST(FileRules, ArchitectureNeutralModelsSectionIsNotUsedWhereASiblingNamesTheArch) {
  // Like libusb-win32 INFs: [Devices.NT] serves x86 only, because NTAMD64 is listed too.
  const std::string body = R"(
[DestinationDirs]
DefaultDestDir = 13

[SourceDisksFiles.x86]
w_x86.sys = 1

[SourceDisksFiles.amd64]
w.sys = 1

[Manufacturer]
%Prov% = M, NT, NTamd64

[M.NT]
%Desc% = Dev32, Root\W

[M.NTamd64]
%Desc% = Dev64, Root\W

[Dev32]
CopyFiles = Files32

[Dev64]
CopyFiles = Files64

[Files32]
w.sys,w_x86.sys

[Files64]
w.sys
)";
  EXPECT_TRUE(findings(body, 1230).empty());
  EXPECT_TRUE(findings(body, 1330).empty());
}

TEST(FileRules, CopyListNamesAreSubstitutedLikeSetupApiDoes) {
  // The miniFilter samples copy "%DriverName%.sys" and list "wombat.sys".
  const std::string body = R"(
[DestinationDirs]
DefaultDestDir = 13

[SourceDisksFiles]
wombat.sys = 1

[Manufacturer]
%Prov% = M, NTamd64

[M.NTamd64]
%Desc% = Dev, Root\W

[Dev.NT]
CopyFiles = Files

[Files]
%DriverName%.sys

[Dev.NT.Services]
AddService = wombat, 2, Svc

[Svc]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\%DriverName%.sys
)";
  EXPECT_TRUE(findings(body, 1230).empty());
  EXPECT_TRUE(findings(body, 2084).empty());
  EXPECT_TRUE(findings(body, 2085).empty());
}

TEST(FileRules, InboxServiceBinaryAndBlankEntriesStayQuiet) {
  // A UMDF package names the inbox reflector; a line of non-breaking spaces names no file.
  const std::string body = "\n[DestinationDirs]\nDefaultDestDir = 13\n\n[SourceDisksFiles]\nw.dll = 1\n\n"
                           "[Manufacturer]\n%Prov% = M, NTamd64\n\n[M.NTamd64]\n%Desc% = Dev, Root\\W\n\n"
                           "[Dev.NT]\nCopyFiles = Files\n\n[Files]\nw.dll\n\xA0\n\n"
                           "[Dev.NT.Services]\nAddService = WUDFRd, 0x000001fa, Svc\n\n"
                           "[Svc]\nServiceType = 1\nStartType = 3\nErrorControl = 1\nServiceBinary = %12%\\WUDFRd.sys\n";
  EXPECT_TRUE(findings(body, 2084).empty());
  EXPECT_TRUE(findings(body, 1230).empty());
}

TEST(FileRules, DriverStoreFlagsThatSamplesUseAreAllowed) {
  const std::string body = R"(
[DestinationDirs]
DefaultDestDir = 13

[SourceDisksFiles]
a.sys = 1
b.sys = 1
c.sys = 1

[Manufacturer]
%Prov% = M, NTamd64

[M.NTamd64]
%Desc% = Dev, Root\W

[Dev.NT]
CopyFiles = Files

[Files]
a.sys,,,0x00000002
b.sys,,,0x00000100
c.sys,,,0x00000400
)";
  auto f = findings(body, 1103);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f.begin()->first, 33u);
}

}  // namespace
