// Table tests of `isodrv stamp`'s library: value parsing, every option and token, DriverVer and
// CatalogFile rewriting and insertion, and byte identity outside the edited lines in ANSI, UTF-8
// with BOM and UTF-16LE with BOM. Each row names the documentation statement or decision it shows.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "isodrv/stamp.h"
#include "isodrv/stamp_tokens.h"
#include "stamp_test_util.h"

using namespace isodrv;
using stamp_test::as_file;
using stamp_test::expect_only_edited_lines_changed;

namespace {

constexpr inf::Encoding kEncodings[] = {inf::Encoding::ansi, inf::Encoding::utf8_bom, inf::Encoding::utf16le_bom};

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------
struct DateRow {
  const char* input;
  const char* expected;  // nullptr: rejected
  const char* why;
};

TEST(StampValues, Dates) {
  const DateRow rows[] = {
      {"10/20/2011", "10/20/2011", "stampinf -d takes month/day/year"},
      {"1/2/2020", "01/02/2020", "[ND] one-digit month and day are padded (DriverVer wants two digits)"},
      {"10-20-2011", "10/20/2011", "DriverVer allows '-' for '/'; we write '/'"},
      {"02/29/2024", "02/29/2024", "leap day in a leap year"},
      {"02/29/2023", nullptr, "no leap day in 2023"},
      {"13/01/2020", nullptr, "month 13"},
      {"00/10/2020", nullptr, "month 0"},
      {"04/31/2020", nullptr, "April has 30 days"},
      {"10/20/11", nullptr, "DriverVer's year has four digits"},
      {"2011/10/20", nullptr, "year first is not month/day/year"},
      {"10/20/2011x", nullptr, "trailing text"},
      {"", nullptr, "empty"},
  };
  for (const auto& r : rows) {
    auto d = stamp::parse_date(r.input);
    if (r.expected) {
      ASSERT_TRUE(d.ok()) << r.input << " (" << r.why << "): " << d.error().message;
      EXPECT_EQ(stamp::format_date(*d), r.expected) << r.why;
    } else {
      EXPECT_FALSE(d.ok()) << r.input << " should be rejected: " << r.why;
      if (!d.ok()) {
        EXPECT_EQ(d.error().code, Errc::invalid_argument);
      }
    }
  }
}

TEST(StampValues, DateFromUnixTime) {
  EXPECT_EQ(stamp::format_date(stamp::date_from_unix(0)), "01/01/1970");
  EXPECT_EQ(stamp::format_date(stamp::date_from_unix(951782400)), "02/29/2000");
  EXPECT_EQ(stamp::format_date(stamp::date_from_unix(1709251199)), "02/29/2024");
  EXPECT_EQ(stamp::format_date(stamp::date_from_unix(-1)), "12/31/1969");
}

TEST(StampValues, DriverVersions) {
  const DateRow rows[] = {
      {"1.2.3.4", "1.2.3.4", "w.x.y.z"},
      {"1", "1", "DriverVer versions may have fewer parts"},
      {"1.0.0000.0", "1.0.0000.0", "written as given (stampinf does not normalise)"},
      {"65535.0.0.0", "65535.0.0.0", "inf-syntax.md §8: 65535 is the largest part we accept"},
      {"65536.0.0.0", nullptr, "inf-syntax.md §8: above 65535 is rejected"},
      {"1.2.3.4.5", nullptr, "five parts"},
      {"0.0.0.0", nullptr, "inf-syntax.md §8: 0.0.0.0 is invalid"},
      {"1..2", nullptr, "empty part"},
      {"a.b", nullptr, "not decimal"},
      {"-1.0", nullptr, "negative"},
      {"", nullptr, "empty"},
  };
  for (const auto& r : rows) {
    auto v = stamp::parse_driver_version(r.input);
    if (r.expected) {
      ASSERT_TRUE(v.ok()) << r.input << ": " << v.error().message;
      EXPECT_EQ(*v, r.expected) << r.why;
    } else {
      EXPECT_FALSE(v.ok()) << r.input << " should be rejected: " << r.why;
    }
  }
}

TEST(StampValues, TimeVersionIsTheTimeOfDay) {
  // Build logs show `-v *` writing hours.minutes.seconds.milliseconds without padding.
  constexpr std::int64_t day = 86'400'000;
  EXPECT_EQ(stamp::time_version(1 * 3'600'000 + 58 * 60'000 + 51'000 + 568), "1.58.51.568");
  EXPECT_EQ(stamp::time_version(20 * day + 13 * 3'600'000 + 5 * 60'000 + 9'000 + 42), "13.5.9.42");
  EXPECT_EQ(stamp::time_version(5 * day), "0.0.0.1") << "[ND] midnight would be the invalid 0.0.0.0";
  EXPECT_TRUE(stamp::parse_driver_version(stamp::time_version(day - 1)).ok());
}

struct WdfRow {
  const char* input;
  bool umdf;
  const char* library;      // nullptr: rejected
  const char* coinstaller;
  const char* why;
};

TEST(StampValues, FrameworkVersions) {
  const WdfRow rows[] = {
      {"1.5", false, "1.5", "01005", "stampinf docs: -k 1.5 gives 1.5 and 01005"},
      {"1.11", false, "1.11", "01011", "two digits of major, three of minor"},
      {"1.33", false, "1.33", "01033", ""},
      {"1.5.0", true, "1.5.0", "01005", "stampinf docs: -u 1.5.0 gives 1.5.0 and 01005"},
      {"2.33", true, "2.33.0", "02033", "[ND] a missing service number is written as .0"},
      {"2.15.1", true, "2.15.1", "02015", "service number kept"},
      {"1", false, nullptr, nullptr, "KMDF needs major.minor"},
      {"1.2.3", false, nullptr, nullptr, "KMDF has no service number"},
      {"0.1", false, nullptr, nullptr, "major 0"},
      {"1.1000", false, nullptr, nullptr, "minor above 999 cannot be written in three digits"},
      {"..0", true, nullptr, nullptr, "what MSBuild passes when UMDF_VERSION_MAJOR/MINOR are unset"},
      {"2", true, nullptr, nullptr, "UMDF needs at least major.minor"},
      {"a.b", false, nullptr, nullptr, "not decimal"},
  };
  for (const auto& r : rows) {
    auto v = r.umdf ? stamp::parse_umdf_version(r.input) : stamp::parse_kmdf_version(r.input);
    if (r.library) {
      ASSERT_TRUE(v.ok()) << r.input << ": " << v.error().message;
      EXPECT_EQ(v->library_text(r.umdf), r.library) << r.why;
      EXPECT_EQ(v->coinstaller_text(), r.coinstaller) << r.why;
    } else {
      EXPECT_FALSE(v.ok()) << r.input << " should be rejected: " << r.why;
    }
  }
}

TEST(StampValues, Architectures) {
  const std::pair<const char*, inf::Arch> ok[] = {
      {"x86", inf::Arch::x86},   {"amd64", inf::Arch::amd64}, {"x64", inf::Arch::amd64}, {"X64", inf::Arch::amd64},
      {"arm", inf::Arch::arm},   {"arm64", inf::Arch::arm64}, {"ARM64", inf::Arch::arm64}, {"ia64", inf::Arch::ia64},
      {"64", inf::Arch::ia64},   {"Win32", inf::Arch::x86},
  };
  for (const auto& [text, arch] : ok) {
    auto a = stamp::parse_stamp_arch(text);
    ASSERT_TRUE(a.ok()) << text;
    EXPECT_EQ(*a, arch) << text;
  }
  EXPECT_FALSE(stamp::parse_stamp_arch("mips").ok());
  EXPECT_FALSE(stamp::parse_stamp_arch("").ok());
}

TEST(StampValues, NtverpVersion) {
  const char* header =
      "// ntverp.h excerpt\n"
      "#define VER_PRODUCTMAJORVERSION     10\n"
      "#define VER_PRODUCTMINORVERSION     0\n"
      "#define VER_PRODUCTBUILD            /* NT */ 26100\n"
      "#define VER_PRODUCTBUILD_QFE        1\n"
      "#define VER_PRODUCTVERSION_STR      \"10.0.26100.1\"\n";
  auto v = stamp::version_from_ntverp(header);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, "10.0.26100.1");
  auto no_qfe = stamp::version_from_ntverp("#define VER_PRODUCTMAJORVERSION 6\n#define VER_PRODUCTMINORVERSION 1\n#define VER_PRODUCTBUILD 7600\n");
  ASSERT_TRUE(no_qfe.ok());
  EXPECT_EQ(*no_qfe, "6.1.7600.0");
  EXPECT_FALSE(stamp::version_from_ntverp("#define VER_PRODUCTMAJORVERSION 6\n").ok());
}

