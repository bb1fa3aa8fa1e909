// The Rule enum and each rule's message-argument count, generated from rule_table.def and
// rule_text.def, so a report names a rule of the table and passes exactly the arguments its message
// template uses; a wrong count does not compile (Context::report<Rule::rNNNN>).
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "isodrv/rules.h"

namespace isodrv::rules {

enum class Rule : std::uint16_t {
#define ISODRV_RULE(code, slug, k, u, w, iso, topic) r##code = code,
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
template <Rule R>
struct Args {
  static constexpr std::size_t kCount = detail::arg_count(R);
  std::vector<std::string> values;
  template <class... T>
    requires(sizeof...(T) == kCount)
  Args(T&&... t) {  // NOLINT: implicit, so call sites keep writing {a, b}
    values.reserve(sizeof...(T));
    (values.emplace_back(std::forward<T>(t)), ...);
  }
};

template <Rule R>
diag::Diagnostic& Context::report(const inf::Line& line, Args<R> args, std::size_t field) {
  return report(R, line, std::move(args.values), field);
}

template <Rule R>
diag::Diagnostic& Context::report_at(std::uint32_t line, std::uint32_t column, Args<R> args, std::string section) {
  return report_at(R, line, column, std::move(args.values), std::move(section));
}

template <Rule R>
diag::Diagnostic* Context::report_once(const inf::Line& line, Args<R> args, std::size_t field) {
  return report_once(R, line, std::move(args.values), field);
}

}  // namespace isodrv::rules
