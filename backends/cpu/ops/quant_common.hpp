// backends/cpu/ops/quant_common.hpp — what the quantization kernels share: int8/uint8 dispatch,
// round-half-to-even with saturation, and where a scale/zero point applies to an element of x.
#pragma once

#include <cmath>
#include <limits>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/support/quant_layout.hpp"

namespace mirt::cpu::quant {

// Calls f(type_tag<T>{}) for int8 or uint8.
template <class F>
decltype(auto) dispatch_quantized(mirt_dtype dtype, F&& f) {
  switch (dtype) {
    case MIRT_DTYPE_INT8: return f(type_tag<int8_t>{});
    case MIRT_DTYPE_UINT8: return f(type_tag<uint8_t>{});
    default: fail(MIRT_STATUS_UNSUPPORTED, "quantized dtype ", dtype_name(dtype), " (supported: int8, uint8)");
  }
}

// round(v) to nearest, ties to even (the default FP environment's nearbyint), plus `offset` (a
// zero point, added after rounding as ONNX does), clamped to T's range; NaN gives 0.
template <class T, class F>
T saturate_round(F v, F offset = F(0)) {
  const F r = std::nearbyint(v) + offset;
  if (!(r == r)) return T(0);
  if (r <= F(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (r >= F(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return T(r);
}

// A scale or zero point at index i as float (0 for an absent zero point).
inline float param_at(const tensor& t, int64_t i) {
  if (!t.present()) return 0.0f;
  return dispatch_any(t.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return float(widen(t.as<const T>()[i]));
  });
}

// Every value of a small parameter tensor (scales, zero points) as float; absent gives {0}.
std::vector<float> params_of(const tensor& t);

// Fails unless a per-channel parameter (scalar, one element, or `count` elements) fits.
void check_param_count(const tensor& t, int64_t count, const char* what, const char* per);

}  // namespace mirt::cpu::quant

namespace mirt::cpu::quant {

// c[m x n] = a[m x k] * b[k x n] in int32, on zero-point-shifted int16 operands (|v| <= 255, so
// no product or realistic sum overflows). Row-major; the j loop vectorizes.
void gemm_s16(int64_t m, int64_t n, int64_t k, const int16_t* a, const int16_t* b, int32_t* c);

// Copies a quantized tensor's n values from `src` minus a zero point into int16.
template <class Q>
void shift_into(const Q* src, int64_t n, int32_t zero_point, int16_t* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = int16_t(int32_t(src[i]) - zero_point);
}

// a_scale * b_scale / y_scale computed in the scales' type (float16/bfloat16 round after each
// step, as ONNX's reference computes them), returned as double for the requantizing product.
double scale_ratio(float a, float b, float y, mirt_dtype scale_dtype);

// The scales (float) or zero points (int8/uint8) of a tensor, one per element; absent gives {0}.
std::vector<int32_t> zero_points_of(const tensor& t);

}  // namespace mirt::cpu::quant
