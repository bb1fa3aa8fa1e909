// isodrv fix: golden results and diffs on our fixtures (ASCII CRLF, UTF-16LE with BOM and CRLF, LF),
// faithful editing (untouched lines byte-identical, encoding kept, nothing-to-fix files identical),
// idempotence, exit codes, check --fix, explain, and the migration report.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "isodrv/fix.h"
#include "isodrv/rules.h"
#include "support/cli_run.h"
#include "support/scratch.h"

namespace fs = std::filesystem;
using isodrv_test::CliRun;
using isodrv_test::slurp;

namespace {

fs::path data(const std::string& rel) { return fs::path(ISODRV_TEST_DATA) / "fix" / rel; }

class Fix : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = isodrv_test::scratch_path("isodrv-fix");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  // A copy of a fixture in the scratch folder.
  fs::path copy(const std::string& name) {
    fs::copy_file(data("fixtures/" + name), dir_ / name, fs::copy_options::overwrite_existing);
    return dir_ / name;
  }
  CliRun run(const std::vector<std::string>& args, const fs::path& cwd = {}) {
    if (cwd.empty()) return isodrv_test::run_cli(args, dir_);
    const fs::path old = fs::current_path();
    fs::current_path(cwd);
    CliRun r = isodrv_test::run_cli(args, dir_);
    fs::current_path(old);
    return r;
  }
  static isodrv::fix::Options unsafe() {
    isodrv::fix::Options o;
    o.unsafe = true;
    return o;
  }
  fs::path dir_;
};

// The physical lines of a file as byte strings, each with its line break.
std::vector<std::string> byte_lines(const std::string& bytes, bool utf16) {
  std::vector<std::string> out;
  const std::string lf = utf16 ? std::string("\n\0", 2) : "\n";
  std::size_t at = utf16 ? 2 : 0;  // after the BOM
  while (at < bytes.size()) {
    std::size_t nl = bytes.find(lf, at);
    while (utf16 && nl != std::string::npos && (nl - at) % 2) nl = bytes.find(lf, nl + 1);
    const std::size_t end = nl == std::string::npos ? bytes.size() : nl + lf.size();
    out.push_back(bytes.substr(at, end - at));
    at = end;
  }
  return out;
}

}  // namespace

TEST_F(Fix, EachFixtureFixesToItsGoldenBytes) {
  for (const std::string n : {"wombat", "wombat_utf16", "quokka", "bilby", "bilby_utf16"}) {
    const std::string before = slurp(data("fixtures/" + n + ".inf"));
    auto r = isodrv::fix::fix_bytes(before, n + ".inf", unsafe());
    EXPECT_EQ(r.fixed, slurp(data("golden/" + n + ".fixed.inf"))) << n;
    EXPECT_FALSE(r.applied.empty()) << n;
  }
}

TEST_F(Fix, SecondRunChangesNothing) {
  for (const std::string n : {"wombat", "wombat_utf16", "quokka", "bilby", "bilby_utf16"}) {
    const std::string once = slurp(data("golden/" + n + ".fixed.inf"));
    auto r = isodrv::fix::fix_bytes(once, n + ".inf", unsafe());
    EXPECT_EQ(r.fixed, once) << n;
    EXPECT_TRUE(r.applied.empty()) << n;
  }
}

TEST_F(Fix, NothingToFixIsByteIdentical) {
  const std::string before = slurp(data("fixtures/numbat.inf"));
  auto r = isodrv::fix::fix_bytes(before, "numbat.inf", unsafe());
  EXPECT_EQ(r.fixed, before);
  EXPECT_TRUE(r.applied.empty());
  const fs::path p = copy("numbat.inf");
  CliRun w = run({"fix", "--write", "--unsafe-fixes", p.string()});
  EXPECT_EQ(w.rc, 0) << w.err;
  EXPECT_EQ(slurp(p), before);
}

