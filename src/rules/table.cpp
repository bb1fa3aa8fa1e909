// Builds the rule table from rule_table.def (codes, levels, topics) and rule_text.def (messages,
// explanations and examples), so every output derives from one declaration per code.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "rules/facts.h"
#include "rules/families.h"
#include "rules/named.h"
#include "rules/rule.h"

namespace isodrv::rules {
namespace {

using diag::Severity;
constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;
constexpr Severity N = Severity::none;

struct Text {
  int code;
  std::string_view message, why, bad, good;
};

constexpr Text kTexts[] = {
#define ISODRV_RULE_TEXT(code, message, why, bad, good) {code, message, why, bad, good},
#include "rules/rule_text.def"
#undef ISODRV_RULE_TEXT
};

struct FixText {
  int code;
  diag::FixSafety safety;
  std::string_view what;
};

constexpr diag::FixSafety safe = diag::FixSafety::safe;
constexpr diag::FixSafety unsafe = diag::FixSafety::unsafe;

constexpr FixText kFixes[] = {
#define ISODRV_FIX(code, safety, what) {code, safety, what},
#include "rules/fix_table.def"
#undef ISODRV_FIX
};

std::vector<RuleInfo> build_table() {
  std::vector<RuleInfo> out = {
#define ISODRV_RULE(code, slug, k, u, w, h_from, iso, topic) \
  RuleInfo{code, slug, k, u, w, iso, topic, {}, {}, {}, {}, false, false, diag::FixSafety::safe, {}, h_from},
#include "rules/rule_table.def"
#undef ISODRV_RULE
  };
  for (const auto& t : kTexts) {
    for (auto& r : out) {
      if (r.code != t.code) continue;
      r.message = t.message;
      r.why = t.why;
      r.bad = t.bad;
      r.good = t.good;
      r.implemented = true;
    }
  }
  for (const auto& f : kFixes) {
    for (auto& r : out) {
      if (r.code != f.code) continue;
      r.has_fix = true;
      r.fix_safety = f.safety;
      r.fix = f.what;
    }
  }
  std::sort(out.begin(), out.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.code < b.code; });
  return out;
}

const std::vector<RuleInfo>& table() {
  static const std::vector<RuleInfo> t = build_table();
  return t;
}

}  // namespace

std::span<const RuleInfo> all_rules() { return table(); }

namespace {
// The table's position of every code, indexed by the code itself (codes run to a few thousand):
// every finding looks its rule up, and this answers without a binary search.
std::vector<std::uint16_t> build_index(const std::vector<RuleInfo>& t) {
  std::vector<std::uint16_t> index(t.empty() ? 0 : static_cast<std::size_t>(t.back().code) + 1, UINT16_MAX);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].code >= 0) index[static_cast<std::size_t>(t[i].code)] = static_cast<std::uint16_t>(i);
  }
  return index;
}
}  // namespace

namespace {
// The table and its index, made together behind one guard: find_rule is asked for every finding,
// and going through table() each time cost a call and a second guard test.
struct Lookup {
  const std::vector<RuleInfo>& rules = table();
  std::vector<std::uint16_t> index = build_index(rules);
};
}  // namespace

const RuleInfo* find_rule(int code) {
  static const Lookup lookup;
  if (code < 0 || static_cast<std::size_t>(code) >= lookup.index.size()) return nullptr;
  const std::uint16_t i = lookup.index[static_cast<std::size_t>(code)];
  return i == UINT16_MAX ? nullptr : &lookup.rules[i];
}

Severity level(const RuleInfo& r, diag::Mode m) {
  switch (m) {
    case diag::Mode::k: return r.level_k;
    case diag::Mode::u: return r.level_u;
    case diag::Mode::w:
    case diag::Mode::h: return r.level_w;
  }
  return r.level_w;
}

std::string format_message(std::string_view tmpl, const std::vector<std::string>& args) {
  return format_message(tmpl, std::span<const std::string>(args));
}

namespace {
// The message of format_message written into `buf` (`cap` bytes); its length, or nullopt when it
// does not fit (the caller then writes it into a growing string).
std::optional<std::size_t> format_into(char* buf, std::size_t cap, std::string_view tmpl, std::span<const std::string> args) {
  std::size_t n = 0;
  auto put = [&](const char* p, std::size_t k) {
    if (k > cap - n) return false;
    std::memcpy(buf + n, p, k);
    n += k;
    return true;
  };
  const char* const end = tmpl.data() + tmpl.size();
  const char* run = tmpl.data();  // start of the text not yet copied
  for (const char* p = run; p < end;) {
    const char* q = static_cast<const char*>(std::memchr(p, '{', static_cast<std::size_t>(end - p)));
    if (!q) break;
    if (end - q > 2 && q[2] == '}' && q[1] >= '0' && q[1] <= '9') {
      const std::size_t idx = static_cast<std::size_t>(q[1] - '0');
      if (!put(run, static_cast<std::size_t>(q - run))) return std::nullopt;
      if (idx < args.size() && !put(args[idx].data(), args[idx].size())) return std::nullopt;
      run = p = q + 3;
    } else {
      p = q + 1;
    }
  }
  if (!put(run, static_cast<std::size_t>(end - run))) return std::nullopt;
  return n;
}
}  // namespace

