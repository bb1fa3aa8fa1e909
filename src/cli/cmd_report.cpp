// `isodrv report merge`: joins the JSON Lines reports of sharded `check --shard I/N` runs into the
// report the unsharded run writes (files in path order, as a folder input gives them), in any format.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/report_options.h"
#include "isodrv/check.h"

namespace isodrv::cli {
namespace {

using nlohmann::json;

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string format = "json";
  std::string sarif_base;
  std::string html;  // --html FILE: the HTML page too
  std::string project_root;  // where the shards' relative paths resolve (as check's --project-root)
  bool statistics = false;
  bool info = false;
  bool verbose = false;
};

std::optional<diag::Severity> parse_severity(const std::string& s) {
  if (s == "error") return diag::Severity::error;
  if (s == "warning") return diag::Severity::warning;
  if (s == "none") return diag::Severity::none;
  return std::nullopt;
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key)) out = j.at(key).get<std::vector<std::string>>();
  return out;
}

diag::InfSummary summary_from(const json& s) {
  diag::InfSummary out;
  out.catalog = s.at("catalog");
  out.class_name = s.at("class");
  out.class_guid = s.at("class_guid");
  out.destinations = strings(s, "destinations");
  out.devices = s.at("devices");
  out.driver_ver = s.at("driver_ver");
  out.files_copied = s.at("files_copied");
  out.hardware_ids = strings(s, "hardware_ids");
  out.models = strings(s, "models");
  out.pnp_lockdown = s.at("pnp_lockdown");
  out.provider = s.at("provider");
  out.services = strings(s, "services");
  return out;
}

// A {"type":"file"} record back into the result check had; throws on a record of another shape.
std::optional<diag::Mode> mode_of(const std::string& m) {
  for (diag::Mode x : {diag::Mode::k, diag::Mode::u, diag::Mode::w, diag::Mode::h}) {
    if (diag::mode_name(x) == m) return x;
  }
  return std::nullopt;
}

diag::FileResult file_from(const json& j) {
  diag::FileResult f;
  f.path = j.at("path");
  f.valid = j.at("valid");
  f.unreadable = j.value("unreadable", false);
  f.encoding = j.value("encoding", "");
  for (const auto& r : j.at("diagnostics")) {
    diag::Diagnostic d;
    d.code = r.at("code");
    auto sev = parse_severity(r.at("severity"));
    if (!sev) throw std::invalid_argument("unknown severity");
    d.severity = *sev;
    d.file = f.path;
    d.line = r.at("line");
    d.column = r.at("column");
    d.message = r.at("message");
    d.section = r.value("section", "");
    d.source_line = r.value("source", "");
    d.target_os = r.value("target_os", "");
    if (r.contains("notes")) {
      for (const auto& n : r.at("notes")) d.notes.push_back({n.at("line"), n.at("column"), n.at("message")});
    }
    f.diagnostics.push_back(std::move(d));
  }
  if (j.contains("summary")) f.summary = summary_from(j.at("summary"));
  // A file checked in another mode than its run says so; the rest take the run's mode (run_merge).
  if (j.contains("mode")) {
    f.mode = mode_of(j.at("mode").get<std::string>());
    if (!f.mode) throw std::invalid_argument("mode");
  }
  return f;
}

// One shard's report, read a record at a time.
struct Shard {
  std::string path;
  std::ifstream in;
  std::size_t line = 0;
  std::optional<diag::FileResult> current;
  json summary;
};

// Reads the next record of `s` into s.current (nullopt after the summary). Returns an error
// message ("file:line: ...") or "".
std::string advance(Shard& s) {
  s.current.reset();
  std::string text;
  while (std::getline(s.in, text)) {
    ++s.line;
    if (text.empty()) continue;
    try {
      json j = json::parse(text);
      const std::string type = j.at("type");
      if (type == "summary") {
        s.summary = std::move(j);
        return "";
      }
      if (type != "file") throw std::invalid_argument("type");
      s.current = file_from(j);
      return "";
    } catch (const std::exception&) {
      return s.path + ":" + std::to_string(s.line) + ": not a record of `isodrv check --format jsonl`";
    }
  }
  if (s.in.bad()) return s.path + ": read error";
  return s.path + ":" + std::to_string(s.line) + ": ends without the summary record (the check run did not finish)";
}

