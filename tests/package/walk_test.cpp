// How the model's walk finds sections (issue 13, round 3): one pass over the section names marks
// the well-known ones, indexes decorated variants (only names with an ".NT" component are split),
// notes which last components exist (sub-sections are probed only for those) and whether any name
// ends in ".security"; each install section and reference keeps the document section it found,
// lists are indexed by (section, kind), and FileCopy destinations read [DestinationDirs] once.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "isodrv/directives.h"
#include "isodrv/inf.h"
#include "isodrv/package.h"
#include "package/package_fixture.h"

using namespace isodrv;

namespace {

const std::string kInf = std::string(test::kSampleVersion) + R"inf(

[DestinationDirs]
DefaultDestDir = 12
OwnFiles = 13, sub
MinusFiles = -1

[SourceDisksNames]
1 = %P%

[SourceDisksFiles]
s.sys = 1

[SourceDisksFiles.amd64]
s.sys = 1

[Manufacturer]
%P% = M, NTamd64

[M.NTamd64]
%D% = Dev, ROOT\SAMPLE
%D% = dev, ROOT\SAMPLE2
%D% = Other, ROOT\OTHER

[dev.ntamd64]
AddReg = Reg
CopyFiles = OwnFiles, DefaultFiles, MinusFiles

[Dev.NTamd64.10.0...19041]
AddReg = Reg, Reg2

[Dev.NTfoo]
AddReg = NotAVariant

[DEV.NTAMD64.hw]
AddReg = HwReg

[Dev.ntamd64.SERVICES]
AddService = svc, 2, SvcInstall

[Dev.NTamd64.Remove]
DelReg = Reg

[Dev.NTamd64.Remove.Services]
DelService = svc

[Dev.NTamd64.Unknown]
AddReg = NotASubsection

[Other]
AddReg = Reg2
CopyFiles = Reg2

[DefaultInstall.NTamd64]
AddReg = Reg

[DefaultInstall.NTamd64.HW]
AddReg = NotReached

[DefaultInstall.NTamd64.Services]
AddService = other, 2, SvcInstall

[SvcInstall]
ServiceType = 1
ServiceBinary = %12%\s.sys

[Reg]
HKR,,A,0x00010001,1

[Reg.Security]
"D:P(A;;GA;;;SY)"

[Reg2]
HKR,,B,0x00010001,2

[Orphan.security]
"D:P(A;;GA;;;SY)"

[HwReg]
HKR,,C,0x00010001,3

[NotAVariant]
HKR,,N,,"x"

[NotASubsection]
HKR,,N,,"x"

[NotReached]
HKR,,N,,"x"

[OwnFiles]
s.sys

[DefaultFiles]
s.sys

[MinusFiles]
s.sys

[Strings.0409]
P = "Provider"
D = "Device"

[StringsExtra]
X = 1

[ControlFlags]
ExcludeFromSelect = *
)inf";

using Fixture = test::PackageFixture;

Fixture build(std::string_view text = kInf) { return test::build_package_fixture(text, "walk.inf"); }

bool used(const Fixture& f, std::string_view name) {
  auto s = f.doc.section(name);
  EXPECT_TRUE(s.has_value()) << name;
  return s && f.pkg.section_used[s->index()];
}

bool reached(const Fixture& f, std::string_view name, package::SectionRole role) {
  return package::find_install_section(f.pkg, name, role).has_value();
}

TEST(PackageWalk, WellKnownSectionsAreUsedWithTheirDecorations) {
  const Fixture f = build();
  EXPECT_TRUE(used(f, "Version"));
  EXPECT_TRUE(used(f, "Strings.0409"));
  EXPECT_TRUE(used(f, "SourceDisksFiles.amd64"));
  EXPECT_TRUE(used(f, "ControlFlags"));
  EXPECT_TRUE(used(f, "DestinationDirs"));
  EXPECT_FALSE(used(f, "StringsExtra")) << "a prefix is a well-known name only before a '.'";
}

TEST(PackageWalk, DecoratedVariantsAreFoundInAnyCase) {
  const Fixture f = build();
  EXPECT_TRUE(reached(f, "dev.ntamd64", package::SectionRole::ddinstall));
  EXPECT_TRUE(reached(f, "Dev.NTamd64.10.0...19041", package::SectionRole::ddinstall));
  EXPECT_FALSE(reached(f, "Dev.NTfoo", package::SectionRole::ddinstall)) << "NTfoo is no decoration";
  EXPECT_FALSE(used(f, "NotAVariant"));
  // "Dev" and "dev" are one DDInstall base: its variants are walked once.
  std::size_t roots = 0;
  for (const auto& s : f.pkg.sections) {
    if (s.role == package::SectionRole::ddinstall && inf::iequals(s.base, "Dev")) ++roots;
  }
  EXPECT_EQ(roots, 2u);
}

TEST(PackageWalk, SubSectionsAreFoundInAnyCaseAndOnlyForTheirRoots) {
  const Fixture f = build();
  EXPECT_TRUE(reached(f, "DEV.NTAMD64.hw", package::SectionRole::hw));
  EXPECT_TRUE(reached(f, "Dev.ntamd64.SERVICES", package::SectionRole::services));
  EXPECT_TRUE(reached(f, "Dev.NTamd64.Remove", package::SectionRole::remove));
  auto remove_services = package::find_install_section(f.pkg, "Dev.NTamd64.Remove.Services", package::SectionRole::services);
  ASSERT_TRUE(remove_services.has_value());
  EXPECT_TRUE(f.pkg.sections[*remove_services].removal);
  EXPECT_FALSE(used(f, "NotASubsection")) << ".Unknown is no sub-section";
  // DefaultInstall has only a .Services sub-section.
  EXPECT_TRUE(reached(f, "DefaultInstall.NTamd64.Services", package::SectionRole::services));
  EXPECT_FALSE(used(f, "NotReached"));
  // The install sections' names are the document's headers.
  for (const auto& s : f.pkg.sections) {
    if (!s.exists) continue;
    auto sec = f.doc.section(s.name);
    ASSERT_TRUE(sec.has_value()) << s.name;
    EXPECT_EQ(sec->name().data(), s.name.data());
  }
}

