// tests/backends/cuda/nhwc_halves.hpp — what the channels-last and convolution tests share: float16
// bit patterns to and from float, and [N,C,H,W] values moved between NCHW and NHWC order.
#pragma once

#include <cuda_fp16.h>

#include <cstdint>
#include <vector>

#include "tests/backends/cuda/harness.hpp"

namespace cuda_test {

inline uint16_t to_f16(float v) { return static_cast<__half_raw>(__float2half_rn(v)).x; }

inline float from_f16(uint16_t bits) {
  __half_raw raw;
  raw.x = bits;
  return __half2float(__half(raw));
}

inline std::vector<uint16_t> halves(const std::vector<float>& v) {
  std::vector<uint16_t> h;
  h.reserve(v.size());
  for (float e : v) h.push_back(to_f16(e));
  return h;
}

// [N,C,H,W] values in NCHW order to NHWC order, or back (to_nhwc false).
template <class T>
std::vector<T> relayout(const std::vector<T>& v, const shape_t& s, bool to_nhwc) {
  const int64_t n = s[0], c = s[1], hw = s[2] * s[3];
  std::vector<T> out(v.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < hw; ++p) {
        const size_t nchw = size_t((b * c + ch) * hw + p), nhwc = size_t((b * hw + p) * c + ch);
        if (to_nhwc) out[nhwc] = v[nchw];
        else out[nchw] = v[nhwc];
      }
  return out;
}

}  // namespace cuda_test
