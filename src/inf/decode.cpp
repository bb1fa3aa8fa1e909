// Byte-level decoding of INF files into UTF-8, with a map from physical lines back to byte offsets.
// Detection follows SetupAPI: BOMs first, then BOM-less UTF-16LE, then the ANSI code page.
#include "isodrv/inf.h"
#include "base/utf16.h"
#include "inf/lane_counts.h"
#include "inf/structural.h"

#include <algorithm>

#include <iconv.h>

#include <cerrno>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#define ISODRV_DECODE_AVX2 1
#include <immintrin.h>
#endif

namespace isodrv::inf {

std::string_view encoding_name(Encoding e) {
  switch (e) {
    case Encoding::ansi: return "ansi";
    case Encoding::utf8_bom: return "utf-8-bom";
    case Encoding::utf16le_bom: return "utf-16le-bom";
    case Encoding::utf16be_bom: return "utf-16be-bom";
    case Encoding::utf16le: return "utf-16le";
  }
  return "ansi";
}

namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kCtrlZ = 0x1A;

// Windows-1252 code points for 0x80..0x9F; the rest of the page equals Latin-1. Bytes the code page
// leaves undefined (81, 8D, 8F, 90, 9D) map to the C1 control of the same value, as Windows does.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Decodes one UTF-8 sequence at s[i]; returns its length (0 when invalid).
inline std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) { cp = b0; return 1; }
  std::size_t n;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) { n = 2; cp = b0 & 0x1F; min = 0x80; }
  else if ((b0 & 0xF0) == 0xE0) { n = 3; cp = b0 & 0x0F; min = 0x800; }
  else if ((b0 & 0xF8) == 0xF0) { n = 4; cp = b0 & 0x07; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool is_ascii(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size();
#if defined(__SSE2__)
  // Called where the text is known to hold a byte >= 0x80 or a NUL or ^Z at its start, usually the
  // former: every 64 bytes it looks whether it is done.
  while (n >= 64) {
    const __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)),
                                   _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
    const __m128i c = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)),
                                   _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)));
    if (_mm_movemask_epi8(_mm_or_si128(a, c))) return false;
    p += 64;
    n -= 64;
  }
  __m128i any = _mm_setzero_si128();
  while (n >= 16) {
    any = _mm_or_si128(any, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    p += 16;
    n -= 16;
  }
  if (_mm_movemask_epi8(any)) return false;
#endif
  std::uint64_t acc = 0;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    acc |= w;
    p += 8;
    n -= 8;
  }
  while (n--) acc |= static_cast<unsigned char>(*p++);
  return (acc & 0x8080808080808080ULL) == 0;
}

// Index of the first byte >= 0x80 in s[i, end), or end: 16 bytes at a time where SSE2 exists.
inline std::size_t ascii_run_end(const char* s, std::size_t i, std::size_t end) {
#if defined(__SSE2__)
  while (i + 16 <= end) {
    const int m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
    if (m) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)));
    i += 16;
  }
#endif
  while (i + 8 <= end) {
    std::uint64_t w;
    std::memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < end && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

#if ISODRV_DECODE_AVX2
// ascii_run_end 32 bytes a step (the last 0-31 bytes go to the SSE2 one).
__attribute__((target("avx2"))) std::size_t ascii_run_end_avx2(const char* s, std::size_t i, std::size_t end) {
  while (i + 32 <= end) {
    const auto m = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i))));
    if (m) return i + static_cast<std::size_t>(__builtin_ctz(m));
    i += 32;
  }
  return ascii_run_end(s, i, end);
}
#endif

#if ISODRV_DECODE_AVX2
bool valid_utf8_avx2(const char* s, std::size_t n);
#endif

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF: what utf8_sequence
// accepts), checked by the ranges of the lead byte and the byte after it instead of decoding each
// character; a run of non-ASCII text (CJK, Cyrillic) stays in the inner loop.
bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
#if ISODRV_DECODE_AVX2
  const bool wide = active_tokenizer() == Tokenizer::avx2;
  // (the scalar loop below is the reference the vector check is tested against)
  if (wide) return valid_utf8_avx2(s.data(), n);
#endif
  while (true) {
#if ISODRV_DECODE_AVX2
    i = wide ? ascii_run_end_avx2(s.data(), i, n) : ascii_run_end(s.data(), i, n);
#else
    i = ascii_run_end(s.data(), i, n);
#endif
    while (i < n && p[i] >= 0x80) {
      const unsigned b0 = p[i];
      auto cont = [&](std::size_t k) { return (p[i + k] & 0xC0u) == 0x80u; };
      if (b0 < 0xC2) return false;  // a continuation byte, or an overlong 2-byte lead
      if (b0 < 0xE0) {
        if (i + 2 > n || !cont(1)) return false;
        i += 2;
        continue;
      }
      // The second byte's range depends on the lead: E0 (A0..BF) and F0 (90..BF) exclude overlong
      // forms, ED (80..9F) surrogates, F4 (80..8F) what lies past U+10FFFF.
      const unsigned b1 = i + 1 < n ? p[i + 1] : 0u;
      const unsigned lo = b0 == 0xE0 ? 0xA0u : b0 == 0xF0 ? 0x90u : 0x80u;
      const unsigned hi = b0 == 0xED ? 0x9Fu : b0 == 0xF4 ? 0x8Fu : 0xBFu;
      if (b1 < lo || b1 > hi) return false;
      if (b0 < 0xF0) {
        if (i + 3 > n || !cont(2)) return false;
        i += 3;
      } else {
        if (b0 > 0xF4 || i + 4 > n || !cont(2) || !cont(3)) return false;
        i += 4;
      }
    }
    if (i >= n) return true;
  }
}

// BOM-less UTF-16LE detection ([ND] in Microsoft's docs; SetupAPI asks RtlIsTextUnicode). We call a
// buffer UTF-16LE when it has an even length and, over its first 512 code units, more than half are
// ASCII characters stored as <byte, 00> while almost none are <00, byte> (which would be big-endian).
bool looks_like_utf16le(std::string_view b) {
  if (b.size() < 4 || (b.size() & 1)) return false;
  std::size_t units = std::min<std::size_t>(b.size() / 2, 512);
  // Both counts need a zero byte: without one (every 8-bit file without a NUL), one memchr decides.
  if (!std::memchr(b.data(), 0, units * 2)) return false;
  std::size_t le_ascii = 0, be_ascii = 0;
  for (std::size_t i = 0; i < units; ++i) {
    auto lo = static_cast<unsigned char>(b[2 * i]);
    auto hi = static_cast<unsigned char>(b[2 * i + 1]);
    if (hi == 0 && lo != 0 && lo < 0x80) ++le_ascii;
    else if (lo == 0 && hi != 0 && hi < 0x80) ++be_ascii;
  }
  return le_ascii * 2 > units && be_ascii * 8 < units;
}

// Entries to reserve in a line table before the lines of `chars` characters are counted. INF lines
// average ~40 characters, but many files have shorter ones: one entry per 20 spares nearly every small
// file a doubling (one per 32 cost the corpus's 442 files 342 more allocations, each with a copy);
// texts over 160 KB keep one per 32, so a big file's table, reserved but never filled, does not raise
// its peak memory (issue 13's bound: 2x the largest file).
inline std::size_t line_room(std::size_t chars) {
  constexpr std::size_t kSmallText = std::size_t{160} << 10;
  return chars <= kSmallText ? chars / 20 + 16 : chars / 32 + 16;
}

// Records the start of every physical line of a borrowed 8-bit text; byte offsets are the text's
// plus `byte_offset`. Lines are short, so the breaks come from a 16-byte comparison mask rather
// than a memchr call per line.
void index_lines_borrowed(std::string_view text, std::uint32_t byte_offset, DecodedText& out) {
  // (capped as in probe_plain_ascii)
  out.line_text_start.reserve(std::min<std::size_t>(line_room(text.size()), 8192));
  out.line_byte_start.reserve(out.line_text_start.capacity());
  out.line_text_start.push_back(0);
  out.line_byte_start.push_back(byte_offset);
  const char* s = text.data();
  const std::size_t n = text.size();
  std::size_t i = 0;
  auto line = [&](std::size_t next) {
    out.line_text_start.push_back(static_cast<std::uint32_t>(next));
    out.line_byte_start.push_back(static_cast<std::uint32_t>(next + byte_offset));
  };
#if defined(__SSE2__)
  const __m128i vnl = _mm_set1_epi8('\n');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    for (auto m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vnl))); m; m &= m - 1) {
      line(i + static_cast<std::size_t>(__builtin_ctz(m)) + 1);
    }
  }
#endif
  for (; i < n; ++i) {
    if (s[i] == '\n') line(i + 1);
  }
}

// Whether the plain-ASCII probe also fills line_byte_start. Document::parse leaves it empty: for a
// borrowed ASCII text the byte offsets are the text offsets, and Document reads line_text_start
// for both (line_byte_starts in document.cpp).
enum class ByteStarts : bool { record, same_as_text };

// decode()'s first look at an 8-bit file without a BOM: true when it is plain ASCII (no byte >= 0x80,
// no NUL, no ^Z), with every physical line's start recorded on the way. Otherwise false, the
// tables incomplete, and `clean` how far the text is plain (a multiple of 16, or the exact byte in
// the tail), where the later scans start. 64 bytes a step: one test of the four vectors for a byte
// that is not plain (high bit; NUL or ^Z as a zero in min(v, v ^ ^Z)), one 64-bit newline mask.
#if ISODRV_DECODE_AVX2
// The separators ',' and '=' of a 32-byte block as 0xFF bytes: a shuffle of each byte's low nibble
// gives ',' for C, '=' for D and 0x80 (never an ASCII byte) otherwise; a byte >= 0x80 shuffles to 0.
// parse_text sizes the field records by this count (decode_in_place's, when it has counted).
__attribute__((target("avx2"))) inline __m256i separator_table_avx2() {
  return _mm256_setr_epi8(-128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, ',', '=', -128, -128,
                          -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, ',', '=', -128, -128);
}
__attribute__((target("avx2"))) inline __m256i separators_avx2(__m256i v, __m256i table) {
  return _mm256_cmpeq_epi8(v, _mm256_shuffle_epi8(table, v));
}

