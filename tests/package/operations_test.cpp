// The package model's operations: per install section, what the install applies and in which
// order, with Needs expanded in the role of the section that needs them, each operation carrying
// what the model parsed for it (issue 16 part 1).
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "isodrv/directives.h"
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
Needs = Shared, KS.Registration
AddReg = RegA, RegB
Include = ks.inf
CopyFiles = Files
DelReg = RegDel
Reboot
AddProperty = Props

[Dev.NTamd64.HW]
AddReg = HwReg
Needs = Shared

[Dev.NTamd64.Services]
AddService = Svc, 0x2, Svc_Inst, Svc_Log, Application, SvcEvents

[Svc_Inst]
ServiceType = 1
StartType = 3
ErrorControl = 1
ServiceBinary = %13%\s.sys
DisplayName = %D%
Dependencies = Other, +Group

[Svc_Log]
AddReg = LogReg

[Shared]
AddReg = SharedReg

[Files]
s.sys

[RegA]
HKR,,A,0x00010001,1

[RegB]
HKR,,B,0x00010001,2
HKR,,C,,"%D%"

[RegDel]
HKR,,Old

[HwReg]
HKR,,FriendlyName,,"Name"
HKR,Sub,FriendlyName,,"Not a property"
HKR,,Other,,"x"

[SharedReg]
HKR,,Shared,0x00010001,1

[LogReg]
HKR,,TypesSupported,0x00010001,7

[Props]
DeviceModel,,,,"Model"

[Strings]
P = "Provider"
D = "Sample device"
)inf";

class Operations : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = inf::Document::parse(std::string_view(kInf), "sample.inf");
    ASSERT_TRUE(d) << d.error().message;
    doc = std::make_unique<inf::Document>(std::move(*d));
    inf::Target t;
    t.arch = inf::Arch::amd64;
    pkg = package::build_package(*doc, t);
  }
  std::size_t section(const char* name, package::SectionRole role) {
    auto i = package::find_install_section(pkg, name, role);
    EXPECT_TRUE(i) << name;
    return i.value_or(0);
  }
  std::vector<std::string> directives(std::size_t idx) {
    std::vector<std::string> out;
    for (const auto& op : package::operations_of(pkg, idx)) {
      out.push_back(std::string(op.directive) + (op.target.empty() ? "" : "=" + std::string(op.target)));
    }
    return out;
  }
  std::unique_ptr<inf::Document> doc;
  package::Package pkg;
};

TEST_F(Operations, ApplyInTheModelsOrderWithNeedsLast) {
  const std::size_t dev = section("Dev.NTamd64", package::SectionRole::ddinstall);
  // kApplyOrder first, one operation per list named; Needs (and Include) after everything else.
  EXPECT_EQ(directives(dev), (std::vector<std::string>{"CopyFiles=Files", "DelReg=RegDel", "AddReg=RegA", "AddReg=RegB",
                                                        "AddProperty=Props", "Reboot", "Needs=Shared",
                                                        "Needs=KS.Registration", "Include=ks.inf"}));
  for (const auto& op : package::operations_of(pkg, dev)) {
    EXPECT_EQ(op.section, dev);
    EXPECT_EQ(op.binding, package::HkrBinding::software_key) << op.directive;
  }
}

TEST_F(Operations, ListOperationsCarryTheirParsedEntries) {
  const auto ops = package::operations_of(pkg, section("Dev.NTamd64", package::SectionRole::ddinstall));
  const package::Operation& b = ops[3];
  ASSERT_EQ(b.directive, "AddReg");
  ASSERT_EQ(b.count, 2u);
  const package::RegOp& c = pkg.regs[b.first + 1];
  EXPECT_EQ(c.reg_section, "RegB");
  EXPECT_EQ(c.value_name, "C");
  ASSERT_EQ(c.data.size(), 1u);
  EXPECT_EQ(c.data[0], "Sample device");  // substituted
  EXPECT_EQ(c.line.section_index(), doc->section("RegB")->index());  // its source position
  EXPECT_EQ(c.line.line(), pkg.regs[b.first].line.line() + 1);
  const package::Operation& copy = ops[0];
  ASSERT_EQ(copy.count, 1u);
  EXPECT_EQ(pkg.copies[copy.first].dest_name, "s.sys");
  EXPECT_EQ(pkg.copies[copy.first].dirid, 13);
  const package::Operation& prop = ops[4];
  ASSERT_EQ(prop.count, 1u);
  EXPECT_EQ(pkg.properties[prop.first].name, "DeviceModel");
}

