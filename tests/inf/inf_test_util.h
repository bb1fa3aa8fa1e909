// Helpers shared by the INF engine tests: building inputs in memory (in any encoding) and
// describing known differences from Windows so that they stay visible in the tables.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "isodrv/inf.h"
#include "isodrv/result.h"

namespace inf_test {

using namespace std::string_literals;

// The header Wine's conformance suite puts in front of most of its inputs.
inline const std::string kStdHeader = "[Version]\r\nSignature=\"$CHICAGO$\"\r\n";

inline std::string repeat(char c, std::size_t n) { return std::string(n, c); }

// A row whose Windows behaviour we do not reproduce yet. `reason` says why; the row then also
// states what we do instead, and the test checks that, so a change either way is noticed.
struct KnownGap {
  const char* reason = nullptr;
  explicit operator bool() const { return reason != nullptr; }
};

// UTF-8 → UTF-16 code units, little- or big-endian, optionally with a BOM.
inline std::string utf16(std::string_view utf8, bool big_endian = false, bool bom = true) {
  std::string out;
  if (bom) out += big_endian ? "\xFE\xFF"s : "\xFF\xFE"s;
  out += isodrv::inf::encode(utf8, big_endian ? isodrv::inf::Encoding::utf16be_bom : isodrv::inf::Encoding::utf16le);
  return out;
}

inline isodrv::Result<isodrv::inf::Document> parse(std::string_view bytes, isodrv::inf::ParseOptions opts = {}) {
  return isodrv::inf::Document::parse(bytes, "test.inf", opts);
}

// Parses STD_HEADER + body and fails the test when the file does not open.
inline isodrv::inf::Document open_ok(const std::string& body, isodrv::inf::ParseOptions opts = {}) {
  auto r = parse(kStdHeader + body, opts);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return isodrv::inf::Document();
  return std::move(r).value();
}

// A printable form of test input for failure messages.
inline std::string show(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else out.push_back(static_cast<char>(c));
  }
  if (out.size() > 160) out = out.substr(0, 150) + "…(" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace inf_test