// probe_plain_ascii's 64-byte step with AVX2 (two vectors instead of four): returns where it
// stopped, at the text's last whole block or at a block that is not plain, which the SSE2 loops
// then look at again. Used when the tokenizer is AVX2 (so the tests that force each tokenizer run
// both), which is when the CPU has it.
__attribute__((target("avx2"))) std::size_t probe_blocks_avx2(const char* s, std::size_t n, std::vector<std::uint32_t>& starts,
                                                              std::size_t& separators) {
  const __m256i vnl = _mm256_set1_epi8('\n'), vz = _mm256_set1_epi8(kCtrlZ), v0 = _mm256_setzero_si256();
  const __m256i table = separator_table_avx2();
  std::size_t i = 0;
  std::uint32_t batch[128];
  unsigned count = 0;
  bool plain = true;
  while (plain && i + 64 <= n) {
    __m256i seps = v0;
    for (int k = 0; k < 127 && i + 64 <= n; ++k, i += 64) {
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 32));
      const __m256i low = _mm256_min_epu8(_mm256_min_epu8(a, _mm256_xor_si256(a, vz)), _mm256_min_epu8(b, _mm256_xor_si256(b, vz)));
      if (_mm256_movemask_epi8(_mm256_or_si256(a, b)) | _mm256_movemask_epi8(_mm256_cmpeq_epi8(low, v0))) {
        plain = false;
        break;
      }
      seps = _mm256_sub_epi8(_mm256_sub_epi8(seps, separators_avx2(a, table)), separators_avx2(b, table));
      std::uint64_t m = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vnl))) |
                        std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vnl)))} << 32;
      for (; m; m &= m - 1) batch[count++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(__builtin_ctzll(m)) + 1);
      if (count >= 64) {
        starts.insert(starts.end(), batch, batch + count);
        count = 0;
      }
    }
    separators += lane_total(seps);
  }
  starts.insert(starts.end(), batch, batch + count);
  return i;
}
#endif

// `separators`: the ',' and '=' the AVX2 step counted in text[0, counted).
bool probe_plain_ascii(std::string_view text, DecodedText& out, ByteStarts byte_starts, std::size_t& clean,
                       std::size_t& separators, std::size_t& counted) {
  auto& starts = out.line_text_start;
  // Room for the lines up front means one allocation for most files (a table grown by doubling
  // from one entry allocates ten times for 500 lines). Capped at 8192 entries (files up to ~256 KB):
  // past that the few doublings cost nothing measurable, and a guess too small for a big file would
  // make the table's last doubling raise the document's peak memory (issue 13's bound: 2x the
  // largest file).
  starts.reserve(std::min<std::size_t>(line_room(text.size()), 8192));
  starts.push_back(0);
  const char* s = text.data();
  const std::size_t n = text.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i vnl = _mm_set1_epi8('\n'), vz = _mm_set1_epi8(kCtrlZ), v0 = _mm_setzero_si128();
  auto load = [s](std::size_t at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + at)); };
  auto nl_bits = [&](__m128i v) { return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vnl)))); };
#if ISODRV_DECODE_AVX2
  if (active_tokenizer() == Tokenizer::avx2) counted = i = probe_blocks_avx2(s, n, starts, separators);
#endif
  for (; i + 64 <= n; i += 64) {
    const __m128i a = load(i), b = load(i + 16), c = load(i + 32), d = load(i + 48);
    const __m128i high = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
    const __m128i low = _mm_min_epu8(_mm_min_epu8(_mm_min_epu8(a, _mm_xor_si128(a, vz)), _mm_min_epu8(b, _mm_xor_si128(b, vz))),
                                     _mm_min_epu8(_mm_min_epu8(c, _mm_xor_si128(c, vz)), _mm_min_epu8(d, _mm_xor_si128(d, vz))));
    if (_mm_movemask_epi8(high) | _mm_movemask_epi8(_mm_cmpeq_epi8(low, v0))) break;  // the loop below finds where
    for (std::uint64_t m = nl_bits(a) | nl_bits(b) << 16 | nl_bits(c) << 32 | nl_bits(d) << 48; m; m &= m - 1) {
      starts.push_back(static_cast<std::uint32_t>(i + static_cast<std::size_t>(__builtin_ctzll(m)) + 1));
    }
  }
  for (; i + 16 <= n; i += 16) {
    const __m128i v = load(i);
    if (_mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vz), _mm_cmpeq_epi8(v, v0)))) {
      clean = i;
      return false;
    }
    for (auto m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vnl))); m; m &= m - 1) {
      starts.push_back(static_cast<std::uint32_t>(i + static_cast<std::size_t>(__builtin_ctz(m)) + 1));
    }
  }
#endif
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 || c == 0 || c == kCtrlZ) {
      clean = i;
      return false;
    }
    if (c == '\n') starts.push_back(static_cast<std::uint32_t>(i + 1));
  }
  if (byte_starts == ByteStarts::record) out.line_byte_start = starts;
  return true;
}

struct Sink {
  DecodedText& out;
  std::uint32_t line = 1;
  bool stopped = false;
  std::uint32_t at = 0;  // byte offset of the character being put
  // Returns false once ^Z has ended the text.
  inline bool put(char32_t c, std::uint32_t next_byte_offset, std::size_t total_bytes) {
    if (c == kCtrlZ) {
      stopped = true;
      out.bytes_end = at;
      // A ^Z that is merely the file's last character is conventional (old editors); flag others.
      if (next_byte_offset < total_bytes) {
        out.flags.ctrl_z = true;
        out.flags.ctrl_z_line = line;
      }
      return false;
    }
    if (c == 0) {
      out.flags.embedded_nul = true;
      c = ' ';
    }
    append_utf8(out.owned, c);
    if (c == '\n') {
      ++line;
      out.line_text_start.push_back(static_cast<std::uint32_t>(out.owned.size()));
      out.line_byte_start.push_back(next_byte_offset);
    }
    return true;
  }
};

// UTF-16 decoded unit by unit; used for big-endian files (the little-endian fast path is below).
void decode_utf16(std::string_view b, std::size_t start, bool big_endian, DecodedText& out) {
  out.owned.reserve(b.size() / 2 + 16);
  out.line_text_start.push_back(0);
  out.line_byte_start.push_back(static_cast<std::uint32_t>(start));
  Sink sink{out};
  std::size_t n = b.size();
  if ((n - start) & 1) {
    out.flags.odd_length_utf16 = true;
    --n;
  }
  auto unit = [&](std::size_t i) -> char16_t {
    auto b0 = static_cast<unsigned char>(b[i]);
    auto b1 = static_cast<unsigned char>(b[i + 1]);
    return big_endian ? static_cast<char16_t>((b0 << 8) | b1) : static_cast<char16_t>((b1 << 8) | b0);
  };
  for (std::size_t i = start; i < n;) {
    char32_t c = unit(i);
    std::size_t next = i + 2;
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (next < n) {
        char32_t lo = unit(next);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
          next += 2;
        } else {
          out.flags.unpaired_surrogate = true;
          c = kReplacement;
        }
      } else {
        out.flags.unpaired_surrogate = true;
        c = kReplacement;
      }
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      out.flags.unpaired_surrogate = true;
      c = kReplacement;
    }
    sink.at = static_cast<std::uint32_t>(i);
    if (!sink.put(c, static_cast<std::uint32_t>(next), n)) break;
    i = next;
  }
  if (!sink.stopped) out.bytes_end = static_cast<std::uint32_t>(n);
}

// UTF-8 decoded character by character: the fallback for input that is not valid UTF-8.
void decode_utf8_slow(std::string_view b, std::size_t start, DecodedText& out) {
  out.owned.reserve(b.size() + 16);
  out.line_text_start.push_back(0);
  out.line_byte_start.push_back(static_cast<std::uint32_t>(start));
  Sink sink{out};
  for (std::size_t i = start; i < b.size();) {
    char32_t c;
    std::size_t n = utf8_sequence(b, i, c);
    if (!n) {
      c = kReplacement;
      n = 1;
    }
    sink.at = static_cast<std::uint32_t>(i);
    if (!sink.put(c, static_cast<std::uint32_t>(i + n), b.size())) break;
    i += n;
  }
  if (!sink.stopped) out.bytes_end = static_cast<std::uint32_t>(b.size());
}

// ---------------------------------------------------------------------------------------------
// Fast paths. Nearly every byte of a real INF is ASCII, so these decoders copy (or narrow) 16-byte
// blocks of ASCII at once, take the block's line breaks from a comparison mask, and transcode
// character by character only where a non-ASCII byte or unit, a NUL or a ^Z occurs. The output
// size and the line count are counted first, so the text and the line tables are allocated once.
// ---------------------------------------------------------------------------------------------

