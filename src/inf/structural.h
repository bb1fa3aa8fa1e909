// Stage 1 of the INF tokenizer: every structural byte of the decoded text as bit masks, 64 bytes per
// block, computed with SIMD (SSE2, or AVX2 when the CPU has it) or with portable scalar code that gives
// the same masks. Stage 2 (parser.cpp) walks the text from one set bit to the next instead of testing
// bytes. The masks are made for a window of blocks at a time, as the parser reaches them, so the
// index costs a fixed 8 KiB however large the file is. Private to src/inf (and its tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace isodrv::inf {

// Which tokenizer Document::parse uses. `oracle` is the character-by-character state machine
// without any index, the reference the others must match byte for byte; `scalar`, `sse2` and
// `avx2` are the two-stage tokenizer with its stage 1 computed that way.
enum class Tokenizer : std::uint8_t { automatic, oracle, scalar, sse2, avx2 };

// Selects the tokenizer for every later parse in this process (tests, benchmarks and the
// differential fuzz target force each one); `automatic`, the default, is the best the CPU runs.
// Selecting one the CPU cannot run (tokenizer_supported) falls back to `automatic`.
void set_tokenizer(Tokenizer t);
// The tokenizer parses use now (never `automatic`).
Tokenizer active_tokenizer();
// Whether the CPU runs t. The avx2 tokenizer requires AVX2, BMI1 and BMI2: its stage 2 is compiled
// for all three (stage2_uses_bmi), which every CPU with AVX2 has.
bool tokenizer_supported(Tokenizer t);
// Whether parses with t run stage 2's build for AVX2+BMI1+BMI2 (parser.cpp's Parser::run_bmi) rather
// than the baseline x86-64 one: true for avx2 only, and only where the CPU has all three.
bool stage2_uses_bmi(Tokenizer t);
const char* tokenizer_name(Tokenizer t);

// The masks stage 1 makes, each kind in an array of its own across the index's window (bit k of
// entry b stands for byte b * 64 + k of the window's text): so the parser finds block b's mask of a
// kind at one base address and b * 8, which x86 addressing scales for free, where a record of all
// kinds per block (48 bytes) took a multiply and a shift to address.
// No mask of backslashes or of ']': the parser finds those itself in the few places that need them
// (parser.cpp's run_end and find_bracket_or_newline) instead of stage 1 marking them in every block.
enum MaskKind : unsigned {
  kPctMask,   // '%', which read-back must look for %token%s in
  kQnlMask,   // '"' or '\n': the end of a quoted span
  kNlMask,    // '\n': the end of a comment
  // \n ; , = and '"': where a field of a simple line ends (parser.cpp's simple_plain looks back for
  // a backslash before the line's end instead of stopping at every one, e.g. in paths).
  kFendMask,
  kMaskKinds
};
constexpr std::size_t kIndexWindow = 256;  // blocks: 16 KiB of text, 8 KiB of masks

// Block b's masks in the window: kind k at p[k * kIndexWindow].
struct BlockMasks {
  const std::uint64_t* p;
  std::uint64_t operator[](MaskKind k) const { return p[k * kIndexWindow]; }
};

// Classifies `blocks` whole 64-byte blocks starting at s: the masks of block b go to
// out[k * kIndexWindow + b] for each kind k.
using ClassifyFn = void (*)(const char* s, std::size_t blocks, std::uint64_t* out);
ClassifyFn classifier(Tokenizer t);  // t is scalar, sse2 or avx2 (and supported)

// Bytes of the text that are ',' or '=' (with t's instructions; the oracle counts one at a time).
std::size_t count_separators(std::string_view text, Tokenizer t);

class StructuralIndex {
 public:
  StructuralIndex(std::string_view text, ClassifyFn fn)
      : s_(text.data()), n_(text.size()), blocks_((text.size() + 63) / 64), fn_(fn) {}
  // The masks of block b (b < blocks()): bytes past the end of the text have no bits.
  BlockMasks block(std::size_t b) {
    if (b - base_ >= count_) refill(b);
    return BlockMasks{&win_[b - base_]};
  }
  std::size_t blocks() const { return blocks_; }
  // The window as it stands: the masks of blocks [window_base(), window_base() + window_count()),
  // for loops that read only what it holds and so call nothing (a call from the parser's line loop
  // made it keep its values on the stack around it).
  const std::uint64_t* window() const { return win_; }
  std::size_t window_base() const { return base_; }
  std::size_t window_count() const { return count_; }

 private:
  void refill(std::size_t b);
  const char* s_;
  std::size_t n_, blocks_;
  ClassifyFn fn_;
  std::size_t base_ = 0, count_ = 0;
  // One flat array, kind k's masks at [k * kIndexWindow, (k + 1) * kIndexWindow): a BlockMasks
  // reaches every kind from one pointer, which stays inside this array (a [kind][block] array would
  // have it step out of the row it points into).
  std::uint64_t win_[kMaskKinds * kIndexWindow];
};

}  // namespace isodrv::inf
