// An .inx is checked after its stampinf tokens are replaced, but findings show the file as
// written: the source line with its tokens and the column in that line (issue 15 part 5).
#include <gtest/gtest.h>

#include <string>

#include "isodrv/check.h"

namespace {

constexpr const char* kInx = R"([Version]
Signature   = "$Windows NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %P%
CatalogFile = quokka.cat
DriverVer   = 11/24/2026,1.0.0.1
PnpLockdown = 1

[Manufacturer]
%P% = Quokka, NT$ARCH$.10.0...16299

[Quokka.NT$ARCH$.10.0...16299]
%P% = Quokka_Device, Root\Quokka

[Quokka_Device.NT]
AddReg = Quokka_Reg

[Quokka_Device.NT.Services]
AddService = ,2

[Quokka_Reg]
HKR,Sub$KMDFCOINSTALLERVERSION$Key,Mode,0x00010001,notanumber

[Strings]
P = "Quokka Labs"
)";

TEST(InxExcerpt, FindingShowsTheLineAsWrittenAndItsColumn) {
  isodrv::check::Options opts;
  opts.settings.mode = isodrv::diag::Mode::w;
  auto r = isodrv::check::check_bytes(kInx, "quokka.inx", opts);
  const std::string written = "HKR,Sub$KMDFCOINSTALLERVERSION$Key,Mode,0x00010001,notanumber";
  bool found = false;
  for (const auto& d : r.diagnostics) {
    if (d.code != 1268 || d.line != 23) continue;
    found = true;
    EXPECT_EQ(d.source_line, written) << "the excerpt must be the .inx line, not the stamped one";
    EXPECT_EQ(d.column, written.find("notanumber") + 1) << "the column counts in the line as written";
  }
  EXPECT_TRUE(found) << "expected 1268 on line 23";
}

}  // namespace
