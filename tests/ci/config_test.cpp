// Issue 17 parts 2 and 4 through the CLI: one project root for paths and baselines (from any
// working directory, absolute or relative inputs), --select/--ignore/--extend-select with prefixes,
// --warnings-as-errors, isodrv.toml and [tool.isodrv] discovered upward, and --show-settings.
#include "ci_test_util.h"

using namespace ci_test;

namespace {

// A project: a git top-level with two packages, one clean and one with findings.
void make_project(const Scratch& s) {
  fs::create_directories(s / "proj/.git");
  s.write("proj/drivers/good/good.inf", clean_inf());
  s.write("proj/drivers/bad/bad.inf", unisolated_inf());
}

}  // namespace

TEST(ProjectRoot, PathsAreRelativeToTheGitTopLevelFromAnyFolder) {
  Scratch s;
  make_project(s);
  CliRun top = s.run("check --format json drivers", s / "proj");
  CliRun inside = s.run("check --format json ../bad/bad.inf ./../good/../good/good.inf", s / "proj/drivers/good");
  CliRun absolute = s.run("check --format json " + shell_quote((s / "proj/drivers").string()), s / "proj/drivers/bad");
  EXPECT_TRUE(has(top.out, "\"path\": \"drivers/bad/bad.inf\"")) << top.out;
  EXPECT_TRUE(has(inside.out, "\"path\": \"drivers/bad/bad.inf\"")) << inside.out;
  EXPECT_TRUE(has(inside.out, "\"path\": \"drivers/good/good.inf\"")) << inside.out;
  EXPECT_TRUE(has(absolute.out, "\"path\": \"drivers/bad/bad.inf\"")) << absolute.out;
  CliRun text = s.run("check ../bad/bad.inf", s / "proj/drivers/good");
  EXPECT_TRUE(has(text.out, "\ndrivers/bad/bad.inf:") || text.out.starts_with("drivers/bad/bad.inf:")) << text.out;
  // --project-root overrides; a file outside it keeps its absolute path.
  CliRun pr = s.run("check --format json --project-root drivers drivers/bad/bad.inf", s / "proj");
  EXPECT_TRUE(has(pr.out, "\"path\": \"bad/bad.inf\"")) << pr.out;
  s.write("outside/o.inf", clean_inf());
  CliRun out = s.run("check --format json ../outside/o.inf", s / "proj");
  EXPECT_TRUE(has(out.out, "\"path\": \"" + (s / "outside/o.inf").string() + "\"")) << out.out;
}

TEST(ProjectRoot, BaselineMatchesFromAnyFolderAndSaysHowMany) {
  Scratch s;
  make_project(s);
  CliRun first = s.run("check --format json drivers", s / "proj");
  ASSERT_EQ(first.rc, 1);
  s.write("proj/baseline.json", first.out);
  const std::string bl = shell_quote((s / "proj/baseline.json").string());
  CliRun sub = s.run("check --baseline " + bl + " ../bad/bad.inf", s / "proj/drivers/good");
  EXPECT_EQ(sub.rc, 0) << sub.out;
  EXPECT_TRUE(has(sub.out, "0 errors, 0 warnings in 1 file")) << sub.out;
  EXPECT_TRUE(has(sub.out, " findings accepted by the baseline\n")) << sub.out;
  CliRun abs = s.run("check --baseline baseline.json " + shell_quote((s / "proj/drivers/bad/bad.inf").string()), s / "proj");
  EXPECT_EQ(abs.rc, 0) << abs.out;
  CliRun json = s.run("check --format json --baseline baseline.json drivers", s / "proj");
  EXPECT_EQ(json.rc, 0) << json.out;
  // A baseline written with "./" paths from the top-level matches as well.
  CliRun dotted = s.run("check --format json ./drivers/bad/bad.inf", s / "proj");
  s.write("proj/dotted.json", dotted.out);
  EXPECT_EQ(s.run("check --baseline ../../dotted.json ../bad/bad.inf", s / "proj/drivers/good").rc, 0);
}