// The UTF-8 of each Windows-1252 byte >= 0x80 (two or three bytes, zero-padded to four), so a
// non-ASCII byte costs one table copy instead of a branchy encode.
struct Cp1252Utf8 {
  char bytes[128][4];
  std::uint8_t len[128];
  constexpr Cp1252Utf8() : bytes{}, len{} {
    for (int b = 0x80; b < 0x100; ++b) {
      const char32_t c = b < 0xA0 ? kCp1252High[b - 0x80] : static_cast<char32_t>(b);
      char* o = bytes[b - 0x80];
      if (c < 0x800) {
        o[0] = static_cast<char>(0xC0 | (c >> 6));
        o[1] = static_cast<char>(0x80 | (c & 0x3F));
        len[b - 0x80] = 2;
      } else {
        o[0] = static_cast<char>(0xE0 | (c >> 12));
        o[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        o[2] = static_cast<char>(0x80 | (c & 0x3F));
        len[b - 0x80] = 3;
      }
    }
  }
};
constexpr Cp1252Utf8 kCp1252Utf8;

// The same as one word a byte (read by the AVX2 paths, so on little-endian machines): its UTF-8 in
// the low three bytes, its length in the top one, so that a copy and the length take one load.
struct Cp1252Words {
  std::uint32_t word[128];
  constexpr Cp1252Words() : word{} {
    for (int k = 0; k < 128; ++k) {
      const auto* o = kCp1252Utf8.bytes[k];
      word[k] = static_cast<std::uint32_t>(static_cast<unsigned char>(o[0])) | static_cast<std::uint32_t>(static_cast<unsigned char>(o[1])) << 8 |
                static_cast<std::uint32_t>(static_cast<unsigned char>(o[2])) << 16 | static_cast<std::uint32_t>(kCp1252Utf8.len[k]) << 24;
    }
  }
};
constexpr Cp1252Words kCp1252Words;

// Extra UTF-8 bytes (beyond one) that a Windows-1252 byte >= 0x80 becomes.
inline std::size_t cp1252_extra(unsigned char byte) { return kCp1252Utf8.len[byte - 0x80] - 1u; }

// Makes `s` n bytes long, leaving the new bytes unwritten where the library allows it (C++23's
// resize_and_overwrite: this file is built as C++23 where GCC has it, as read_input.cpp is; resize,
// which zeroes them, elsewhere). The decoders write every byte of the text before it is read.
inline void grow_unwritten(std::string& s, std::size_t n) {
#if defined(__cpp_lib_string_resize_and_overwrite)
  // (returns n, not the count it is handed: GCC 12's libstdc++ hands over the new capacity when it
  // reallocates, which would make the string that long; the in-place expansion sizes its text here)
  s.resize_and_overwrite(n, [n](char*, std::size_t) { return n; });
#else
  s.resize(n);
#endif
}

// Decoded text written into out.owned, which is sized before writing. ensure() grows it should a
// count ever fall short, so a miscount costs a reallocation, never a write past the end.
struct TextWriter {
  DecodedText& out;
  std::string& target;  // out.owned, or the input itself when decoding in place
  char* o;
  std::size_t w = 0;
  TextWriter(DecodedText& d, std::size_t size) : TextWriter(d, d.owned, size) {}
  TextWriter(DecodedText& d, std::string& into, std::size_t size) : out(d), target(into) {
    grow_unwritten(target, size);
    o = target.data();
  }
  inline void ensure(std::size_t k) {
    if (w + k > target.size()) {
      grow_unwritten(target, w + k + target.size() / 8 + 64);
      o = target.data();
    }
  }
  // A line break was just written; the next line starts at text offset w and byte offset `next`.
  // False when decoding in place: the byte offsets are then derived from the text on demand.
  bool byte_starts = true;
  inline void line_break(std::size_t text_off, std::size_t next) {
    out.line_text_start.push_back(static_cast<std::uint32_t>(text_off));
    if (byte_starts) out.line_byte_start.push_back(static_cast<std::uint32_t>(next));
  }
  inline void put(char32_t c) {
    ensure(4);
    if (c < 0x80) {
      o[w++] = static_cast<char>(c);
    } else if (c < 0x800) {
      o[w++] = static_cast<char>(0xC0 | (c >> 6));
      o[w++] = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      o[w++] = static_cast<char>(0xE0 | (c >> 12));
      o[w++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      o[w++] = static_cast<char>(0x80 | (c & 0x3F));
    } else {
      o[w++] = static_cast<char>(0xF0 | (c >> 18));
      o[w++] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      o[w++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      o[w++] = static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  void finish() { target.resize(w); }
};

// Line starts gathered in a local buffer and appended to the tables many at a time: a push_back a
// line reloads the table's end and capacity through the writer (the stores of the text may alias
// them), ~16 instructions a line. A block loop calls flush_some() after each block of up to 32
// line breaks and flush() at its end.
struct LineBatch {
  std::uint32_t text[64], bytes[64];
  std::size_t n = 0;  // (not a 32-bit count: the entries' stores could alias it, and GCC may keep it in memory)
  inline void put(std::size_t text_off, std::size_t next) {
    text[n] = static_cast<std::uint32_t>(text_off);
    bytes[n++] = static_cast<std::uint32_t>(next);
  }
  void flush(TextWriter& tw) {
    tw.out.line_text_start.insert(tw.out.line_text_start.end(), text, text + n);
    if (tw.byte_starts) tw.out.line_byte_start.insert(tw.out.line_byte_start.end(), bytes, bytes + n);
    n = 0;
  }
  inline void flush_some(TextWriter& tw) {
    if (n >= 32) flush(tw);
  }
};

// The text ends at a ^Z at byte `stop` (whose character ends at `next`) or runs to `total`.
void finish_ctrl_z(DecodedText& out, bool stopped, std::size_t stop, std::size_t next, std::size_t total) {
  if (!stopped) {
    out.bytes_end = static_cast<std::uint32_t>(total);
    return;
  }
  out.bytes_end = static_cast<std::uint32_t>(stop);
  // A ^Z that is merely the file's last character is conventional (old editors); flag others.
  if (next < total) {
    out.flags.ctrl_z = true;
    out.flags.ctrl_z_line = static_cast<std::uint32_t>(out.line_text_start.size());
  }
}

// What the first pass over Windows-1252 bytes finds: where a ^Z ends the text, the UTF-8 size
// beyond one byte a character, the line breaks and whether there is a NUL.
struct AnsiCount {
  std::size_t stop = 0, extra = 0, breaks = 0;
  bool ctrl_z = false, nul = false;
};

#if ISODRV_DECODE_AVX2
// count_ansi_1252's block loop with AVX2, 32 bytes a step: returns where it stopped (the last whole
// block, or a block holding a ^Z, which the SSE2 and scalar loops then finish).
__attribute__((target("avx2"))) std::size_t count_ansi_avx2(const char* s, std::size_t stop, AnsiCount& c) {
  const __m256i vnl = _mm256_set1_epi8('\n'), vz = _mm256_set1_epi8(kCtrlZ), v0 = _mm256_setzero_si256();
  std::size_t i = 0;
  bool ctrl_z = false;
  while (!ctrl_z && i + 32 <= stop) {
    __m256i lanes = _mm256_setzero_si256(), nuls = _mm256_setzero_si256();
    for (int k = 0; k < 255 && i + 32 <= stop; ++k, i += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
      if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vz))) {
        ctrl_z = true;
        break;
      }
      lanes = _mm256_sub_epi8(lanes, _mm256_cmpeq_epi8(v, vnl));
      nuls = _mm256_or_si256(nuls, _mm256_cmpeq_epi8(v, v0));
      for (auto hi = static_cast<unsigned>(_mm256_movemask_epi8(v)); hi; hi &= hi - 1) {
        c.extra += cp1252_extra(static_cast<unsigned char>(s[i + static_cast<std::size_t>(__builtin_ctz(hi))]));
      }
    }
    c.breaks += lane_total(lanes);
    if (_mm256_movemask_epi8(nuls)) c.nul = true;
  }
  return i;
}
#endif

AnsiCount count_ansi_1252(std::string_view b) {
  const char* s = b.data();
  AnsiCount c;
  c.stop = b.size();
  std::size_t i = 0;
  bool ctrl_z = false;
#if defined(__SSE2__)
#if ISODRV_DECODE_AVX2
  if (active_tokenizer() == Tokenizer::avx2) i = count_ansi_avx2(s, c.stop, c);
#endif
  const __m128i vnl = _mm_set1_epi8('\n'), vz = _mm_set1_epi8(kCtrlZ), v0 = _mm_setzero_si128();
  while (!ctrl_z && i + 16 <= c.stop) {
    // Line breaks are counted in byte lanes, emptied every 255 blocks before they can wrap.
    __m128i lanes = _mm_setzero_si128(), nuls = _mm_setzero_si128();
    for (int k = 0; k < 255 && i + 16 <= c.stop; ++k, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, vz))) {
        ctrl_z = true;  // the scalar loop below finishes this block up to the ^Z
        break;
      }
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, vnl));
      nuls = _mm_or_si128(nuls, _mm_cmpeq_epi8(v, v0));
      for (unsigned hi = static_cast<unsigned>(_mm_movemask_epi8(v)); hi; hi &= hi - 1) {
        c.extra += cp1252_extra(static_cast<unsigned char>(s[i + static_cast<std::size_t>(__builtin_ctz(hi))]));
      }
    }
    c.breaks += lane_total(lanes);
    if (_mm_movemask_epi8(nuls)) c.nul = true;
  }
#endif
  for (; i < c.stop; ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if (ch == '\n') {
      ++c.breaks;
    } else if (ch >= 0x80) {
      c.extra += cp1252_extra(ch);
    } else if (ch == kCtrlZ) {
      c.ctrl_z = true;
      c.stop = i;
    } else if (ch == 0) {
      c.nul = true;
    }
  }
  return c;
}

// What scan_ansi_avx2 finds in the text after the plain-ASCII prefix: count_ansi_1252's count but
// the breaks (it records the lines instead), whether a byte is >= 0x80 (is_ascii) and whether the
// text is well-formed UTF-8 (is_valid_utf8).
struct AnsiScan {
  AnsiCount count;
  std::size_t separators = 0;  // ',' and '='
  bool high = false, utf8 = false;
};

#if ISODRV_DECODE_AVX2
// The UTF-8 length beyond two (0 or 1) of the Windows-1252 bytes 80-8F and 90-9F, as two 16-entry
// shuffle tables, each repeated for both 128-bit lanes (every byte from A0 on takes two bytes).
struct Cp1252LongTables {
  char lo[32];
  char hi[32];
  constexpr Cp1252LongTables() : lo{}, hi{} {
    for (int k = 0; k < 32; ++k) {
      lo[k] = static_cast<char>(kCp1252Utf8.len[k % 16] - 2);
      hi[k] = static_cast<char>(kCp1252Utf8.len[16 + k % 16] - 2);
    }
  }
};
constexpr Cp1252LongTables kCp1252Long;

// 32 copies of a byte (or a 16-byte table twice, one per 128-bit lane) that the block loops read from
// memory: GCC otherwise makes each constant anew for every block, three instructions each.
struct alignas(32) Splat {
  char b[32];
};
constexpr Splat splat(char c) {
  Splat s{};
  for (char& x : s.b) x = c;
  return s;
}
constexpr Splat kNibble = splat(0x0F), kBelowA0 = splat('\xA0'), kNewline = splat('\n'), kHigh = splat('\x80'),
                kAboveDF = splat('\xDF'), kAboveEF = splat('\xEF');

