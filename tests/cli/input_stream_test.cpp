// check reads its inputs as it goes (issue 10: constant memory in the number of files): a list
// read through a pipe, which can be read only once, gives the same report as the same list in a
// file, and peak memory does not grow with the length of the list.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("isodrv-input-stream-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Peak RSS in KiB of `isodrv check --format jsonl --progress never --files-from LIST`, output dropped.
long peak_rss_kib(const fs::path& list) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(ISODRV_CLI, ISODRV_CLI, "check", "--format", "jsonl", "--progress", "never", "--files-from", list.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int st = 0;
  rusage ru{};
  wait4(pid, &st, 0, &ru);
  return WIFEXITED(st) && WEXITSTATUS(st) <= 1 ? ru.ru_maxrss : -1;
}

}  // namespace

TEST(InputStream, AListThroughAPipeIsTheListInAFile) {
  const fs::path d = scratch("pipe");
  const fs::path list = d / "list.txt", fifo = d / "list.fifo";
  std::string text = "# from a pipe\n";
  for (const char* p : {"tests/rules/1322", "examples", "tests/rules/1202/bad.inf", "tests/rules/nothing-here.inf"}) {
    text += std::string(ISODRV_SOURCE_DIR) + "/" + p + "\n";
  }
  std::ofstream(list) << text;
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto from_file = isodrv_test::run_in_source_dir("check --format json --files-from '" + list.string() + "'", "env -u CI");
  std::thread writer([&] { std::ofstream(fifo) << text; });
  const auto from_pipe = isodrv_test::run_in_source_dir("check --format json --files-from '" + fifo.string() + "'", "env -u CI");
  writer.join();
  EXPECT_EQ(from_pipe.rc, 3) << "the missing entry is an unreadable input";
  EXPECT_EQ(from_pipe.rc, from_file.rc);
  EXPECT_EQ(from_pipe.out, from_file.out);
  EXPECT_NE(from_pipe.out.find("1322/bad.inf"), std::string::npos);
  // Standard input too, given as '-' with a file after it.
  const auto from_stdin = isodrv_test::run_in_source_dir("check --format json - < '" + list.string() + "'", "env -u CI");
  EXPECT_EQ(from_stdin.out, from_file.out);
  fs::remove_all(d);
}

TEST(InputStream, PeakMemoryDoesNotGrowWithTheLengthOfTheList) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "peak RSS means nothing under AddressSanitizer (freed memory is held in its quarantine)";
#endif
  const fs::path d = scratch("rss");
  // One small INF named many times over, by a long path (a list entry used to cost ~180 bytes).
  const fs::path deep = d / std::string(120, 'p');
  fs::create_directories(deep);
  std::ofstream(deep / "a.inf") << "[Version]\nSignature=\"$WINDOWS NT$\"\n";
  auto write_list = [&](const fs::path& list, int n) {
    std::ofstream out(list);
    for (int i = 0; i < n; ++i) out << (deep / "a.inf").string() << "\n";
  };
  write_list(d / "short.txt", 2000);
  write_list(d / "long.txt", 40000);
  const long small = peak_rss_kib(d / "short.txt"), large = peak_rss_kib(d / "long.txt");
  ASSERT_GT(small, 0);
  ASSERT_GT(large, 0);
  // 38,000 more entries held in memory would be ~7 MiB; allow 2 MiB of allocator noise.
  EXPECT_LT(large - small, 2048) << "peak RSS " << small << " KiB for 2,000 entries, " << large << " KiB for 40,000";
  fs::remove_all(d);
}