TEST_F(Fix, Utf16FileStaysUtf16WithCrlfAndUntouchedLinesKeepTheirBytes) {
  const std::string before = slurp(data("fixtures/wombat_utf16.inf"));
  auto r = isodrv::fix::fix_bytes(before, "wombat_utf16.inf", unsafe());
  ASSERT_GE(r.fixed.size(), 2u);
  EXPECT_EQ(r.fixed.substr(0, 2), std::string("\xFF\xFE"));
  const auto old_lines = byte_lines(before, true), new_lines = byte_lines(r.fixed, true);
  // Every line break of the result is CRLF in UTF-16LE.
  for (const auto& l : new_lines) {
    if (l.size() >= 2 && l.substr(l.size() - 2) == std::string("\n\0", 2)) {
      EXPECT_EQ(l.substr(l.size() - 4), std::string("\r\0\n\0", 4));
    }
  }
  // The lines no fix touches appear in the result unchanged and in order.
  const std::set<std::size_t> touched = {10, 32, 33, 44, 48, 49, 50};  // 0-based: DestinationDirs … Cache
  std::size_t at = 0, kept = 0;
  for (std::size_t i = 0; i < old_lines.size(); ++i) {
    if (touched.count(i)) continue;
    auto it = std::find(new_lines.begin() + static_cast<long>(at), new_lines.end(), old_lines[i]);
    ASSERT_NE(it, new_lines.end()) << "line " << i + 1 << " changed";
    at = static_cast<std::size_t>(it - new_lines.begin()) + 1;
    ++kept;
  }
  EXPECT_GT(kept, 40u);
}

// bilby: the co-installer's sections go, HKLM writes to the device's Device Parameters key move to
// HKR in [DDInstall.HW] (one of them a continued line), the hand-written ETW registration becomes
// [DDInstall.Events] AddEventProvider. The result checks clean; every other line keeps its bytes.
TEST_F(Fix, DeviceKeysEtwAndCoInstallerSectionsAreRewrittenAndTheRestKeepsItsBytes) {
  const std::string before = slurp(data("fixtures/bilby_utf16.inf"));
  auto r = isodrv::fix::fix_bytes(before, "bilby_utf16.inf", unsafe());
  ASSERT_EQ(r.fixed.substr(0, 2), std::string("\xFF\xFE"));
  EXPECT_TRUE(r.after.diagnostics.empty()) << r.after.diagnostics.size() << " findings left, first " << r.after.diagnostics[0].code;
  const auto old_lines = byte_lines(before, true), new_lines = byte_lines(r.fixed, true);
  std::set<std::size_t> touched = {13, 37, 38, 39};  // 0-based: the co-installer's DestinationDirs entry, device keys
  for (std::size_t i = 53; i < 70; ++i) touched.insert(i);  // the ETW entries and the co-installer sections
  std::size_t at = 0;
  for (std::size_t i = 0; i < old_lines.size(); ++i) {
    if (touched.count(i)) continue;
    auto it = std::find(new_lines.begin() + static_cast<long>(at), new_lines.end(), old_lines[i]);
    ASSERT_NE(it, new_lines.end()) << "line " << i + 1 << " changed";
    at = static_cast<std::size_t>(it - new_lines.begin()) + 1;
  }
  std::map<std::string, std::string> apis;  // migration kind -> API
  for (const auto& d : r.applied) {
    for (const auto& m : d.fix->migrations) apis[m.kind] = m.api;
  }
  EXPECT_NE(apis["device-parameters"].find("IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DEVICE)"), std::string::npos);
  EXPECT_NE(apis["event-provider"].find("EtwRegister"), std::string::npos);
  EXPECT_NE(apis["removed"].find("without a co-installer"), std::string::npos);
  CliRun md = run({"fix", "--report", "--format", "md", "bilby.inf"}, data("fixtures"));
  EXPECT_EQ(md.out, slurp(data("golden/bilby.report.md")));
}

TEST_F(Fix, DiffIsTheDefaultAndChangesNothing) {
  const fs::path p = copy("wombat.inf");
  const std::string before = slurp(p);
  CliRun r = run({"fix", "wombat.inf"}, dir_);
  EXPECT_EQ(r.rc, 1) << "a pending fix exits 1";
  EXPECT_EQ(r.out, slurp(data("golden/wombat.diff")));
  EXPECT_EQ(slurp(p), before);
  CliRun u = run({"fix", "--unsafe-fixes", "wombat_utf16.inf"}, data("fixtures"));
  EXPECT_EQ(u.out, slurp(data("golden/wombat_utf16.unsafe.diff")));
}