__attribute__((target("avx2"))) inline __m256i splat_load(const Splat& s) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(s.b));
}
// Well-formed UTF-8 (what is_valid_utf8 accepts) checked a block at a time by what each byte may
// follow (the method of Keiser and Lemire, "Validating UTF-8 In Less Than One Instruction Per
// Byte", 2021), instead of following each character. A wrong pair of bytes (prev, byte) falls in
// one of a few kinds, each a product of three sets: prev's high nibble, prev's low nibble and
// byte's high nibble. A byte in each of three shuffle tables then holds the kinds that nibble allows,
// and a pair is wrong where the three lookups share a bit. Third and fourth bytes are a
// continuation after a continuation, allowed only two and three bytes after a lead of three and
// four: that kind's bit is flipped where such a lead stands there.
struct Utf8Kind {
  std::uint8_t bit;
  std::uint16_t prev_high, prev_low, high;  // nibble sets, bit k = nibble k
};
constexpr std::uint16_t nibbles(unsigned from, unsigned to) {
  std::uint16_t m = 0;
  for (unsigned k = from; k <= to; ++k) m = static_cast<std::uint16_t>(m | 1u << k);
  return m;
}
constexpr std::uint8_t kTwoConts = 0x80;
constexpr Utf8Kind kUtf8Kinds[] = {
    {0x01, nibbles(0xC, 0xF), nibbles(0, 15), static_cast<std::uint16_t>(nibbles(0, 7) | nibbles(0xC, 0xF))},  // a lead, then no continuation
    {0x02, nibbles(0, 7), nibbles(0, 15), nibbles(8, 0xB)},        // ASCII, then a continuation
    {kTwoConts, nibbles(8, 0xB), nibbles(0, 15), nibbles(8, 0xB)},  // a continuation after one
    {0x04, nibbles(0xC, 0xC), nibbles(0, 1), nibbles(8, 0xB)},     // C0, C1: overlong two bytes
    {0x08, nibbles(0xE, 0xE), nibbles(0, 0), nibbles(8, 9)},       // E0 80-9F: overlong three
    {0x10, nibbles(0xE, 0xE), nibbles(0xD, 0xD), nibbles(0xA, 0xB)},  // ED A0-BF: a surrogate
    {0x20, nibbles(0xF, 0xF), nibbles(4, 0xF), nibbles(9, 0xB)},   // F4 90-BF, F5-FF: past U+10FFFF
    // F0 80-8F (overlong four) and F5-FF 80-8F (past U+10FFFF) share a bit: one product set.
    {0x40, nibbles(0xF, 0xF), static_cast<std::uint16_t>(nibbles(0, 0) | nibbles(5, 0xF)), nibbles(8, 8)},
};
enum class Utf8Table { prev_high, prev_low, high };
constexpr Splat utf8_table(Utf8Table which) {
  Splat s{};
  for (int k = 0; k < 32; ++k) {
    unsigned bits = 0;
    for (const Utf8Kind& kind : kUtf8Kinds) {
      const std::uint16_t set = which == Utf8Table::prev_high ? kind.prev_high : which == Utf8Table::prev_low ? kind.prev_low : kind.high;
      if (set >> (k % 16) & 1) bits |= kind.bit;
    }
    s.b[k] = static_cast<char>(bits);
  }
  return s;
}
constexpr Splat kUtf8PrevHigh = utf8_table(Utf8Table::prev_high), kUtf8PrevLow = utf8_table(Utf8Table::prev_low),
                kUtf8High = utf8_table(Utf8Table::high);
// Where a block's last bytes leave a sequence unfinished: a lead as the last byte, a lead of three
// or four bytes before it, one of four bytes before that (saturating subtraction leaves non-zero).
constexpr Splat utf8_unfinished() {
  Splat s = splat('\xFF');
  s.b[29] = '\xEF';
  s.b[30] = '\xDF';
  s.b[31] = '\xBF';
  return s;
}
constexpr Splat kUtf8Unfinished = utf8_unfinished();

// What carries from one block of the check into the next.
struct Utf8State {
  __m256i prev, errors, unfinished;
};

__attribute__((target("avx2"))) inline __m256i high_nibbles(__m256i v) {
  return _mm256_and_si256(_mm256_srli_epi16(v, 4), splat_load(kNibble));
}

// A block holding a byte >= 0x80.
__attribute__((target("avx2"))) inline void utf8_block(__m256i v, Utf8State& u) {
  // The block shifted by one, two and three bytes, the previous block's last bytes coming in.
  const __m256i joined = _mm256_permute2x128_si256(u.prev, v, 0x21);
  const __m256i prev1 = _mm256_alignr_epi8(v, joined, 15), prev2 = _mm256_alignr_epi8(v, joined, 14),
                prev3 = _mm256_alignr_epi8(v, joined, 13);
  const __m256i kinds = _mm256_and_si256(
      _mm256_and_si256(_mm256_shuffle_epi8(splat_load(kUtf8PrevHigh), high_nibbles(prev1)),
                       _mm256_shuffle_epi8(splat_load(kUtf8PrevLow), _mm256_and_si256(prev1, splat_load(kNibble)))),
      _mm256_shuffle_epi8(splat_load(kUtf8High), high_nibbles(v)));
  // Non-zero two bytes after E0-FF and three after F0-FF: there two continuations are right.
  const __m256i third = _mm256_or_si256(_mm256_subs_epu8(prev2, splat_load(kAboveDF)), _mm256_subs_epu8(prev3, splat_load(kAboveEF)));
  const __m256i allowed = _mm256_and_si256(_mm256_cmpgt_epi8(third, _mm256_setzero_si256()), splat_load(kHigh));
  u.errors = _mm256_or_si256(u.errors, _mm256_xor_si256(kinds, allowed));
  u.unfinished = _mm256_subs_epu8(v, splat_load(kUtf8Unfinished));
  u.prev = v;
}

// A plain block: what the previous block left unfinished is an error, and nothing carries on.
__attribute__((target("avx2"))) inline void utf8_plain_block(__m256i v, Utf8State& u) {
  u.errors = _mm256_or_si256(u.errors, u.unfinished);
  u.unfinished = _mm256_setzero_si256();
  u.prev = v;
}

// The running sums of scan_ansi_avx2: separators in byte lanes (at most 1 a block) that are added up
// every 127 blocks; what the UTF-8 check carries.
struct AnsiLanes {
  __m256i seps, sep_table;
  std::uint32_t high = 0;
  bool nul = false;
  Utf8State utf8;
};

// Which of a block's bytes take three bytes of UTF-8 (some of 80-9F, by the code page's table): every
// byte >= 0x80 takes one byte more than it is, these two more.
__attribute__((target("avx2"))) inline std::uint32_t cp1252_long_mask(__m256i v) {
  const __m256i idx = _mm256_and_si256(v, splat_load(kNibble));
  const __m256i lo = _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(kCp1252Long.lo)), idx);
  const __m256i hi = _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(kCp1252Long.hi)), idx);
  const __m256i longer = _mm256_and_si256(_mm256_blendv_epi8(lo, hi, _mm256_slli_epi16(v, 3)),
                                          _mm256_cmpgt_epi8(splat_load(kBelowA0), v));
  return static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(longer, 7)));
}

// The line starts scan_ansi_avx2 records when it decodes in place, as text offsets: `shift` is
// what a byte offset gains (the plain prefix's start plus the extra UTF-8 bytes before the block,
// plus one: a line starts after its break). Locals of the scan, so that they stay in registers
// (the batch's stores could alias a counter kept in memory).
struct AnsiLineRefs {
  std::uint32_t* batch;  // room for 128, emptied at 64 (a step adds up to 64)
  unsigned& count;
  std::size_t& shift;
};

// One 32-byte block of scan_ansi_avx2 (no ^Z in it) at byte offset i. With kLines the line starts
// go to the batch as text offsets: in a block with bytes >= 0x80 each one's offset grows by the
// extra bytes of those before it (the popcounts of the two masks below it).
template <bool kLines>
__attribute__((target("avx2,popcnt"), always_inline)) inline void scan_ansi_block(__m256i v, std::size_t i, AnsiLanes& l, AnsiLineRefs lines) {
  l.seps = _mm256_sub_epi8(l.seps, separators_avx2(v, l.sep_table));
  const auto h = static_cast<std::uint32_t>(_mm256_movemask_epi8(v));
  auto m = kLines ? static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, splat_load(kNewline)))) : 0u;
  if (!h) {
    for (; m; m &= m - 1) lines.batch[lines.count++] = static_cast<std::uint32_t>(lines.shift + i + static_cast<std::size_t>(__builtin_ctz(m)));
    utf8_plain_block(v, l.utf8);
    return;
  }
  l.high |= h;
  if (kLines) {
    // (both masks in one word: one popcount a line)
    const std::uint64_t more = h | std::uint64_t{cp1252_long_mask(v)} << 32;
    for (; m; m &= m - 1) {
      const auto t = static_cast<unsigned>(__builtin_ctz(m));
      const std::uint64_t below = (std::uint64_t{1} << t) - 1;
      const auto before = static_cast<std::size_t>(__builtin_popcountll(more & (below | below << 32)));
      lines.batch[lines.count++] = static_cast<std::uint32_t>(lines.shift + i + t + before);
    }
    lines.shift += static_cast<std::size_t>(__builtin_popcountll(more));
  }
  utf8_block(v, l.utf8);
}

// One block of scan_ansi_avx2: false at a ^Z. A NUL and a ^Z are both the zeros of min(v, v ^ ^Z),
// one test for the two (both are rare).
template <bool kLines>
__attribute__((target("avx2,popcnt"), always_inline)) inline bool scan_ansi_any_block(__m256i v, std::size_t i, AnsiLanes& l,
                                                                                      AnsiLineRefs lines) {
  const __m256i vz = _mm256_set1_epi8(kCtrlZ);
  const __m256i zero = _mm256_setzero_si256();
  if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_xor_si256(v, vz)), zero))) {
    if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vz))) return false;
    l.nul = true;
  }
  scan_ansi_block<kLines>(v, i, l, lines);
  return true;
}