TEST(StampValues, TokenTableIsComplete) {
  std::vector<std::string> names;
  for (const auto& t : stamp::tokens()) names.emplace_back(t.text);
  EXPECT_EQ(names, (std::vector<std::string>{"$ARCH$", "$KMDFVERSION$", "$KMDFCOINSTALLERVERSION$", "$UMDFVERSION$",
                                             "$UMDFCOINSTALLERVERSION$"}));
}

// ---------------------------------------------------------------------------------------------
// Stamping
// ---------------------------------------------------------------------------------------------
// The base fixture: CRLF, tokens in headers, Manufacturer and values, a token in a comment, and a
// non-ASCII character on an edited line and in [Strings].
const char* const kBase =
    "[Version]\r\n"
    "Signature   = \"$WINDOWS NT$\"\r\n"
    "Class       = Sample\r\n"
    "Provider    = %P%\r\n"
    "DriverVer   = 01/01/2020,1.0.0.0 ; replaced by stampinf\r\n"
    "CatalogFile = old.cat\r\n"
    "\r\n"
    "[Manufacturer]\r\n"
    "%P%=Std,NT$ARCH$ ; café: $ARCH$ in a comment stays\r\n"
    "\r\n"
    "[Std.NT$ARCH$]\r\n"
    "%D%=Inst,ROOT\\X\r\n"
    "\r\n"
    "[Inst.NT$ARCH$.Wdf]\r\n"
    "KmdfService=x, x_wdf\r\n"
    "[x_wdf]\r\n"
    "KmdfLibraryVersion=$KMDFVERSION$\r\n"
    "UmdfLibraryVersion=$UMDFVERSION$\r\n"
    "CopyFiles=WdfCoInstaller$KMDFCOINSTALLERVERSION$.dll, WudfUpdate_$UMDFCOINSTALLERVERSION$.dll\r\n"
    "HKR,,Note,,\"a;$ARCH$\"\r\n"
    "\r\n"
    "[Strings]\r\n"
    "P=\"Prov\"\r\n"
    "D=\"Dév\"\r\n";

