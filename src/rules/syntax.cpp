// Rule family "syntax": encoding, duplicate sections, references to missing sections, unknown
// %tokens%, stampinf leftovers, repeated values, unreachable sections and silent truncation.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "rules/families.h"
#include "rules/text.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

bool is_strings_section(std::string_view name) {
  return name.size() >= 7 && rules::iequals(name.substr(0, 7), "Strings") && (name.size() == 7 || name[7] == '.');
}

void check_encoding(Context& ctx) {
  const auto& doc = ctx.doc();
  switch (doc.encoding()) {
    case inf::Encoding::utf8_bom:
    case inf::Encoding::utf16be_bom:
      ctx.report_at<Rule::r1003>(0, 0, {std::string(inf::encoding_name(doc.encoding()))});
      break;
    default:
      break;
  }
  if (doc.decode_flags().utf8_without_bom) ctx.report_at<Rule::r9003>(0, 0, {});
  // Decoding replaced or dropped something; say so rather than check a silently different text.
  if (doc.decode_flags().odd_length_utf16) ctx.report_at<Rule::r9004>(0, 0, {"an odd number of bytes; the last byte was dropped"});
  if (doc.decode_flags().unpaired_surrogate) {
    ctx.report_at<Rule::r9004>(0, 0, {"an unpaired surrogate, read as U+FFFD"});
  }
}

void check_signature(Context& ctx) {
  auto version = ctx.doc().section("Version");
  if (!version) return;
  auto sig = version->find("Signature");
  if (sig && rules::iequals(sig->field(0), "$Chicago$")) ctx.report<Rule::r1001>(*sig, {sig->field(0)}, 0);
}

void check_duplicate_sections(Context& ctx) {
  const auto& doc = ctx.doc();
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    inf::Section s = doc.section_at(i);
    if (s.header_count() < 2) continue;  // the usual case, without building the list
    auto headers = s.header_lines();
    for (std::size_t h = 1; h < headers.size(); ++h) {
      auto& d = ctx.report_at<Rule::r1209>(headers[h], 1, {std::string(s.name())}, std::string(s.name()));
      d.notes.push_back(diag::Note{headers[0], 1, "first defined here"});
    }
  }
}

void check_references(Context& ctx) {
  const auto& pkg = ctx.pkg();
  for (const auto& r : pkg.references) {
    if (r.exists) continue;
    // With Include= in play the section may come from an inbox INF, which is not available here.
    if (!pkg.includes.empty()) continue;
    if (!ctx.first_time(Rule::r1203, r.line, r.field)) continue;
    ctx.report<Rule::r1203>(r.line, {r.target, r.directive}, r.field);
  }
  for (const auto& s : pkg.sections) {
    if (s.exists || !s.has_reference || s.base.empty() || s.role != package::SectionRole::ddinstall) continue;
    ctx.report<Rule::r1261>(s.reference, {s.base, s.name}, 0);
  }
  // A Manufacturer line whose Models section exists under none of its names.
  if (auto mfg = ctx.doc().section("Manufacturer")) {
    std::string base, name;  // reused across the lines: "<base>.<decoration>" built in place
    for (inf::Line l : *mfg) {
      base.clear();
      l.field_into(0, base);
      bool any = ctx.doc().has_section(base);
      for (std::size_t i = 1; i < l.field_count() && !any; ++i) {
        name.assign(base).push_back('.');
        l.field_into(i, name);
        any = ctx.doc().has_section(name);
      }
      if (!any && !base.empty()) ctx.report<Rule::r1203>(l, {base, "Manufacturer"}, 0);
    }
  }
}

// Whether Document::substitute would record no unknown token in `raw`: every %name% pair (found
// the way substitute pairs them) is %%, a [Strings] key, or a DIRID that resolves to a path (a row
// of the DIRID table with a base, which is when inf::dirid_path answers).
bool all_tokens_known(const inf::Document& doc, std::string_view raw) {
  const char* p = raw.data();
  const char* end = p + raw.size();
  while (p < end) {
    const char* pct = static_cast<const char*>(std::memchr(p, '%', static_cast<std::size_t>(end - p)));
    if (!pct) return true;
    const char* close = static_cast<const char*>(std::memchr(pct + 1, '%', static_cast<std::size_t>(end - pct - 1)));
    if (!close) return true;
    std::string_view name(pct + 1, static_cast<std::size_t>(close - pct - 1));
    p = close + 1;
    if (name.empty() || doc.string_value(name)) continue;
    const auto id = inf::dirid_of_token(name);
    const inf::DiridInfo* d = id ? inf::find_dirid(*id) : nullptr;
    if (d && d->base != inf::DiridBase::none) continue;
    return false;
  }
  return true;
}

void check_tokens(Context& ctx) {
  const auto& doc = ctx.doc();
  std::vector<std::string> unknown;
  std::string scratch;
  // The keys and fields outside [Strings] that hold a '%', from the shared walk (most hold none).
  for (const TokenField& t : ctx.lines().tokens) {
    const inf::Line l = doc.line_at(t.line);
    const bool key = t.field == LineWalk::kKey;
    const std::string_view raw = key ? *l.raw_key() : l.raw_field(t.field);
    if (all_tokens_known(doc, raw)) continue;
    unknown.clear();
    scratch.clear();
    doc.substitute(raw, scratch, &unknown);
    const std::size_t field = key ? static_cast<std::size_t>(-1) : t.field;
    for (const auto& tok : unknown) ctx.report<Rule::r1235>(l, {"%" + tok + "%"}, field);
  }
}