// Two blocks of scan_ansi_avx2 at i and i + 32 (both in the text): when neither holds a byte >= 0x80,
// a NUL or a ^Z (most of a file read as ANSI, even one with a few such bytes), one test for the
// two, one 64-bit mask for their line breaks and the UTF-8 check's plain step once; otherwise
// block by block (without a second look for a NUL or a ^Z where the pair has none).
template <bool kLines>
__attribute__((target("avx2,popcnt"), always_inline)) inline bool scan_ansi_pair(const char* s, std::size_t i, AnsiLanes& l, AnsiLineRefs lines) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 32));
  const __m256i vz = _mm256_set1_epi8(kCtrlZ);
  const __m256i low = _mm256_min_epu8(_mm256_min_epu8(a, _mm256_xor_si256(a, vz)), _mm256_min_epu8(b, _mm256_xor_si256(b, vz)));
  const int stops = _mm256_movemask_epi8(_mm256_cmpeq_epi8(low, _mm256_setzero_si256()));
  if (_mm256_movemask_epi8(_mm256_or_si256(a, b)) | stops) {
    if (stops) return scan_ansi_any_block<kLines>(a, i, l, lines) && scan_ansi_any_block<kLines>(b, i + 32, l, lines);
    scan_ansi_block<kLines>(a, i, l, lines);
    scan_ansi_block<kLines>(b, i + 32, l, lines);
    return true;
  }
  l.seps = _mm256_sub_epi8(_mm256_sub_epi8(l.seps, separators_avx2(a, l.sep_table)), separators_avx2(b, l.sep_table));
  if (kLines) {
    const __m256i nl = splat_load(kNewline);
    std::uint64_t m = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl))) |
                      std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, nl)))} << 32;
    for (; m; m &= m - 1) lines.batch[lines.count++] = static_cast<std::uint32_t>(lines.shift + i + static_cast<std::size_t>(__builtin_ctzll(m)));
  }
  utf8_plain_block(b, l.utf8);
  return true;
}

__attribute__((target("avx2"))) inline void add_up_lanes(AnsiLanes& l, AnsiScan& r) {
  r.separators += lane_total(l.seps);
  l.seps = _mm256_setzero_si256();
}

// Appends a batch of line starts to `starts`, text[0, done) of `total` bytes being indexed once it is
// in. A full table is not doubled but grown to what the lines so far foretell for the whole text and
// a 32nd more: a big file's table, which the two passes this scan replaced sized exactly, would
// otherwise hold up to twice its lines as long as the document lives (issue 13's memory bound).
void append_line_batch(std::vector<std::uint32_t>& starts, const std::uint32_t* batch, unsigned count, std::size_t done,
                       std::size_t total) {
  const std::size_t have = starts.size() + count;
  if (have > starts.capacity()) starts.reserve(have + have * (total - done) / std::max<std::size_t>(done, 1) + have / 32 + 64);
  starts.insert(starts.end(), batch, batch + count);
}

// count_ansi_1252, is_ascii and is_valid_utf8 in one AVX2 pass over s[0, n), 32 bytes a step (the
// last 0-31 bytes through a copy padded with spaces: ASCII, so a sequence cut short still shows).
// False at a ^Z (rare), where the separate passes are left to do it. With kLines (decoding in
// place) it also sizes the text (r.count's extra; its breaks are not counted) and appends the line
// starts to `starts`, s[0] being at text offset `text_at`; without, it gives only the flags and the
// separators.
template <bool kLines>
__attribute__((target("avx2,popcnt"))) bool scan_ansi_avx2(const char* s, std::size_t n, AnsiScan& r, std::vector<std::uint32_t>* starts,
                                                            std::size_t text_at) {
  const __m256i zero = _mm256_setzero_si256();
  AnsiLanes l{zero, separator_table_avx2(), 0, false, {zero, zero, zero}};
  std::uint32_t batch[128];
  unsigned count = 0;
  std::size_t shift = text_at + 1;
  const AnsiLineRefs lines{batch, count, shift};
  const std::size_t whole = n - n % 32;
  std::size_t i = 0;
  while (i < whole) {
    // The lanes take at most 1 a block: added up every 127 blocks.
    for (const std::size_t end = std::min(whole, i + 127 * 32); i < end;) {
      if (i + 64 <= end) {
        if (!scan_ansi_pair<kLines>(s, i, l, lines)) return false;
        i += 64;
      } else {
        if (!scan_ansi_any_block<kLines>(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)), i, l, lines)) return false;
        i += 32;
      }
      if (kLines && count >= 64) {
        append_line_batch(*starts, batch, count, text_at + i, text_at + n);
        count = 0;
      }
    }
    add_up_lanes(l, r);
  }
  if (i < n) {
    alignas(32) char tail[32];
    std::memset(tail, ' ', sizeof tail);
    std::memcpy(tail, s + i, n - i);
    if (!scan_ansi_any_block<kLines>(_mm256_load_si256(reinterpret_cast<const __m256i*>(tail)), i, l, lines)) return false;
    add_up_lanes(l, r);
  }
  if (kLines) append_line_batch(*starts, batch, count, text_at + n, text_at + n);
  r.count.stop = n;
  r.count.extra = shift - text_at - 1;
  r.count.nul = l.nul;
  r.high = l.high != 0;
  const __m256i errors = _mm256_or_si256(l.utf8.errors, l.utf8.unfinished);
  r.utf8 = _mm256_testz_si256(errors, errors);
  return true;
}

// is_valid_utf8 with AVX2 (UTF-8 with a BOM, code page 65001): the blocks of scan_ansi_avx2's check
// alone, ~6 instructions a plain block and ~25 one with bytes >= 0x80, where the scalar loop takes
// a few a byte through non-Latin text. The last 0-31 bytes go through a copy padded with spaces.
__attribute__((target("avx2"))) bool valid_utf8_avx2(const char* s, std::size_t n) {
  const __m256i zero = _mm256_setzero_si256();
  Utf8State u{zero, zero, zero};
  alignas(32) char tail[32];
  for (std::size_t i = 0; i < n; i += 32) {
    const char* at = s + i;
    if (n - i < 32) {
      std::memset(tail, ' ', sizeof tail);
      std::memcpy(tail, at, n - i);
      at = tail;
    }
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    if (_mm256_movemask_epi8(v)) utf8_block(v, u);
    else utf8_plain_block(v, u);
  }
  const __m256i errors = _mm256_or_si256(u.errors, u.unfinished);
  return _mm256_testz_si256(errors, errors);
}
#endif

// Room the second pass needs past the text it writes (and, decoding in place, between the text
// written and the bytes not yet read): a block is stored whole even when only its ASCII prefix
// is kept, 32 bytes with AVX2.
constexpr std::size_t kAnsiSlack = 32;

// One Windows-1252 byte s[at] into tw (a NUL reads as a space).
inline void put_ansi_byte(const char* s, std::size_t at, TextWriter& tw) {
  const auto ch = static_cast<unsigned char>(s[at]);
  if (ch < 0x80) {
    tw.o[tw.w++] = ch == 0 ? ' ' : static_cast<char>(ch);
    if (ch == '\n') tw.line_break(tw.w, at + 1);
  } else {
    std::memcpy(tw.o + tw.w, kCp1252Utf8.bytes[ch - 0x80], 4);  // the slack covers the padding
    tw.w += kCp1252Utf8.len[ch - 0x80];
  }
}

#if ISODRV_DECODE_AVX2
// write_ansi_1252's block loop with AVX2, 32 bytes a step; returns where the SSE2 loop goes on.
// (A gather of each byte's UTF-8 as a 32-bit word and a table shuffle packing eight of them cut the
// instructions of a block with bytes >= 0x80 to a third, but ran 17 % slower on a 2 MB file of CJK
// text in BOM-less UTF-8: this CPU's vpgatherdd is slow. Bytes >= 0x80 are copied from the table
// one by one.)
template <bool kNuls>
__attribute__((target("avx2"))) std::size_t write_ansi_avx2(const char* s, std::size_t stop, TextWriter& tw) {
  const __m256i vzero = _mm256_setzero_si256(), vspace = _mm256_set1_epi8(' '), vnl = _mm256_set1_epi8('\n');
  // The write position in registers: tw's own would be reloaded after every byte stored.
  char* const o = tw.o;
  std::size_t w = tw.w, i = 0;
  LineBatch lines;
  while (i + 32 <= stop) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
    const auto hi = static_cast<unsigned>(_mm256_movemask_epi8(v));
    const std::size_t run = hi ? static_cast<std::size_t>(__builtin_ctz(hi)) : 32;
    if (kNuls) {
      const __m256i z = _mm256_cmpeq_epi8(v, vzero);
      v = _mm256_or_si256(_mm256_andnot_si256(z, v), _mm256_and_si256(z, vspace));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + w), v);
    const unsigned kept = hi ? (1u << run) - 1 : ~0u;
    for (unsigned m = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vnl))) & kept; m; m &= m - 1) {
      const auto t = static_cast<std::size_t>(__builtin_ctz(m));
      lines.put(w + t + 1, i + t + 1);
    }
    w += run;
    i += run;
    // The bytes >= 0x80 that follow, each its UTF-8 from the table (the slack covers the padding).
    // After a block of ASCII the next block looks for them.
    if (hi) {
      for (unsigned ch; i < stop && (ch = static_cast<unsigned char>(s[i])) >= 0x80; ++i) {
        std::memcpy(o + w, kCp1252Utf8.bytes[ch - 0x80], 4);
        w += kCp1252Utf8.len[ch - 0x80];
      }
    }
    lines.flush_some(tw);
  }
  lines.flush(tw);
  tw.w = w;
  return i;
}
#endif

