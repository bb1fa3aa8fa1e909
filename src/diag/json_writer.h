// Writes JSON text straight into a buffer in nlohmann::json's dump(2) or dump(-1) layout, so
// reports are streamed instead of built as a tree of nodes first. Private to src/diag.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace isodrv::diag::detail {

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
    // Most pieces are a few bytes (keys, punctuation, numbers, indentation): two overlapping
    // fixed-size copies (which compile to plain loads and stores) beat a memcpy call or a loop.
    if (n >= 8 && n <= 16) {
      copy_overlapping<8>(d, p, n);
    } else if (n >= 4 && n < 8) {
      copy_overlapping<4>(d, p, n);
    } else if (n < 4) {
      for (std::size_t i = 0; i < n; ++i) d[i] = p[i];
    } else {
      std::memcpy(d, p, n);
    }
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
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
  // Copies n bytes (W <= n <= 2W): the first W and the last W, which overlap in the middle.
  template <std::size_t W>
  static void copy_overlapping(char* d, const char* p, std::size_t n) {
    char a[W], b[W];
    std::memcpy(a, p, W);
    std::memcpy(b, p + n - W, W);
    std::memcpy(d, a, W);
    std::memcpy(d + n - W, b, W);
  }
  void grow(std::size_t n) {
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
  void key(std::string_view k) {
    element();
    out_ += '"';
    out_ += k;
    out_ += pretty_ ? std::string_view("\": ") : std::string_view("\":");
    after_key_ = true;
  }
  void value(std::string_view v) {
    element();
    string(v);
  }
  void value(std::uint64_t v) {
    element();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);  // the digits std::to_string gives
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
  }
  void value(bool v) {
    element();
    out_ += v ? "true" : "false";
  }

 private:
  // Starts a value: after a key it follows on the same line; in a container it goes on a new line.
  void element() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_.empty()) return;
    if (depth_.back()) out_ += ',';
    depth_.back() = 1;
    if (!pretty_) return;
    out_ += '\n';
    indent();
  }
  // Two spaces per open container, appended from a constant rather than filled byte by byte.
  void indent() {
    static constexpr std::string_view kSpaces = "                                                                ";
    std::size_t n = 2 * depth_.size();
    for (; n > kSpaces.size(); n -= kSpaces.size()) out_.append(kSpaces);
    out_.append(kSpaces.data(), n);
  }
  void open(char c) {
    element();
    out_ += c;
    depth_.push_back(0);
  }
  void close(char c) {
    const bool any = depth_.back() != 0;
    depth_.pop_back();
    if (any && pretty_) {
      out_ += '\n';
      indent();
    }
    out_ += c;
  }

  // Word-at-a-time tests (8 bytes): any byte with the high bit set; any byte that JSON escapes
  // (below 0x20, '"', '\\'). A false positive only sends the word to the byte loop.
  static constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  static constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  static std::uint64_t load8(const void* p) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }
  static bool has_zero_byte(std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; }
  static bool needs_escape(std::uint64_t w) {
    return ((w - kOnes * 0x20) & ~w & kHigh) != 0 || has_zero_byte(w ^ (kOnes * '"')) ||
           has_zero_byte(w ^ (kOnes * '\\'));
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

  // One pass validates UTF-8 and escapes; a malformed string is taken back and written by
  // nlohmann, which replaces the bad bytes with U+FFFD.
  void string(std::string_view s) {
    const std::size_t mark = out_.size();
    out_ += '"';
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = b + s.size();
    const std::size_t n = s.size();
    std::size_t run = 0;  // start of the pending run of bytes that need no escape
    std::size_t i = 0;
    while (i < n) {
      if (n - i >= 8) {
        const std::uint64_t w = load8(b + i);
        if ((w & kHigh) == 0 && !needs_escape(w)) {
          i += 8;
          continue;
        }
      }
      const unsigned char c = b[i];
      if (c >= 0x80) {
        const std::size_t len = utf8_sequence(b + i, end);
        if (len == 0) {
          out_.truncate(mark);
          out_ += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          return;
        }
        i += len;
        continue;
      }
      if (c >= 0x20 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      out_.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out_.append(esc, sizeof esc);
        }
      }
      ++i;
    }
    out_.append(s.data() + run, s.size() - run);
    out_ += '"';
  }

  Sink out_;
  bool pretty_ = true;
  std::vector<unsigned char> depth_;  // per open container: whether it has an element yet (bytes, not bits)
  bool after_key_ = false;
};


}  // namespace isodrv::diag::detail
