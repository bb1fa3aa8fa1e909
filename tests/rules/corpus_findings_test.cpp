// Findings of the package-kind rules (primitive drivers, service references) on real third-party INFs
// from ../shared/corpus, so each check is held to a case it must catch outside our own fixtures.
// Skips when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "isodrv/check.h"

namespace {

std::set<std::pair<std::uint32_t, int>> findings(const std::string& rel, std::set<int> codes) {
  isodrv::check::Options opts;
  opts.settings.mode = isodrv::diag::Mode::w;
  opts.settings.stampinf = true;
  auto res = isodrv::check::check_file(std::string(ISODRV_CORPUS_DIR) + "/" + rel, opts);
  std::set<std::pair<std::uint32_t, int>> out;
  for (const auto& d : res.diagnostics) {
    if (codes.count(d.code)) out.insert({d.line, d.code});
  }
  return out;
}

bool have_corpus() { return std::filesystem::exists(std::string(ISODRV_CORPUS_DIR) + "/MANIFEST.tsv"); }

TEST(CorpusFindings, UsbPcapDefaultUninstallWithoutLegacyUninstall) {
  if (!have_corpus()) GTEST_SKIP() << "corpus not found at " << ISODRV_CORPUS_DIR;
  std::set<std::pair<std::uint32_t, int>> want = {{23, 1422}, {31, 1422}};
  EXPECT_EQ(findings("desowin+usbpcap/USBPcapDriver/USBPcap.inx", {1421, 1422, 1423}), want);
}

TEST(CorpusFindings, MinifilterSampleWithLegacyUninstallInServicesSubsectionIsAccepted) {
  if (!have_corpus()) GTEST_SKIP() << "corpus not found at " << ISODRV_CORPUS_DIR;
  EXPECT_TRUE(findings("windows-driver-samples/filesys/miniFilter/avscan/avscan.inf", {1420, 1421, 1422, 1423}).empty());
}

TEST(CorpusFindings, UndecoratedDefaultInstallOfAPrimitiveInf) {
  if (!have_corpus()) GTEST_SKIP() << "corpus not found at " << ISODRV_CORPUS_DIR;
  std::set<std::pair<std::uint32_t, int>> want = {{9, 1420}, {19, 1421}, {19, 1423}};
  EXPECT_EQ(findings("dansdrivers+ndas4windows/fremont/3.40-stable/src/drivers/ndasfat/ndasfat.inf", {1420, 1421, 1423}),
            want);
}

TEST(CorpusFindings, AddServiceNamingAMisspelledServiceInstallSection) {
  if (!have_corpus()) GTEST_SKIP() << "corpus not found at " << ISODRV_CORPUS_DIR;
  std::set<std::pair<std::uint32_t, int>> want = {{49, 2006}};
  EXPECT_EQ(findings("dansdrivers+ndas4windows/chagrin/trunk/src/drivers/ndasport/portfx/ndasportfx.inx", {2006}), want);
}

TEST(CorpusFindings, ClassicNdisInfsAreNotJudgedByTheNetDriverRules) {
  if (!have_corpus()) GTEST_SKIP() << "corpus not found at " << ISODRV_CORPUS_DIR;
  // The sample's Ndi\Service (Ndisprot) differs from the service it adds (Ndisprot630); InfVerif passes it.
  EXPECT_TRUE(findings("windows-driver-samples/network/ndis/ndisprot/6x/sys/630/ndisprot630.inf", {2501}).empty());
}

}  // namespace
