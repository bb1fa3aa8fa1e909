// The package model holds views (issue 13 part 2): a field written without a %strkey% points into
// the document's text, a substituted one into the package's arena, and both stay valid when the
// Package is moved.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/inf_arena.h"
#include "isodrv/inf_values.h"
#include "isodrv/package.h"
#include "isodrv/package_needed.h"
#include "package/package_fixture.h"

using namespace isodrv;

namespace {

const std::string kInf = std::string(test::kSampleVersion) + R"inf(

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

using Fixture = test::PackageFixture;

// `dirids`, when given, is set on the document before the package is built.
Fixture build(std::string_view text = kInf, const char* name = "views.inf",
              const inf::DiridContext* dirids = nullptr) {
  return test::build_package_fixture(text, name, dirids);
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
  for (std::string_view v : {plain.root, plain.subkey, *plain.value_name, plain.flags_text, plain.data[0]}) {
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
  EXPECT_EQ(pkg.regs[0].data[0], ctx.driver_store + "\\x.dll");
  EXPECT_EQ(pkg.regs[0].data[0], pkg.regs[0].line.field(4));
  EXPECT_EQ(pkg.regs[1].data[0], pkg.regs[1].line.field(4));
  EXPECT_EQ(pkg.regs[1].data[0], "C:\\Windows\\x");
}

// The other records (issue 13 part 2, round 2): services, service deletes, interfaces, DelFiles /
// RenFiles entries, includes, directives, references and section names are views too.
const std::string kServiceInf = std::string(test::kSampleVersion) + R"inf(

[DestinationDirs]
DefaultDestDir = 13

[Manufacturer]
%P% = M, NTamd64

[M.NTamd64]
%D% = Dev, ROOT\SAMPLE

[Dev.NTamd64]
Include = %Inbox%, machine.inf
DelFiles = Gone
RenFiles = Moves

[Gone]
%Old%.sys

[Moves]
new.sys, %Old%.sys

[Dev.NTamd64.Services]
AddService = %Svc%, 0x00000002, Svc_Install, Svc_Log, %LogType%, %EvName%
DelService = %OldSvc%, 0x4, Application, %EvName%

[Dev.NTamd64.Interfaces]
AddInterface = {6a1e5f8d-0c1b-4d4e-9f2a-3b4c5d6e7f80}, %Ref%, Iface_Install

[Iface_Install]
AddReg = R

[Svc_Install]
DisplayName   = %SvcDesc%
ServiceType   = 1
startType     = 3
ErrorControl  = 1
ServiceBinary = %13%\s.sys
Dependencies  = +%Group%, Other
StartType     = 4
Description   = plain text

[Svc_Log]
AddReg = R

[R]
HKR,,X,0x00010001,1

[Strings]
P = "Provider"
D = "Device"
Inbox = "inbox.inf"
Old = "oldname"
Svc = "SampleSvc"
LogType = "System"
EvName = "SampleEvents"
OldSvc = "OldSvc"
Ref = "RefString"
SvcDesc = "Sample service"
Group = "Base"
)inf";

Fixture build_services() {
  inf::DiridContext ctx;
  ctx.driver_store = "C:\\Windows\\System32\\DriverStore\\FileRepository\\svc.inf_amd64_0";
  return build(kServiceInf, "svc.inf", &ctx);
}

// A field that is one whole defined %token%: the model hands out its [Strings] value itself, the
// view inf::substitute_view gives (neither substituted nor copied into the package).
bool is_strings_value(const inf::Document& doc, std::string_view v, std::string_view raw) {
  inf::StringArena unused;
  const std::string_view value = inf::substitute_view(doc, raw, unused);
  return unused.bytes_used() == 0 && !v.empty() && v.data() == value.data() && v.size() == value.size();
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

TEST(PackageViews, ServiceFieldsAreViewsEqualToTheLineFields) {
  const Fixture f = build_services();
  ASSERT_EQ(f.pkg.services.size(), 1u);
  const package::ServiceInstall& s = f.pkg.services[0];
  const inf::Line& l = s.directive;
  EXPECT_EQ(s.name, "SampleSvc");
  EXPECT_EQ(s.name, l.field(0));
  EXPECT_TRUE(is_strings_value(f.doc, s.name, l.raw_field(0)));
  EXPECT_EQ(s.install_section, "Svc_Install");
  EXPECT_TRUE(in_text(f.doc, s.install_section));
  EXPECT_EQ(s.eventlog_section, "Svc_Log");
  EXPECT_EQ(s.eventlog_type, "System");
  EXPECT_EQ(s.event_name, "SampleEvents");
  EXPECT_EQ(s.display_name, "Sample service");
  EXPECT_EQ(s.description, "plain text");
  EXPECT_TRUE(in_text(f.doc, s.description));
  EXPECT_EQ(s.service_binary, std::string("C:\\Windows\\System32\\DriverStore\\FileRepository\\svc.inf_amd64_0\\s.sys"));
  EXPECT_EQ(s.service_binary_raw, "%13%\\s.sys");
  EXPECT_TRUE(in_text(f.doc, s.service_binary_raw));
  EXPECT_EQ(s.dependencies, (std::vector<std::string_view>{"+Base", "Other"}));
  // As before the views: the numbers are read from every line (the last StartType counts), the
  // values keep each name's first line.
  EXPECT_EQ(s.start_type, std::optional<std::uint32_t>(4));

  ASSERT_EQ(f.pkg.service_deletes.size(), 1u);
  const package::ServiceDelete& del = f.pkg.service_deletes[0];
  EXPECT_EQ(del.name, "OldSvc");
  EXPECT_EQ(del.flags_text, "0x4");
  EXPECT_TRUE(in_text(f.doc, del.flags_text));
  EXPECT_EQ(del.eventlog_type, "Application");
  EXPECT_EQ(del.event_name, "SampleEvents");

  ASSERT_EQ(f.pkg.interfaces.size(), 1u);
  const package::InterfaceInstall& i = f.pkg.interfaces[0];
  EXPECT_EQ(i.guid, "{6a1e5f8d-0c1b-4d4e-9f2a-3b4c5d6e7f80}");
  EXPECT_TRUE(in_text(f.doc, i.guid));
  EXPECT_EQ(i.reference, "RefString");
  EXPECT_EQ(i.install_section, "Iface_Install");
}

TEST(PackageViews, ServiceValuesAreFoundInAnyCaseInLowerCaseOrder) {
  const Fixture f = build_services();
  const package::ServiceValues& v = f.pkg.services.at(0).values;
  // As the std::map keyed by lower-case names was: one entry per name, the first line wins.
  std::vector<std::string> names;
  for (const auto& [name, line] : v) names.push_back(inf::to_lower_ascii(name));
  EXPECT_EQ(names, (std::vector<std::string>{"dependencies", "description", "displayname", "errorcontrol",
                                             "servicebinary", "servicetype", "starttype"}));
  for (std::string_view key : {"starttype", "StartType", "STARTTYPE"}) {
    auto it = v.find(key);
    ASSERT_NE(it, v.end()) << key;
    EXPECT_EQ(it->first, "startType") << "the name as the first line writes it";
    EXPECT_EQ(it->second.field(0), "3");
  }
  EXPECT_EQ(v.count("servicebinary"), 1u);
  EXPECT_EQ(v.count("ImagePath"), 0u);
  EXPECT_EQ(v.find("ServiceTyp"), v.end());
  EXPECT_EQ(v.find("ServiceTypes"), v.end());
}

TEST(PackageViews, ListEntriesIncludesAndNamesAreViews) {
  const Fixture f = build_services();
  ASSERT_EQ(f.pkg.file_changes.size(), 2u);
  const package::FileChange& del = f.pkg.file_changes[0];
  EXPECT_EQ(del.kind, package::FileChangeKind::del);
  EXPECT_EQ(del.list_section, "Gone");
  EXPECT_TRUE(in_text(f.doc, del.list_section));
  EXPECT_EQ(del.name, "oldname.sys");
  const package::FileChange& ren = f.pkg.file_changes[1];
  EXPECT_EQ(ren.name, "new.sys");
  EXPECT_TRUE(in_text(f.doc, ren.name));
  EXPECT_EQ(ren.old_name, "oldname.sys");
  EXPECT_EQ(f.pkg.includes, (std::vector<std::string_view>{"inbox.inf", "machine.inf"}));
  for (const auto& d : f.pkg.directives) EXPECT_TRUE(in_text(f.doc, d.name)) << d.name;
  for (const auto& r : f.pkg.references) {
    EXPECT_TRUE(in_text(f.doc, r.directive)) << r.directive;
    EXPECT_EQ(r.target, trimmed(r.line.field(r.field))) << r.target;
  }
  bool service_section = false;
  for (const auto& s : f.pkg.sections) {
    if (s.exists) {
      EXPECT_TRUE(in_text(f.doc, s.name)) << s.name;
    }
    if (s.name == "Svc_Install") {
      service_section = true;
      EXPECT_EQ(s.service, "SampleSvc");
    }
  }
  EXPECT_TRUE(service_section);
}

TEST(PackageViews, RegistryDataAreSpansOfOneVector) {
  const Fixture f = build();
  std::size_t fields = 0;
  for (const auto& op : f.pkg.regs) {
    ASSERT_EQ(op.data.size(), op.raw_data.size());
    for (std::size_t i = 0; i < op.data.size(); ++i) {
      EXPECT_GE(op.data.data() + i, f.pkg.reg_fields.data());
      EXPECT_LT(op.raw_data.data() + i, f.pkg.reg_fields.data() + f.pkg.reg_fields.size());
      EXPECT_EQ(op.data[i], op.line.field(4 + i));
      EXPECT_EQ(op.raw_data[i], op.line.raw_field(4 + i));
    }
    fields += 2 * op.data.size();
  }
  EXPECT_EQ(fields, f.pkg.reg_fields.size());
}

TEST(PackageViews, OtherRecordsSurviveMovingThePackage) {
  Fixture f = build_services();
  const std::string name(f.pkg.services[0].name), binary(f.pkg.services[0].service_binary);
  const std::string_view* data = f.pkg.regs.at(0).data.data();
  std::vector<package::Package> many;
  many.push_back(std::move(f.pkg));
  many.resize(8);  // moves the first one again
  const package::Package& p = many[0];
  EXPECT_EQ(p.services[0].name, name);
  EXPECT_EQ(p.services[0].service_binary, binary);
  EXPECT_EQ(p.services[0].values.find("displayname")->second.field(0), "Sample service");
  EXPECT_EQ(p.regs.at(0).data.data(), data);
  EXPECT_EQ(p.regs.at(0).data[0], "1");
}

TEST(PackageViews, NeededSectionNamesOutliveTheRequest) {
  const Fixture f = build_services();
  package::Package needed;
  {
    package::NeededSection request{std::string("Svc_Install"), package::SectionRole::service_install, std::string("NeededSvc")};
    needed = package::build_needed_package(f.doc, {}, request);
    request.name.assign(40, 'x');
    request.service.assign(40, 'y');
  }
  ASSERT_FALSE(needed.sections.empty());
  EXPECT_EQ(needed.sections[0].name, "Svc_Install");
  EXPECT_EQ(needed.sections[0].service, "NeededSvc");
}

}  // namespace

// A Models entry's decoration is shared, not copied per entry: it points into the Package
// (Package::model_decorations), and stays valid when the Package moves and after the Builder that
// parsed it is gone (under ASan, a pointer into a freed buffer fails here).
TEST(PackageViews, ModelDecorationsAreSharedAndOutliveTheBuilder) {
  const char* text = R"inf([Version]
Signature = "$WINDOWS NT$"
[Manufacturer]
%P% = M, NTamd64.10.0...19041, NT$ARCH$.10.0...22000
[M.NTamd64.10.0...19041]
A = DevA, ROOT\A
B = DevB, ROOT\B
[M.NT$ARCH$.10.0...22000]
C = DevC, ROOT\C
[DevA]
[DevB]
[DevC]
[Strings]
P = "Provider"
)inf";
  Fixture f = build(text, "decorations.inf");
  std::vector<package::Package> many;
  many.push_back(std::move(f.pkg));
  many.resize(8);  // moves the first one again
  const package::Package& p = many[0];
  ASSERT_EQ(p.models.size(), 3u);
  ASSERT_NE(p.models[0].decoration, nullptr);
  EXPECT_EQ(p.models[0].decoration, p.models[1].decoration) << "one decoration for the entries of a Models section";
  EXPECT_EQ(p.models[0].decoration->text, "NTamd64.10.0...19041");
  EXPECT_EQ(p.models[0].decoration->build, 19041u);
  ASSERT_NE(p.models[2].decoration, nullptr);
  // $ARCH$ read as the target architecture (amd64 by default), the section name as written.
  EXPECT_EQ(p.models[2].decoration->text, "NTamd64.10.0...22000");
  EXPECT_EQ(p.models[2].models_section, "M.NT$ARCH$.10.0...22000");
  EXPECT_EQ(p.models[2].hardware_ids.at(0), "ROOT\\C");
  bool owned = false;
  for (const auto& d : p.model_decorations) owned = owned || d.get() == p.models[2].decoration;
  EXPECT_TRUE(owned);
}

