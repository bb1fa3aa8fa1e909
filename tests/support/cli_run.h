// Helpers for test programs that run the built isodrv as a process: read a whole file, quote an
// argument for the shell, and run the CLI with its stdout and stderr captured.
#pragma once

#include <sys/wait.h>

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
