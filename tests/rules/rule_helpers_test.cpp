// The helper structures the rule families share for speed (issue 13, rules round 4): the folded
// eight-bytes-at-a-time hash of the [Strings] repeat check (rules::ci_hash), the anchored
// case-insensitive search (util::contains_ci) and the per-document index of the install sections'
// document sections (Context::install_section).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "isodrv/inf.h"
#include "isodrv/package.h"
#include "isodrv/rules.h"
#include "rules/named.h"
#include "rules/text.h"
#include "rules/util.h"

namespace {

using isodrv::rules::ci_hash;
using isodrv::rules::fold_word;

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Every byte value folds as to_lower_ascii folds it, in every position of the word.
TEST(RuleHelpers, FoldWordFoldsExactlyTheAsciiCapitals) {
  for (int b = 0; b < 256; ++b) {
    for (int pos = 0; pos < 8; ++pos) {
      unsigned char bytes[8] = {'a', 'Z', 0x80, '@', '[', 0xC1, 'q', 0xDA};
      bytes[pos] = static_cast<unsigned char>(b);
      std::uint64_t w;
      std::memcpy(&w, bytes, 8);
      const std::uint64_t folded = fold_word(w);
      unsigned char out[8];
      std::memcpy(out, &folded, 8);
      for (int i = 0; i < 8; ++i) {
        ASSERT_EQ(static_cast<char>(out[i]), fold(static_cast<char>(bytes[i]))) << "byte " << b << " at " << pos << ", index " << i;
      }
    }
  }
}

TEST(RuleHelpers, CiHashIsEqualForNamesEqualIgnoringAsciiCase) {
  std::mt19937 rng(13);
  for (int n = 0; n < 2000; ++n) {
    std::string a(rng() % 40, ' ');
    for (char& c : a) c = static_cast<char>(' ' + rng() % 95);
    std::string b = a;
    for (char& c : b) {
      if (rng() % 2 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      else if (rng() % 2 && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    ASSERT_EQ(ci_hash(a), ci_hash(b)) << a << " / " << b;
  }
  // Non-ASCII bytes compare as they are: not folded together with anything else.
  EXPECT_NE(ci_hash("\xC3\x84x"), ci_hash("\xC3\xA4x"));
}

TEST(RuleHelpers, CiHashTellsApartKeysThatDifferAnywhere) {
  // Keys of one [Strings] section differ in the middle, at the end, in length or only by a
  // trailing zero-padded byte of the last word.
  EXPECT_NE(ci_hash("DeviceDesc.Alpha.Name"), ci_hash("DeviceDesc.Bravo.Name"));
  EXPECT_NE(ci_hash("DeviceDesc1"), ci_hash("DeviceDesc2"));
  EXPECT_NE(ci_hash("Desc"), ci_hash("Desc "));
  EXPECT_NE(ci_hash(std::string("ab\0", 3)), ci_hash("ab"));
  EXPECT_NE(ci_hash("12345678"), ci_hash("123456781"));
  EXPECT_NE(ci_hash(""), ci_hash(" "));
  std::mt19937 rng(7);
  for (int n = 0; n < 2000; ++n) {
    std::string a(1 + rng() % 30, 'x');
    for (char& c : a) c = static_cast<char>('a' + rng() % 26);
    std::string b = a;
    const std::size_t at = rng() % b.size();
    b[at] = b[at] == 'z' ? 'a' : static_cast<char>(b[at] + 1);
    ASSERT_NE(ci_hash(a), ci_hash(b)) << a << " / " << b;
  }
}

// contains_ci answers what a lower-cased copy and find answer, with and without an anchor byte.
TEST(RuleHelpers, ContainsCiAgreesWithLowerCasedFind) {
  using isodrv::rules::util::contains_ci;
  EXPECT_TRUE(contains_ci("HKLM\\Software\\Classes\\CLSID\\{x}", "clsid\\"));
  EXPECT_FALSE(contains_ci("CLSID", "clsid\\"));
  EXPECT_TRUE(contains_ci("x\\AudioEngine\\AudioProcessingObjects", "audioengine\\audioprocessingobjects"));
  EXPECT_FALSE(contains_ci("\\clsid", "clsid\\"));
  EXPECT_TRUE(contains_ci("anything", ""));
  const char alphabet[] = {'a', 'B', 'c', '\\', 'C', 'b', 'A', '1'};
  std::mt19937 rng(11);
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 12, 'a'), needle(rng() % 5, 'a');
    for (char& c : s) c = alphabet[rng() % 8];
    for (char& c : needle) c = fold(alphabet[rng() % 8]);
    std::string folded = s;
    for (char& c : folded) c = fold(c);
    ASSERT_EQ(contains_ci(s, needle), folded.find(needle) != std::string::npos) << s << " / " << needle;
  }
}

const char* kInf = R"([Version]
Signature = "$Windows NT$"
Class     = System
ClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider  = Wombat

[Manufacturer]
Wombat = M, NTamd64

[M.NTamd64]
Device = INST, PCI\VEN_1234&DEV_0001

[inst]
CopyFiles = files, Missing_Files
AddReg    = regs

[Inst.Services]
AddService = wombat, 0x2, svc
AddService = numbat, 0, No_Such_Section

[SVC]
ServiceType   = 1
StartType     = 3
ErrorControl  = 1
ServiceBinary = %13%\w.sys

[Files]
w.sys

[Regs]
HKR,,X,,1

[svc]
DisplayName = "a second header of [SVC], merged into it"
)";

// install_section(i) answers what the name lookup answers, for sections named in another case
// than their header (INST, svc), for a section with two headers ([SVC], [svc]) and for sections
// the document lacks (No_Such_Section).
TEST(RuleHelpers, InstallSectionIsTheDocumentSectionOfThatName) {
  auto doc = isodrv::inf::Document::parse(kInf, "w.inf");
  ASSERT_TRUE(doc.ok());
  const isodrv::package::Package pkg = isodrv::package::build_package(*doc);
  isodrv::rules::CheckSettings settings;
  std::vector<isodrv::diag::Diagnostic> out;
  isodrv::rules::Context ctx(*doc, pkg, settings, out);
  ASSERT_GE(pkg.sections.size(), 3u);
  bool saw_missing = false;
  for (std::size_t i = 0; i < pkg.sections.size(); ++i) {
    const auto by_name = doc->section(pkg.sections[i].name);
    const auto cached = ctx.install_section(i);
    ASSERT_EQ(by_name.has_value(), cached.has_value()) << pkg.sections[i].name;
    if (!by_name) {
      saw_missing = true;
      continue;
    }
    EXPECT_EQ(by_name->index(), cached->index()) << pkg.sections[i].name;
  }
  EXPECT_TRUE(saw_missing);
  EXPECT_FALSE(ctx.install_section(pkg.sections.size()).has_value());
}

constexpr const char* kNamingInf = R"([Version]
Signature = "$Windows NT$"
Class     = System
ClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider  = Wombat

[Manufacturer]
Wombat = M, NTamd64

[M.NTamd64]
Device = Inst, PCI\VEN_1234&DEV_0001
Other  = Inst2, PCI\VEN_1234&DEV_0002

[Inst]
CopyFiles = files

[Inst.Components]
AddComponent = Comp, , Comp_Inst
addcomponent = Comp2, , COMP_INST

[Inst.Software]
AddSoftware = Soft, , Soft_Inst
ADDSOFTWARE = Soft2, , No_Such_Section

[Inst.Events]
AddEventProvider = {11111111-2222-3333-4444-555555555555}, Events_Inst

[Inst.Filters]
AddFilter = Filt, , Filt_Inst

[Inst.COM]
AddComServer = Com, , Com_Inst

[Inst.Wdf]
KmdfService = wombat, Kmdf_Inst
UmdfService = wombat_um, Umdf_Inst

[Inst2]
CopyFiles = files

[Inst2.Components]
AddComponent = Comp, , Comp_Inst

[Comp_Inst]
[Soft_Inst]
SoftwareType = 1
[Events_Inst]
[Filt_Inst]
FilterPosition = Upper
[Com_Inst]
[Kmdf_Inst]
KmdfLibraryVersion = 1.33
[Umdf_Inst]
UmdfLibraryVersion = 2.33.0

[Files]
w.sys
)";

