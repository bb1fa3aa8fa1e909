// Issue 17 part 1 through the CLI: no input file found is exit 3, --files-from with comments and
// NUL-separated lists, InfVerif's slash options (/swNNNN, one mode at a time, unknown /flags), and
// links named infverif and stampinf.
#include "ci_test_util.h"

using namespace ci_test;

TEST(Inputs, EmptyFolderIsExit3NamingIt) {
  Scratch s;
  fs::create_directories(s / "emptydir");
  CliRun r = s.run("check emptydir");
  EXPECT_EQ(r.rc, 3) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "no INF or INX file found in emptydir")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Inputs, EmptyListIsExit3AndNoArgumentIsUsage) {
  Scratch s;
  s.write("list.txt", "# nothing here\n\n");
  CliRun r = s.run("check --files-from list.txt");
  EXPECT_EQ(r.rc, 3);
  EXPECT_TRUE(has(r.err, "list.txt (the list is empty)")) << r.err;
  EXPECT_EQ(s.run("check - </dev/null").rc, 3);
  EXPECT_EQ(s.run("check").rc, 2);
}

TEST(Inputs, FilesFromSkipsCommentsAndReadsNulLists) {
  Scratch s;
  s.write("pkg/a.inf", clean_inf());
  s.write("pkg/b c.inf", unisolated_inf());
  s.write("list.txt", "# the packages CI checks\npkg/a.inf\n  # indented comment\n\npkg/b c.inf\r\n");
  CliRun lines = s.run("check --format json --files-from list.txt");
  EXPECT_EQ(lines.rc, 1) << lines.err;
  EXPECT_TRUE(has(lines.out, "\"path\": \"pkg/a.inf\"")) << lines.out;
  EXPECT_TRUE(has(lines.out, "\"path\": \"pkg/b c.inf\""));
  EXPECT_FALSE(has(lines.err, "#")) << lines.err;

  // -0: what `find -print0` writes; a name may start with '#' or end with a blank.
  s.write("pkg/#odd .inf", clean_inf());
  std::string nul = std::string("pkg/a.inf") + '\0' + "pkg/#odd .inf" + '\0';
  s.write("list0", nul);
  CliRun zero = s.run("check -0 --format json --files-from list0");
  EXPECT_EQ(zero.rc, 0) << zero.err;
  EXPECT_TRUE(has(zero.out, "\"path\": \"pkg/#odd .inf\"")) << zero.out;
  CliRun piped = s.run("check --null --format json - <list0");
  EXPECT_EQ(piped.rc, 0) << piped.err;
  EXPECT_TRUE(has(piped.out, "\"path\": \"pkg/#odd .inf\""));
}

TEST(Inputs, UnknownSlashOptionIsUsageNotPath) {
  Scratch s;
  s.write("a.inf", clean_inf());
  CliRun r = s.run("check /syntax a.inf");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(has(r.err, "unknown InfVerif option /syntax")) << r.err;
  CliRun typo = s.run("check /sampels a.inf");
  EXPECT_EQ(typo.rc, 2);
  EXPECT_TRUE(has(typo.err, "did you mean /samples?")) << typo.err;
  // An absolute path is still a path, found or not; an INF name under / is a missing input.
  EXPECT_EQ(s.run("check /no-such-file.inf").rc, 3);
  EXPECT_EQ(s.run("check " + shell_quote((s / "a.inf").string())).rc, 0);
  EXPECT_EQ(s.run("check /no/such/file.inf").rc, 3);
  EXPECT_EQ(s.run("check /osver").rc, 2);
}

TEST(Inputs, OneModeAtATime) {
  Scratch s;
  s.write("a.inf", clean_inf());
  EXPECT_EQ(s.run("check /w /W a.inf").rc, 0);
  CliRun r = s.run("check /w /u a.inf");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(has(r.err, "/w and /u: InfVerif takes one mode at a time")) << r.err;
  EXPECT_FALSE(has(r.err, "At Most")) << r.err;
}

TEST(Inputs, SuppressWarningDropsThatWarningOnly) {
  Scratch s;
  s.write("n.inf", unisolated_inf());
  CliRun plain = s.run("check --format json n.inf");
  ASSERT_TRUE(has(plain.out, "\"code\": 2083")) << plain.out;  // unused section: a warning
  CliRun sw = s.run("check /sw2083 --format json n.inf");
  EXPECT_FALSE(has(sw.out, "\"code\": 2083")) << sw.out;
  EXPECT_TRUE(has(sw.out, "\"code\": 1322"));
  // An error-level code stays: /sw is for warnings.
  CliRun err = s.run("check /SW1322 --format json n.inf");
  EXPECT_TRUE(has(err.out, "\"code\": 1322")) << err.out;
  EXPECT_EQ(err.rc, 1);
  EXPECT_EQ(s.run("check /sw n.inf").rc, 2);
}

TEST(Inputs, OsverTakesBothSpellings) {
  Scratch s;
  s.write("a.inf", clean_inf());
  EXPECT_EQ(s.run("check /osver NTAMD64.10.0...17763 a.inf").rc, 0);
  EXPECT_EQ(s.run("check /osver 10.0.17763 a.inf").rc, 0);
  EXPECT_EQ(s.run("check --osver 10.0 a.inf").rc, 0);
  CliRun bad = s.run("check /osver ten a.inf");
  EXPECT_EQ(bad.rc, 2);
  EXPECT_TRUE(has(bad.err, "10.0.22000")) << bad.err;
}

TEST(Inputs, LinksNamedInfverifAndStampinfActAsThoseTools) {
  Scratch s;
  s.write("a.inf", clean_inf());
  s.write("n.inf", unisolated_inf());
  fs::create_symlink(ISODRV_CLI, s / "infverif");
  fs::create_symlink(ISODRV_CLI, s / "stampinf");
  const std::string infverif = (s / "infverif").string();
  EXPECT_EQ(s.run("/w a.inf", {}, "env -u CI", infverif).rc, 0);
  CliRun bad = s.run("/w /v n.inf", {}, "env -u CI", infverif);
  EXPECT_EQ(bad.rc, 1);
  EXPECT_TRUE(has(bad.out, "1322")) << bad.out;
  CliRun code = s.run("/code 1322", {}, "env -u CI", infverif);
  EXPECT_EQ(code.rc, 0);
  EXPECT_TRUE(has(code.out, "1322")) << code.out;

  s.write("x.inx", "[Version]\nSignature=\"$Windows NT$\"\nDriverVer=01/01/2020,1.0.0.0\n");
  CliRun st = s.run("-f x.inx -d 05/06/2026 -v 2.0.0.1 -o -", {}, "env -u CI", (s / "stampinf").string());
  EXPECT_EQ(st.rc, 0) << st.err;
  EXPECT_TRUE(has(st.out, "DriverVer=05/06/2026,2.0.0.1")) << st.out;
}