TEST(Selection, SelectIgnoreExtendSelectWithPrefixes) {
  Scratch s;
  s.write("n.inf", unisolated_inf());
  auto codes = [&](const std::string& args) {
    CliRun r = s.run("check --format json " + args + " n.inf");
    std::string seen;
    for (std::size_t p = 0; (p = r.out.find("\"code\": ", p)) != std::string::npos; p += 8) seen += r.out.substr(p + 8, 4) + " ";
    return seen;
  };
  const std::string all = codes("");
  ASSERT_TRUE(has(all, "1322")) << all;
  ASSERT_TRUE(has(all, "2083")) << all;
  const std::string only13 = codes("--select 13");
  EXPECT_TRUE(has(only13, "1322"));
  EXPECT_FALSE(has(only13, "2083")) << only13;
  const std::string no132 = codes("--select 13 --ignore 132");
  EXPECT_FALSE(has(no132, "132")) << no132;
  EXPECT_TRUE(has(codes("--select 13,12"), "1235"));
  const std::string only132 = codes("--select 132 --ignore 1322");
  EXPECT_TRUE(has(only132, "1321") && has(only132, "1323") && !has(only132, "1322")) << only132;
  EXPECT_FALSE(has(codes("--ignore 13"), "1322"));
  EXPECT_TRUE(has(codes("--ignore 13 --select 1322"), "1322"));  // the longer entry wins
  const std::string extended = codes("--select 13 --extend-select 2083");
  EXPECT_TRUE(has(extended, "2083"));
  EXPECT_TRUE(has(extended, "1322"));
  EXPECT_EQ(s.run("check --select 1x n.inf").rc, 2);
}

TEST(Selection, WarningsAsErrors) {
  Scratch s;
  s.write("n.inf", unisolated_inf());
  CliRun warn_only = s.run("check --select 2083 n.inf");
  EXPECT_EQ(warn_only.rc, 0) << warn_only.out;
  CliRun strict = s.run("check --select 2083 --warnings-as-errors n.inf");
  EXPECT_EQ(strict.rc, 1) << strict.out;
  EXPECT_TRUE(has(strict.out, "error: ")) << strict.out;
}

TEST(Config, DiscoveredUpwardAndCommandLineWins) {
  Scratch s;
  make_project(s);
  s.write("proj/isodrv.toml", "mode = \"u\"\nselect = [\"13\"]\nformat = \"json\"\n"
                              "[per-file-ignores]\n\"drivers/legacy/*.inf\" = [\"1304\"]\n");
  s.write("proj/drivers/legacy/old.inf", unisolated_inf());
  CliRun r = s.run("check drivers", s / "proj");
  EXPECT_TRUE(has(r.out, "\"mode\": \"u\"")) << r.out;
  EXPECT_FALSE(has(r.out, "\"code\": 2083")) << r.out;
  EXPECT_TRUE(has(r.out, "\"path\": \"drivers/legacy/old.inf\"")) << r.out;
  // The per-file ignore applies to drivers/legacy only (its glob is relative to the file's folder).
  EXPECT_TRUE(has(s.run("check drivers/bad", s / "proj").out, "\"code\": 1304"));
  CliRun legacy = s.run("check old.inf", s / "proj/drivers/legacy");
  EXPECT_TRUE(has(legacy.out, "\"path\": \"drivers/legacy/old.inf\"")) << legacy.out;
  EXPECT_FALSE(has(legacy.out, "\"code\": 1304")) << legacy.out;
  EXPECT_FALSE(has(r.out, "\"code\": 1322")) << "1322 is a /w rule; the file says /u";
  CliRun cli = s.run("check --format text --mode w --select 2083 drivers/bad", s / "proj");
  EXPECT_TRUE(has(cli.out, "[2083]")) << cli.out;
  EXPECT_TRUE(has(cli.out, "mode /w")) << cli.out;

  // A nearer file wins for the files below it: [tool.isodrv] in a pyproject.toml.
  s.write("proj/drivers/bad/pyproject.toml", "[project]\nname = \"x\"\n[tool.isodrv]\nignore = [\"1322\"]\n");
  CliRun near = s.run("check --format json drivers/bad", s / "proj");
  EXPECT_FALSE(has(near.out, "\"code\": 1322")) << near.out;
  // The nearer file has no mode: these files are checked in the default /w (1321 is a /w rule),
  // and the report says so: the file record names its mode, the summary counts files per mode.
  EXPECT_TRUE(has(near.out, "\"code\": 1321")) << near.out;
  EXPECT_TRUE(has(near.out, "\"mode\": \"w\",\n      \"path\": \"drivers/bad/bad.inf\"")) << near.out;
  EXPECT_TRUE(has(near.out, "\"modes\": {\n      \"w\": 1\n    }")) << near.out;
}

