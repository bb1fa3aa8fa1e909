// Stage 1 of the INF tokenizer: the three classifiers (scalar, SSE2, AVX2 chosen at run time) and
// the window of block masks the parser reads. AVX2 code is compiled through a target attribute on
// its function only, so the build still targets baseline x86-64 and the CPU decides at run time.
#include "inf/structural.h"
#include "inf/lane_counts.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#define ISODRV_INF_X86 1
#include <immintrin.h>
#endif

namespace isodrv::inf {
namespace {

// Scalar: a flag byte per character, one bit per mask.
enum : std::uint8_t { kPct = 2, kQnl = 4, kNl = 8, kFend = 16 };

struct FlagTable {
  std::uint8_t f[256];
  constexpr FlagTable() : f{} {
    for (char c : {';', ',', '=', '"'}) f[static_cast<unsigned char>(c)] |= kFend;
    f[static_cast<unsigned char>('\n')] = kQnl | kNl | kFend;
    f[static_cast<unsigned char>('"')] |= kQnl;
    f[static_cast<unsigned char>('%')] = kPct;
  }
};
constexpr FlagTable kFlags;

// Stores one block's masks at out (block b's slot of the window, out[k * kIndexWindow] for kind k).
inline void store_masks(std::uint64_t* out, std::uint64_t pct, std::uint64_t qnl, std::uint64_t nl, std::uint64_t fend) {
  out[kPctMask * kIndexWindow] = pct;
  out[kQnlMask * kIndexWindow] = qnl;
  out[kNlMask * kIndexWindow] = nl;
  out[kFendMask * kIndexWindow] = fend;
}

void classify_scalar(const char* s, std::size_t blocks, std::uint64_t* out) {
  for (std::size_t b = 0; b < blocks; ++b, s += 64) {
    std::uint64_t pct = 0, qnl = 0, nl = 0, fend = 0;
    for (unsigned k = 0; k < 64; ++k) {
      const std::uint64_t f = kFlags.f[static_cast<unsigned char>(s[k])];
      if (!f) continue;  // most bytes are text, in no mask
      pct |= ((f >> 1) & 1) << k;
      qnl |= ((f >> 2) & 1) << k;
      nl |= ((f >> 3) & 1) << k;
      fend |= ((f >> 4) & 1) << k;
    }
    store_masks(out + b, pct, qnl, nl, fend);
  }
}

#if ISODRV_INF_X86
inline std::uint64_t bits16(__m128i m) { return static_cast<std::uint16_t>(_mm_movemask_epi8(m)); }

void classify_sse2(const char* s, std::size_t blocks, std::uint64_t* out) {
  const __m128i qu = _mm_set1_epi8('"'), co = _mm_set1_epi8(','), se = _mm_set1_epi8(';'),
                eq = _mm_set1_epi8('='), pc = _mm_set1_epi8('%'), nl = _mm_set1_epi8('\n');
  for (std::size_t b = 0; b < blocks; ++b, s += 64) {
    std::uint64_t fend = 0, pct = 0, qnl = 0, nlm = 0;
    for (unsigned k = 0; k < 64; k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + k));
      const __m128i q = _mm_cmpeq_epi8(v, qu), n = _mm_cmpeq_epi8(v, nl);
      __m128i st = _mm_or_si128(n, q);
      st = _mm_or_si128(st, _mm_or_si128(_mm_cmpeq_epi8(v, co), _mm_cmpeq_epi8(v, se)));
      st = _mm_or_si128(st, _mm_cmpeq_epi8(v, eq));
      fend |= bits16(st) << k;
      pct |= bits16(_mm_cmpeq_epi8(v, pc)) << k;
      qnl |= bits16(_mm_or_si128(q, n)) << k;
      nlm |= bits16(n) << k;
    }
    store_masks(out + b, pct, qnl, nlm, fend);
  }
}

__attribute__((target("avx2"))) inline std::uint64_t bits32(__m256i m) {
  return static_cast<std::uint32_t>(_mm256_movemask_epi8(m));
}

// fend's five bytes, \n ; , = and '"', have five different low nibbles: a byte is one of them when it
// equals this table's entry at its low nibble (vpshufb: one lookup and one compare instead of five
// compares and four ORs). The other entries are 0xFF, which no byte below 0x80 equals; bytes from
// 0x80 up look up 0 (vpshufb's high-bit rule), which they do not equal either.
__attribute__((target("avx2"))) inline __m256i fend_table() {
  const char f = static_cast<char>(0xFF);
  return _mm256_broadcastsi128_si256(_mm_setr_epi8(f, f, '"', f, f, f, f, f, f, f, '\n', ';', ',', '=', f, f));
}

__attribute__((target("avx2"))) void classify_avx2(const char* s, std::size_t blocks, std::uint64_t* out) {
  const __m256i qu = _mm256_set1_epi8('"'), pc = _mm256_set1_epi8('%'), nl = _mm256_set1_epi8('\n'), ft = fend_table();
  for (std::size_t b = 0; b < blocks; ++b, s += 64) {
    std::uint64_t fend = 0, pct = 0, qnl = 0, nlm = 0;
    for (unsigned k = 0; k < 64; k += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + k));
      const __m256i q = _mm256_cmpeq_epi8(v, qu), n = _mm256_cmpeq_epi8(v, nl);
      fend |= bits32(_mm256_cmpeq_epi8(v, _mm256_shuffle_epi8(ft, v))) << k;
      pct |= bits32(_mm256_cmpeq_epi8(v, pc)) << k;
      qnl |= bits32(_mm256_or_si256(q, n)) << k;
      nlm |= bits32(n) << k;
    }
    store_masks(out + b, pct, qnl, nlm, fend);
  }
}
#endif

