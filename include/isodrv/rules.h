// The rule table (declared once in src/rules/rule_table.def and rule_text.def) and the interface
// rules use to report findings. Rules read the package model; they never re-derive INF meaning.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "isodrv/diag.h"
#include "isodrv/inf.h"
#include "isodrv/package.h"

namespace isodrv::rules {

struct RuleInfo {
  int code;
  std::string_view slug;
  diag::Severity level_k, level_u, level_w;
  bool isolation;
  std::string_view topic;     // one line, our words
  // From rule_text.def (empty when the rule is not implemented).
  std::string_view message;   // template with {0}, {1} … placeholders
  std::string_view why;       // why the rule exists (and why isolation needs it)
  std::string_view bad;       // a failing INF fragment
  std::string_view good;      // the fixed fragment
  bool implemented;
  // From fix_table.def: whether `isodrv fix` can rewrite a finding of this rule, and how.
  bool has_fix = false;
  diag::FixSafety fix_safety = diag::FixSafety::safe;
  std::string_view fix;       // what the fix does ("" without one)
  // /h: the first OS build whose signing rules include this rule (rule_table.def's h_from); 0: all.
  std::uint32_t h_from_build = 0;
};

std::span<const RuleInfo> all_rules();
const RuleInfo* find_rule(int code);
// Level of a code in a mode; /h uses the /w level (see docs/rules/README.md), for the sections whose
// signing rules include the rule (RuleInfo::h_from_build, Context::h_enforced).
diag::Severity level(const RuleInfo& r, diag::Mode m);
// Fills a message template: {0}, {1} … from args.
std::string format_message(std::string_view tmpl, std::span<const std::string> args);
std::string format_message(std::string_view tmpl, const std::vector<std::string>& args);

// A /product platform definition: the inbox INFs of one Windows build and, where known, the sections
// each defines (loader in src/check/product.cpp; format in docs/rules/README.md).
struct Product {
  struct Inf {
    std::vector<std::string> sections;  // lower case, sorted; empty: every section is accepted
  };
  std::string path;
  std::vector<std::pair<std::string, Inf>> infs;  // lower-case file name, sorted by it
  const Inf* find(std::string_view inf_name) const;
};

struct CheckSettings {
  diag::Mode mode = diag::Mode::w;
  inf::Target target;
  bool stampinf = false;        // .inx input: stamp tokens are accepted as valid values
  std::string provider;         // /provider: expected Provider name (1210); empty: not checked
  bool samples = false;         // /samples: the INF is a Microsoft sample (1204 is not reported)
  // /product: the platform Include and Needs are checked against (1317, 1318); null: not checked.
  std::shared_ptr<const Product> product;
  // Folder listings shared by the files of one run (1202 looks beside the INF); null: each
  // lookup lists the folder itself.
  std::shared_ptr<package::FolderNames> folders;
  // --osver as the user wrote it: a decoration (NTAMD64.10.0...17763) or a version (10.0.17763);
  // "" when not given. Already applied to `target` (arch, major, minor, build).
  std::string target_os;
  // --wbuild MAJOR.MINOR.BUILD as given: the build from which /w is enforced for a driver with
  // downlevel support; "" means InfVerif's default, 10.0.17763.
  std::string wbuild;
  // /rulever for /h: the highest OS build whose signing rules are used (InfVerif checks each
  // Models section with the rules of the last build that uses it, never above this); nullopt:
  // the newest. `rulever_vnext`: the rules expected next, which keep no /h DIRID exceptions.
  std::optional<std::uint32_t> rulever;
  bool rulever_vnext = false;
};

// Every code of rule_table.def as an enumerator (Rule::r1322); defined in src/rules/rule.h, where
// Args<R> takes exactly the message arguments of rule R.
enum class Rule : std::uint16_t;
template <Rule R>
struct Args;
template <Rule... Rs>
struct ArgsOf;

// Facts about the document several rule families ask for, computed once per document.
struct DocumentFacts {
  bool extension_inf = false;    // [Version] names the Extension class, by Class or by ClassGuid
  bool extension_class = false;  // [Version] Class = Extension (what the filter rules 1329/1384 ask)
  std::string version_class;     // [Version] Class, substituted and trimmed ("" when absent)
  // Per Package::sections entry: the index of the document section of that name, looked up once
  // here for the families that walk the install sections (Context::install_section), or
  // kNoSectionIndex when the document has none.
  static constexpr std::uint32_t kNoSectionIndex = static_cast<std::uint32_t>(-1);
  std::vector<std::uint32_t> section_index;
  // The Package::sections entries, in order, that exist and whose reference line's key is one of
  // the directives named_sections answers for (AddComponent, AddSoftware, AddFilter …): the entry,
  // and the directive's place in that list (src/rules/named.h).
  struct DirectiveSection {
    std::uint32_t section;
    std::uint32_t directive;
  };
  std::vector<DirectiveSection> directive_sections;
};

// A key or field holding a '%', by Line::index() and field index (LineWalk::kKey for the key).
struct TokenField {
  std::uint32_t line;
  std::uint32_t field;
};

// What one walk over every line of the document finds (Context::lines), in section order and, within
// a line, key first then fields: the keys and fields outside [Strings] sections that hold a '%' (for
// 1235 and 1341; not a key that is one %token% of a [Strings] key, which 1235 accepts), and the
// AddNetFilter/AddNetProtocol directives (by Line::index()), for the network family.
struct LineWalk {
  static constexpr std::uint32_t kKey = static_cast<std::uint32_t>(-1);
  std::vector<TokenField> tokens;
  std::vector<std::uint32_t> net_directives;
};

// What a rule sees, and how it reports.
class Context {
 public:
  Context(const inf::Document& doc, const package::Package& pkg, const CheckSettings& settings,
          std::vector<diag::Diagnostic>& out);