TEST_F(Fix, ExitCodes) {
  const fs::path w = copy("wombat.inf");
  CliRun safe_only = run({"fix", "--write", w.string()});
  EXPECT_EQ(safe_only.rc, 1) << "unsafe fixes left unapplied";
  EXPECT_NE(slurp(w).find("PnpLockdown = 1"), std::string::npos);
  EXPECT_NE(slurp(w).find("DefaultDestDir = 12"), std::string::npos) << "unsafe fix applied without --unsafe-fixes";
  CliRun all = run({"fix", "--write", "--unsafe-fixes", w.string()});
  EXPECT_EQ(all.rc, 0) << "every finding that has a fix was fixed (1321 MediaCategories has none)" << all.out;
  EXPECT_NE(all.out.find("no automatic fix"), std::string::npos);
  CliRun missing = run({"fix", (dir_ / "missing.inf").string()});
  EXPECT_EQ(missing.rc, 3);
  // Said once, naming the file.
  const std::string name = (dir_ / "missing.inf").string();
  const auto first = missing.err.find(name);
  ASSERT_NE(first, std::string::npos) << missing.err;
  EXPECT_EQ(missing.err.find(name, first + 1), std::string::npos) << missing.err;
  EXPECT_EQ(run({"fix", "--mode", "x", w.string()}).rc, 2);
  EXPECT_EQ(run({"fix", "--format", "sarif", w.string()}).rc, 2);
}

