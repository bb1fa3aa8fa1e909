// Writes JSON text straight into a buffer in nlohmann::json's dump(2) or dump(-1) layout, so
// reports are streamed instead of built as a tree of nodes first. Private to src/diag.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace isodrv::diag::detail {

// Copies n bytes (W <= n <= 2W): the first W and the last W, which overlap in the middle.
template <std::size_t W>
inline void copy_overlapping(char* d, const char* p, std::size_t n) {
  char a[W], b[W];
  std::memcpy(a, p, W);
  std::memcpy(b, p + n - W, W);
  std::memcpy(d, a, W);
  std::memcpy(d + n - W, b, W);
}

// Copies n < 32 bytes without a call: most pieces of JSON are a few bytes (keys, punctuation,
// numbers, indentation), and two overlapping fixed-size copies compile to plain loads and stores.
inline void copy_short(void* dst, const void* src, std::size_t n) {
  auto* d = static_cast<char*>(dst);
  const auto* p = static_cast<const char*>(src);
  if (n >= 16) {
    copy_overlapping<16>(d, p, n);
  } else if (n >= 8) {
    copy_overlapping<8>(d, p, n);
  } else if (n >= 4) {
    copy_overlapping<4>(d, p, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) d[i] = p[i];
  }
}

// JSON for --format json, written straight into the output: a report for thousands of files
// would otherwise be built as a tree of nlohmann::json nodes first, which costs more than checking.
// The bytes are exactly what nlohmann::json::dump(2) gives (keys in sorted order, the same
// escapes); strings that are not valid UTF-8 go through nlohmann for its U+FFFD replacement.
// A plain growable buffer: std::string's append checks cost more than the bytes for the many
// short pieces JSON is made of. The text is copied into the result string once at the end.
class Sink {
 public:
  void reserve(std::size_t n) {
    if (n > cap_) grow(n - size_);
  }
  void append(const char* p, std::size_t n) {
    if (n > cap_ - size_) grow(n);
    char* d = buf_.get() + size_;
    if (n < 32) {
      copy_short(d, p, n);
    } else {
      std::memcpy(d, p, n);
    }
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  // Room for n more bytes at the end: the caller writes up to n bytes there and then says how many
  // with commit(). One capacity test for a piece made of several parts.
  // Inlined: a report claims room ~120 times a file, and the call cost more than the test.
  [[gnu::always_inline]] char* claim(std::size_t n) {
    if (n > cap_ - size_) [[unlikely]] grow(n);
    return buf_.get() + size_;
  }
  void commit(std::size_t n) { size_ += n; }
  Sink& operator+=(std::string_view s) {
    append(s);
    return *this;
  }
  Sink& operator+=(char c) {
    if (size_ == cap_) grow(1);
    buf_[size_++] = c;
    return *this;
  }
  std::string_view text() const { return {buf_.get(), size_}; }
  std::size_t size() const { return size_; }
  void clear() { size_ = 0; }
  void truncate(std::size_t n) { size_ = std::min(size_, n); }

 private:
  [[gnu::noinline]] void grow(std::size_t n) {
    std::size_t cap = std::max({cap_ * 2, size_ + n, std::size_t{4096}});
    std::unique_ptr<char[]> b(new char[cap]);
    if (size_) std::memcpy(b.get(), buf_.get(), size_);
    buf_ = std::move(b);
    cap_ = cap;
  }
  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0, cap_ = 0;
};

class JsonWriter {
 public:
  // pretty: nlohmann's dump(2) layout; one_line: dump(-1)'s (JSON Lines).
  enum class Layout { pretty, one_line };
  explicit JsonWriter(std::size_t reserve, Layout layout = Layout::pretty) : pretty_(layout == Layout::pretty) {
    out_.reserve(reserve);
  }
  std::string_view text() const { return out_.text(); }
  std::size_t size() const { return out_.size(); }
  // Hands the text written so far to the caller and forgets it; the nesting state is kept, so
  // a document can be written in pieces of bounded size.
  void clear() { out_.clear(); }
  // Bytes written as they are, in the place of a value (the caller vouches for them).
  void raw(std::string_view v) {
    element();
    out_ += v;
  }
  // Bytes outside any value (a newline between JSON Lines records).
  void raw_text(std::string_view v) { out_ += v; }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // Keys are the fixed names of DESIGN.md §4 and code numbers: plain ASCII, nothing to escape.
  // In the pretty layout the line break before the key and the key itself are one piece after one
  // capacity test: every key of a report is written this way, so it is the writer's busiest call.
  [[gnu::always_inline]] void key(std::string_view k) {
    std::size_t at = 0;  // where the key starts in the claimed room
    char* d;
    if (pretty_ && !after_key_ && !depth_.empty() && 2 * depth_.size() + 2 <= kBreakRoom) {
      const std::size_t skip = depth_.back() != 0 ? 0 : 1;
      depth_.back() = 1;
      d = out_.claim(kBreakRoom + k.size() + 4);
      std::memcpy(d, kBreak.data() + skip, kBreakRoom);
      at = 2 - skip + 2 * depth_.size();
    } else {
      element();
      d = out_.claim(k.size() + 4);
    }
    // '"', the key, '"', ':' and in the pretty layout ' '.
    d += at;
    d[0] = '"';
    if (k.size() < 32) copy_short(d + 1, k.data(), k.size());
    else std::memcpy(d + 1, k.data(), k.size());
    std::memcpy(d + 1 + k.size(), "\": ", 3);
    out_.commit(at + k.size() + (pretty_ ? 4 : 3));
    after_key_ = true;
  }
  // Where a key stands in its object: the first has no comma before it.
  enum class KeyPlace { first, later };
  // The bytes key(k) writes at the current depth, as one piece: for a caller that writes the same
  // keys many times at one depth (a report's findings) and then writes each with put_key().
  std::string key_piece(std::string_view k, KeyPlace place) const {
    std::string p;
    if (pretty_) {
      p += place == KeyPlace::first ? "\n" : ",\n";
      p.append(2 * depth_.size(), ' ');
    } else if (place == KeyPlace::later) {
      p += ',';
    }
    p += '"';
    p += k;
    p += pretty_ ? "\": " : "\":";
    return p;
  }
  // Writes a key as key() would, from its piece made by key_piece() at this depth and place.
  // The piece is copied here rather than by Sink::append, which GCC leaves out of line: a report
  // writes ~80 keys a file this way, and the call cost as much as the copy.
  [[gnu::always_inline]] void put_key(std::string_view piece) {
    depth_.back() = 1;
    const std::size_t n = piece.size();
    char* d = out_.claim(n);
    if (n < 32) copy_short(d, piece.data(), n);
    else std::memcpy(d, piece.data(), n);
    out_.commit(n);
    after_key_ = true;
  }
  // Open containers, the depth key_piece() writes for.
  std::size_t depth() const { return depth_.size(); }
  [[gnu::always_inline]] void value(std::string_view v) {
    element();
    string(v);
  }
  [[gnu::always_inline]] void value(std::uint64_t v) {
    element();
    constexpr std::size_t kDigits = 20;  // of the largest 64-bit number
    char* d = out_.claim(kDigits);
    out_.commit(v < 10000 ? small_digits(d, static_cast<unsigned>(v))
                          : static_cast<std::size_t>(std::to_chars(d, d + kDigits, v).ptr - d));
  }
  void value(bool v) {
    element();
    out_ += v ? "true" : "false";
  }

