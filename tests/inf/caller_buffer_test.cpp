// The engine's answers that a caller may take without a string of its own (append_dirid_path,
// append_lower_ascii, actual_install_section_name) agree with the owned-string forms, and the
// [Strings] index's repeat flag (Document::strings_keys_may_repeat) says "may" whenever two keyed
// lines of the indexed section are equal ignoring case; rule 1294 relies on it for that section.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "isodrv/check.h"
#include "isodrv/inf.h"

using namespace isodrv::inf;

namespace {

Document parse_ok(const std::string& text) {
  auto doc = Document::parse(text, "t.inf");
  EXPECT_TRUE(doc.ok()) << text;
  return std::move(doc.value());
}

std::string with_strings(const std::string& strings_sections) {
  return "[Version]\nSignature=\"$Windows NT$\"\n\n" + strings_sections;
}

}  // namespace

TEST(CallerBuffer, AppendDiridPathAgreesWithDiridPathForEveryDirid) {
  DiridContext ctx;
  ctx.src_path = "D:\\pkg";
  DiridContext with_store = ctx;
  with_store.driver_store = "C:\\Windows\\System32\\DriverStore\\FileRepository\\w.inf_amd64_0";
  for (const DiridContext* c : {&ctx, &with_store}) {
    for (const DiridInfo& info : kDiridTable) {
      std::string out = "before|";
      const auto path = dirid_path(info.id, *c);
      EXPECT_EQ(append_dirid_path(info.id, *c, out), path.has_value()) << info.id;
      EXPECT_EQ(out, "before|" + path.value_or("")) << info.id;
    }
    std::string out = "x";
    EXPECT_FALSE(append_dirid_path(123456789, *c, out));  // no such DIRID: out untouched
    EXPECT_EQ(out, "x");
  }
}

TEST(CallerBuffer, AppendLowerAsciiAppendsWhatToLowerAsciiReturns) {
  std::string all;
  for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (std::size_t n = 0; n <= 40; ++n) {
    for (std::size_t at = 0; at + n <= all.size(); at += 37) {
      const std::string_view s(all.data() + at, n);
      std::string out = "KEEP";
      append_lower_ascii(s, out);
      EXPECT_EQ(out, "KEEP" + to_lower_ascii(s));
    }
  }
  std::string out = "Ab";
  append_lower_ascii("MiXeD.Name_09", out);
  EXPECT_EQ(out, "Abmixed.name_09");
}

TEST(CallerBuffer, ActualInstallSectionNameIsTheSectionAsSpelledOrTheBase) {
  const Document doc = parse_ok(with_strings(
      "[Inst.NTAMD64]\nA=1\n[Inst.nt]\nA=1\n[Inst]\nA=1\n[Only.NT]\nA=1\n[Plain]\nA=1\n"));
  struct Case {
    const char* base;
    Arch arch;
    const char* want;
  } cases[] = {
      {"inst", Arch::amd64, "Inst.NTAMD64"}, {"Inst", Arch::arm64, "Inst.nt"},  {"ONLY", Arch::x86, "Only.NT"},
      {"plain", Arch::amd64, "Plain"},        {"Missing", Arch::amd64, "Missing"}, {"", Arch::amd64, ""},
  };
  for (const Case& c : cases) {
    const std::string_view got = doc.actual_install_section_name(c.base, c.arch);
    EXPECT_EQ(got, c.want) << c.base;
    EXPECT_EQ(doc.actual_install_section(c.base, c.arch), c.want) << c.base;
  }
  // A found section is the document's own text; a missing one is the caller's base itself.
  const std::string_view found = doc.actual_install_section_name("inst", Arch::amd64);
  EXPECT_TRUE(found.data() >= doc.text().data() && found.data() < doc.text().data() + doc.text().size());
  const std::string missing = "Missing";
  EXPECT_EQ(doc.actual_install_section_name(missing, Arch::amd64).data(), missing.data());
  // A base longer than any section name can be (no stack buffer is big enough) still works.
  const std::string long_base(3000, 'q');
  EXPECT_EQ(doc.actual_install_section_name(long_base, Arch::arm64), long_base);
}