std::string replaced(std::string s, std::initializer_list<std::pair<std::string, std::string>> subs) {
  for (const auto& [from, to] : subs) {
    std::size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << "fixture has no '" << from << "'";
    if (at != std::string::npos) s.replace(at, from.size(), to);
  }
  return s;
}

// The base fixture with $ARCH$ resolved outside the comment.
std::string base_arch(const std::string& word) {
  std::string s = kBase;
  s = replaced(s, {{"NT$ARCH$ ;", "NT" + word + " ;"}, {"[Std.NT$ARCH$]", "[Std.NT" + word + "]"},
                   {"[Inst.NT$ARCH$.Wdf]", "[Inst.NT" + word + ".Wdf]"}, {"\"a;$ARCH$\"", "\"a;" + word + "\""}});
  return s;
}

struct StampRow {
  const char* name;
  const char* why;
  std::string input;
  std::function<void(stamp::StampOptions&)> set;
  std::string expected = {};         // empty when an error is expected
  Errc error = Errc::ok;
  std::uint32_t error_line = 0;
  std::vector<std::string> notes = {};  // substrings, one per expected note, in order
};

std::vector<StampRow> stamp_rows() {
  std::vector<StampRow> rows;
  const std::string base = kBase;
  auto tokens_only = [](stamp::StampOptions& o) { o.arch = inf::Arch::amd64; };

  rows.push_back({"arch_amd64", "stampinf docs -a: $ARCH$ becomes the architecture word; comments are not edited", base,
                  tokens_only, base_arch("amd64"), Errc::ok, 0,
                  {"$KMDFVERSION$ is left", "$UMDFVERSION$ is left", "$KMDFCOINSTALLERVERSION$ is left",
                   "$UMDFCOINSTALLERVERSION$ is left"}});
  for (auto [word, arch] : {std::pair{"x86", inf::Arch::x86}, std::pair{"arm", inf::Arch::arm},
                            std::pair{"arm64", inf::Arch::arm64}, std::pair{"ia64", inf::Arch::ia64}}) {
    rows.push_back({"arch_word", "the decoration word of each architecture (inf-syntax.md §6.1)", base,
                    [arch = arch](stamp::StampOptions& o) { o.arch = arch; }, base_arch(word), Errc::ok, 0,
                    {"left", "left", "left", "left"}});
  }
  rows.push_back({"arch_absent", "VS Stampinf properties: without -a, $ARCH$ is removed (NT$ARCH$ -> NT)", base,
                  [](stamp::StampOptions&) {}, base_arch(""), Errc::ok, 0,
                  {"$ARCH$ was removed", "left", "left", "left", "left"}});
  rows.push_back({"kmdf_umdf", "stampinf docs -k/-u: library version and coinstaller number", base,
                  [](stamp::StampOptions& o) {
                    o.arch = inf::Arch::amd64;
                    o.kmdf = stamp::parse_kmdf_version("1.11").value();
                    o.umdf = stamp::parse_umdf_version("2.15").value();
                  },
                  replaced(base_arch("amd64"), {{"=$KMDFVERSION$", "=1.11"},
                                                {"=$UMDFVERSION$", "=2.15.0"},
                                                {"WdfCoInstaller$KMDFCOINSTALLERVERSION$", "WdfCoInstaller01011"},
                                                {"WudfUpdate_$UMDFCOINSTALLERVERSION$", "WudfUpdate_02015"}}),
                  Errc::ok, 0, {}});
  rows.push_back({"date_only", "-d alone keeps the existing version", base,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.date = stamp::Date{2011, 10, 20};
                  },
                  replaced(base_arch("amd64"), {{"01/01/2020,1.0.0.0", "10/20/2011,1.0.0.0"}}), Errc::ok, 0,
                  {"left", "left", "left", "left"}});
  rows.push_back({"version_only", "-v alone keeps the existing date", base,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.version = "2.3.4.5";
                  },
                  replaced(base_arch("amd64"), {{"01/01/2020,1.0.0.0", "01/01/2020,2.3.4.5"}}), Errc::ok, 0,
                  {"left", "left", "left", "left"}});
  rows.push_back({"catalog_replaced", "stampinf docs -c: the CatalogFile value in [Version]", base,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.catalog = "new.cat";
                  },
                  replaced(base_arch("amd64"), {{"= old.cat", "= new.cat"}}), Errc::ok, 0,
                  {"left", "left", "left", "left"}});

  // No DriverVer or CatalogFile: [ND] both are inserted after Signature, laid out like it.
  const std::string bare = replaced(base, {{"DriverVer   = 01/01/2020,1.0.0.0 ; replaced by stampinf\r\n", ""},
                                           {"CatalogFile = old.cat\r\n", ""}});
  rows.push_back({"inserted_after_signature", "[ND] absent DriverVer and CatalogFile go after Signature", bare,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.date = stamp::Date{2011, 10, 20};
                    o.version = "1.2.3.4";
                    o.catalog = "x.cat";
                  },
                  replaced(base_arch("amd64"),
                           {{"DriverVer   = 01/01/2020,1.0.0.0 ; replaced by stampinf", "DriverVer   = 10/20/2011,1.2.3.4"},
                            {"CatalogFile = old.cat", "CatalogFile = x.cat"}}),
                  Errc::ok, 0, {"left", "left", "left", "left"}});
  // Moving DriverVer ahead of Class/Provider: the fixture's order differs, so build it directly.
  rows.back().expected = replaced(
      rows.back().expected,
      {{"Class       = Sample\r\nProvider    = %P%\r\nDriverVer   = 10/20/2011,1.2.3.4\r\nCatalogFile = x.cat\r\n",
        "DriverVer   = 10/20/2011,1.2.3.4\r\nCatalogFile = x.cat\r\nClass       = Sample\r\nProvider    = %P%\r\n"}});

  rows.push_back({"section_option", "stampinf docs -s: DriverVer goes into the named section (here appended to it)", base,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.kmdf = stamp::parse_kmdf_version("1.33").value();
                    o.umdf = stamp::parse_umdf_version("2.33").value();
                    o.section = "X_WDF";
                    o.date = stamp::Date{2011, 10, 20};
                    o.version = "1.2.3.4";
                  },
                  replaced(base_arch("amd64"), {{"=$KMDFVERSION$", "=1.33"},
                                                {"=$UMDFVERSION$", "=2.33.0"},
                                                {"WdfCoInstaller$KMDFCOINSTALLERVERSION$", "WdfCoInstaller01033"},
                                                {"WudfUpdate_$UMDFCOINSTALLERVERSION$", "WudfUpdate_02033"},
                                                {"\"a;amd64\"\r\n", "\"a;amd64\"\r\nDriverVer=10/20/2011,1.2.3.4\r\n"}}),
                  Errc::ok, 0, {}});
  rows.push_back({"section_missing", "-s naming no section is an error", base,
                  [](stamp::StampOptions& o) {
                    o.section = "Nowhere";
                    o.version = "1.0";
                  },
                  "", Errc::not_found});
  rows.push_back({"no_date_to_keep", "-v alone on a file without DriverVer has no date to write", bare,
                  [](stamp::StampOptions& o) { o.version = "1.0"; }, "", Errc::invalid_argument});
  rows.push_back({"no_version_to_keep", "-d alone on a file without DriverVer has no version to write", bare,
                  [](stamp::StampOptions& o) { o.date = stamp::Date{2011, 10, 20}; }, "", Errc::invalid_argument});
  rows.push_back({"bad_version", "the version is validated again by the library", base,
                  [](stamp::StampOptions& o) { o.version = "0.0.0.0"; }, "", Errc::invalid_argument});
  rows.push_back({"bad_catalog", "a catalog name with a path is rejected", base,
                  [](stamp::StampOptions& o) { o.catalog = "..\\x.cat"; }, "", Errc::invalid_argument});
  rows.push_back({"continued_driverver", "[ND] a DriverVer continued over lines is not rewritten",
                  replaced(base, {{"DriverVer   = 01/01/2020,1.0.0.0 ; replaced by stampinf\r\n",
                                   "DriverVer   = 01/01/2020,\\\r\n 1.0.0.0\r\n"}}),
                  [](stamp::StampOptions& o) { o.version = "1.0"; }, "", Errc::unsupported, 5});
  rows.push_back({"not_an_inf", "a file without a [Version] Signature is not an INF (ERROR_WRONG_INF_STYLE)",
                  "[Version]\r\nClass=X\r\n", [](stamp::StampOptions& o) { o.version = "1.0"; }, "",
                  Errc::wrong_inf_style});

  const std::string two = replaced(base, {{"CatalogFile = old.cat\r\n", "CatalogFile = old.cat\r\nDriverVer=02/02/2020,2.0\r\n"}});
  rows.push_back({"two_driverver", "[ND] every DriverVer in the section is stamped, with a note", two,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.version = "3.0";
                  },
                  replaced(base_arch("amd64"), {{"01/01/2020,1.0.0.0", "01/01/2020,3.0"},
                                                {"CatalogFile = old.cat\r\n", "CatalogFile = old.cat\r\nDriverVer=01/01/2020,3.0\r\n"}}),
                  Errc::ok, 0, {"2 DriverVer lines", "left", "left", "left", "left"}});
  const std::string empty_value =
      replaced(base, {{"DriverVer   = 01/01/2020,1.0.0.0 ; replaced by stampinf", "DriverVer   = ; TODO: set by stampinf"}});
  rows.push_back({"empty_value_with_comment", "corpus form 'DriverVer = ; TODO': the value goes before the comment",
                  empty_value,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.date = stamp::Date{2011, 10, 20};
                    o.version = "1.2.3.4";
                  },
                  replaced(base_arch("amd64"), {{"DriverVer   = 01/01/2020,1.0.0.0 ; replaced by stampinf",
                                                 "DriverVer   = 10/20/2011,1.2.3.4 ; TODO: set by stampinf"}}),
                  Errc::ok, 0, {"left", "left", "left", "left"}});
  const std::string decorated =
      replaced(base, {{"CatalogFile = old.cat\r\n", "CatalogFile = old.cat\r\nCatalogFile.NTamd64 = a64.cat\r\n"}});
  rows.push_back({"decorated_catalog", "inf-syntax.md §7: a decorated CatalogFile overrides; it is kept, with a note",
                  decorated,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.catalog = "new.cat";
                  },
                  replaced(base_arch("amd64"), {{"CatalogFile = old.cat\r\n", "CatalogFile = new.cat\r\nCatalogFile.NTamd64 = a64.cat\r\n"}}),
                  Errc::ok, 0, {"CatalogFile.NTamd64 is kept", "left", "left", "left", "left"}});
  rows.push_back({"catalog_extension_note", "InfVerif 1214 wants name.cat", base,
                  [&](stamp::StampOptions& o) {
                    tokens_only(o);
                    o.catalog = "new.bin";
                  },
                  replaced(base_arch("amd64"), {{"= old.cat", "= new.bin"}}), Errc::ok, 0,
                  {"does not end in .cat", "left", "left", "left", "left"}});

  // Line breaks: a new line takes the break of the line it follows; a last line without one gets one.
  rows.push_back({"lf_file_insert", "[ND] an LF file gets an LF line", "[Version]\nSignature=\"$Windows NT$\"\nClass=X\n",
                  [](stamp::StampOptions& o) {
                    o.date = stamp::Date{2011, 10, 20};
                    o.version = "1.0";
                  },
                  "[Version]\nSignature=\"$Windows NT$\"\nDriverVer=10/20/2011,1.0\nClass=X\n"});
  rows.push_back({"insert_after_last_line", "[ND] after a last line without a break, the file's break is used",
                  "[Version]\r\nClass=X\r\nSignature=\"$Windows NT$\"",
                  [](stamp::StampOptions& o) {
                    o.date = stamp::Date{2011, 10, 20};
                    o.version = "1.0";
                  },
                  "[Version]\r\nClass=X\r\nSignature=\"$Windows NT$\"\r\nDriverVer=10/20/2011,1.0"});
  rows.push_back({"no_value_no_equals", "a bare 'DriverVer' line gets '=' and the value",
                  "[Version]\r\nSignature=\"$Windows NT$\"\r\nDriverVer ; fill me\r\n",
                  [](stamp::StampOptions& o) {
                    o.date = stamp::Date{2011, 10, 20};
                    o.version = "1.0";
                  },
                  "[Version]\r\nSignature=\"$Windows NT$\"\r\nDriverVer=10/20/2011,1.0 ; fill me\r\n"});
  return rows;
}