 private:
  // Starts a value: after a key it follows on the same line; in a container it goes on a new line.
  // The comma, the newline and the indentation are one copy from a constant.
  void element() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_.empty()) return;
    const bool comma = depth_.back() != 0;
    depth_.back() = 1;
    if (!pretty_) {
      if (comma) out_ += ',';
      return;
    }
    line_break(comma);
  }
  // ",\n" (or "\n") and two spaces per open container. Up to kBreakRoom bytes are copied whole
  // from the constant (a fixed-size copy is a few plain stores) and only the ones due are kept.
  static constexpr std::size_t kBreakRoom = 64;
  static constexpr std::string_view kBreak =
      ",\n                                                                "
      "                                                                ";
  void line_break(bool comma) {
    const std::size_t width = 2 * depth_.size();
    const std::size_t skip = comma ? 0 : 1;
    if (width + 2 <= kBreakRoom) {
      char* d = out_.claim(kBreakRoom);
      std::memcpy(d, kBreak.data() + skip, kBreakRoom);
      out_.commit(2 - skip + width);
      return;
    }
    out_.append(kBreak.data() + skip, 2 - skip);  // deeper than that: in pieces
    for (std::size_t n = width; n > 0;) {
      const std::size_t k = std::min(n, kBreak.size() - 2);
      out_.append(kBreak.data() + 2, k);
      n -= k;
    }
  }
  void open(char c) {
    element();
    out_ += c;
    depth_.push_back(0);
  }
  void close(char c) {
    const bool any = depth_.back() != 0;
    depth_.pop_back();
    if (any && pretty_) line_break(false);
    out_ += c;
  }

  // Bit j set when byte j of the 16 at p needs a look: below 0x20 or '"' or '\\' (escaped), or
  // 0x80 and above (part of a multi-byte UTF-8 sequence, validated). Strings are scanned 16 bytes
  // at a time and copied in runs between these bytes.
  static unsigned attention16(const unsigned char* p) {
#if defined(__SSE2__)
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));  // signed: every byte >= 0x80 too
    const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(quote, backslash))));
