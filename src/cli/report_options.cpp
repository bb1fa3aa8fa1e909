// Output options shared by `check` and `report merge`.
#include "cli/report_options.h"

#include "isodrv/check.h"
#include "isodrv/rules.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace isodrv::cli {
namespace fs = std::filesystem;

std::optional<diag::RuleDoc> rule_doc(int code, diag::Mode mode) {
  const rules::RuleInfo* r = rules::find_rule(code);
  if (!r) return std::nullopt;
  diag::RuleDoc doc;
  doc.slug = r->slug;
  doc.topic = r->topic;
  doc.why = r->why;
  doc.bad = r->bad;
  doc.good = r->good;
  doc.implemented = r->implemented;
  doc.isolation = r->isolation;
  doc.level = rules::level(*r, mode);
  return doc;
}

std::optional<diag::Format> parse_format(std::string_view f) {
  if (f == "text") return diag::Format::text;
  if (f == "infverif") return diag::Format::infverif;
  if (f == "json") return diag::Format::json;
  if (f == "jsonl") return diag::Format::jsonl;
  if (f == "sarif") return diag::Format::sarif;
  if (f == "github") return diag::Format::github;
  if (f == "html") return diag::Format::html;
  return std::nullopt;
}

bool resolve_project_root(const std::string& given, std::string& root, std::string& error) {
  std::error_code ec;
  if (given.empty()) {
    root = check::find_project_root(fs::current_path(ec).string());
    return true;
  }
  root = fs::absolute(given, ec).lexically_normal().string();
  if (ec || !fs::is_directory(root, ec)) {
    error = "--project-root " + given + ": not a folder";
    return false;
  }
  return true;
}

bool set_path_base(diag::PathBase& opts, const std::string& sarif_base, const std::string& project_root,
                   std::string& error) {
  std::error_code ec;
  // Results name files relative to the project root (check::display_path), so that is where a
  // relative result path resolves; the current folder only when no root is known.
  if (!project_root.empty()) {
    opts.cwd = project_root;
  } else if (fs::path cwd = fs::current_path(ec); !ec) {
    opts.cwd = cwd.string();
  }
  while (opts.cwd.size() > 1 && opts.cwd.back() == '/') opts.cwd.pop_back();
  if (sarif_base.empty()) {
    opts.base = opts.cwd;
    return true;
  }
  fs::path base = fs::absolute(sarif_base, ec);
  if (ec || !fs::is_directory(base, ec)) {
    error = sarif_base + ": --sarif-base is not a folder";
    return false;
  }
  opts.base = base.lexically_normal().string();
  while (opts.base.size() > 1 && opts.base.back() == '/') opts.base.pop_back();
  opts.base_given = true;
  return true;
}

std::unique_ptr<WithHtmlFile> WithHtmlFile::open(const diag::RenderOptions& opts, const diag::PathBase& paths,
                                                 const std::string& file, diag::Mode mode, const std::string& version,
                                                 std::string& error) {
  std::unique_ptr<WithHtmlFile> w(new WithHtmlFile());
  w->file_ = file;
  w->temp_ = file + ".partial-" + std::to_string(::getpid());
  w->out_.open(w->temp_, std::ios::binary | std::ios::trunc);
  if (!w->out_) {
    error = file + ": cannot write the HTML report: " + std::strerror(errno);
    w->temp_.clear();
    return nullptr;
  }
  diag::RenderOptions ropts;
  ropts.format = diag::Format::html;
  ropts.rules = opts.rules;
  w->main_ = diag::make_writer(opts, paths, mode, version, std::cout);
  w->html_ = diag::make_writer(ropts, diag::PathBase{}, mode, version, w->out_);
  return w;
}

WithHtmlFile::~WithHtmlFile() {
  if (temp_.empty()) return;
  out_.close();
  std::remove(temp_.c_str());
}

void WithHtmlFile::file(const diag::FileResult& f) {
  main_->file(f);
  html_->file(f);
}

void WithHtmlFile::finish() {
  if (baseline_accepted_) {
    main_->set_baseline_accepted(*baseline_accepted_);
    html_->set_baseline_accepted(*baseline_accepted_);
  }
  main_->finish();
  html_->finish();
}

bool WithHtmlFile::commit(std::string& error) {
  out_.close();
  if (out_.fail()) {
    error = file_ + ": cannot write the HTML report";
    return false;
  }
  if (std::rename(temp_.c_str(), file_.c_str()) != 0) {
    error = file_ + ": cannot write the HTML report: " + std::strerror(errno);
    return false;
  }
  temp_.clear();
  return true;
}

std::unique_ptr<diag::ReportWriter> make_report_writer(const diag::RenderOptions& opts, const diag::PathBase& paths,
                                                       diag::Mode mode, const std::string& version,
                                                       const std::string& html_file, WithHtmlFile*& html,
                                                       std::string& error) {
  html = nullptr;
  if (html_file.empty()) return diag::make_writer(opts, paths, mode, version, std::cout);
  if (html_file == "-") {
    error = "--html takes a file name (--format html writes the page to standard output)";
    return nullptr;
  }
  auto both = WithHtmlFile::open(opts, paths, html_file, mode, version, error);
  html = both.get();
  return both;
}

}  // namespace isodrv::cli
