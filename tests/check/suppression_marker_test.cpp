// Inline suppressions are found by the ':' of `isodrv: ignore[` (memchr for the colon, then a
// compare around it): the marker is seen wherever it stands, however many other colons the text
// holds, and nothing else is taken for it. An unused suppression is reported as 9001, which makes
// the finding visible here.
#include <gtest/gtest.h>

#include <string>

#include "isodrv/check.h"

namespace {

int count_9001(const std::string& text) {
  isodrv::check::Options opts;
  const auto r = isodrv::check::check_bytes(text, "fixture.inf", opts);
  int n = 0;
  for (const auto& d : r.diagnostics) n += d.code == 9001;
  return n;
}

const std::string kHead = "[Version]\nSignature=\"$WINDOWS NT$\"\n";

}  // namespace

TEST(SuppressionMarker, FoundWhereverItStands) {
  EXPECT_EQ(count_9001(kHead + "; isodrv: ignore[1234] reason\n"), 1);
  EXPECT_EQ(count_9001(kHead + "; isodrv: ignore[1234]"), 1) << "at the very end, no line break";
  EXPECT_EQ(count_9001(kHead + "a=C:\\x:y ; see: isodrv: ignore[1234] after other colons\n"), 1);
  EXPECT_EQ(count_9001(kHead + ";isodrv: ignore[1234,1235]\n"), 2) << "right after the ';'";
  EXPECT_EQ(count_9001(kHead + "; xisodrv: ignore[1234]\n"), 1) << "a longer word before it, as before";
  std::string colons = kHead;
  for (int i = 0; i < 500; ++i) colons += "; time 12:34:56 :: :\n";
  EXPECT_EQ(count_9001(colons + "; isodrv: ignore[1234]\n" + colons), 1);
}

TEST(SuppressionMarker, NothingElseIsTakenForIt) {
  EXPECT_EQ(count_9001(kHead + "; isodrv:ignore[1234]\n"), 0);
  EXPECT_EQ(count_9001(kHead + "; isodrv: ignore 1234\n"), 0);
  EXPECT_EQ(count_9001(kHead + "; isodrv: ignor[1234]\n"), 0);
  EXPECT_EQ(count_9001(kHead + "; sodrv: ignore[1234]\n"), 0);
  EXPECT_EQ(count_9001(kHead + "; isodrv: ignore["), 0) << "cut short: no ']'";
  EXPECT_EQ(count_9001(":"), 0);
  EXPECT_EQ(count_9001(""), 0);
}
