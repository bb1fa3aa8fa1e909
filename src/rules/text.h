// The ASCII case-insensitive name comparison the rule families use, inline: most comparisons are
// between names of different lengths, which this answers without a call (inf::iequals is out of line).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace isodrv::rules {

// The same answer as inf::iequals (ASCII letters fold, every other byte compares as is).
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// ASCII case-insensitive ordering: the order of the lower-cased names, without folding copies.
inline bool ci_less(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

// A 64-bit hash of the ASCII-folded bytes (names equal under iequals hash equal), eight bytes per
// step instead of one: the letters A-Z of a word are found and folded together (SWAR), the last
// partial word is read as short_word reads it and the length mixed in. For a quick "no two equal"
// test before an exact comparison (the [Strings] repeat check): a collision only costs the exact sort.
inline std::uint64_t fold_word(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const std::uint64_t low7 = w & ~kHigh;
  // Per byte: the high bit of (b + 0x80 - 'A') is set when b >= 'A', of (b + 0x80 - 'Z' - 1) when
  // b > 'Z' (no carry crosses bytes: low7 + 0x3F or 0x25 stays below 0x100); bytes >= 0x80 stay as they are.
  const std::uint64_t ge_a = low7 + kOnes * (0x80 - 'A');
  const std::uint64_t gt_z = low7 + kOnes * (0x80 - 'Z' - 1);
  const std::uint64_t upper = ge_a & ~gt_z & ~w & kHigh;
  return w | (upper >> 2);  // 0x80 >> 2 = 0x20: 'A' -> 'a'
}

// The last n < 8 bytes of a name as one word, from fixed-size loads (a copy of n bytes is a call):
// two overlapping 4-byte loads, or bytes 0, n/2 and n-1 of a shorter name. Equal folded bytes give
// an equal word, which is all the hash needs.
inline std::uint64_t short_word(const char* p, std::size_t n) {
  if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    return a | std::uint64_t{b} << 32;
  }
  const auto byte = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
}

inline std::uint64_t ci_hash(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  const std::size_t n = s.size();
  std::uint64_t h = n * kMul;
  auto mix = [&](std::uint64_t w) {
    h = (h ^ fold_word(w)) * kMul;
    h ^= h >> 29;
  };
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    mix(w);
  }
  if (i < n) {
    // The tail: the last 8 bytes of a longer name (overlapping the word before), else short_word.
    std::uint64_t w;
    if (n >= 8) std::memcpy(&w, s.data() + n - 8, 8);
    else w = short_word(s.data(), n);
    mix(w);
  }
  return h;
}

}  // namespace isodrv::rules
