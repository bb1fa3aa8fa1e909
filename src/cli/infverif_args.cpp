// InfVerif's and stampinf's command lines: slash options after `check` (/w, /code 1322, /sw1402 …)
// are rewritten into isodrv's spelling before CLI11 parses, and a link named infverif or stampinf
// runs the matching subcommand.
#include <filesystem>

#include "cli/commands.h"
#include "cli/suggest.h"
#include "isodrv/inf.h"

namespace isodrv::cli {
namespace {

// InfVerif options without a value, and the isodrv option each becomes.
struct SlashFlag {
  const char* slash;
  const char* isodrv;
};
constexpr SlashFlag kFlags[] = {{"/v", "--verbose"},       {"/stampinf", "--stampinf"}, {"/samples", "--samples"},
                                {"/info", "--info"}};
// InfVerif options that take the next argument as their value.
constexpr const char* kValued[] = {"/osver", "/provider", "/wbuild", "/rulever", "/code", "/product"};
constexpr const char* kModes[] = {"/w", "/u", "/k", "/h"};

// "/sw1402": InfVerif's suppression of one warning code.
bool is_suppress_warning(const std::string& lower) {
  return lower.size() > 3 && lower.starts_with("/sw") &&
         lower.find_first_not_of("0123456789", 3) == std::string::npos;
}

std::vector<std::string> known_slash_options() {
  std::vector<std::string> all;
  for (const auto& f : kFlags) all.emplace_back(f.slash);
  for (const char* v : kValued) all.emplace_back(v);
  for (const char* m : kModes) all.emplace_back(m);
  all.emplace_back("/sw");
  all.emplace_back("/l");
  return all;
}

// A slash argument that InfVerif does not know is a path when it looks like one: it names
// something that exists, or has a second '/' (an absolute path into a folder).
// No InfVerif option ends in .inf or .inx, so "/missing.inf" is a missing input (exit 3), not a flag.
bool looks_like_path(const std::string& a) {
  std::error_code ec;
  const std::string lower = inf::to_lower_ascii(a);
  return a.find('/', 1) != std::string::npos || lower.ends_with(".inf") || lower.ends_with(".inx") ||
         std::filesystem::exists(a, ec);
}

}  // namespace

std::string invoked_as(const std::string& argv0) {
  std::string name = std::filesystem::path(argv0).filename().string();
  name = inf::to_lower_ascii(name);
  if (name.ends_with(".exe")) name.resize(name.size() - 4);
  return name;
}

Result<std::vector<std::string>> translate_infverif_args(const std::vector<std::string>& raw,
                                                         const std::function<bool(const std::string&)>& takes_value) {
  std::vector<std::string> args = raw;
  // A link named infverif or stampinf runs that tool's command line.
  if (!args.empty()) {
    const std::string self = invoked_as(args[0]);
    // InfVerif's own output format unless --format says otherwise (the global --format yields to check's).
    if (self == "infverif") args.insert(args.begin() + 1, {"--format", "infverif", "check"});
    else if (self == "stampinf") args.insert(args.begin() + 1, "stamp");
  }
  std::vector<std::string> out;
  bool in_check = false, after_dashdash = false;
  std::string mode_seen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!in_check || after_dashdash || a.size() < 2 || a[0] != '/') {
      out.push_back(a);
      if (!in_check && i > 0 && a == "check") in_check = true;
      else if (in_check && a == "--") after_dashdash = true;
      // The value of an isodrv option (--baseline /x/y.json) is never an InfVerif option.
      else if (in_check && a.starts_with("--") && a.find('=') == std::string::npos && takes_value(a) &&
               i + 1 < args.size()) out.push_back(args[++i]);
      continue;
    }
    const std::string lower = inf::to_lower_ascii(a);
    bool done = false;
    for (const char* m : kModes) {
      if (lower != m) continue;
      // InfVerif takes one mode at a time; the same mode twice is harmless.
      if (!mode_seen.empty() && mode_seen != lower) {
        return Error(Errc::invalid_argument, mode_seen + " and " + lower +
                                                 ": InfVerif takes one mode at a time (/w, /u, /k or /h); pick one");
      }
      if (mode_seen.empty()) {
        out.push_back("--mode");
        out.push_back(lower.substr(1));
      }
      mode_seen = lower;
      done = true;
    }
    for (const auto& f : kFlags) {
      if (!done && lower == f.slash) {
        out.push_back(f.isodrv);
        done = true;
      }
    }
    for (const char* v : kValued) {
      if (done || lower != v) continue;
      if (i + 1 >= args.size()) return Error(Errc::invalid_argument, a + " needs a value");
      out.push_back("--" + lower.substr(1));
      out.push_back(args[++i]);
      done = true;
    }
    if (done) continue;
    if (is_suppress_warning(lower)) {
      out.push_back("--suppress-warning=" + lower.substr(3));
    } else if (lower == "/sw") {
      return Error(Errc::invalid_argument, "/sw needs a warning code, e.g. /sw1402");
    } else if (lower == "/l") {
      return Error(Errc::unsupported, "/l (annotated HTML copies of each INF) is not supported; use --format sarif or json");
    } else if (looks_like_path(a)) {
      out.push_back(a);
    } else {
      std::string msg = "unknown InfVerif option " + a;
      if (auto s = closest(lower, known_slash_options()); !s.empty()) msg += "; did you mean " + s + "?";
      return Error(Errc::invalid_argument, msg + " (a path that starts with / must exist)");
    }
  }
  return out;
}

}  // namespace isodrv::cli