// Opens every shard and reads it through once, so that a bad or unfinished shard is refused
// before anything is written. Fills each shard's summary.
int validate(std::vector<Shard>& shards, const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    Shard s;
    s.path = p;
    s.in.open(p, std::ios::binary);
    if (!s.in) {
      std::cerr << "isodrv: " << p << ": cannot read the report\n";
      return kExitUnreadable;
    }
    std::size_t files = 0;
    for (;;) {
      std::string err = advance(s);
      if (!err.empty()) {
        std::cerr << "isodrv: " << err << "\n";
        return kExitUsage;
      }
      if (!s.current) break;
      ++files;
    }
    if (s.summary.value("files", std::size_t{0}) != files) {
      std::cerr << "isodrv: " << p << ": the summary counts " << s.summary.value("files", std::size_t{0}) << " files, the report holds "
                << files << "\n";
      return kExitUsage;
    }
    if (!shards.empty() && s.summary.value("mode", "") != shards.front().summary.value("mode", "")) {
      std::cerr << "isodrv: " << p << ": checked in mode /" << s.summary.value("mode", "") << ", "
                << shards.front().path << " in mode /" << shards.front().summary.value("mode", "") << "\n";
      return kExitUsage;
    }
    s.in.clear();
    s.in.seekg(0);
    s.line = 0;
    shards.push_back(std::move(s));
  }
  return kExitOk;
}

int run_merge(const MergeArgs& a) {
  auto format = parse_format(a.format);
  if (!format) {
    std::cerr << "isodrv: --format must be one of " << kFormatNames << "\n";
    return kExitUsage;
  }
  diag::RenderOptions ropts;
  ropts.format = *format;
  ropts.rules = rule_doc;
  ropts.statistics = a.statistics;
  ropts.info = a.info;
  ropts.verbose = a.verbose;
  diag::PathBase path_base;
  std::string error;
  std::string root;
  if (!resolve_project_root(a.project_root, root, error)) {
    std::cerr << "isodrv: " << error << "\n";
    return kExitUnreadable;
  }
  if (!set_path_base(path_base, a.sarif_base, root, error)) {
    std::cerr << "isodrv: " << error << "\n";
    return kExitUsage;
  }
  std::vector<Shard> shards;
  if (int rc = validate(shards, a.inputs); rc != kExitOk) return rc;
  auto mode = mode_of(shards.front().summary.value("mode", ""));
  if (!mode) {
    std::cerr << "isodrv: " << shards.front().path << ": the summary names no mode\n";
    return kExitUsage;
  }
  const std::string version = shards.front().summary.value("tool", json::object()).value("version", ISODRV_VERSION);
  WithHtmlFile* html = nullptr;
  auto writer = make_report_writer(ropts, path_base, *mode, version, a.html, html, error);
  if (!writer) {
    std::cerr << "isodrv: " << error << "\n";
    return kExitUsage;
  }
  // Shards checked against a baseline say how much it accepted; the merged summary adds them up.
  std::optional<std::size_t> accepted;
  for (const auto& s : shards) {
    if (s.summary.contains("baseline_accepted")) {
      accepted = accepted.value_or(0) + s.summary.value("baseline_accepted", std::size_t{0});
    }
  }
  if (accepted) writer->set_baseline_accepted(*accepted);
  for (auto& s : shards) advance(s);
  // Each shard is in path order (a subsequence of the unsharded run), so taking the least path
  // each time rebuilds the whole run while holding one file per shard.
  int code = kExitOk;
  for (;;) {
    Shard* next = nullptr;
    for (auto& s : shards) {
      if (s.current && (!next || s.current->path < next->current->path)) next = &s;
    }
    if (!next) break;
    diag::FileResult& f = *next->current;
    if (!f.mode) f.mode = *mode;
    if (f.unreadable) code = combine_exit(code, kExitUnreadable);
    else if (!f.valid) code = combine_exit(code, kExitFindings);
    writer->file(f);
    advance(*next);
  }
  writer->finish();
  if (html && !html->commit(error)) {
    std::cerr << "isodrv: " << error << "\n";
    return kExitUsage;
  }
  return code;
}

}  // namespace

void register_report_commands(CLI::App& app, Context& ctx) {
  auto* report = app.add_subcommand("report", "Work with check reports");
  report->require_subcommand(1);
  auto a = std::make_shared<MergeArgs>();
  auto* merge = report->add_subcommand(
      "merge", "Join the --format jsonl reports of sharded check runs (--shard I/N) into one report");
  merge->add_option("REPORT", a->inputs, "JSON Lines reports of `check --format jsonl`")->required();
  merge->add_option("--format", a->format, "Output: text, infverif, json (default), jsonl, sarif, github, html");
  merge->add_option("--html", a->html, "Also write the HTML report to FILE, beside the --format output");
  merge->add_option("--sarif-base", a->sarif_base, "SARIF/GitHub paths are relative to DIR (default: the project root)");
  merge->add_option("--project-root", a->project_root,
                    "The root the sharded runs' paths are relative to (default: the enclosing git top-level, else the current folder)");
  merge->add_flag("--statistics", a->statistics, "Print counts per code");
  merge->add_flag("--info", a->info, "Print each INF's summary (when the runs had --info)");
  merge->add_flag("--verbose", a->verbose, "infverif format: print a verdict for every file");
  merge->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_merge(*a)); });
}

}  // namespace isodrv::cli
