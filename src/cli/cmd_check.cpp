// `isodrv check` and `isodrv explain`: InfVerif-compatible validation and rule documentation.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/report_options.h"
#include "isodrv/check.h"
#include "isodrv/input.h"

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
  bool info = false;
  bool verbose = false;
  bool stampinf = false;
  bool samples = false;
  std::string arch = "amd64";
  std::string osver;
  std::string provider;
  std::string product;
  std::string wbuild;
  std::string rulever;
  unsigned codepage = 1252;
  std::string progress = "auto";
  std::string shard;       // I/N: check only the files whose path hash falls in part I of N
  std::string sarif_base;  // SARIF/GitHub paths relative to this folder
};

// FNV-1a of the path as given: the same partition on every machine and every run.
std::uint64_t path_hash(std::string_view path) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : path) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// "I/N" with 1 <= I <= N.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_shard(const std::string& s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == s.size()) return std::nullopt;
  const std::string i = s.substr(0, slash), n = s.substr(slash + 1);
  if (i.find_first_not_of("0123456789") != std::string::npos || n.find_first_not_of("0123456789") != std::string::npos ||
      i.size() > 9 || n.size() > 9) {
    return std::nullopt;
  }
  const std::uint64_t iv = std::stoull(i), nv = std::stoull(n);
  if (nv == 0 || iv == 0 || iv > nv) return std::nullopt;
  return std::make_pair(iv, nv);
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

// A list of inputs (--files-from FILE, or '-' for stdin), read under the input size cap.
bool read_list_from(const std::string& from, std::vector<std::string>& out) {
  auto text = from == "-" ? read_input_fd(0, "<stdin>") : read_input(from);
  if (!text) {
    std::cerr << "isodrv: cannot read the file list: " << text.error().to_string() << "\n";
    return false;
  }
  std::istringstream in(*text);
  read_list(in, out);
  return true;
}

// "10.0.17763" (parts = 3) or "22621" (parts = 1): decimal parts separated by dots.
bool is_dotted_number(std::string_view s, int parts) {
  int n = 0;
  for (std::size_t start = 0;;) {
    std::size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string_view::npos) return false;
    ++n;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return n == parts;
}

// The progress line is for a person watching a terminal: both streams must be terminals (so
// `check ... | tee` or `> report.json` stay clean) and neither CI nor a dumb terminal is set.
bool progress_wanted() {
  if (!isatty(STDERR_FILENO) || !isatty(STDOUT_FILENO) || std::getenv("CI")) return false;
  const char* term = std::getenv("TERM");
  return !(term && std::string_view(term) == "dumb");
}

