// List sections in the package model: a list named by several directives is one Package::lists
// entry with all of them as its users (issue 16 part 1), and first_use gives each entry line once.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/package.h"
#include "package/package_fixture.h"

using namespace isodrv;

namespace {

const std::string kInf = std::string(test::kSampleVersion) + R"inf(

[DestinationDirs]
DefaultDestDir = 13

[SourceDisksNames]
1 = %P%

[SourceDisksFiles]
s.sys = 1

[Manufacturer]
%P% = M, NTamd64

[M.NTamd64]
%D% = Dev, ROOT\SAMPLE

[Dev.NTamd64]
AddReg = SharedReg, OwnReg
CopyFiles = Files
AddProperty = Props

[Dev.NTamd64.HW]
AddReg = sharedreg
CopyFiles = Files
AddProperty = Props

[DefaultInstall.NTamd64]
AddReg = SharedReg
DelReg = SharedReg
CopyFiles = Files, Missing

[SharedReg]
HKR,,Shared,0x00010001,1
HKR,,Other,,"x"

[OwnReg]
HKR,,Own,0x00010001,2

[Files]
s.sys

[Props]
DeviceModel,,,,"Model"

[Strings]
P = "Provider"
D = "Sample device"
)inf";

class Lists : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = inf::Document::parse(std::string_view(kInf), "sample.inf");
    ASSERT_TRUE(d) << d.error().message;
    doc = std::make_unique<inf::Document>(std::move(*d));
    inf::Target t;
    t.arch = inf::Arch::amd64;
    pkg = package::build_package(*doc, t);
  }
  const package::ListSection* list(std::string_view name, package::ListKind kind) {
    const package::ListSection* found = nullptr;
    for (const auto& l : pkg.lists) {
      if (!inf::iequals(l.name, name) || l.kind != kind) continue;
      EXPECT_EQ(found, nullptr) << name << " is recorded twice";
      found = &l;
    }
    EXPECT_NE(found, nullptr) << name;
    return found;
  }
  std::unique_ptr<inf::Document> doc;
  package::Package pkg;
};

TEST_F(Lists, ATwiceReferencedListIsOneEntryWithItsUsers) {
  const auto* shared = list("SharedReg", package::ListKind::regs);
  ASSERT_NE(shared, nullptr);
  // Named from the DDInstall, its .HW (spelled in lower case there) and DefaultInstall (twice).
  ASSERT_EQ(shared->users.size(), 4u);
  EXPECT_EQ(shared->name, "SharedReg");  // as the section header spells it
  EXPECT_EQ(shared->users[0].binding, package::HkrBinding::software_key);
  EXPECT_EQ(shared->users[1].binding, package::HkrBinding::device_parameters);
  EXPECT_EQ(shared->users[2].directive, "AddReg");
  EXPECT_EQ(shared->users[3].directive, "DelReg");
  for (const auto& u : shared->users) EXPECT_EQ(u.count, 2u) << u.directive;
  EXPECT_NE(shared->users[0].section, shared->users[1].section);
  const auto* own = list("OwnReg", package::ListKind::regs);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->users.size(), 1u);
  const auto* files = list("Files", package::ListKind::copies);
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(files->users.size(), 3u);
  const auto* props = list("Props", package::ListKind::properties);
  ASSERT_NE(props, nullptr);
  EXPECT_EQ(props->users.size(), 2u);
}

TEST_F(Lists, EveryListOnceAndNoneForMissingSections) {
  std::set<std::pair<std::size_t, package::ListKind>> seen;
  for (const auto& l : pkg.lists) {
    EXPECT_TRUE(seen.insert({l.doc_section, l.kind}).second) << l.name << " is recorded twice";
    EXPECT_FALSE(l.users.empty()) << l.name;
  }
  EXPECT_EQ(pkg.lists.size(), 4u);  // SharedReg, OwnReg, Files, Props; not Missing
}

TEST_F(Lists, OperationsPointAtTheirList) {
  std::size_t named = 0;
  for (const auto& op : pkg.operations) {
    if (op.target == "Missing") {
      EXPECT_EQ(op.list, package::Operation::npos);
      continue;
    }
    if (op.list == package::Operation::npos) continue;
    ++named;
    const auto& l = pkg.lists[op.list];
    EXPECT_TRUE(inf::iequals(l.name, op.target));
    bool user = false;
    for (const auto& u : l.users) user = user || (u.line.index() == op.line.index() && u.first == op.first);
    EXPECT_TRUE(user) << op.directive << "=" << op.target;
  }
  EXPECT_EQ(named, 10u);
}

TEST_F(Lists, FirstUseGivesEachEntryLineOnce) {
  std::set<std::uint32_t> lines;
  std::size_t entries = 0;
  for (const auto& l : pkg.lists) {
    if (l.kind != package::ListKind::regs) continue;
    for (const auto& r : package::first_use(pkg.regs, l)) {
      ++entries;
      EXPECT_TRUE(lines.insert(r.line.index()).second);
    }
  }
  EXPECT_EQ(entries, 3u);        // SharedReg's two entries and OwnReg's one
  EXPECT_GT(pkg.regs.size(), 3u);  // the per-user records: SharedReg applied four times
}

// A CopyFiles entry's flags are read like every other field, substituted once: a [Strings] value
// that itself spells a %token% stays as written (and is then no number), as RegOp flags are read.
TEST(ListCopies, FlagsAreSubstitutedOnce) {
  const std::string text = std::string(test::kSampleVersion) + R"inf(

[DestinationDirs]
DefaultDestDir = 13

[DefaultInstall.NTamd64]
CopyFiles = Files

[Files]
once.sys,,,%Once%
twice.sys,,,%Twice%
plain.sys,,,0x2

[Strings]
P = "Provider"
Once = "0x4000"
Twice = "%Once%"
)inf";
  const test::PackageFixture f = test::build_package_fixture(text, "flags.inf");
  std::size_t seen = 0;
  for (const auto& c : f.pkg.copies) {
    if (c.dest_name == "once.sys") {
      EXPECT_EQ(c.flags_text, "0x4000");
      EXPECT_EQ(c.flags, std::optional<std::uint32_t>(0x4000));
    } else if (c.dest_name == "twice.sys") {
      EXPECT_EQ(c.flags_text, "%Once%");
      EXPECT_EQ(c.flags, std::nullopt);
    } else if (c.dest_name == "plain.sys") {
      EXPECT_EQ(c.flags, std::optional<std::uint32_t>(2));
    } else {
      continue;
    }
    ++seen;
  }
  EXPECT_EQ(seen, 3u);
}

}  // namespace