// The sections named_sections finds through Context's kept entries are what a walk of every
// Package::sections entry comparing its reference's key with the directives' names finds, for
// every set of directives.
TEST(RuleHelpers, NamedSectionsAgreeWithAWalkOfEverySection) {
  auto doc = isodrv::inf::Document::parse(kNamingInf, "n.inf");
  ASSERT_TRUE(doc.ok());
  const isodrv::package::Package pkg = isodrv::package::build_package(*doc);
  isodrv::rules::CheckSettings settings;
  std::vector<isodrv::diag::Diagnostic> out;
  isodrv::rules::Context ctx(*doc, pkg, settings, out);
  using isodrv::rules::kSectionDirectives;
  std::uint32_t found_any = 0;
  for (std::uint32_t mask = 1; mask < (1u << std::size(kSectionDirectives)); ++mask) {
    std::vector<std::pair<std::uint32_t, std::string>> expected;  // (document section, directive)
    for (std::size_t i = 0; i < pkg.sections.size(); ++i) {
      const auto& s = pkg.sections[i];
      if (!s.exists || !s.has_reference) continue;
      const auto key = s.reference.raw_key();
      if (!key) continue;
      bool named = false;
      for (std::size_t d = 0; d < std::size(kSectionDirectives); ++d) {
        named = named || ((mask >> d & 1u) && isodrv::rules::iequals(*key, kSectionDirectives[d]));
      }
      const auto sec = doc->section(s.name);
      if (!named || !sec) continue;
      bool seen = false;
      for (const auto& e : expected) seen = seen || e.first == sec->index();
      if (!seen) expected.emplace_back(sec->index(), std::string(*key));
    }
    const auto got = isodrv::rules::named_sections(ctx, mask);
    ASSERT_EQ(got.size(), expected.size()) << "mask " << mask;
    for (std::size_t k = 0; k < got.size(); ++k) {
      EXPECT_EQ(got[k].section.index(), expected[k].first) << "mask " << mask;
      EXPECT_EQ(got[k].directive, expected[k].second) << "mask " << mask;
    }
    if (!got.empty() && (mask & (mask - 1)) == 0) found_any |= mask;
  }
  // Every directive names a section of this INF, so each bit was looked for with something to find.
  EXPECT_EQ(found_any, (1u << std::size(kSectionDirectives)) - 1);
}

}  // namespace
