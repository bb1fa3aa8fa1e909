// The document model above the tokenizer: merged sections, [Strings] language choice,
// substitution, the DIRID table, install-section and Models decorations, and Windows' limits.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "inf_test_util.h"

using namespace isodrv;
using namespace isodrv::inf;
using namespace inf_test;

namespace {

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------
TEST(InfModel, DuplicateSectionsMergeInFileOrder) {
  // inf-syntax.md §2.1: same-named sections are concatenated, named as first spelled, ordered by
  // first appearance; header_lines() lists every header (InfVerif 1209 needs them).
  Document doc = open_ok("[Alpha]\na=1\n[Beta]\nb=1\n[ALPHA]\nc=2\n[alpha] ; again\nd=3\n");
  ASSERT_EQ(doc.section_count(), 3u);
  EXPECT_EQ(doc.section_at(0).name(), "Version");
  EXPECT_EQ(doc.section_at(1).name(), "Alpha");
  EXPECT_EQ(doc.section_at(2).name(), "Beta");
  auto alpha = doc.section("aLpHa");
  ASSERT_TRUE(alpha);
  EXPECT_EQ(alpha->name(), "Alpha");
  EXPECT_EQ(alpha->line(), 3u);
  EXPECT_EQ(alpha->header_lines(), (std::vector<std::uint32_t>{3, 7, 9}));
  std::vector<std::string> keys;
  for (Line l : *alpha) keys.push_back(*l.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(alpha->find("D")->line(), 10u);
  EXPECT_EQ(doc.section("Beta")->header_lines(), (std::vector<std::uint32_t>{5}));
  EXPECT_EQ(doc.line_count(), 1u + 4u);  // Signature plus four
}

// The byte-at-a-time definition iequals must agree with (ASCII letters fold, nothing else does).
bool iequals_reference(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto fold = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold(static_cast<unsigned char>(a[i])) != fold(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

TEST(InfModel, IequalsFoldsAsciiLettersOnly) {
  // Every pair of bytes at every position of strings of 1..24 bytes (the word, half-word and byte
  // paths, and the overlapping last word), the rest of the string equal.
  for (std::size_t n = 1; n <= 24; ++n) {
    for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
      std::string a(n, 'k'), b(n, 'K');
      for (unsigned x = 0; x < 256; ++x) {
        for (unsigned y = 0; y < 256; ++y) {
          a[at] = static_cast<char>(x);
          b[at] = static_cast<char>(y);
          ASSERT_EQ(iequals(a, b), iequals_reference(a, b)) << n << " " << at << " " << x << " " << y;
        }
      }
    }
  }
  // to_lower_ascii lowers eight bytes a step: every byte value at every position of 1..20 bytes.
  for (std::size_t n = 1; n <= 20; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      for (unsigned x = 0; x < 256; ++x) {
        std::string a(n, 'Q');
        a[at] = static_cast<char>(x);
        std::string want(n, 'q');
        want[at] = static_cast<char>(x >= 'A' && x <= 'Z' ? x + 32 : x);
        ASSERT_EQ(to_lower_ascii(a), want) << n << " " << at << " " << x;
      }
    }
  }
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Strings", "Strings "));
  EXPECT_TRUE(iequals("DefaultInstall.NTamd64", "defaultinstall.ntAMD64"));
  EXPECT_FALSE(iequals("DefaultInstall.NTamd64", "defaultinstall.ntAMD65"));
  EXPECT_FALSE(iequals("[", "{"));  // 0x5B and 0x7B differ by 0x20 but are not letters
  EXPECT_FALSE(iequals("@", "`"));
}

TEST(InfModel, TextAfterHeaderIsANote) {
  Document doc = open_ok("[A] junk\nk=v\n[B] ; fine\n");
  ASSERT_EQ(doc.notes().size(), 1u);
  EXPECT_EQ(doc.notes()[0].kind, NoteKind::text_after_section);
  EXPECT_EQ(doc.notes()[0].line, 3u);
  EXPECT_EQ(doc.notes()[0].column, 5u);
}

TEST(InfModel, UnterminatedQuoteAndEofContinuationAreNotes) {
  Document doc = open_ok("[A]\nk=\"abc\nj=x \\");
  ASSERT_EQ(doc.notes().size(), 2u);
  EXPECT_EQ(doc.notes()[0].kind, NoteKind::unterminated_quote);
  EXPECT_EQ((std::pair{doc.notes()[0].line, doc.notes()[0].column}), (std::pair{4u, 3u}));
  EXPECT_EQ(doc.notes()[1].kind, NoteKind::continuation_at_eof);
  EXPECT_EQ((std::pair{doc.notes()[1].line, doc.notes()[1].column}), (std::pair{5u, 5u}));
}

TEST(InfModel, GarbageBeforeFirstSectionIsANoteWhenTolerated) {
  auto r = parse("junk\n" + kStdHeader + "[Strings]\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->notes().size(), 1u);
  EXPECT_EQ(r->notes()[0].kind, NoteKind::line_before_section);
  EXPECT_EQ(r->notes()[0].line, 1u);
}

// ---------------------------------------------------------------------------------------------
// [Strings] selection
// ---------------------------------------------------------------------------------------------
struct LangRow {
  const char* cite;
  std::vector<const char*> sections;  // decorations present ("" = undecorated [Strings])
  std::uint16_t langid;
  const char* chosen;  // the decoration picked, "" = [Strings], nullptr = none
};

TEST(InfModel, StringsLanguageFallbackOrder) {
  const std::vector<LangRow> rows = {
      {"inf-syntax.md §4 step 1: exact LANGID", {"", "0407", "0007", "0C07"}, 0x0407, "0407"},
      {"inf-syntax.md §4 step 1: exact match is case-insensitive hex", {"", "0c07"}, 0x0C07, "0c07"},
      {"inf-syntax.md §4 step 2: primary language with SUBLANG_NEUTRAL", {"", "0407", "0007", "0C07"}, 0x0807, "0007"},
      {"inf-syntax.md §4 step 2 before 3 regardless of file order", {"0C07", "0007"}, 0x0807, "0007"},
      {"inf-syntax.md §4 step 3: same primary language, any sublanguage (first in file, [ND])", {"", "0C07", "0407"},
       0x0807, "0C07"},
      {"inf-syntax.md §4 step 4: undecorated [Strings]", {"", "0407"}, 0x0411, ""},
      {"inf-syntax.md §4: no match and no [Strings] means none", {"0407"}, 0x0411, nullptr},
      {"DESIGN.md §3: the default LANGID is 0409", {"", "0409", "0009"}, 0x0409, "0409"},
      {"docs/inf-engine.md: malformed decorations are never chosen", {"", "409", "04090", "04G9"}, 0x0409, ""},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.cite);
    std::string body;
    for (const char* dec : row.sections) {
      body += std::string("[Strings") + (*dec ? "." : "") + dec + "]\nwhich=\"" + dec + "\"\n";
    }
    ParseOptions o;
    o.langid = row.langid;
    Document doc = open_ok(body, o);
    EXPECT_EQ(doc.language(), row.langid);
    auto s = doc.strings_section();
    if (!row.chosen) {
      EXPECT_FALSE(s);
      EXPECT_EQ(doc.substitute("%which%"), "%which%");
      continue;
    }
    ASSERT_TRUE(s);
    EXPECT_EQ(doc.string_value("which"), row.chosen);
    EXPECT_EQ(doc.substitute("%which%"), row.chosen);
  }
}

TEST(InfModel, OnlyOneStringsSectionIsUsed) {
  // inf-syntax.md §4: no per-key fallback from [Strings.LLLL] to [Strings].
  ParseOptions o;
  o.langid = 0x0407;
  Document doc = open_ok("[Strings]\nboth=en\nonly_en=yes\n[Strings.0407]\nboth=de\n", o);
  EXPECT_EQ(doc.substitute("%both%,%only_en%"), "de,%only_en%");
  doc.select_language(0x0409);
  EXPECT_EQ(doc.substitute("%both%,%only_en%"), "en,yes");
  EXPECT_EQ(doc.strings_section()->name(), "Strings");
}

// ---------------------------------------------------------------------------------------------
// Substitution
// ---------------------------------------------------------------------------------------------
struct SubstRow {
  const char* cite;
  std::string raw;
  std::string out;
  std::vector<std::string> unknown = {};
  bool complete = true;
};

TEST(InfModel, Substitution) {
  Document doc = open_ok("[Strings]\nname=Quokka\nnested=%name%\npct=100%%\nempty=\"\"\n13=thirteen\n"
                         "Path=\"C:\\Dir\\\"\n");
  const std::vector<SubstRow> rows = {
      {"inf-syntax.md §3.1: %strkey%", "%name% Labs", "Quokka Labs"},
      {"inf-syntax.md §3.1: %% is one '%'", "%%SystemRoot%%\\x", "%SystemRoot%\\x"},
      {"inf-syntax.md §3.1: a lone trailing '%' stays", "50%", "50%"},
      {"inf-syntax.md §3.1: an unknown token stays and is reported", "%SystemRoot%\\x", "%SystemRoot%\\x",
       {"SystemRoot"}},
      {"inf-syntax.md §3.1 [WINE]: single-level; the value is not re-scanned", "%nested%", "%name%"},
      {"inf-syntax.md §3.1: a value's %% is not collapsed again", "%pct%", "100%%"},
      {"inf-syntax.md §3.1: an empty value", "[%empty%]", "[]"},
      {"inf-syntax.md §3.2: [Strings] first, then DIRIDs", "%13%", "thirteen"},
      {"inf-syntax.md §3.2: DIRID", "%12%\\x.sys", "C:\\Windows\\System32\\drivers\\x.sys"},
      {"inf-syntax.md §3.2 [WINE]: only a DIRID's trailing backslash is dropped", "%24%\\x,%Path%\\x",
       "C:\\x,C:\\Dir\\\\x"},
      {"inf-syntax.md §3.2: negative and unknown numbers", "[%-1%][%99%][%1x%]", "[][%99%][%1x%]", {"99", "1x"}},
      {"inf-syntax.md §3.2: very long numbers are not DIRIDs", "%123456789012345%", "%123456789012345%",
       {"123456789012345"}},
      {"docs/inf-engine.md: tokens are matched left to right", "%name%%%name%", "Quokka%name%"},
      {"docs/inf-engine.md: an unclosed token", "a%name", "a%name"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.cite) + ": " + row.raw);
    std::string out = "prefix:";
    std::vector<std::string> unknown;
    EXPECT_EQ(doc.substitute(row.raw, out, &unknown), row.complete);
    EXPECT_EQ(out, "prefix:" + row.out);
    EXPECT_EQ(unknown, row.unknown);
  }
}

TEST(InfModel, SubstitutionCapAt4096Units) {
  // inf-syntax.md §3.3: a substituted string holds at most 4096 characters (Windows 10 1709+);
  // substitute() reports the cut. Counted in UTF-16 units, cut on a character boundary.
  const std::string big(500, 'a');
  Document doc = open_ok("[Strings]\nbig=" + big + "\nwide=" + std::string(200, 'x') + "\n");
  std::string raw;
  for (int i = 0; i < 8; ++i) raw += "%big%";
  std::string out;
  EXPECT_TRUE(doc.substitute(raw, out));
  EXPECT_EQ(out.size(), 4000u);
  raw += "%big%";
  out.clear();
  EXPECT_FALSE(doc.substitute(raw, out));
  EXPECT_EQ(out, std::string(4096, 'a'));
  // Non-ASCII: "é" is 2 bytes and 1 unit; "𝄞" 4 bytes and 2 units, never split.
  std::string e;
  for (int i = 0; i < 4095; ++i) e += "é";
  out.clear();
  EXPECT_FALSE(doc.substitute(e + "𝄞", out));
  EXPECT_EQ(utf16_length(out), 4095u);
  out.clear();
  EXPECT_TRUE(doc.substitute(e + "é", out));
  EXPECT_EQ(utf16_length(out), 4096u);
}

// ---------------------------------------------------------------------------------------------
// DIRIDs
// ---------------------------------------------------------------------------------------------
TEST(InfModel, DiridTable) {
  // DESIGN.md §4 and spec/dirids.md: stock paths with Windows in C:\Windows.
  const std::vector<std::pair<long, const char*>> rows = {
      {10, "C:\\Windows"},
      {11, "C:\\Windows\\System32"},
      {12, "C:\\Windows\\System32\\drivers"},
      {17, "C:\\Windows\\INF"},
      {18, "C:\\Windows\\Help"},
      {20, "C:\\Windows\\Fonts"},
      {21, "C:\\Windows\\System32\\viewers"},
      {23, "C:\\Windows\\System32\\spool\\drivers\\color"},
      {24, "C:\\"},
      {25, "C:\\Windows"},
      {30, "C:\\"},
      {50, "C:\\Windows\\System"},
      {51, "C:\\Windows\\System32\\spool"},
      {52, "C:\\Windows\\System32\\spool\\drivers"},
      {53, "C:\\Windows\\System32\\config\\systemprofile"},
      {55, "C:\\Windows\\System32\\spool\\prtprocs\\x64"},
      {16406, "C:\\ProgramData\\Microsoft\\Windows\\Start Menu"},
      {16407, "C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs"},
      {16408, "C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp"},
      {16409, "C:\\Users\\Public\\Desktop"},
      {16419, "C:\\ProgramData"},
      {16422, "C:\\Program Files"},
      {16425, "C:\\Windows\\SysWOW64"},
      {16426, "C:\\Program Files (x86)"},
      {16427, "C:\\Program Files\\Common Files"},
      {16428, "C:\\Program Files (x86)\\Common Files"},
      {16429, "C:\\ProgramData\\Microsoft\\Windows\\Templates"},
      {16430, "C:\\Users\\Public\\Documents"},
      {66000, "C:\\Windows\\System32\\spool\\drivers\\x64"},
      {66001, "C:\\Windows\\System32\\spool\\prtprocs\\x64"},
      {66002, "C:\\Windows\\System32"},
      {66003, "C:\\Windows\\System32\\spool\\drivers\\color"},
      {0, ""},
      {-1, ""},
      {65535, ""},
  };
  DiridContext ctx;
  for (auto [id, path] : rows) {
    SCOPED_TRACE("DIRID " + std::to_string(id));
    auto p = dirid_path(id, ctx);
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, path);
  }
  for (long unknown : {2L, 9L, 14L, 99L, 32768L, 66004L, -2L}) {
    EXPECT_FALSE(dirid_path(unknown, ctx)) << "DIRID " << unknown;
  }
}

