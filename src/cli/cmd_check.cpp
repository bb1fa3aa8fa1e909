// `isodrv check` and `isodrv explain`: InfVerif-compatible validation and rule documentation.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <iostream>
#include <sstream>

#include "cli/check_config.h"
#include "cli/commands.h"
#include "cli/report_options.h"
#include "cli/suggest.h"
#include "isodrv/check.h"
#include "isodrv/inf_values.h"
#include "isodrv/input.h"

namespace isodrv::cli {

// cmd_fix.cpp: check --fix writes the safe fixes of each file before it is checked.
int fix_safe_in_place(const std::vector<std::string>& paths, const check::Options& check_opts);

namespace {

struct CheckArgs {
  std::string mode;  // "" = the nearest configuration file's, else w
  std::string format;  // "" = the global --format, else text
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
  std::string html;        // --html FILE: the HTML page too, beside --format
  bool nul = false;                    // -0: lists are NUL-separated
  std::vector<int> suppress_warnings;  // /swNNNN
  std::vector<std::string> select, ignore, extend_select;
  bool warnings_as_errors = false;
  std::string project_root;
  std::string show_settings;
  bool fix = false;  // --fix: apply the safe fixes (isodrv fix --write) before checking
};

// FNV-1a of the path as given: the same partition on every machine and every run.
std::uint64_t path_hash(std::string_view path) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : path) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
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

std::optional<diag::Mode> parse_mode(std::string m) {
  m = inf::to_lower_ascii(m);
  if (m == "w") return diag::Mode::w;
  if (m == "u") return diag::Mode::u;
  if (m == "k") return diag::Mode::k;
  if (m == "h") return diag::Mode::h;
  return std::nullopt;
}

// The words read_input uses for a list over --max-input-size.
bool over_cap(std::uint64_t size, const std::string& name) {
  if (size <= max_input_size()) return false;
  std::cerr << "isodrv: cannot read the file list: "
            << Error(Errc::read_fault, "is larger than the " + std::to_string(max_input_size()) +
                                           "-byte input limit (raise it with --max-input-size)", name).to_string()
            << "\n";
  return true;
}

// A list that can be read only once (standard input, a pipe), copied into an unnamed temporary
// file, up to the input size cap, so that the run can read it twice. Null with the message printed.
std::shared_ptr<FILE> spool(int fd, const std::string& name) {
  std::shared_ptr<FILE> out(std::tmpfile(), [](FILE* f) { if (f) std::fclose(f); });
  if (!out) {
    std::cerr << "isodrv: cannot read the file list: no temporary file for a copy: " << std::strerror(errno) << "\n";
    return nullptr;
  }
  char buf[65536];
  std::uint64_t total = 0;
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || std::fwrite(buf, 1, static_cast<std::size_t>(n), out.get()) != static_cast<std::size_t>(n)) {
      std::cerr << "isodrv: cannot read the file list: " << name << ": " << std::strerror(errno) << "\n";
      return nullptr;
    }
    if (over_cap(total += static_cast<std::uint64_t>(n), name)) return nullptr;
  }
  if (std::fflush(out.get()) != 0) {
    std::cerr << "isodrv: cannot read the file list: " << name << ": " << std::strerror(errno) << "\n";
    return nullptr;
  }
  return out;
}

// --files-from FILE or '-' as a source of the input walk. A regular file is read in place (each
// pass over the inputs opens it again); standard input or a pipe is spooled first. The input size
// cap applies to lists as before. False, with the message printed, when the list cannot be read.
bool list_source(const std::string& from, check::InputWalk::Source& out) {
  const bool from_stdin = from == "-";
  const std::string name = from_stdin ? "<stdin>" : from;
  const int fd = from_stdin ? 0 : ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    if (fd > 0) ::close(fd);
    // read_input has the words for every way a file cannot be read.
    auto e = from_stdin ? read_input_fd(0, name) : read_input(from);
    std::cerr << "isodrv: cannot read the file list: " << (e ? name + ": is a directory" : e.error().to_string()) << "\n";
    return false;
  }
  out.path = from;
  out.list = true;
  if (!from_stdin && S_ISREG(st.st_mode)) {
    ::close(fd);
    return !over_cap(static_cast<std::uint64_t>(st.st_size), name);
  }
  out.open = spool(fd, name);
  if (fd > 0) ::close(fd);
  return out.open != nullptr;
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

