// Issue 18: stamp output parses and a second stamp with the same options changes nothing
// (stamp(stamp(x)) == stamp(x)), including the inputs that used to break either property.
#include "isodrv/stamp.h"
#include "robustness/robustness_util.h"

using namespace robustness_test;
namespace stamp = isodrv::stamp;

namespace {

stamp::StampOptions options() {
  stamp::StampOptions o;
  o.path = "x.inf";
  o.date = stamp::Date{2024, 5, 6};
  return o;
}

// Stamps twice; the second stamp must give back its input, and the output must parse.
std::string stamp_twice(const std::string& in, const stamp::StampOptions& o) {
  auto a = stamp::stamp(in, o);
  EXPECT_TRUE(a.ok()) << a.error().to_string();
  if (!a.ok()) return {};
  auto doc = isodrv::inf::Document::parse(a->bytes, "x.inf");
  EXPECT_TRUE(doc.ok()) << doc.error().to_string();
  auto b = stamp::stamp(a->bytes, o);
  EXPECT_TRUE(b.ok()) << b.error().to_string();
  if (b.ok()) {
    EXPECT_EQ(b->bytes, a->bytes) << "a second stamp changed the file";
  }
  return a->bytes;
}

}  // namespace

TEST(StampIdempotent, QuotedVersionWithACommaKeepsItsQuotes) {
  const std::string in = "[Version]\nSignature=\"$Windows NT$\"\nDriverVer=01/01/2020,\"1.0,2\"\n";
  const std::string out = stamp_twice(in, options());
  EXPECT_NE(out.find("DriverVer=05/06/2024,\"1.0,2\""), std::string::npos) << out;
  auto doc = isodrv::inf::Document::parse(out, "x.inf");
  ASSERT_TRUE(doc.ok());
  auto dv = doc->section("Version")->find("DriverVer");
  ASSERT_TRUE(dv);
  EXPECT_EQ(dv->field_count(), 2u);
  EXPECT_EQ(dv->raw_field(1), "1.0,2");
}

TEST(StampIdempotent, LastLineEndingInABackslashDoesNotSwallowTheNewLine) {
  // The Signature line ends the file with a continuation backslash: a DriverVer inserted after it
  // was joined into it, so every stamp added another one.
  const std::string in = "[Version]\nClass=Sample\nSignature=\"$Windows NT$\" \\\n";
  stamp::StampOptions o = options();
  o.version = "1.2.3.4";
  o.catalog = "x.cat";
  const std::string out = stamp_twice(in, o);
  auto doc = isodrv::inf::Document::parse(out, "x.inf");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->section("Version")->find_all("DriverVer").size(), 1u) << out;
  EXPECT_EQ(doc->section("Version")->find_all("CatalogFile").size(), 1u) << out;
}

TEST(StampIdempotent, BomLessFileNeverTurnsIntoUtf16) {
  // An ANSI file of odd length whose comment holds "A\0" pairs: read as ANSI because its length is
  // odd. A stamp that adds an odd number of bytes makes it even, and the detection rule would then
  // read the same bytes as BOM-less UTF-16LE: a different file. That output is refused.
  std::string head = "[Version]\nSignature=\"$Windows NT$\"\n";
  if (head.size() % 2) head += "\n";
  std::string in = head + ";";
  for (int i = 0; i < 600; ++i) in += std::string("A\0", 2);
  in += "\n";
  if (in.size() % 2 == 0) in += "\n";
  auto dec = isodrv::inf::decode(in);
  ASSERT_TRUE(dec.ok());
  ASSERT_EQ(dec->encoding, isodrv::inf::Encoding::ansi);
  int refused = 0;
  for (const char* version : {"1.0.0.0", "1.0.0.10"}) {
    stamp::StampOptions o = options();
    o.version = version;
    auto r = stamp::stamp(in, o);
    if (r.ok()) {
      auto again = isodrv::inf::decode(r->bytes);
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(again->encoding, isodrv::inf::Encoding::ansi) << "the stamped file reads as another encoding";
    } else {
      ++refused;
      EXPECT_NE(r.error().message.find("would be read as utf-16le"), std::string::npos) << r.error().to_string();
    }
  }
  EXPECT_EQ(refused, 1) << "one of the two versions flips the length parity";
}

TEST(StampIdempotent, SecondDriverVerIsNotAdded) {
  for (const std::string& in : {
           std::string("[Version]\nSignature=\"$Windows NT$\"\n"),
           std::string("[Version]\r\nSignature=\"$Windows NT$\"\r\n[Strings]\r\n"),
           std::string("[Version]\nSignature=\"$Windows NT$\"\n\x1A junk"),
           std::string("[Version]\nSignature=\"$Windows NT$\""),
           std::string("[Version]\n[Version]\nSignature=\"$Windows NT$\" ; c \\\n"),
       }) {
    stamp::StampOptions o = options();
    o.version = "1.0.0.1";
    o.catalog = "a.cat";
    stamp_twice(in, o);
  }
}

TEST_F(Robustness, SourceDateEpochOutOfRangeIsAClearError) {
  spit(dir_ / "a.inf", "[Version]\nSignature=\"$Windows NT$\"\n");
  CmdRun r = sh({"stamp", "-f", "a.inf", "-v", "1.0.0.0", "-o", "-"}, "", "SOURCE_DATE_EPOCH=99999999999999");
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("SOURCE_DATE_EPOCH"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  CmdRun ok = sh({"stamp", "-f", "a.inf", "-v", "1.0.0.0", "-o", "-"}, "", "SOURCE_DATE_EPOCH=253402300799");
  EXPECT_EQ(ok.rc, 0) << ok.err;
  EXPECT_NE(ok.out.find("DriverVer=12/31/9999,1.0.0.0"), std::string::npos) << ok.out;
}