TEST(InfModel, DiridsFromContext) {
  // DESIGN.md §4: %1% is the INF's folder, %13% the package's FileRepository folder.
  Document doc = open_ok("[S]\nk=%1%\\a.dll,%13%\\b.sys,%10%\\c,%24%x\n");
  Line l = doc.section("S")->line_at(0);
  EXPECT_EQ(l.field(1), "C:\\Windows\\System32\\DriverStore\\FileRepository\\b.sys") << "no package context yet";
  DiridContext ctx;
  ctx.src_path = "D:\\drivers\\quokka";
  ctx.driver_store = "C:\\Windows\\System32\\DriverStore\\FileRepository\\quokka.inf_amd64_0123456789abcdef";
  doc.set_dirids(ctx);
  EXPECT_EQ(doc.dirids().src_path, ctx.src_path);
  EXPECT_EQ(l.field(0), "D:\\drivers\\quokka\\a.dll");
  EXPECT_EQ(l.field(1), ctx.driver_store + "\\b.sys");
  EXPECT_EQ(l.field(2), "C:\\Windows\\c");
  EXPECT_EQ(l.field(3), "C:\\x");
  ctx.windows_dir = "E:\\WINNT";
  ctx.system_drive = "E:";
  doc.set_dirids(ctx);
  EXPECT_EQ(l.field(2), "E:\\WINNT\\c");
  EXPECT_EQ(l.field(3), "E:\\x");
  EXPECT_EQ(*dirid_path(11, ctx), "E:\\WINNT\\System32");
}

