// Counting bytes with SIMD in byte lanes: a loop subtracts each block's compare mask (-1 per hit)
// from a vector of byte counters and, before any lane can pass 255, adds the lanes up. The adding
// up is the same for every such loop (line breaks in decode, separators in stage 1's pre-pass).
#pragma once

#include <cstddef>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <immintrin.h>

namespace isodrv::inf {

// The sum of the 16 byte counters in `lanes`.
inline std::size_t lane_total(__m128i lanes) {
  const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
  return static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) + static_cast<std::size_t>(_mm_cvtsi128_si32(_mm_srli_si128(sums, 8)));
}

// The sum of the 32 byte counters in `lanes` (for the AVX2 loops, which are compiled for AVX2).
__attribute__((target("avx2"))) inline std::size_t lane_total(__m256i lanes) {
  const __m256i sums = _mm256_sad_epu8(lanes, _mm256_setzero_si256());
  return static_cast<std::size_t>(_mm256_extract_epi64(sums, 0)) + static_cast<std::size_t>(_mm256_extract_epi64(sums, 1)) +
         static_cast<std::size_t>(_mm256_extract_epi64(sums, 2)) + static_cast<std::size_t>(_mm256_extract_epi64(sums, 3));
}

}  // namespace isodrv::inf
#endif
