// Helpers for the stamp tests: encoding fixtures written in UTF-8 into each INF encoding, and a
// check that a stamped file differs from its input only on the lines the stamp reported.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/stamp.h"

namespace stamp_test {

using isodrv::inf::Encoding;

// The fixture text (UTF-8) as a file in `enc`, with the BOM that encoding carries.
inline std::string as_file(std::string_view utf8, Encoding enc) {
  std::string bom;
  if (enc == Encoding::utf8_bom) bom = "\xEF\xBB\xBF";
  if (enc == Encoding::utf16le_bom) bom = "\xFF\xFE";
  return bom + isodrv::inf::encode(utf8, enc);
}

inline std::string encoding_label(Encoding e) { return std::string(isodrv::inf::encoding_name(e)); }

// Every physical line's bytes, line break included (the last line runs to the end of the file).
inline std::vector<std::string> raw_lines(std::string_view bytes) {
  auto dec = isodrv::inf::decode(bytes);
  EXPECT_TRUE(dec.ok());
  std::vector<std::string> out;
  if (!dec.ok()) return out;
  const auto& st = dec->line_byte_start;
  for (std::size_t i = 0; i < st.size(); ++i) {
    std::size_t b = i == 0 ? 0 : st[i];  // line 1 keeps the BOM
    std::size_t e = i + 1 < st.size() ? st[i + 1] : bytes.size();
    out.emplace_back(bytes.substr(b, e - b));
  }
  return out;
}

// Fails unless `out` equals `in` byte for byte outside the lines `edits` names, and the edited
// lines hold exactly the reported new text.
inline void expect_only_edited_lines_changed(std::string_view in, std::string_view out,
                                             const std::vector<isodrv::stamp::Edit>& edits, const std::string& what) {
  std::set<std::uint32_t> changed, inserted;
  for (const auto& e : edits) (e.inserted ? inserted : changed).insert(e.line);
  const auto a = raw_lines(in);
  const auto b = raw_lines(out);
  ASSERT_EQ(a.size() + inserted.size(), b.size()) << what << ": line count";
  std::size_t ia = 0;
  for (std::size_t ib = 0; ib < b.size(); ++ib) {
    const auto line = static_cast<std::uint32_t>(ib + 1);
    if (inserted.count(line)) continue;
    if (!changed.count(line)) {
      ASSERT_LT(ia, a.size());
      if (ia + 1 == a.size() && inserted.count(line + 1) && b[ib].size() > a[ia].size()) {
        // The input's last line had no line break; a line inserted after it adds one.
        EXPECT_EQ(b[ib].substr(0, a[ia].size()), a[ia]) << what << ": output line " << line << " changed without an edit";
      } else {
        EXPECT_EQ(a[ia], b[ib]) << what << ": output line " << line << " changed without an edit";
      }
    }
    ++ia;
  }
  auto doc = isodrv::inf::decode(out);
  ASSERT_TRUE(doc.ok());
  std::string_view text = doc->view(out);
  for (const auto& e : edits) {
    const auto& ts = doc->line_text_start;
    ASSERT_LE(e.line, ts.size()) << what;
    std::size_t b0 = ts[e.line - 1];
    std::size_t e0 = e.line < ts.size() ? ts[e.line] : text.size();
    std::string_view l = text.substr(b0, e0 - b0);
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
    EXPECT_EQ(l, e.new_text) << what << ": edit on line " << e.line;
  }
}

}  // namespace stamp_test
