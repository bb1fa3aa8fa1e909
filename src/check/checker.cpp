// The check pipeline for one file: read, decode, parse (stamp tokens accepted for .inx), build the
// package model, run every rule family, apply per-mode levels and inline suppressions.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <condition_variable>
#include <map>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include "isodrv/check.h"
#include "rules/rule.h"
#include "isodrv/input.h"
#include "isodrv/stamp_tokens.h"

namespace isodrv::check {
namespace fs = std::filesystem;

namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && inf::iequals(s.substr(s.size() - suffix.size()), suffix);
}

diag::Diagnostic file_level(rules::Rule rule, const std::string& path, std::uint32_t line, std::vector<std::string> args,
                            diag::Mode mode) {
  const int code = static_cast<int>(rule);
  diag::Diagnostic d;
  d.code = code;
  d.file = path;
  d.line = line;
  const rules::RuleInfo* r = rules::find_rule(code);
  d.severity = r ? rules::level(*r, mode) : diag::Severity::error;
  d.message = r ? rules::format_message(r->message.empty() ? r->topic : r->message, args) : std::string();
  return d;
}

// Sorts as diag::operator< does. The findings of one file name the same file: then the path is
// not compared again for every pair; and the sort moves indices, each finding (a dozen strings)
// is then moved about once into its place. Stable: equal findings keep the order they were reported in.
void sort_findings(std::vector<diag::Diagnostic>& d) {
  if (d.size() < 2) return;
  const bool one_file = std::all_of(d.begin(), d.end(), [&](const diag::Diagnostic& x) { return x.file == d[0].file; });
  auto less = [&](const diag::Diagnostic& a, const diag::Diagnostic& b) {
    if (!one_file) return a < b;
    return std::tie(a.line, a.column, a.code, a.message) < std::tie(b.line, b.column, b.code, b.message);
  };
  if (std::is_sorted(d.begin(), d.end(), less)) return;  // nothing to move (a file with one family's findings)
  std::vector<std::uint32_t> order(d.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t i, std::uint32_t j) { return less(d[i], d[j]); });
  // Place k takes the finding order[k]: followed cycle by cycle, in place (no second vector, and
  // the storage keeps its room for the next file, check_stream).
  for (std::uint32_t k = 0; k < order.size(); ++k) {
    if (order[k] == k) continue;
    diag::Diagnostic held = std::move(d[k]);
    std::uint32_t at = k;
    while (order[at] != k) {
      const std::uint32_t from = order[at];
      d[at] = std::move(d[from]);
      order[at] = at;
      at = from;
    }
    d[at] = std::move(held);
    order[at] = at;
  }
}

void finish(diag::FileResult& res) {
  auto& d = res.diagnostics;
  d.erase(std::remove_if(d.begin(), d.end(), [](const diag::Diagnostic& x) { return x.severity == diag::Severity::none; }),
          d.end());
  sort_findings(d);
  d.erase(std::unique(d.begin(), d.end(),
                      [](const diag::Diagnostic& a, const diag::Diagnostic& b) {
                        return a.code == b.code && a.line == b.line && a.column == b.column && a.message == b.message;
                      }),
          d.end());
  res.valid = std::none_of(d.begin(), d.end(), [](const diag::Diagnostic& x) { return x.severity == diag::Severity::error; });
}

// DIRIDs for checking: %1% is the INF's folder; %13% the FileRepository folder with an all-zero
// hash. No rule or message depends on the real hash, and computing it (package::dirids_for_file)
// builds the package model a second time and hashes every payload file: a quarter of the time
// of a check over the corpus.
inf::DiridContext check_dirids(const std::string& path, inf::Arch arch) {
  inf::DiridContext ctx;
  const std::size_t slash = path.find_last_of('/');
  ctx.src_path = slash == std::string::npos || slash == 0 ? (slash == 0 ? "/" : ".") : path.substr(0, slash);
  const std::string_view name = slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
  ctx.driver_store = package::driver_store_path(name, arch, "0000000000000000");
  return ctx;
}