// --osver: a Models decoration (NTAMD64.10.0...22000, NTAMD64.10.0.0.22000) or a bare version
// (10.0.22000), read by inf::parse_target_os; sets the exact target the decorated sections are chosen
// for and keeps the text for the rules.
bool apply_osver(const std::string& text, rules::CheckSettings& s) {
  auto t = inf::parse_target_os(text, s.target);
  if (!t.ok()) return false;
  s.target = t.value();
  s.target_os = text;
  return true;
}

// What the user gave, for the "no INF found" error: the arguments, or the list file.
std::string describe_inputs(const CheckArgs& a, const std::vector<std::string>& inputs) {
  std::string out;
  for (const auto& in : inputs) out += (out.empty() ? "" : ", ") + in;
  if (out.empty()) out = a.files_from.empty() || a.files_from == "-" ? "the list on standard input (it is empty)"
                                                                     : a.files_from + " (the list is empty)";
  return out;
}

// InfVerif's /swNNNN: a warning with that code is not reported (an error with it still is).
void suppress_warnings(diag::FileResult& f, const std::vector<int>& codes) {
  std::erase_if(f.diagnostics, [&](const diag::Diagnostic& d) {
    return d.severity == diag::Severity::warning && std::find(codes.begin(), codes.end(), d.code) != codes.end();
  });
}

// Prints a usage/configuration error and returns its exit code.
int usage_error(const std::string& msg) {
  std::cerr << "isodrv: " << msg << "\n";
  return kExitUsage;
}

// The options that do not depend on a configuration file: validated once.
int base_options(const CheckArgs& a, check::Options& opts) {
  auto arch = inf::parse_arch(a.arch);
  if (!arch) return usage_error("unknown architecture '" + a.arch + "'");
  opts.settings.target.arch = *arch;
  opts.settings.stampinf = a.stampinf;
  opts.settings.provider = a.provider;
  opts.settings.samples = a.samples;
  opts.codepage = a.codepage;
  opts.jobs = a.jobs ? a.jobs : 1;
  opts.summary = a.info;
  if (!a.rulever.empty() && a.rulever != "vnext" && !is_dotted_number(a.rulever, 1) && !is_dotted_number(a.rulever, 3)) {
    return usage_error("--rulever takes an OS build (22621 or 10.0.22621) or vnext");
  }
  if (inf::to_lower_ascii(a.rulever) == "vnext") {
    opts.settings.rulever_vnext = true;
  } else if (!a.rulever.empty()) {
    // The build is the last dotted part: "22621" or "10.0.22621".
    const std::string build = a.rulever.substr(a.rulever.rfind('.') + 1);
    auto n = inf::parse_u32(build);
    if (!n) return usage_error("--rulever " + a.rulever + ": the build is not a 32-bit number");
    opts.settings.rulever = *n;
  }
  for (const auto* list : {&a.select, &a.ignore, &a.extend_select}) {
    for (const auto& c : *list) {
      if (!check::valid_selector(c)) return usage_error("'" + c + "' is not a rule code or code prefix (e.g. 1322 or 13)");
    }
  }
  // /wbuild: the build from which /w is enforced (downlevel decorations below it); both syntaxes.
  // (--osver is applied per configuration group, in group_options.)
  if (!a.wbuild.empty()) {
    auto t = inf::parse_target_os(a.wbuild);
    if (!t.ok()) {
      std::cerr << "isodrv: --wbuild: " << t.error().message << "\n";
      return kExitUsage;
    }
    const auto& w = t.value();
    opts.settings.target.w_from_build = w.major < 10 ? 0 : w.major > 10 ? 0xFFFFFFFFu : w.build;
    opts.settings.wbuild = a.wbuild;
  }
  if (a.progress != "auto" && a.progress != "always" && a.progress != "never") {
    return usage_error("--progress must be one of auto, always, never");
  }
  if (!a.product.empty()) {
    auto product = check::load_product(a.product);
    if (!product.ok()) {
      std::cerr << "isodrv: " << product.error().to_string() << "\n";
      return product.error().code == Errc::file_not_found ? kExitUnreadable : kExitUsage;
    }
    opts.settings.product = std::make_shared<rules::Product>(std::move(product.value()));
  }
  return kExitOk;
}

