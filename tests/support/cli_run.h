// Helpers for test programs that run the built isodrv as a process: read a whole file, quote an
// argument for the shell, and run the CLI with its stdout and stderr captured.
#pragma once

#include <sys/wait.h>

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

}  // namespace isodrv_test