TEST_F(Fix, WriteKeepsThePermissionBits) {
  const fs::path w = copy("wombat.inf");
  fs::permissions(w, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  ASSERT_EQ(run({"fix", "--write", "--unsafe-fixes", w.string()}).rc, 0);
  struct stat st{};
  ASSERT_EQ(::stat(w.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().filename().string().find(".isodrv-"), std::string::npos);
}

TEST_F(Fix, SelectLimitsWhatIsFixed) {
  const fs::path w = copy("wombat.inf");
  run({"fix", "--write", "--unsafe-fixes", "--select", "1324", w.string()});
  const std::string after = slurp(w);
  EXPECT_NE(after.find("PnpLockdown = 1"), std::string::npos);
  EXPECT_NE(after.find("DefaultDestDir = 12"), std::string::npos);
}

TEST_F(Fix, CheckFixAppliesOnlySafeFixesThenChecks) {
  const fs::path q = copy("quokka.inf");
  CliRun r = run({"check", "--fix", q.string()});
  const std::string after = slurp(q);
  EXPECT_NE(after.find("PnpLockdown = 1"), std::string::npos);
  EXPECT_NE(after.find("[DefaultInstall.NTamd64.Services]"), std::string::npos);
  EXPECT_NE(after.find("RegisterDlls"), std::string::npos) << "the unsafe removal needs fix --unsafe-fixes";
  EXPECT_EQ(r.rc, 1) << "1301 is still reported";
  EXPECT_NE(r.out.find("[1301]"), std::string::npos);
  EXPECT_EQ(r.out.find("[1324]"), std::string::npos);
}

TEST_F(Fix, ExplainShowsTheFixAndItsSafety) {
  CliRun u = run({"explain", "1322"});
  EXPECT_NE(u.out.find("Fix: unsafe"), std::string::npos) << u.out;
  CliRun s = run({"explain", "1324"});
  EXPECT_NE(s.out.find("Fix: safe"), std::string::npos) << s.out;
  CliRun none = run({"explain", "1203"});
  EXPECT_EQ(none.out.find("Fix:"), std::string::npos);
  // Every code the table gives a fix to is a real rule.
  for (const auto& r : isodrv::rules::all_rules()) {
    if (r.has_fix) {
      EXPECT_TRUE(r.implemented) << r.code;
    }
  }
}

TEST_F(Fix, MigrationReportNamesTheApiBeforeAfterAndLine) {
  CliRun md = run({"fix", "--report", "--format", "md", "wombat.inf"}, data("fixtures"));
  EXPECT_EQ(md.rc, 0);
  EXPECT_EQ(md.out, slurp(data("golden/wombat.report.md")));
  CliRun js = run({"fix", "--report", "--format", "json", "wombat.inf"}, data("fixtures"));
  EXPECT_EQ(js.out, slurp(data("golden/wombat.report.json")));
  EXPECT_NE(js.out.find("IoOpenDriverRegistryKey(DriverRegKeyParameters)"), std::string::npos);
  EXPECT_NE(js.out.find("IoQueryFullDriverPath"), std::string::npos);
  EXPECT_NE(js.out.find("DriverRegKeyPersistentState"), std::string::npos);
  CliRun q = run({"fix", "--report", "quokka.inf"}, data("fixtures"));
  EXPECT_NE(q.out.find("quokka.inf:12: 1301 removed"), std::string::npos) << q.out;
}

TEST_F(Fix, JsonOutputListsAppliedAndRemaining) {
  CliRun r = run({"fix", "--format", "json", "--unsafe-fixes", "wombat.inf"}, data("fixtures"));
  EXPECT_EQ(r.rc, 1);
  for (const char* key : {"\"applied\"", "\"remaining\"", "\"diff\"", "\"safety\": \"unsafe\"", "\"no_automatic_fix\": 1"}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key;
  }
}

TEST(FixEdits, InsertionsAtOneOffsetKeepTheirOrderAndLinesEndLikeTheFile) {
  const std::string lf = "[Version]\nSignature=\"$Windows NT$\"\nClass=System\n";
  auto r = isodrv::fix::fix_bytes(lf, "x.inf", {});
  EXPECT_NE(r.fixed.find("Class=System\nPnpLockdown=1\n"), std::string::npos) << r.fixed;
  const std::string no_break = "[Version]\r\nSignature = \"$Windows NT$\"\r\nClass = System";
  auto n = isodrv::fix::fix_bytes(no_break, "y.inf", {});
  EXPECT_EQ(n.fixed, no_break + "\r\nPnpLockdown = 1");
}

TEST_F(Fix, AFileThatIsNotAnInfExitsOneAndIsLeftAlone) {
  const fs::path p = dir_ / "empty.inf";
  { std::ofstream(p) << "just text\n"; }
  CliRun r = run({"fix", "--write", "--unsafe-fixes", p.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("not a valid INF"), std::string::npos) << r.out;
  EXPECT_EQ(slurp(p), "just text\n");
}

TEST(FixEdits, PackageFolderWithBlanksStaysQuotedAndCommentsStay) {
  const std::string inf =
      "[Version]\r\nSignature=\"$Windows NT$\"\r\nPnpLockdown=1\r\n[DefaultInstall.NTamd64]\r\nCopyFiles=a\r\n"
      "[DestinationDirs]\r\na=12,\"old dir\" ; keep me\r\n[a]\r\nx.sys\r\n[SourceDisksFiles]\r\nx.sys=1,\"sub dir\"\r\n"
      "[SourceDisksNames]\r\n1=d\r\n";
  isodrv::fix::Options o;
  o.unsafe = true;
  auto r = isodrv::fix::fix_bytes(inf, "q.inf", o);
  EXPECT_NE(r.fixed.find("a=13,\"sub dir\" ; keep me\r\n"), std::string::npos) << r.fixed;
  ASSERT_EQ(r.applied.size(), 1u);
  EXPECT_EQ(r.applied[0].code, 1322);
  EXPECT_EQ(r.applied[0].line, 9u) << "the finding's line in the original file";
}

// A logical line that continues (`\`) is rewritten across its physical lines: only the physical
// line holding the change is edited, its backslash and comment kept, every other byte identical.
TEST(FixEdits, ContinuedLinesAreRewrittenWhereTheChangeIs) {
  const std::string inf =
      "[Version]\r\nSignature=\"$Windows NT$\"\r\nPnpLockdown=1\r\n[Manufacturer]\r\n%M%=M,NTamd64\r\n[M.NTamd64]\r\n"
      "%D%=Inst,Root\\Cont\r\n[Inst.NTamd64]\r\nCopyFiles=a\r\nLogConfig = Cfg,\\\r\n   Cfg2\r\n[Inst.NTamd64.Services]\r\n"
      "AddService=cont,2,Svc\r\n[Svc]\r\nServiceType=1\r\nStartType=3\r\nErrorControl=1\r\n"
      "ServiceBinary=%13%\\cont.sys\r\nAddReg=SvcReg\r\n[SvcReg]\r\nHKR,\\   ; the subkey is next\r\n"
      "   \"Settings\",\"Level\",0x00010001,2\r\n[DestinationDirs]\r\na=\\ ; the old place\r\n12\r\n[a]\r\ncont.sys\r\n"
      "[SourceDisksFiles]\r\ncont.sys=1\r\n[SourceDisksNames]\r\n1=d\r\n[Strings]\r\nM=m\r\nD=d\r\n";
  const std::string want =
      "[Version]\r\nSignature=\"$Windows NT$\"\r\nPnpLockdown=1\r\n[Manufacturer]\r\n%M%=M,NTamd64\r\n[M.NTamd64]\r\n"
      "%D%=Inst,Root\\Cont\r\n[Inst.NTamd64]\r\nCopyFiles=a\r\n[Inst.NTamd64.Services]\r\n"
      "AddService=cont,2,Svc\r\n[Svc]\r\nServiceType=1\r\nStartType=3\r\nErrorControl=1\r\n"
      "ServiceBinary=%13%\\cont.sys\r\nAddReg=SvcReg\r\n[SvcReg]\r\nHKR,\\   ; the subkey is next\r\n"
      "   \"Parameters\\Settings\",\"Level\",0x00010001,2\r\n[DestinationDirs]\r\na=\\ ; the old place\r\n13\r\n[a]\r\n"
      "cont.sys\r\n[SourceDisksFiles]\r\ncont.sys=1\r\n[SourceDisksNames]\r\n1=d\r\n[Strings]\r\nM=m\r\nD=d\r\n";
  isodrv::fix::Options o;
  o.unsafe = true;
  auto r = isodrv::fix::fix_bytes(inf, "cont.inf", o);
  EXPECT_EQ(r.fixed, want);
  std::set<int> codes;
  for (const auto& d : r.applied) codes.insert(d.code);
  EXPECT_EQ(codes, (std::set<int>{1301, 1322, 1323}));
  for (const auto& d : r.after.diagnostics) {
    EXPECT_FALSE(d.fix && !d.fix->reason.empty()) << d.code << ": " << d.fix->reason;
  }
  EXPECT_EQ(isodrv::fix::fix_bytes(r.fixed, "cont.inf", o).fixed, r.fixed) << "a second fix changes nothing";
}

// A change inside one physical line of a continued value edits only that line; a change that
// spans the break puts the new text where the old started and takes the rest off the next line,
// whose comment stays.
TEST(FixEdits, AFieldSplitAcrossLinesIsRewrittenWhereItChanges) {
  const std::string head =
      "[Version]\nSignature=\"$Windows NT$\"\nPnpLockdown=1\n[DefaultInstall.NTamd64]\nCopyFiles=a\nAddReg=r\n[r]\n";
  const std::string tail = "[DestinationDirs]\na=12\n[a]\nsplit.sys\n[SourceDisksFiles]\nsplit.sys=1\n[SourceDisksNames]\n1=d\n";
  isodrv::fix::Options o;
  o.unsafe = true;
  auto r = isodrv::fix::fix_bytes(head + "HKR,,Path,,%12%\\spl\\\nit.sys ; split\n" + tail, "split.inf", o);
  EXPECT_NE(r.fixed.find("[r]\nHKR,,Path,,%13%\\spl\\\nit.sys ; split\n[DestinationDirs]\na=13\n"), std::string::npos)
      << r.fixed;
  EXPECT_EQ(isodrv::fix::fix_bytes(r.fixed, "split.inf", o).fixed, r.fixed);
  auto s = isodrv::fix::fix_bytes(head + "HKR,,Path,,\\SystemRoot\\System32\\dri\\ ; one\nvers\\split.sys ; two\n" + tail,
                                  "split.inf", o);
  EXPECT_NE(s.fixed.find("[r]\nHKR,,Path,,%13%\\ ; one\n\\split.sys ; two\n[DestinationDirs]\na=13\n"), std::string::npos)
      << s.fixed;
  EXPECT_EQ(isodrv::fix::fix_bytes(s.fixed, "split.inf", o).fixed, s.fixed);
}

namespace {

// The reasons of the findings left after fixing, by code.
std::multimap<int, std::string> reasons(const isodrv::fix::FileFix& r) {
  std::multimap<int, std::string> out;
  for (const auto& d : r.after.diagnostics) {
    if (d.fix && !d.fix->reason.empty()) out.emplace(d.code, d.fix->reason);
  }
  return out;
}

const std::string kDevice =
    "[Version]\nSignature=\"$Windows NT$\"\nClass=System\nClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}\nProvider=p\n"
    "PnpLockdown=1\n[Manufacturer]\np=M,NTamd64\n[M.NTamd64]\nd=Dev,Root\\Emu\n[Dev.NTamd64]\nCopyFiles=f\n"
    "[Dev.NTamd64.Services]\nAddService=emu,2,Svc\n[Svc]\nServiceType=1\nStartType=3\nErrorControl=1\n"
    "ServiceBinary=%13%\\emu.sys\n[f]\nemu.sys\n[DestinationDirs]\nf=13\n[SourceDisksNames]\n1=d\n[SourceDisksFiles]\nemu.sys=1\n";

// One DDInstall ([Dev.NT]) that x86 and amd64 both install, its files in \x86 and \x64 of the package.
const std::string kArchDevice =
    "[Version]\nSignature=\"$Windows NT$\"\nClass=System\nClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}\nProvider=p\n"
    "PnpLockdown=1\n[Manufacturer]\np=M,NTamd64,NTx86\n[M.NTamd64]\nd=Dev,Root\\Emu\n[M.NTx86]\nd=Dev,Root\\Emu\n"
    "[Dev.NT]\nCopyFiles=f\n\n[Dev.NT.Services]\nAddService=emu,2,Svc\n\n[Svc]\nServiceType=1\nStartType=3\nErrorControl=1\n"
    "ServiceBinary=%12%\\emu.sys\n\n[f]\nemu.sys\n\n[DestinationDirs]\nf = 12 ; drivers\n[SourceDisksNames.x86]\n1=d,,,\\x86\n"
    "[SourceDisksNames.amd64]\n1=d,,,\\x64\n[SourceDisksFiles]\nemu.sys=1\n";

}  // namespace

// Where no correct rewrite exists the fixer says why and changes nothing: files in a different
// package folder per architecture, an AddReg section a DDInstall applies too, a device key of a
// hardware ID the package does not install.
TEST(FixEdits, NoCorrectRewriteMeansAReasonAndNoChange) {
  isodrv::fix::Options o;
  o.unsafe = true;
  // Per-architecture folders with a registry value naming the file by path: one value cannot name
  // two architectures' folders.
  std::string per_arch = kArchDevice;
  per_arch.replace(per_arch.find("CopyFiles=f\n"), 12, "CopyFiles=f\nAddReg=R\n");
  per_arch += "[R]\nHKR,,Image,,%12%\\emu.sys\n";
  auto a = isodrv::fix::fix_bytes(per_arch, "arch.inf", o);
  EXPECT_EQ(a.fixed, per_arch);
  ASSERT_NE(reasons(a).find(1322), reasons(a).end());
  EXPECT_NE(reasons(a).find(1322)->second.find("different package folder for each architecture"), std::string::npos);

  std::string shared = kDevice;
  shared.replace(shared.find("CopyFiles=f\n"), 12, "CopyFiles=f\nAddReg=R\n");
  shared.replace(shared.find("ServiceBinary"), 0, "AddReg=R\n");
  shared += "[R]\nHKR,,Mode,0x00010001,1\n";
  auto s = isodrv::fix::fix_bytes(shared, "shared.inf", o);
  EXPECT_EQ(s.fixed, shared);
  ASSERT_NE(reasons(s).find(1323), reasons(s).end());
  EXPECT_NE(reasons(s).find(1323)->second.find("give the service its own AddReg section"), std::string::npos);

  std::string other = kDevice;
  other.replace(other.find("CopyFiles=f\n"), 12, "CopyFiles=f\nAddReg=R\n");
  other += "[R]\nHKLM,\"SYSTEM\\CurrentControlSet\\Enum\\Root\\Other\\0000\\Device Parameters\",Mode,0x00010001,1\n";
  auto x = isodrv::fix::fix_bytes(other, "other.inf", o);
  EXPECT_EQ(x.fixed, other);
  ASSERT_NE(reasons(x).find(1321), reasons(x).end());
  EXPECT_NE(reasons(x).find(1321)->second.find("is not a hardware ID"), std::string::npos);
}

// A DelReg entry under the package's own service key goes (reported as removed); the rest stays.
TEST(FixEdits, DelRegUnderTheOwnServiceKeyIsRemoved) {
  isodrv::fix::Options o;
  o.unsafe = true;
  std::string inf = kDevice;
  inf.replace(inf.find("ServiceBinary"), 0, "DelReg=D\n");
  inf += "[D]\nHKLM,\"System\\CurrentControlSet\\Services\\emu\",\"Old\"\nHKR,,\"Older\"\n";
  auto r = isodrv::fix::fix_bytes(inf, "delreg.inf", o);
  std::string want = inf;
  want.erase(want.find("HKLM,\"System"), want.size() - want.find("HKLM,\"System"));
  EXPECT_EQ(r.fixed, want);
  ASSERT_EQ(r.applied.size(), 2u);
  EXPECT_EQ(r.applied[0].fix->migrations.at(0).kind, "removed");
  EXPECT_EQ(isodrv::fix::fix_bytes(r.fixed, "delreg.inf", o).fixed, r.fixed);
}

// A build-time placeholder where the DIRID goes (virtio-win's INX_PLATFORM_DRIVERS_DIR) is the
// platform's driver folder: the list goes to 13 and the ServiceBinary written with it follows. A
// DLL a registry value names without a folder does not move (it is found through System32).
TEST(FixEdits, PlaceholderDestinationsMoveAndBareDllNamesStay) {
  isodrv::fix::Options o;
  o.unsafe = true;
  std::string inf = kDevice;
  inf.replace(inf.find("f=13\n"), 5, "f=INX_PLATFORM_DRIVERS_DIR\n");
  inf.replace(inf.find("ServiceBinary=%13%"), 18, "ServiceBinary=%INX_PLATFORM_DRIVERS_DIR%");
  auto r = isodrv::fix::fix_bytes(inf, "ph.inf", o);
  EXPECT_EQ(r.fixed, kDevice);
  std::string dll = kDevice;
  dll.replace(dll.find("CopyFiles=f\n"), 12, "CopyFiles=f,u\nAddReg=R\n");
  dll += "[u]\nemuum.dll\n[R]\nHKR,,UserDll,,emuum.dll\n";
  dll.replace(dll.find("emu.sys=1\n"), 10, "emu.sys=1\nemuum.dll=1\n");
  dll.replace(dll.find("f=13\n"), 5, "f=13\nu=11\n");
  auto d = isodrv::fix::fix_bytes(dll, "dll.inf", o);
  EXPECT_EQ(d.fixed, dll);
  ASSERT_NE(reasons(d).find(1322), reasons(d).end());
  EXPECT_NE(reasons(d).find(1322)->second.find("without a folder"), std::string::npos);
}

// %1% (the install source) in an AddReg path names the driver-store folder an isolated package is
// installed from: a package file there is written %13%\…; a file the package does not carry is not.
TEST(FixEdits, SourceDiridInARegistryPathBecomesTheStore) {
  isodrv::fix::Options o;
  o.unsafe = true;
  std::string inf = kDevice;
  inf.replace(inf.find("CopyFiles=f\n"), 12, "CopyFiles=f\nAddReg=R\n");
  std::string want = inf + "[R]\nHKR,,Src,,\"%13%\\emu.sys\" ; kept\n";
  inf += "[R]\nHKR,,Src,,\"%1%\\emu.sys\" ; kept\n";
  auto r = isodrv::fix::fix_bytes(inf, "src.inf", o);
  EXPECT_EQ(r.fixed, want);
  std::string missing = kDevice;
  missing.replace(missing.find("CopyFiles=f\n"), 12, "CopyFiles=f\nAddReg=R\n");
  missing += "[R]\nHKR,,Src,,%1%\\readme.txt\n";
  auto m = isodrv::fix::fix_bytes(missing, "src.inf", o);
  EXPECT_EQ(m.fixed, missing);
  ASSERT_NE(reasons(m).find(1341), reasons(m).end());
}

// Files in a different package folder per architecture: the DDInstall both architectures share is
// split into decorated copies, each copying its own list into its own store folder, and the service
// section its ServiceBinary names is split with it. Both architectures then check clean.
TEST(FixEdits, PerArchitectureFoldersSplitTheSharedDDInstall) {
  isodrv::fix::Options o;
  o.unsafe = true;
  auto r = isodrv::fix::fix_bytes(kArchDevice, "arch.inf", o);
  const std::string want =
      "[Version]\nSignature=\"$Windows NT$\"\nClass=System\nClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}\nProvider=p\n"
      "PnpLockdown=1\n[Manufacturer]\np=M,NTamd64,NTx86\n[M.NTamd64]\nd=Dev,Root\\Emu\n[M.NTx86]\nd=Dev,Root\\Emu\n"
      "[Dev.NTx86]\nCopyFiles=f_x86\n\n[Dev.NTamd64]\nCopyFiles=f_amd64\n\n"
      "[Dev.NTx86.Services]\nAddService=emu,2,Svc_x86\n\n[Dev.NTamd64.Services]\nAddService=emu,2,Svc_amd64\n\n"
      "[Svc_x86]\nServiceType=1\nStartType=3\nErrorControl=1\nServiceBinary=%13%\\x86\\emu.sys\n\n"
      "[Svc_amd64]\nServiceType=1\nStartType=3\nErrorControl=1\nServiceBinary=%13%\\x64\\emu.sys\n\n"
      "[f_x86]\nemu.sys\n\n[f_amd64]\nemu.sys\n\n"
      "[DestinationDirs]\nf_x86 = 13,x86 ; drivers\nf_amd64 = 13,x64\n[SourceDisksNames.x86]\n1=d,,,\\x86\n"
      "[SourceDisksNames.amd64]\n1=d,,,\\x64\n[SourceDisksFiles]\nemu.sys=1\n";
  EXPECT_EQ(r.fixed, want);
  EXPECT_EQ(isodrv::fix::fix_bytes(r.fixed, "arch.inf", o).fixed, r.fixed);
  for (auto arch : {isodrv::inf::Arch::amd64, isodrv::inf::Arch::x86}) {
    isodrv::fix::Options a = o;
    a.check.settings.target.arch = arch;
    auto again = isodrv::fix::fix_bytes(r.fixed, "arch.inf", a);
    EXPECT_EQ(again.fixed, r.fixed);
    for (const auto& d : again.after.diagnostics) {
      EXPECT_TRUE(d.code != 1322 && d.code != 1100 && d.code != 2084 && d.code != 2085) << d.code << " " << d.message;
    }
  }
  std::set<std::string> kinds;
  for (const auto& d : r.applied) {
    for (const auto& m : d.fix->migrations) kinds.insert(m.kind + ": " + m.before + " -> " + m.after);
  }
  EXPECT_TRUE(kinds.count("install-section: [Dev.NT] (amd64) -> [Dev.NTamd64]")) << ::testing::PrintToString(kinds);
  EXPECT_TRUE(kinds.count("driver-file: C:\\Windows\\System32\\drivers\\emu.sys (x86) -> %13%\\x86\\emu.sys"));

  // Models sections for amd64 only: x86 installs nothing, so its folder does not matter.
  std::string one = kArchDevice;
  one.replace(one.find("p=M,NTamd64,NTx86"), 17, "p=M,NTamd64");
  auto m = isodrv::fix::fix_bytes(one, "one.inf", o);
  EXPECT_NE(m.fixed.find("f = 13,x64 ; drivers\n"), std::string::npos) << m.fixed;
  EXPECT_NE(m.fixed.find("ServiceBinary=%13%\\x64\\emu.sys\n"), std::string::npos);
}

// A DLL copied to System32 that no INF line names by path is found by name by whatever loads it: the
// report tells user-mode code how to find the store folder instead of naming kernel APIs.
TEST(FixEdits, AMovedDllTellsUserModeCodeHowToFindTheStore) {
  isodrv::fix::Options o;
  o.unsafe = true;
  std::string inf = kDevice;
  inf.replace(inf.find("CopyFiles=f\n"), 12, "CopyFiles=f,u\n");
  inf += "[u]\nemuapi.dll\n";
  inf.replace(inf.find("emu.sys=1\n"), 10, "emu.sys=1\nemuapi.dll=1\n");
  inf.replace(inf.find("f=13\n"), 5, "f=13\nu=11\n");
  auto r = isodrv::fix::fix_bytes(inf, "dll.inf", o);
  EXPECT_NE(r.fixed.find("u=13\n"), std::string::npos) << r.fixed;
  ASSERT_FALSE(r.applied.empty());
  const auto& m = r.applied[0].fix->migrations.at(0);
  EXPECT_EQ(m.kind, "driver-file");
  EXPECT_NE(m.api.find("SetupGetInfDriverStoreLocation"), std::string::npos) << m.api;
}
