// Rule family "models": [Manufacturer] lines and their TargetOSVersion decorations, and the display
// names of manufacturers and Models entries.
#include <string>

#include "rules/families.h"
#include "base/text.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

// Build numbers in a decoration are understood from Windows 10 1607 (build 14310) on; older
// systems treat a decoration that carries one as invalid (inf-syntax.md §6.2).
constexpr std::uint32_t kFirstBuildWithBuildDecoration = 14310;
// Manufacturer and device descriptions are LINE_LEN (256) strings including the terminating NUL.
constexpr std::size_t kMaxDisplayLength = inf::kLineLen - 1;

using base::trim;

// Whether `s` is longer than kMaxDisplayLength UTF-16 units. A UTF-8 byte adds at most two units (a
// lone four-byte lead counts two), so a string of at most half the limit in bytes is never too long:
// the usual description is answered by its size, without counting.
bool too_long_for_display(std::string_view s) {
  return s.size() * 2 > kMaxDisplayLength && inf::utf16_length(s) > kMaxDisplayLength;
}

void check_decorations(Context& ctx, const inf::Line& l) {
  bool any_arch = false, any_invalid = false;
  std::string scratch;
  for (std::size_t i = 1; i < l.field_count(); ++i) {
    const std::string_view text = util::trimmed_field_view(l, i, scratch);
    if (text.empty()) continue;
    // An unstamped $ARCH$ is reported once, as 1274, by the syntax family.
    if (text.find("$ARCH$") != std::string_view::npos) {
      any_arch = true;
      continue;
    }
    const inf::OsDecoration d = inf::parse_os_decoration(text);
    if (!d.valid) {
      ctx.report<Rule::r1287>(l, {std::string(text)}, i);
      any_invalid = true;
      continue;
    }
    if (d.arch) any_arch = true;
    if (d.build && *d.build < kFirstBuildWithBuildDecoration) {
      ctx.report<Rule::r1288>(l, {std::string(text), std::to_string(*d.build)}, i);
    }
  }
  // Without any NT<arch> decoration the line only reaches the undecorated Models section, which
  // Windows treats as x86-only; on other architectures the manufacturer installs nothing. (An
  // unreadable decoration is reported as 1287 instead: its intended architecture is unknown.)
  if (!any_arch && !any_invalid) ctx.report<Rule::r2010>(l, {util::trimmed_field(l, 0)}, 0);
}

void check_manufacturer(Context& ctx) {
  auto mfg = ctx.doc().section("Manufacturer");
  if (!mfg) return;
  std::string name;  // reused from line to line
  for (inf::Line l : *mfg) {
    if (l.has_key()) {
      name.clear();
      l.key_into(name);
      if (too_long_for_display(name)) {
        ctx.report<Rule::r1286>(l, {"Manufacturer name", name, std::to_string(kMaxDisplayLength)});
      }
      if (util::trimmed_field(l, 0).empty()) {
        ctx.report<Rule::r1011>(l, {name});
        continue;
      }
    }
    check_decorations(ctx, l);
  }
}

void check_descriptions(Context& ctx) {
  for (const auto& m : ctx.pkg().models) {
    if (too_long_for_display(m.description)) {
      ctx.report<Rule::r1286>(m.line, {"Device description", m.description, std::to_string(kMaxDisplayLength)});
    }
  }
}

}  // namespace

void run_model_rules(Context& ctx) {
  check_manufacturer(ctx);
  check_descriptions(ctx);
}

}  // namespace isodrv::rules