std::size_t count_separators_scalar(const char* s, std::size_t n) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) count += s[i] == ',' || s[i] == '=';
  return count;
}

#if ISODRV_INF_X86
std::size_t count_separators_sse2(const char* s, std::size_t n) {
  std::size_t count = 0, i = 0;
  const __m128i co = _mm_set1_epi8(','), eq = _mm_set1_epi8('=');
  while (i + 16 <= n) {
    // Counted in byte lanes (each block adds at most 1 per lane), emptied every 255 blocks.
    __m128i lanes = _mm_setzero_si128();
    for (int k = 0; k < 255 && i + 16 <= n; ++k, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      lanes = _mm_sub_epi8(lanes, _mm_or_si128(_mm_cmpeq_epi8(v, co), _mm_cmpeq_epi8(v, eq)));
    }
    count += lane_total(lanes);
  }
  return count + count_separators_scalar(s + i, n - i);
}

__attribute__((target("avx2"))) std::size_t count_separators_avx2(const char* s, std::size_t n) {
  std::size_t count = 0, i = 0;
  // ',' and '=' by one vpshufb lookup at the low nibble (C and D) and one compare, as fend_table.
  const char f = static_cast<char>(0xFF);
  const __m256i t = _mm256_broadcastsi128_si256(_mm_setr_epi8(f, f, f, f, f, f, f, f, f, f, f, f, ',', '=', f, f));
  while (i + 64 <= n) {
    // 64 bytes a step into two sets of lanes (half the loop's own instructions a byte).
    __m256i lanes = _mm256_setzero_si256(), lanes2 = _mm256_setzero_si256();
    for (int k = 0; k < 255 && i + 64 <= n; ++k, i += 64) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 32));
      lanes = _mm256_sub_epi8(lanes, _mm256_cmpeq_epi8(v, _mm256_shuffle_epi8(t, v)));
      lanes2 = _mm256_sub_epi8(lanes2, _mm256_cmpeq_epi8(w, _mm256_shuffle_epi8(t, w)));
    }
    count += lane_total(lanes) + lane_total(lanes2);
  }
  return count + count_separators_sse2(s + i, n - i);  // the last 0-63 bytes, 16 a step
}
#endif

// The avx2 tokenizer's CPU: stage 1's classifiers use AVX2 only, but its stage 2 is compiled for
// BMI1 and BMI2 as well (parser.cpp's run_bmi).
bool cpu_has_avx2_bmi() {
#if ISODRV_INF_X86
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  return has;
#else
  return false;
#endif
}

Tokenizer best() { return cpu_has_avx2_bmi() ? Tokenizer::avx2 : tokenizer_supported(Tokenizer::sse2) ? Tokenizer::sse2 : Tokenizer::scalar; }

std::atomic<Tokenizer> g_selected{Tokenizer::automatic};

}  // namespace

bool tokenizer_supported(Tokenizer t) {
  switch (t) {
    case Tokenizer::automatic:
    case Tokenizer::oracle:
    case Tokenizer::scalar:
      return true;
    case Tokenizer::sse2:
#if ISODRV_INF_X86
      return true;
#else
      return false;
#endif
    case Tokenizer::avx2:
      return cpu_has_avx2_bmi();
  }
  return false;
}

bool stage2_uses_bmi(Tokenizer t) { return t == Tokenizer::avx2 && cpu_has_avx2_bmi(); }

void set_tokenizer(Tokenizer t) {
  g_selected.store(tokenizer_supported(t) ? t : Tokenizer::automatic, std::memory_order_relaxed);
}

Tokenizer active_tokenizer() {
  const Tokenizer t = g_selected.load(std::memory_order_relaxed);
  return t == Tokenizer::automatic ? best() : t;
}

const char* tokenizer_name(Tokenizer t) {
  switch (t) {
    case Tokenizer::automatic: return "automatic";
    case Tokenizer::oracle: return "oracle";
    case Tokenizer::scalar: return "scalar";
    case Tokenizer::sse2: return "sse2";
    case Tokenizer::avx2: return "avx2";
  }
  return "?";
}

ClassifyFn classifier(Tokenizer t) {
#if ISODRV_INF_X86
  if (t == Tokenizer::avx2 && cpu_has_avx2_bmi()) return classify_avx2;
  if (t == Tokenizer::sse2 || t == Tokenizer::avx2) return classify_sse2;
#endif
  (void)t;
  return classify_scalar;
}

std::size_t count_separators(std::string_view text, Tokenizer t) {
#if ISODRV_INF_X86
  if (t == Tokenizer::avx2 && cpu_has_avx2_bmi()) return count_separators_avx2(text.data(), text.size());
  if (t == Tokenizer::sse2 || t == Tokenizer::avx2) return count_separators_sse2(text.data(), text.size());
#endif
  (void)t;
  return count_separators_scalar(text.data(), text.size());
}

void StructuralIndex::refill(std::size_t b) {
  base_ = b;
  count_ = std::min(kIndexWindow, blocks_ - b);
  const std::size_t whole = std::min(count_, n_ / 64 - std::min(n_ / 64, b));
  if (whole) fn_(s_ + b * 64, whole, win_);
  if (whole < count_) {
    // The text's last, partial block: classified from a copy padded with NUL, which is in no mask.
    char tail[64] = {};
    std::memcpy(tail, s_ + (b + whole) * 64, n_ - (b + whole) * 64);
    fn_(tail, 1, win_ + whole);
  }
}

}  // namespace isodrv::inf
