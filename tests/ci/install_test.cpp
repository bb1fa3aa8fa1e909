// Issue 17 part 7: `cmake --install` puts the binary, the infverif/stampinf links, man pages
// generated from the command definitions and bash completion under a prefix, and the installed
// copy works (the .deb itself is built and unpacked by scripts/package.sh in .ci/run).
#include "ci_test_util.h"

using namespace ci_test;

TEST(Install, CmakeInstallShipsBinaryLinksManPagesAndCompletion) {
  Scratch s;
  const fs::path prefix = s / "prefix";
  const std::string cmd = "cmake --install " + shell_quote(ISODRV_BINARY_DIR) + " --prefix " + shell_quote(prefix.string()) +
                          " >" + shell_quote((s / "install.log").string()) + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(s / "install.log");
  for (const char* f : {"bin/isodrv", "bin/infverif", "bin/stampinf", "share/man/man1/isodrv.1",
                        "share/man/man1/isodrv-check.1", "share/man/man1/infverif.1",
                        "share/bash-completion/completions/isodrv", "share/doc/isodrv/ci.md"}) {
    EXPECT_TRUE(fs::exists(prefix / f)) << f;
  }
  EXPECT_TRUE(fs::is_symlink(prefix / "bin/infverif"));
  EXPECT_EQ(fs::read_symlink(prefix / "bin/infverif"), "isodrv");

  // The installed links behave as the tools they are named after.
  s.write("a.inf", clean_inf());
  CliRun iv = s.run("/w /v a.inf", {}, "env -u CI", (prefix / "bin/infverif").string());
  EXPECT_EQ(iv.rc, 0) << iv.err;
  EXPECT_TRUE(has(iv.out, "INF is VALID")) << iv.out;

  // Man pages come from the command definitions: options and the exit-code table are there.
  const std::string page = slurp(prefix / "share/man/man1/isodrv-check.1");
  EXPECT_TRUE(has(page, "\\-\\-select")) << page;
  EXPECT_TRUE(has(page, ".SH EXIT STATUS"));
  EXPECT_TRUE(has(page, "refused by policy"));
  const std::string top = slurp(prefix / "share/man/man1/isodrv.1");
  EXPECT_TRUE(has(top, "isodrv\\-driver(1)")) << top;

  // The completion script is valid bash and completes subcommands and options.
  const fs::path comp = prefix / "share/bash-completion/completions/isodrv";
  auto complete = [&](const std::string& line) {
    const std::string script = "source " + shell_quote(comp.string()) + "; COMP_WORDS=(" + line +
                               "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _isodrv; echo \"${COMPREPLY[*]}\"";
    const std::string c = "bash -c " + shell_quote(script) + " >" + shell_quote((s / "comp").string()) + " 2>&1";
    std::system(c.c_str());
    return slurp(s / "comp");
  };
  EXPECT_EQ(complete("isodrv dri"), "driver\n");
  EXPECT_EQ(complete("isodrv driver l"), "list\n");
  EXPECT_TRUE(has(complete("isodrv check --sel"), "--select")) << complete("isodrv check --sel");
}
