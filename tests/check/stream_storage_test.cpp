// check_stream hands one file's findings' storage on to the next file and sorts findings in place:
// every file of a stream must still get exactly what check_file gives it alone, in the report's
// order. Run over the rule fixtures (tests/rules/<code>/*.inf: none, one or a few findings) and
// copies of one with dozens and hundreds, in an order where large files are followed by small
// ones and back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "isodrv/check.h"

namespace {

namespace fs = std::filesystem;
using isodrv::diag::Diagnostic;
using isodrv::diag::FileResult;

std::vector<std::string> rule_fixtures() {
  std::vector<std::string> out;
  const fs::path root = fs::path(ISODRV_TEST_DATA) / "rules";
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".inf") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void expect_same(const FileResult& streamed, const FileResult& alone) {
  EXPECT_EQ(streamed.valid, alone.valid) << alone.path;
  ASSERT_EQ(streamed.diagnostics.size(), alone.diagnostics.size()) << alone.path;
  for (std::size_t i = 0; i < alone.diagnostics.size(); ++i) {
    const Diagnostic& s = streamed.diagnostics[i];
    const Diagnostic& a = alone.diagnostics[i];
    EXPECT_EQ(s.code, a.code) << alone.path << " #" << i;
    EXPECT_EQ(s.file, a.file) << alone.path << " #" << i;
    EXPECT_EQ(s.line, a.line) << alone.path << " #" << i;
    EXPECT_EQ(s.column, a.column) << alone.path << " #" << i;
    EXPECT_EQ(s.message, a.message) << alone.path << " #" << i;
    EXPECT_EQ(s.section, a.section) << alone.path << " #" << i;
    EXPECT_EQ(s.source_line, a.source_line) << alone.path << " #" << i;
    EXPECT_EQ(s.notes.size(), a.notes.size()) << alone.path << " #" << i;
    EXPECT_EQ(s.severity, a.severity) << alone.path << " #" << i;
  }
  EXPECT_TRUE(std::is_sorted(streamed.diagnostics.begin(), streamed.diagnostics.end())) << alone.path;
}

// A copy of a rule fixture with `n` more registry lines, each giving findings of several families
// (an HKLM write in /w, an undefined %token%): a file with dozens or hundreds of findings.
std::string with_many_findings(const std::string& fixture, std::size_t n, const fs::path& dir) {
  std::ifstream in(fixture, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text += "\n[Wombat_Device.NT.HW]\nAddReg = Wombat_Regs\n\n[Wombat_Regs]\n";
  for (std::size_t i = 0; i < n; ++i) {
    text += "HKLM,Software\\Wombat,V" + std::to_string(i) + ",,1\n";
    text += "HKR,,Z" + std::to_string(i) + ",0x00010001,%Missing" + std::to_string(i) + "%\n";
  }
  const fs::path out = dir / ("many" + std::to_string(n) + ".inf");
  std::ofstream(out, std::ios::binary) << text;
  return out.string();
}

TEST(CheckStream, EveryFileGetsWhatItGetsAloneWhenStorageIsHandedOn) {
  std::vector<std::string> files = rule_fixtures();
  ASSERT_GT(files.size(), 200u) << "the rule fixtures (tests/rules/<code>/*.inf) were not found";
  const fs::path dir = fs::temp_directory_path() / ("isodrv-stream-storage-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string skeleton = (fs::path(ISODRV_TEST_DATA) / "rules" / "1235" / "bad.inf").string();
  const std::string dozens = with_many_findings(skeleton, 40, dir);    // past the first room of 16
  const std::string hundreds = with_many_findings(skeleton, 300, dir); // past the storage kept (256)
  isodrv::check::Options opts;
  opts.settings.mode = isodrv::diag::Mode::w;
  ASSERT_GT(isodrv::check::check_file(dozens, opts).diagnostics.size(), 64u);
  ASSERT_GT(isodrv::check::check_file(hundreds, opts).diagnostics.size(), 256u);
  // Large files before, between and after the fixtures (in order, then reversed): storage left by
  // files of every size is handed to files of every size.
  std::vector<std::string> order = {dozens, hundreds};
  order.insert(order.end(), files.begin(), files.end());
  order.push_back(dozens);
  order.insert(order.end(), files.rbegin(), files.rend());
  order.push_back(hundreds);
  order.push_back(files.front());
  std::vector<FileResult> streamed;
  isodrv::check::check_stream(order, opts, [&](FileResult&& f) { streamed.push_back(std::move(f)); });
  ASSERT_EQ(streamed.size(), order.size());
  for (std::size_t i = 0; i < order.size(); ++i) expect_same(streamed[i], isodrv::check::check_file(order[i], opts));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(CheckStream, ASinkThatOnlyReadsGetsTheSameFindings) {
  // The CLI's sink reads each result and lets it go: the storage is then taken back for the next
  // file. What the sink saw must still be each file's own findings.
  std::vector<std::string> files = rule_fixtures();
  ASSERT_GT(files.size(), 200u);
  const fs::path dir = fs::temp_directory_path() / ("isodrv-stream-read-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string skeleton = (fs::path(ISODRV_TEST_DATA) / "rules" / "1235" / "bad.inf").string();
  files.insert(files.begin() + 10, with_many_findings(skeleton, 40, dir));
  files.insert(files.begin() + 100, with_many_findings(skeleton, 300, dir));
  isodrv::check::Options opts;
  opts.settings.mode = isodrv::diag::Mode::u;
  std::size_t i = 0;
  isodrv::check::check_stream(files, opts, [&](FileResult&& f) {
    ASSERT_LT(i, files.size());
    expect_same(f, isodrv::check::check_file(files[i], opts));
    ++i;
  });
  EXPECT_EQ(i, files.size());
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
