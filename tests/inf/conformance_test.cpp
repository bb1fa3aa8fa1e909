// SetupAPI conformance tables: the behaviours Wine's dlls/setupapi/tests/parser.c asserts on real
// Windows (invalid_files, section_names, key_names, pSetupGetField), written as our own rows.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "inf_test_util.h"

using namespace isodrv;
using namespace isodrv::inf;
using namespace inf_test;

namespace {

const std::string A255 = repeat('a', 255);
const std::string A256 = repeat('a', 256);
const std::string A400 = repeat('a', 400);
const std::string A511 = repeat('a', 511);
const std::string A1200 = repeat('a', 1200);
const std::string A4096 = repeat('a', 4096);
const std::string A4097 = repeat('a', 4097);

// The [Strings] section the key_names substitution rows run against.
const std::string kStrSection = "[Strings]\nfoo=aaa\nbar=bbb\nloop=%loop2%\nloop2=%loop%\n"
                                "per%%cent=abcd\nper=1\ncent=2\n22=foo\n"
                                "big=" + A400 + "\n"
                                "mydrive=\"C:\\\"\n"
                                "verybig=" + A1200 + "\n";

// ---------------------------------------------------------------------------------------------
// Opening files: which inputs open, and the error and line when they do not.
// ---------------------------------------------------------------------------------------------
struct OpenRow {
  const char* cite;
  std::string data;
  Errc error;          // Errc::ok when the file opens
  std::uint32_t line;  // the line SetupOpenInfFile reports (0: none)
  KnownGap gap{};
  Errc ours = Errc::ok;  // with a gap: what we do instead
  std::uint32_t ours_line = 0;
};

const std::vector<OpenRow>& open_rows() {
  static const std::vector<OpenRow> rows = {
      {"Wine parser.c invalid_files: a blank file has no signature", "\r\n", Errc::wrong_inf_style, 0},
      {"Wine parser.c invalid_files: text and no section at all is the wrong style, not a syntax error "
       "(todo_wine row: Windows)", "abcd\r\n", Errc::wrong_inf_style, 0},
      {"Wine parser.c invalid_files: [Version] without Signature", "[Version]\r\n", Errc::wrong_inf_style, 0},
      {"Wine parser.c invalid_files: empty Signature", "[Version]\nSignature=", Errc::wrong_inf_style, 0},
      {"Wine parser.c invalid_files: unknown Signature", "[Version]\nSignature=foo", Errc::wrong_inf_style, 0},
      {"Wine parser.c invalid_files: names and signature are case-insensitive", "[version]\nsignature=$chicago$",
       Errc::ok, 0},
      {"Wine parser.c invalid_files: upper case", "[VERSION]\nSIGNATURE=$CHICAGO$", Errc::ok, 0},
      {"Wine parser.c invalid_files: extra signature fields are ignored", "[Version]\nSignature=$chicago$,abcd",
       Errc::ok, 0},
      {"Wine parser.c invalid_files: Signature need not be the first line",
       "[Version]\nabc=def\nSignature=$chicago$", Errc::ok, 0},
      {"Wine parser.c invalid_files: a repeated [Version] is merged before the signature check",
       "[Version]\nabc=def\n[Version]\nSignature=$chicago$", Errc::ok, 0},
      {"Wine parser.c invalid_files: STD_HEADER alone", kStdHeader, Errc::ok, 0},
      {"Wine parser.c invalid_files: an empty section name is allowed", kStdHeader + "[]\r\n", Errc::ok, 0},
      {"Wine parser.c invalid_files: a lone ']' is an ordinary line", kStdHeader + "]\r\n", Errc::ok, 0},
      {"Wine parser.c invalid_files: a 255-character section name is allowed",
       kStdHeader + "[" + A255 + "]\r\n", Errc::ok, 0},
      {"Wine parser.c invalid_files: '[' without ']' on its line", kStdHeader + "[ab\r\n",
       Errc::bad_section_name_line, 3},
      {"Wine parser.c invalid_files: ^Z ends the file, leaving the header unterminated",
       kStdHeader + "\n\n[ab\x1a]\n", Errc::bad_section_name_line, 5},
      {"Wine parser.c invalid_files: a 256-character section name is too long",
       kStdHeader + "[" + A256 + "]\r\n", Errc::section_name_too_long, 3},
      {"Wine parser.c invalid_files: [Version] need not be the first section", "[abc]\n" + kStdHeader, Errc::ok, 0},
      {"Wine parser.c invalid_files: text before the first section", "abc\r\n" + kStdHeader,
       Errc::expected_section_name, 1},
      {"Wine parser.c invalid_files: the error line counts comment lines", ";\n;\nabc\r\n" + kStdHeader,
       Errc::expected_section_name, 3},
      {"Wine parser.c invalid_files: the first offending line is reported", ";\n;\nab\nab\n" + kStdHeader,
       Errc::expected_section_name, 3},
      {"Wine parser.c invalid_files: comments before the first section are fine", ";aa\n;bb\n" + kStdHeader,
       Errc::ok, 0},
      // Wine's table lists each of the next two rows twice, byte for byte; once is enough here.
      {"Wine parser.c invalid_files: NUL at the end of a section name (todo_wine row: Windows opens it)",
       kStdHeader + " [TestSection\0]\n"s, Errc::ok, 0},
      {"Wine parser.c invalid_files: NUL inside a section name (todo_wine row: Windows opens it)",
       kStdHeader + " [Test\0Section]\n"s, Errc::ok, 0},
      {"Wine parser.c invalid_files: garbage, then sections without [Strings]",
       "garbage1\ngarbage2\n[abc]\n" + kStdHeader, Errc::expected_section_name, 1},
      {"Wine parser.c invalid_files: garbage is tolerated when the file has [Strings]",
       "garbage1\ngarbage2\n[Strings]\n" + kStdHeader, Errc::ok, 0},
      {"Wine parser.c invalid_files: garbage after a comment line", ";comment\ngarbage1\ngarbage2\n[abc]\n" + kStdHeader,
       Errc::expected_section_name, 2},
      {"Wine parser.c invalid_files: garbage after a comment line, with [Strings]",
       ";comment\ngarbage1\ngarbage2\n[Strings]\n" + kStdHeader, Errc::ok, 0},
      {"Wine parser.c invalid_files: garbage after a blank line", " \t\ngarbage1\ngarbage2\n[abc]\n" + kStdHeader,
       Errc::expected_section_name, 2},
      {"Wine parser.c invalid_files: garbage after a blank line, with [Strings]",
       " \t\ngarbage1\ngarbage2\n[Strings]\n" + kStdHeader, Errc::ok, 0},
      {"Wine parser.c invalid_files: garbage, [Version] first, no [Strings]",
       "garbage1\ngarbage2\n" + kStdHeader + "[abc]\n", Errc::expected_section_name, 1},
      {"Wine parser.c invalid_files: garbage, [Version] first, [Strings] last",
       "garbage1\ngarbage2\n" + kStdHeader + "[Strings]\n", Errc::ok, 0},
      {"Wine parser.c invalid_files: comment, garbage, [Version], no [Strings]",
       ";comment\ngarbage1\ngarbage2\n" + kStdHeader + "[abc]\n", Errc::expected_section_name, 2},
      {"Wine parser.c invalid_files: comment, garbage, [Version], [Strings]",
       ";comment\ngarbage1\ngarbage2\n" + kStdHeader + "[Strings]\n", Errc::ok, 0},
      {"Wine parser.c invalid_files: blank, garbage, [Version], no [Strings]",
       " \t\ngarbage1\ngarbage2\n" + kStdHeader + "[abc]\n", Errc::expected_section_name, 2},
      {"Wine parser.c invalid_files: blank, garbage, [Version], [Strings]",
       " \t\ngarbage1\ngarbage2\n" + kStdHeader + "[Strings]\n", Errc::ok, 0},
      // Our own rows around the same rules.
      {"inf-syntax.md §7: $Windows NT$ is a valid signature", "[Version]\nSignature=\"$Windows NT$\"\n", Errc::ok, 0},
      {"inf-syntax.md §7 [WINE]: $Windows 95$ is accepted too", "[Version]\nSignature=$Windows 95$\n", Errc::ok, 0},
      {"inf-syntax.md §7: the '$' signs are required", "[Version]\nSignature=Windows NT\n", Errc::wrong_inf_style, 0},
      {"inf-syntax.md §7: a signature outside [Version] does not count", "[Other]\nSignature=$Windows NT$\n",
       Errc::wrong_inf_style, 0},
      {"docs/inf-engine.md [ND] (as Wine): the signature is compared before substitution",
       "[Version]\nSignature=%sig%\n[Strings]\nsig=$Windows NT$\n", Errc::wrong_inf_style, 0},
      {"docs/inf-engine.md [ND]: garbage before a later syntax error is reported first",
       "garbage\n" + kStdHeader + "[ab\n", Errc::expected_section_name, 1},
      {"inf-syntax.md §2.1: an unterminated header fails even when ']' is on a later line",
       kStdHeader + "[ab\ncd]\n", Errc::bad_section_name_line, 3},
      {"inf-syntax.md §2.1: a header may be the last line without a line break", kStdHeader + "[ab]", Errc::ok, 0},
  };
  return rows;
}

TEST(InfConformance, OpenFiles) {
  int gaps = 0;
  for (const auto& row : open_rows()) {
    SCOPED_TRACE(std::string(row.cite) + "\n  input: " + show(row.data));
    const Errc want = row.gap ? row.ours : row.error;
    const std::uint32_t want_line = row.gap ? row.ours_line : row.line;
    auto r = parse(row.data);
    if (want == Errc::ok) {
      EXPECT_TRUE(r.ok()) << r.error().to_string() << " (" << errc_name(r.error().code) << ")";
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(errc_name(r.error().code), errc_name(want));
      EXPECT_EQ(r.error().line, want_line);
      EXPECT_EQ(r.error().file, "test.inf");
    }
    if (row.gap) ++gaps;
  }
  if (gaps) std::printf("note: %d known gap(s) in the open-file table\n", gaps);
}

// ---------------------------------------------------------------------------------------------
// Section names: the file opens, and a name is found (or not) the way SetupGetLineCount finds it.
// ---------------------------------------------------------------------------------------------
struct SectionRow {
  const char* cite;
  std::string data;
  std::string lookup;
  bool found;
  std::string spelled = {};  // the name as first written, when found (defaults to `lookup`)
};

const std::vector<SectionRow>& section_rows() {
  static const std::vector<SectionRow> rows = {
      {"Wine parser.c section_names: last line without a line break", kStdHeader + "[TestSection]", "TestSection", true},
      {"Wine parser.c section_names: plain header", kStdHeader + "[TestSection]\n", "TestSection", true},
      {"Wine parser.c section_names: lookup is case-insensitive", kStdHeader + "[TESTSECTION]\r\n", "TestSection", true,
       "TESTSECTION"},
      {"Wine parser.c section_names: lower-case lookup", kStdHeader + "[TestSection]\n[abc]", "testsection", true,
       "TestSection"},
      {"Wine parser.c section_names: a commented-out header is no section", kStdHeader + ";[TestSection]\n",
       "TestSection", false},
      {"Wine parser.c section_names: unknown names are not found", kStdHeader + "[TestSection]\n", "Bad name", false},
      {"Wine parser.c section_names: blanks after ']'", kStdHeader + "[TestSection]   \r\n", "TestSection", true},
      {"Wine parser.c section_names: blanks before '['", kStdHeader + "   [TestSection]\r\n", "TestSection", true},
      {"Wine parser.c section_names: text after ']' is ignored", kStdHeader + "   [TestSection]   dummy\r\n",
       "TestSection", true},
      {"Wine parser.c section_names: a second header on the line is ignored", kStdHeader + "   [TestSection]   [foo]\r\n",
       "TestSection", true},
      {"Wine parser.c section_names: blanks inside the brackets are part of the name",
       kStdHeader + " [  Test Section  ] dummy\r\n", "  Test Section  ", true},
      {"Wine parser.c section_names: ^Z after the header", kStdHeader + "[TestSection] \032\ndummy", "TestSection", true},
      {"Wine parser.c section_names: ^Z on the next line", kStdHeader + "[TestSection] \n\032dummy", "TestSection",
       true},
      {"Wine parser.c section_names: '[' inside a name", kStdHeader + "[Test[Section]\r\n", "Test[Section", true},
      {"Wine parser.c section_names: the name ends at the first ']'", kStdHeader + "[Test[S]ection]\r\n", "Test[S",
       true},
      {"Wine parser.c section_names: several '['", kStdHeader + "[Test[[[Section]\r\n", "Test[[[Section", true},
      {"Wine parser.c section_names: the empty name", kStdHeader + "[]\r\n", "", true},
      {"Wine parser.c section_names: leading '[' characters", kStdHeader + "[[[]\n", "[[", true},
      {"Wine parser.c section_names: a quote is an ordinary character", kStdHeader + "[Test\"Section]\r\n",
       "Test\"Section", true},
      {"Wine parser.c section_names: a backslash is an ordinary character", kStdHeader + "[Test\\Section]\r\n",
       "Test\\Section", true},
      {"Wine parser.c section_names: backslash and blank", kStdHeader + "[Test\\ Section]\r\n", "Test\\ Section", true},
      {"Wine parser.c section_names: ';' inside brackets is no comment", kStdHeader + "[Test;Section]\r\n",
       "Test;Section", true},
      {"Wine parser.c section_names: control characters are kept", kStdHeader + " [Test\r\b\tSection] \n",
       "Test\r\b\tSection", true},
      // Ours.
      {"inf-syntax.md §2.1: section names are not %strkey%-substituted",
       kStdHeader + "[%foo%]\n[Strings]\nfoo=bar\n", "%foo%", true},
      {"inf-syntax.md §2.1: ...so the substituted name does not exist", kStdHeader + "[%foo%]\n[Strings]\nfoo=bar\n",
       "bar", false},
  };
  return rows;
}

TEST(InfConformance, SectionNames) {
  for (const auto& row : section_rows()) {
    SCOPED_TRACE(std::string(row.cite) + "\n  input: " + show(row.data));
    auto r = parse(row.data);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto s = r->section(row.lookup);
    EXPECT_EQ(s.has_value(), row.found);
    if (s && row.found) {
      EXPECT_EQ(s->name(), row.spelled.empty() ? row.lookup : row.spelled);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and fields of the first line of [Test], after substitution.
// ---------------------------------------------------------------------------------------------
struct KeyRow {
  const char* cite;
  std::string data;  // follows STD_HEADER "[Test]\n"
  std::optional<std::string> key;
  std::vector<std::string> fields;
  KnownGap gap{};
  std::optional<std::string> ours_key = {};
  std::vector<std::string> ours_fields = {};
};

const std::vector<KeyRow>& key_rows() {
  static const std::vector<KeyRow> rows = {
      {"Wine parser.c key_names: key and one field", "ab=cd", "ab", {"cd"}},
      {"Wine parser.c key_names: commas separate fields", "ab=cd,ef,gh,ij", "ab", {"cd", "ef", "gh", "ij"}},
      {"Wine parser.c key_names: a lone field is also the key", "ab", "ab", {"ab"}},
      {"Wine parser.c key_names: two fields without '=' have no key", "ab,cd", std::nullopt, {"ab", "cd"}},
      {"Wine parser.c key_names: '=' after a comma is text", "ab,cd=ef", std::nullopt, {"ab", "cd=ef"}},
      {"Wine parser.c key_names: an empty key", "=abcd,ef", "", {"abcd", "ef"}},
      // Backslashes.
      {"Wine parser.c key_names: continuation joins lines", "ba\\\ncd=ef", "bacd", {"ef"}},
      {"Wine parser.c key_names: blanks around the continuation are dropped", "ab  \\  \ncd=ef", "abcd", {"ef"}},
      {"Wine parser.c key_names: continuation inside a line without a key", "ab\\\ncd,ef", std::nullopt,
       {"abcd", "ef"}},
      {"Wine parser.c key_names: a comment may follow the continuation", "ab  \\ ;cc\ncd=ef", "abcd", {"ef"}},
      {"Wine parser.c key_names: backslashes separated by blanks act as one", "ab \\ \\ \ncd=ef", "abcd", {"ef"}},
      {"Wine parser.c key_names: a backslash before text is ordinary", "ba \\ dc=xx", "ba \\ dc", {"xx"}},
      {"Wine parser.c key_names: a run of backslashes is one continuation", "ba \\\\ \nc=d", "bac", {"d"}},
      {"Wine parser.c key_names: doubled backslashes inside a field are kept", "a=b\\\\c", "a", {"b\\\\c"}},
      {"Wine parser.c key_names: a continuation at the end of the file", "ab=cd \\ ", "ab", {"cd"}},
      {"Wine parser.c key_names: chained continuations and leading blanks", "ba=c \\ \n \\ \n a", "ba", {"ca"}},
      {"Wine parser.c key_names: a backslash after a continuation is text", "ba=c \\ \n \\ a", "ba", {"c\\ a"}},
      {"Wine parser.c key_names: leading backslash in key and field", "  \\ a= \\ b", "\\ a", {"\\ b"}},
      // Quotes.
      {"Wine parser.c key_names: quotes concatenate with the text around them", "Ab\"Cd\"=Ef", "AbCd", {"Ef"}},
      {"Wine parser.c key_names: '=' inside quotes is text", "Ab\"Cd=Ef\"", "AbCd=Ef", {"AbCd=Ef"}},
      {"Wine parser.c key_names: a doubled quote inside quotes is one quote", "ab\"\"\"cd,ef=gh\"", "ab\"cd,ef=gh",
       {"ab\"cd,ef=gh"}},
      {"Wine parser.c key_names: an empty quoted span in a key", "ab\"\"cd=ef", "abcd", {"ef"}},
      {"Wine parser.c key_names: an empty quoted span, two fields", "ab\"\"cd=ef,gh", "abcd", {"ef", "gh"}},
      {"Wine parser.c key_names: an empty quoted span in a field", "ab=cd\"\"ef", "ab", {"cdef"}},
      {"Wine parser.c key_names: a comma inside quotes", "ab=cd\",\"ef", "ab", {"cd,ef"}},
      {"Wine parser.c key_names: an unterminated quote runs to the end of the line", "ab=cd\",ef", "ab", {"cd,ef"}},
      {"Wine parser.c key_names: a backslash inside an unterminated quote is no continuation", "ab=cd\",ef\\\nab",
       "ab", {"cd,ef\\"}},
      {"Wine parser.c key_names: single quotes are ordinary", "HKLM,A,B,'C',D", std::nullopt,
       {"HKLM", "A", "B", "'C'", "D"}},
      // Spaces.
      {"Wine parser.c key_names: blanks around keys and fields are trimmed", " a b = c , d \n", "a b", {"c", "d"}},
      {"Wine parser.c key_names: quoted blanks are kept", " a b = c ,\" d\" \n", "a b", {"c", " d"}},
      {"Wine parser.c key_names: CR is a blank", " a b\r = c\r\n", "a b", {"c"}},
      // Empty fields.
      {"Wine parser.c key_names: empty fields are kept", "a=b,,,c,,,d", "a", {"b", "", "", "c", "", "", "d"}},
      {"Wine parser.c key_names: quoted empty and blank fields", "a=b,\"\",c,\" \",d", "a", {"b", "", "c", " ", "d"}},
      {"Wine parser.c key_names: empty key, empty fields", "=,,b", "", {"", "", "b"}},
      {"Wine parser.c key_names: a leading comma means no key", ",=,,b", std::nullopt, {"", "=", "", "b"}},
      {"Wine parser.c key_names: nothing after '='", "a=\n", "a", {""}},
      {"Wine parser.c key_names: a lone '='", "=", "", {""}},
      // End of file.
      {"Wine parser.c key_names: ^Z ends the file inside a field", "ab=c\032d", "ab", {"c"}},
      {"Wine parser.c key_names: ^Z ends the file inside a key", "ab\032=cd", "ab", {"ab"}},
      // NULs.
      {"Wine parser.c key_names: NUL reads as a blank", "abcd=ef\0gh"s, "abcd", {"ef gh"}},
      {"Wine parser.c key_names: a trailing NUL in a string value is trimmed", "foo=%bar%\n[Strings]\nbar=bbb\0\n"s,
       "foo", {"bbb"}},
      {"Wine parser.c key_names: blank and NUL are trimmed", "foo=%bar%\n[Strings]\nbar=bbb \0\n"s, "foo", {"bbb"}},
      {"Wine parser.c key_names: inner NUL kept as a blank", "foo=%bar%\n[Strings]\nbar=aaa\0bbb \0\n"s, "foo",
       {"aaa bbb"}},
      // Duplicate sections.
      {"Wine parser.c key_names: lines of a repeated section are merged", "[Test2]\nab\n[Test]\nee=ff\n", "ee", {"ff"}},
      // Substitution.
      {"Wine parser.c key_names: keys and fields are substituted", "%foo%=%bar%\n" + kStrSection, "aaa", {"bbb"}},
      {"Wine parser.c key_names: tokens join surrounding text", "%foo%xx=%bar%yy\n" + kStrSection, "aaaxx",
       {"bbbyy"}},
      {"Wine parser.c key_names: %% is a percent sign", "%% %foo%=%bar%\n" + kStrSection, "% aaa", {"bbb"}},
      {"Wine parser.c key_names: quotes are removed before substitution", "%f\"o\"o%=ccc\n" + kStrSection, "aaa",
       {"ccc"}},
      {"Wine parser.c key_names: ';' inside %..% still starts a comment", "abc=%bar;bla%\n" + kStrSection, "abc",
       {"%bar"}},
      {"Wine parser.c key_names: substitution is single-level", "loop=%loop%\n" + kStrSection, "loop", {"%loop2%"}},
      {"Wine parser.c key_names: tokens are matched left to right", "%per%%cent%=100\n" + kStrSection, "12", {"100"}},
      {"Wine parser.c key_names: a 400-character value", "a=%big%\n" + kStrSection, "a", {A400}},
      {"Wine parser.c key_names: a [Strings] value is cut at 511 characters (Windows 7+)",
       "a=%verybig%\n" + kStrSection, "a", {A511}},
      {"Wine parser.c key_names: four values", "a=%big%%big%%big%%big%\n" + kStrSection, "a",
       {A400 + A400 + A400 + A400}},
      {"Wine parser.c key_names: nine values (3600 characters)",
       "a=%big%%big%%big%%big%%big%%big%%big%%big%%big%\n" + kStrSection, "a",
       {A400 + A400 + A400 + A400 + A400 + A400 + A400 + A400 + A400}},
      {"Wine parser.c key_names: the result is cut at 4096 characters (Windows 10 1709+)",
       "a=%big%%big%%big%%big%%big%%big%%big%%big%%big%%big%%big%\n" + kStrSection, "a", {A4096}},
      // DIRIDs and backslashes.
      {"Wine parser.c key_names: %24% is the system drive root", "ab=\"%24%\"\n" + kStrSection, "ab", {"C:\\"}},
      {"Wine parser.c key_names: a string value ending in '\\'", "ab=\"%mydrive%\"\n" + kStrSection, "ab", {"C:\\"}},
      {"Wine parser.c key_names: a DIRID's trailing '\\' is dropped before '\\'", "ab=\"%24%\\fred\"\n" + kStrSection,
       "ab", {"C:\\fred"}},
      {"Wine parser.c key_names: a string value's trailing '\\' is not", "ab=\"%mydrive%\\fred\"\n" + kStrSection, "ab",
       {"C:\\\\fred"}},
      {"Wine parser.c key_names: only one backslash is dropped", "ab=\"%24%\\\\fred\"", "ab", {"C:\\\\fred"}},
      {"Wine parser.c key_names: doubled backslashes in plain text are kept", "ab=C:\\\\FRED", "ab", {"C:\\\\FRED"}},
      // Ours.
      {"inf-syntax.md §2.3: a doubled quote in a quoted value (docs example)",
       "a=\"Display an \"\"example\"\" string\"", "a", {"Display an \"example\" string"}},
      {"inf-syntax.md §2.3: tripled quotes", "a=\"\"\"x\"\"\"", "a", {"\"x\""}},
      {"inf-syntax.md §2.5: a quoted trailing backslash before a continuation", "a=\"dir\\\"\\\nb", "a", {"dir\\b"}},
      {"inf-syntax.md §2.5: blanks before a backslash that is text are trimmed at '='", "ba \\ =xx", "ba \\", {"xx"}},
      {"inf-syntax.md §3.1: %% inside quotes", "a=\"%%SystemRoot%%\\System32\\IoLogMsg.dll\"", "a",
       {"%SystemRoot%\\System32\\IoLogMsg.dll"}},
      {"inf-syntax.md §3.1: unknown tokens are kept with both '%'", "a=%nope%,%SystemRoot%\\x", "a",
       {"%nope%", "%SystemRoot%\\x"}},
      {"inf-syntax.md §3.1: string keys are matched case-insensitively", "a=%FOO%\n" + kStrSection, "a", {"aaa"}},
      {"inf-syntax.md §3.1: a lone '%' is kept", "a=50%", "a", {"50%"}},
      {"inf-syntax.md §3.2: [Strings] wins over a DIRID of the same number", "a=%22%\n" + kStrSection, "a", {"foo"}},
      {"inf-syntax.md §3.2: %11% is the system directory", "a=%11%\\x.sys", "a", {"C:\\Windows\\System32\\x.sys"}},
      {"inf-syntax.md §3.2: unknown DIRIDs are kept", "a=%99%\\x", "a", {"%99%\\x"}},
  };
  return rows;
}

TEST(InfConformance, KeyNames) {
  for (const auto& row : key_rows()) {
    SCOPED_TRACE(std::string(row.cite) + "\n  input: " + show(row.data));
    auto r = parse(kStdHeader + "[Test]\n" + row.data);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto test = r->section("Test");
    ASSERT_TRUE(test);
    ASSERT_GE(test->line_count(), 1u);
    Line l = test->line_at(0);
    const auto& want_key = row.gap ? row.ours_key : row.key;
    const auto& want_fields = row.gap ? row.ours_fields : row.fields;
    EXPECT_EQ(l.key(), want_key);
    ASSERT_EQ(l.field_count(), want_fields.size());
    for (std::size_t i = 0; i < want_fields.size(); ++i) EXPECT_EQ(l.field(i), want_fields[i]) << "field " << i + 1;
    // SetupFindFirstLine(section, key) finds the line by its substituted key.
    if (want_key) {
      auto found = test->find(*want_key);
      ASSERT_TRUE(found) << "key not found by lookup";
      EXPECT_EQ(found->index(), l.index());
    }
  }
}

TEST(InfConformance, LookupDoesNotMatchUnsubstitutedKeys) {
  // Wine parser.c test_key_names: SetupFindFirstLine(…, "%foo%") fails once %foo% became "aaa".
  Document doc = open_ok("[Test]\n%foo%=%bar%\n" + kStrSection);
  auto test = doc.section("Test");
  ASSERT_TRUE(test);
  EXPECT_FALSE(test->find("%foo%"));
  EXPECT_TRUE(test->find("AAA"));
  EXPECT_EQ(test->line_at(0).raw_key(), "%foo%");
}

TEST(InfConformance, GetFieldReturnsRawTokensCutAt511) {
  // Wine parser.c test_pSetupGetField: field 0 is the key, unknown tokens stay, a 4097-character
  // token comes back as 511 characters (NT-era and Windows 7+; Vista kept 4096), field 4 is absent.
  const std::string contents = "[Version]\nSignature=\"$Windows NT$\"\nFileVersion=5.1.1.2\n[FileBranchInfo]\n"
                               "RTMQFE=\"%RTMGFE_NAME%\",SP1RTM," + A4097 + "\n[Strings]\nRTMQFE_NAME = \"RTMQFE\"\n";
  auto r = parse(contents);
  ASSERT_TRUE(r.ok());
  Line l = r->section("FileBranchInfo")->line_at(0);
  EXPECT_EQ(l.raw_key(), "RTMQFE");
  EXPECT_EQ(l.raw_field(0), "%RTMGFE_NAME%");
  EXPECT_EQ(l.field(0), "%RTMGFE_NAME%");
  EXPECT_EQ(l.raw_field(1), "SP1RTM");
  EXPECT_EQ(l.raw_field(2), A511);
  EXPECT_EQ(l.field_count(), 3u);
  EXPECT_EQ(l.raw_field(3), "");
  std::string out;
  EXPECT_FALSE(l.field_into(3, out));
  // The cut is recorded where the token starts.
  ASSERT_FALSE(r->notes().empty());
  EXPECT_EQ(r->notes()[0].kind, NoteKind::field_truncated);
  EXPECT_EQ(r->notes()[0].line, 5u);
  EXPECT_EQ(r->notes()[0].column, 31u);
}

TEST(InfConformance, LineCountsAndLookupErrors) {
  // Wine parser.c test_GLE: blank lines do not count; unknown sections and keys are not found.
  auto r = parse("[Version]\nSignature=\"$Windows NT$\"\n[Sectionname]\nKeyname1=Field1,Field2,Field3\n\n"
                 "Keyname2=Field4,Field5\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->section("ImNotThere"));
  auto s = r->section("Sectionname");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->line_count(), 2u);
  EXPECT_FALSE(s->find("ImNotThere"));
  ASSERT_TRUE(s->find("Keyname2"));
  EXPECT_EQ(s->find("Keyname2")->line(), 6u);
}

}  // namespace