// IdList keeps two IDs inline and moves to a vector at the third; reading is the same either way,
// and a copy or a moved-to list reads its own storage (under ASan, a view of the source's inline
// array after it is gone fails here).
TEST(PackageViews, IdListInlineAndSpilled) {
  const std::vector<std::string> ids = {"ROOT\\A", "ROOT\\B", "ROOT\\C", "ROOT\\D"};
  package::IdList two;
  two.assign(ids.begin(), ids.begin() + 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two.front(), "ROOT\\A");
  EXPECT_EQ(two[1], "ROOT\\B");
  EXPECT_THROW((void)two.at(2), std::out_of_range);
  package::IdList four;
  four.reserve(4);
  for (const auto& id : ids) four.push_back(id);
  ASSERT_EQ(four.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(four.begin(), four.end()), ids);
  std::vector<std::string> seen;
  {
    auto moved_from = std::make_unique<package::IdList>(two);
    package::IdList copy = std::move(*moved_from);
    moved_from.reset();
    for (std::string_view id : copy) seen.emplace_back(id);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ROOT\\A", "ROOT\\B"}));
  four.clear();
  EXPECT_TRUE(four.empty());
  four.push_back("X");
  EXPECT_EQ(four.at(0), "X");
}

// Fields read again (Models sections per architecture, a list section once per directive using
// it) are views equal to what the document's own eager reading (Line::field / Line::key) gives, and
// stay valid after the Package moved with the builder long gone.
const std::string kRepeatInf = std::string(test::kSampleVersion) + R"inf(
[Manufacturer]
%P% = M, NTx86, NTamd64

[M.NTx86]
%D% = Dev, ROOT\A, %Compat%
%D% = Dev, ROOT\B

[M.NTamd64]
%D% = Dev, ROOT\A, %Compat%
%Other% = Dev, ROOT\C

[Dev.NTx86]
AddReg = Reg

[Dev.NTamd64]
AddReg = Reg, Reg

[Reg]
HKR, %Sub%, %Value%, 0x00010000, %Data%, %Data%
HKR, %Sub%, Second, , "%Data%"

[Strings]
P = "Provider"
D = "Device"
Other = "Other device"
Compat = "ROOT\COMPAT"
Sub = "SubDir"
Value = "Name"
Data = "data text"
)inf";

