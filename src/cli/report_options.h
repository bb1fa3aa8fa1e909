// What `check` and `report merge` share about output: format names, where SARIF/GitHub paths
// are relative to, and the HTML page written beside another format (--html FILE).
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "isodrv/report.h"

namespace isodrv::cli {

std::optional<diag::Format> parse_format(std::string_view f);

// The rule table's row for `code` as the renderers want it (diag::RenderOptions::rules): diag sits
// below the rules, so the CLI hands it this lookup.
std::optional<diag::RuleDoc> rule_doc(int code, diag::Mode mode);
inline constexpr std::string_view kFormatNames = "text, infverif, json, jsonl, sarif, github, html";

// Fills opts.cwd and opts.base. Result paths are relative to `project_root` (check's --project-root,
// else the enclosing git top-level, else the current folder); SARIF URIs and GitHub paths are
// written relative to `sarif_base` (--sarif-base) or, without it, the project root, so that
// %SRCROOT% is the project root. False with a message when --sarif-base is not a folder.
// The project root result paths are relative to: `given` (--project-root), else the enclosing git
// top-level of the current folder, else the current folder. False with `error` set when `given`
// is not a folder.
bool resolve_project_root(const std::string& given, std::string& root, std::string& error);

bool set_path_base(diag::PathBase& opts, const std::string& sarif_base, const std::string& project_root,
                   std::string& error);

// --html FILE: every file of the run goes to the main report and to the HTML page. The page is
// written to a temporary file beside FILE and renamed to FILE by commit(), so a run that stops
// early (a usage error found mid-way, a crash) leaves FILE as it was.
class WithHtmlFile final : public diag::ReportWriter {
 public:
  // Null, with `error` set, when the temporary file cannot be created.
  // The page is opened before the main writer is made, which may write its first bytes at once.
  static std::unique_ptr<WithHtmlFile> open(const diag::RenderOptions& opts, const diag::PathBase& paths,
                                            const std::string& file, diag::Mode mode, const std::string& version,
                                            std::string& error);
  ~WithHtmlFile() override;
  void file(const diag::FileResult& f) override;
  void finish() override;
  // After finish(): closes the page and renames it to FILE. False, with `error` set, when writing failed.
  bool commit(std::string& error);

 private:
  WithHtmlFile() = default;
  std::unique_ptr<diag::ReportWriter> main_, html_;
  std::ofstream out_;
  std::string file_, temp_;
};

// The main report's writer, or with `html_file` non-empty, one that also writes the HTML page
// there. `html` is set to the WithHtmlFile to commit; null when no page was asked for. Null with
// `error` set when the page cannot be created.
std::unique_ptr<diag::ReportWriter> make_report_writer(const diag::RenderOptions& opts, const diag::PathBase& paths,
                                                       diag::Mode mode, const std::string& version,
                                                       const std::string& html_file, WithHtmlFile*& html,
                                                       std::string& error);

}  // namespace isodrv::cli