// The second pass: transcodes s[0, c.stop) through tw and records the lines. `s` may lie inside
// tw's own buffer (decoding in place) as long as it starts at least c.extra + kAnsiSlack bytes
// after the buffer does: the text written before byte i then ends at most c.extra bytes after i,
// and a block's store at it never reaches a byte not yet read.
// The count is exact and tw was sized from it (c.stop + c.extra + kAnsiSlack), so nothing here
// needs tw.ensure(): the in-place decoder depends on that exactness already (a reallocation would
// move the bytes still to be read).
// kNuls: whether the bytes may hold a NUL (c.nul; the in-place decoder never sees one), which the
// block loop must then turn into a space; without any, the block is stored as it was loaded.
template <bool kNuls>
void write_ansi_1252(const char* s, const AnsiCount& c, TextWriter& tw) {
  const std::size_t stop = c.stop;
  tw.ensure(stop + c.extra + kAnsiSlack);
  std::size_t i = 0;
#if ISODRV_DECODE_AVX2
  if (active_tokenizer() == Tokenizer::avx2) i = write_ansi_avx2<kNuls>(s, stop, tw);
#endif
#if defined(__SSE2__)
  const __m128i vzero = _mm_setzero_si128(), vspace = _mm_set1_epi8(' '), vnl = _mm_set1_epi8('\n');
  while (i + 16 <= stop) {
    // Store the block, keep its ASCII prefix (all of it, usually), then transcode the non-ASCII
    // bytes that follow; the next block starts after them.
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const auto hi = static_cast<unsigned>(_mm_movemask_epi8(v));
    const std::size_t run = hi ? static_cast<std::size_t>(__builtin_ctz(hi)) : 16;
    if (kNuls) {
      const __m128i z = _mm_cmpeq_epi8(v, vzero);
      v = _mm_or_si128(_mm_andnot_si128(z, v), _mm_and_si128(z, vspace));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(tw.o + tw.w), v);
    const unsigned kept = (1u << run) - 1;
    for (unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vnl))) & kept; m; m &= m - 1) {
      const auto t = static_cast<std::size_t>(__builtin_ctz(m));
      tw.line_break(tw.w + t + 1, i + t + 1);
    }
    tw.w += run;
    i += run;
    while (i < stop && static_cast<unsigned char>(s[i]) >= 0x80) put_ansi_byte(s, i++, tw);
  }
#endif
  for (; i < stop; ++i) put_ansi_byte(s, i, tw);
}

void start_lines(const AnsiCount& c, DecodedText& out, bool byte_starts) {
  out.line_text_start.reserve(c.breaks + 1);
  out.line_text_start.push_back(0);
  if (byte_starts) {
    out.line_byte_start.reserve(c.breaks + 1);
    out.line_byte_start.push_back(0);
  }
  if (c.nul) out.flags.embedded_nul = true;
}

// Windows-1252 (also used for ASCII input that holds a ^Z or a NUL).
void decode_ansi_1252(std::string_view b, DecodedText& out) {
  const AnsiCount c = count_ansi_1252(b);
  start_lines(c, out, true);
  TextWriter tw(out, c.stop + c.extra + kAnsiSlack);
  if (c.nul) {
    write_ansi_1252<true>(b.data(), c, tw);
  } else {
    write_ansi_1252<false>(b.data(), c, tw);
  }
  tw.finish();
  finish_ctrl_z(out, c.ctrl_z, c.stop, c.stop + 1, b.size());
}

#if ISODRV_DECODE_AVX2
// Copies n bytes (n <= 96) from `from` to `to` by overlapping loads and stores, all loads first:
// exact, and safe when the two overlap. Most of the copies below are short (a stretch of ASCII
// between two runs of bytes >= 0x80, a run's UTF-8), where memmove's call and size dispatch cost
// more than the copy.
__attribute__((target("avx2"), always_inline)) inline void copy_short(char* to, const char* from, std::size_t n) {
  auto load16 = [](const char* q) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q)); };
  auto store16 = [](char* q, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(q), v); };
  if (n >= 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from));
    const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + n / 2 - 16));
    const __m256i z = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + n - 32));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + n / 2 - 16), m);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + n - 32), z);
  } else if (n >= 16) {
    const __m128i a = load16(from), z = load16(from + n - 16);
    store16(to, a);
    store16(to + n - 16, z);
  } else if (n >= 8) {
    std::uint64_t a, z;
    std::memcpy(&a, from, 8);
    std::memcpy(&z, from + n - 8, 8);
    std::memcpy(to, &a, 8);
    std::memcpy(to + n - 8, &z, 8);
  } else if (n >= 4) {
    std::uint32_t a, z;
    std::memcpy(&a, from, 4);
    std::memcpy(&z, from + n - 4, 4);
    std::memcpy(to, &a, 4);
    std::memcpy(to + n - 4, &z, 4);
  } else if (n) {
    const char a = from[0], m = from[n / 2], z = from[n - 1];
    to[0] = a;
    to[n / 2] = m;
    to[n - 1] = z;
  }
}

// Decodes Windows-1252 bytes p[clean, n) into their UTF-8 in the same buffer, which holds n + extra
// bytes (extra: the UTF-8 bytes beyond one of the bytes >= 0x80), from the end backwards: each
// stretch of ASCII after a run of bytes >= 0x80 moves once, by the extra bytes of the runs before
// it, and each run (up to 32 bytes at a time) is written from the table into a local buffer first and
// then to its place (the bytes it is written over are all read by then). Once no byte >= 0x80
// is left, the rest is in place already. The scan recorded the lines, so nothing here looks at the
// ASCII bytes but to find the runs: a file with a few bytes >= 0x80 costs little more than a move.
__attribute__((target("avx2"))) void expand_ansi_backwards_avx2(char* p, std::size_t clean, std::size_t n, std::size_t extra) {
  char run[32 * 3 + 1];  // (a table entry is copied as four bytes)
  std::size_t moved = n;  // p[moved, n) is in its place
  std::size_t at = n;     // the search for the next run looks before this
  while (extra) {
    // The last byte >= 0x80 before `at` (one exists while extra is not 0) and the run it ends, as
    // far as the same 32 bytes show it: bit k of m is p[base + k].
    std::size_t base;
    std::uint32_t m;
    if (at - clean >= 32) {
      base = at - 32;
      m = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + base))));
      if (!m) {
        at = base;
        continue;
      }
    } else {
      base = clean;
      m = 0;
      for (std::size_t k = clean; k < at; ++k) m |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[k]) >> 7) << (k - clean);
    }
    const auto last = static_cast<unsigned>(31 - __builtin_clz(m));
    const std::uint32_t gaps = ~m & ((1u << last) - 1);  // the ASCII bytes below the last
    const std::size_t first = base + (gaps ? static_cast<std::size_t>(32 - __builtin_clz(gaps)) : 0);
    const std::size_t after = base + last + 1;
    if (moved - after > 96) std::memmove(p + after + extra, p + after, moved - after);
    else copy_short(p + after + extra, p + after, moved - after);
    // Two bytes a step (the loop's own test and count cost as much as a byte's copy). The length
    // byte lands where the next character goes, or past the w bytes copied out.
    std::size_t w = 0, k = first;
    auto put = [&](std::uint32_t word) {
      std::memcpy(run + w, &word, 4);
      w += word >> 24;
    };
    for (; k + 2 <= after; k += 2) {
      const std::uint32_t a = kCp1252Words.word[static_cast<unsigned char>(p[k]) - 0x80u];
      const std::uint32_t b = kCp1252Words.word[static_cast<unsigned char>(p[k + 1]) - 0x80u];
      put(a);
      put(b);
    }
    if (k < after) put(kCp1252Words.word[static_cast<unsigned char>(p[k]) - 0x80u]);
    extra -= w - (after - first);
    copy_short(p + first + extra, run, w);
    moved = at = first;
  }
}
#endif

// Windows-1252 without a NUL or a ^Z decodes one byte to one character and back (the undefined
// bytes to their C1 controls), so the bytes can be rebuilt from the text (encode_cp1252_exact)
// and the text may take the bytes' place: with AVX2 it is expanded in place from the end, else the
// input is moved to the end of its own buffer and decoded to the front. Returns false, `bytes`
// untouched, when the input is not such a file.
// bytes[0, clean) is plain ASCII whose lines the probe has recorded (out.line_text_start holds
// exactly their starts): it is its own text, so counting, moving and writing start at `clean`.
// `scanned`: bytes[clean, end)'s count when scan_ansi_avx2 has made it, else null. That scan also
// recorded the rest's lines, so the text is made by expand_ansi_backwards_avx2, without a writer.
bool decode_ansi_1252_in_place(std::string& bytes, std::size_t clean, DecodedText& out, const AnsiCount* scanned) {
  const AnsiCount c = scanned ? *scanned : count_ansi_1252(std::string_view(bytes).substr(clean));
  if (c.nul || c.ctrl_z) return false;
  const std::size_t n = bytes.size();
#if ISODRV_DECODE_AVX2
  if (scanned) {
    grow_unwritten(bytes, n + c.extra);  // reallocates only when the reader left too little spare capacity
    expand_ansi_backwards_avx2(bytes.data(), clean, n, c.extra);
  } else
#endif
  {
    const std::size_t shift = c.extra + kAnsiSlack;
    out.line_text_start.reserve(out.line_text_start.size() + c.breaks);
    grow_unwritten(bytes, n + shift);
    std::memmove(bytes.data() + clean + shift, bytes.data() + clean, n - clean);
    TextWriter tw(out, bytes, n + shift);
    tw.w = clean;
    tw.byte_starts = false;
    write_ansi_1252<false>(bytes.data() + clean + shift, c, tw);  // (returned above when c.nul)
    tw.finish();
  }
  out.borrowed = true;
  out.borrow_offset = 0;
  out.borrow_length = static_cast<std::uint32_t>(bytes.size());
  out.bytes_end = static_cast<std::uint32_t>(n);
  return true;
}

