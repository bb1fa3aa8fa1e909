// The fix loop, as ruff runs it: check, take every fix whose edits do not collide with one already
// taken, apply them to the bytes, and check again until no fix applies. Later rounds pick up what
// an earlier fix made possible (a section created once, then added to). Line numbers of applied
// findings are mapped back to the original file through each round's edits.
#include <algorithm>
#include <filesystem>

#include "fix/fixers.h"
#include "isodrv/fix.h"
#include "isodrv/input.h"
#include "isodrv/stamp_tokens.h"

namespace isodrv::fix {
namespace detail {

void no_fix(diag::Diagnostic& d, std::string reason) {
  d.fix->edits.clear();
  d.fix->migrations.clear();
  d.fix->reason = std::move(reason);
}

Fixer fixer_for(int code) {
  switch (code) {
    case 1100: return fix_store_layout;
    case 1301:
    case 1303:
    case 1450: return fix_remove_line;
    case 1320:
    case 1321: return fix_hklm_service;
    case 1322:
    case 1341: return fix_destination;
    case 1323: return fix_service_hkr;
    case 1324: return fix_pnplockdown;
    case 1421: return fix_default_install;
    case 2084:
    case 2085: return fix_service_binary;
    default: return nullptr;
  }
}

}  // namespace detail

namespace {

bool ends_with_ci(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && inf::iequals(std::string_view(s).substr(s.size() - suffix.size()), suffix);
}

// How %1% and %13% resolve while fixing: the INF's folder, and a driver-store folder named as staging
// would name it (the hash does not matter for comparing paths).
inf::DiridContext fix_dirids(const std::string& path, inf::Arch arch) {
  namespace fs = std::filesystem;
  inf::DiridContext d;
  d.src_path = fs::path(path).parent_path().string();
  d.driver_store = package::driver_store_path(fs::path(path).stem().string() + ".inf", arch, "0000000000000000");
  return d;
}

// Whether two edits may both apply: they do not overlap, and two insertions at one offset (whose
// order would be a guess) come from the same fix.
bool collide(const diag::Edit& a, const diag::Edit& b) {
  if (a == b) return false;
  if (a.begin == a.end && b.begin == b.end) return a.begin == b.begin;
  if (a.begin == a.end) return b.begin < a.begin && a.begin < b.end;
  if (b.begin == b.end) return a.begin < b.begin && b.begin < a.end;
  return a.begin < b.end && b.begin < a.end;
}

// Original offset of an offset in a round's output, through that round's edits (sorted); an offset
// inside inserted text maps to where the insertion was made.
std::uint32_t map_back(std::uint32_t at, const std::vector<diag::Edit>& edits) {
  std::int64_t delta = 0;
  for (const auto& e : edits) {
    const std::int64_t new_begin = e.begin + delta, new_end = new_begin + static_cast<std::int64_t>(e.replacement.size());
    if (at < new_begin) break;
    if (at < new_end) return e.begin;
    delta += static_cast<std::int64_t>(e.replacement.size()) - (e.end - e.begin);
  }
  return static_cast<std::uint32_t>(at - delta);
}

// The 1-based line holding byte `at` of a file.
std::uint32_t line_of(std::string_view bytes, std::uint32_t at, unsigned codepage) {
  inf::DecodeOptions o;
  o.codepage = codepage;
  auto dec = inf::decode(bytes, o);
  if (!dec.ok()) return 0;
  const auto& starts = dec->line_byte_start;
  return static_cast<std::uint32_t>(std::upper_bound(starts.begin(), starts.end(), at) - starts.begin());
}

struct Round {
  std::vector<diag::Edit> edits;  // sorted, in the bytes the round started from
};

// The byte offset where physical line `line` starts in `bytes`.
std::uint32_t line_start(std::string_view bytes, std::uint32_t line, unsigned codepage) {
  inf::DecodeOptions o;
  o.codepage = codepage;
  auto dec = inf::decode(bytes, o);
  if (!dec.ok() || line == 0 || line > dec->line_byte_start.size()) return 0;
  return dec->line_byte_start[line - 1];
}

// Maps a line of round `r`'s input back to the original file.
std::uint32_t original_line(const std::vector<std::string>& inputs, const std::vector<Round>& rounds, std::size_t r,
                            std::uint32_t line, unsigned codepage) {
  if (r == 0 || line == 0) return line;
  std::uint32_t at = line_start(inputs[r], line, codepage);
  for (std::size_t k = r; k-- > 0;) at = map_back(at, rounds[k].edits);
  return line_of(inputs[0], at, codepage);
}

}  // namespace

std::string apply_edits(std::string_view bytes, const std::vector<diag::Edit>& edits) {
  std::string out;
  out.reserve(bytes.size() + 256);
  std::uint32_t at = 0;
  for (const auto& e : edits) {
    if (e.begin < at || e.end > bytes.size()) continue;  // never happens for edits from one round
    out.append(bytes.substr(at, e.begin - at));
    out += e.replacement;
    at = e.end;
  }
  out.append(bytes.substr(at));
  return out;
}

void attach_fixes(std::string_view bytes, const std::string& path, const check::Options& opts,
                  std::vector<diag::Diagnostic>& diagnostics) {
  const bool inx = ends_with_ci(path, ".inx") || opts.settings.stampinf;
  const std::string stamped = inx ? stamp::accept_tokens_for_check(bytes, opts.settings.target.arch) : std::string();
  inf::ParseOptions popts;
  popts.decode.codepage = opts.codepage;
  popts.langid = opts.settings.target.langid;
  auto doc = inf::Document::parse(inx ? std::string_view(stamped) : bytes, path, popts);
  auto src = detail::Source::build(bytes, opts.codepage);
  if (!doc.ok() || !src.ok()) return;
  doc->set_dirids(fix_dirids(path, opts.settings.target.arch));
  const package::Package pkg = package::build_package(*doc, opts.settings.target);
  std::set<std::string> creating;
  detail::FixContext ctx{*doc, pkg, *src, inx, creating};
  for (auto& d : diagnostics) {
    const rules::RuleInfo* r = rules::find_rule(d.code);
    const detail::Fixer fixer = detail::fixer_for(d.code);
    if (!r || !r->has_fix || !fixer || d.severity == diag::Severity::none) continue;
    // Fixers address whole logical lines: a finding on a continuation line of one is fixed from
    // the line where it starts (the finding keeps its own line).
    diag::Diagnostic at = d;
    at.line = src->first_physical(d.line);
    at.fix = diag::Fix{};
    at.fix->safety = r->fix_safety;
    fixer(ctx, at);
    d.fix = std::move(at.fix);
    std::stable_sort(d.fix->edits.begin(), d.fix->edits.end(), [](const diag::Edit& a, const diag::Edit& b) {
      return a.begin != b.begin ? a.begin < b.begin : (a.begin == a.end && b.begin != b.end);
    });
  }
}

namespace {

// The diagnostics whose fixes one round applies: every allowed fix, in order, whose edits collide
// with none already taken; their edits go into `round`, sorted by offset.
std::vector<diag::Diagnostic> take_fixes(const std::vector<diag::Diagnostic>& found, const Options& opts, Round& round) {
  std::vector<diag::Diagnostic> taken;
  for (const auto& d : found) {
    if (!d.fix || !d.fix->available() || (d.fix->safety == diag::FixSafety::unsafe && !opts.unsafe)) continue;
    const bool fits = std::none_of(d.fix->edits.begin(), d.fix->edits.end(), [&](const diag::Edit& e) {
      return std::any_of(round.edits.begin(), round.edits.end(), [&](const diag::Edit& a) { return collide(e, a); });
    });
    if (!fits) continue;
    for (const auto& e : d.fix->edits) {
      if (std::find(round.edits.begin(), round.edits.end(), e) == round.edits.end()) round.edits.push_back(e);
    }
    taken.push_back(d);
  }
  // At one offset, insertions (in the order taken) go before the replacement that starts there.
  std::stable_sort(round.edits.begin(), round.edits.end(), [](const diag::Edit& a, const diag::Edit& b) {
    return a.begin != b.begin ? a.begin < b.begin : (a.begin == a.end && b.begin != b.end);
  });
  return taken;
}

}  // namespace

FileFix fix_bytes(std::string_view bytes, const std::string& path, const Options& opts) {
  FileFix out;
  out.path = path;
  out.original = std::string(bytes);
  std::vector<std::string> inputs{out.original};
  std::vector<Round> rounds;
  // Each round either applies an edit or ends the loop; the cap guards against fixes that undo
  // each other.
  constexpr std::size_t kMaxRounds = 100;
  for (std::size_t r = 0;; ++r) {
    diag::FileResult res = check::check_bytes(inputs[r], path, opts.check);
    check::apply_selection(opts.selection, res);
    attach_fixes(inputs[r], path, opts.check, res.diagnostics);
    Round round;
    std::vector<diag::Diagnostic> taken = take_fixes(res.diagnostics, opts, round);
    std::string next = apply_edits(inputs[r], round.edits);
    if (taken.empty() || next == inputs[r] || r + 1 >= kMaxRounds) {
      for (const auto& d : res.diagnostics) {
        out.after_original_lines.push_back(original_line(inputs, rounds, r, d.line, opts.check.codepage));
      }
      out.after = std::move(res);
      break;
    }
    rounds.push_back(std::move(round));
    inputs.push_back(std::move(next));
    for (auto& d : taken) {
      d.line = original_line(inputs, rounds, r, d.line, opts.check.codepage);
      for (auto& m : d.fix->migrations) m.line = original_line(inputs, rounds, r, m.line, opts.check.codepage);
      out.applied.push_back(std::move(d));
    }
  }
  out.fixed = inputs.back();
  return out;
}

FileFix fix_file(const std::string& path, const Options& opts) {
  auto bytes = read_input(path);
  if (!bytes) {
    FileFix out;
    out.path = path;
    out.unreadable = true;
    out.error = bytes.error().to_string();
    return out;
  }
  return fix_bytes(*bytes, path, opts);
}

}  // namespace isodrv::fix
