// Stamps every .inx in the shared corpus (and every .inf that still carries $ARCH$ outside comments)
// for amd64 with -k 1.33 -u 2.33, and checks the result: it parses, no token is left in its sections,
// keys or fields, [Version] has the DriverVer written, the encoding is kept, and no other byte moved.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "isodrv/stamp.h"
#include "stamp_test_util.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;
using namespace isodrv;

namespace {

using isodrv_test::slurp;

bool has_token(std::string_view s) {
  for (const auto& t : stamp::tokens()) {
    if (s.find(t.text) != std::string_view::npos) return true;
  }
  return false;
}

// Whether $ARCH$ appears in the code part of any line (not only in comments).
bool has_arch_in_code(std::string_view bytes) {
  auto dec = inf::decode(bytes);
  if (!dec.ok()) return false;
  std::istringstream lines{std::string(dec->view(bytes))};
  for (std::string l; std::getline(lines, l);) {
    bool q = false;
    std::size_t end = l.size();
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '"') q = !q;
      else if (l[i] == ';' && !q) { end = i; break; }
    }
    if (l.substr(0, end).find("$ARCH$") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(StampCorpus, EveryInxStampsForAmd64) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  if (!fs::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";

  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(corpus)) {
    if (!e.is_regular_file()) continue;
    std::string ext = inf::to_lower_ascii(e.path().extension().string());
    if (ext == ".inx") files.push_back(e.path());
    else if (ext == ".inf" && has_arch_in_code(slurp(e.path()))) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 100u) << "the corpus should hold 155 .inx files";

  std::size_t stamped = 0;
  for (const auto& f : files) {
    const std::string rel = fs::relative(f, corpus).string();
    const std::string in = slurp(f);
    stamp::StampOptions o;
    o.path = rel;
    o.arch = inf::Arch::amd64;
    o.kmdf = stamp::parse_kmdf_version("1.33").value();
    o.umdf = stamp::parse_umdf_version("2.33").value();
    o.date = stamp::Date{2011, 10, 20};
    o.version = "1.2.3.4";
    auto r = stamp::stamp(in, o);
    ASSERT_TRUE(r.ok()) << rel << ": " << r.error().to_string();
    ++stamped;

    auto in_dec = inf::decode(in);
    ASSERT_TRUE(in_dec.ok());
    EXPECT_EQ(r->encoding, in_dec->encoding) << rel;
    auto out_dec = inf::decode(r->bytes);
    ASSERT_TRUE(out_dec.ok());
    EXPECT_EQ(out_dec->encoding, in_dec->encoding) << rel << ": encoding changed";
    stamp_test::expect_only_edited_lines_changed(in, r->bytes, r->edits, rel);

    auto doc = inf::Document::parse(r->bytes, rel);
    ASSERT_TRUE(doc.ok()) << rel << ": " << doc.error().to_string();
    for (std::size_t s = 0; s < doc->section_count(); ++s) {
      auto sec = doc->section_at(s);
      EXPECT_FALSE(has_token(sec.name())) << rel << ": token left in [" << sec.name() << "]";
      for (auto line : sec) {
        if (auto k = line.raw_key()) {
          EXPECT_FALSE(has_token(*k)) << rel << ":" << line.line() << ": token left in key";
        }
        for (std::size_t i = 0; i < line.field_count(); ++i) {
          EXPECT_FALSE(has_token(line.raw_field(i))) << rel << ":" << line.line() << ": token left in field " << i + 1;
        }
      }
    }
    auto ver = doc->section("Version");
    ASSERT_TRUE(ver.has_value()) << rel;
    auto dv = ver->find("DriverVer");
    ASSERT_TRUE(dv.has_value()) << rel << ": no DriverVer in [Version]";
    EXPECT_EQ(dv->raw_field(0), "10/20/2011") << rel;
    EXPECT_EQ(dv->raw_field(1), "1.2.3.4") << rel;
  }
  std::cout << "[ stamp   ] " << stamped << " corpus files stamped for amd64\n";
}
