// Helpers for the CI-facing command-line tests: run the built isodrv (or a link to it under
// another name) from a chosen folder with stdout and stderr captured, and make scratch trees.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_run.h"

namespace ci_test {

namespace fs = std::filesystem;
using isodrv_test::CliRun;
using isodrv_test::shell_quote;
using isodrv_test::slurp;

// A fresh scratch folder per test, removed at the end.
class Scratch {
 public:
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("isodrv-ci-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
                                        std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / ".io");
  }
  ~Scratch() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }
  fs::path operator/(const std::string& rel) const { return dir_ / rel; }

  // Writes a file (creating folders) and returns its path.
  fs::path write(const std::string& rel, const std::string& text) const {
    const fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // Runs `cd CWD && ENV PROGRAM ARGS` (ARGS in shell syntax); PROGRAM is the built isodrv unless given.
  CliRun run(const std::string& args, const fs::path& cwd = {}, const std::string& env = "env -u CI -u ISODRV_ROOT",
             const std::string& program = ISODRV_CLI) const {
    const fs::path where = cwd.empty() ? dir_ : cwd;
    const std::string cmd = "cd " + shell_quote(where.string()) + " && " + env + " " + shell_quote(program) + " " + args +
                            " >" + shell_quote((dir_ / ".io/out").string()) + " 2>" +
                            shell_quote((dir_ / ".io/err").string());
    const int st = std::system(cmd.c_str());
    CliRun r;
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(dir_ / ".io/out");
    r.err = slurp(dir_ / ".io/err");
    return r;
  }

 private:
  fs::path dir_;
};

inline bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// A clean package (no finding in any mode) and one with /w isolation errors, as INF text.
inline std::string clean_inf() { return slurp(fs::path(ISODRV_SOURCE_DIR) / "examples/quokka/quokka.inf"); }
inline std::string unisolated_inf() { return slurp(fs::path(ISODRV_SOURCE_DIR) / "tests/cli/fixtures/nonisolated.inf"); }

}  // namespace ci_test