void add_distinct(std::vector<std::string>& v, std::string_view s) {
  if (s.empty()) return;
  for (const auto& x : v) {
    if (inf::iequals(x, s)) return;
  }
  v.emplace_back(s);
}

diag::InfSummary summarize(const inf::Document& doc, const package::Package& pkg, inf::Arch arch) {
  diag::InfSummary s;
  if (auto v = doc.section("Version")) {
    auto value = [&](std::string_view key) {
      auto l = v->find(key);
      return l ? l->field(0) : std::string();
    };
    s.provider = value("Provider");
    s.class_name = value("Class");
    s.class_guid = value("ClassGuid");
    if (auto l = v->find("DriverVer")) {
      s.driver_ver = l->field(0);
      if (l->field_count() > 1) s.driver_ver += "," + l->field(1);
    }
    if (auto l = v->find("PnpLockdown")) s.pnp_lockdown = std::string(l->raw_field(0));
  }
  if (auto cat = package::catalog_file(doc, arch)) s.catalog = *cat;
  for (const auto& m : pkg.models) {
    add_distinct(s.models, m.models_section);
    ++s.devices;
    for (const auto& id : m.hardware_ids) add_distinct(s.hardware_ids, id);
  }
  for (const auto& svc : pkg.services) add_distinct(s.services, svc.name);
  for (const auto& c : pkg.copies) {
    ++s.files_copied;
    if (c.has_destination) add_distinct(s.destinations, c.dirid_text);
  }
  return s;
}

