// --format html: one self-contained page (no network, scripts or fonts from elsewhere) with a
// summary, a bar chart of the top codes, a table of packages filterable by code, severity and
// text whose findings show the source line with the column marked, and the explain text of every
// code present. Findings are embedded as JSON blocks written file by file (constant memory, like
// the other formats); the page's script renders only the rows in view.
#include <algorithm>
#include <optional>
#include <ostream>
#include <set>

#include "diag/html_page.h"
#include "diag/json_writer.h"
#include "diag/writers.h"

namespace isodrv::diag::detail {
namespace {

std::string esc(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o.push_back(c);
    }
  }
  return o;
}

class HtmlWriter final : public ReportWriter {
 public:
  HtmlWriter(const RenderOptions& o, Mode mode, const std::string& version, std::ostream& out)
      : o_(o), mode_(mode), version_(version), out_(out) {
    (void)o;
    out_ << kHtmlHead;
  }
  void file(const FileResult& f) override {
    tally_.add(f);
    const std::size_t slash = f.path.find_last_of('/');
    packages_.insert(slash == std::string::npos ? std::string(".") : f.path.substr(0, slash));
    if (!chunk_) {
      chunk_.emplace(kChunkBytes + 4096, JsonWriter::Layout::one_line);
      chunk_->begin_array();
    }
    write_record(*chunk_, f);
    if (chunk_->size() >= kChunkBytes) flush_chunk();
  }
  void finish() override {
    flush_chunk();
    write_explain();
    write_summary();
    out_ << kHtmlScript << "</body></html>\n";
  }

 private:
  void write_summary() {
    out_ << "<section id=\"summary\"><h1>isodrv check report</h1><p>mode /" << mode_name(mode_) << ", isodrv "
         << esc(version_) << "</p><div class=\"cards\">"
         << "<div class=\"card\" id=\"n-packages\">packages<b>" << packages_.size() << "</b></div>"
         << "<div class=\"card\" id=\"n-files\">files<b>" << tally_.files << "</b></div>"
         << "<div class=\"card\" id=\"n-invalid\">not valid<b>" << tally_.not_valid << "</b></div>"
         << "<div class=\"card error\" id=\"n-errors\">errors<b>" << tally_.errors << "</b></div>"
         << "<div class=\"card warning\" id=\"n-warnings\">warnings<b>" << tally_.warnings << "</b></div>";
    if (baseline_accepted_) {
      out_ << "<div class=\"card\" id=\"n-baseline\">accepted by the baseline<b>" << *baseline_accepted_ << "</b></div>";
    }
    out_ << "</div>\n";
    std::vector<std::pair<std::size_t, int>> top;
    for (const auto& [code, c] : tally_.codes) top.emplace_back(c.first, code);
    std::sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    if (top.size() > 10) top.resize(10);
    if (!top.empty()) {
      const double most = static_cast<double>(top.front().first);
      out_ << "<h2>Top codes</h2><svg id=\"chart\" role=\"img\" width=\"640\" height=\"" << 24 * top.size() + 4
           << "\" xmlns=\"http://www.w3.org/2000/svg\">";
      for (std::size_t i = 0; i < top.size(); ++i) {
        const auto r = rule_doc(o_, top[i].second, mode_);
        const int w = static_cast<int>(400.0 * static_cast<double>(top[i].first) / most) + 1;
        out_ << "<a href=\"#code=" << top[i].second << "\"><g><title>" << top[i].second << " "
             << esc(r ? r->slug : std::string_view()) << "</title><text x=\"0\" y=\""
             << 24 * i + 16 << "\" font-size=\"12\">" << top[i].second << "</text><rect x=\"50\" y=\"" << 24 * i + 4
             << "\" height=\"16\" width=\"" << w << "\" fill=\"#3f6fb5\"/><text x=\"" << 56 + w << "\" y=\"" << 24 * i + 16
             << "\" font-size=\"12\">" << top[i].first << "</text></g></a>";
      }
      out_ << "</svg>";
    }
    out_ << "</section>\n";
  }
  void write_explain() {
    out_ << "<section id=\"explain\"><h2>What the codes mean</h2>\n";
    for (const auto& [code, c] : tally_.codes) {
      const auto r = rule_doc(o_, code, mode_);
      out_ << "<details id=\"explain-" << code << "\"><summary>" << code;
      if (r) out_ << " " << esc(r->slug) << ": " << esc(r->topic);
      out_ << "</summary>";
      if (r && r->implemented) {
        out_ << "<p>" << esc(r->why) << "</p><p>Not valid:</p><pre>" << esc(r->bad) << "</pre><p>Valid:</p><pre>"
             << esc(r->good) << "</pre>";
      }
      out_ << "</details>\n";
    }
    out_ << "</section>\n";
  }

  // One file: [path, valid, [[code, severity (0 error, 1 warning), line, column, message, source
  // line, [[note line, note message]…] when there are notes]…]] (read by kHtmlScript).
  static void write_record(JsonWriter& w, const FileResult& f) {
    w.begin_array();
    w.value(f.path);
    w.value(std::uint64_t{f.valid ? 1u : 0u});
    w.begin_array();
    for (const auto& d : f.diagnostics) {
      w.begin_array();
      w.value(static_cast<std::uint64_t>(d.code));
      w.value(std::uint64_t{d.severity == Severity::error ? 0u : 1u});
      w.value(std::uint64_t{d.line});
      w.value(std::uint64_t{std::max<std::uint32_t>(d.column, 1)});
      w.value(d.message);
      w.value(d.line ? std::string_view(d.source_line) : std::string_view());
      if (!d.notes.empty()) {
        w.begin_array();
        for (const auto& n : d.notes) {
          w.begin_array();
          w.value(std::uint64_t{n.line});
          w.value(n.message);
          w.end_array();
        }
        w.end_array();
      }
      w.end_array();
    }
    w.end_array();
    w.end_array();
  }
  // Writes the files gathered so far as one JSON block. '<' is written as \u003c (it can only
  // occur inside JSON strings), so no "</script>" or "<!--" in a message ends the block early.
  void flush_chunk() {
    if (!chunk_) return;
    chunk_->end_array();
    std::string text;
    text.reserve(chunk_->size() + 64);
    text += "<script type=\"application/json\" class=\"isodrv-data\">";
    for (char c : chunk_->text()) {
      if (c == '<') text += "\\u003c";
      else text.push_back(c);
    }
    text += "</script>\n";
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    chunk_.reset();
  }

  // The page gets a data block every ~256 KiB: the browser parses blocks as they arrive and the
  // writer holds one block at a time.
  static constexpr std::size_t kChunkBytes = 256 * 1024;
  RenderOptions o_;
  Mode mode_;
  std::string version_;
  std::ostream& out_;
  Tally tally_;
  std::set<std::string> packages_;
  std::optional<JsonWriter> chunk_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_html_writer(const RenderOptions& o, Mode mode, const std::string& version,
                                               std::ostream& out) {
  return std::make_unique<HtmlWriter>(o, mode, version, out);
}

}  // namespace isodrv::diag::detail
