// FolderNames, the per-run cache of folder listings that keeps a flat folder of INFs linear
// (issue 10 item 1), and 1202's "beside this INF" through it and without it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "isodrv/check.h"
#include "isodrv/package.h"

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("isodrv-folder-names-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

const char* kIncluder =
    "[Version]\nSignature=\"$WINDOWS NT$\"\nClass=System\nClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}\n"
    "Provider=Test\nDriverVer=01/01/2024,1.0.0.0\nPnpLockdown=1\nCatalogFile=a.cat\n"
    "[Manufacturer]\nTest=M,NTamd64\n[M.NTamd64]\nDev=I,ROOT\\X\n[I.NT]\nInclude=helper.inf\nNeeds=Helper.NT\n";

// 1202 says why the included INF is not inbox: here, whether it found it beside the INF.
bool beside(const isodrv::diag::FileResult& f) {
  for (const auto& d : f.diagnostics) {
    if (d.code == 1202) return d.message.find("sits beside this INF") != std::string::npos;
  }
  ADD_FAILURE() << "no 1202 for " << f.path;
  return false;
}

}  // namespace

TEST(FolderNames, FindsNamesCaseInsensitivelyAndListsOnce) {
  fs::path d = scratch("names");
  write(d / "Helper.INF", "x");
  isodrv::package::FolderNames names;
  EXPECT_TRUE(names.contains(d.string(), "helper.inf"));
  EXPECT_TRUE(names.contains(d.string(), "HELPER.inf"));
  EXPECT_FALSE(names.contains(d.string(), "other.inf"));
  // The listing is kept: a file added later is not seen by the same object (one run), a new one sees it.
  write(d / "other.inf", "x");
  EXPECT_FALSE(names.contains(d.string(), "other.inf"));
  isodrv::package::FolderNames fresh;
  EXPECT_TRUE(fresh.contains(d.string(), "other.inf"));
  EXPECT_FALSE(fresh.contains((d / "missing").string(), "other.inf"));
  fs::remove_all(d);
}

TEST(FolderNames, IncludeBesideTheInfIsThePackagesOwnWithAndWithoutTheRunCache) {
  fs::path d = scratch("beside");
  write(d / "a.inf", kIncluder);
  fs::path lone = scratch("lone");
  write(lone / "a.inf", kIncluder);
  isodrv::check::Options opts;
  // 1202 (Include of an INF that is not inbox) says "not a known inbox INF" when helper.inf is
  // nowhere, and that it belongs to the package when it sits beside the INF, whether the folder
  // comes from the run's cache (check_files) or is listed for the one file (check_file).
  EXPECT_FALSE(beside(isodrv::check::check_file((lone / "a.inf").string(), opts)));
  write(d / "HELPER.INF", "[Version]\nSignature=\"$WINDOWS NT$\"\n");
  EXPECT_TRUE(beside(isodrv::check::check_file((d / "a.inf").string(), opts)));
  auto report = isodrv::check::check_files({(d / "a.inf").string(), (lone / "a.inf").string()}, opts);
  ASSERT_EQ(report.files.size(), 2u);
  EXPECT_TRUE(beside(report.files[0]));
  EXPECT_FALSE(beside(report.files[1]));
  fs::remove_all(d);
  fs::remove_all(lone);
}

// The listing is a hash table over one buffer of lower-case names: every name is found in any
// ASCII case, nothing else is (a prefix, a longer name, a name differing in a non-ASCII letter,
// which Windows would fold but ASCII folding does not), on a folder whose table grows past its
// first size.
TEST(FolderNames, HashedListingAgreesWithAnAsciiCaseFoldedScan) {
  fs::path d = scratch("hashed");
  std::vector<std::string> written;
  for (int i = 0; i < 700; ++i) {
    std::string n = (i % 3 == 0 ? "Drv" : i % 3 == 1 ? "NET" : "x") + std::to_string(i) + (i % 2 ? ".INF" : ".sys");
    write(d / n, "x");
    written.push_back(n);
  }
  write(d / "\xC3\x89t\xC3\xA9.inf", "x");  // "Été.inf" in UTF-8
  isodrv::package::FolderNames names;
  auto upper = [](std::string s) {
    for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    return s;
  };
  for (const std::string& n : written) {
    EXPECT_TRUE(names.contains(d.string(), n)) << n;
    EXPECT_TRUE(names.contains(d.string(), upper(n))) << n;
    EXPECT_FALSE(names.contains(d.string(), n + "x")) << n;
    EXPECT_FALSE(names.contains(d.string(), n.substr(0, n.size() - 1))) << n;
  }
  EXPECT_TRUE(names.contains(d.string(), "\xC3\x89T\xC3\xA9.INF"));
  EXPECT_FALSE(names.contains(d.string(), "\xC3\xA9t\xC3\xA9.inf")) << "a non-ASCII letter is not folded";
  EXPECT_FALSE(names.contains(d.string(), ""));
  EXPECT_FALSE(names.contains(d.string(), "drv700.sys"));
  fs::remove_all(d);
}
