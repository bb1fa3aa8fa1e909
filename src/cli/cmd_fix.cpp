// `isodrv fix`: rewrites INFs toward isolation (a diff by default, --write to change the files), and
// `fix --report`, the migration report: what the driver's code must call after each unsafe fix.
// Also the helper behind `check --fix`.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "isodrv/fix.h"
#include "isodrv/stamp.h"

namespace isodrv::cli {
namespace {

struct FixArgs {
  std::string mode = "w";
  std::string format;  // "" = the global --format, else text
  std::string arch = "amd64";
  bool diff = false, write = false, unsafe = false, report = false;
  std::vector<std::string> select;
  std::vector<std::string> inputs;
};

std::string where(const std::string& path, std::uint32_t line) {
  return line ? path + ":" + std::to_string(line) : path;
}

// Findings left that a fix could still change (an unsafe fix without --unsafe-fixes).
std::size_t pending(const fix::FileFix& f) {
  std::size_t n = 0;
  for (const auto& d : f.after.diagnostics) n += d.fix && d.fix->available();
  return n;
}

bool not_an_inf(const fix::FileFix& f) {
  for (const auto& d : f.after.diagnostics) {
    if (d.code == 1001 || d.code == 1002) return true;
  }
  return false;
}

void text_notes(const fix::FileFix& f, bool write, std::ostream& out) {
  for (const auto& d : f.applied) {
    out << where(f.path, d.line) << ": " << d.code << (write ? " fixed" : " would fix") << " ("
        << diag::fix_safety_name(d.fix->safety) << "): " << d.fix->description << "\n";
  }
  // A written file is read with its new line numbers; a diff is read against the original.
  for (std::size_t i = 0; i < f.after.diagnostics.size(); ++i) {
    const auto& d = f.after.diagnostics[i];
    const std::uint32_t line = write ? d.line : f.after_original_lines[i];
    if (d.code == 1001 || d.code == 1002) out << where(f.path, line) << ": " << d.code << " not a valid INF: " << d.message << "\n";
    if (!d.fix) continue;
    if (d.fix->available()) {
      out << where(f.path, line) << ": " << d.code << " unsafe fix not applied (use --unsafe-fixes): " << d.fix->description
          << "\n";
    } else if (!d.fix->reason.empty()) {
      out << where(f.path, line) << ": " << d.code << " no automatic fix: " << d.fix->reason << "\n";
    }
  }
}

nlohmann::json migration_json(const std::string& path, const diag::Diagnostic& d, const diag::Migration& m) {
  return {{"file", path}, {"code", d.code}, {"kind", m.kind}, {"api", m.api}, {"before", m.before}, {"after", m.after},
          {"line", m.line}, {"inf_line", m.inf_text}};
}

nlohmann::json file_json(const fix::FileFix& f, bool write, const std::string& diff) {
  nlohmann::json applied = nlohmann::json::array(), left = nlohmann::json::array();
  for (const auto& d : f.applied) {
    nlohmann::json migrations = nlohmann::json::array();
    for (const auto& m : d.fix->migrations) migrations.push_back(migration_json(f.path, d, m));
    applied.push_back({{"code", d.code}, {"line", d.line}, {"section", d.section}, {"message", d.message},
                       {"safety", diag::fix_safety_name(d.fix->safety)}, {"description", d.fix->description},
                       {"migrations", migrations}});
  }
  for (std::size_t i = 0; i < f.after.diagnostics.size(); ++i) {
    const auto& d = f.after.diagnostics[i];
    nlohmann::json j = {{"code", d.code}, {"line", write ? d.line : f.after_original_lines[i]}, {"section", d.section}, {"message", d.message},
                        {"severity", diag::severity_name(d.severity)}, {"fix", nullptr}};
    if (d.fix) {
      j["fix"] = {{"safety", diag::fix_safety_name(d.fix->safety)}, {"available", d.fix->available()},
                  {"description", d.fix->description}, {"reason", d.fix->reason}};
    }
    left.push_back(j);
  }
  return {{"path", f.path}, {"changed", f.changed()}, {"written", write && f.changed()}, {"applied", applied},
          {"remaining", left}, {"diff", diff}};
}

// The migration report: one entry per move an unsafe fix made, with the API the code must use.
using ReportRows = std::vector<std::pair<const fix::FileFix*, const diag::Diagnostic*>>;

ReportRows report_rows(const std::vector<fix::FileFix>& files) {
  ReportRows rows;
  for (const auto& f : files) {
    for (const auto& d : f.applied) {
      if (d.fix->safety == diag::FixSafety::unsafe && !d.fix->migrations.empty()) rows.emplace_back(&f, &d);
    }
  }
  return rows;
}

void print_report_json(const ReportRows& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (auto [f, d] : rows) {
    for (const auto& m : d->fix->migrations) out.push_back(migration_json(f->path, *d, m));
  }
  std::cout << nlohmann::json{{"tool", {{"name", "isodrv"}, {"version", ISODRV_VERSION}}}, {"migrations", out}}.dump(2)
            << "\n";
}

void print_report_md(const ReportRows& rows) {
  std::cout << "# Migration report\n\n| INF line | code | moved | before | after | the driver's code calls |\n"
               "|---|---|---|---|---|---|\n";
  for (auto [f, d] : rows) {
    for (const auto& m : d->fix->migrations) {
      std::cout << "| " << where(f->path, m.line) << " `" << m.inf_text << "` | " << d->code << " | " << m.kind << " | `"
                << m.before << "` | `" << m.after << "` | " << m.api << " |\n";
    }
  }
  if (rows.empty()) std::cout << "\nNo unsafe fix moves state: the driver's code needs no change.\n";
}

void print_report_text(const ReportRows& rows) {
  for (auto [f, d] : rows) {
    for (const auto& m : d->fix->migrations) {
      std::cout << where(f->path, m.line) << ": " << d->code << " " << m.kind << "\n  INF line: " << m.inf_text
                << "\n  before:   " << m.before << "\n  after:    " << m.after << "\n  code:     " << m.api << "\n";
    }
  }
  if (rows.empty()) std::cout << "No unsafe fix moves state: the driver's code needs no change.\n";
}

void print_report(const std::vector<fix::FileFix>& files, const std::string& format) {
  const ReportRows rows = report_rows(files);
  if (format == "json") return print_report_json(rows);
  if (format == "md") return print_report_md(rows);
  print_report_text(rows);
}

// Usage problems of the options, or kExitOk with `opts` filled.
int fix_options(const FixArgs& a, fix::Options& opts) {
  const std::string mode = inf::to_lower_ascii(a.mode);
  if (mode != "w" && mode != "u" && mode != "k" && mode != "h") {
    std::cerr << "isodrv: mode must be one of w, u, k, h\n";
    return kExitUsage;
  }
  opts.check.settings.mode = mode == "k" ? diag::Mode::k : mode == "u" ? diag::Mode::u : mode == "h" ? diag::Mode::h : diag::Mode::w;
  auto arch = inf::parse_arch(a.arch);
  if (!arch) {
    std::cerr << "isodrv: unknown architecture '" << a.arch << "'\n";
    return kExitUsage;
  }
  opts.check.settings.target.arch = *arch;
  for (const auto& c : a.select) {
    if (!check::valid_selector(c)) {
      std::cerr << "isodrv: '" << c << "' is not a rule code or code prefix (e.g. 1322 or 13)\n";
      return kExitUsage;
    }
  }
  opts.selection.select = a.select;
  // The report says what the unsafe fixes would move even when they are not written.
  opts.unsafe = a.unsafe || (a.report && !a.write);
  return kExitOk;
}

void print_summary(bool write, std::size_t applied, std::size_t changed, std::size_t pending, std::size_t no_fix) {
  std::ostream& out = write ? std::cout : std::cerr;
  out << (write ? "Fixed " : "Would fix ") << applied << " finding" << (applied == 1 ? "" : "s") << " in " << changed
      << " file" << (changed == 1 ? "" : "s") << "; " << pending << " unsafe fix" << (pending == 1 ? "" : "es")
      << " not applied; " << no_fix << " finding" << (no_fix == 1 ? "" : "s") << " with no automatic fix\n";
}

// What the files fixed so far add up to, and what the report and JSON output collect.
struct FixRun {
  int rc = kExitOk;
  std::size_t applied = 0, changed = 0, pending = 0, no_fix = 0;
  std::vector<fix::FileFix> results;           // --report
  nlohmann::json files = nlohmann::json::array();  // --format json
};

// Writes the fixed file (with --write); false, with the error said, when that fails.
bool write_fixed(const std::string& path, const fix::FileFix& f, const FixArgs& a) {
  if (!a.write || !f.changed()) return true;
  if (auto s = stamp::write_file_atomic(path, f.fixed); !s.ok()) {
    std::cerr << "isodrv: " << s.error().to_string() << "\n";
    return false;
  }
  return true;
}

// Fixes one file and renders it (text) or keeps it for the report or the JSON document.
void fix_one(const std::string& p, const FixArgs& a, const fix::Options& opts, const std::string& format, FixRun& run) {
  fix::FileFix f = fix::fix_file(p, opts);
  if (f.unreadable) {
    std::cerr << "isodrv: " << f.error << "\n";
    run.rc = combine_exit(run.rc, kExitUnreadable);
    return;
  }
  if (!write_fixed(p, f, a)) {
    run.rc = combine_exit(run.rc, kExitUnreadable);
    return;
  }
  const std::string diff = (!a.write || a.diff) ? fix::unified_diff(f.original, f.fixed, p, opts.check.codepage) : "";
  run.applied += f.applied.size();
  run.changed += f.changed();
  run.pending += pending(f);
  for (const auto& d : f.after.diagnostics) run.no_fix += d.fix && !d.fix->available();
  if (not_an_inf(f)) run.rc = combine_exit(run.rc, kExitFindings);
  if (!a.write && f.changed()) run.rc = combine_exit(run.rc, kExitFindings);
  if (pending(f)) run.rc = combine_exit(run.rc, kExitFindings);
  if (a.report) {
    run.results.push_back(std::move(f));
  } else if (format == "json") {
    run.files.push_back(file_json(f, a.write, diff));
  } else {
    std::cout << diff;
    text_notes(f, a.write, a.write ? std::cout : std::cerr);
  }
}

void print_fix_json(const FixRun& run, std::size_t file_count) {
  std::cout << nlohmann::json{{"tool", {{"name", "isodrv"}, {"version", ISODRV_VERSION}}},
                              {"files", run.files},
                              {"summary", {{"files", file_count}, {"changed", run.changed}, {"fixed", run.applied},
                                           {"unsafe_not_applied", run.pending}, {"no_automatic_fix", run.no_fix}}}}
                   .dump(2)
            << "\n";
}

int run_fix(FixArgs a, const Context& ctx) {
  std::string format = inf::to_lower_ascii(!a.format.empty() ? a.format : !ctx.format.empty() ? ctx.format : "text");
  if (format != "text" && format != "json" && !(a.report && format == "md")) {
    std::cerr << "isodrv: --format must be text or json (and md with --report)\n";
    return kExitUsage;
  }
  fix::Options opts;
  if (int rc = fix_options(a, opts); rc != kExitOk) return rc;
  std::vector<std::string> missing;
  const auto paths = check::expand_inputs(a.inputs, missing);
  FixRun run;
  for (const auto& m : missing) {
    // A missing file named as such stays among the paths, and fixing it reports it (once).
    if (std::find(paths.begin(), paths.end(), m) == paths.end()) std::cerr << "isodrv: " << m << ": no such file or folder\n";
    run.rc = combine_exit(run.rc, kExitUnreadable);
  }
  if (paths.empty()) {
    if (missing.empty()) std::cerr << "isodrv: no INF or INX file found\n";
    return kExitUnreadable;
  }
  for (const auto& p : paths) fix_one(p, a, opts, format, run);
  if (a.report) {
    print_report(run.results, format);
    return run.rc == kExitUnreadable || run.rc == kExitUsage ? run.rc : kExitOk;
  }
  if (format == "json") {
    print_fix_json(run, paths.size());
    return run.rc;
  }
  print_summary(a.write, run.applied, run.changed, run.pending, run.no_fix);
  return run.rc;
}

}  // namespace

int fix_safe_in_place(const std::vector<std::string>& paths, const check::Options& check_opts) {
  fix::Options opts;
  opts.check = check_opts;
  int rc = kExitOk;
  for (const auto& p : paths) {
    fix::FileFix f = fix::fix_file(p, opts);
    if (f.unreadable || !f.changed()) continue;
    if (auto s = stamp::write_file_atomic(p, f.fixed); !s.ok()) {
      std::cerr << "isodrv: " << s.error().to_string() << "\n";
      rc = combine_exit(rc, kExitUnreadable);
      continue;
    }
    for (const auto& d : f.applied) std::cerr << where(p, d.line) << ": " << d.code << " fixed: " << d.fix->description << "\n";
  }
  return rc;
}

void register_fix_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<FixArgs>();
  auto* fix = app.add_subcommand("fix", "Rewrite INFs toward isolation: a diff by default, --write to change the files");
  fix->footer(R"(Safe fixes leave what the driver sees through the state-location API unchanged; unsafe fixes
move state (a value to Parameters, a file to the driver store) and are applied only with
--unsafe-fixes. `isodrv explain CODE` shows each rule's fix and its safety; --report lists, for
every unsafe fix, the API the driver's code must call instead. Files keep their encoding, line
endings and comments; untouched lines stay byte-identical.

Exit: 0 when every finding that has a fix was fixed (or nothing needs fixing); 1 when fixes are
pending (a diff was shown, or an unsafe fix was not applied) or a file is not a valid INF;
2 usage; 3 an input could not be read or written.
)");
  fix->add_option("--mode", a->mode, "Validation mode whose findings are fixed: w (default), u, k, h");
  fix->add_flag("--diff", a->diff, "Print a unified diff (the default without --write)");
  fix->add_flag("--write", a->write, "Write the fixed files (atomically, keeping owner and mode)");
  fix->add_flag("--unsafe-fixes", a->unsafe, "Also apply unsafe fixes (state moves; see --report)");
  fix->add_flag("--report", a->report, "Print the migration report: what the driver's code must call after each unsafe fix");
  fix->add_option("--select", a->select, "Fix only these codes or code prefixes, comma-separated")->delimiter(',')->allow_extra_args(false);
  fix->add_option("--format", a->format, "Output: text or json (md too with --report)");
  fix->add_option("--arch", a->arch, "Target architecture (default amd64)");
  fix->add_option("PATH", a->inputs, "INF/INX files or folders")->required();
  fix->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_fix(*a, ctx)); });
}

}  // namespace isodrv::cli
