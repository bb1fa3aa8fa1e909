// The package model reads fields through one table per package: a field without a %token% is its
// own text in the document, one with a token is substituted once per distinct raw text. These
// tests hold the model's values to the document's eager Line::field / Line::key on packages that
// make the table grow, collide and repeat; and FolderNames' listing (getdents64 on Linux) on a
// folder larger than one read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "isodrv/inf.h"
#include "isodrv/inf_arena.h"
#include "isodrv/package.h"
#include "package/package_fixture.h"

using namespace isodrv;

namespace {

bool in_text(const inf::Document& doc, std::string_view v) {
  const std::string_view t = doc.text();
  return v.data() >= t.data() && v.data() + v.size() <= t.data() + t.size();
}

// `n` Models entries and `n` registry lines, every description and value name a distinct token
// whose names differ only in their middle (a long common head and tail), each token used twice
// (two Models sections, a registry section read by two install sections), plus a key and a field
// whose string is empty.
std::string many_tokens_inf(int n) {
  std::string models, reg, strings;
  const std::string head = "%Common_Prefix_For_Every_Name_", tail = "_Same_Tail_For_Every_Name%";
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    const std::string token = head + id + tail;
    models += token + " = Dev, ROOT\\DEV" + id + ", %Compat%\n";
    if (i == n - 1) models += "%Empty% = Dev, ROOT\\EMPTY\n";
    reg += "HKR, %Sub%, " + token + ", 0x00010001, " + id + "\n";
    strings += token.substr(1, token.size() - 2) + " = \"Value " + id + "\"\n";
  }
  return std::string(test::kSampleVersion) + "\n[Manufacturer]\n%P% = M, NTamd64, NTamd64.10.0...16299\n\n" +
         "[M.NTamd64]\n" + models + "\n[M.NTamd64.10.0...16299]\n" + models +
         "\n[Dev.NTamd64]\nAddReg = Reg\n\n[Dev.NTamd64.HW]\nAddReg = Reg\n\n[Reg]\n" + reg +
         "HKR, %Empty%, Plain, 0x00010001, %Empty%\n\n[Strings]\nP = \"Provider\"\nCompat = \"ROOT\\COMPAT\"\n" +
         "Sub = \"SubKey\"\nEmpty = \"\"\n" + strings;
}

}  // namespace

TEST(PackageFieldReader, ManyDistinctCollidingTokensEqualTheEagerFields) {
  constexpr int kN = 150;  // past the table's first size and several doublings
  const test::PackageFixture f = test::build_package_fixture(many_tokens_inf(kN), "tokens.inf", nullptr);
  const package::Package& p = f.pkg;
  ASSERT_EQ(p.models.size(), 2u * (kN + 1));
  ASSERT_EQ(p.regs.size(), 2u * (kN + 1));
  std::set<std::string_view> descriptions;
  for (const package::ModelEntry& m : p.models) {
    EXPECT_EQ(m.description, m.line.key().value_or(""));
    for (std::size_t i = 0; i < m.hardware_ids.size(); ++i) EXPECT_EQ(m.hardware_ids[i], m.line.field(i + 1));
    descriptions.insert(m.description);
  }
  EXPECT_EQ(descriptions.size(), static_cast<std::size_t>(kN) + 1) << "each token its own value, the empty one too";
  EXPECT_EQ(p.models[0].description, "Value 0");
  EXPECT_EQ(p.models[kN].description, "");
  for (const package::RegOp& op : p.regs) {
    EXPECT_EQ(op.subkey, op.line.field(1));
    EXPECT_EQ(op.value_name, std::optional<std::string_view>(op.line.field(2)));
    for (std::size_t i = 0; i < op.data.size(); ++i) EXPECT_EQ(op.data[i], op.line.field(4 + i));
  }
  EXPECT_EQ(p.regs[7].value_name, std::optional<std::string_view>("Value 7"));
  EXPECT_EQ(p.regs[kN].subkey, "");
  EXPECT_EQ(p.regs[kN].data[0], "");
}

