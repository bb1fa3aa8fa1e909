// Unit tests for /product: the platform definition file and folder formats, and that 1317 and
// 1318 are reported only against a platform.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "isodrv/check.h"

namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("isodrv-product-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

const fs::path kRules = fs::path(ISODRV_TEST_DATA) / "rules";

std::size_t count(const isodrv::diag::FileResult& r, int code) {
  std::size_t n = 0;
  for (const auto& d : r.diagnostics) n += d.code == code;
  return n;
}

TEST(Product, ListFileGivesInfsAndTheirSections) {
  auto dir = temp_dir("list");
  write(dir / "p.txt", "\xEF\xBB\xBF# comment\nKS.inf KS.Registration, ks.registration.nt\r\nks.inf\tKSCAPTUR.Registration ; c\nwudfrd.inf\n\n");
  auto p = isodrv::check::load_product((dir / "p.txt").string());
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  ASSERT_EQ(p->infs.size(), 2u);
  const auto* ks = p->find("ks.INF");
  ASSERT_NE(ks, nullptr);
  EXPECT_EQ(ks->sections, (std::vector<std::string>{"ks.registration", "ks.registration.nt", "kscaptur.registration"}));
  ASSERT_NE(p->find("WUDFRD.inf"), nullptr);
  EXPECT_TRUE(p->find("wudfrd.inf")->sections.empty());
  EXPECT_EQ(p->find("usb.inf"), nullptr);
  fs::remove_all(dir);
}

TEST(Product, BadLinesAndMissingFilesAreErrorsWithTheirLine) {
  auto dir = temp_dir("bad");
  write(dir / "p.txt", "ks.inf\nC:\\Windows\\INF\\usb.inf\n");
  auto p = isodrv::check::load_product((dir / "p.txt").string());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().line, 2u);
  EXPECT_FALSE(isodrv::check::load_product((dir / "absent.txt").string()).ok());
  fs::remove_all(dir);
}

TEST(Product, FolderOfInfsGivesTheirSectionHeaders) {
  auto dir = temp_dir("folder");
  write(dir / "KS.inf", "[Version]\nSignature=\"$Windows NT$\"\n[KS.Registration]\nAddReg=x\n[x]\n");
  write(dir / "notes.txt", "not an INF\n");
  auto p = isodrv::check::load_product(dir.string());
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  ASSERT_EQ(p->infs.size(), 1u);
  EXPECT_EQ(p->find("ks.inf")->sections, (std::vector<std::string>{"ks.registration", "version", "x"}));
  fs::remove_all(dir);
}

TEST(Product, WithoutProductNeither1317Nor1318IsReported) {
  isodrv::check::Options opts;
  for (const char* code : {"1317", "1318"}) {
    auto res = isodrv::check::check_file((kRules / code / "bad.inf").string(), opts);
    EXPECT_EQ(count(res, 1317), 0u) << code;
    EXPECT_EQ(count(res, 1318), 0u) << code;
  }
}

TEST(Product, APlatformInfCountsAsInboxFor1202) {
  // numbat_hw.inf is not in isodrv's built-in inbox list, so without a platform it is 1202.
  isodrv::check::Options opts;
  const auto good = (kRules / "1318" / "good.inf").string();
  EXPECT_EQ(count(isodrv::check::check_file(good, opts), 1202), 1u);
  auto p = isodrv::check::load_product((kRules / "1318" / "product.txt").string());
  ASSERT_TRUE(p.ok());
  opts.settings.product = std::make_shared<isodrv::rules::Product>(std::move(p.value()));
  auto res = isodrv::check::check_file(good, opts);
  EXPECT_EQ(count(res, 1202), 0u);
  EXPECT_EQ(count(res, 1318), 0u);
}

}  // namespace
