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

// Columns are UTF-16 units: characters outside ASCII before and after the token (one of them
// outside the BMP, two units) must not shift the column, in a UTF-16LE file as in a UTF-8 one.
std::string utf16le_with_bom(const std::u16string& text) {
  std::string out = "\xFF\xFE";
  for (char16_t c : text) {
    out += static_cast<char>(c & 0xFF);
    out += static_cast<char>(c >> 8);
  }
  return out;
}

TEST(InxExcerpt, ColumnCountsUtf16UnitsAroundTokens) {
  // Thirteen 3-byte characters before the token: counted in bytes, the finding's column would fall
  // inside the stamped value and be mapped to the token's start.
  const std::u16string cjk(13, u'\u65E5');
  const std::u16string line = u"HKR,S" + cjk + u"$KMDFCOINSTALLERVERSION$K\u00E4y\U0001F998,Mode,0x00010001,notanumber";
  std::u16string text;
  for (const char* c = kInx; *c; ++c) text += static_cast<char16_t>(*c);
  const std::u16string ascii = u"HKR,Sub$KMDFCOINSTALLERVERSION$Key,Mode,0x00010001,notanumber";
  text.replace(text.find(ascii), ascii.size(), line);
  isodrv::check::Options opts;
  opts.settings.mode = isodrv::diag::Mode::w;
  auto r = isodrv::check::check_bytes(utf16le_with_bom(text), "quokka.inx", opts);
  bool found = false;
  for (const auto& d : r.diagnostics) {
    if (d.code != 1268 || d.line != 23) continue;
    found = true;
    std::string cjk8;
    for (int i = 0; i < 13; ++i) cjk8 += "\u65E5";
    EXPECT_EQ(d.source_line, "HKR,S" + cjk8 + "$KMDFCOINSTALLERVERSION$K\u00E4y\U0001F998,Mode,0x00010001,notanumber");
    EXPECT_EQ(d.column, line.find(u"notanumber") + 1) << "UTF-16 units in the line as written";
  }
  EXPECT_TRUE(found) << "expected 1268 on line 23";
}

}  // namespace
