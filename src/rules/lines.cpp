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

// An AddNetFilter or AddNetProtocol line, its key read as Windows reads it. `percent`: the line's
// Line::has_percent (false means the key has no '%' either: compared as written).
bool is_net_directive(const inf::Document& doc, const inf::Line& l, std::string_view key, bool percent) {
  // Neither name fits any other length: most keys are answered by their length alone.
  if (!percent) return (key.size() == 12 || key.size() == 14) && util::is_one_of(key, {"AddNetFilter", "AddNetProtocol"});
  return util::key_is_one_of(doc, l, {"AddNetFilter", "AddNetProtocol"});
}

bool holds_percent(std::string_view text) { return text.find('%') != std::string_view::npos; }

// The key (when written with '=') and fields of a line flagged Line::has_percent that hold a '%'.
void add_token_fields(const inf::Line& l, std::vector<TokenField>& out) {
  if (l.has_key() && holds_percent(*l.raw_key())) out.push_back({l.index(), LineWalk::kKey});
  const std::size_t n = l.field_count();
  for (std::size_t i = 0; i < n; ++i) {
    if (holds_percent(l.raw_field(i))) out.push_back({l.index(), static_cast<std::uint32_t>(i)});
  }
}

}  // namespace

LineWalk walk_lines(const inf::Document& doc) {
  LineWalk out;
  out.tokens.reserve(doc.line_count());  // one allocation; a good share of the lines hold a token
  for (std::size_t s = 0; s < doc.section_count(); ++s) {
    const inf::Section sec = doc.section_at(s);
    const bool strings = is_strings_section(sec.name());
    for (inf::Line l : sec) {
      const bool percent = l.has_percent();
      if (percent && !strings) add_token_fields(l, out.tokens);
      // Entries without '=' and with more than one field (AddReg, CopyFiles … list lines) have no key.
      const auto key = l.raw_key();
      if (key && is_net_directive(doc, l, *key, percent)) out.net_directives.push_back(l.index());
    }
  }
  return out;
}

}  // namespace isodrv::rules
