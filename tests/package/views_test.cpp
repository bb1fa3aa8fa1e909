// The package model holds views (issue 13 part 2): a field written without a %strkey% points into
// the document's text, a substituted one into the package's arena, and both stay valid when the
// Package is moved.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/package.h"

using namespace isodrv;

namespace {

const char* kInf = R"inf([Version]
Signature = "$WINDOWS NT$"
Class     = Sample
ClassGuid = {0b9b8a6e-5f8a-4c2e-9d0e-7a1b2c3d4e5f}
Provider  = %P%

[DestinationDirs]
DefaultDestDir = 13
Files = 12, %Sub%

[SourceDisksNames]
1 = %P%

[SourceDisksFiles]
s.sys = 1

[Manufacturer]
%P% = M, NTamd64

[M.NTamd64]
%D% = Dev, ROOT\SAMPLE, %Compat%

[Dev.NTamd64]
AddReg = Reg
CopyFiles = Files, @%File%

[Files]
s.sys
%Name%.sys, s.sys

[Reg]
HKR, Sub, Plain, 0x00010001, 1
hkr, %Sub%, %ValueName%, 0x00010000, a, %Data%

[Strings]
P = "Provider"
D = "Device"
Compat = "ROOT\COMPAT"
Sub = "SubDir"
Name = "renamed"
File = "direct.sys"
ValueName = "Substituted"
Data = "data text"
)inf";

// The document outlives the package, at a fixed address (Package::doc points at it).
struct Fixture {
  std::unique_ptr<inf::Document> doc_owner;
  const inf::Document& doc;
  package::Package pkg;
};

Fixture build() {
  auto doc = inf::Document::parse(kInf, "views.inf");
  EXPECT_TRUE(doc.ok());
  auto owner = std::make_unique<inf::Document>(std::move(*doc));
  const inf::Document& d = *owner;
  return Fixture{std::move(owner), d, package::build_package(d)};
}

bool in_text(const inf::Document& doc, std::string_view v) {
  const std::string_view t = doc.text();
  return v.data() >= t.data() && v.data() + v.size() <= t.data() + t.size();
}

TEST(PackageViews, FieldsWithoutTokensPointIntoTheDocument) {
  const Fixture f = build();
  ASSERT_EQ(f.pkg.regs.size(), 2u);
  const package::RegOp& plain = f.pkg.regs[0];
  EXPECT_EQ(plain.root, "HKR");
  EXPECT_EQ(plain.subkey, "Sub");
  EXPECT_EQ(plain.value_name, std::optional<std::string_view>("Plain"));
  EXPECT_EQ(plain.flags_text, "0x00010001");
  for (std::string_view v : {plain.root, plain.subkey, *plain.value_name, plain.flags_text, plain.data.at(0)}) {
    EXPECT_TRUE(in_text(f.doc, v)) << v;
  }
  ASSERT_EQ(f.pkg.models.size(), 1u);
  EXPECT_EQ(f.pkg.models[0].install_base, "Dev");
  EXPECT_TRUE(in_text(f.doc, f.pkg.models[0].install_base));
  EXPECT_TRUE(in_text(f.doc, f.pkg.models[0].hardware_ids.at(0)));
}

TEST(PackageViews, FieldsWithTokensAreSubstituted) {
  const Fixture f = build();
  const package::RegOp& sub = f.pkg.regs[1];
  EXPECT_EQ(sub.root, "HKR") << "an upper-cased root is kept by the arena";
  EXPECT_FALSE(in_text(f.doc, sub.root));
  EXPECT_EQ(sub.subkey, "SubDir");
  EXPECT_EQ(sub.value_name, std::optional<std::string_view>("Substituted"));
  ASSERT_EQ(sub.data.size(), 2u);
  EXPECT_EQ(sub.data[1], "data text");
  EXPECT_EQ(sub.raw_data[1], "%Data%");
  EXPECT_EQ(f.pkg.models[0].description, "Device");
  EXPECT_EQ(f.pkg.models[0].hardware_ids.at(1), "ROOT\\COMPAT");
  std::vector<std::string> dests;
  for (const auto& c : f.pkg.copies) dests.emplace_back(c.dest_name);
  EXPECT_EQ(dests, (std::vector<std::string>{"s.sys", "renamed.sys", "direct.sys"}));
  EXPECT_EQ(f.pkg.copies[0].dirid_text, "12");
  EXPECT_EQ(f.pkg.copies[0].dest_subdir, "SubDir");
  EXPECT_EQ(f.pkg.copies[1].source_name, "s.sys");
}

TEST(PackageViews, ViewsStayValidAfterThePackageMoves) {
  Fixture f = build();
  const package::RegOp before = f.pkg.regs[1];
  const std::string subkey(before.subkey), data(before.data[1]), dest(f.pkg.copies[1].dest_name);
  package::Package moved = std::move(f.pkg);
  std::vector<package::Package> many;
  many.push_back(std::move(moved));
  many.resize(8);  // moves the first one again
  const package::Package& p = many[0];
  EXPECT_EQ(p.regs[1].subkey.data(), before.subkey.data());
  EXPECT_EQ(p.regs[1].subkey, subkey);
  EXPECT_EQ(p.regs[1].data[1], data);
  EXPECT_EQ(p.copies[1].dest_name, dest);
}

TEST(PackageViews, DiridTokensResolveAsBefore) {
  auto doc = inf::Document::parse(R"inf([Version]
Signature = "$WINDOWS NT$"
[DefaultInstall.NTamd64]
AddReg = R
[R]
HKLM, Software\X, Path, 0, %13%\x.dll
HKLM, Software\X, Win, 0, %10%\x
)inf", "d.inf");
  ASSERT_TRUE(doc.ok());
  inf::DiridContext ctx;
  ctx.driver_store = "C:\\Windows\\System32\\DriverStore\\FileRepository\\d.inf_amd64_0";
  doc->set_dirids(ctx);
  const package::Package pkg = package::build_package(*doc);
  ASSERT_EQ(pkg.regs.size(), 2u);
  EXPECT_EQ(pkg.regs[0].data.at(0), ctx.driver_store + "\\x.dll");
  EXPECT_EQ(pkg.regs[0].data.at(0), pkg.regs[0].line.field(4));
  EXPECT_EQ(pkg.regs[1].data.at(0), pkg.regs[1].line.field(4));
  EXPECT_EQ(pkg.regs[1].data.at(0), "C:\\Windows\\x");
}

}  // namespace
