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

TEST(StringArena, FieldWithStringKeyIsSubstitutedIntoTheArena) {
  const inf::Document doc = parse();
  inf::StringArena arena;
  const inf::Line l = first_line(doc);
  const std::string_view v = inf::field_view(l, 1, arena);
  EXPECT_EQ(v, "Substituted Name");
  EXPECT_EQ(v, l.field(1));
  EXPECT_FALSE(inside(v, doc.text()));
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

}  // namespace