TEST(Config, MixedModesKeepInputOrderAndAreCounted) {
  Scratch s;
  make_project(s);
  s.write("proj/drivers/bad/isodrv.toml", "mode = \"u\"\n");
  s.write("proj/drivers/zz/z.inf", unisolated_inf());
  // Input order bad (/u), good (/w), zz (/w): the output keeps it, not one group per config file.
  CliRun r = s.run("check --format text drivers/good/good.inf drivers/bad/bad.inf drivers/zz/z.inf", s / "proj");
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_TRUE(has(r.out, "(2 not valid, modes /u: 1 file, /w: 2 files)\n")) << r.out;
  const auto bad = r.out.find("drivers/bad/bad.inf:"), zz = r.out.find("drivers/zz/z.inf:");
  ASSERT_NE(bad, std::string::npos);
  ASSERT_NE(zz, std::string::npos);
  EXPECT_LT(bad, zz) << r.out;
  CliRun ordered = s.run("check --format json drivers/zz/z.inf drivers/bad/bad.inf drivers/good/good.inf", s / "proj");
  EXPECT_LT(ordered.out.find("drivers/zz/z.inf"), ordered.out.find("drivers/bad/bad.inf")) << ordered.out;
  EXPECT_LT(ordered.out.find("drivers/bad/bad.inf"), ordered.out.find("drivers/good/good.inf")) << ordered.out;
  // JSON Lines carries the per-file mode through `report merge`.
  CliRun lines = s.run("check --format jsonl drivers", s / "proj");
  s.write("proj/run.jsonl", lines.out);
  EXPECT_TRUE(has(lines.out, "\"modes\":{\"u\":1,\"w\":2}")) << lines.out;
  CliRun merged = s.run("report merge --format text run.jsonl", s / "proj");
  EXPECT_TRUE(has(merged.out, "modes /u: 1 file, /w: 2 files)")) << merged.out;
  // One mode: the summary is as it always was.
  EXPECT_TRUE(has(s.run("check drivers/good", s / "proj").out, "(0 not valid, mode /w)\n"));
}

// The configuration of consecutive files of one folder is looked up once (find_config remembers
// the last folder as spelled): files of folders with different configurations, interleaved and
// spelled in different ways, still each get their own folder's.
TEST(Config, InterleavedFoldersEachGetTheirOwnConfiguration) {
  Scratch s;
  make_project(s);
  s.write("proj/drivers/bad/isodrv.toml", "mode = \"u\"\n");
  s.write("proj/drivers/bad/bad2.inf", unisolated_inf());
  CliRun r = s.run("check --format text drivers/bad/bad.inf drivers/good/good.inf drivers/bad/bad2.inf "
                   "./drivers/good/../bad/bad.inf drivers/good/good.inf",
                   s / "proj");
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_TRUE(has(r.out, "modes /u: 3 files, /w: 2 files)\n")) << r.out;
}

