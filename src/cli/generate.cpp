// `isodrv generate man DIR` and `isodrv generate completion`: man pages and a bash completion
// script derived from the command definitions, so they never drift from --help. Hidden; the
// build runs it for `cmake --install`.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "cli/commands.h"

namespace isodrv::cli {
namespace {

namespace fs = std::filesystem;

std::vector<const CLI::App*> children(const CLI::App* app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* s : app->get_subcommands([](const CLI::App*) { return true; })) {
    if (!s->get_group().empty()) out.push_back(s);
  }
  return out;
}

// roff: a backslash is \e, a '-' in option names is \-, a line may not start with '.' or '\''.
std::string roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string option_label(const CLI::Option* o) {
  std::string label;
  for (const auto& s : o->get_snames()) label += (label.empty() ? "-" : ", -") + s;
  for (const auto& l : o->get_lnames()) label += (label.empty() ? "--" : ", --") + l;
  if (label.empty()) label = o->get_name();  // a positional
  if (o->get_items_expected_min() > 0 && o->nonpositional()) label += " " + (o->get_type_name().empty() ? std::string("VALUE") : o->get_type_name());
  return label;
}

void man_options(std::ostream& out, const CLI::App* app) {
  for (const CLI::Option* o : app->get_options()) {
    if (o->get_group().empty() || o->get_lnames() == std::vector<std::string>{"help"}) continue;
    out << ".TP\n.B " << roff(option_label(o)) << "\n" << roff(o->get_description()) << "\n";
  }
}

void man_command(std::ostream& out, const CLI::App* app, const std::string& path) {
  out << ".SS " << roff(path) << "\n" << roff(app->get_description()) << "\n";
  man_options(out, app);
  for (const CLI::App* s : children(app)) man_command(out, s, path + " " + s->get_name());
}

void man_exit_status(std::ostream& out) {
  out << ".SH EXIT STATUS\n";
  for (const auto& e : exit_codes()) out << ".TP\n.B " << e.number << "\n" << roff(e.meaning) << "\n";
  out << ".PP\nWith several inputs the first of 2, 3, 4, 1, 0 that applies wins.\n";
}

void write_page(const fs::path& file, const std::string& name, const std::string& summary,
                const std::function<void(std::ostream&)>& body) {
  std::ofstream out(file, std::ios::binary);
  out << ".TH " << roff(name) << " 1 \"\" \"isodrv " << ISODRV_VERSION << "\" \"isodrv manual\"\n";
  out << ".SH NAME\n" << roff(name) << " \\- " << roff(summary) << "\n";
  body(out);
  man_exit_status(out);
  out << ".SH SEE ALSO\n.BR isodrv (1)\n";
}

int generate_man(const CLI::App& app, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  write_page(fs::path(dir) / "isodrv.1", "isodrv", app.get_description(), [&](std::ostream& out) {
    out << ".SH SYNOPSIS\n.B isodrv\n[\\-\\-root DIR] [\\-\\-format FMT] [\\-v] COMMAND ...\n";
    out << ".SH GLOBAL OPTIONS\nAccepted before or after the command.\n";
    man_options(out, &app);
    out << ".SH COMMANDS\n";
    for (const CLI::App* s : children(&app)) out << ".TP\n.B isodrv\\-" << roff(s->get_name()) << "(1)\n" << roff(s->get_description()) << "\n";
    out << ".PP\nA link named\n.B infverif\nruns\n.BR \"isodrv check\" ;\na link named\n.B stampinf\nruns\n.BR \"isodrv stamp\" .\n";
  });
  for (const CLI::App* s : children(&app)) {
    const std::string name = "isodrv-" + s->get_name();
    write_page(fs::path(dir) / (name + ".1"), name, s->get_description(), [&](std::ostream& out) {
      out << ".SH DESCRIPTION\n";
      man_command(out, s, "isodrv " + s->get_name());
    });
  }
  std::ofstream(fs::path(dir) / "infverif.1") << ".so man1/isodrv-check.1\n";
  std::ofstream(fs::path(dir) / "stampinf.1") << ".so man1/isodrv-stamp.1\n";
  if (!fs::exists(fs::path(dir) / "isodrv.1")) {
    std::cerr << "isodrv: cannot write man pages into " << dir << "\n";
    return kExitUnreadable;
  }
  return kExitOk;
}

// One case per command path: the words that may follow it.
void completion_cases(std::ostream& out, const CLI::App* app, const std::string& path) {
  std::string words;
  std::set<std::string> seen;
  auto add = [&](const std::string& w) {
    if (seen.insert(w).second) words += w + " ";
  };
  for (const CLI::App* s : children(app)) add(s->get_name());
  // Options of the command and, as they fall through, of its parents.
  for (const CLI::App* a = app; a; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      if (o->get_group().empty()) continue;
      for (const auto& l : o->get_lnames()) add("--" + l);
    }
  }
  out << "    \"" << path << "\") words=\"" << words << "\" ;;\n";
  for (const CLI::App* s : children(app)) completion_cases(out, s, path.empty() ? s->get_name() : path + " " + s->get_name());
}

int generate_completion(const CLI::App& app, const std::string& file) {
  std::ofstream to_file;
  if (!file.empty()) {
    to_file.open(file, std::ios::binary | std::ios::trunc);
    if (!to_file) {
      std::cerr << "isodrv: cannot write " << file << "\n";
      return kExitUnreadable;
    }
  }
  std::ostream& out = file.empty() ? std::cout : to_file;
  out << "# bash completion for isodrv, generated by `isodrv generate completion` from the command definitions.\n"
               "_isodrv() {\n"
               "  local cur=${COMP_WORDS[COMP_CWORD]} path=\"\" w i words\n"
               "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
               "    w=${COMP_WORDS[i]}\n"
               "    case \"$w\" in -*) continue ;; esac\n"
               "    case \" $(_isodrv_words \"$path\") \" in *\" $w \"*) path=\"${path:+$path }$w\" ;; esac\n"
               "  done\n"
               "  words=$(_isodrv_words \"$path\")\n"
               "  if [[ $cur == -* || -n $words ]]; then COMPREPLY=($(compgen -W \"$words\" -- \"$cur\")); fi\n"
               "  [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- \"$cur\"))\n"
               "}\n"
               "_isodrv_words() {\n"
               "  local words=\"\"\n"
               "  case \"$1\" in\n";
  completion_cases(out, &app, "");
  out << "  esac\n  echo \"$words\"\n}\ncomplete -o filenames -F _isodrv isodrv\n";
  return kExitOk;
}

}  // namespace

void register_generate_commands(CLI::App& app, Context& ctx) {
  auto* gen = app.add_subcommand("generate", "Generate man pages or the bash completion script from the command definitions");
  gen->group("");  // for the build, not for users
  gen->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  auto* man = gen->add_subcommand("man", "Write isodrv.1 and one page per command into DIR");
  man->add_option("DIR", *dir, "Output folder")->required();
  man->callback([&app, &ctx, dir] { ctx.exit_code = combine_exit(ctx.exit_code, generate_man(app, *dir)); });
  auto* comp = gen->add_subcommand("completion", "Print the bash completion script (or write it to FILE)");
  auto file = std::make_shared<std::string>();
  comp->add_option("FILE", *file, "Output file");
  comp->callback([&app, &ctx, file] { ctx.exit_code = combine_exit(ctx.exit_code, generate_completion(app, *file)); });
}

}  // namespace isodrv::cli
