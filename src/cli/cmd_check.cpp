// `isodrv check` and `isodrv explain`: InfVerif-compatible validation and rule documentation.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "isodrv/check.h"

namespace isodrv::cli {
namespace {

struct CheckArgs {
  std::string mode = "w";
  std::string format = "text";
  unsigned jobs = 1;
  std::string baseline;
  std::string files_from;
  std::vector<std::string> inputs;
  bool statistics = false;
  bool verbose = false;
  bool stampinf = false;
  std::string arch = "amd64";
  std::string osver;
  std::string provider;
  unsigned codepage = 1252;
  std::string progress = "auto";
};

std::optional<diag::Format> parse_format(std::string_view f) {
  if (f == "text") return diag::Format::text;
  if (f == "infverif") return diag::Format::infverif;
  if (f == "json") return diag::Format::json;
  if (f == "sarif") return diag::Format::sarif;
  if (f == "github") return diag::Format::github;
  return std::nullopt;
}

std::optional<diag::Mode> parse_mode(std::string_view m) {
  if (m == "w" || m == "W") return diag::Mode::w;
  if (m == "u" || m == "U") return diag::Mode::u;
  if (m == "k" || m == "K") return diag::Mode::k;
  if (m == "h" || m == "H") return diag::Mode::h;
  return std::nullopt;
}

void read_list(std::istream& in, std::vector<std::string>& out) {
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
}

int run_check(const CheckArgs& a) {
  auto mode = parse_mode(a.mode);
  if (!mode) {
    std::cerr << "isodrv: --mode must be one of w, u, k, h\n";
    return kExitUsage;
  }
  auto format = parse_format(a.format);
  if (!format) {
    std::cerr << "isodrv: --format must be one of text, infverif, json, sarif, github\n";
    return kExitUsage;
  }
  auto arch = inf::parse_arch(a.arch);
  if (!arch) {
    std::cerr << "isodrv: unknown architecture '" << a.arch << "'\n";
    return kExitUsage;
  }
  check::Options opts;
  opts.settings.mode = *mode;
  opts.settings.target.arch = *arch;
  opts.settings.stampinf = a.stampinf;
  opts.settings.provider = a.provider;
  opts.codepage = a.codepage;
  opts.jobs = a.jobs ? a.jobs : 1;
  if (!a.osver.empty()) {
    inf::OsDecoration d = inf::parse_os_decoration(a.osver);
    if (!d.valid || !d.major) {
      std::cerr << "isodrv: --osver takes a decoration such as NTAMD64.10.0...22000\n";
      return kExitUsage;
    }
    if (d.arch) opts.settings.target.arch = *d.arch;
    opts.settings.target.major = *d.major;
    opts.settings.target.minor = d.minor.value_or(0);
    if (d.build) opts.settings.target.build = *d.build;
  }

  std::vector<std::string> inputs;
  for (const auto& in : a.inputs) {
    if (in == "-") read_list(std::cin, inputs);
    else inputs.push_back(in);
  }
  if (!a.files_from.empty()) {
    if (a.files_from == "-") {
      read_list(std::cin, inputs);
    } else {
      std::ifstream list(a.files_from);
      if (!list) {
        std::cerr << "isodrv: " << a.files_from << ": cannot read file list\n";
        return kExitUnreadable;
      }
      read_list(list, inputs);
    }
  }
  if (inputs.empty()) {
    std::cerr << "isodrv: check needs at least one INF, folder, or '-' for a list on stdin\n";
    return kExitUsage;
  }
  std::vector<std::string> missing;
  auto paths = check::expand_inputs(inputs, missing);

  std::optional<check::Baseline> baseline;
  if (!a.baseline.empty()) {
    auto b = check::load_baseline(a.baseline);
    if (!b.ok()) {
      std::cerr << "isodrv: " << b.error().to_string() << "\n";
      return b.error().code == Errc::file_not_found ? kExitUnreadable : kExitUsage;
    }
    baseline = std::move(b.value());
  }

  const bool tty = isatty(STDERR_FILENO) && !std::getenv("CI");
  const bool progress = a.progress == "always" || (a.progress == "auto" && tty && paths.size() > 20);
  diag::Report report;
  if (progress) {
    // Check in slices so a progress line can be shown between them.
    report.mode = *mode;
    report.tool_version = ISODRV_VERSION;
    const std::size_t slice = std::max<std::size_t>(64, opts.jobs * 16);
    for (std::size_t i = 0; i < paths.size(); i += slice) {
      std::vector<std::string> part(paths.begin() + static_cast<long>(i),
                                    paths.begin() + static_cast<long>(std::min(paths.size(), i + slice)));
      auto r = check::check_files(part, opts);
      for (auto& f : r.files) report.files.push_back(std::move(f));
      std::cerr << "\rchecked " << report.files.size() << "/" << paths.size() << " files" << std::flush;
    }
    std::cerr << "\r\033[K" << std::flush;
  } else {
    report = check::check_files(paths, opts);
  }
  if (baseline) check::apply_baseline(*baseline, report);

  diag::RenderOptions ropts;
  ropts.format = *format;
  ropts.statistics = a.statistics;
  ropts.verbose = a.verbose;
  std::cout << diag::render(report, ropts);

  int code = kExitOk;
  for (const auto& f : report.files) {
    if (f.unreadable) code = combine_exit(code, kExitUnreadable);
    else if (!f.valid) code = combine_exit(code, kExitFindings);
  }
  return code;
}

std::string explain_text(const rules::RuleInfo& r) {
  std::string out;
  out += std::to_string(r.code) + " " + std::string(r.slug) + "\n";
  out += "  " + std::string(r.topic) + "\n\n";
  out += "Levels: /k " + std::string(diag::severity_name(r.level_k)) + ", /u " +
         std::string(diag::severity_name(r.level_u)) + ", /w " + std::string(diag::severity_name(r.level_w)) +
         ", /h " + std::string(diag::severity_name(rules::level(r, diag::Mode::h))) + "\n";
  out += std::string("Isolation rule: ") + (r.isolation ? "yes" : "no") + "\n";
  if (!r.implemented) {
    out += "\nisodrv does not check this code yet; it is listed so InfVerif output can be read.\n";
    return out;
  }
  out += "\nWhy:\n  " + std::string(r.why) + "\n";
  auto indent = [](std::string_view s) {
    std::string o = "    ";
    for (char c : s) {
      o.push_back(c);
      if (c == '\n') o += "    ";
    }
    return o;
  };
  out += "\nNot valid:\n" + indent(r.bad) + "\n";
  out += "\nValid:\n" + indent(r.good) + "\n";
  return out;
}

std::string level_cell(diag::Severity s) { return std::string(diag::severity_name(s)); }

// The docs/rules pages are generated from the rule table, like every other output.
std::string markdown_page(const rules::RuleInfo& r) {
  std::string out = "# " + std::to_string(r.code) + " " + std::string(r.slug) + "\n\n" + std::string(r.topic) + "\n\n";
  out += "| /k | /u | /w | /h | isolation |\n|---|---|---|---|---|\n| " + level_cell(r.level_k) + " | " +
         level_cell(r.level_u) + " | " + level_cell(r.level_w) + " | " + level_cell(rules::level(r, diag::Mode::h)) +
         " | " + (r.isolation ? "yes" : "no") + " |\n\n";
  out += "Message: `" + std::string(r.message) + "`\n\n## Why\n\n" + std::string(r.why) + "\n\n";
  out += "## Not valid\n\n```ini\n" + std::string(r.bad) + "\n```\n\n## Valid\n\n```ini\n" + std::string(r.good) + "\n```\n";
  return out;
}

std::string markdown_index() {
  std::string out =
      "# isodrv rules\n\nGenerated by `isodrv explain --markdown index` (scripts/gen-rule-docs.sh) from the rule table; do not edit by hand.\n"
      "Levels per InfVerif mode (/k declarative, /u universal, /w Windows Driver, /h WHQL = /w levels with the\n"
      "documented exceptions). Codes below 9000 keep InfVerif's numbers; 9000 and up are isodrv's own.\n\n"
      "| code | rule | /k | /u | /w | isolation | checked by isodrv |\n|---|---|---|---|---|---|---|\n";
  for (const auto& r : rules::all_rules()) {
    std::string name = r.implemented ? "[" + std::string(r.slug) + "](" + std::to_string(r.code) + ".md)" : std::string(r.slug);
    out += "| " + std::to_string(r.code) + " | " + name + " | " + level_cell(r.level_k) + " | " + level_cell(r.level_u) +
           " | " + level_cell(r.level_w) + " | " + (r.isolation ? "yes" : "no") + " | " +
           (r.implemented ? "yes" : "not yet") + " |\n";
  }
  return out;
}

}  // namespace

int run_explain(const std::string& code_text, bool markdown) {
  if (code_text == "index") {
    std::cout << markdown_index();
    return kExitOk;
  }
  int code = 0;
  try {
    std::size_t used = 0;
    code = std::stoi(code_text, &used);
    if (used != code_text.size()) throw std::invalid_argument("code");
  } catch (const std::exception&) {
    std::cerr << "isodrv: '" << code_text << "' is not a rule code (e.g. 1322)\n";
    return kExitUsage;
  }
  const rules::RuleInfo* r = rules::find_rule(code);
  if (!r) {
    std::cerr << "isodrv: no rule " << code << "\n";
    return kExitUsage;
  }
  std::cout << (markdown ? markdown_page(*r) : explain_text(*r));
  return kExitOk;
}

// InfVerif spells options with a slash (/w, /code 1322, /osver X). Rewrite them for CLI11 when
// the command is `check` or `explain`; everything else passes through unchanged.
std::vector<std::string> translate_infverif_args(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool in_check = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!in_check) {
      out.push_back(a);
      if (a == "check") in_check = true;
      continue;
    }
    std::string lower = inf::to_lower_ascii(a);
    if (lower == "/w" || lower == "/u" || lower == "/k" || lower == "/h") {
      out.push_back("--mode");
      out.push_back(lower.substr(1));
    } else if (lower == "/v") {
      out.push_back("--verbose");
    } else if (lower == "/stampinf") {
      out.push_back("--stampinf");
    } else if (lower == "/info") {
      out.push_back("--statistics");
    } else if ((lower == "/osver" || lower == "/provider" || lower == "/wbuild" || lower == "/rulever" ||
                lower == "/code" || lower == "/product") && i + 1 < args.size()) {
      out.push_back("--" + lower.substr(1));
      out.push_back(args[++i]);
    } else {
      out.push_back(a);
    }
  }
  return out;
}

