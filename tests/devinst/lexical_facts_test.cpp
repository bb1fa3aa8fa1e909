// Issue 16's two "check and install disagree" defects, end to end through the CLI: a REG_DWORD of
// -1 and a DriverVer date with one-digit month and day pass check and install as Windows does.
#include <regex>

#include "devinst_test_util.h"

using namespace devinst_test;

namespace {

const std::string kSw = kCcs + "\\Control\\Class\\{4d36e97d-e325-11ce-bfc1-08002be10318}\\0000";

// The quokka fixture with DriverVer 6/1/2024 and a REG_DWORD of -1 in the software key.
std::string quokka_with_lexical_edge_cases() {
  std::string text = slurp(fixture("quokka/quokka.inf"));
  text = std::regex_replace(text, std::regex("DriverVer   = 05/01/2024,1.0.0.0"), "DriverVer   = 6/1/2024,1.0.0.0");
  return std::regex_replace(text, std::regex("HKR,,SoftwareSetting,0x00010001,7"),
                            "HKR,,SoftwareSetting,0x00010001,7\nHKR,,Mode,0x00010001,-1\nHKR,,Wide,0x000B0001,-2");
}

}  // namespace

class LexicalFacts : public DevinstTest {};

TEST_F(LexicalFacts, NegativeDwordAndOneDigitDatePassCheckAndInstall) {
  const fs::path inf = package_dir("quokka", quokka_with_lexical_edge_cases(), "quokka.inf");
  std::string out;
  cli({"check", inf.string()}, &out);
  EXPECT_EQ(out.find("[1268]"), std::string::npos) << out;
  EXPECT_EQ(out.find("[1218]"), std::string::npos) << out;

  ASSERT_EQ(cli({"device", "add", "ROOT\\QUOKKA\\0000", "--hwid", "ROOT\\QUOKKA"}), 0);
  ASSERT_EQ(cli({"driver", "add", inf.string(), "--install"}, &out), 0) << out;
  EXPECT_NE(out.find("Installed on device:    ROOT\\QUOKKA\\0000"), std::string::npos) << out;

  // -1 wraps to the type's width, as SetupAPI's integer reading does.
  EXPECT_EQ(dword(kSw, "Mode"), 0xFFFFFFFFu);
  auto wide = key(kSw).query_value("Wide");
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide->data, isodrv::registry::encode_qword(0xFFFFFFFFFFFFFFFEull));
  // The date is read, written as Windows writes DriverDate, and ranks as dated.
  EXPECT_EQ(sz(kSw, "DriverDate"), "6-1-2024");
  EXPECT_EQ(key(kSw).query_value("DriverDateData").value().data, isodrv::registry::encode_qword(0x01DAB3B6A553C000ull))
      << "FILETIME of 2024-06-01";
  ASSERT_EQ(cli({"store", "verify"}), 0);
}

TEST_F(LexicalFacts, CheckAndInstallRefuseTheSameBadNumber) {
  std::string text = std::regex_replace(slurp(fixture("quokka/quokka.inf")), std::regex("HKR,,SoftwareSetting,0x00010001,7"),
                                        "HKR,,SoftwareSetting,0x00010001,-2147483649");
  const fs::path inf = package_dir("quokka", text, "quokka.inf");
  std::string out;
  cli({"check", inf.string()}, &out);
  EXPECT_NE(out.find("[1268]"), std::string::npos) << "below the signed 32-bit minimum: " << out;
  ASSERT_EQ(cli({"device", "add", "ROOT\\QUOKKA\\0000", "--hwid", "ROOT\\QUOKKA"}), 0);
  EXPECT_NE(cli({"driver", "add", inf.string(), "--install", "--allow-unisolated"}, &out), 0) << out;
}