// The inputs, walked as checking proceeds: the arguments, '-' and --files-from, in that order.
// Null with the exit code in `rc` on failure.
std::unique_ptr<check::InputWalk> open_inputs(const CheckArgs& a, int& rc) {
  std::vector<check::InputWalk::Source> sources;
  bool stdin_read = false;
  auto add_list = [&](const std::string& from) {
    if (from == "-" && std::exchange(stdin_read, true)) return true;  // standard input is empty by now
    check::InputWalk::Source s;
    if (!list_source(from, s)) return false;
    sources.push_back(std::move(s));
    return true;
  };
  for (const auto& in : a.inputs) {
    if (in != "-") sources.push_back({in, false, nullptr});
    else if (!add_list("-")) {
      rc = kExitUnreadable;
      return nullptr;
    }
  }
  if (!a.files_from.empty() && !add_list(a.files_from)) {
    rc = kExitUnreadable;
    return nullptr;
  }
  if (a.inputs.empty() && a.files_from.empty()) {
    rc = usage_error("check needs at least one INF, folder, or '-' for a list on stdin");
    return nullptr;
  }
  auto walk = std::make_unique<check::InputWalk>(std::move(sources), a.nul);
  walk->watched_names = config_file_names();  // a folder listed without one of them is not probed
  return walk;
}

// What a first pass over the inputs finds, holding no list of paths: how many files there are
// before and after --shard, the first file of the shard, and the configurations that apply.
struct Survey {
  std::size_t found = 0, files = 0;
  std::string first;
  std::map<std::string, FileConfig> configs;  // by file: the groups, checked in this order
  std::optional<Error> config_error;          // the first configuration that did not load
  std::vector<std::string> given;             // the inputs as given, kept while no file is found
  std::optional<std::string> cwd;             // the working directory, read once for the lookups
};

// The configuration of a file the walk has just returned: the walk's listing of its folder and the
// working directory read once spare the lookup's system calls. Valid until the next lookup.
Result<const FileConfig*> config_of_walked(const std::string& p, const check::InputWalk& walk, const Survey& s) {
  ConfigHints hints;
  hints.folder_has_config_name = walk.watched_in_folder();
  hints.cwd = s.cwd ? &*s.cwd : nullptr;
  return find_config_ref(p, ConfigFor::file, hints);
}

Survey survey_inputs(check::InputWalk& walk, const std::function<bool(const std::string&)>& in_shard) {
  Survey s;
  std::error_code ec;
  if (const std::filesystem::path cwd = std::filesystem::current_path(ec); !ec) s.cwd = cwd.string();
  if (s.cwd) walk.cwd = *s.cwd;
  walk.on_input = [&](const std::string& in) {
    if (!s.found) s.given.push_back(in);
  };
  for (std::string p; walk.next(p);) {
    ++s.found;
    if (!in_shard(p)) continue;
    if (!s.files++) s.first = p;
    if (s.config_error) continue;
    auto c = config_of_walked(p, walk, s);
    if (!c) s.config_error = c.error();
    else if (!s.configs.count((*c)->file)) s.configs.emplace((*c)->file, **c);
  }
  walk.on_input = nullptr;
  if (s.found) s.given.clear();
  return s;
}

// What applies to one file: the command line over the nearest configuration file.
struct Effective {
  FileConfig config;
  std::string mode = "w", target_os, format = "text", baseline;
  check::Selection selection;
};

