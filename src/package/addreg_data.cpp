// What the data fields of an AddReg entry mean for its value type: strings, one number, or bytes
// (registry-layout.md §4.2). One home for this meaning; the install engine turns it into bytes.
#include "isodrv/package.h"

namespace isodrv::package {

Result<AddRegData> addreg_data(const RegOp& op) {
  AddRegData d;
  d.type = op.reg_type;
  const std::uint32_t line = op.line.line();
  const std::string file = op.line.document().path();
  switch (d.type) {
    case registry::kRegSz:
    case registry::kRegExpandSz:  // a missing value is the empty string
      d.strings.emplace_back(op.data.empty() ? std::string_view() : op.data[0]);
      return d;
    case registry::kRegMultiSz:  // empty fields add nothing (a MULTI_SZ cannot hold an empty string)
      for (const auto& s : op.data) {
        if (!s.empty()) d.strings.emplace_back(s);
      }
      return d;
    case registry::kRegDword:
    case registry::kRegQword:
      if (op.data.size() <= 1) {
        // SetupAPI's integer reading: '-' negates and wraps to the type's width (-1 = 0xFFFFFFFF).
        // An empty or blank field is 0, as check treats it.
        const std::string text(op.data.empty() ? std::string_view() : op.data[0]);
        const bool blank = text.find_first_not_of(" \t") == std::string::npos;
        auto n = inf::parse_number(blank ? std::string_view("0") : std::string_view(text), d.type == registry::kRegDword ? 32 : 64,
                                   inf::Sign::wraps);
        if (!n) {
          return Error(Errc::invalid_argument, "invalid number '" + text + "' in " + std::string(op.reg_section), file, line);
        }
        d.number = *n;
        return d;
      }
      break;  // several fields: raw little-endian bytes, as SetupAPI reads them
    default:
      break;
  }
  for (const auto& f : op.data) {
    // An empty field is a zero byte (SetupGetBinaryField reads it as 0), which check accepts too.
    if (f.find_first_not_of(" \t") == std::string_view::npos) {
      d.bytes.push_back(0);
      continue;
    }
    auto b = inf::parse_hex_byte(f);
    if (!b) return Error(Errc::invalid_argument, "invalid hex byte '" + std::string(f) + "' in " + std::string(op.reg_section), file, line);
    d.bytes.push_back(*b);
  }
  return d;
}

}  // namespace isodrv::package