// UTF-8 from `start` (after a BOM, or code page 65001). Valid UTF-8 decodes to itself, so the text
// is the bytes: borrowed when nothing needs replacing, else one copy with NULs made spaces.
void decode_utf8(std::string_view b, std::size_t start, DecodedText& out) {
  const char* s = b.data();
  const void* zp = std::memchr(s + start, kCtrlZ, b.size() - start);
  const std::size_t stop = zp ? static_cast<std::size_t>(static_cast<const char*>(zp) - s) : b.size();
  const std::string_view body = b.substr(start, stop - start);
  if (!is_valid_utf8(body)) {
    decode_utf8_slow(b, start, out);
    return;
  }
  const bool nul = std::memchr(body.data(), 0, body.size()) != nullptr;
  if (!zp && !nul) {
    out.borrowed = true;
    out.borrow_offset = static_cast<std::uint32_t>(start);
    out.borrow_length = static_cast<std::uint32_t>(body.size());
    index_lines_borrowed(body, static_cast<std::uint32_t>(start), out);
    out.bytes_end = static_cast<std::uint32_t>(b.size());
    return;
  }
  out.owned.assign(body.data(), body.size());
  if (nul) {
    out.flags.embedded_nul = true;
    for (char& c : out.owned) {
      if (c == 0) c = ' ';
    }
  }
  index_lines_borrowed(out.owned, static_cast<std::uint32_t>(start), out);
  finish_ctrl_z(out, zp != nullptr, stop, stop + 1, b.size());
}

#if defined(__SSE2__)
// Eight UTF-16LE units that are all ASCII, none of them NUL or ^Z.
inline bool plain_ascii_units(__m128i v) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i high = _mm_and_si128(v, _mm_set1_epi16(static_cast<short>(0xFF80)));
  const __m128i bad = _mm_or_si128(_mm_cmpeq_epi16(v, zero), _mm_cmpeq_epi16(v, _mm_set1_epi16(kCtrlZ)));
  return _mm_movemask_epi8(_mm_cmpeq_epi16(high, zero)) == 0xFFFF && _mm_movemask_epi8(bad) == 0;
}
#endif

// Reading UTF-16LE units from the input bytes (n: the even length that is read).
struct Utf16Units {
  const unsigned char* s;
  std::size_t n;
  char16_t unit(std::size_t i) const { return static_cast<char16_t>(s[i] | (s[i + 1] << 8)); }
  bool low_at(std::size_t i) const { return i < n && unit(i) >= 0xDC00 && unit(i) <= 0xDFFF; }
};

// What the first pass over UTF-16LE text finds: where a ^Z ends it, its UTF-8 size, its line breaks.
struct Utf16Measure {
  std::size_t stop = 0, size = 0, breaks = 0;
};

// UTF-8 size and line breaks of up to eight units from i that are not a plain block; stops at a
// ^Z (returns true, i at it).
inline bool measure_utf16_units(const Utf16Units& u, std::size_t& i, Utf16Measure& m) {
  for (const std::size_t end = std::min(i + 16, u.n); i < end;) {
    const char16_t c = u.unit(i);
    if (c == kCtrlZ) return true;
    i += 2;
    if (c < 0x80) {
      ++m.size;
      m.breaks += c == '\n';
    } else if (c < 0x800) {
      m.size += 2;
    } else if (c >= 0xD800 && c <= 0xDBFF && u.low_at(i)) {
      m.size += 4;
      i += 2;
    } else {
      m.size += 3;
    }
  }
  return false;
}

// Pass 1 of decode_utf16le.
inline Utf16Measure measure_utf16le(const Utf16Units& u, std::size_t start) {
  Utf16Measure m;
  m.stop = u.n;
  std::size_t i = start;
#if defined(__SSE2__)
  const __m128i vnl = _mm_set1_epi16('\n');
  // Line breaks in plain blocks are counted in 16-bit lanes, emptied before they can wrap.
  __m128i lanes = _mm_setzero_si128();
  unsigned lane_blocks = 0;
  auto empty_lanes = [&] {
    alignas(16) std::uint16_t c[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(c), lanes);
    for (std::uint16_t x : c) m.breaks += x;
    lanes = _mm_setzero_si128();
    lane_blocks = 0;
  };
#endif
  while (i < u.n) {
#if defined(__SSE2__)
    if (i + 16 <= u.n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u.s + i));
      if (plain_ascii_units(v)) {
        m.size += 8;
        lanes = _mm_sub_epi16(lanes, _mm_cmpeq_epi16(v, vnl));
        if (++lane_blocks == 65535) empty_lanes();
        i += 16;
        continue;
      }
    }
#endif
    if (measure_utf16_units(u, i, m)) {
      m.stop = i;
      break;
    }
  }
#if defined(__SSE2__)
  empty_lanes();
#endif
  return m;
}

// Writes up to eight units from i that are not a plain block (surrogate pairs joined, unpaired
// ones and NULs replaced as flagged); stops at a ^Z (returns true, i at it).
inline bool write_utf16_units(const Utf16Units& u, std::size_t& i, TextWriter& tw, DecodedText& out) {
  for (const std::size_t end = std::min(i + 16, u.n); i < end;) {
    char32_t c = u.unit(i);
    if (c == kCtrlZ) return true;
    std::size_t next = i + 2;
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (u.low_at(next)) {
        c = 0x10000 + ((c - 0xD800) << 10) + (u.unit(next) - 0xDC00);
        next += 2;
      } else {
        out.flags.unpaired_surrogate = true;
        c = kReplacement;
      }
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      out.flags.unpaired_surrogate = true;
      c = kReplacement;
    } else if (c == 0) {
      out.flags.embedded_nul = true;
      c = ' ';
    }
    tw.put(c);
    if (c == '\n') tw.line_break(tw.w, next);
    i = next;
  }
  return false;
}

// The text is first sized at one byte a unit, exact while every unit is ASCII (most UTF-16 INFs),
// so plain text is narrowed in one pass. The first block that is not plain ASCII has the rest
// measured once and the text sized exactly (within the spare capacity reserved up front when the
// growth is small: capacity never written costs no memory). Until then every unit written took
// one byte, so a plain block always fits.
inline void fit_utf16_rest(const Utf16Units& u, std::size_t i, TextWriter& tw) {
  const std::size_t want = tw.w + measure_utf16le(u, i).size + 16;
  if (want <= tw.target.size()) return;
  if (want > tw.target.capacity()) tw.target.reserve(want);
  grow_unwritten(tw.target, want);
  tw.o = tw.target.data();
}

#if ISODRV_DECODE_AVX2
// decode_utf16le's plain blocks with AVX2, sixteen units a step, from i up to the first block that
// is not plain ASCII (or the last whole one); returns where the SSE2 loop goes on. Every unit so
// far took one byte, so w + 16 fits (fit_utf16_rest keeps that true once it has run).
__attribute__((target("avx2"))) std::size_t narrow_utf16_avx2(const unsigned char* s, std::size_t i, std::size_t n, TextWriter& tw) {
  const __m256i zero = _mm256_setzero_si256(), vnl = _mm256_set1_epi16('\n'), vz = _mm256_set1_epi16(kCtrlZ);
  const __m256i hi_bits = _mm256_set1_epi16(static_cast<short>(0xFF80));
  // The write position in a register, the line starts batched (as in write_ansi_avx2).
  char* const o = tw.o;
  std::size_t w = tw.w;
  LineBatch lines;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
    const __m256i bad = _mm256_or_si256(_mm256_cmpeq_epi16(v, zero), _mm256_cmpeq_epi16(v, vz));
    const __m256i wide = _mm256_andnot_si256(_mm256_cmpeq_epi16(_mm256_and_si256(v, hi_bits), zero), _mm256_set1_epi8(-1));
    if (_mm256_movemask_epi8(_mm256_or_si256(bad, wide))) break;
    // packus works within each 128-bit lane: bytes 0-7 and 16-23 hold the sixteen characters.
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi16(v, v), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o + w), _mm256_castsi256_si128(packed));
    for (auto k = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi16(v, vnl))) & 0x55555555u; k; k &= k - 1) {
      const auto t = static_cast<std::size_t>(__builtin_ctz(k)) >> 1;
      lines.put(w + t + 1, i + 2 * t + 2);
    }
    w += 16;
    lines.flush_some(tw);
  }
  lines.flush(tw);
  tw.w = w;
  return i;
}
#endif

// UTF-16LE from `start`, in one pass when the text is ASCII: blocks of eight ASCII units are
// narrowed at once, their line breaks recorded from a mask.
void decode_utf16le(std::string_view b, std::size_t start, DecodedText& out) {
  std::size_t n = b.size();
  if ((n - start) & 1) {
    out.flags.odd_length_utf16 = true;
    --n;
  }
  const Utf16Units u{reinterpret_cast<const unsigned char*>(b.data()), n};
  const std::size_t units = (n - start) / 2;
  // The arrays grow if the lines are shorter than line_room expects.
  out.line_text_start.reserve(line_room(units));
  out.line_byte_start.reserve(line_room(units));
  out.line_text_start.push_back(0);
  out.line_byte_start.push_back(static_cast<std::uint32_t>(start));
  out.owned.reserve(units + units / 2 + 16);
  TextWriter tw(out, units);
  std::size_t i = start;
  bool stopped = false, measured = false;
#if defined(__SSE2__)
  const __m128i vnl = _mm_set1_epi16('\n');
#endif
#if ISODRV_DECODE_AVX2
  const bool wide = active_tokenizer() == Tokenizer::avx2;
#endif
  while (i < n) {
#if ISODRV_DECODE_AVX2
    if (wide) i = narrow_utf16_avx2(u.s, i, n, tw);
#endif
#if defined(__SSE2__)
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u.s + i));
      if (plain_ascii_units(v)) {
        // w + 8 fits (fit_utf16_rest).
        _mm_storel_epi64(reinterpret_cast<__m128i*>(tw.o + tw.w), _mm_packus_epi16(v, v));
        for (unsigned k = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi16(v, vnl))) & 0x5555u; k; k &= k - 1) {
          const auto t = static_cast<std::size_t>(__builtin_ctz(k)) >> 1;
          tw.line_break(tw.w + t + 1, i + 2 * t + 2);
        }
        tw.w += 8;
        i += 16;
        continue;
      }
    }
#endif
    if (!measured) {
      fit_utf16_rest(u, i, tw);
      measured = true;
    }
    if (write_utf16_units(u, i, tw, out)) {
      stopped = true;
      break;
    }
  }
  tw.finish();
  finish_ctrl_z(out, stopped, i, i + 2, n);
}