std::string format_message(std::string_view tmpl, std::span<const std::string> args) {
  // Every finding's message is made here: written first into a buffer on the stack (one scan of
  // the template, plain copies), the string is then allocated once at its final size.
  char buf[512];
  if (auto n = format_into(buf, sizeof buf, tmpl, args)) return std::string(buf, *n);
  std::string out;
  std::size_t size = tmpl.size();
  for (const auto& a : args) size += a.size();
  out.reserve(size);
  std::size_t run = 0;
  for (std::size_t i = tmpl.find('{'); i != std::string_view::npos && i < tmpl.size(); i = tmpl.find('{', i + 1)) {
    if (i + 2 < tmpl.size() && tmpl[i + 2] == '}' && tmpl[i + 1] >= '0' && tmpl[i + 1] <= '9') {
      out.append(tmpl.data() + run, i - run);
      std::size_t idx = static_cast<std::size_t>(tmpl[i + 1] - '0');
      if (idx < args.size()) out += args[idx];
      i += 2;
      run = i + 1;
    }
  }
  out.append(tmpl.data() + run, tmpl.size() - run);
  return out;
}

namespace {
// The index of the document section named `name`, as Document::section answers. The model names
// an existing section by a view of its header, so most names are found by address: the sections
// are numbered in the order their first headers appear in the text, a binary search finds the one
// whose name starts there, and equal address and length prove it is the same name. Any other
// name (a second header of a merged section, the model's own text) takes the name lookup.
std::uint32_t section_index_of(const inf::Document& doc, std::string_view name) {
  const auto at = reinterpret_cast<std::uintptr_t>(name.data());
  std::size_t lo = 0, hi = doc.section_count();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (reinterpret_cast<std::uintptr_t>(doc.section_at(mid).name().data()) < at) lo = mid + 1;
    else hi = mid;
  }
  if (lo < doc.section_count()) {
    const std::string_view found = doc.section_at(lo).name();
    if (found.data() == name.data() && found.size() == name.size()) return static_cast<std::uint32_t>(lo);
  }
  auto sec = doc.section(name);
  return sec ? sec->index() : DocumentFacts::kNoSectionIndex;
}
}  // namespace

Context::Context(const inf::Document& doc, const package::Package& pkg, const CheckSettings& settings,
                 std::vector<diag::Diagnostic>& out)
    : doc_(doc), pkg_(pkg), settings_(settings), out_(out) {
  // facts::is_extension_inf's answer, reading [Version] Class once for both facts.
  facts_.version_class = facts::version_class(doc);
  facts_.extension_class = rules::iequals(facts_.version_class, "Extension");
  if (facts_.extension_class) {
    facts_.extension_inf = true;
  } else {
    auto g = facts::version_value(doc, "ClassGuid");
    facts_.extension_inf = g && rules::iequals(g->text, facts::kExtensionClassGuid);
  }
  facts_.section_index.reserve(pkg.sections.size());
  for (std::size_t i = 0; i < pkg.sections.size(); ++i) {
    const auto& s = pkg.sections[i];
    facts_.section_index.push_back(section_index_of(doc, s.name));
    if (!s.exists || !s.has_reference) continue;
    const auto key = s.reference.raw_key();
    if (!key) continue;
    if (const int d = section_directive(*key); d >= 0) {
      facts_.directive_sections.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(d)});
    }
  }
}

namespace {
// (rule, line index, field) in one word; `tag` keeps first_time's keys apart from report_once's.
// The rule code is never 0, so neither is a key.
std::uint64_t once_key(std::uint64_t tag, Rule rule, const inf::Line& line, std::size_t field) {
  return (tag << 63) | (std::uint64_t{static_cast<std::uint16_t>(rule)} << 48) | (std::uint64_t{line.index()} << 16) |
         (field & 0xFFFF);
}
}  // namespace

bool Context::insert_once(std::uint64_t key) {
  if (2 * (once_count_ + 1) > once_slots_.size()) {
    std::vector<std::uint64_t> old(once_slots_.empty() ? 64 : 2 * once_slots_.size(), 0);
    old.swap(once_slots_);
    once_count_ = 0;
    for (std::uint64_t k : old) {
      if (k) insert_once(k);
    }
  }
  const std::size_t mask = once_slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;; i = (i + 1) & mask) {
    if (once_slots_[i] == key) return false;
    if (once_slots_[i] == 0) {
      once_slots_[i] = key;
      ++once_count_;
      return true;
    }
  }
}

bool Context::first_time(Rule rule, const inf::Line& line, std::size_t field) {
  return insert_once(once_key(1, rule, line, field));
}

diag::Diagnostic* Context::report_once(Rule rule, const inf::Line& line, std::span<const std::string> args,
                                       std::size_t field) {
  if (!insert_once(once_key(0, rule, line, field))) return nullptr;
  return &report(rule, line, args, field);
}

