// backends/cpu/vector_exp.hpp — what the vectorized float loops of vector_math.cpp and
// vector_activation.cpp share: exp for non-positive arguments, written branch-free so that loops
// calling it vectorize, and the attribute that clones a loop for AVX-512F and AVX2.
#pragma once

#include <cstdint>
#include <cstring>

// Not under AddressSanitizer: its instrumentation of the ifunc-dispatched clones misreads their
// arguments (a SEGV at a near-null address in the sanitizer build only).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__)
#define MIRT_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MIRT_CPU_CLONES
#endif

namespace mirt::cpu {

// exp(x) for x <= 0: 2^n * e^r with |r| <= ln2/2 and a degree-7 Taylor polynomial of e^r
// (relative error ~1e-8 before rounding); exactly 0 below -87.3 (where float exp leaves the
// normal range), NaN for NaN.
__attribute__((always_inline)) inline float exp_nonpositive(float x) {
  const bool underflow = x < -87.3f;
  x = underflow ? -87.0f : x;
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (x * 1.44269504088896341f + shifter) - shifter;
  const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187045e-06f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (int32_t(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return underflow ? 0.0f : p * scale;
}

}  // namespace mirt::cpu