#else
    unsigned m = 0;
    for (unsigned j = 0; j < 16; ++j) {
      if (p[j] < 0x20 || p[j] >= 0x80 || p[j] == '"' || p[j] == '\\') m |= 1u << j;
    }
    return m;
#endif
  }
  // The attention bits of the bytes from i on (bit 0: byte i), as many of them as fit in 16. A
  // tail of a long string is read as the last 16 bytes, shifted; a short string from a padded copy.
  static unsigned attention(const unsigned char* b, std::size_t i, std::size_t n) {
    if (n - i >= 16) return attention16(b + i);
    if (n >= 16) return attention16(b + n - 16) >> (16 - (n - i));
    unsigned char pad[16];
    std::memset(pad, ' ', sizeof pad);  // a space needs nothing
    copy_short(pad, b + i, n - i);
    return attention16(pad);
  }

  // The decimal digits of v < 10,000 (what std::to_chars writes) at d; their count. Line, column
  // and code numbers are such: written by hand they skip to_chars' call and its digit-count loop.
  [[gnu::always_inline]] static std::size_t small_digits(char* d, unsigned v) {
    auto digit = [](unsigned x) { return static_cast<char>('0' + x); };
    if (v < 10) {
      d[0] = digit(v);
      return 1;
    }
    if (v < 100) {
      d[0] = digit(v / 10);
      d[1] = digit(v % 10);
      return 2;
    }
    if (v < 1000) {
      d[0] = digit(v / 100);
      d[1] = digit(v / 10 % 10);
      d[2] = digit(v % 10);
      return 3;
    }
    d[0] = digit(v / 1000);
    d[1] = digit(v / 100 % 10);
    d[2] = digit(v / 10 % 10);
    d[3] = digit(v % 10);
    return 4;
  }

  // Length of the well-formed UTF-8 sequence starting at p (lead byte >= 0x80), 0 when malformed.
  static std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
    auto cont = [&](const unsigned char* q, unsigned char lo, unsigned char hi) { return q < end && *q >= lo && *q <= hi; };
    const unsigned char c = *p;
    if (c >= 0xC2 && c <= 0xDF) return cont(p + 1, 0x80, 0xBF) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      return cont(p + 1, lo, hi) && cont(p + 2, 0x80, 0xBF) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      return cont(p + 1, lo, hi) && cont(p + 2, 0x80, 0xBF) && cont(p + 3, 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
  }

  // Index of the first byte of s that needs a look (see attention16), or s.size() when none does.
  // Inlined into string(): called for every string of a report, ~40 times a file.
  [[gnu::always_inline]] static std::size_t first_attention(const unsigned char* b, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 16) {
      if (const unsigned m = attention(b, i, n)) return i + static_cast<std::size_t>(std::countr_zero(m));
    }
    return n;
  }

  // Most strings (paths, messages, section names) need no escape and are ASCII: found so by one
  // scan, they are written quoted in one piece after one capacity test. The others are written
  // from their first special byte on by string_from.
  [[gnu::always_inline]] void string(std::string_view s) {
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    const std::size_t first = first_attention(b, n);
    if (first < n) {
      string_from(s, first);
      return;
    }
    char* d = out_.claim(n + 2);
    d[0] = '"';
    if (n < 32) copy_short(d + 1, s.data(), n);
    else std::memcpy(d + 1, s.data(), n);
    d[n + 1] = '"';
    out_.commit(n + 2);
  }

  // Input bytes escaped per claim in string_from: room for a block is claimed once, for the
  // longest result (every byte escaped as \u00XX), so the output never grows more than 6 × this
  // ahead of the text, whatever the string's length.
  static constexpr std::size_t kEscapeBlock = 4096;
  static constexpr std::size_t kBlockSlack = 32;  // a 16-byte step or a UTF-8 sequence past the block

  // One pass validates UTF-8 and escapes, from byte `from` on (the bytes before it need nothing),
  // block by block into room claimed once per block; a malformed string is taken back and written
  // by nlohmann, which replaces the bad bytes with U+FFFD.
  [[gnu::noinline]] void string_from(std::string_view s, std::size_t from) {
    const std::size_t mark = out_.size();
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    out_ += '"';
    out_.append(s.data(), from);
    for (std::size_t i = from; i < n;) {
      const std::size_t end = std::min(n, i + kEscapeBlock);
      char* const start = out_.claim(6 * (end - i) + kBlockSlack);
      char* d = start;
      std::size_t run = i;  // start of the pending run of bytes that need no escape
      while (i < end) {
        const unsigned m = attention(b, i, n);
        if (m == 0) {
          i += 16;
          continue;
        }
        i += static_cast<std::size_t>(std::countr_zero(m));
        if (i >= end) break;  // the next block's
        const unsigned char c = b[i];
        if (c >= 0x80) {
          const std::size_t len = utf8_sequence(b + i, b + n);
          if (len == 0) {
            out_.truncate(mark);
            out_ += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            return;
          }
          i += len;
          continue;
        }
        d = put(d, s.data() + run, i - run);
        d = escape(d, c);
        run = ++i;
      }
      i = std::min(i, n);
      d = put(d, s.data() + run, i - run);
      out_.commit(static_cast<std::size_t>(d - start));
    }
    out_ += '"';
  }
  static char* put(char* d, const char* p, std::size_t n) {
    if (n < 32) copy_short(d, p, n);
    else std::memcpy(d, p, n);
    return d + n;
  }
  // The escape of one byte below 0x20, '"' or '\\', as nlohmann writes it, at d; returns its end.
  static char* escape(char* d, unsigned char c) {
    char e = 0;
    switch (c) {
      case '"': e = '"'; break;
      case '\\': e = '\\'; break;
      case '\b': e = 'b'; break;
      case '\f': e = 'f'; break;
      case '\n': e = 'n'; break;
      case '\r': e = 'r'; break;
      case '\t': e = 't'; break;
      default: break;
    }
    d[0] = '\\';
    if (e) {
      d[1] = e;
      return d + 2;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    const char esc[] = {'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
    std::memcpy(d + 1, esc, sizeof esc);
    return d + 6;
  }

  Sink out_;
  bool pretty_ = true;
  std::vector<unsigned char> depth_;  // per open container: whether it has an element yet (bytes, not bits)
  bool after_key_ = false;
};


}  // namespace isodrv::diag::detail
