// The Rule enum and Args<R> derive from the rule table: each code is an enumerator, and a report
// must pass exactly the arguments its message template uses (a wrong count does not compile; the
// static_asserts below are that check, run by the compiler).
#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "rules/rule.h"

namespace {

using isodrv::rules::Args;
using isodrv::rules::Rule;
using S = std::string;

// 1204: "{0} …" takes one argument; 1322 takes three; 1274 none.
static_assert(Args<Rule::r1204>::kCount == 1);
static_assert(std::is_constructible_v<Args<Rule::r1204>, S>);
static_assert(!std::is_constructible_v<Args<Rule::r1204>, S, S>);
static_assert(!std::is_constructible_v<Args<Rule::r1204>>);
static_assert(std::is_constructible_v<Args<Rule::r1322>, S, S, S>);
static_assert(!std::is_constructible_v<Args<Rule::r1322>, S, S>);
static_assert(std::is_constructible_v<Args<Rule::r1274>>);
static_assert(isodrv::rules::detail::placeholder_count("a {0} b {2}") == 3);

TEST(RuleEnum, EveryTableRowIsAnEnumeratorWithItsCode) {
  for (const auto& r : isodrv::rules::all_rules()) {
    EXPECT_EQ(static_cast<int>(static_cast<Rule>(r.code)), r.code);
    EXPECT_EQ(isodrv::rules::detail::arg_count(static_cast<Rule>(r.code)),
              isodrv::rules::detail::placeholder_count(r.message.empty() ? r.topic : r.message))
        << r.code;
  }
  EXPECT_EQ(static_cast<int>(Rule::r1322), 1322);
}

}  // namespace