TEST(StringsRepeatFlag, SaysMayWhenTheIndexedSectionRepeatsAKey) {
  EXPECT_FALSE(parse_ok(with_strings("[Strings]\nA=1\nB=2\nAB=3\n")).strings_keys_may_repeat());
  EXPECT_TRUE(parse_ok(with_strings("[Strings]\nA=1\nB=2\nA=3\n")).strings_keys_may_repeat());
  EXPECT_TRUE(parse_ok(with_strings("[Strings]\nDisk=1\nB=2\ndISK=3\n")).strings_keys_may_repeat());
  // A keyed line without a value is not indexed: the flag cannot vouch for it.
  EXPECT_TRUE(parse_ok(with_strings("[Strings]\nA=1\nA=\n")).strings_keys_may_repeat());
  // Lines without '=' are no keys; a repeat in another [Strings.*] section is not this flag's.
  EXPECT_FALSE(parse_ok(with_strings("[Strings]\nA=1\nA\nA\n[Strings.0407]\nA=1\nA=2\n")).strings_keys_may_repeat());
  // No [Strings] section at all: nothing repeats.
  EXPECT_FALSE(parse_ok(with_strings("[X]\nA=1\nA=2\n")).strings_keys_may_repeat());
}

TEST(StringsRepeatFlag, FollowsTheSelectedLanguage) {
  Document doc = parse_ok(with_strings("[Strings]\nA=1\n[Strings.0407]\nA=1\nB=2\na=3\n"));
  EXPECT_FALSE(doc.strings_keys_may_repeat());  // 0409: the plain [Strings]
  doc.select_language(0x0407);
  EXPECT_TRUE(doc.strings_keys_may_repeat());
  doc.select_language(0x0409);
  EXPECT_FALSE(doc.strings_keys_may_repeat());
}

// Rule 1294 skips its own pass over the indexed section when the flag is off: every kind of repeat
// must still be reported, in the indexed section and in the others, and none where there is none.
namespace {

std::map<std::uint32_t, int> repeats_1294(const std::string& strings_sections) {
  isodrv::check::Options opts;
  opts.settings.mode = isodrv::diag::Mode::w;
  const std::string text = with_strings(strings_sections);
  const auto res = isodrv::check::check_bytes(text, "repeat.inf", opts);
  std::map<std::uint32_t, int> out;
  for (const auto& d : res.diagnostics) {
    if (d.code == 1294) ++out[d.line];
  }
  return out;
}

}  // namespace

TEST(StringsRepeatFlag, Rule1294FindsEveryRepeat) {
  // Lines: 1 [Version], 2 Signature, 3 blank, 4 the first section header.
  using Found = std::map<std::uint32_t, int>;
  EXPECT_EQ(repeats_1294("[Strings]\nA=1\nB=2\n[Strings.0407]\nA=1\nB=2\n"), Found{});
  EXPECT_EQ(repeats_1294("[Strings]\nA=1\nB=2\nA=3\n"), (Found{{7, 1}}));
  EXPECT_EQ(repeats_1294("[Strings]\nDisk=1\nB=2\ndISK=3\n"), (Found{{7, 1}}));
  EXPECT_EQ(repeats_1294("[Strings]\nA=1\nB=2\n[Strings.0407]\nA=1\nb=2\nB=3\n"), (Found{{10, 1}}));
  EXPECT_EQ(repeats_1294("[Strings]\nA=1\nA=\n"), (Found{{6, 1}}));
  EXPECT_EQ(repeats_1294("[Strings.0409]\nX=1\nx=2\n[Strings]\nX=1\n"), (Found{{6, 1}}));
}