TEST(PackageViews, RepeatedTokenFieldsEqualTheEagerOnesAfterMoves) {
  Fixture f = build(kRepeatInf, "repeat.inf");
  const package::Package& built = f.pkg;
  ASSERT_EQ(built.models.size(), 4u);
  ASSERT_EQ(built.regs.size(), 6u);  // [Reg] read once per user: x86 once, amd64 twice
  for (const package::ModelEntry& m : built.models) {
    EXPECT_EQ(m.description, m.line.key().value_or(""));
    for (std::size_t i = 0; i < m.hardware_ids.size(); ++i) EXPECT_EQ(m.hardware_ids[i], m.line.field(i + 1));
  }
  for (const package::RegOp& op : built.regs) {
    EXPECT_EQ(op.subkey, op.line.field(1));
    EXPECT_EQ(op.value_name, std::optional<std::string_view>(op.line.field(2)));
    for (std::size_t i = 0; i < op.data.size(); ++i) EXPECT_EQ(op.data[i], op.line.field(4 + i));
  }
  EXPECT_EQ(built.models[0].description, "Device");
  EXPECT_EQ(built.models[3].description, "Other device");
  EXPECT_EQ(built.regs[4].data[0], "data text");
  EXPECT_TRUE(is_strings_value(f.doc, built.models[0].description, *built.models[0].line.raw_key()));

  // Moved twice (and the builder long gone): the views still read the same text.
  const std::string_view* const description_at = &built.models[2].description;
  const char* const text_at = description_at->data();
  package::Package moved = std::move(f.pkg);
  std::vector<package::Package> many;
  many.push_back(std::move(moved));
  many.resize(8);
  const package::Package& p = many[0];
  EXPECT_EQ(p.models[2].description.data(), text_at);
  EXPECT_EQ(p.models[2].description, "Device");
  EXPECT_EQ(p.regs[5].data[0], "data text");
  EXPECT_EQ(p.regs[3].subkey, "SubDir");
  EXPECT_EQ(p.models[0].hardware_ids.at(1), "ROOT\\COMPAT");
}

