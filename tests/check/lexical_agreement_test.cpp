// Issue 16 part 1's property: over every corpus INF and every INF fixture under tests/, `check`
// reports no number, date or AddReg-data error on a line exactly when the install side's value
// parsing (package::addreg_data, devinst::parse_driver_ver) accepts that line's values.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "isodrv/check.h"
#include "isodrv/package.h"
#include "isodrv/ranking.h"

using namespace isodrv;
namespace fs = std::filesystem;

namespace {

struct Tally {
  std::size_t files = 0, values = 0, rejected = 0, dates = 0, unresolved = 0;
  std::ostringstream failures;
};

// The AddReg entries whose data install turns into a value (devinst's add_reg, in its order).
bool install_reads_data(const package::RegOp& op) {
  namespace ar = package::addreg;
  if (op.kind != package::RegOpKind::add || !op.flags) return false;
  const std::uint32_t f = *op.flags;
  if (f & (ar::kDelRegBit | ar::kKeyOnly | ar::kKeyOnlyCommon | ar::kDelVal)) return false;
  return op.value_name || !op.data.empty();
}

bool unresolved(const package::RegOp& op) {
  for (const auto& d : op.data) {
    if (d.find('%') != std::string::npos) return true;  // check reports the missing string instead
  }
  return false;
}

// Lines where check reports a data error (1267, 1268 on data rather than flags or a bit mask) and
// where it reports a DriverVer date (1218).
void check_lines(const diag::FileResult& res, std::set<std::uint32_t>& data, std::set<std::uint32_t>& dates) {
  for (const auto& d : res.diagnostics) {
    if (d.code == 1267 || (d.code == 1268 && d.message.find(" data)") != std::string::npos)) data.insert(d.line);
    if (d.code == 1218) dates.insert(d.line);
  }
}

void check_dates(const std::string& path, const inf::Document& doc, const package::Package& pkg,
                 const std::set<std::uint32_t>& date_errors, Tally& t) {
  std::vector<inf::Line> lines;
  if (auto v = doc.section("Version")) lines = v->find_all("DriverVer");
  for (const auto& d : pkg.directives) {
    if (inf::iequals(d.name, "DriverVer")) lines.push_back(d.line);
  }
  for (const auto& l : lines) {
    ++t.dates;
    const bool install_ok = devinst::parse_driver_ver(l.field(0), l.field_count() > 1 ? l.field(1) : "").date != 0;
    const bool check_ok = date_errors.count(l.line()) == 0;
    if (install_ok != check_ok) {
      t.failures << path << ":" << l.line() << ": DriverVer '" << l.field(0) << "': check " << (check_ok ? "accepts" : "rejects")
                 << ", ranking " << (install_ok ? "dates it" : "ranks it undated") << "\n";
    }
  }
}

void agree(const std::string& path, Tally& t) {
  auto doc = inf::Document::load(path);
  if (!doc) return;  // a fixture that does not open is about the parser, not values
  ++t.files;
  check::Options opts;
  const diag::FileResult res = check::check_file(path, opts);
  std::set<std::uint32_t> data_errors, date_errors;
  check_lines(res, data_errors, date_errors);
  const package::Package pkg = package::build_package(*doc, opts.settings.target);
  for (const auto& op : pkg.regs) {
    if (!install_reads_data(op)) continue;
    if (unresolved(op)) {
      ++t.unresolved;
      continue;
    }
    ++t.values;
    auto data = package::addreg_data(op);
    if (!data) ++t.rejected;
    const bool check_ok = data_errors.count(op.line.line()) == 0;
    if (data.ok() != check_ok) {
      t.failures << path << ":" << op.line.line() << ": check " << (check_ok ? "accepts" : "rejects") << ", install "
                 << (data.ok() ? "accepts" : "rejects: " + data.error().to_string()) << "\n";
    }
  }
  check_dates(path, *doc, pkg, date_errors, t);
}

std::vector<std::string> infs_under(const fs::path& root) {
  std::vector<std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".inf") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(LexicalAgreement, TestFixturesCheckExactlyWhatInstallAccepts) {
  Tally t;
  const auto files = infs_under(fs::path(ISODRV_TEST_DATA));
  ASSERT_GT(files.size(), 200u) << "the rule fixtures (tests/rules/<code>/*.inf) were not found";
  for (const auto& f : files) agree(f, t);
  EXPECT_EQ(t.failures.str(), "");
  EXPECT_GT(t.values, 400u);
  EXPECT_GT(t.rejected, 0u) << "the fixtures include values both sides refuse (tests/rules/1267, 1268)";
  EXPECT_GT(t.dates, 200u);
  std::cout << "[ lexical ] " << t.files << " fixtures, " << t.values << " AddReg values (" << t.rejected << " refused, "
            << t.unresolved << " with unresolved strings skipped), " << t.dates << " DriverVer lines\n";
}

TEST(LexicalAgreement, CorpusChecksExactlyWhatInstallAccepts) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  if (!fs::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "corpus not found at " << corpus << "; property test skipped";
  Tally t;
  for (const auto& f : infs_under(corpus)) agree(f, t);
  EXPECT_EQ(t.failures.str(), "");
  EXPECT_GT(t.files, 100u);
  std::cout << "[ lexical ] " << t.files << " corpus INFs, " << t.values << " AddReg values (" << t.rejected << " refused, "
            << t.unresolved << " with unresolved strings skipped), " << t.dates << " DriverVer lines\n";
}