// ---------------------------------------------------------------------------------------------
// Install-section decorations
// ---------------------------------------------------------------------------------------------
TEST(InfModel, ActualInstallSection) {
  // inf-syntax.md §6.1: S.NT<arch>, then S.NT, then S (returned even when missing).
  Document doc = open_ok("[Inst.ntAMD64]\n[Inst.NT]\n[Inst]\n[Only.NT]\n[Plain]\n[Arm.NTarm64]\n");
  struct Row {
    const char* base;
    Arch arch;
    const char* want;
  };
  const Row rows[] = {
      {"Inst", Arch::amd64, "Inst.ntAMD64"}, {"INST", Arch::x86, "Inst.NT"},   {"Inst", Arch::arm64, "Inst.NT"},
      {"Only", Arch::amd64, "Only.NT"},      {"Plain", Arch::amd64, "Plain"}, {"Arm", Arch::arm64, "Arm.NTarm64"},
      {"Arm", Arch::amd64, "Arm"},           {"Missing", Arch::amd64, "Missing"},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(doc.actual_install_section(row.base, row.arch), row.want) << row.base << " on " << arch_name(row.arch);
  }
}

TEST(InfModel, ArchNames) {
  EXPECT_EQ(parse_arch("AMD64"), Arch::amd64);
  EXPECT_EQ(parse_arch("x64"), Arch::amd64);
  EXPECT_EQ(parse_arch("x86"), Arch::x86);
  EXPECT_EQ(parse_arch("arm64"), Arch::arm64);
  EXPECT_EQ(parse_arch("arm"), Arch::arm);
  EXPECT_EQ(parse_arch("ia64"), Arch::ia64);
  EXPECT_FALSE(parse_arch("mips"));
  for (Arch a : {Arch::x86, Arch::amd64, Arch::arm, Arch::arm64, Arch::ia64}) EXPECT_EQ(parse_arch(arch_name(a)), a);
}