void register_check_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<CheckArgs>();
  auto code = std::make_shared<std::string>();
  auto* check = app.add_subcommand("check", "Validate INF/INX files like InfVerif (/w /u /k /h)");
  check->add_option("--mode", a->mode, "Validation mode: w (isolation, default), u, k, h");
  check->add_option("--format", a->format, "Output: text, infverif, json, sarif, github");
  check->add_option("-j,--jobs", a->jobs, "Check files in parallel");
  check->add_option("--baseline", a->baseline, "Accept the findings of a previous --format json report");
  check->add_option("--files-from", a->files_from, "Read paths, one per line, from FILE or - (stdin)");
  check->add_flag("--statistics", a->statistics, "Print counts per code");
  check->add_flag("--verbose", a->verbose, "infverif format: print a verdict for every file");
  check->add_flag("--stampinf", a->stampinf, "Accept stampinf tokens ($ARCH$ …) as valid values");
  check->add_option("--arch", a->arch, "Target architecture (default amd64)");
  check->add_option("--osver", a->osver, "Target OS as a decoration, e.g. NTAMD64.10.0...22000");
  check->add_option("--provider", a->provider, "Expected Provider name (InfVerif /provider)");
  check->add_option("--wbuild", a->osver, "Accepted for InfVerif compatibility (/wbuild)")->group("");
  check->add_option("--rulever", a->osver, "Accepted for InfVerif compatibility (/rulever)")->group("");
  check->add_option("--product", a->provider, "Accepted for InfVerif compatibility (/product)")->group("");
  check->add_option("--code", *code, "Explain a code instead of checking (InfVerif /code)");
  check->add_option("--codepage", a->codepage, "ANSI code page for files without a BOM (default 1252)");
  check->add_option("--progress", a->progress, "Progress on stderr: auto, always, never");
  check->add_option("PATH", a->inputs, "INF/INX files, folders, or - for a list on stdin");
  check->callback([a, code, &ctx] {
    int rc = code->empty() ? run_check(*a) : run_explain(*code, false);
    ctx.exit_code = combine_exit(ctx.exit_code, rc);
  });

  auto* explain = app.add_subcommand("explain", "Explain a rule code: what it checks, why, and how to fix it");
  auto explain_code = std::make_shared<std::string>();
  auto markdown = std::make_shared<bool>(false);
  explain->add_option("CODE", *explain_code, "Rule code, e.g. 1322, or 'index' for the list of all codes")->required();
  explain->add_flag("--markdown", *markdown, "Markdown, as in docs/rules/");
  explain->callback([explain_code, markdown, &ctx] {
    ctx.exit_code = combine_exit(ctx.exit_code, run_explain(*explain_code, *markdown));
  });
}

}  // namespace isodrv::cli