// A tree of one folder per file (check lists each folder once and probes only the folders whose
// listing shows a configuration name): a file in a parent folder applies, one in a sibling folder
// does not, one in a folder between the walked root and the files applies below it, a folder named
// like a configuration file is not one; walked, listed (--files-from) or absolute, the same result.
TEST(Config, TreeLayoutFindsParentSiblingAndInBetweenConfigurations) {
  Scratch s;
  fs::create_directories(s / "proj/.git");
  s.write("proj/isodrv.toml", "mode = \"u\"\n");
  for (const char* f : {"tree/a/1/x.inf", "tree/a/2/y.inf", "tree/b/1/z.inf", "tree/b/2/w.inf", "tree/c/v.inf"}) {
    s.write(std::string("proj/") + f, unisolated_inf());
  }
  s.write("proj/tree/b/.isodrv.toml", "mode = \"h\"\n");
  s.write("proj/tree/sib/pyproject.toml", "[tool.isodrv]\nmode = \"k\"\n");
  fs::create_directories(s / "proj/tree/c/isodrv.toml");
  s.write("proj/list.txt", "tree/a/1/x.inf\ntree/a/2/y.inf\ntree/b/1/z.inf\ntree/b/2/w.inf\ntree/c/v.inf\n");
  auto expect_modes = [&](const CliRun& r, const std::string& how) {
    EXPECT_EQ(r.rc, 1) << how << ": " << r.err;
    // The run's mode is /u (the working folder's configuration); a file record names its mode
    // only where it differs.
    EXPECT_TRUE(has(r.out, "\n  \"mode\": \"u\",")) << how << ": " << r.out;
    for (const auto& [in_h, file] : std::vector<std::pair<bool, std::string>>{
             {false, "a/1/x.inf"}, {false, "a/2/y.inf"}, {true, "b/1/z.inf"}, {true, "b/2/w.inf"}, {false, "c/v.inf"}}) {
      EXPECT_TRUE(has(r.out, "\"path\": \"tree/" + file + "\"")) << how << ": " << r.out;
      EXPECT_EQ(has(r.out, "\"mode\": \"h\",\n      \"path\": \"tree/" + file + "\""), in_h) << how << ": " << file;
    }
    EXPECT_TRUE(has(r.out, "\"modes\": {\n      \"u\": 3,\n      \"h\": 2\n    }")) << how << ": " << r.out;
  };
  const CliRun walked = s.run("check --format json tree", s / "proj");
  expect_modes(walked, "walked");
  expect_modes(s.run("check --format json --files-from list.txt", s / "proj"), "listed");
  expect_modes(s.run("check --format json -j2 " + shell_quote((s / "proj/tree").string()), s / "proj/tree/a"),
               "absolute, from another folder");
  expect_modes(s.run("check --format json ../tree/a ../tree/b ./../tree/c", s / "proj/tree"), "several inputs");
  // A configuration file added between two runs, in a folder between the root and the files.
  s.write("proj/tree/a/isodrv.toml", "mode = \"h\"\n");
  const CliRun again = s.run("check --format json tree", s / "proj");
  EXPECT_TRUE(has(again.out, "\"u\": 1,\n      \"h\": 4\n")) << again.out;
  EXPECT_TRUE(has(again.out, "\"mode\": \"h\",\n      \"path\": \"tree/a/1/x.inf\"")) << again.out;
}

// Files of a list (no folder listing to go by) find their configuration through the folders
// already decided: each folder is probed once and its parents only up to the first one decided.
// The rule: a configuration file present when the run starts is found, however the files are
// spelled and in whatever order they come; over 4,096 folders discovery starts afresh (bounded
// memory) and still finds them. Missing files are looked up like the others (they need no disk).
TEST(Config, ListedFilesFindConfigurationsThroughRememberedParents) {
  Scratch s;
  fs::create_directories(s / "proj/.git");
  s.write("proj/pkgs/isodrv.toml", "mode = \"u\"\n");
  s.write("proj/pkgs/a/1/x.inf", unisolated_inf());
  s.write("proj/pkgs/a/2/y.inf", unisolated_inf());
  s.write("proj/pkgs/b/z.inf", unisolated_inf());
  s.write("proj/other/w.inf", unisolated_inf());
  std::string list = "other/w.inf\npkgs/a/1/x.inf\n" + (s / "proj/pkgs/a/2/y.inf").string() + "\n";
  for (int i = 0; i < 4200; ++i) list += "pkgs/gone/" + std::to_string(i) + "/missing.inf\n";
  list += "./other/../pkgs/b/z.inf\nother/w.inf\n";
  s.write("proj/list.txt", list);
  const CliRun r = s.run("check --format json --files-from list.txt", s / "proj");
  EXPECT_EQ(r.rc, 3) << r.err;  // the missing files are unreadable
  // The run's mode is the first file's (/w); a file record names its mode where it differs.
  EXPECT_TRUE(has(r.out, "\n  \"mode\": \"w\",")) << r.out.substr(r.out.size() - 400);
  for (const std::string file : {"pkgs/a/1/x.inf", "pkgs/a/2/y.inf", "pkgs/b/z.inf", "pkgs/gone/4199/missing.inf"}) {
    EXPECT_TRUE(has(r.out, "\"mode\": \"u\",\n      \"path\": \"" + file + "\"")) << file;
  }
  EXPECT_TRUE(has(r.out, "\"path\": \"other/w.inf\"")) << r.out.substr(0, 400);
  EXPECT_FALSE(has(r.out, "\"mode\": \"u\",\n      \"path\": \"other/w.inf\""));
}