// ---------------------------------------------------------------------------------------------
// TargetOSVersion decorations
// ---------------------------------------------------------------------------------------------
struct DecoRow {
  const char* text;
  bool valid;
  std::optional<Arch> arch;
  std::optional<std::uint32_t> major, minor, product_type, suite_mask, build;
};

TEST(InfModel, ParseOsDecoration) {
  // inf-syntax.md §6.2 grammar NT[Arch][.[Major][.[Minor][.[ProductType][.[SuiteMask][.[Build]]]]]].
  const std::vector<DecoRow> rows = {
      {"NTamd64.10.0...19041", true, Arch::amd64, 10, 0, {}, {}, 19041},
      {"NTx86....0x80", true, Arch::x86, {}, {}, {}, 0x80, {}},
      {"NT", true, {}, {}, {}, {}, {}, {}},
      {"nTaMd64", true, Arch::amd64, {}, {}, {}, {}, {}},
      {"NTarm64.10.0.1", true, Arch::arm64, 10, 0, 1, {}, {}},
      {"NT.5", true, {}, 5, {}, {}, {}, {}},
      {"NTamd64.6.3", true, Arch::amd64, 6, 3, {}, {}, {}},
      {" NTamd64.10.0 ", true, Arch::amd64, 10, 0, {}, {}, {}},
      {"NTamd64.10.0.3.0x110.22000", true, Arch::amd64, 10, 0, 3, 0x110, 22000},
      // Invalid (InfVerif 1287).
      {"NTfoo", false, {}, {}, {}, {}, {}, {}},
      {"NTx64", false, Arch::amd64, {}, {}, {}, {}, {}},
      {"amd64", false, {}, {}, {}, {}, {}, {}},
      {"NTamd64.ten", false, Arch::amd64, {}, {}, {}, {}, {}},
      {"NTamd64.10.0.4", false, Arch::amd64, 10, 0, 4, {}, {}},
      {"NTamd64.10.0.0", false, Arch::amd64, 10, 0, 0, {}, {}},
      {"NTamd64.10.0...19041.1", false, {}, {}, {}, {}, {}, {}},
      {"", false, {}, {}, {}, {}, {}, {}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.text);
    OsDecoration d = parse_os_decoration(row.text);
    EXPECT_EQ(d.valid, row.valid);
    if (!row.valid && !row.major && !row.arch) continue;  // only validity matters
    EXPECT_EQ(d.arch, row.arch);
    EXPECT_EQ(d.major, row.major);
    EXPECT_EQ(d.minor, row.minor);
    EXPECT_EQ(d.product_type, row.product_type);
    EXPECT_EQ(d.suite_mask, row.suite_mask);
    EXPECT_EQ(d.build, row.build);
  }
}