// The column in `written` of column `col` (1-based) of `stamped`, the same line after stampinf
// tokens ($ARCH$, $KMDFVERSION$ …) were replaced: text outside tokens is identical, and a column
// inside a replaced value points at its token.
// Byte offset in UTF-8 `line` of the character at 1-based UTF-16 column `col` (the line's end
// when the column is past it).
std::size_t byte_at_utf16_column(std::string_view line, std::uint32_t col) {
  std::size_t units = 0, i = 0;
  while (i < line.size() && units + 1 < col) {
    const auto c = static_cast<unsigned char>(line[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    units += len == 4 ? 2 : 1;  // a 4-byte UTF-8 sequence is a surrogate pair in UTF-16
    i = std::min(line.size(), i + len);
  }
  return i;
}

// Maps a 1-based byte column of the stamped line to the written one.
std::uint32_t unstamped_byte_column(std::string_view written, std::string_view stamped, std::uint32_t col) {
  const std::size_t target = col - 1;
  std::size_t i = 0, j = 0;
  while (i < written.size() && j < stamped.size()) {
    if (written[i] == stamped[j]) {
      if (j == target) return static_cast<std::uint32_t>(i + 1);
      ++i;
      ++j;
      continue;
    }
    // A token $NAME$ at i replaced by a value at j: the value runs until the text after the token.
    const std::size_t close = written[i] == '$' ? written.find('$', i + 1) : std::string_view::npos;
    if (close == std::string_view::npos) break;
    const std::size_t after = close + 1;
    std::size_t k = j;
    while (k < stamped.size() && (after >= written.size() || stamped[k] != written[after])) ++k;
    if (target >= j && target < k) return static_cast<std::uint32_t>(i + 1);
    i = after;
    j = k;
  }
  if (j == target) return static_cast<std::uint32_t>(i + 1);
  // Past the compared text: keep the distance from the line's end.
  const std::size_t from_end = stamped.size() > target ? stamped.size() - target : 0;
  return static_cast<std::uint32_t>(written.size() >= from_end ? written.size() - from_end + 1 : 1);
}

// Maps a column of the stamped line to the written one. Columns are UTF-16 units, as everywhere
// in a diagnostic; the token walk compares bytes, so the column goes to a byte offset and back.
std::uint32_t unstamped_column(std::string_view written, std::string_view stamped, std::uint32_t col) {
  if (col == 0) return col;
  const std::size_t stamped_byte = byte_at_utf16_column(stamped, col);
  const std::uint32_t written_byte_col =
      unstamped_byte_column(written, stamped, static_cast<std::uint32_t>(stamped_byte + 1));
  const std::size_t written_byte = std::min<std::size_t>(written_byte_col - 1, written.size());
  return static_cast<std::uint32_t>(inf::utf16_length(written.substr(0, written_byte)) + 1);
}

// Whether a finding or one of its notes is on a line that stamping may have changed.
bool any_on_stamped_line(const inf::Document& doc, const diag::FileResult& res, inf::Arch arch) {
  auto stamped = [&](std::uint32_t line) { return line != 0 && stamp::may_be_stamped(doc.physical_line(line), arch); };
  for (const auto& d : res.diagnostics) {
    if (stamped(d.line)) return true;
    for (const auto& n : d.notes) {
      if (stamped(n.line)) return true;
    }
  }
  return false;
}

// An .inx is checked stamped; findings point at the file as written: its source line and the
// column in it (the stamped text keeps the line structure, only tokens change length).
void point_into_unstamped(std::string_view written_bytes, const inf::Document& doc, unsigned codepage, inf::Arch arch,
                          diag::FileResult& res) {
  // Most findings of an .inx are on lines stamping left alone: then the written file need not be
  // decoded a second time to compare its lines.
  if (!any_on_stamped_line(doc, res, arch)) return;
  inf::DecodeOptions dopts;
  dopts.codepage = codepage;
  auto decoded = inf::decode(written_bytes, dopts);
  if (!decoded.ok()) return;
  const std::string_view text = decoded.value().view(written_bytes);
  const auto& starts = decoded.value().line_text_start;
  auto written_line = [&](std::uint32_t n) -> std::optional<std::string_view> {
    if (n == 0 || n > starts.size()) return std::nullopt;
    const std::size_t b = starts[n - 1];
    std::size_t e = n < starts.size() ? starts[n] : text.size();
    while (e > b && (text[e - 1] == '\n' || text[e - 1] == '\r')) --e;
    return text.substr(b, e - b);
  };
  for (auto& d : res.diagnostics) {
    if (auto w = written_line(d.line)) {
      const std::string_view s = doc.physical_line(d.line);
      if (*w != s) {
        d.column = unstamped_column(*w, s, d.column);
        d.source_line = std::string(*w);
      }
    }
    for (auto& n : d.notes) {
      auto w = written_line(n.line);
      if (w && *w != doc.physical_line(n.line)) n.column = unstamped_column(*w, doc.physical_line(n.line), n.column);
    }
  }
}

}  // namespace

namespace {

// check_bytes on bytes the check may keep: the document takes them over instead of a copy (the
// reader's buffer has the spare capacity in-place decoding wants).
// `room`, when given: storage for the findings, left by an earlier file (check_stream).
diag::FileResult check_owned(std::string&& bytes, const std::string& path, const Options& opts,
                             std::vector<diag::Diagnostic>* room = nullptr) {
  diag::FileResult res;
  if (room) res.diagnostics = std::move(*room);
  res.path = path;
  res.mode = opts.settings.mode;
  // The run's settings as they are, but for an .inx file, which accepts stamp tokens: a copy of
  // them per file would copy their strings and shared folders.
  std::optional<rules::CheckSettings> inx_settings;
  if (ends_with_ci(path, ".inx")) {
    inx_settings = opts.settings;
    inx_settings->stampinf = true;
  }
  const rules::CheckSettings& settings = inx_settings ? *inx_settings : opts.settings;
  std::string written;  // the file as written, when stamping changed it
  if (settings.stampinf) {
    if (auto stamped = stamp::stamp_for_check(bytes, settings.target.arch)) {
      written = std::move(bytes);
      bytes = std::move(*stamped);
    }
  }
  inf::ParseOptions popts;
  popts.decode.codepage = opts.codepage;
  popts.langid = settings.target.langid;
  auto doc = inf::Document::parse(std::move(bytes), path, popts);
  if (!doc.ok()) {
    const Error& e = doc.error();
    if (e.code == Errc::wrong_inf_style) {
      res.diagnostics.push_back(file_level(rules::Rule::r1001, path, 0, {}, settings.mode));
      res.diagnostics.back().message = e.message;
    } else {
      res.diagnostics.push_back(
          file_level(rules::Rule::r1002, path, e.line, {e.message, std::string(errc_name(e.code))}, settings.mode));
      res.diagnostics.push_back(file_level(rules::Rule::r1299, path, 0, {}, settings.mode));
    }
    finish(res);
    return res;
  }
  res.encoding = std::string(inf::encoding_name(doc->encoding()));
  doc->set_dirids(check_dirids(path, settings.target.arch));
  package::Package pkg = package::build_package(*doc, settings.target);
  if (opts.summary) res.summary = summarize(*doc, pkg, settings.target.arch);
  rules::Context ctx(*doc, pkg, settings, res.diagnostics);
  for (const auto& family : rules::families()) family.run(ctx);
  if (!written.empty()) point_into_unstamped(written, *doc, opts.codepage, settings.target.arch, res);
  apply_inline_suppressions(*doc, res);
  finish(res);
  return res;
}

}  // namespace

diag::FileResult check_bytes(std::string_view bytes, const std::string& path, const Options& opts) {
  return check_owned(std::string(bytes), path, opts);
}

namespace {

// The working directory for display_path, read once per check_stream; "" when it cannot be read
// (display_path then asks again, and decides as before).
std::string working_directory() {
  char cwd[PATH_MAX];
  return ::getcwd(cwd, sizeof cwd) ? std::string(cwd) : std::string();
}

// check_file with the run's working directory ("": read it).
// `room`: as for check_owned.
diag::FileResult check_file_in(const std::string& path, const Options& opts, std::string_view cwd,
                               std::vector<diag::Diagnostic>* room = nullptr) {
  // Read from the path as given; show it relative to the project root.
  const std::string shown = display_path(path, opts.project_root, cwd);
  diag::FileResult res;
  res.path = shown;
  res.mode = opts.settings.mode;
  auto unreadable = [&](std::string msg) {
    res.unreadable = true;
    res.valid = false;
    diag::Diagnostic d = file_level(rules::Rule::r1000, shown, 0, {std::move(msg)}, opts.settings.mode);
    d.severity = diag::Severity::error;
    res.diagnostics.push_back(std::move(d));
    return res;
  };
  // Opened by its name below the working directory when it has one (a shorter walk in the kernel);
  // a failure is asked again by the path as given, so the reason shown is that path's.
  const char* name = cwd_relative(path, cwd);
  auto bytes = name == path.c_str() ? read_input(path) : read_input(std::string(name));
  if (!bytes && name != path.c_str()) bytes = read_input(path);
  if (!bytes) {
    // The wording of these three is InfVerif's; anything else gives the system's reason.
    const std::string& why = bytes.error().message;
    if (bytes.error().code == Errc::file_not_found) return unreadable("file does not exist");
    if (bytes.error().code == Errc::access_denied) return unreadable("cannot open file for reading");
    return unreadable(why);
  }
  return check_owned(std::move(*bytes), shown, opts, room);
}

// Findings' storage up to this many is handed from one file to the next: most files then need no
// allocation for their findings (and none to grow it), while a file with very many does not leave
// its storage held for the rest of the run.
constexpr std::size_t kKeptRoom = 256;

void keep_room(diag::FileResult& res, std::vector<diag::Diagnostic>& room) {
  if (res.diagnostics.capacity() > kKeptRoom) return;
  res.diagnostics.clear();
  room = std::move(res.diagnostics);
}

}  // namespace

diag::FileResult check_file(const std::string& path, const Options& opts) { return check_file_in(path, opts, {}); }

void check_stream(const std::vector<std::string>& paths, const Options& opts,
                  const std::function<void(diag::FileResult&&)>& sink) {
  Options run_opts = opts;
  // No more threads than files: a run over a few files starts no idle threads.
  run_opts.jobs = std::max(1u, std::min<unsigned>(opts.jobs, static_cast<unsigned>(std::max<std::size_t>(paths.size(), 1))));
  std::size_t i = 0;
  check_stream([&](std::string& p) {
    if (i >= paths.size()) return false;
    p = paths[i++];
    return true;
  }, run_opts, sink);
}

void check_stream(const std::function<bool(std::string&)>& next_path, const Options& opts,
                  const std::function<void(diag::FileResult&&)>& sink) {
  Options run_opts = opts;
  if (!run_opts.settings.folders) run_opts.settings.folders = std::make_shared<package::FolderNames>();
  const unsigned jobs = std::max(1u, opts.jobs);
  const std::string cwd = working_directory();
  std::size_t done = 0;
  if (jobs <= 1) {
    std::vector<diag::Diagnostic> kept;  // the last file's findings' storage, for the next
    for (std::string path; next_path(path);) {
      diag::FileResult res = check_file_in(path, run_opts, cwd, &kept);
      sink(std::move(res));
      keep_room(res, kept);
      if (opts.on_progress && ++done % 64 == 0) opts.on_progress(done);
    }
    if (opts.on_progress && done % 64) opts.on_progress(done);
    return;
  }
  // Threads take the next path; a finished file waits in `ready` until every file before it has
  // gone to the sink, so output keeps the input order. A thread does not start a file more than
  // `window` places ahead of the next one due, which bounds what waits.
  const std::size_t window = 256 * jobs;
  std::mutex mutex;
  std::condition_variable room;
  std::map<std::size_t, diag::FileResult> ready;
  std::size_t next = 0, due = 0;
  bool at_end = false;
  auto worker = [&] {
    for (std::string path;;) {
      std::size_t i;
      {
        std::unique_lock<std::mutex> lock(mutex);
        room.wait(lock, [&] { return at_end || next < due + window; });
        if (at_end || !next_path(path)) {
          at_end = true;
          room.notify_all();
          return;
        }
        i = next++;
      }
      diag::FileResult res = check_file_in(path, run_opts, cwd);
      std::lock_guard<std::mutex> lock(mutex);
      ready.emplace(i, std::move(res));
      // The thread that completes the file due drains what is ready, under the lock: the sink
      // (rendering) sees one file at a time, in order.
      for (auto it = ready.begin(); it != ready.end() && it->first == due; it = ready.begin()) {
        sink(std::move(it->second));
        ready.erase(it);
        ++due;
        if (opts.on_progress && due % 64 == 0) opts.on_progress(due);
      }
      room.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (opts.on_progress && due % 64) opts.on_progress(due);
}

diag::Report check_files(const std::vector<std::string>& paths, const Options& opts) {
  diag::Report report;
  report.mode = opts.settings.mode;
  report.tool_version = ISODRV_VERSION;
  report.files.reserve(paths.size());
  check_stream(paths, opts, [&](diag::FileResult&& f) { report.files.push_back(std::move(f)); });
  return report;
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, std::vector<std::string>& missing) {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (!it->is_regular_file(ec)) continue;
        std::string p = it->path().string();
        if (ends_with_ci(p, ".inf") || ends_with_ci(p, ".inx")) found.push_back(p);
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(in, ec)) {
      out.push_back(in);
    } else {
      missing.push_back(in);
      out.push_back(in);  // reported as unreadable in order
    }
  }
  return out;
}

}  // namespace isodrv::check
