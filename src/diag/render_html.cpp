// --format html: one self-contained page (no network, scripts or fonts from elsewhere) with a
// summary, a bar chart of the top codes, a filterable table of findings with the source line and
// the column marked, and the explain text of every code present. Written file by file like the
// other formats; the summary, written last, is shown first by CSS.
#include <algorithm>
#include <ostream>
#include <set>
#include <sstream>

#include "diag/writers.h"
#include "isodrv/rules.h"

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

// The source line with the character at `column` (1-based UTF-16 units) wrapped in <mark>.
std::string marked_source(std::string_view line, std::uint32_t column) {
  std::uint32_t units = 0;
  std::size_t i = 0;
  while (i < line.size() && units + 1 < column) {
    auto c = static_cast<unsigned char>(line[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    units += len == 4 ? 2 : 1;
    i += std::min(len, line.size() - i);
  }
  std::size_t end = i;
  if (end < line.size()) {
    auto c = static_cast<unsigned char>(line[end]);
    end += std::min<std::size_t>(c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4, line.size() - end);
  }
  return esc(line.substr(0, i)) + "<mark>" + (end > i ? esc(line.substr(i, end - i)) : std::string("&#x2038;")) +
         "</mark>" + esc(line.substr(end));
}

constexpr std::string_view kHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>isodrv check report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px system-ui,sans-serif;margin:1em;display:flex;flex-direction:column;color:#222}
#summary{order:-1} h1{font-size:1.4em} .cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;min-width:7em}.card b{display:block;font-size:1.6em}
.error{color:#b00020}.warning{color:#a15c00} table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
pre{margin:0;white-space:pre-wrap;font:12px ui-monospace,monospace} mark{background:#ffd54f;outline:1px solid #b00020}
#filters{margin:1em 0;display:flex;gap:.5em} .hidden{display:none} details{margin:.3em 0}
</style></head><body>
<section id="findings"><div id="filters">
<select id="f-code" aria-label="code"><option value="">every code</option></select>
<select id="f-sev" aria-label="severity"><option value="">every severity</option><option>error</option><option>warning</option></select>
<input id="f-text" type="search" placeholder="filter text" aria-label="text">
<output id="status"></output></div>
<table id="rows"><thead><tr><th>package</th><th>file</th><th>line:col</th><th>severity</th><th>code</th><th>message and source</th></tr></thead><tbody>
)";

constexpr std::string_view kScript = R"(<script>
(function () {
  try {
    var rows = Array.prototype.slice.call(document.querySelectorAll('#rows tbody tr'));
    var code = document.getElementById('f-code'), sev = document.getElementById('f-sev'), text = document.getElementById('f-text');
    var status = document.getElementById('status');
    var codes = {};
    rows.forEach(function (r) { codes[r.dataset.code] = 1; });
    Object.keys(codes).sort().forEach(function (c) { var o = document.createElement('option'); o.textContent = c; code.appendChild(o); });
    function apply() {
      var c = code.value, s = sev.value, t = text.value.toLowerCase(), n = 0;
      rows.forEach(function (r) {
        var show = (!c || r.dataset.code === c) && (!s || r.dataset.sev === s) && (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
        r.classList.toggle('hidden', !show);
        n += show ? 1 : 0;
      });
      status.dataset.visible = n;
      status.dataset.total = rows.length;
      status.textContent = n + ' of ' + rows.length + ' findings shown';
    }
    // Filters can be given in the address: #code=1322&sev=error&q=text
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      var p = kv.split('='), v = decodeURIComponent(p[1] || '');
      if (p[0] === 'code') code.value = v; else if (p[0] === 'sev') sev.value = v; else if (p[0] === 'q') text.value = v;
    });
    [code, sev, text].forEach(function (e) { e.addEventListener('input', apply); });
    apply();
    document.body.dataset.ready = '1';
  } catch (e) {
    document.body.dataset.error = String(e);
  }
})();
</script>
)";

class HtmlWriter final : public ReportWriter {
 public:
  HtmlWriter(const RenderOptions& o, Mode mode, const std::string& version, std::ostream& out)
      : mode_(mode), version_(version), out_(out) {
    (void)o;
    out_ << kHead;
  }
  void file(const FileResult& f) override {
    tally_.add(f);
    const std::size_t slash = f.path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : f.path.substr(0, slash);
    packages_.insert(folder);
    std::ostringstream o;
    for (const auto& d : f.diagnostics) {
      const char* sev = d.severity == Severity::error ? "error" : "warning";
      o << "<tr data-code=\"" << d.code << "\" data-sev=\"" << sev << "\"><td>" << esc(folder) << "</td><td>"
        << esc(slash == std::string::npos ? f.path : f.path.substr(slash + 1)) << "</td><td>" << d.line << ":"
        << std::max<std::uint32_t>(d.column, 1) << "</td><td class=\"" << sev << "\">" << sev << "</td><td><a href=\"#explain-"
        << d.code << "\">" << d.code << "</a></td><td>" << esc(d.message);
      if (d.line && !d.source_line.empty()) o << "<pre>" << marked_source(d.source_line, std::max<std::uint32_t>(d.column, 1)) << "</pre>";
      o << "</td></tr>\n";
    }
    const std::string s = o.str();
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  void finish() override {
    out_ << "</tbody></table></section>\n";
    write_explain();
    write_summary();
    out_ << kScript << "</body></html>\n";
  }

 private:
  void write_summary() {
    out_ << "<section id=\"summary\"><h1>isodrv check report</h1><p>mode /" << mode_name(mode_) << ", isodrv "
         << esc(version_) << "</p><div class=\"cards\">"
         << "<div class=\"card\" id=\"n-packages\">packages<b>" << packages_.size() << "</b></div>"
         << "<div class=\"card\" id=\"n-files\">files<b>" << tally_.files << "</b></div>"
         << "<div class=\"card\" id=\"n-invalid\">not valid<b>" << tally_.not_valid << "</b></div>"
         << "<div class=\"card error\" id=\"n-errors\">errors<b>" << tally_.errors << "</b></div>"
         << "<div class=\"card warning\" id=\"n-warnings\">warnings<b>" << tally_.warnings << "</b></div></div>\n";
    std::vector<std::pair<std::size_t, int>> top;
    for (const auto& [code, c] : tally_.codes) top.emplace_back(c.first, code);
    std::sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    if (top.size() > 10) top.resize(10);
    if (!top.empty()) {
      const double most = static_cast<double>(top.front().first);
      out_ << "<h2>Top codes</h2><svg id=\"chart\" role=\"img\" width=\"640\" height=\"" << 24 * top.size() + 4
           << "\" xmlns=\"http://www.w3.org/2000/svg\">";
      for (std::size_t i = 0; i < top.size(); ++i) {
        const rules::RuleInfo* r = rules::find_rule(top[i].second);
        const int w = static_cast<int>(400.0 * static_cast<double>(top[i].first) / most) + 1;
        out_ << "<g><title>" << top[i].second << " " << esc(r ? r->slug : std::string_view()) << "</title><text x=\"0\" y=\""
             << 24 * i + 16 << "\" font-size=\"12\">" << top[i].second << "</text><rect x=\"50\" y=\"" << 24 * i + 4
             << "\" height=\"16\" width=\"" << w << "\" fill=\"#3f6fb5\"/><text x=\"" << 56 + w << "\" y=\"" << 24 * i + 16
             << "\" font-size=\"12\">" << top[i].first << "</text></g>";
      }
      out_ << "</svg>";
    }
    out_ << "</section>\n";
  }
  void write_explain() {
    out_ << "<section id=\"explain\"><h2>What the codes mean</h2>\n";
    for (const auto& [code, c] : tally_.codes) {
      const rules::RuleInfo* r = rules::find_rule(code);
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

  Mode mode_;
  std::string version_;
  std::ostream& out_;
  Tally tally_;
  std::set<std::string> packages_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_html_writer(const RenderOptions& o, Mode mode, const std::string& version,
                                               std::ostream& out) {
  return std::make_unique<HtmlWriter>(o, mode, version, out);
}

}  // namespace isodrv::diag::detail
