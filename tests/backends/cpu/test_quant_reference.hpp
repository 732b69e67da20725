// tests/backends/cpu/test_quant_reference.hpp — reference rounding and int8/uint8 tensors for the
// quantization tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "tests/backends/cpu/harness.hpp"

namespace quant_test {

// Round half to even without the FP environment: the reference the kernels must match.
inline double round_half_even(double v) {
  const double lo = std::floor(v), diff = v - lo;
  if (diff > 0.5) return lo + 1;
  if (diff < 0.5) return lo;
  return std::fmod(lo, 2.0) == 0 ? lo : lo + 1;
}

// round_half_even(v) + zp, saturated to Q's range.
template <class Q>
int64_t requantize(double v, double zp) {
  const double q = round_half_even(v) + zp;
  return int64_t(std::clamp(q, double(std::numeric_limits<Q>::lowest()), double(std::numeric_limits<Q>::max())));
}

template <class Q>
cpu_test::tensor_data q8(cpu_test::shape_t s, const std::vector<Q>& v) {
  return cpu_test::tensor_data::of(std::is_signed_v<Q> ? MIRT_DTYPE_INT8 : MIRT_DTYPE_UINT8, std::move(s), v);
}

template <class Q>
std::vector<int64_t> as_ints(const cpu_test::tensor_data& t) {
  std::vector<int64_t> out;
  for (Q v : t.values<Q>()) out.push_back(v);
  return out;
}

// n reproducible values over Q's whole range.
template <class Q>
std::vector<Q> random_q8(int64_t n, uint32_t seed) {
  std::vector<Q> v(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 1;
  for (Q& x : v) {
    s = s * 1664525u + 1013904223u;
    x = Q(int(s >> 24) + (std::is_signed_v<Q> ? -128 : 0));
  }
  return v;
}

}  // namespace quant_test