diag::Diagnostic& Context::report(Rule rule, const inf::Line& line, std::span<const std::string> args, std::size_t field) {
  inf::Position p = field == static_cast<std::size_t>(-1) ? line.key_position() : line.field_position(field);
  const std::uint32_t index = line.section_index();
  return emit(rule, p.line ? p.line : line.line(), p.column, args,
              std::string(doc_.section_at(index).name()), index);
}

diag::Diagnostic& Context::report_at(Rule rule, std::uint32_t line, std::uint32_t column, std::span<const std::string> args,
                                     std::string section) {
  std::uint32_t index = kNoSection;
  if (!section.empty()) {
    if (auto sec = doc_.section(section)) index = sec->index();
  }
  return emit(rule, line, column, args, std::move(section), index);
}

// `section_index`: the document section named `section`, kNoSection when none (or no name).
diag::Diagnostic& Context::emit(Rule rule, std::uint32_t line, std::uint32_t column, std::span<const std::string> args,
                                std::string section, std::uint32_t section_index) {
  const int code = static_cast<int>(rule);
  // Built where it stays (the output, or discarded_ for a finding /rulever leaves out) rather than
  // built on the stack and moved there.
  const bool skipped = section_index != kNoSection && settings_.mode == diag::Mode::h && settings_.rulever &&
                       h_section_skipped(section_index);
  // A file's findings are a handful to a few dozen: room for 16 at the first one spares the moves
  // of every finding (five strings each) at each doubling from 1 to 16. Past that, a file with
  // many findings usually has very many (sub600: 28 files over 32, 8 over 64): room grows fourfold,
  // so a finding is moved about once instead of two or three times on the way to its final place.
  if (!skipped && out_.size() == out_.capacity()) out_.reserve(out_.capacity() < 16 ? 16 : 4 * out_.capacity());
  diag::Diagnostic& d = skipped ? (discarded_ = diag::Diagnostic{}) : out_.emplace_back();
  d.code = code;
  d.file = doc_.path();
  d.line = line;
  d.column = column;
  d.section = std::move(section);
  const RuleInfo* r = find_rule(code);
  if (r) {
    d.severity = level(*r, settings_.mode);
    d.message = format_message(r->message.empty() ? r->topic : r->message, args);
  } else {
    d.severity = diag::Severity::error;
    d.message = "unknown rule " + std::to_string(code);
  }
  if (skipped) return d;
  if (line) d.source_line = std::string(doc_.physical_line(line));
  apply_target(d, r, section_index);
  return d;
}

// A finding in a section that only some of the declared target OSes reach names its target; an
// isolation finding on a section only downlevel targets reach (systems before the /w build) has
// its /u level, as InfVerif enforces /w only from that build on.
void Context::apply_target(diag::Diagnostic& d, const RuleInfo* r, std::uint32_t section_index) const {
  if (section_index == kNoSection || pkg_.targets.empty()) return;
  if (const auto* t = package::finding_target(pkg_, section_index)) d.target_os = t->decoration;
  const bool enforced_w = settings_.mode == diag::Mode::w || settings_.mode == diag::Mode::h;
  if (r && r->isolation && enforced_w && package::only_downlevel(pkg_, section_index)) {
    d.severity = level(*r, diag::Mode::u);
  }
}

std::uint32_t Context::h_rules_build(std::string_view section) const {
  std::uint32_t build = package::last_build_used(pkg_);
  if (!section.empty()) {
    auto sec = doc_.section(section);
    build = sec ? package::last_build_used(pkg_, sec->index()) : build;
  }
  return settings_.rulever ? std::min(build, *settings_.rulever) : build;
}

bool Context::h_enforced(Rule rule, std::string_view section) const {
  if (settings_.mode != diag::Mode::h) return true;
  const RuleInfo* r = find_rule(static_cast<int>(rule));
  return !r || r->h_from_build == 0 || h_rules_build(section) >= r->h_from_build;
}

bool Context::h_section_skipped(std::uint32_t section_index) const {
  if (!settings_.rulever || section_index >= pkg_.section_targets.size()) return false;
  const std::uint64_t b = pkg_.section_targets[section_index];
  if (b == 0) return false;
  for (std::size_t i = 0; i < pkg_.targets.size() && i < 64; ++i) {
    if (!(b & (std::uint64_t{1} << i))) continue;
    const inf::OsDecoration dec = inf::parse_os_decoration(pkg_.targets[i].decoration);
    // The first build a target is used on is its decoration's build (0: every build).
    if (!dec.valid || dec.build.value_or(0) <= *settings_.rulever) return false;
  }
  return true;
}

const LineWalk& Context::lines() {
  if (!lines_) lines_ = walk_lines(doc_);
  return *lines_;
}

void Context::note(diag::Diagnostic& d, const inf::Line& line, std::string message) {
  inf::Position p = line.key_position();
  d.notes.push_back(diag::Note{p.line ? p.line : line.line(), p.column, std::move(message)});
}

}  // namespace isodrv::rules