int run_check(const CheckArgs& a) {
  auto mode = parse_mode(a.mode);
  if (!mode) {
    std::cerr << "isodrv: --mode must be one of w, u, k, h\n";
    return kExitUsage;
  }
  auto format = parse_format(a.format);
  if (!format) {
    std::cerr << "isodrv: --format must be one of " << kFormatNames << "\n";
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
  opts.settings.samples = a.samples;
  opts.codepage = a.codepage;
  opts.jobs = a.jobs ? a.jobs : 1;
  opts.summary = a.info;
  if (!a.osver.empty()) {
    auto t = inf::parse_target_os(a.osver, opts.settings.target);
    if (!t.ok()) {
      std::cerr << "isodrv: --osver: " << t.error().message << "\n";
      return kExitUsage;
    }
    opts.settings.target = t.value();
  }
  // /wbuild: the build from which /w is enforced (downlevel decorations below it); both syntaxes.
  if (!a.wbuild.empty()) {
    auto t = inf::parse_target_os(a.wbuild);
    if (!t.ok()) {
      std::cerr << "isodrv: --wbuild: " << t.error().message << "\n";
      return kExitUsage;
    }
    const auto& w = t.value();
    opts.settings.target.w_from_build = w.major < 10 ? 0 : w.major > 10 ? 0xFFFFFFFFu : w.build;
  }
  if (!a.rulever.empty() && a.rulever != "vnext" &&
      !is_dotted_number(a.rulever, 1) && !is_dotted_number(a.rulever, 3)) {
    std::cerr << "isodrv: --rulever takes an OS build (22621 or 10.0.22621) or vnext\n";
    return kExitUsage;
  }
  if (!a.product.empty()) {
    auto product = check::load_product(a.product);
    if (!product.ok()) {
      std::cerr << "isodrv: " << product.error().to_string() << "\n";
      return product.error().code == Errc::file_not_found ? kExitUnreadable : kExitUsage;
    }
    opts.settings.product = std::make_shared<rules::Product>(std::move(product.value()));
  }

  std::vector<std::string> inputs;
  for (const auto& in : a.inputs) {
    if (in != "-") inputs.push_back(in);
    else if (!read_list_from("-", inputs)) return kExitUnreadable;
  }
  if (!a.files_from.empty() && !read_list_from(a.files_from, inputs)) return kExitUnreadable;
  if (inputs.empty()) {
    std::cerr << "isodrv: check needs at least one INF, folder, or '-' for a list on stdin\n";
    return kExitUsage;
  }
  std::vector<std::string> missing;
  auto paths = check::expand_inputs(inputs, missing);
  if (!a.shard.empty()) {
    auto shard = parse_shard(a.shard);
    if (!shard) {
      std::cerr << "isodrv: --shard takes I/N with 1 <= I <= N, e.g. 2/8\n";
      return kExitUsage;
    }
    std::erase_if(paths, [&](const std::string& p) { return path_hash(p) % shard->second != shard->first - 1; });
  }
  std::vector<std::string>().swap(inputs);  // a run of millions of files keeps one list of paths, not two

  std::optional<check::Baseline> baseline;
  if (!a.baseline.empty()) {
    auto b = check::load_baseline(a.baseline);
    if (!b.ok()) {
      std::cerr << "isodrv: " << b.error().to_string() << "\n";
      return exit_for(b.error()) == kExitUnreadable ? kExitUnreadable : kExitUsage;
    }
    baseline = std::move(b.value());
  }

  if (a.progress != "auto" && a.progress != "always" && a.progress != "never") {
    std::cerr << "isodrv: --progress must be one of auto, always, never\n";
    return kExitUsage;
  }
  const bool progress = a.progress == "always" || (a.progress == "auto" && progress_wanted() && paths.size() > 20);
  if (progress) {
    const std::size_t total = paths.size();
    opts.on_progress = [total](std::size_t done) {
      std::cerr << "\rchecked " << done << "/" << total << " files" << std::flush;
    };
  }
  diag::RenderOptions ropts;
  ropts.format = *format;
  ropts.statistics = a.statistics;
  ropts.info = a.info;
  ropts.verbose = a.verbose;
  diag::PathBase path_base;
  std::string base_error;
  if (!set_path_base(path_base, a.sarif_base, base_error)) {
    std::cerr << "isodrv: " << base_error << "\n";
    return kExitUsage;
  }
  // Each file is written as soon as it is checked and then dropped (check_stream keeps the order).
  auto writer = diag::make_writer(ropts, path_base, opts.settings.mode, ISODRV_VERSION, std::cout);
  std::optional<check::BaselineFilter> filter;
  if (baseline) filter.emplace(*baseline);
  int code = kExitOk;
  check::check_stream(paths, opts, [&](diag::FileResult&& f) {
    if (filter) filter->apply(f);
    if (f.unreadable) code = combine_exit(code, kExitUnreadable);
    else if (!f.valid) code = combine_exit(code, kExitFindings);
    // The output goes to the terminal too: clear the progress line before it, the next update redraws it.
    if (progress && !f.diagnostics.empty()) std::cerr << "\r\033[K" << std::flush;
    writer->file(f);
  });
  if (progress) std::cerr << "\r\033[K" << std::flush;
  writer->finish();
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
  out += R"(
## Options that change what is checked

- `--provider NAME` (`/provider`): the Provider every INF must name (1210, case-insensitive). A
  Microsoft name also marks the package as Microsoft's own, so 1204 is not reported.
- `--samples` (`/samples`): the INFs are Microsoft driver samples (Windows-driver-samples runs
  InfVerif with `/samples`). 1204 is not reported: samples such as netvadapter say
  `Provider = Microsoft`. Without either option, 1204 reports every Provider that is or starts
  with "Microsoft", in every mode.
- `--product FILE|FOLDER` (`/product`): the platform that Include and Needs are checked against.
  InfVerif takes an `.ias` product definition from Microsoft's build, whose format is not public;
  isodrv accepts the two forms below instead (an `.ias` file is refused as a bad line). Without
  it, 1317 and 1318 are never reported and 1202 compares Include names with isodrv's list of
  well-known inbox INFs. With it, an Included INF the package does not ship must be on the
  platform (1318; an INF on the platform counts as inbox for 1202), and a Needs target that this
  INF lacks must be a section of one of the Included INFs on the platform (1317).
  - FILE: UTF-8 text, one INF per line: `name.inf` followed by the sections it defines, separated
    by spaces, tabs or commas. Lines for the same INF add up; names are case-insensitive; `#` or `;`
    starts a comment. An INF listed without any section accepts every section.

        # Windows 11 24H2 (excerpt)
        ks.inf      KS.Registration, KS.Registration.NT
        wudfrd.inf  WUDFRD.NT WUDFRD.NT.Services
        usb.inf

  - FOLDER: a copy of a Windows `INF` folder; every `*.inf` in it is on the platform with the
    section headers it has (an INF that does not parse accepts every section).
- `--wbuild BUILD` (`/wbuild`, `10.0.17763` or `NTAMD64.10.0.0.17763`): the build from which
  /w is enforced on a driver with downlevel support (default 10.0.17763). A Models or
  DefaultInstall decoration that only older systems use (a newer one of the same line takes over
  before that build) is downlevel: isolation findings there get their /u level.
- `--rulever BUILD|vnext` (`/rulever`): checked for form and accepted; isodrv has one rule set.
- `--osver DECORATION` (`/osver`, `NTAMD64.10.0...22000`, `NTAMD64.10.0.0.22000` or `10.0.22000`):
  check only what that OS installs: SetupAPI's best Models decoration per Manufacturer line and
  the best DefaultInstall variant. Without it every target the INF declares is checked, and a
  finding in a section only some targets reach names its target (`target OS NTamd64.10.0...25952`).

1450 (/w warning, legacy non-isolated directive some OS versions or editions ignore) reports a
`CoInstallers32` registration of the KMDF, UMDF or WinUSB framework co-installer: the DLL is
copied outside the driver store, Windows 10 and later skip it, and 1303 exempts it. Other legacy
directives have error codes of their own (1300-1309).
)";
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
    } else if (lower == "/samples") {
      out.push_back("--samples");
    } else if (lower == "/info") {
      out.push_back("--info");
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
  check->add_option("--format", a->format, "Output: text, infverif, json, jsonl, sarif, github");
  check->add_option("-j,--jobs", a->jobs, "Check files in parallel");
  check->add_option("--baseline", a->baseline, "Accept the findings of a previous --format json report");
  check->add_option("--files-from", a->files_from, "Read paths, one per line, from FILE or - (stdin)");
  check->add_flag("--statistics", a->statistics, "Print counts per code");
  check->add_flag("--info", a->info, "Print each INF's summary: provider, class, version, models, IDs, services, files (/info)");
  check->add_flag("--verbose", a->verbose, "infverif format: print a verdict for every file");
  check->add_flag("--stampinf", a->stampinf, "Accept stampinf tokens ($ARCH$ …) as valid values");
  check->add_flag("--samples", a->samples, "The INFs are Microsoft driver samples (InfVerif /samples): no 1204");
  check->add_option("--arch", a->arch, "Target architecture (default amd64)");
  check->add_option("--osver", a->osver, "Target OS as a decoration, e.g. NTAMD64.10.0...22000");
  check->add_option("--provider", a->provider, "Expected Provider name (InfVerif /provider)");
  check->add_option("--wbuild", a->wbuild, "Build from which /w is enforced (/wbuild), e.g. 10.0.17763")->group("");
  check->add_option("--rulever", a->rulever, "Accepted for InfVerif compatibility (/rulever)")->group("");
  check->add_option("--product", a->product,
                    "Platform definition for Include/Needs (1317, 1318): a list of inbox INFs or an INF folder");
  check->add_option("--code", *code, "Explain a code instead of checking (InfVerif /code)");
  check->add_option("--codepage", a->codepage, "ANSI code page for files without a BOM (default 1252)");
  check->add_option("--progress", a->progress, "Progress on stderr: auto, always, never");
  check->add_option("--shard", a->shard, "Check part I of N of the files (a stable split by path hash; see report merge)");
  check->add_option("--sarif-base", a->sarif_base, "SARIF/GitHub paths are relative to DIR (default: current folder)");
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