// A glob of a configuration file, made relative to the project root like result paths.
std::string rooted_glob(const std::string& glob, const FileConfig& c, const std::string& root) {
  if (glob.find('/') == std::string::npos || c.dir.empty()) return glob;
  const std::string dir = check::display_path(c.dir, root);
  return dir == "." || dir.empty() ? glob : dir + "/" + glob;
}

Effective effective(const CheckArgs& a, const Context& ctx, const FileConfig& c, const std::string& root) {
  Effective e;
  e.config = c;
  auto relative_to_config = [&](const std::string& p) { return c.dir.empty() || p.starts_with("/") ? p : c.dir + "/" + p; };
  if (c.mode) e.mode = *c.mode;
  if (!a.mode.empty()) e.mode = a.mode;
  if (c.target_os) e.target_os = *c.target_os;
  if (!a.osver.empty()) e.target_os = a.osver;
  if (c.format) e.format = *c.format;
  if (!ctx.format.empty()) e.format = ctx.format;
  if (!a.format.empty()) e.format = a.format;
  if (c.baseline) e.baseline = relative_to_config(*c.baseline);
  if (!a.baseline.empty()) e.baseline = a.baseline;
  e.selection.select = a.select.empty() ? c.select.value_or(std::vector<std::string>{}) : a.select;
  e.selection.ignore = c.ignore;
  e.selection.ignore.insert(e.selection.ignore.end(), a.ignore.begin(), a.ignore.end());
  // --extend-select adds to what is selected; with nothing selected everything already is.
  std::vector<std::string> extend = c.extend_select;
  extend.insert(extend.end(), a.extend_select.begin(), a.extend_select.end());
  if (!e.selection.select.empty()) e.selection.select.insert(e.selection.select.end(), extend.begin(), extend.end());
  for (const auto& [glob, codes] : c.per_file_ignores) e.selection.per_file_ignores.emplace_back(rooted_glob(glob, c, root), codes);
  e.selection.warnings_as_errors = a.warnings_as_errors || c.warnings_as_errors.value_or(false);
  return e;
}