TEST(Stamp, OptionsAndTokensInEveryEncoding) {
  for (const auto& row : stamp_rows()) {
    for (auto enc : kEncodings) {
      const std::string what = std::string(row.name) + " [" + stamp_test::encoding_label(enc) + "] — " + row.why;
      const std::string in = as_file(row.input, enc);
      stamp::StampOptions o;
      o.path = "t.inx";
      row.set(o);
      auto r = stamp::stamp(in, o);
      if (row.error != Errc::ok) {
        ASSERT_FALSE(r.ok()) << what << ": expected an error";
        EXPECT_EQ(r.error().code, row.error) << what << ": " << r.error().message;
        EXPECT_EQ(r.error().file, "t.inx") << what;
        if (row.error_line) {
          EXPECT_EQ(r.error().line, row.error_line) << what;
        }
        continue;
      }
      ASSERT_TRUE(r.ok()) << what << ": " << r.error().to_string();
      EXPECT_EQ(r->encoding, enc) << what;
      EXPECT_EQ(r->bytes, as_file(row.expected, enc)) << what;
      expect_only_edited_lines_changed(in, r->bytes, r->edits, what);
      ASSERT_EQ(r->notes.size(), row.notes.size()) << what;
      for (std::size_t i = 0; i < row.notes.size(); ++i) {
        EXPECT_NE(r->notes[i].message.find(row.notes[i]), std::string::npos)
            << what << ": note " << i << " is '" << r->notes[i].message << "'";
      }
    }
  }
}

