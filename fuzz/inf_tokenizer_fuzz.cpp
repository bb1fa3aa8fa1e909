// Differential libFuzzer target for the INF tokenizer: the same bytes are parsed by the
// character-by-character oracle and by the two-stage tokenizer with each stage-1 path the CPU runs
// (scalar, SSE2, AVX2), and every document must be identical: outcome or error, every internal
// table, note and flag, and every key and field read back (src/inf/document_dump.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "inf/document_dump.h"
#include "inf/structural.h"
#include "isodrv/inf.h"

using namespace isodrv::inf;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseOptions opts;
  // As in inf_parse_fuzz: the first byte picks options; the whole input is still parsed.
  const std::uint8_t sel = size ? data[0] : 0;
  opts.require_signature = (sel & 1) == 0;
  opts.langid = (sel & 2) ? 0x0407 : 0x0409;
  if ((sel & 0x1C) == 0x1C) opts.decode.codepage = 932;

  // One input in eight is read as UTF-16LE units behind a BOM, so that the fuzzer reaches the
  // UTF-16 decoder's paths (non-ASCII, surrogates, NUL, ^Z, odd lengths) without finding the BOM.
  std::string utf16;
  if ((sel & 0xE0) == 0xA0) {
    utf16 = std::string("\xFF\xFE") + std::string(bytes);
    bytes = utf16;
  }
  set_tokenizer(Tokenizer::oracle);
  const std::string want = dump_document(Document::parse(bytes, "fuzz.inf", opts));
  for (Tokenizer t : {Tokenizer::scalar, Tokenizer::sse2, Tokenizer::avx2}) {
    if (!tokenizer_supported(t)) continue;
    set_tokenizer(t);
    if (dump_document(Document::parse(bytes, "fuzz.inf", opts)) != want) __builtin_trap();
  }
  set_tokenizer(Tokenizer::automatic);
  return 0;
}
