// The Rule enum and each rule's message-argument count, generated from rule_table.def and
// rule_text.def, so a report names a rule of the table and passes exactly the arguments its message
// template uses; a wrong count does not compile (Context::report<Rule::rNNNN>).
#pragma once

#include <cstddef>
#include <algorithm>
#include <array>
#include <cassert>
#include <type_traits>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "isodrv/rules.h"

namespace isodrv::rules {

enum class Rule : std::uint16_t {
#define ISODRV_RULE(code, slug, k, u, w, h_from, iso, topic) r##code = code,
#include "rules/rule_table.def"
#undef ISODRV_RULE
};

namespace detail {

struct MessageText {
  int code;
  std::string_view message;
};

inline constexpr MessageText kMessages[] = {
#define ISODRV_RULE_TEXT(code, message, why, bad, good) {code, message},
#include "rules/rule_text.def"
#undef ISODRV_RULE_TEXT
};

// Arguments a template uses: one past the highest {N} placeholder.
constexpr std::size_t placeholder_count(std::string_view tmpl) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 2 < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && tmpl[i + 2] == '}' && tmpl[i + 1] >= '0' && tmpl[i + 1] <= '9') {
      n = std::max(n, static_cast<std::size_t>(tmpl[i + 1] - '0') + 1);
    }
  }
  return n;
}

// A rule without a message text reports its topic, which has no placeholders.
constexpr std::size_t arg_count(Rule r) {
  for (const auto& m : kMessages) {
    if (m.code == static_cast<int>(r)) return placeholder_count(m.message);
  }
  return 0;
}

}  // namespace detail

// The message arguments of rule R: constructible from exactly as many values as its template uses.
namespace detail {
template <class Self, class... T>
constexpr bool is_self = sizeof...(T) == 1 && (std::is_same_v<std::remove_cvref_t<T>, Self> && ...);
}  // namespace detail

template <Rule R>
struct Args {
  static constexpr std::size_t kCount = detail::arg_count(R);
  // In place rather than a vector: a finding's arguments cost no allocation of their own.
  std::array<std::string, kCount> values;
  template <class... T>
    requires(sizeof...(T) == kCount && !detail::is_self<Args, T...>)
  Args(T&&... t) : values{std::string(std::forward<T>(t))...} {}  // NOLINT: implicit, so call sites keep writing {a, b}
};

// The arguments of a rule chosen at run time among Rs: every one of them must take the same number
// of arguments (checked at compile time), and the chosen rule must be one of them.
template <Rule... Rs>
struct ArgsOf {
  static constexpr std::size_t kCount = detail::arg_count((Rs, ...));
  static_assert(((detail::arg_count(Rs) == kCount) && ...), "rules chosen together must take the same arguments");
  std::array<std::string, kCount> values;
  template <class... T>
    requires(sizeof...(T) == kCount && !detail::is_self<ArgsOf, T...>)
  ArgsOf(T&&... t) : values{std::string(std::forward<T>(t))...} {}  // NOLINT: implicit, as Args
  static constexpr bool contains(Rule r) { return ((r == Rs) || ...); }
};

template <Rule R>
diag::Diagnostic& Context::report(const inf::Line& line, Args<R> args, std::size_t field) {
  return report(R, line, args.values, field);
}

template <Rule R>
diag::Diagnostic& Context::report_at(std::uint32_t line, std::uint32_t column, Args<R> args, std::string section) {
  return report_at(R, line, column, args.values, std::move(section));
}

template <Rule... Rs>
diag::Diagnostic& Context::report_one_of(Rule rule, const inf::Line& line, ArgsOf<Rs...> args, std::size_t field) {
  assert(ArgsOf<Rs...>::contains(rule));
  return report(rule, line, args.values, field);
}

template <Rule... Rs>
diag::Diagnostic& Context::report_at_one_of(Rule rule, std::uint32_t line, std::uint32_t column, ArgsOf<Rs...> args,
                                            std::string section) {
  assert(ArgsOf<Rs...>::contains(rule));
  return report_at(rule, line, column, args.values, std::move(section));
}

template <Rule... Rs>
diag::Diagnostic* Context::report_once_one_of(Rule rule, const inf::Line& line, ArgsOf<Rs...> args, std::size_t field) {
  assert(ArgsOf<Rs...>::contains(rule));
  return report_once(rule, line, args.values, field);
}

template <Rule R>
diag::Diagnostic* Context::report_once(const inf::Line& line, Args<R> args, std::size_t field) {
  return report_once(R, line, args.values, field);
}

}  // namespace isodrv::rules
