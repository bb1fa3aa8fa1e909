// The fixed parts of the --format html page: head and style, the script that renders the table
// of packages from the embedded JSON. Private to render_html.cpp; kept apart so that the writer
// reads as C++ and the page as HTML.
#pragma once

#include <string_view>

namespace isodrv::diag::detail {

// Everything before the data: the page is usable by the time the script at the end runs, and the
// summary (written after the data, when the counts are known) is moved to the top by CSS.
constexpr std::string_view kHtmlHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>isodrv check report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px system-ui,sans-serif;margin:1em;display:flex;flex-direction:column;color:#222}
#summary{order:-1} h1{font-size:1.4em} .cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;min-width:7em}.card b{display:block;font-size:1.6em}
.error{color:#b00020}.warning{color:#a15c00} table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
th.n,td.n{text-align:right} tr.pkg{cursor:pointer} tr.pkg:hover{background:#f4f7fb}
tr.open>td{background:#eef3fa} .fd{margin:0 0 .5em 1.5em;width:auto} .fd td{border-bottom:1px solid #f3f3f3}
pre{margin:0;white-space:pre-wrap;font:12px ui-monospace,monospace} mark{background:#ffd54f;outline:1px solid #b00020}
#filters,#pager{margin:1em 0;display:flex;gap:.5em;align-items:center} .tw{font-size:.8em;color:#555}
.note{color:#555;font-size:.9em} details{margin:.3em 0} #chart a{cursor:pointer}
</style></head><body>
<section id="findings"><div id="filters">
<select id="f-code" aria-label="code"><option value="">every code</option></select>
<select id="f-sev" aria-label="severity"><option value="">every severity</option><option>error</option><option>warning</option></select>
<input id="f-text" type="search" placeholder="filter text" aria-label="text">
<output id="status"></output></div>
<table id="rows"><thead><tr><th>package</th><th class="n">files</th><th class="n">errors</th><th class="n">warnings</th><th class="n">shown</th><th>codes</th></tr></thead><tbody></tbody></table>
<div id="pager"><button id="prev" type="button">previous</button><output id="page"></output><button id="next" type="button">next</button></div>
</section>
)";

// Reads every <script type="application/json" class="isodrv-data"> block (an array of files:
// [path, valid, [[code, severity 0 error/1 warning, line, column, message, source line, notes?]]]),
// groups files into packages by folder and renders one page of the table at a time; a package's
// findings are rendered only when it is expanded, a bounded number at a time, so the DOM holds
// what is visible whatever the size of the run.
constexpr std::string_view kHtmlScript = R"(<script>
(function () {
  'use strict';
  var PAGE = 100, MORE = 200;
  var body = document.body;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  try {
    var pkgs = [], byName = new Map(), codes = new Map(), total = 0;
    document.querySelectorAll('script.isodrv-data').forEach(function (block) {
      JSON.parse(block.textContent).forEach(function (f) {
        var s = f[0].lastIndexOf('/'), dir = s < 0 ? '.' : f[0].slice(0, s);
        var p = byName.get(dir);
        if (!p) { p = {name: dir, files: [], errors: 0, warnings: 0, codes: new Map(), shown: 0}; byName.set(dir, p); pkgs.push(p); }
        f.name = s < 0 ? f[0] : f[0].slice(s + 1);
        p.files.push(f);
        f[2].forEach(function (d) {
          if (d[1]) p.warnings++; else p.errors++;
          p.codes.set(d[0], (p.codes.get(d[0]) || 0) + 1);
          codes.set(d[0], (codes.get(d[0]) || 0) + 1);
        });
        total += f[2].length;
      });
    });
    pkgs.sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
    var code = document.getElementById('f-code'), sev = document.getElementById('f-sev'), text = document.getElementById('f-text');
    var status = document.getElementById('status'), tbody = document.querySelector('#rows tbody');
    var pageOut = document.getElementById('page'), prev = document.getElementById('prev'), next = document.getElementById('next');
    Array.from(codes.keys()).sort(function (a, b) { return a - b; }).forEach(function (c) { code.appendChild(el('option', '', String(c))); });
    var shownPkgs = [], page = 0, open = new Set(), limit = new Map();

    function match(f, d, c, s, t) {
      if (c && String(d[0]) !== c) return false;
      if (s && (d[1] ? 'warning' : 'error') !== s) return false;
      if (t) {
        if (d.hay === undefined) d.hay = (f[0] + ' ' + d[0] + ' ' + d[4] + ' ' + d[5]).toLowerCase();
        if (d.hay.indexOf(t) < 0) return false;
      }
      return true;
    }
    function filters() { return {c: code.value, s: sev.value, t: text.value.toLowerCase()}; }
    // Which packages and how many findings the filters leave; with no filter every package shows.
    function apply(keepPage) {
      var q = filters(), any = q.c || q.s || q.t, n = 0;
      shownPkgs = [];
      pkgs.forEach(function (p) {
        var k = 0;
        p.files.forEach(function (f) { f[2].forEach(function (d) { if (!any || match(f, d, q.c, q.s, q.t)) k++; }); });
        p.shown = k;
        n += k;
        if (k || !any) shownPkgs.push(p);
      });
      status.dataset.visible = n;
      status.dataset.total = total;
      status.dataset.packages = shownPkgs.length;
      status.textContent = n + ' of ' + total + ' findings shown, in ' + shownPkgs.length + ' of ' + pkgs.length + ' packages';
      if (!keepPage) page = 0;
      render();
    }
    function pages() { return Math.max(1, Math.ceil(shownPkgs.length / PAGE)); }
    function render() {
      page = Math.min(Math.max(page, 0), pages() - 1);
      tbody.textContent = '';
      shownPkgs.slice(page * PAGE, (page + 1) * PAGE).forEach(function (p) {
        tbody.appendChild(pkgRow(p));
        if (open.has(p.name)) tbody.appendChild(detailRow(p));
      });
      pageOut.dataset.page = page + 1;
      pageOut.dataset.pages = pages();
      pageOut.textContent = 'page ' + (page + 1) + ' of ' + pages();
      prev.disabled = page === 0;
      next.disabled = page + 1 >= pages();
      writeHash();
    }
    function pkgRow(p) {
      var tr = el('tr', 'pkg' + (open.has(p.name) ? ' open' : ''));
      tr.dataset.pkg = p.name;
      tr.tabIndex = 0;
      tr.appendChild(el('td', '', (open.has(p.name) ? '\u25be ' : '\u25b8 ') + p.name));
      tr.appendChild(el('td', 'n', String(p.files.length)));
      tr.appendChild(el('td', 'n error', String(p.errors)));
      tr.appendChild(el('td', 'n warning', String(p.warnings)));
      tr.appendChild(el('td', 'n', String(p.shown)));
      var top = Array.from(p.codes.entries()).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; }).slice(0, 6);
      tr.appendChild(el('td', '', top.map(function (e) { return e[0] + ' \u00d7' + e[1]; }).join(', ') + (p.codes.size > 6 ? ', \u2026' : '')));
      return tr;
    }
    // The source line with the character at `col` (1-based, UTF-16 units, as JavaScript counts) marked.
    function source(line, col) {
      var pre = el('pre'), i = Math.max(col, 1) - 1, c = line.charCodeAt(i);
      var w = i >= line.length ? 0 : (c >= 0xd800 && c < 0xdc00 ? 2 : 1);
      pre.append(line.slice(0, i));
      pre.append(el('mark', '', w ? line.substr(i, w) : '\u2038'));
      pre.append(line.slice(i + w));
      return pre;
    }
    function findingRow(f, d) {
      var tr = el('tr', 'finding'), sevName = d[1] ? 'warning' : 'error';
      tr.appendChild(el('td', '', f.name + ':' + d[2] + ':' + Math.max(d[3], 1)));
      tr.appendChild(el('td', sevName, sevName));
      var ctd = el('td'), a = el('a', 'explain', String(d[0]));
      a.href = '#explain-' + d[0];
      ctd.appendChild(a);
      tr.appendChild(ctd);
      var m = el('td', '', d[4]);
      if (d[2] && d[5]) m.appendChild(source(d[5], d[3]));
      (d[6] || []).forEach(function (n) { m.appendChild(el('div', 'note', 'line ' + n[0] + ': ' + n[1])); });
      tr.appendChild(m);
      return tr;
    }
    function detailRow(p) {
      var tr = el('tr', 'detail'), td = el('td'), table = el('table', 'fd'), q = filters(), any = q.c || q.s || q.t;
      var max = limit.get(p.name) || MORE, k = 0;
      td.colSpan = 6;
      p.files.forEach(function (f) {
        f[2].forEach(function (d) {
          if (any && !match(f, d, q.c, q.s, q.t)) return;
          if (k++ < max) table.appendChild(findingRow(f, d));
        });
      });
      td.appendChild(table);
      if (!k) td.appendChild(el('div', 'note', 'no findings' + (any ? ' match the filters' : '')));
      if (k > max) {
        var b = el('button', 'more', 'show ' + Math.min(MORE, k - max) + ' more of ' + (k - max));
        b.type = 'button';
        b.addEventListener('click', function () { limit.set(p.name, max + MORE); render(); });
        td.appendChild(b);
      }
      tr.appendChild(td);
      return tr;
    }
    function writeHash() {
      var q = [];
      if (code.value) q.push('code=' + encodeURIComponent(code.value));
      if (sev.value) q.push('sev=' + encodeURIComponent(sev.value));
      if (text.value) q.push('q=' + encodeURIComponent(text.value));
      if (page) q.push('page=' + (page + 1));
      open.forEach(function (name) { q.push('open=' + encodeURIComponent(name)); });
      var h = q.length ? '#' + q.join('&') : '';
      if (h !== location.hash && (h || location.hash.indexOf('=') >= 0)) history.replaceState(null, '', h || location.pathname + location.search);
    }
    // Filters can be given in the address: #code=1322&sev=error&q=text&page=2&open=folder
    function readHash() {
      var h = location.hash.replace(/^#/, '');
      if (h.indexOf('=') < 0) return false;
      code.value = sev.value = text.value = '';
      page = 0;
      open.clear();
      h.split('&').forEach(function (kv) {
        var i = kv.indexOf('='), k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
        if (k === 'code') code.value = v; else if (k === 'sev') sev.value = v; else if (k === 'q') text.value = v;
        else if (k === 'page') page = (parseInt(v, 10) || 1) - 1; else if (k === 'open') open.add(v);
      });
      return true;
    }
    var timer = 0;
    code.addEventListener('change', function () { apply(); });
    sev.addEventListener('change', function () { apply(); });
    text.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { apply(); }, 150); });
    prev.addEventListener('click', function () { page--; render(); });
    next.addEventListener('click', function () { page++; render(); });
    function toggle(tr) {
      var name = tr.dataset.pkg;
      if (open.has(name)) open.delete(name); else open.add(name);
      render();
    }
    tbody.addEventListener('click', function (e) { var tr = e.target.closest('tr.pkg'); if (tr) toggle(tr); });
    tbody.addEventListener('keydown', function (e) {
      var tr = e.target.closest('tr.pkg');
      if (tr && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); toggle(tr); }
    });
    // A code's link opens its explanation without losing the filters in the address.
    document.addEventListener('click', function (e) {
      var a = e.target.closest('a.explain');
      if (!a) return;
      var d = document.getElementById(a.getAttribute('href').slice(1));
      if (!d) return;
      e.preventDefault();
      d.open = true;
      d.scrollIntoView();
    });
    // An address that opens a package without naming a page shows the page that package is on.
    function fromHash() {
      if (!readHash()) return false;
      apply(true);
      if (/(^#|&)page=/.test(location.hash) || !open.size) return true;
      var first = open.values().next().value;
      for (var i = 0; i < shownPkgs.length; i++) if (shownPkgs[i].name === first) { page = Math.floor(i / PAGE); render(); break; }
      return true;
    }
    window.addEventListener('hashchange', fromHash);
    if (!fromHash()) apply(true);
    body.dataset.readyMs = Math.round(performance.now());
    body.dataset.ready = '1';
  } catch (e) {
    body.dataset.error = String(e && e.stack || e);
  }
})();
</script>
)";

}  // namespace isodrv::diag::detail