// Flags are read inline in their common forms and through inf::parse_u32 otherwise: the model's
// number is parse_u32's for every spelling, valid or not.
TEST(PackageViews, RegistryFlagsReadAsParseU32ReadsThem) {
  const char* const kFlags[] = {"0x00010001", "0X1f",       "0xABCDEF01", "17",         "000012",   "0",
                                "0x",         "0x0",        "0x123456789", "0x00000000F", "4294967295",
                                "4294967296", "999999999",  "1000000000", "+1",         "-1",       "0xG1",
                                "1a",         "0x1 2",      "x1",         "%Flags%",    "0x0001000g"};
  std::string text = std::string(test::kSampleVersion) + "[DefaultInstall.NTamd64]\nAddReg = Reg\n[Reg]\n";
  for (const char* flags : kFlags) text += std::string("HKR, Sub, V, ") + flags + ", 1\n";
  text += "[Strings]\nP = \"Provider\"\nFlags = \"0x00010001\"\n";
  const Fixture f = build(text, "flags.inf");
  ASSERT_EQ(f.pkg.regs.size(), std::size(kFlags));
  for (std::size_t i = 0; i < std::size(kFlags); ++i) {
    const package::RegOp& op = f.pkg.regs[i];
    std::string field = op.line.field(3);
    field.erase(0, field.find_first_not_of(" \t"));
    field.erase(field.find_last_not_of(" \t") + 1);
    EXPECT_EQ(op.flags_text, field) << kFlags[i];
    EXPECT_EQ(op.flags, inf::parse_u32(op.flags_text)) << kFlags[i];
  }
  EXPECT_EQ(f.pkg.regs[0].flags, std::optional<std::uint32_t>(0x00010001));
  EXPECT_EQ(f.pkg.regs[1].flags, std::optional<std::uint32_t>(0x1f));
  EXPECT_EQ(f.pkg.regs[6].flags, std::nullopt);  // "0x"
  EXPECT_EQ(f.pkg.regs[20].flags, std::optional<std::uint32_t>(0x00010001));  // %Flags%
}
