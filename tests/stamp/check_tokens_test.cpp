// `check`'s token resolution for .inx input takes a byte-level path for files whose text is their
// bytes; it must give exactly what the line-by-line path (LineMap + EditPlan) gives, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "isodrv/stamp_tokens.h"
#include "stamp/tokens.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;
using namespace isodrv;

namespace {

void expect_same(const std::string& bytes, inf::Arch arch, const std::string& what) {
  const auto values = stamp::detail::check_token_values(arch);
  const auto fast = stamp::detail::resolve_tokens_in_bytes(bytes, values);
  ASSERT_TRUE(fast.has_value()) << what;
  auto slow = stamp::detail::resolve_tokens_by_lines(bytes, values);
  ASSERT_TRUE(slow.ok()) << what;
  EXPECT_EQ(*fast, *slow) << what;
  EXPECT_EQ(stamp::accept_tokens_for_check(bytes, arch), *slow) << what;
}

}  // namespace

TEST(StampCheckTokens, BytePathMatchesLinePathOnShapes) {
  const std::vector<std::string> cases = {
      "",
      "$ARCH$",
      "[Manufacturer]\r\n%M%=Models,NT$ARCH$\r\n",
      "[Models.NT$ARCH$]\nx=y ; $ARCH$ in a comment\n",
      "a=\"$ARCH$;\" ; $KMDFVERSION$\n",
      "a=\"unterminated $ARCH$ ; still quoted $ARCH$\n",
      "  [Sec.$ARCH$] $ARCH$ after the header\n",
      "[Sec.$ARCH$\n",
      "$KMDFVERSION$ARCH$ $UMDFVERSION$$UMDFCOINSTALLERVERSION$ $KMDFCOINSTALLERVERSION$\n",
      "$ARCH$ARCH$ARCH$\r\n$$ARCH$$\r",
      "no break at the end $ARCH$\r",
      "line\r\r\n$ARCH$\r\r\n",
      "caf\xE9=$ARCH$ \x80\x81\xFF\n\xC3\xA9=$ARCH$\n",
      "$ not a token $ARCH $\n;$ARCH$\n$ARCH$;$ARCH$\n",
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    expect_same(cases[i], inf::Arch::amd64, "case " + std::to_string(i));
    expect_same(cases[i], inf::Arch::arm64, "case " + std::to_string(i) + " (arm64)");
  }
}

TEST(StampCheckTokens, BytePathMatchesLinePathOnRandomInput) {
  const std::vector<std::string> pieces = {"$ARCH$", "$KMDFVERSION$", "$KMDFCOINSTALLERVERSION$", "$UMDFVERSION$",
                                           "$UMDFCOINSTALLERVERSION$", "$", "ARCH$", "\"", ";", "[", "]", "=", ",",
                                           " ", "\t", "\n", "\r\n", "\r", "x", "NT", "\xE9", "\x80", "\xC3\xA9"};
  std::mt19937 rng(13);
  for (int n = 0; n < 3000; ++n) {
    std::string s;
    const int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) s += pieces[rng() % pieces.size()];
    expect_same(s, inf::Arch::amd64, "random input " + std::to_string(n));
  }
}

TEST(StampCheckTokens, OtherEncodingsTakeTheLinePath) {
  const auto values = stamp::detail::check_token_values(inf::Arch::amd64);
  for (const std::string s : {std::string("\xFF\xFE$\0A\0", 6), std::string("\xFE\xFF\0$", 4),
                              std::string("\xEF\xBB\xBF$ARCH$\n"), std::string("a\0$ARCH$\n", 9),
                              std::string("$ARCH$\n\x1A$ARCH$\n")}) {
    EXPECT_FALSE(stamp::detail::resolve_tokens_in_bytes(s, values).has_value());
    auto slow = stamp::detail::resolve_tokens_by_lines(s, values);
    ASSERT_TRUE(slow.ok());
    EXPECT_EQ(stamp::accept_tokens_for_check(s, inf::Arch::amd64), *slow);
  }
}

TEST(StampCheckTokens, BytePathMatchesLinePathOnTheCorpus) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  if (!fs::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  const auto values = stamp::detail::check_token_values(inf::Arch::amd64);
  std::size_t fast_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(corpus)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = inf::to_lower_ascii(e.path().extension().string());
    if (ext != ".inx" && ext != ".inf") continue;
    const std::string bytes = isodrv_test::slurp(e.path());
    auto slow = stamp::detail::resolve_tokens_by_lines(bytes, values);
    ASSERT_TRUE(slow.ok()) << e.path();
    if (auto fast = stamp::detail::resolve_tokens_in_bytes(bytes, values)) {
      ++fast_files;
      EXPECT_EQ(*fast, *slow) << e.path();
    }
    EXPECT_EQ(stamp::accept_tokens_for_check(bytes, inf::Arch::amd64), *slow) << e.path();
  }
  EXPECT_GT(fast_files, 300u);
}