// The physical line (1-based) that holds byte `pos` of the decoded text: the last line that starts
// at or before it, found by halving (a file holding the token has few of them and many lines).
std::uint32_t physical_line_at(const inf::Document& doc, std::size_t pos) {
  const char* base = doc.text().data();
  std::uint32_t lo = 1;
  std::uint32_t hi = doc.physical_line_count();
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo + 1) / 2;
    if (static_cast<std::size_t>(doc.physical_line(mid).data() - base) <= pos) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

void check_stamp_leftovers(Context& ctx) {
  if (ctx.settings().stampinf) return;
  const auto& doc = ctx.doc();
  const std::string_view text = doc.text();
  // The token searched in the whole text, and only the lines that hold it looked at (a walk of
  // every physical line cost ~40 instructions a line in the files that hold it); the first token
  // of a line decides, after a ';' it is in a comment.
  for (std::size_t pos = text.find("$ARCH$"); pos != std::string_view::npos;) {
    const std::uint32_t n = physical_line_at(doc, pos);
    const std::string_view line = doc.physical_line(n);
    const std::size_t start = static_cast<std::size_t>(line.data() - text.data());
    const std::size_t at = pos - start;
    const std::size_t semi = line.find(';');
    if (semi == std::string_view::npos || at < semi) {
      ctx.report_at<Rule::r1274>(n, static_cast<std::uint32_t>(inf::utf16_length(line.substr(0, at)) + 1), {});
    }
    pos = text.find("$ARCH$", start + line.size());
  }
}

// The same string key defined twice in one [Strings] section: only the first is used.
// Whether two keys of a [Strings] section may be equal ignoring case: their folded hashes
// (rules::ci_hash) go into an open-addressing table (`table`, reused across sections), and a hash
// met twice says "maybe" (a collision of different keys only costs the exact check after).
bool may_repeat(const inf::Section& sec, std::vector<std::uint64_t>& table) {
  std::size_t size = 16;
  while (size < 2 * sec.line_count()) size *= 2;
  table.assign(size, 0);
  const std::size_t mask = size - 1;
  for (inf::Line l : sec) {
    if (!l.has_key()) continue;
    const std::uint64_t h = ci_hash(*l.raw_key()) | 1;  // 0 marks a free slot
    for (std::size_t i = static_cast<std::size_t>(h >> 17) & mask;; i = (i + 1) & mask) {
      if (table[i] == h) return true;
      if (table[i] == 0) {
        table[i] = h;
        break;
      }
    }
  }
  return false;
}

void check_repeats(Context& ctx) {
  const auto& doc = ctx.doc();
  std::vector<std::uint64_t> table;
  std::vector<std::pair<std::string_view, inf::Line>> keys;
  // The [Strings] section the document indexed has been checked while its index was built.
  const auto indexed = doc.strings_section();
  const std::size_t unrepeated = indexed && !doc.strings_keys_may_repeat() ? indexed->index() : doc.section_count();
  for (std::size_t s = 0; s < doc.section_count(); ++s) {
    if (s == unrepeated) continue;
    inf::Section sec = doc.section_at(s);
    if (!is_strings_section(sec.name())) continue;
    // Almost every [Strings] section has no repeat: the hash table shows that in one pass, without
    // gathering and sorting the keys.
    if (!may_repeat(sec, table)) continue;
    // Sorted (key, position) pairs instead of a map: no node per string; a stable sort keeps the
    // first definition first among equal keys.
    keys.clear();
    for (inf::Line l : sec) {
      if (l.has_key()) keys.emplace_back(*l.raw_key(), l);
    }
    std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return ci_less(a.first, b.first); });
    for (std::size_t i = 1, first = 0; i < keys.size(); ++i) {
      if (!rules::iequals(keys[i].first, keys[first].first)) {
        first = i;
        continue;
      }
      const inf::Line& l = keys[i].second;
      auto& d = ctx.report<Rule::r1294>(l, {std::string(*l.raw_key())});
      Context::note(d, keys[first].second, "first defined here; this definition is ignored");
    }
  }
}

void check_unreached(Context& ctx) {
  const auto& doc = ctx.doc();
  const auto& used = ctx.pkg().section_used;
  for (std::size_t s = 0; s < doc.section_count(); ++s) {
    if (used[s]) continue;
    inf::Section sec = doc.section_at(s);
    ctx.report_at<Rule::r2083>(sec.line(), 1, {std::string(sec.name())}, std::string(sec.name()));
  }
}

void check_truncation(Context& ctx) {
  for (const auto& n : ctx.doc().notes()) {
    if (n.kind == inf::NoteKind::field_truncated) {
      ctx.report_at<Rule::r9002>(n.line, n.column, {"a token longer than 511 characters is cut to 511"});
    } else if (n.kind == inf::NoteKind::ctrl_z_end) {
      ctx.report_at<Rule::r9002>(n.line, n.column, {"a Ctrl-Z character ends the file here; the rest is ignored"});
    }
  }
}

}  // namespace

void run_syntax_rules(Context& ctx) {
  check_encoding(ctx);
  check_signature(ctx);
  check_duplicate_sections(ctx);
  check_references(ctx);
  check_tokens(ctx);
  check_stamp_leftovers(ctx);
  check_repeats(ctx);
  check_unreached(ctx);
  check_truncation(ctx);
}

}  // namespace isodrv::rules
