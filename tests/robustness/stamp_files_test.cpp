// Issue 18: stamping never destroys what it was pointed at. -o onto a device or FIFO writes into it,
// a symbolic link keeps being a link (its target is stamped), owner and mode survive, and the
// 14-byte input that read freed stack memory stamps cleanly (run under ASan to see the old bug).
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <thread>

#include "isodrv/stamp.h"
#include "robustness/robustness_util.h"

using namespace robustness_test;

namespace {

const char* kInf = "[Version]\r\nSignature=\"$Windows NT$\"\r\nClass=Sample\r\nDriverVer=01/01/2020,1.0.0.0\r\n";

}  // namespace

TEST(StampMemory, BomVersionCtrlZInputOf14Bytes) {
  const std::string bytes("\xEF\xBB\xBF[Version]\x1A\n", 14);
  isodrv::stamp::StampOptions o;
  o.path = "tiny.inf";
  o.date = isodrv::stamp::Date{2024, 5, 6};
  o.version = "1.2.3.4";
  // The decoded text ("[Version]") is short enough to live inside the decoder's string object, which
  // LineMap then moved while keeping a view into it; ASan reported the read. The answer itself is the
  // refusal of a file without a signature.
  auto r = isodrv::stamp::stamp(bytes, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("signature"), std::string::npos) << r.error().to_string();
  o.decode.codepage = 1252;
  const std::string signed_bytes("\xEF\xBB\xBF[Version]\nSignature=$Windows NT$\x1A\n");
  auto s = isodrv::stamp::stamp(signed_bytes, o);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_NE(s->bytes.find("DriverVer"), std::string::npos);
  // The ^Z and what follows are kept after the stamped text.
  EXPECT_EQ(s->bytes.substr(s->bytes.size() - 2), std::string("\x1A\n"));
}

TEST_F(Robustness, StampOntoFifoWritesIntoIt) {
  spit(dir_ / "a.inf", kInf);
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp(fifo); });
  CmdRun r = sh({"stamp", "-f", "a.inf", "-d", "02/03/2024", "-v", "2.0.0.0", "-o", "pipe"});
  reader.join();
  EXPECT_EQ(r.rc, 0) << r.err;
  struct stat st{};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
  EXPECT_NE(got.find("DriverVer=02/03/2024,2.0.0.0"), std::string::npos) << got;
}

TEST_F(Robustness, StampOntoDeviceNodeWritesIntoIt) {
  spit(dir_ / "a.inf", kInf);
  // Our own /dev/null node, so a regression cannot destroy the machine's.
  const fs::path node = dir_ / "null";
  if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) GTEST_SKIP() << "cannot create a device node here (not root?)";
  CmdRun r = sh({"stamp", "-f", "a.inf", "-d", "02/03/2024", "-o", "null"});
  EXPECT_EQ(r.rc, 0) << r.err;
  struct stat st{};
  ASSERT_EQ(::lstat(node.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device node was replaced by a regular file";
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
}

TEST_F(Robustness, StampOntoDevFullFailsWithTheSystemsWords) {
  spit(dir_ / "a.inf", kInf);
  struct stat st{};
  if (::stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode)) GTEST_SKIP() << "no /dev/full";
  const fs::path node = dir_ / "full";
  if (::mknod(node.c_str(), S_IFCHR | 0666, st.st_rdev) != 0) GTEST_SKIP() << "cannot create a device node here";
  CmdRun r = sh({"stamp", "-f", "a.inf", "-d", "02/03/2024", "-o", "full"});
  EXPECT_EQ(r.rc, 3) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  ASSERT_EQ(::lstat(node.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(Robustness, StampInPlaceThroughSymlinkStampsTheTargetAndKeepsTheLink) {
  spit(dir_ / "real" / "a.inf", kInf);
  fs::create_symlink("real/a.inf", dir_ / "link.inf");
  CmdRun r = sh({"stamp", "-f", "link.inf", "-d", "02/03/2024", "-v", "2.0.0.0"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.inf"));
  EXPECT_EQ(fs::read_symlink(dir_ / "link.inf"), fs::path("real/a.inf"));
  EXPECT_NE(slurp(dir_ / "real" / "a.inf").find("DriverVer=02/03/2024,2.0.0.0"), std::string::npos);
}

TEST_F(Robustness, StampOutputOntoSymlinkWritesTheTarget) {
  spit(dir_ / "a.inf", kInf);
  spit(dir_ / "outdir" / "b.inf", "old");
  fs::create_symlink("outdir/b.inf", dir_ / "b-link.inf");
  CmdRun r = sh({"stamp", "-f", "a.inf", "-d", "02/03/2024", "-o", "b-link.inf"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(dir_ / "b-link.inf"));
  EXPECT_NE(slurp(dir_ / "outdir" / "b.inf").find("DriverVer=02/03/2024"), std::string::npos);
  EXPECT_EQ(slurp(dir_ / "a.inf"), kInf) << "-o leaves the input alone";
}

TEST_F(Robustness, StampInPlaceKeepsOwnerAndMode) {
  const fs::path f = dir_ / "a.inf";
  spit(f, kInf);
  ASSERT_EQ(::chmod(f.c_str(), 0640), 0);
  const bool root = ::geteuid() == 0;
  if (root) {
    ASSERT_EQ(::chown(f.c_str(), 65534, 65534), 0);
  }
  CmdRun r = sh({"stamp", "-f", "a.inf", "-d", "02/03/2024"});
  EXPECT_EQ(r.rc, 0) << r.err;
  struct stat st{};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  if (root) {
    EXPECT_EQ(st.st_uid, 65534u) << "the owner was reset";
    EXPECT_EQ(st.st_gid, 65534u);
  }
  EXPECT_NE(slurp(f).find("DriverVer=02/03/2024"), std::string::npos);
}

TEST_F(Robustness, StampOfADirectoryIsUnreadableInput) {
  fs::create_directories(dir_ / "d.inf");
  CmdRun r = sh({"stamp", "-f", "d.inf", "-d", "02/03/2024"});
  EXPECT_EQ(r.rc, 3) << r.err;
  EXPECT_NE(r.err.find("d.inf: is a directory"), std::string::npos) << r.err;
}
