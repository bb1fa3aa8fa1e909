// Issue 17 parts 5 and 6 through the CLI: global options after the subcommand, "did you mean",
// case-insensitive choices, explain by rule name, self-contained --help, and read commands that
// create nothing on a missing store.
#include "ci_test_util.h"

using namespace ci_test;

TEST(Usability, GlobalOptionsAfterTheSubcommand) {
  Scratch s;
  const std::string root = shell_quote((s / "store").string());
  ASSERT_EQ(s.run("reg add 'HKLM\\SOFTWARE\\Numbat' --root " + root).rc, 0);
  CliRun before = s.run("--root " + root + " driver list --json");
  CliRun after = s.run("driver list --root " + root + " --format JSON");
  EXPECT_EQ(before.rc, 0) << before.err;
  EXPECT_EQ(after.rc, 0) << after.err;
  EXPECT_EQ(after.out, before.out);
  EXPECT_EQ(after.out, "[]\n");
  CliRun q = s.run("reg query 'HKLM\\SOFTWARE\\Numbat' --root=" + root);
  EXPECT_EQ(q.rc, 0) << q.err;
  s.write("a.inf", clean_inf());
  CliRun fmt = s.run("--format json check a.inf");
  EXPECT_TRUE(has(fmt.out, "\"summary\"")) << fmt.out;
  CliRun v = s.run("check a.inf -v --format infverif");
  EXPECT_TRUE(has(v.out, "INF is VALID")) << v.out;
}

TEST(Usability, DidYouMean) {
  Scratch s;
  CliRun sub = s.run("chek a.inf");
  EXPECT_EQ(sub.rc, 2);
  EXPECT_TRUE(has(sub.err, "did you mean 'check'?")) << sub.err;
  CliRun nested = s.run("driver lst");
  EXPECT_EQ(nested.rc, 2);
  EXPECT_TRUE(has(nested.err, "did you mean 'driver list'?")) << nested.err;
  CliRun flag = s.run("check --mdoe w a.inf");
  EXPECT_EQ(flag.rc, 2);
  EXPECT_TRUE(has(flag.err, "did you mean --mode?")) << flag.err;
  CliRun rule = s.run("explain file-copied-destination-othr");
  EXPECT_EQ(rule.rc, 2);
  EXPECT_TRUE(has(rule.err, "did you mean file-copied-destination-other?")) << rule.err;
}

TEST(Usability, ChoicesAnyCase) {
  Scratch s;
  s.write("a.inf", clean_inf());
  EXPECT_EQ(s.run("check --format JSON --mode W --progress NEVER a.inf").rc, 0);
  EXPECT_EQ(s.run("check --format Sarif a.inf").rc, 0);
  EXPECT_EQ(s.run("check --format yaml a.inf").rc, 2);
}

TEST(Usability, ExplainTakesRuleNames) {
  Scratch s;
  CliRun by_code = s.run("explain 1322");
  ASSERT_EQ(by_code.rc, 0);
  const std::string slug = by_code.out.substr(5, by_code.out.find('\n') - 5);
  CliRun by_name = s.run("explain " + slug);
  EXPECT_EQ(by_name.rc, 0) << by_name.err;
  EXPECT_EQ(by_name.out, by_code.out);
  CliRun upper = s.run("explain FILE-COPIED-DESTINATION-OTHER");
  EXPECT_EQ(upper.rc, 0) << upper.err;
}

TEST(Usability, HelpIsSelfContained) {
  Scratch s;
  for (const char* cmd : {"", "check", "explain", "driver list", "device show", "state driver-key", "inf dump", "stamp",
                          "reg", "store verify"}) {
    CliRun r = s.run(std::string(cmd) + " --help");
    EXPECT_EQ(r.rc, 0) << cmd;
    EXPECT_FALSE(has(r.out, "DESIGN.md")) << cmd << "\n" << r.out;
    EXPECT_FALSE(has(r.out, "§")) << cmd << "\n" << r.out;
  }
  CliRun check = s.run("check --help");
  EXPECT_TRUE(has(check.out, "/swNNNN"));
  EXPECT_TRUE(has(check.out, "isodrv.toml"));
  EXPECT_TRUE(has(check.out, "4  refused by policy"));
}

TEST(Usability, ReadCommandsCreateNothingOnAMissingRoot) {
  Scratch s;
  const fs::path root = s / "no-such-store";
  const std::string r = " --root " + shell_quote(root.string());
  for (const std::string cmd : {"driver list", "store verify", "device list", "device show 'ROOT\\X\\0000'",
                                "state driver-key svc --type parameters", "state driver-dir svc --type data",
                                "state device-dir 'ROOT\\X\\0000'", "state driver-path svc",
                                "reg query 'HKLM\\SOFTWARE'", "reg export 'HKLM\\SOFTWARE' -"}) {
    CliRun run = s.run(cmd + r);
    EXPECT_EQ(run.rc, 3) << cmd << "\n" << run.err;
    EXPECT_TRUE(has(run.err, "no driver store at " + root.string())) << cmd << "\n" << run.err;
    EXPECT_FALSE(fs::exists(root)) << cmd << " created the root";
  }
  // The default root too: HOME and XDG_DATA_HOME point into the scratch folder.
  CliRun home = s.run("driver list", {}, "env -u CI -u ISODRV_ROOT -u XDG_DATA_HOME HOME=" + shell_quote(s.dir().string()));
  EXPECT_EQ(home.rc, 3);
  EXPECT_FALSE(fs::exists(s / ".local"));
  // --create makes it.
  EXPECT_EQ(s.run("state driver-key svc --type parameters --create" + r).rc, 1);  // no such service
}

TEST(Usability, VerboseStoreCommandsSayWhatTheyUseAndDo) {
  Scratch s;
  const std::string root = shell_quote((s / "store").string());
  const std::string inf = shell_quote((fs::path(ISODRV_SOURCE_DIR) / "examples/quokka/quokka.inf").string());
  CliRun add = s.run("driver add " + inf + " --root " + root + " -v");
  ASSERT_EQ(add.rc, 0) << add.err;
  EXPECT_TRUE(has(add.err, "isodrv: store root " + (s / "store").string() + " (from --root)\n")) << add.err;
  EXPECT_TRUE(has(add.out, "Staged File:            quokka.inf (")) << add.out;
  CliRun quiet = s.run("driver list --root " + root);
  EXPECT_FALSE(has(quiet.err, "store root")) << quiet.err;
  CliRun env = s.run("-v driver list", {}, "env -u CI ISODRV_ROOT=" + root);
  EXPECT_TRUE(has(env.err, "(from $ISODRV_ROOT)")) << env.err;
}
