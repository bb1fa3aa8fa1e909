// The string arena and the view-or-substitute reading of fields (issue 13 part 2): a field without
// a %token% is a view of the document, one with a token is substituted into the arena, and what the
// arena holds stays where it is when the arena moves.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/inf_arena.h"

using namespace isodrv;

namespace {

const char* kInf =
    "[Version]\n"
    "Signature = \"$WINDOWS NT$\"\n"
    "[S]\n"
    "Key = plain, %Name%, \"quoted, text\", %1%\\sub, 100%%, %Missing%\n"
    "%Name% = x\n"
    "lone\n"
    "[Strings]\n"
    "Name = \"Substituted Name\"\n";

inf::Document parse() {
  auto doc = inf::Document::parse(kInf, "arena.inf");
  EXPECT_TRUE(doc.ok());
  inf::DiridContext ctx;
  ctx.src_path = "C:\\src";
  doc->set_dirids(ctx);
  return std::move(*doc);
}

bool inside(std::string_view v, std::string_view whole) {
  return v.data() >= whole.data() && v.data() + v.size() <= whole.data() + whole.size();
}

inf::Line first_line(const inf::Document& doc, std::size_t i = 0) { return doc.section("S")->line_at(i); }

TEST(StringArena, FieldWithoutTokenIsAViewOfTheDocumentText) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  const std::string_view v = inf::field_view(first_line(doc), 0, arena);
  EXPECT_EQ(v, "plain");
  EXPECT_TRUE(inside(v, doc.text())) << "a field without '%' must not be copied";
  EXPECT_EQ(arena.bytes_used(), 0u);
}

TEST(StringArena, FieldThatIsOneWholeTokenIsAViewOfTheValue) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  const inf::Line l = first_line(doc);
  const std::string_view v = inf::field_view(l, 1, arena);
  EXPECT_EQ(v, "Substituted Name");
  EXPECT_EQ(v, l.field(1));
  // The value is the [Strings] line's unquoted field, which the document holds: handed out as is
  // (here a span of the text, inside the quotes), not the field's own text "%Name%".
  EXPECT_EQ(v.data(), doc.strings_section()->line_at(0).raw_field(0).data());
  EXPECT_EQ(arena.bytes_used(), 0u);
}

TEST(StringArena, TokenWithTextAroundItIsSubstitutedIntoTheArena) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  const std::string_view v = inf::substitute_view(doc, "%Name%-x", arena);
  EXPECT_EQ(v, "Substituted Name-x");
  EXPECT_EQ(arena.bytes_used(), v.size());
}

TEST(StringArena, EveryFieldReadsAsLineFieldDoes) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  const inf::Line l = first_line(doc);
  for (std::size_t i = 0; i <= l.field_count(); ++i) EXPECT_EQ(inf::field_view(l, i, arena), l.field(i)) << "field " << i;
  // Quoted text is unquoted (the document keeps that copy); DIRID 1, %% and an unknown key as
  // Line::field gives them.
  EXPECT_EQ(inf::field_view(l, 2, arena), "quoted, text");
  EXPECT_EQ(inf::field_view(l, 3, arena), "C:\\src\\sub");
  EXPECT_EQ(inf::field_view(l, 4, arena), "100%");
  EXPECT_EQ(inf::field_view(l, 6, arena), "") << "past the end";
}

TEST(StringArena, KeysReadAsLineKeyDoes) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  EXPECT_EQ(inf::key_view(first_line(doc, 0), arena), std::optional<std::string_view>("Key"));
  EXPECT_EQ(inf::key_view(first_line(doc, 1), arena), std::optional<std::string_view>("Substituted Name"));
  EXPECT_EQ(inf::key_view(first_line(doc, 2), arena), first_line(doc, 2).key());
}

