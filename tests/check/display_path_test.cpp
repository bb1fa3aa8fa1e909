// display_path: where a result's path is shown from. It has a fast path for plain paths (no ".",
// "..", empty parts or trailing '/') that does not go through std::filesystem; whatever the path,
// the result must be what lexically_relative decides.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "isodrv/check.h"

namespace fs = std::filesystem;
using isodrv::check::display_path;

namespace {

// The general rule, spelled with std::filesystem.
std::string reference(const std::string& path, const std::string& root) {
  if (root.empty() || path.empty() || path == "-") return path;
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec).lexically_normal();
  if (ec) return path;
  const fs::path rel = abs.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return abs.string();
  return rel.string();
}

std::string cwd() {
  std::error_code ec;
  return fs::current_path(ec).lexically_normal().string();
}

}  // namespace

TEST(CheckDisplayPath, BelowTheRootIsRelative) {
  EXPECT_EQ(display_path("/work/repo/drivers/a.inf", "/work/repo"), "drivers/a.inf");
  EXPECT_EQ(display_path("/work/repo/a.inf", "/work/repo"), "a.inf");
}

TEST(CheckDisplayPath, OutsideTheRootIsAbsolute) {
  EXPECT_EQ(display_path("/work/repository/a.inf", "/work/repo"), "/work/repository/a.inf");
  EXPECT_EQ(display_path("/tmp/x/a.inf", "/work/repo"), "/tmp/x/a.inf");
  EXPECT_EQ(display_path("/work/a.inf", "/work/repo"), "/work/a.inf");
}

TEST(CheckDisplayPath, NoRootOrStdinAsGiven) {
  EXPECT_EQ(display_path("../x/a.inf", ""), "../x/a.inf");
  EXPECT_EQ(display_path("-", "/work"), "-");
}

TEST(CheckDisplayPath, AgreesWithLexicallyRelative) {
  const std::string here = cwd();
  const std::string parent = fs::path(here).parent_path().string();
  const std::vector<std::string> roots = {here, parent, "/", "/work", "/work/repo", "/work/repo/", "/work//repo",
                                          here + "/sub", here + "/./x", "/nonexistent/deep/root"};
  const std::vector<std::string> paths = {
      "a.inf",          "sub/a.inf",       "sub/deeper/b.INF", "./a.inf",           "sub/../a.inf",
      "../a.inf",       "sub//a.inf",      "sub/./a.inf",      "/work/repo/a.inf",  "/work/repo/sub/a.inf",
      "/work/repo",     "/work/repox/a",   "/work",            "/",                 "/work/repo/../a.inf",
      "/work//repo/a",  "/a.inf",          here + "/a.inf",    here + "/sub/a.inf", parent + "/other/a.inf",
      here,             "sub/",            "x y/a b.inf",      "..",                ".",
      // dots that are and are not whole components (plain_path looks only at a component's start)
      ".hidden/a.inf",  "sub/.x/a.inf",    "sub/..x/a.inf",    "sub/.../a.inf",     "a..inf",
      "sub/..",         "sub/.",           "/work/repo/.",     "/work/repo/..",     "/work/repo/.git/a",
      "/work/repo/..a", "/.",              "/..",              "//work/repo/a",     "./",
  };
  for (const auto& root : roots) {
    for (const auto& path : paths) {
      EXPECT_EQ(display_path(path, root), reference(path, root)) << "path " << path << ", root " << root;
    }
  }
}

namespace {

// scan_components against a split on '/': the leading '/' and a trailing '/' make no empty
// component; "." and ".." are dots, "...", ".a" and "a." are names.
isodrv::check::PathComponents split_reference(const std::string& p) {
  isodrv::check::PathComponents r;
  std::size_t b = !p.empty() && p[0] == '/' ? 1 : 0;
  while (b < p.size()) {
    std::size_t e = p.find('/', b);
    if (e == std::string::npos) e = p.size();
    const std::string part = p.substr(b, e - b);
    if (part.empty()) r.empty = true;
    if (part == "." || part == "..") r.dot = true;
    b = e + 1;
  }
  return r;
}

TEST(PathComponents, AgreesWithASplitOnEveryShortPath) {
  // Every path of up to 6 characters over '/', '.' and 'a'.
  const std::string alphabet = "/.a";
  std::vector<std::string> paths = {""};
  for (std::size_t len = 1, begin = 0; len <= 6; ++len) {
    const std::size_t end = paths.size();
    for (std::size_t i = begin; i < end; ++i) {
      for (char c : alphabet) paths.push_back(paths[i] + c);
    }
    begin = end;
  }
  for (const std::string& p : paths) {
    const auto got = isodrv::check::scan_components(p);
    const auto want = split_reference(p);
    EXPECT_EQ(got.dot, want.dot) << "'" << p << "'";
    EXPECT_EQ(got.empty, want.empty) << "'" << p << "'";
  }
  EXPECT_TRUE(isodrv::check::scan_components("/a/../b").dot);
  EXPECT_FALSE(isodrv::check::scan_components("/a/.../b/").dot);
  EXPECT_TRUE(isodrv::check::scan_components("//a").empty);
  EXPECT_FALSE(isodrv::check::scan_components("/a/b/").empty);
}

}  // namespace
