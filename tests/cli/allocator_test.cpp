// The isodrv command's allocator: built with mimalloc (the default when libmimalloc-dev is there,
// never under the sanitizers), the command must really run on it — a link order that let glibc's
// malloc win would silently lose the speed docs/PERFORMANCE.md records.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;

TEST(CommandAllocator, RunsOnMimallocWhenBuiltWithIt) {
#if !defined(ISODRV_TEST_MIMALLOC)
  GTEST_SKIP() << "this build links the command without mimalloc (sanitizer or fuzz build, or "
                  "libmimalloc-dev missing): nothing to check";
#else
  const fs::path scratch = fs::temp_directory_path() / ("isodrv-alloc-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  // mimalloc announces itself on stderr when MIMALLOC_VERBOSE is set; glibc's malloc ignores it.
  ::setenv("MIMALLOC_VERBOSE", "1", 1);
  const auto run = isodrv_test::run_cli({"--version"}, scratch);
  ::unsetenv("MIMALLOC_VERBOSE");
  fs::remove_all(scratch);
  EXPECT_EQ(run.rc, 0);
  EXPECT_NE(run.out.find("isodrv "), std::string::npos);
  EXPECT_NE(run.err.find("mimalloc: process init"), std::string::npos) << run.err;
#endif
}

}  // namespace
