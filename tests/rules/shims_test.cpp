// The shim codes' mode levels and conditions beyond the fixtures (shims.cpp documents the
// decisions): 2092 is /w only, 2093 and 2090 every mode, 1207 only for a Microsoft-authored INF.
#include <gtest/gtest.h>

#include <string>

#include "isodrv/check.h"

namespace {

using isodrv::diag::Mode;

constexpr const char* kInf = R"([Version]
Signature   = "$Windows 95$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = Microsoft
DriverVer   = 11/24/2026,1.0.0.1

[DefaultInstall.NTamd64]
AddReg  = Numbat_AddReg
CopyINF = numbatext.inf

[Numbat_AddReg]
HKEY_LOCAL_MACHINE,Software\Numbat,A,0x00010001,1
%Root%,Software\Numbat,B,0x00010001,1

[Strings]
Root = "hkey_local_machine"
)";

int count(Mode mode, int code, const std::string& provider = {}) {
  isodrv::check::Options opts;
  opts.settings.mode = mode;
  opts.settings.provider = provider;
  int n = 0;
  for (const auto& d : isodrv::check::check_bytes(kInf, "numbat.inf", opts).diagnostics) n += d.code == code;
  return n;
}

TEST(Shims, LongRootIsAFindingOnlyInW) {
  EXPECT_EQ(count(Mode::w, 2092), 1);
  EXPECT_EQ(count(Mode::u, 2092), 0);
  EXPECT_EQ(count(Mode::k, 2092), 0);
}

TEST(Shims, SubstitutedLongRootAndLegacySignatureInEveryMode) {
  for (Mode m : {Mode::k, Mode::u, Mode::w}) {
    EXPECT_EQ(count(m, 2093), 1);
    EXPECT_EQ(count(m, 2090), 1);
  }
}

TEST(Shims, CopyInfIsForbiddenOnlyWhenTheCallerSaysTheInfIsMicrosofts) {
  EXPECT_EQ(count(Mode::w, 1207), 0) << "Provider alone does not make an INF Microsoft-authored";
  EXPECT_EQ(count(Mode::w, 1207, "Microsoft"), 1);
  EXPECT_EQ(count(Mode::w, 1207, "Contoso"), 0);
}

}  // namespace