TEST(PackageFieldReader, ARepeatedTokenIsOneTextAndAPlainFieldIsTheDocuments) {
  const test::PackageFixture f = test::build_package_fixture(many_tokens_inf(3), "repeat.inf", nullptr);
  const package::Package& p = f.pkg;
  ASSERT_EQ(p.models.size(), 8u);
  // The same description in both Models sections, and the same registry line read for two
  // install sections: one substitution, so one text.
  EXPECT_EQ(p.models[1].description, "Value 1");
  EXPECT_EQ(p.models[1].description.data(), p.models[5].description.data());
  ASSERT_EQ(p.regs.size(), 8u);
  EXPECT_EQ(p.regs[2].value_name->data(), p.regs[6].value_name->data());
  // A whole defined %token% is its [Strings] value itself, as substitute_view hands it out: a
  // view of the document, not a copy in the package.
  inf::StringArena reference;
  const std::string_view value = inf::substitute_view(f.doc, *p.models[1].line.raw_key(), reference);
  EXPECT_EQ(reference.bytes_used(), 0u);
  EXPECT_EQ(p.models[1].description.data(), value.data());
  EXPECT_EQ(p.regs[2].value_name->data(), inf::substitute_view(f.doc, p.regs[2].line.raw_field(2), reference).data());
  // Without a token: the document's own text.
  EXPECT_TRUE(in_text(f.doc, p.models[1].install_base));
  EXPECT_TRUE(in_text(f.doc, p.regs[2].flags_text));
  EXPECT_TRUE(in_text(f.doc, p.regs[2].data[0]));
}

TEST(PackageFieldReader, FolderNamesListsAFolderLargerThanOneRead) {
  namespace fs = std::filesystem;
  const fs::path d = fs::temp_directory_path() / ("isodrv-field-reader-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  // ~1,200 entries with long names: more than one 32 KB getdents64 buffer.
  const std::string pad(40, 'x');
  for (int i = 0; i < 1200; ++i) std::ofstream(d / ("File_" + pad + std::to_string(i) + ".INF")) << "x";
  fs::create_directories(d / "Sub.Folder");
  package::FolderNames names;
  EXPECT_TRUE(names.contains(d.string(), "file_" + pad + "0.inf"));
  EXPECT_TRUE(names.contains(d.string(), "FILE_" + pad + "1199.inf"));
  EXPECT_TRUE(names.contains(d.string(), "sub.folder"));
  EXPECT_FALSE(names.contains(d.string(), "."));
  EXPECT_FALSE(names.contains(d.string(), ".."));
  EXPECT_FALSE(names.contains(d.string(), "file_" + pad + "1200.inf"));
  // A file is not a folder: no entries.
  const std::string file = (d / ("File_" + pad + "0.INF")).string();
  EXPECT_FALSE(names.contains(file, "x"));
  fs::remove_all(d);
}

// Fields shaped like one whole %token% but not one ("%a%b%", "%%", an undefined name, a DIRID), a
// token whose value spells another token, and tokens inside longer text: the model reads each as
// the document's eager Line::field / Line::key does, whether it takes the whole-token view or
// substitutes.
TEST(PackageFieldReader, TokenShapesEqualTheEagerFields) {
  const std::string inf = std::string(test::kSampleVersion) +
                          "\n[Manufacturer]\n%P% = M, NTamd64\n\n[M.NTamd64]\n"
                          "%A% = Dev, %A%, %Undefined%, %10%, %A%%B%, %%, %A%B%, %C%, x%A%, %A%x, %%A%%\n"
                          "%Undefined% = Dev, %11%\\x, %C%\n"
                          "%A%B% = Dev, ROOT\\X\n"
                          "%10% = Dev, ROOT\\Y\n"
                          "\n[Dev.NTamd64]\nAddReg = Reg\n\n[Reg]\n"
                          "HKR, %A%, %B%, 0x00010001, %A%, %Undefined%, %12%, %A%B%, %%, %C%\n"
                          "HKR, %Undefined%, %10%, , %B%%A%\n"
                          "\n[Strings]\nP = \"Provider\"\nA = \"Alpha\"\nB = Beta\nC = \"%A%\"\n";
  const test::PackageFixture f = test::build_package_fixture(inf, "shapes.inf", nullptr);
  const package::Package& p = f.pkg;
  ASSERT_EQ(p.models.size(), 4u);
  for (const package::ModelEntry& m : p.models) {
    EXPECT_EQ(m.description, m.line.key().value_or(""));
    ASSERT_EQ(m.hardware_ids.size() + 1, m.line.field_count());
    for (std::size_t i = 0; i < m.hardware_ids.size(); ++i) EXPECT_EQ(m.hardware_ids[i], m.line.field(i + 1)) << i;
  }
  EXPECT_EQ(p.models[0].description, "Alpha");
  EXPECT_EQ(p.models[0].hardware_ids[6], "%A%") << "a value is not substituted again";
  ASSERT_EQ(p.regs.size(), 2u);
  for (const package::RegOp& op : p.regs) {
    EXPECT_EQ(op.subkey, op.line.field(1));
    EXPECT_EQ(op.value_name, std::optional<std::string_view>(op.line.field(2)));
    ASSERT_EQ(op.data.size() + 4, op.line.field_count());
    for (std::size_t i = 0; i < op.data.size(); ++i) EXPECT_EQ(op.data[i], op.line.field(4 + i)) << i;
  }
}