TEST(PackageWalk, SecuritySectionsOfReferencedListsAreUsed) {
  const Fixture f = build();
  EXPECT_TRUE(used(f, "Reg.Security"));
  EXPECT_FALSE(used(f, "Orphan.security")) << "no directive names [Orphan]";
}

TEST(PackageWalk, TargetBitsFollowSectionsAndReferences) {
  const Fixture f = build();
  auto bits = [&](std::string_view name) { return f.pkg.section_targets[f.doc.section(name)->index()]; };
  const std::uint64_t models = bits("M.NTamd64");
  ASSERT_NE(models, 0u);
  EXPECT_EQ(bits("dev.ntamd64") & models, models);
  EXPECT_EQ(bits("DEV.NTAMD64.hw") & models, models) << "sub-sections carry their root's targets";
  EXPECT_EQ(bits("HwReg") & models, models) << "references carry their section's targets";
  EXPECT_EQ(bits("SvcInstall") & models, models);
  EXPECT_NE(bits("DefaultInstall.NTamd64"), 0u);
  EXPECT_EQ(bits("NotReached"), 0u);
}

TEST(PackageWalk, ListsAreOnePerSectionAndKind) {
  const Fixture f = build();
  // [Reg2] is named by AddReg (twice) and by CopyFiles: one registry list with two users, one file list.
  std::vector<const package::ListSection*> reg2;
  for (const auto& l : f.pkg.lists) {
    if (l.name == "Reg2") reg2.push_back(&l);
  }
  ASSERT_EQ(reg2.size(), 2u);
  EXPECT_EQ(reg2[0]->kind, package::ListKind::regs);
  EXPECT_EQ(reg2[0]->users.size(), 2u);
  EXPECT_EQ(reg2[1]->kind, package::ListKind::copies);
  EXPECT_EQ(reg2[1]->users.size(), 1u);
  for (std::size_t i = 0; i < f.pkg.lists.size(); ++i) {
    for (const auto& u : f.pkg.lists[i].users) {
      bool found = false;
      for (const auto& op : f.pkg.operations) found = found || (op.list == i && op.line.index() == u.line.index());
      EXPECT_TRUE(found) << f.pkg.lists[i].name;
    }
  }
}

TEST(PackageWalk, CopyDestinationsAgreeWithListDestination) {
  const Fixture f = build();
  std::vector<std::string> seen;
  for (const auto& c : f.pkg.copies) {
    if (c.list_section.empty()) continue;
    seen.emplace_back(c.list_section);
    auto d = package::list_destination(f.doc, c.list_section);
    ASSERT_TRUE(d.has_value()) << c.list_section;
    EXPECT_TRUE(c.has_destination);
    EXPECT_EQ(c.from_default, d->from_default) << c.list_section;
    EXPECT_EQ(c.dirid, d->dirid) << c.list_section;
    EXPECT_EQ(c.dirid_text, d->dirid_text) << c.list_section;
    EXPECT_EQ(c.dest_subdir, d->subdir) << c.list_section;
    EXPECT_EQ(c.destination_line.index(), d->line.index()) << c.list_section;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"OwnFiles", "DefaultFiles", "MinusFiles", "Reg2"}));
  EXPECT_EQ(f.pkg.copies[0].dirid, 13);
  EXPECT_EQ(f.pkg.copies[0].dest_subdir, "sub");
  EXPECT_TRUE(f.pkg.copies[1].from_default);
  EXPECT_EQ(f.pkg.copies[1].dirid, 12);
  EXPECT_EQ(f.pkg.copies[2].dirid, -1);
}

TEST(PackageWalk, NoDestinationDirsMeansNoDestination) {
  const Fixture f = build(R"inf([Version]
Signature = "$WINDOWS NT$"

[DefaultInstall]
CopyFiles = Files

[Files]
a.sys
)inf");
  ASSERT_EQ(f.pkg.copies.size(), 1u);
  EXPECT_FALSE(f.pkg.copies[0].has_destination);
  EXPECT_EQ(f.pkg.copies[0].dirid, -2);
  EXPECT_FALSE(package::list_destination(f.doc, "Files").has_value());
}

}  // namespace

namespace {

TEST(PackageWalk, EveryDirectiveIsFoundByItsNameInAnyCase) {
  for (const package::DirectiveSpec& d : package::kDirectives) {
    std::string upper(d.name), lower(d.name);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    EXPECT_EQ(package::find_directive(d.name), &d) << d.name;
    EXPECT_EQ(package::find_directive(upper), &d) << upper;
    EXPECT_EQ(package::find_directive(lower), &d) << lower;
  }
  EXPECT_EQ(package::find_directive(""), nullptr);
  EXPECT_EQ(package::find_directive("AddRegs"), nullptr);
  EXPECT_EQ(package::find_directive("BddReg"), nullptr);
  EXPECT_EQ(package::find_directive("AddEventProviderX"), nullptr) << "longer than every directive";
}

}  // namespace
