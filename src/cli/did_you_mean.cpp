// "Did you mean": after CLI11 refuses a command line, walk it again against the command tree to
// name the closest subcommand or option to the one that was mistyped.
#include "cli/commands.h"
#include "cli/suggest.h"

namespace isodrv::cli {
namespace {

// The option named `name` ("--mode", "-j") in `app` or, as options fall through, in its parents.
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent()) {
    if (const CLI::Option* o = app->get_option_no_throw(name)) return o;
  }
  return nullptr;
}

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> out;
  for (; app; app = app->get_parent()) {
    for (const CLI::Option* o : app->get_options()) {
      for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    }
  }
  return out;
}

const CLI::App* find_subcommand(const CLI::App* app, const std::string& name) {
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

std::vector<std::string> subcommand_names(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
    if (!sub->get_group().empty()) out.push_back(sub->get_name());
  }
  return out;
}

std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app && app->get_parent(); app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

}  // namespace

std::string did_you_mean(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* cur = &app;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a.size() > 1 && a[0] == '-') {
      const std::string name = a.substr(0, a.find('='));
      const CLI::Option* o = find_option(cur, name);
      if (!o && name.starts_with("--")) {
        const std::string s = closest(name, option_names(cur));
        const std::string where = command_path(cur);
        if (!s.empty()) return "isodrv: " + (where.empty() ? "" : where + ": ") + "unknown option " + name + "; did you mean " + s + "?";
        return {};
      }
      if (o && o->get_items_expected_min() > 0 && a.find('=') == std::string::npos && name.starts_with("--")) ++i;
      continue;
    }
    if (const CLI::App* sub = find_subcommand(cur, a)) {
      cur = sub;
      continue;
    }
    if (cur->get_require_subcommand_min() > 0) {
      const std::string s = closest(a, subcommand_names(cur));
      const std::string where = command_path(cur);
      std::string msg = "isodrv: '" + a + "' is not an isodrv " + (where.empty() ? "" : where + " ") + "command";
      return s.empty() ? msg : msg + "; did you mean '" + (where.empty() ? "" : where + " ") + s + "'?";
    }
  }
  return {};
}

}  // namespace isodrv::cli
