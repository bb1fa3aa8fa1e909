// Patterns real packages use that check used to miss (issue 15 part 4), and rules that must keep
// checking a file after a file-level error (issue 10 part 6), each shown on the corpus file that
// has it. Skips when ../shared/corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "isodrv/check.h"
#include "isodrv/rules.h"

namespace {

using isodrv::diag::FileResult;
using isodrv::diag::Mode;

std::string corpus_file(const std::string& rel) {
  return std::string(ISODRV_CORPUS_DIR) + "/" + rel;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

FileResult check_path(const std::string& path, Mode mode, bool stampinf) {
  isodrv::check::Options opts;
  opts.settings.mode = mode;
  opts.settings.stampinf = stampinf;
  return isodrv::check::check_file(path, opts);
}

// Codes reported on one physical line.
std::set<int> codes_at(const FileResult& r, std::uint32_t line) {
  std::set<int> out;
  for (const auto& d : r.diagnostics) {
    if (d.line == line) out.insert(d.code);
  }
  return out;
}

std::set<int> codes(const FileResult& r) {
  std::set<int> out;
  for (const auto& d : r.diagnostics) out.insert(d.code);
  return out;
}

#define SKIP_WITHOUT(path) \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus file not found: " << (path)

TEST(CorpusMisses, UsbPcapClassFilterByPath) {
  const std::string path = corpus_file("desowin+usbpcap/USBPcapDriver/USBPcap.inx");
  SKIP_WITHOUT(path);
  auto r = check_path(path, Mode::w, true);
  // HKLM,...\Control\Class\{36FC9E60-...},UpperFilters,0x00010008,USBPcap
  const auto at = codes_at(r, 37);
  for (int c : {1321, 1223, 1329, 1305}) EXPECT_TRUE(at.count(c)) << "line 37 lacks " << c;
}

TEST(CorpusMisses, DeviceFilterAppendedInHw) {
  const std::string path = corpus_file("adafruit+Adafruit_Windows_Drivers/Drivers/SiLabs_CP210x/WinVista/slabvcp.inf");
  SKIP_WITHOUT(path);
  auto r = check_path(path, Mode::w, false);
  // HKR,,"UpperFilters",0x00010008,"silabenm" in [silabser.Dev.NT.HW.AddReg]
  const auto at = codes_at(r, 88);
  EXPECT_TRUE(at.count(1329));
  EXPECT_TRUE(at.count(1305));
}

TEST(CorpusMisses, EventMessageFileLeftBehindWhenTheDriverMovesToTheStore) {
  const std::string path = corpus_file("GoogleCloudPlatform+compute-windows-drivers/Balloon/sys/balloon.inx");
  SKIP_WITHOUT(path);
  isodrv::check::Options opts;
  opts.settings.mode = Mode::w;
  // As written the driver goes to DIRID 12 and the value names it there: consistent, no 1326.
  std::string text = read(path);
  auto r = isodrv::check::check_bytes(text, path, opts);
  EXPECT_FALSE(codes(r).count(1326));
  // Moving the copy to the driver store (what isolation asks) leaves EventMessageFile naming
  // %SystemRoot%\System32\drivers\balloon.sys: 1326 on that line.
  const std::string from = "DefaultDestDir = 12";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "DefaultDestDir = 13");
  r = isodrv::check::check_bytes(text, path, opts);
  EXPECT_TRUE(codes_at(r, 74).count(1326));
}

TEST(CorpusMisses, WintunEventLogLinesWithoutAddReg) {
  const std::string path = corpus_file("WireGuard+wintun/driver/wintun.inf");
  SKIP_WITHOUT(path);
  const auto* rule = isodrv::rules::find_rule(1078);
  ASSERT_TRUE(rule && rule->implemented) << "1078 must be checked";
  auto r = check_path(path, Mode::w, false);
  // [Wintun.EventLog] holds registry entries directly instead of naming them with AddReg=: the
  // section is reached (AddService's fourth field) and each skipped line is reported.
  EXPECT_TRUE(codes_at(r, 62).count(1078));
  EXPECT_TRUE(codes_at(r, 63).count(1078));
  EXPECT_FALSE(codes(r).count(2083));
}

// Issue 10 part 6: a file-level error does not stop the other rules.
TEST(KeepsChecking, MissingDriverVerAndUnstampedArch) {
  const std::string path = corpus_file("OpenVPN+ovpn-dco-win/ovpn-dco.inf");
  SKIP_WITHOUT(path);
  auto r = check_path(path, Mode::w, false);
  const auto c = codes(r);
  EXPECT_TRUE(c.count(1233)) << "no DriverVer";
  EXPECT_TRUE(c.count(1274)) << "unstamped $ARCH$";
  EXPECT_TRUE(codes_at(r, 49).count(1322)) << "ovpn-dco.sys copied to DIRID 12 must still be found";
}

TEST(KeepsChecking, MissingInstallSection) {
  const std::string path = corpus_file("particle-iot+windows-device-drivers/drivers/control/win7/particle_control.inf");
  SKIP_WITHOUT(path);
  auto r = check_path(path, Mode::w, false);
  EXPECT_TRUE(codes_at(r, 85).count(1261)) << "Models entry names [DriverInstall], which does not exist";
  EXPECT_TRUE(codes_at(r, 135).count(1322)) << "the other DDInstalls are still checked";
}

TEST(KeepsChecking, ServiceBinaryOutsideTheStoreNotCopied) {
  const std::string path = corpus_file("GoogleCloudPlatform+compute-windows-drivers/pciserial/rhel/qemupciserial.inf");
  SKIP_WITHOUT(path);
  auto r = check_path(path, Mode::w, false);
  EXPECT_TRUE(codes(r).count(1001)) << "$CHICAGO$ signature";
  EXPECT_TRUE(codes_at(r, 78).count(2084)) << "%12%\\serial.sys is not copied by the package";
  EXPECT_TRUE(codes_at(r, 87).count(2084)) << "%12%\\serenum.sys is not copied by the package";
}

}  // namespace