TEST(InfModel, OsDecorationApplies) {
  // inf-syntax.md §6.2 matching rules, on the DESIGN.md default target (amd64, 10.0.26100,
  // workstation, suite 0x100).
  const Target t;
  const std::vector<std::pair<const char*, bool>> rows = {
      {"NTamd64", true},
      {"NT", true},
      {"NTx86", false},
      {"NTarm64", false},
      {"NTamd64.10.0...19041", true},
      {"NTamd64.10.0...26100", true},
      {"NTamd64.10.0...26101", false},
      {"NTamd64.6.3", true},
      {"NTamd64.6.3...99999", true},   // the build is ignored when the OS's Major.Minor is higher
      {"NTamd64.10.1", false},
      {"NTamd64.11.0", false},
      {"NTamd64.10.0.1", true},
      {"NTamd64.10.0.3", false},
      {"NTamd64.10.0..0x100", true},
      {"NTamd64.10.0..0x80", false},
      {"NTamd64.10.0..0x180", false},  // every listed suite bit must be present
      {"NTamd64.ten", false},          // invalid decorations never apply
  };
  for (auto [text, applies] : rows) EXPECT_EQ(os_decoration_applies(parse_os_decoration(text), t), applies) << text;

  Target older;
  older.build = 19045;
  EXPECT_TRUE(os_decoration_applies(parse_os_decoration("NTamd64.10.0...19041"), older));
  EXPECT_FALSE(os_decoration_applies(parse_os_decoration("NTamd64.10.0...22000"), older));
  Target server;
  server.product_type = 3;
  EXPECT_TRUE(os_decoration_applies(parse_os_decoration("NTamd64.10.0.3"), server));
  EXPECT_FALSE(os_decoration_applies(parse_os_decoration("NTamd64.10.0.1"), server));
}

