// libFuzzer target for the INF engine: decode and parse arbitrary bytes, then read back every key
// and field with substitution, the [Manufacturer] choice and a line rewrite, as consumers do.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/inf.h"

using namespace isodrv::inf;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseOptions opts;
  // The first byte picks a few options, so option-dependent paths are fuzzed too; the whole input
  // is still parsed, so corpus seeds keep their meaning.
  const std::uint8_t sel = size ? data[0] : 0;
  opts.require_signature = (sel & 1) == 0;
  opts.langid = (sel & 2) ? 0x0407 : 0x0409;
  if ((sel & 0x1C) == 0x1C) opts.decode.codepage = 932;

  auto doc = Document::parse(bytes, "fuzz.inf", opts);
  if (!doc.ok()) return 0;
  const Document& d = *doc;
  // The document gives back the bytes it was handed, also when its text replaced them
  // (Windows-1252 decoded in place, the bytes rebuilt on demand).
  if (d.bytes() != bytes) __builtin_trap();

  std::string buf;
  std::vector<std::string> unknown;
  for (std::size_t s = 0; s < d.section_count(); ++s) {
    Section sec = d.section_at(s);
    (void)sec.name();
    (void)sec.header_lines();
    for (Line l : sec) {
      (void)l.key();
      (void)l.key_position();
      (void)l.source_text();
      for (std::size_t i = 0; i < l.field_count(); ++i) {
        buf.clear();
        d.substitute(l.raw_field(i), buf, &unknown);
        if (buf != l.field(i)) __builtin_trap();  // two paths to one answer must agree
        (void)l.field_position(i);
        (void)l.field_quoted(i);
      }
    }
  }
  for (Arch a : {Arch::amd64, Arch::x86, Arch::arm64}) {
    Target t;
    t.arch = a;
    (void)d.manufacturers(t);
    (void)d.actual_install_section("Install", a);
  }
  if (d.physical_line_count() > 0) {
    std::uint32_t line = 1 + static_cast<std::uint32_t>(size % d.physical_line_count());
    std::string rewritten = d.with_line_replaced(line, "k = é");
    auto [b, e] = d.physical_line_bytes(line);
    if (rewritten.compare(0, b, d.bytes().substr(0, b)) != 0) __builtin_trap();
    if (rewritten.size() < d.bytes().size() - e) __builtin_trap();
    if (rewritten.compare(rewritten.size() - (d.bytes().size() - e), std::string::npos, d.bytes().substr(e)) != 0) {
      __builtin_trap();
    }
  }
  return 0;
}
