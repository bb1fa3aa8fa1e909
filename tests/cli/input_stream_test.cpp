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

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// A list of absolute paths, spelled plainly and with ".", ".." and doubled '/', below the working
// directory: each file gets the configuration of the folder it is in (the lookups take a plain
// absolute path's folder as it is written and go through the shorter name below the working
// directory), and the report is the one a run from elsewhere gives for the same list.
TEST(InputStream, AbsoluteListedPathsInEverySpellingFindTheirFolderConfiguration) {
  const fs::path d = scratch("absolute-spellings");
  const fs::path proj = d / "proj";
  fs::create_directories(proj / "conf/sub");
  fs::create_directories(proj / "plain");
  std::ofstream(proj / "conf/isodrv.toml") << "mode = \"u\"\n";
  for (const char* f : {"conf/a.inf", "conf/sub/b.inf", "plain/c.inf"}) {
    std::ofstream(proj / f) << "[Version]\nSignature=\"$WINDOWS NT$\"\nClass=Foo\n";
  }
  const std::string p = proj.string();
  // The first file has no configuration: the run's mode is the default /w, and a file record names
  // its mode where it is another.
  std::ofstream(d / "list.txt") << p << "/plain/c.inf\n" << p << "/conf/a.inf\n" << p << "/conf/./sub/b.inf\n" << p
                                << "/plain/../conf/a.inf\n" << p << "//plain/c.inf\n" << p << "/conf/sub/b.inf\n";
  auto run_from = [&](const fs::path& cwd) {
    const std::string cmd = "cd " + isodrv_test::shell_quote(cwd.string()) + " && env -u CI " +
                            isodrv_test::shell_quote(ISODRV_CLI) + " check --format json --progress never --files-from " +
                            isodrv_test::shell_quote((d / "list.txt").string()) + " 2>/dev/null";
    std::string out;
    FILE* f = popen(cmd.c_str(), "r");
    char buf[4096];
    for (std::size_t n; f && (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    if (f) pclose(f);
    return out;
  };
  const std::string inside = run_from(proj);
  EXPECT_EQ(count(inside, "\"mode\": \"u\",\n      \"path\": \"conf/a.inf\""), 2u) << inside;
  EXPECT_EQ(count(inside, "\"mode\": \"u\",\n      \"path\": \"conf/sub/b.inf\""), 2u) << inside;
  EXPECT_EQ(count(inside, "\"path\": \"plain/c.inf\""), 2u) << inside;
  EXPECT_EQ(count(inside, "\"mode\": \"u\",\n      \"path\": \"plain/c.inf\""), 0u) << inside;
  // From the folder above, paths are shown from there; the configurations found are the same.
  const std::string above = run_from(d);
  EXPECT_EQ(count(above, "\"mode\": \"u\",\n      \"path\": \"proj/conf/a.inf\""), 2u) << above;
  EXPECT_EQ(count(above, "\"mode\": \"u\",\n      \"path\": \"proj/conf/sub/b.inf\""), 2u) << above;
  EXPECT_EQ(count(above, "\"mode\": \"u\",\n      \"path\": \"proj/plain/c.inf\""), 0u) << above;
  fs::remove_all(d);
}