std::string joined_or(const std::vector<std::string>& v, const std::string& none) {
  if (v.empty()) return none;
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// check --show-settings PATH: what applies to PATH, one "key: value" per line.
int show_settings(const CheckArgs& a, const Context& ctx, const std::string& root) {
  auto c = find_config(a.show_settings);
  if (!c) return usage_error(c.error().to_string());
  const Effective e = effective(a, ctx, *c, root);
  const std::string shown = check::display_path(a.show_settings, root);
  std::cout << "path: " << shown << "\n"
            << "project-root: " << root << "\n"
            << "config: " << (c->file.empty() ? "(none; defaults and command line)" : c->file) << "\n"
            << "mode: " << e.mode << "\n"
            << "target-os: " << (e.target_os.empty() ? "(default: 10.0.26100, --arch)" : e.target_os) << "\n"
            << "select: " << joined_or(e.selection.select, "(all)") << "\n"
            << "ignore: " << joined_or(e.selection.ignore, "(none)") << "\n";
  for (const auto& [glob, codes] : e.selection.per_file_ignores) {
    bool applies = false;
    check::Selection probe;
    probe.per_file_ignores = {{glob, {""}}};
    applies = !probe.selects(1000, shown);
    std::cout << "per-file-ignores: " << glob << " = " << joined_or(codes, "") << (applies ? " (applies)" : " (does not apply)") << "\n";
  }
  std::cout << "warnings-as-errors: " << (e.selection.warnings_as_errors ? "true" : "false") << "\n"
            << "baseline: " << (e.baseline.empty() ? "(none)" : e.baseline) << "\n"
            << "format: " << e.format << "\n";
  return kExitOk;
}

// Options for one group of files that share a configuration; exit code on a bad value.
int group_options(const Effective& e, check::Options& opts) {
  auto mode = parse_mode(e.mode);
  if (!mode) return usage_error("mode must be one of w, u, k, h (from " + (e.config.file.empty() ? std::string("--mode") : e.config.file) + ")");
  opts.settings.mode = *mode;
  if (!e.target_os.empty() && !apply_osver(e.target_os, opts.settings)) {
    return usage_error("--osver takes a decoration such as NTAMD64.10.0...22000, or a version such as 10.0.22000");
  }
  return kExitOk;
}

// Checks every file with the settings of its nearest configuration, in input order: each run of
// consecutive files that share a configuration file is one check_stream (parallel within it),
// and each result, selected as its configuration says, goes to `sink` as soon as it is checked.
// The files come from one more pass over the inputs; the survey has found every configuration.
int check_grouped(const CheckArgs& a, const Context& ctx, check::InputWalk& walk,
                  const std::function<bool(const std::string&)>& in_shard, const Survey& survey,
                  const check::Options& base, const std::function<void(diag::FileResult&&)>& sink) {
  if (survey.config_error) return usage_error(survey.config_error->to_string());
  // A bad value in any configuration is refused before anything is written.
  for (const auto& [file, config] : survey.configs) {
    check::Options probe = base;
    if (int rc = group_options(effective(a, ctx, config, base.project_root), probe); rc != kExitOk) return rc;
  }
  // The next file of the shard and its configuration file, looked at before it is handed over.
  std::string pending, pending_config;
  auto advance = [&] {
    for (std::string p; walk.next(p);) {
      if (!in_shard(p)) continue;
      pending = std::move(p);
      if (survey.configs.size() > 1) {
        auto c = config_of_walked(pending, walk, survey);
        pending_config = c ? (*c)->file : std::string();
      }
      return true;
    }
    return false;
  };
  walk.rewind();
  bool more = advance();
  while (more) {
    const std::string file = survey.configs.size() > 1 ? pending_config : survey.configs.begin()->first;
    auto found = survey.configs.find(file);
    if (found == survey.configs.end()) return usage_error(pending + ": its configuration changed during the run");
    const Effective e = effective(a, ctx, found->second, base.project_root);
    check::Options opts = base;
    if (int rc = group_options(e, opts); rc != kExitOk) return rc;
    auto next = [&](std::string& p) {
      if (!more || (survey.configs.size() > 1 && pending_config != file)) return false;
      p = std::move(pending);
      more = advance();
      return true;
    };
    check::check_stream(next, opts, [&](diag::FileResult&& f) {
      check::apply_selection(e.selection, f);
      sink(std::move(f));
    });
  }
  return kExitOk;
}

// How the report is written: the format and the rule table's names and help (rule_doc).
diag::RenderOptions render_options(const CheckArgs& a, diag::Format format) {
  diag::RenderOptions ropts;
  ropts.format = format;
  ropts.rules = rule_doc;
  ropts.statistics = a.statistics;
  ropts.info = a.info;
  ropts.verbose = a.verbose;
  return ropts;
}

// --fix: each file of the walk gets its safe fixes written before anything is checked.
int fix_before_check(const CheckArgs& a, const check::Options& opts, check::InputWalk& walk,
                     const std::function<bool(const std::string&)>& in_shard) {
  check::Options fix_opts = opts;
  if (auto m = parse_mode(a.mode.empty() ? "w" : a.mode)) fix_opts.settings.mode = *m;
  int frc = kExitOk;
  walk.rewind();
  for (std::string p; walk.next(p);) {
    if (in_shard(p)) frc = combine_exit(frc, fix_safe_in_place({p}, fix_opts));
  }
  walk.rewind();
  return frc;
}

// The run's baseline, when the configuration or --baseline names one.
int load_run_baseline(const std::string& path, const std::string& root, std::optional<check::Baseline>& out) {
  if (path.empty()) return kExitOk;
  auto b = check::load_baseline(path, root);
  if (!b.ok()) {
    std::cerr << "isodrv: " << b.error().to_string() << "\n";
    return exit_for(b.error()) == kExitUnreadable ? kExitUnreadable : kExitUsage;
  }
  out = std::move(b.value());
  return kExitOk;
}

int run_check(CheckArgs a, const Context& ctx) {
  a.verbose = a.verbose || ctx.verbose;
  a.progress = inf::to_lower_ascii(a.progress);
  std::string root, root_error;
  if (!resolve_project_root(a.project_root, root, root_error)) {
    std::cerr << "isodrv: " << root_error << "\n";
    return kExitUnreadable;
  }
  check::Options opts;
  opts.project_root = root;
  if (int rc = base_options(a, opts); rc != kExitOk) return rc;
  if (!a.show_settings.empty()) return show_settings(a, ctx, root);
  int rc = kExitOk;
  auto walk = open_inputs(a, rc);
  if (!walk) return rc;
  const auto shard = a.shard.empty() ? std::nullopt : parse_shard(a.shard);
  auto in_shard = [&](const std::string& p) { return !shard || path_hash(p) % shard->second == shard->first - 1; };
  const Survey survey = survey_inputs(*walk, in_shard);
  // A wrong path or an empty list must not pass a CI job silently.
  if (!survey.found) {
    std::cerr << "isodrv: no INF or INX file found in " << describe_inputs(a, survey.given) << "\n";
    return kExitUnreadable;
  }
  if (!a.shard.empty() && !shard) return usage_error("--shard takes I/N with 1 <= I <= N, e.g. 2/8");
  if (a.fix) {
    if (int frc = fix_before_check(a, opts, *walk, in_shard); frc != kExitOk) return frc;
  }

  // Settings that concern the whole run (output format, baseline) come from the configuration
  // that applies to the working directory, else to the first input.
  auto here = find_config(".");
  if (here && here->file.empty() && survey.files) here = find_config(survey.first);
  if (!here) return usage_error(here.error().to_string());
  const Effective run = effective(a, ctx, *here, root);
  auto format = parse_format(inf::to_lower_ascii(run.format));
  if (!format) return usage_error("--format must be one of text, infverif, json, jsonl, sarif, github");
  std::optional<check::Baseline> baseline;
  if (int brc = load_run_baseline(run.baseline, root, baseline); brc != kExitOk) return brc;

  const bool progress = a.progress == "always" || (a.progress == "auto" && progress_wanted() && survey.files > 20);
  if (progress) {
    const std::size_t total = survey.files;
    opts.on_progress = [total](std::size_t done) {
      std::cerr << "\rchecked " << done << "/" << total << " files" << std::flush;
    };
  }
  const diag::RenderOptions ropts = render_options(a, *format);
  diag::PathBase path_base;
  std::string base_error;
  if (!set_path_base(path_base, a.sarif_base, root, base_error)) {
    std::cerr << "isodrv: " << base_error << "\n";
    return kExitUsage;
  }
  // Each file is written as soon as it is checked and then dropped (check_stream keeps the order).
  WithHtmlFile* html = nullptr;
  auto writer = make_report_writer(ropts, path_base, parse_mode(run.mode).value_or(diag::Mode::w), ISODRV_VERSION, a.html,
                                   html, base_error);
  if (!writer) return usage_error(base_error);
  std::optional<check::BaselineFilter> filter;
  if (baseline) filter.emplace(*baseline);
  int code = kExitOk;
  const int grc = check_grouped(a, ctx, *walk, in_shard, survey, opts, [&](diag::FileResult&& f) {
    if (!a.suppress_warnings.empty()) suppress_warnings(f, a.suppress_warnings);
    if (filter) filter->apply(f);
    if (f.unreadable) code = combine_exit(code, kExitUnreadable);
    else if (!f.valid) code = combine_exit(code, kExitFindings);
    // The output goes to the terminal too: clear the progress line before it, the next update redraws it.
    if (progress && !f.diagnostics.empty()) std::cerr << "\r\033[K" << std::flush;
    writer->file(f);
  });
  if (progress) std::cerr << "\r\033[K" << std::flush;
  if (grc != kExitOk) return grc;
  // The summaries say how much the baseline hid; the counts beside it are what is reported.
  if (filter) writer->set_baseline_accepted(filter->accepted());
  writer->finish();
  if (html && !html->commit(base_error)) return usage_error(base_error);
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
  if (r.has_fix) {
    out += "Fix: " + std::string(diag::fix_safety_name(r.fix_safety)) +
           (r.fix_safety == diag::FixSafety::safe ? " (isodrv fix --write, check --fix)"
                                                   : " (isodrv fix --write --unsafe-fixes; see fix --report)") +
           "\n  " + std::string(r.fix) + "\n";
  }
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
  if (r.has_fix) {
    out += "\n## Fix (" + std::string(diag::fix_safety_name(r.fix_safety)) + ")\n\n" + std::string(r.fix) +
           "\nSee [isodrv fix](../fix.md).\n";
  }
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
- `--rulever BUILD|vnext` (`/rulever`): with /h, the newest OS build whose signing rules apply (each Models
  section is checked with the rules of the last build that uses it, never above this; a section first used
  on a later build is not checked at all); `vnext`: the rules expected next, which keep no /h DIRID
  exceptions.
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

// A rule by code ("1322") or by the name check prints ("file-copied-destination-other", any case).
const rules::RuleInfo* find_rule_by_name(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() < 9) {
    return rules::find_rule(std::stoi(text));
  }
  const std::string lower = inf::to_lower_ascii(text);
  for (const auto& r : rules::all_rules()) {
    if (inf::to_lower_ascii(std::string(r.slug)) == lower) return &r;
  }
  return nullptr;
}

}  // namespace