Status decode_iconv(std::string_view b, unsigned codepage, DecodedText& out) {
  std::string from = "CP" + std::to_string(codepage);
  iconv_t cd = iconv_open("UTF-32LE", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Error(Errc::unsupported, "code page " + std::to_string(codepage) + " is not available");
  }
  out.owned.reserve(b.size() + 16);
  out.line_text_start.push_back(0);
  out.line_byte_start.push_back(0);
  Sink sink{out};
  // Convert one byte at a time for single-byte pages, two when the first byte is a lead byte,
  // so each character keeps its byte offset.
  std::size_t i = 0;
  while (i < b.size()) {
    char32_t c = kReplacement;
    std::size_t used = 1;
    for (std::size_t len = 1; len <= 4 && i + len <= b.size(); ++len) {
      char in_buf[4];
      std::memcpy(in_buf, b.data() + i, len);
      char* in = in_buf;
      std::size_t in_left = len;
      char out_buf[8];
      char* outp = out_buf;
      std::size_t out_left = sizeof(out_buf);
      iconv(cd, nullptr, nullptr, nullptr, nullptr);
      std::size_t r = iconv(cd, &in, &in_left, &outp, &out_left);
      if (r != static_cast<std::size_t>(-1) && in_left == 0 && out_left <= 4) {
        std::memcpy(&c, out_buf, 4);
        used = len;
        break;
      }
      if (r == static_cast<std::size_t>(-1) && errno == EINVAL) continue;  // incomplete: add a byte
      break;
    }
    sink.at = static_cast<std::uint32_t>(i);
    if (!sink.put(c, static_cast<std::uint32_t>(i + used), b.size())) break;
    i += used;
  }
  if (!sink.stopped) out.bytes_end = static_cast<std::uint32_t>(b.size());
  iconv_close(cd);
  return {};
}

}  // namespace

std::size_t utf16_length(std::string_view s) { return base::utf16_length(s); }

std::string_view DecodedText::view(std::string_view input) const {
  if (borrowed) return input.substr(borrow_offset, borrow_length);
  return owned;
}

namespace {

// Whether the text after the plain prefix (which starts at text offset `clean`) holds a byte >= 0x80
// and is UTF-8: true when one AVX2 pass told that and, with `lines` (decoding in place), also sized
// its text and recorded its lines; false when the separate passes did (no AVX2, or a ^Z).
bool scan_rest(std::string_view rest, bool lines, std::size_t clean, AnsiScan& scan, DecodedText& out) {
#if ISODRV_DECODE_AVX2
  if (active_tokenizer() == Tokenizer::avx2 &&
      (lines ? scan_ansi_avx2<true>(rest.data(), rest.size(), scan, &out.line_text_start, clean)
             : scan_ansi_avx2<false>(rest.data(), rest.size(), scan, nullptr, 0))) {
    return true;
  }
#endif
  scan.high = !is_ascii(rest);
  scan.utf8 = scan.high && is_valid_utf8(rest);
  return false;
}

// decode(), and with `in_place` the input's own string, which Windows-1252 text may replace.
// `separators`, when given and the path counts them, gets the text's ',' and '=' (parse_text's bound).
Result<DecodedText> decode_impl(std::string_view b, const DecodeOptions& opts, std::string* in_place, bool* replaced,
                                std::size_t* separators, std::vector<std::uint32_t> line_starts_room = {}) {
  DecodedText out;
  out.line_text_start = std::move(line_starts_room);  // (empty: its capacity is what it brings)
  auto starts = [&](std::initializer_list<unsigned char> bom) {
    if (b.size() < bom.size()) return false;
    std::size_t i = 0;
    for (unsigned char c : bom) {
      if (static_cast<unsigned char>(b[i++]) != c) return false;
    }
    return true;
  };
  if (starts({0xFF, 0xFE})) {
    out.encoding = Encoding::utf16le_bom;
    decode_utf16le(b, 2, out);
    return out;
  }
  if (starts({0xFE, 0xFF})) {
    out.encoding = Encoding::utf16be_bom;
    decode_utf16(b, 2, true, out);
    return out;
  }
  if (starts({0xEF, 0xBB, 0xBF})) {
    out.encoding = Encoding::utf8_bom;
    decode_utf8(b, 3, out);
    return out;
  }
  if (looks_like_utf16le(b)) {
    out.encoding = Encoding::utf16le;
    decode_utf16le(b, 0, out);
    return out;
  }
  out.encoding = Encoding::ansi;
  // Plain ASCII (no ^Z, no NUL) is borrowed; its lines are indexed in the same pass that checks it.
  std::size_t clean = 0, probe_separators = 0, counted = 0;
  if (probe_plain_ascii(b, out, in_place ? ByteStarts::same_as_text : ByteStarts::record, clean, probe_separators, counted)) {
    if (separators) *separators = probe_separators + count_separators(b.substr(counted), active_tokenizer());
    out.borrowed = true;
    out.borrow_offset = 0;
    out.borrow_length = static_cast<std::uint32_t>(b.size());
    out.bytes_end = static_cast<std::uint32_t>(b.size());
    return out;
  }
  // The probe saw b[0, clean) to be plain ASCII: the scans below start there (a prefix of ASCII
  // ends on a character boundary, so the UTF-8 check of the rest decides for the whole).
  // With AVX2 one pass tells whether the rest is ASCII and UTF-8 and, to decode it in place, sizes
  // its text and records its lines.
  const std::string_view rest = b.substr(clean);
  const bool may_replace = in_place && opts.codepage == 1252;
  AnsiScan scan;
  const bool scanned = scan_rest(rest, may_replace, clean, scan, out);
  const bool ascii = !scan.high;
  out.flags.non_ascii_ansi = !ascii;
  out.flags.utf8_without_bom = !ascii && scan.utf8;
  // (the rest's bytes hold its text's separators: Windows-1252 maps only ASCII to ASCII; counted
  // before decoding in place, which may move the bytes `b` views)
  const bool try_in_place = may_replace && !ascii;
  const std::size_t prefix_separators =
      try_in_place && separators && scanned ? probe_separators + count_separators(b.substr(counted, clean - counted), active_tokenizer()) : 0;
  if (try_in_place && decode_ansi_1252_in_place(*in_place, clean, out, scanned ? &scan.count : nullptr)) {
    *replaced = true;
    if (separators && scanned) *separators = prefix_separators + scan.separators;
    return out;
  }
  out.line_text_start.clear();
  out.line_byte_start.clear();
  if (opts.codepage == 1252 || ascii) {
    decode_ansi_1252(b, out);
  } else if (opts.codepage == 65001) {
    decode_utf8(b, 0, out);
  } else {
    if (auto st = decode_iconv(b, opts.codepage, out); !st) return st.error();
  }
  return out;
}

}  // namespace

Result<DecodedText> decode(std::string_view b, const DecodeOptions& opts) { return decode_impl(b, opts, nullptr, nullptr, nullptr); }

Result<DecodedText> decode_in_place(std::string& bytes, const DecodeOptions& opts, bool& replaced, std::size_t& separators,
                                    std::vector<std::uint32_t> line_starts_room) {
  replaced = false;
  return decode_impl(bytes, opts, &bytes, &replaced, &separators, std::move(line_starts_room));
}

std::string encode_cp1252_exact(std::string_view utf8, std::vector<std::uint32_t>& line_starts) {
  std::string out;
  out.reserve(utf8.size());
  line_starts.push_back(0);
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c0 = static_cast<unsigned char>(utf8[i]);
    if (c0 < 0x80) {
      out.push_back(static_cast<char>(c0));
      if (c0 == '\n') line_starts.push_back(static_cast<std::uint32_t>(out.size()));
      ++i;
      continue;
    }
    char32_t c = kReplacement;
    const std::size_t n = utf8_sequence(utf8, i, c);
    i += n ? n : 1;
    char mapped = '?';
    if (c >= 0xA0 && c < 0x100) {
      mapped = static_cast<char>(c);
    } else {
      for (int k = 0; k < 32; ++k) {
        if (kCp1252High[k] == c) { mapped = static_cast<char>(0x80 + k); break; }
      }
    }
    out.push_back(mapped);
  }
  return out;
}

std::string encode(std::string_view utf8, Encoding enc, unsigned codepage) {
  std::string out;
  std::u32string cps;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t c;
    std::size_t n = utf8_sequence(utf8, i, c);
    if (!n) { c = kReplacement; n = 1; }
    cps.push_back(c);
    i += n;
  }
  switch (enc) {
    case Encoding::utf8_bom:
      return std::string(utf8);
    case Encoding::utf16le_bom:
    case Encoding::utf16le:
    case Encoding::utf16be_bom: {
      const bool be = enc == Encoding::utf16be_bom;
      auto put = [&](char16_t u) {
        char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
        if (be) { out.push_back(hi); out.push_back(lo); }
        else { out.push_back(lo); out.push_back(hi); }
      };
      for (char32_t c : cps) {
        if (c >= 0x10000) {
          c -= 0x10000;
          put(static_cast<char16_t>(0xD800 + (c >> 10)));
          put(static_cast<char16_t>(0xDC00 + (c & 0x3FF)));
        } else {
          put(static_cast<char16_t>(c));
        }
      }
      return out;
    }
    case Encoding::ansi:
      break;
  }
  if (codepage == 65001) return std::string(utf8);
  if (codepage != 1252) {
    std::string to = "CP" + std::to_string(codepage);
    iconv_t cd = iconv_open(to.c_str(), "UTF-8");
    if (cd != reinterpret_cast<iconv_t>(-1)) {
      std::string in(utf8);
      char* inp = in.data();
      std::size_t in_left = in.size();
      std::string buf(in.size() * 4 + 16, '\0');
      char* outp = buf.data();
      std::size_t out_left = buf.size();
      std::size_t r = iconv(cd, &inp, &in_left, &outp, &out_left);
      iconv_close(cd);
      if (r != static_cast<std::size_t>(-1)) {
        buf.resize(buf.size() - out_left);
        return buf;
      }
    }
  }
  for (char32_t c : cps) {
    if (c < 0x80 || (c >= 0xA0 && c < 0x100)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    char mapped = '?';
    for (int k = 0; k < 32; ++k) {
      if (kCp1252High[k] == c) { mapped = static_cast<char>(0x80 + k); break; }
    }
    out.push_back(mapped);
  }
  return out;
}

}  // namespace isodrv::inf