TEST_F(Operations, NeedsRunsInTheRoleOfTheNeedingSection) {
  const auto dev_ops = package::operations_of(pkg, section("Dev.NTamd64", package::SectionRole::ddinstall));
  const package::Operation& shared = dev_ops[6];
  ASSERT_NE(shared.target_section, package::Operation::npos);
  EXPECT_EQ(pkg.sections[shared.target_section].role, package::SectionRole::ddinstall);
  // A section of an included INF is not in this one.
  EXPECT_EQ(dev_ops[7].target_section, package::Operation::npos);
  // The same section needed from .HW is another entry, bound to Device Parameters.
  const auto hw_ops = package::operations_of(pkg, section("Dev.NTamd64.HW", package::SectionRole::hw));
  ASSERT_EQ(hw_ops.size(), 2u);
  const std::size_t hw_shared = hw_ops[1].target_section;
  ASSERT_NE(hw_shared, package::Operation::npos);
  EXPECT_NE(hw_shared, shared.target_section);
  EXPECT_EQ(pkg.sections[hw_shared].role, package::SectionRole::hw);
  EXPECT_EQ(package::operations_of(pkg, hw_shared)[0].binding, package::HkrBinding::device_parameters);
}

TEST_F(Operations, HwEntriesNamingDeviceProperties) {
  const auto hw_ops = package::operations_of(pkg, section("Dev.NTamd64.HW", package::SectionRole::hw));
  ASSERT_EQ(hw_ops[0].count, 3u);
  EXPECT_TRUE(pkg.regs[hw_ops[0].first].devnode_property);       // HKR,,FriendlyName
  EXPECT_FALSE(pkg.regs[hw_ops[0].first + 1].devnode_property);  // a subkey: Device Parameters\Sub
  EXPECT_FALSE(pkg.regs[hw_ops[0].first + 2].devnode_property);  // not a property name
  EXPECT_TRUE(package::is_devnode_property("upperfilters"));
  EXPECT_FALSE(package::is_devnode_property("Other"));
}

TEST_F(Operations, AddServiceLinksItsSectionsAndValues) {
  const auto ops = package::operations_of(pkg, section("Dev.NTamd64.Services", package::SectionRole::services));
  ASSERT_EQ(ops.size(), 1u);
  const package::ServiceInstall& svc = pkg.services[ops[0].first];
  EXPECT_EQ(svc.name, "Svc");
  ASSERT_NE(svc.install_index, package::Operation::npos);
  EXPECT_EQ(pkg.sections[svc.install_index].role, package::SectionRole::service_install);
  ASSERT_NE(svc.eventlog_index, package::Operation::npos);
  EXPECT_EQ(pkg.sections[svc.eventlog_index].role, package::SectionRole::eventlog_install);
  EXPECT_EQ(package::operations_of(pkg, svc.eventlog_index)[0].binding, package::HkrBinding::eventlog_key);
  EXPECT_EQ(svc.eventlog_type, "Application");
  EXPECT_EQ(svc.event_name, "SvcEvents");
  EXPECT_EQ(svc.display_name, "Sample device");
  EXPECT_EQ(svc.dependencies, (std::vector<std::string_view>{"Other", "+Group"}));
}

TEST(ApplyRank, NamedDirectivesFirstThenTheRestThenNeeds) {
  EXPECT_LT(package::apply_rank("delfiles"), package::apply_rank("CopyFiles"));
  EXPECT_LT(package::apply_rank("DelReg"), package::apply_rank("AddReg"));
  EXPECT_LT(package::apply_rank("Restart"), package::apply_rank("AddComponent"));
  EXPECT_LT(package::apply_rank("AddComponent"), package::apply_rank("Needs"));
  EXPECT_EQ(package::apply_rank("Needs"), package::apply_rank("Include"));
}

// The model ranks an operation from its directive's row in kDirectives where it makes it: every
// directive, written in mixed case, once in an install section in reverse rank order (plus a lone
// word, an unknown key, DelService, Include and Needs), comes out in the order apply_rank gives,
// line order among equal ranks.
TEST(ApplyRank, TheModelsOrderIsApplyRanksForEveryDirective) {
  std::string section = "[Dev.NTamd64]\nNeeds = Shared\nInclude = ks.inf\nSomeKey = x\nDelService = Svc\nReboot\n";
  for (std::size_t i = std::size(package::kDirectives); i-- > 0;) {
    std::string name = package::kDirectives[i].name;
    for (std::size_t k = 0; k < name.size(); k += 2) name[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[k])));
    section += name + " = Target" + std::to_string(i) + "\n";
  }
  const std::string inf = std::string(test::kSampleVersion) + "\n[Manufacturer]\n%P% = M, NTamd64\n[M.NTamd64]\n" +
                          "%P% = Dev, ROOT\\X\n" + section + "[Shared]\nReboot\n[Strings]\nP = \"P\"\n";
  const test::PackageFixture f = test::build_package_fixture(inf, "ranks.inf", nullptr);
  const package::Package& p = f.pkg;
  ASSERT_FALSE(p.sections.empty());
  const package::InstallSection& dev = p.sections[0];
  ASSERT_GE(dev.op_count, std::size(package::kDirectives));
  std::size_t last_rank = 0, last_line = 0;
  for (std::size_t k = 0; k < dev.op_count; ++k) {
    const package::Operation& op = p.operations[dev.first_op + k];
    const std::size_t rank = package::apply_rank(op.directive);
    EXPECT_TRUE(rank > last_rank || (rank == last_rank && op.line.line() >= last_line))
        << op.directive << " (rank " << rank << ") after rank " << last_rank;
    last_rank = rank;
    last_line = op.line.line();
  }
}

}  // namespace