enum class ExplainFormat { text, markdown };

int run_explain(const std::string& code_text, ExplainFormat format) {
  const bool markdown = format == ExplainFormat::markdown;
  if (code_text == "index") {
    std::cout << markdown_index();
    return kExitOk;
  }
  const rules::RuleInfo* r = find_rule_by_name(code_text);
  if (!r) {
    std::string msg = "isodrv: no rule '" + code_text + "' (give a code such as 1322 or a rule name such as the one check prints)";
    std::vector<std::string> slugs;
    for (const auto& rule : rules::all_rules()) slugs.emplace_back(rule.slug);
    if (auto s = closest(code_text, slugs); !s.empty()) msg += "; did you mean " + s + "?";
    std::cerr << msg << "\n";
    return kExitUsage;
  }
  std::cout << (markdown ? markdown_page(*r) : explain_text(*r));
  return kExitOk;
}

void register_check_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<CheckArgs>();
  auto code = std::make_shared<std::string>();
  auto* check = app.add_subcommand("check", "Validate INF/INX files like InfVerif (/w /u /k /h)");
  check->footer(R"(InfVerif's options work too: /w /u /k /h (one mode), /v, /code N, /osver X, /wbuild X,
/rulever X, /provider X, /product X, /samples, /info, /stampinf, /swNNNN (do not report warning
NNNN). A link named infverif runs this command.

Configuration: isodrv.toml, .isodrv.toml or [tool.isodrv] in pyproject.toml, found from each
input's folder upward, with keys mode, target-os, select, ignore, extend-select, per-file-ignores
("glob" = [codes]), warnings-as-errors, baseline and format. The command line wins over the file.

Suppress one finding in the INF with `; isodrv: ignore[1322] reason` on its line or the line above.
)" + exit_code_help());
  check->add_option("--mode", a->mode, "Validation mode: w (isolation, default), u, k, h");
  check->add_option("--format", a->format, "Output: text, infverif, json, jsonl, sarif, github, html");
  check->add_option("-j,--jobs", a->jobs, "Check files in parallel");
  check->add_option("--baseline", a->baseline,
                    "Accept the findings of a previous --format json report (matched by code, file, section and line text; "
                    "paths relative to the project root)");
  check->add_option("--select", a->select, "Report only these codes or code prefixes (13 = every 13xx), comma-separated")
      ->delimiter(',')->allow_extra_args(false);
  check->add_option("--ignore", a->ignore, "Do not report these codes or code prefixes; the longest matching entry wins")
      ->delimiter(',')->allow_extra_args(false);
  check->add_option("--extend-select", a->extend_select, "Add codes or prefixes to those selected by --select or the configuration")
      ->delimiter(',')->allow_extra_args(false);
  check->add_flag("--warnings-as-errors", a->warnings_as_errors,
                  "Count every reported warning as an error (InfVerif -warnaserror as the WDK samples use it)");
  check->add_option("--project-root", a->project_root,
                    "Folder that paths in the output and the baseline are relative to (default: the enclosing git "
                    "top-level, else the current folder)");
  check->add_option("--show-settings", a->show_settings,
                    "Print the settings that apply to PATH (configuration file, mode, selection, baseline, format) and exit");
  check->add_option("--files-from", a->files_from,
                    "Read paths from FILE or - (stdin): one per line, '#' starts a comment line; with -0, NUL-separated");
  check->add_flag("-0,--null", a->nul, "Lists (--files-from, -) are NUL-separated, as find -print0 writes them");
  check->add_option("--suppress-warning", a->suppress_warnings,
                    "Do not report this warning code (InfVerif /swNNNN); repeatable")->delimiter(',')->allow_extra_args(false);
  check->add_flag("--statistics", a->statistics, "Print counts per code");
  check->add_flag("--info", a->info, "Print each INF's summary: provider, class, version, models, IDs, services, files (/info)");
  check->add_flag("--verbose", a->verbose, "infverif format: print a verdict for every file");
  check->add_flag("--stampinf", a->stampinf, "Accept stampinf tokens ($ARCH$ …) as valid values");
  check->add_flag("--samples", a->samples, "The INFs are Microsoft driver samples (InfVerif /samples): no 1204");
  check->add_option("--arch", a->arch, "Target architecture (default amd64)");
  check->add_option("--osver", a->osver, "Target OS as a decoration, e.g. NTAMD64.10.0...22000");
  check->add_option("--provider", a->provider, "Expected Provider name (InfVerif /provider)");
  check->add_option("--wbuild", a->wbuild, "Build from which /w is enforced (/wbuild), e.g. 10.0.17763")->group("");
  check->add_option("--rulever", a->rulever, "/h: the newest OS build whose signing rules apply, or vnext (/rulever)")->group("");
  check->add_option("--product", a->product,
                    "Platform definition for Include/Needs (1317, 1318): a list of inbox INFs or an INF folder");
  check->add_flag("--fix", a->fix, "Apply the safe fixes first (as isodrv fix --write), then check");
  check->add_option("--code", *code, "Explain a code instead of checking (InfVerif /code)");
  check->add_option("--codepage", a->codepage, "ANSI code page for files without a BOM (default 1252)");
  check->add_option("--progress", a->progress, "Progress on stderr: auto, always, never");
  check->add_option("--shard", a->shard, "Check part I of N of the files (a stable split by path hash; see report merge)");
  check->add_option("--html", a->html, "Also write the HTML report to FILE, beside the --format output");
  check->add_option("--sarif-base", a->sarif_base, "SARIF/GitHub paths are relative to DIR (default: the project root)");
  check->add_option("PATH", a->inputs, "INF/INX files, folders, or - for a list on stdin");
  check->callback([a, code, &ctx] {
    int rc = code->empty() ? run_check(*a, ctx) : run_explain(*code, ExplainFormat::text);
    ctx.exit_code = combine_exit(ctx.exit_code, rc);
  });

  auto* explain = app.add_subcommand("explain", "Explain a rule code: what it checks, why, and how to fix it");
  auto explain_code = std::make_shared<std::string>();
  auto markdown = std::make_shared<bool>(false);
  explain->add_option("CODE", *explain_code, "Rule code (1322) or rule name (file-copied-destination-other), or 'index' for the list of all codes")->required();
  explain->add_flag("--markdown", *markdown, "Markdown, as in docs/rules/");
  explain->callback([explain_code, markdown, &ctx] {
    ctx.exit_code = combine_exit(ctx.exit_code, run_explain(*explain_code, *markdown ? ExplainFormat::markdown : ExplainFormat::text));
  });
}

}  // namespace isodrv::cli
