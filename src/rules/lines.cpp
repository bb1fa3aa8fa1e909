// One walk over every line of the document for the families that look for lines of one shape
// anywhere: the keys and fields holding a '%' (the syntax family's unknown-%token% check, 1235, and
// the files family's deprecated %DIRID% check, 1341, each searched every field of such a line
// before) and the network family's AddNetFilter/AddNetProtocol directives.
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

bool is_strings_section(std::string_view name) {
  return name.size() >= 7 && rules::iequals(name.substr(0, 7), "Strings") && (name.size() == 7 || name[7] == '.');
}

bool holds_percent(std::string_view text) { return text.find('%') != std::string_view::npos; }

// Inline: most keys are answered by their length alone (neither name fits any other length).
[[gnu::always_inline]] inline bool is_net_name(std::string_view key) {
  return (key.size() == 12 || key.size() == 14) && util::is_one_of(key, {"AddNetFilter", "AddNetProtocol"});
}

// A letter of "AddNetFilter" or "AddNetProtocol", in either case.
bool is_net_letter(char c) {
  switch (c | 0x20) {
    case 'a': case 'c': case 'd': case 'e': case 'f': case 'i': case 'l': case 'n': case 'o': case 'p': case 'r': case 't':
      return true;
    default:
      return false;
  }
}

// Whether a key holding a '%' may substitute to a network directive's name: substitution keeps the
// text outside the %name% pairs (paired as Document::substitute pairs them; %% and an unpaired '%'
// leave a '%'), so one byte there that is in neither name settles "no" without substituting
// (keys such as "%Mfg%.NTamd64" or "HKR,%Key%").
bool may_be_net_key(std::string_view key) {
  std::size_t p = 0;
  while (p < key.size()) {
    const std::size_t pct = key.find('%', p);
    const std::size_t literal_end = pct == std::string_view::npos ? key.size() : pct;
    for (std::size_t i = p; i < literal_end; ++i) {
      if (!is_net_letter(key[i])) return false;
    }
    if (pct == std::string_view::npos) return true;
    const std::size_t close = key.find('%', pct + 1);
    if (close == std::string_view::npos || close == pct + 1) return false;  // a '%' stays in the text
    p = close + 1;
  }
  return true;
}

// A key holding a '%' (`explicit_key`: written with '='; a lone field is the line's field 0 too).
// A key that is one %token% naming a [Strings] key is looked up here once, for both questions: its
// value says whether it is a network directive, and 1235 has nothing to report about it (1341 does
// not read keys), so it does not go into `tokens`. Other keys go there, outside [Strings].
void walk_token_key(const inf::Document& doc, const inf::Line& l, std::string_view key, bool listed, LineWalk& out) {
  if (key.size() > 2 && key.front() == '%' && key.find('%', 1) == key.size() - 1) {
    if (const auto value = doc.string_value(key.substr(1, key.size() - 2))) {
      if (is_net_name(*value)) out.net_directives.push_back(l.index());
      return;
    }
  }
  if (listed) out.tokens.push_back({l.index(), LineWalk::kKey});
  if (may_be_net_key(key) && util::key_is_one_of(doc, l, {"AddNetFilter", "AddNetProtocol"})) {
    out.net_directives.push_back(l.index());
  }
}

void walk_line(const inf::Document& doc, const inf::Line& l, bool strings, LineWalk& out) {
  // Entries without '=' and with more than one field (AddReg, CopyFiles … list lines) have no key.
  if (const auto key = l.raw_key()) {
    // The tokenizer's per-field flag first: a key without it holds no '%' (most do not).
    if (l.key_has_percent() && holds_percent(*key)) {
      walk_token_key(doc, l, *key, l.has_key() && !strings, out);
    } else if (is_net_name(*key)) {
      out.net_directives.push_back(l.index());
    }
  }
  if (strings) return;
  const std::size_t n = l.field_count();
  for (std::size_t i = 0; i < n; ++i) {
    if (l.field_has_percent(i) && holds_percent(l.raw_field(i))) out.tokens.push_back({l.index(), static_cast<std::uint32_t>(i)});
  }
}

}  // namespace

LineWalk walk_lines(const inf::Document& doc) {
  LineWalk out;
  out.tokens.reserve(doc.line_count());  // one allocation; a good share of the lines hold a token
  for (std::size_t s = 0; s < doc.section_count(); ++s) {
    const inf::Section sec = doc.section_at(s);
    const bool strings = is_strings_section(sec.name());
    for (inf::Line l : sec) walk_line(doc, l, strings, out);
  }
  return out;
}

}  // namespace isodrv::rules