TEST(InfModel, ManufacturerModelsChoice) {
  Document doc = open_ok(
      "[Manufacturer]\n"
      "%Mfg% = Models, NTamd64, NTamd64.10.0...19041, NTamd64.10.0...22000, NTamd64.10.0...26200, NTx86, NTamd64.bad\n"
      "Contoso\n"
      "%Other% = Other\n"
      "%None% = Nothing, NTarm64\n"
      "[Models.NTamd64]\n[Models.NTamd64.10.0...19041]\n[Models.NTamd64.10.0...22000]\n[Models.NTx86]\n"
      "[Contoso]\n[Other]\n"
      "[Strings]\nMfg=\"Quokka Labs\"\nOther=Other Inc\nNone=Nobody\n");
  struct Row {
    const char* cite;
    Target target;
    std::vector<std::string> chosen;  // per Manufacturer line
  };
  Target t26100, t19045, t63, tx86, tarm64;
  t19045.build = 19045;
  t63.major = 6;
  t63.minor = 3;
  t63.build = 9600;
  tx86.arch = Arch::x86;
  tarm64.arch = Arch::arm64;
  const std::vector<Row> rows = {
      {"inf-syntax.md §6.2: the closest build not above the target", t26100,
       {"Models.NTamd64.10.0...22000", "Contoso", "Other", ""}},
      {"inf-syntax.md §6.2: an older build picks the older decoration", t19045,
       {"Models.NTamd64.10.0...19041", "Contoso", "Other", ""}},
      {"inf-syntax.md §6.2: below every version, the arch-only decoration", t63, {"Models.NTamd64", "Contoso", "Other", ""}},
      {"inf-syntax.md §6.2: per architecture", tx86, {"Models.NTx86", "Contoso", "Other", ""}},
      {"inf-syntax.md §6.2: nothing applies and no undecorated Models section", tarm64,
       {"", "Contoso", "Other", "Nothing.NTarm64"}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.cite);
    auto m = doc.manufacturers(row.target);
    ASSERT_EQ(m.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(m[i].chosen_section, row.chosen[i]) << "line " << i;
  }
  auto m = doc.manufacturers(Target{});
  EXPECT_EQ(m[0].name, "Quokka Labs");
  EXPECT_EQ(m[0].models_base, "Models");
  ASSERT_EQ(m[0].decorations.size(), 6u);
  EXPECT_FALSE(m[0].decorations[5].valid);
  ASSERT_TRUE(m[0].chosen_decoration);
  EXPECT_EQ(m[0].chosen_decoration->text, "NTamd64.10.0...22000");
  EXPECT_EQ(m[0].line.line(), 4u);
  EXPECT_EQ(m[1].name, "Contoso");
  EXPECT_EQ(m[1].models_base, "Contoso");
  EXPECT_TRUE(m[1].decorations.empty());
  EXPECT_FALSE(m[1].chosen_decoration);
}

TEST(InfModel, VersionBeatsSuiteQualifiers) {
  // inf-syntax.md §6.2 docs example: on XP (5.1) with suite 0x80, NT.5 wins over NT....0x80.
  Document doc = open_ok("[Manufacturer]\n%M%=M,NT....0x80,NT.5\n[M.NT.5]\n[M.NT....0x80]\n[Strings]\nM=m\n");
  Target xp;
  xp.arch = Arch::x86;
  xp.major = 5;
  xp.minor = 1;
  xp.build = 2600;
  xp.suite_mask = 0x80;
  EXPECT_EQ(doc.manufacturers(xp)[0].chosen_section, "M.NT.5");
  xp.major = 4;
  EXPECT_EQ(doc.manufacturers(xp)[0].chosen_section, "M.NT....0x80");
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------
TEST(InfLimits, SectionNameLengthCountsUtf16Units) {
  // inf-syntax.md §2.1: 255 characters. "é" is two UTF-8 bytes but one character.
  std::string e255;
  for (int i = 0; i < 255; ++i) e255 += "é";
  EXPECT_TRUE(parse("\xEF\xBB\xBF" + kStdHeader + "[" + e255 + "]\n").ok());
  auto r = parse("\xEF\xBB\xBF" + kStdHeader + "[" + e255 + "é]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::section_name_too_long);
  EXPECT_EQ(r.error().line, 3u);
  EXPECT_EQ(errc_name(r.error().code), "ERROR_SECTION_NAME_TOO_LONG");
}

TEST(InfLimits, TokensAreCutAt511UnitsAndNoted) {
  // inf-syntax.md §3.3: every parsed token (keys, fields, quoted or joined ones) is cut to 511
  // UTF-16 units; each cut is a note at the token's start.
  const std::string a600(600, 'a');
  std::string e600;
  for (int i = 0; i < 600; ++i) e600 += "é";
  std::string e510;
  for (int i = 0; i < 510; ++i) e510 += "é";
  auto r = parse("\xEF\xBB\xBF" + kStdHeader + "[S]\n" + a600 + "=x," + "\"" + a600 + "\"," + e600 + ",b\\\n" + a600 + "\nok=" +
                         std::string(511, 'z') + "\np=" + std::string(510, 'a') + "𝄞\n");
  ASSERT_TRUE(r.ok());
  const Document& doc = *r;
  auto s = doc.section("S");
  Line l = s->line_at(0);
  EXPECT_EQ(l.raw_key(), std::string(511, 'a'));
  EXPECT_EQ(l.raw_field(1), std::string(511, 'a'));
  EXPECT_EQ(utf16_length(l.raw_field(2)), 511u);
  EXPECT_EQ(l.raw_field(3), "b" + std::string(510, 'a'));
  EXPECT_EQ(s->find("ok")->raw_field(0), std::string(511, 'z'));
  // A surrogate pair that would straddle the limit is dropped whole ([ND]).
  EXPECT_EQ(s->find("p")->raw_field(0), std::string(510, 'a'));
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cuts;
  for (const auto& n : doc.notes()) {
    if (n.kind == NoteKind::field_truncated) cuts.emplace_back(n.line, n.column);
  }
  EXPECT_EQ(cuts, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{
                      {4, 1}, {4, 604}, {4, 1207}, {4, 1808}, {7, 3}}));
}

TEST(InfLimits, SignatureIsRequiredUnlessDisabled) {
  ParseOptions o;
  o.require_signature = false;
  EXPECT_TRUE(parse("[Section]\nk=v\n", o).ok());
  auto r = parse("[Section]\nk=v\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(errc_name(r.error().code), "ERROR_WRONG_INF_STYLE");
  EXPECT_EQ(r.error().line, 0u);
}

TEST(InfLimits, LoadReportsFileErrors) {
  auto missing = Document::load("/nonexistent/dir/x.inf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::file_not_found);
  EXPECT_EQ(missing.error().file, "/nonexistent/dir/x.inf");
  auto dir = Document::load(ISODRV_TEST_DATA);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, Errc::read_fault);
}

TEST(InfTargetOs, ARefusedTargetIsQuotedInTheMessage) {
  // (The message is built piece by piece; it must still quote the text as given, blanks included.)
  auto r = parse_target_os(" NTfoo.x ");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message,
            "' NTfoo.x ' is not a target OS; write NTAMD64.10.0...22000, NTAMD64.10.0.0.22000 or 10.0.22000");
}

}  // namespace
