// Inline suppressions (`; isodrv: ignore[1322] reason`) and baselines (a previous JSON report).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "isodrv/check.h"
#include "rules/rule.h"
#include "base/text.h"
#include "isodrv/input.h"

namespace isodrv::check {
namespace {

using base::trim_line;

struct Suppression {
  std::uint32_t comment_line;
  std::uint32_t target_line;
  std::vector<int> codes;
  std::vector<bool> used;
};

constexpr std::string_view kMarker = "isodrv: ignore[";

// Whether `text` holds the marker anywhere. Its ':' is rare in INF text (a few per file, where
// 'i' and '[' are everywhere): memchr finds each, and the marker is compared around it. A third
// of memmem's instructions on the corpus.
bool holds_marker(std::string_view text) {
  constexpr std::size_t kColon = kMarker.find(':');
  const char* const end = text.data() + text.size();
  for (const char* p = text.data() + std::min(kColon, text.size()); p < end;) {
    const auto* colon = static_cast<const char*>(std::memchr(p, ':', static_cast<std::size_t>(end - p)));
    if (!colon) return false;
    const char* at = colon - kColon;
    if (static_cast<std::size_t>(end - at) >= kMarker.size() && std::memcmp(at, kMarker.data(), kMarker.size()) == 0) {
      return true;
    }
    p = colon + 1;
  }
  return false;
}

std::vector<Suppression> find_suppressions(const inf::Document& doc) {
  std::vector<Suppression> out;
  // Most files have no suppression: one search of the whole text settles that.
  if (!holds_marker(doc.text())) return out;
  for (std::uint32_t n = 1; n <= doc.physical_line_count(); ++n) {
    std::string_view text = doc.physical_line(n);
    std::size_t semi = text.find(';');
    if (semi == std::string_view::npos) continue;
    std::size_t m = text.find(kMarker, semi);
    if (m == std::string_view::npos) continue;
    std::size_t close = text.find(']', m);
    if (close == std::string_view::npos) continue;
    Suppression s;
    s.comment_line = n;
    // A comment alone on its line covers the next line; a trailing comment covers its own line.
    s.target_line = trim_line(text.substr(0, semi)).empty() ? n + 1 : n;
    std::string_view list = text.substr(m + kMarker.size(), close - m - kMarker.size());
    std::size_t start = 0;
    for (std::size_t i = 0; i <= list.size(); ++i) {
      if (i == list.size() || list[i] == ',') {
        std::string item = trim_line(list.substr(start, i - start));
        start = i + 1;
        if (item.empty()) continue;
        try {
          s.codes.push_back(std::stoi(item));
        } catch (...) {
        }
      }
    }
    s.used.assign(s.codes.size(), false);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

void apply_inline_suppressions(const inf::Document& doc, diag::FileResult& result) {
  auto sups = find_suppressions(doc);
  if (sups.empty()) return;
  auto& diags = result.diagnostics;
  std::vector<diag::Diagnostic> kept;
  for (auto& d : diags) {
    bool suppressed = false;
    for (auto& s : sups) {
      if (d.line != s.target_line && d.line != s.comment_line) continue;
      for (std::size_t i = 0; i < s.codes.size(); ++i) {
        if (s.codes[i] == d.code) {
          s.used[i] = true;
          suppressed = true;
        }
      }
    }
    if (!suppressed) kept.push_back(std::move(d));
  }
  diags = std::move(kept);
  for (const auto& s : sups) {
    for (std::size_t i = 0; i < s.codes.size(); ++i) {
      if (s.used[i]) continue;
      diag::Diagnostic d;
      d.code = static_cast<int>(rules::Rule::r9001);
      d.file = result.path;
      d.line = s.comment_line;
      d.column = 1;
      d.severity = diag::Severity::warning;
      const rules::RuleInfo* r = rules::find_rule(d.code);
      d.message = rules::format_message(r->message, {std::to_string(s.codes[i])});
      d.source_line = std::string(doc.physical_line(s.comment_line));
      diags.push_back(std::move(d));
    }
  }
}

Result<Baseline> load_baseline(const std::string& path, const std::string& project_root) {
  auto text = read_input(path);
  if (!text) {
    Error e = text.error();
    e.message = "cannot read the baseline: " + e.message;
    return e;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const std::exception& e) {
    return Error(Errc::invalid_argument, std::string("baseline is not valid JSON: ") + e.what(), path);
  }
  Baseline b;
  if (!j.is_object() || !j.contains("files") || !j["files"].is_array()) {
    return Error(Errc::invalid_argument, "baseline is not an `isodrv check --format json` report", path);
  }
  for (const auto& f : j["files"]) {
    std::string file = f.value("path", "");
    // Older baselines hold paths as they were given ("./pkg/a.inf", "/abs/pkg/a.inf"); relative
    // ones are read as relative to the project root, like the paths results show.
    if (!project_root.empty() && !file.empty()) {
      file = std::filesystem::path(file).is_absolute()
                 ? display_path(file, project_root)
                 : display_path((std::filesystem::path(project_root) / file).string(), project_root);
    }
    if (!f.contains("diagnostics")) continue;
    for (const auto& d : f["diagnostics"]) {
      Baseline::Entry e;
      e.code = d.value("code", 0);
      e.file = file;
      e.section = d.value("section", "");
      e.text = trim_line(d.value("source", ""));
      b.entries.push_back(std::move(e));
    }
  }
  return b;
}

struct BaselineFilter::Accepted {
  std::multiset<std::tuple<int, std::string, std::string, std::string>> entries;
};

BaselineFilter::BaselineFilter(const Baseline& b) : accepted_(std::make_unique<Accepted>()) {
  for (const auto& e : b.entries) accepted_->entries.emplace(e.code, e.file, e.section, e.text);
}

BaselineFilter::~BaselineFilter() = default;

void BaselineFilter::apply(diag::FileResult& f) {
  auto& accepted = accepted_->entries;
  std::vector<diag::Diagnostic> kept;
  for (auto& d : f.diagnostics) {
    auto it = accepted.find({d.code, f.path, d.section, trim_line(d.source_line)});
    if (it != accepted.end()) {
      accepted.erase(it);
      ++count_;
      continue;
    }
    kept.push_back(std::move(d));
  }
  f.diagnostics = std::move(kept);
  f.valid = f.unreadable ? false
                         : std::none_of(f.diagnostics.begin(), f.diagnostics.end(),
                                        [](const diag::Diagnostic& d) { return d.severity == diag::Severity::error; });
}

std::size_t apply_baseline(const Baseline& b, diag::Report& report) {
  BaselineFilter filter(b);
  for (auto& f : report.files) filter.apply(f);
  report.baseline_accepted = report.baseline_accepted.value_or(0) + filter.accepted();
  return filter.accepted();
}

}  // namespace isodrv::check