  const inf::Document& doc() const { return doc_; }
  const package::Package& pkg() const { return pkg_; }
  const CheckSettings& settings() const { return settings_; }
  diag::Mode mode() const { return settings_.mode; }
  // /h: the OS build whose signing rules apply to findings in the document section (the last build
  // that uses it, capped by /rulever); the newest rules for sections no decorated target reaches.
  // `section` "" asks for the package as a whole.
  std::uint32_t h_rules_build(std::string_view section) const;
  // Whether `rule` applies to the document section in this mode: always outside /h; in /h when the
  // section's signing rules (h_rules_build) include it (the rule table's h_from column).
  bool h_enforced(Rule rule, std::string_view section) const;
  // /h with /rulever BUILD: whether no target that reaches the document section is used from
  // BUILD or earlier (InfVerif does not validate a Models section the ruleset does not apply to).
  bool h_section_skipped(std::uint32_t section_index) const;

  // Reports rule R at a line (position of field `field`, or the line start when npos). Args<R>
  // accepts exactly as many values as R's message template uses, so a wrong count fails to build.
  template <Rule R>
  diag::Diagnostic& report(const inf::Line& line, Args<R> args, std::size_t field = static_cast<std::size_t>(-1));
  // Reports at an explicit physical position (line 0 = whole file).
  template <Rule R>
  diag::Diagnostic& report_at(std::uint32_t line, std::uint32_t column, Args<R> args, std::string section = {});
  // As report<R>, at most once per (rule, line, field) in the document: a registry or file-list
  // section used from several install sections is one finding. nullptr when already reported.
  template <Rule R>
  diag::Diagnostic* report_once(const inf::Line& line, Args<R> args, std::size_t field = static_cast<std::size_t>(-1));
  // The same for a rule chosen at run time among Rs (report_one_of<Rule::r1311, Rule::r1313>(cond ?
  // …)): every rule of Rs must take the arguments given, checked at compile time.
  template <Rule... Rs>
  diag::Diagnostic& report_one_of(Rule rule, const inf::Line& line, ArgsOf<Rs...> args,
                                  std::size_t field = static_cast<std::size_t>(-1));
  template <Rule... Rs>
  diag::Diagnostic& report_at_one_of(Rule rule, std::uint32_t line, std::uint32_t column, ArgsOf<Rs...> args,
                                     std::string section = {});
  template <Rule... Rs>
  diag::Diagnostic* report_once_one_of(Rule rule, const inf::Line& line, ArgsOf<Rs...> args,
                                       std::size_t field = static_cast<std::size_t>(-1));
  // True the first time a rule asks about (rule, line, field) in this document, false after. The
  // model reaches a directive or entry line once per use (a section named from two Models entries,
  // or in two roles); a rule that judges the line itself reports only when this says true, so the
  // framework, not each rule, owns the de-duplication. report_once is this plus report.
  bool first_time(Rule rule, const inf::Line& line, std::size_t field = static_cast<std::size_t>(-1));
  const DocumentFacts& facts() const { return facts_; }
  // The walk over every line, made on the first call (the families that need it share it).
  const LineWalk& lines();
  // The document section of Package::sections[i]: what doc().section(pkg().sections[i].name)
  // answers, without the name lookup (facts().section_index).
  std::optional<inf::Section> install_section(std::size_t i) const {
    const std::uint32_t k = i < facts_.section_index.size() ? facts_.section_index[i] : DocumentFacts::kNoSectionIndex;
    if (k == DocumentFacts::kNoSectionIndex) return std::nullopt;
    return doc_.section_at(k);
  }
  // Adds a note pointing at another line to a diagnostic.
  static void note(diag::Diagnostic& d, const inf::Line& line, std::string message);

 private:
  // What the templates above call; the argument count is not checked here.
  // The arguments are the Args' own array, read in place (no vector per finding).
  diag::Diagnostic& report(Rule rule, const inf::Line& line, std::span<const std::string> args,
                           std::size_t field = static_cast<std::size_t>(-1));
  diag::Diagnostic& report_at(Rule rule, std::uint32_t line, std::uint32_t column, std::span<const std::string> args,
                              std::string section = {});
  diag::Diagnostic* report_once(Rule rule, const inf::Line& line, std::span<const std::string> args,
                                std::size_t field = static_cast<std::size_t>(-1));
  static constexpr std::uint32_t kNoSection = static_cast<std::uint32_t>(-1);
  diag::Diagnostic& emit(Rule rule, std::uint32_t line, std::uint32_t column, std::span<const std::string> args,
                         std::string section, std::uint32_t section_index);
  void apply_target(diag::Diagnostic& d, const RuleInfo* r, std::uint32_t section_index) const;
  // Where reports go that /rulever leaves out: callers may still add notes to them.
  diag::Diagnostic discarded_;
  const inf::Document& doc_;
  const package::Package& pkg_;
  const CheckSettings& settings_;
  std::vector<diag::Diagnostic>& out_;
  DocumentFacts facts_;
  // The (rule, line index, field) keys first_time and report_once have seen: an open-addressing
  // table of packed keys (0 marks a free slot; no key is 0), sized on first use.
  bool insert_once(std::uint64_t key);
  std::optional<LineWalk> lines_;
  std::vector<std::uint64_t> once_slots_;
  std::size_t once_count_ = 0;
};

using RuleFn = void (*)(Context&);
struct RuleFamily {
  std::string_view name;
  RuleFn run;
};
// Every rule family, in a fixed order.
std::span<const RuleFamily> families();

}  // namespace isodrv::rules