TEST(Stamp, EditsNameOldAndNewLines) {
  stamp::StampOptions o;
  o.arch = inf::Arch::amd64;
  o.date = stamp::Date{2011, 10, 20};
  o.version = "1.2.3.4";
  o.catalog = "x.cat";
  const std::string bare = replaced(kBase, {{"DriverVer   = 01/01/2020,1.0.0.0 ; replaced by stampinf\r\n", ""}});
  auto r = stamp::stamp(as_file(bare, inf::Encoding::utf8_bom), o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_FALSE(r->edits.empty());
  EXPECT_EQ(r->driver_ver, "10/20/2011,1.2.3.4");
  // DriverVer is inserted as line 3; everything after moves down by one.
  EXPECT_EQ(r->edits[0].line, 3u);
  EXPECT_TRUE(r->edits[0].inserted);
  EXPECT_EQ(r->edits[0].kind, stamp::EditKind::driver_ver);
  EXPECT_EQ(r->edits[0].new_text, "DriverVer   = 10/20/2011,1.2.3.4");
  EXPECT_EQ(r->edits[1].line, 6u);
  EXPECT_EQ(r->edits[1].kind, stamp::EditKind::catalog_file);
  EXPECT_EQ(r->edits[1].old_text, "CatalogFile = old.cat");
  EXPECT_EQ(r->edits[2].line, 9u);
  EXPECT_EQ(r->edits[2].kind, stamp::EditKind::token);
  EXPECT_EQ(r->edits[2].old_text, "%P%=Std,NT$ARCH$ ; café: $ARCH$ in a comment stays");
  EXPECT_EQ(r->edits[2].new_text, "%P%=Std,NTamd64 ; café: $ARCH$ in a comment stays");
  // The notes about unresolved tokens point at output lines.
  ASSERT_FALSE(r->notes.empty());
  EXPECT_EQ(r->notes[0].line, 17u);
}

TEST(Stamp, NothingToDoLeavesBytesAlone) {
  for (auto enc : kEncodings) {
    const std::string in = as_file("[Version]\r\nSignature=\"$Windows NT$\"\r\nDriverVer=01/01/2020,1.0\r\n", enc);
    auto r = stamp::stamp(in, stamp::StampOptions{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->bytes, in);
    EXPECT_TRUE(r->edits.empty());
  }
}

TEST(Stamp, CtrlZTailAndNonAsciiBytesSurvive) {
  // An ANSI file with Windows-1252 bytes on an edited line and a ^Z tail after the last line.
  std::string in = "[Version]\r\nSignature=\"$Windows NT$\"\r\n[M]\r\n%P%=S,NT$ARCH$ ; \xE9t\xE9\r\nX=\x80\x1A" "garbage";
  stamp::StampOptions o;
  o.arch = inf::Arch::x86;
  auto r = stamp::stamp(in, o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->bytes, "[Version]\r\nSignature=\"$Windows NT$\"\r\n[M]\r\n%P%=S,NTx86 ; \xE9t\xE9\r\nX=\x80\x1A" "garbage");
}

// ---------------------------------------------------------------------------------------------
// The entry point `check` uses
// ---------------------------------------------------------------------------------------------
TEST(StampForCheck, ResolvesEveryTokenInPlace) {
  for (auto enc : kEncodings) {
    const std::string in = as_file(kBase, enc);
    auto r = stamp::resolve_stamp_tokens_for_check(in, inf::Arch::arm64);
    ASSERT_TRUE(r.ok());
    std::string expected = replaced(base_arch("arm64"), {{"=$KMDFVERSION$", "=1.33"},
                                                         {"=$UMDFVERSION$", "=2.33.0"},
                                                         {"WdfCoInstaller$KMDFCOINSTALLERVERSION$", "WdfCoInstaller01033"},
                                                         {"WudfUpdate_$UMDFCOINSTALLERVERSION$", "WudfUpdate_02033"}});
    EXPECT_EQ(*r, as_file(expected, enc)) << stamp_test::encoding_label(enc);
    EXPECT_EQ(stamp::accept_tokens_for_check(in, inf::Arch::arm64), *r) << "the stamp_tokens.h wrapper agrees";
    auto doc = inf::Document::parse(*r);
    ASSERT_TRUE(doc.ok());
    EXPECT_TRUE(doc->has_section("Std.NTarm64"));
    EXPECT_EQ(doc->section("x_wdf")->find("KmdfLibraryVersion")->field(0), "1.33");
  }
}

TEST(StampForCheck, InputWithoutTokensIsReturnedAsIs) {
  const std::string in = as_file("[Version]\r\nSignature=\"$Windows NT$\"\r\n", inf::Encoding::utf16le_bom);
  auto r = stamp::resolve_stamp_tokens_for_check(in, inf::Arch::amd64);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, in);
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------
TEST(StampWrite, AtomicWriteReplacesAndKeepsMode) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("isodrv-stamp-write-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path f = dir / "a.inf";
  std::ofstream(f, std::ios::binary) << "old";
  ::chmod(f.c_str(), 0640);
  ASSERT_TRUE(stamp::write_file_atomic(f.string(), std::string("new\0bytes", 9)).ok());
  std::ifstream in(f, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), std::string("new\0bytes", 9));
  struct stat st{};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u) << "no temporary file is left behind";
  auto bad = stamp::write_file_atomic((dir / "missing" / "x.inf").string(), "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::io_error);
  fs::remove_all(dir);
}

}  // namespace