TEST(StringArena, ViewsStayValidWhenTheArenaMoves) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  std::vector<std::string_view> views;
  // Enough text for several chunks, so that moving is tried with more than the first.
  for (int i = 0; i < 2000; ++i) views.push_back(arena.store("text number " + std::to_string(i)));
  views.push_back(inf::field_view(first_line(doc), 1, arena));
  const std::vector<std::string> expected(views.begin(), views.end());
  inf::StringArena moved = std::move(arena);
  inf::StringArena again;
  again = std::move(moved);
  for (std::size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i], expected[i]);
}

TEST(StringArena, SubstituteViewCopiesOnlyWhenThereIsAToken) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  const std::string raw = "no token";
  EXPECT_EQ(inf::substitute_view(doc, raw, arena).data(), raw.data());
  EXPECT_EQ(inf::substitute_view(doc, "%Name%-x", arena), "Substituted Name-x");
  EXPECT_EQ(inf::substitute_view(doc, "%1%", arena), "C:\\src");
}

// The view read-back (inf::key_view / inf::field_view, as the package model and inf_throughput's
// view mode read) must give what Line::key() / Line::field() give for every key and field: plain,
// whole tokens, tokens with text around them, %% escapes, unknown tokens, DIRIDs, keys with tokens,
// quoted text (with a '%' inside quotes), and one arena reused across documents after reset().
TEST(StringArena, EveryKeyAndFieldViewedAsLineReadsIt) {
  const char* kText =
      "[Version]\n"
      "Signature = \"$WINDOWS NT$\"\n"
      "[S]\n"
      "Key = plain, %Name%, \"quoted, text\", %1%\\sub, 100%%, %Missing%, %name%, \"%Name% in quotes\", %%Name%%\n"
      "%Name% = x, a%Name%b, %Name%%Other%, %, %%, %Missing%%Name%, \"50%\"\n"
      "%Other% = %Unclosed, \"%Name%\", %Name%-%Other%-%13%\n"
      "%Missing% = %Name\n"
      "lone\n"
      "%Name%\n"
      "\"quoted %Other% key\" = 1\n"
      "[Strings]\n"
      "Name = \"Substituted Name\"\n"
      "other = plain other\n";
  inf::StringArena arena;
  for (int round = 0; round < 2; ++round) {
    auto parsed = inf::Document::parse(kText, "views.inf");
    ASSERT_TRUE(parsed.ok());
    inf::Document& doc = *parsed;
    inf::DiridContext ctx;
    ctx.src_path = "C:\\src";
    doc.set_dirids(ctx);
    std::size_t checked = 0;
    for (std::size_t s = 0; s < doc.section_count(); ++s) {
      for (const inf::Line l : doc.section_at(s)) {
        EXPECT_EQ(inf::key_view(l, arena), l.key()) << "line " << l.line();
        for (std::size_t i = 0; i <= l.field_count(); ++i) {
          EXPECT_EQ(inf::field_view(l, i, arena), l.field(i)) << "line " << l.line() << " field " << i;
          ++checked;
        }
      }
    }
    EXPECT_GT(checked, 30u);
    EXPECT_GT(arena.bytes_used(), 0u) << "some fields must have gone through the arena";
    arena.reset();
    EXPECT_EQ(arena.bytes_used(), 0u);
  }
}

TEST(StringArena, ResetKeepsStoringAfterSeveralChunks) {
  inf::StringArena arena;
  for (int i = 0; i < 3000; ++i) arena.store("text number " + std::to_string(i));
  arena.reset();
  EXPECT_EQ(arena.bytes_used(), 0u);
  std::vector<std::string_view> views;
  for (int i = 0; i < 3000; ++i) views.push_back(arena.store("again " + std::to_string(i)));
  const std::string big(40000, 'x');  // larger than any chunk
  views.push_back(arena.store(big));
  EXPECT_EQ(views[0], "again 0");
  EXPECT_EQ(views[2999], "again 2999");
  EXPECT_EQ(views.back(), big);
  arena.reset();
  const std::string_view after = arena.store("after a large string");
  EXPECT_EQ(after, "after a large string");
  EXPECT_EQ(arena.bytes_used(), after.size());
}

}  // namespace