TEST(ProjectRoot, SarifAndGithubPathsStartAtTheProjectRoot) {
  Scratch s;
  make_project(s);
  // Run from inside a package folder: %SRCROOT% is the project root, so the URI is the path from it.
  CliRun sarif = s.run("check --format sarif bad.inf", s / "proj/drivers/bad");
  EXPECT_TRUE(has(sarif.out, "\"uri\": \"drivers/bad/bad.inf\",\n                  \"uriBaseId\": \"%SRCROOT%\""))
      << sarif.out;
  EXPECT_TRUE(has(sarif.out, "The project root")) << sarif.out;
  CliRun gh = s.run("check --format github bad.inf", s / "proj/drivers/bad");
  EXPECT_TRUE(has(gh.out, "::error file=drivers/bad/bad.inf,")) << gh.out;
  // --project-root moves the base with it; --sarif-base still wins.
  CliRun pr = s.run("check --format sarif --project-root .. bad.inf", s / "proj/drivers/bad");
  EXPECT_TRUE(has(pr.out, "\"uri\": \"bad/bad.inf\"")) << pr.out;
  CliRun base = s.run("check --format sarif --sarif-base . bad.inf", s / "proj/drivers/bad");
  EXPECT_TRUE(has(base.out, "\"uri\": \"bad.inf\"")) << base.out;
}

TEST(ProjectRoot, JsonSummariesCountWhatTheBaselineAccepted) {
  Scratch s;
  make_project(s);
  CliRun first = s.run("check --format json drivers", s / "proj");
  s.write("proj/baseline.json", first.out);
  CliRun json = s.run("check --format json --baseline baseline.json drivers", s / "proj");
  EXPECT_EQ(json.rc, 0) << json.out;
  EXPECT_TRUE(has(json.out, "\"summary\": {\n    \"baseline_accepted\": ")) << json.out;
  EXPECT_FALSE(has(json.out, "\"baseline_accepted\": 0")) << json.out;
  CliRun lines = s.run("check --format jsonl --baseline baseline.json drivers", s / "proj");
  EXPECT_TRUE(has(lines.out, "\"baseline_accepted\":")) << lines.out;
  s.write("proj/a.jsonl", lines.out);
  CliRun merged = s.run("report merge --format json a.jsonl", s / "proj");
  EXPECT_TRUE(has(merged.out, "\"baseline_accepted\": ")) << merged.out;
  // Without a baseline no summary mentions one.
  EXPECT_FALSE(has(first.out, "baseline_accepted")) << first.out;
}

TEST(Config, ShowSettingsAndErrors) {
  Scratch s;
  make_project(s);
  s.write("proj/isodrv.toml", "mode = \"k\"\ntarget-os = \"10.0.17763\"\nignore = [\"12\"]\nbaseline = \"b.json\"\n"
                              "warnings-as-errors = true\n[per-file-ignores]\n\"*.inf\" = [\"1322\"]\n");
  CliRun show = s.run("check --show-settings drivers/bad/bad.inf --select 13", s / "proj");
  EXPECT_EQ(show.rc, 0) << show.err;
  EXPECT_TRUE(has(show.out, "path: drivers/bad/bad.inf\n")) << show.out;
  EXPECT_TRUE(has(show.out, "config: " + (s / "proj/isodrv.toml").string() + "\n")) << show.out;
  EXPECT_TRUE(has(show.out, "mode: k\n"));
  EXPECT_TRUE(has(show.out, "target-os: 10.0.17763\n"));
  EXPECT_TRUE(has(show.out, "select: 13\n"));
  EXPECT_TRUE(has(show.out, "ignore: 12\n"));
  EXPECT_TRUE(has(show.out, "per-file-ignores: *.inf = 1322 (applies)\n")) << show.out;
  EXPECT_TRUE(has(show.out, "warnings-as-errors: true\n"));
  EXPECT_TRUE(has(show.out, "baseline: " + (s / "proj/b.json").string() + "\n")) << show.out;

  s.write("proj/isodrv.toml", "mode = \"w\"\nselcet = [\"13\"]\n");
  CliRun typo = s.run("check drivers", s / "proj");
  EXPECT_EQ(typo.rc, 2);
  EXPECT_TRUE(has(typo.err, "isodrv.toml:2: unknown setting 'selcet'")) << typo.err;
  s.write("proj/isodrv.toml", "mode = [\n");
  CliRun broken = s.run("check drivers", s / "proj");
  EXPECT_EQ(broken.rc, 2);
  EXPECT_TRUE(has(broken.err, "isodrv.toml:")) << broken.err;
}
