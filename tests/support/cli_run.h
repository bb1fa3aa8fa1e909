// Helpers for test programs that run the built isodrv as a process: read a whole file, quote an
// argument for the shell, and run the CLI with its stdout and stderr captured.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace isodrv_test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Single-quoted for /bin/sh, so any byte of `s` reaches the program unchanged.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct CliRun {
  int rc = -1;  // exit code; -1 when the process did not exit normally
  std::string out, err;
};

// Runs `isodrv ARGS…` (ISODRV_CLI, the binary under test); `scratch` is a directory that receives
// the captured streams.
inline CliRun run_cli(const std::vector<std::string>& args, const std::filesystem::path& scratch) {
  std::string cmd = shell_quote(ISODRV_CLI);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote((scratch / "out").string()) + " 2>" + shell_quote((scratch / "err").string());
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(scratch / "out");
  r.err = slurp(scratch / "err");
  return r;
}

// Runs `isodrv ARGS…` in a child process without a shell: stdout into `out_file` (or /dev/null when
// empty), stderr to /dev/null; with `crash_point`, $ISODRV_TEST_CRASH_POINT is set for the child
// only. Returns the exit code, or minus the signal that ended the process (the kill tests).
inline int exec_cli(std::vector<std::string> args, const std::filesystem::path& out_file = {},
                    const char* crash_point = nullptr) {
  args.insert(args.begin(), ISODRV_CLI);
  const pid_t pid = fork();
  if (pid == 0) {
    if (crash_point) setenv("ISODRV_TEST_CRASH_POINT", crash_point, 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    const int out = out_file.empty() ? devnull : ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(devnull, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(ISODRV_CLI, argv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

// Runs `PREFIX isodrv ARGS STDERR` through the shell from the repository root, so paths in the
// output are relative and stable. ARGS is shell syntax; STDERR is a redirection of the error stream
// ("2>/dev/null" to drop it, "2>&1" to merge it into `out`).
inline CliRun run_in_source_dir(const std::string& args, const std::string& prefix = "",
                                const std::string& stderr_redirect = "2>/dev/null") {
  const std::string cmd = "cd " + shell_quote(ISODRV_SOURCE_DIR) + " && " + prefix + " " + shell_quote(ISODRV_CLI) +
                          " " + args + " " + stderr_redirect;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Compares `actual` with a golden file; ISODRV_UPDATE_GOLDEN=1 rewrites the file instead (after a
// reviewed change).
inline void expect_golden(const std::filesystem::path& golden, const std::string& actual) {
  if (std::getenv("ISODRV_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << golden << " missing; run with ISODRV_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, slurp(golden)) << "output differs from " << golden;
}

}  // namespace isodrv_test
