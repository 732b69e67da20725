// backends/cuda/kernels/requantize.cuh — device helpers the integer GEMM and convolution share:
// reading int8/uint8 zero points and float scales, and ONNX's requantization
// y = saturate(round_half_even(acc * (a_scale * b_scale / y_scale)) + y_zero_point), the ratio
// rounded to the scales' dtype after each step as ONNX's reference computes it
// (backends/cpu/ops/quant_common.hpp).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <limits>

#include "mirt/base.h"

namespace mirt::cuda {

__device__ inline int32_t int_at(const void* p, mirt_dtype dtype, int64_t i) {
  return dtype == MIRT_DTYPE_UINT8 ? int32_t(static_cast<const uint8_t*>(p)[i]) : int32_t(static_cast<const int8_t*>(p)[i]);
}

__device__ inline float scale_at(const void* p, mirt_dtype dtype, int64_t i) {
  if (dtype == MIRT_DTYPE_FLOAT16) return __half2float(static_cast<const __half*>(p)[i]);
  if (dtype == MIRT_DTYPE_BFLOAT16) return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
  return static_cast<const float*>(p)[i];
}

// v rounded to the scales' dtype and back.
__device__ inline float in_scale_type(float v, mirt_dtype dtype) {
  if (dtype == MIRT_DTYPE_FLOAT16) return __half2float(__float2half_rn(v));
  if (dtype == MIRT_DTYPE_BFLOAT16) return __bfloat162float(__float2bfloat16_rn(v));
  return v;
}

// a * b / y in the scales' dtype (that of a), as double.
__device__ inline double scale_ratio(float a, float b, float y, mirt_dtype dtype) {
  return double(in_scale_type(__fdiv_rn(in_scale_type(__fmul_rn(a, b), dtype), y), dtype));
}

template <class Q>
__device__ inline Q saturate_round(double v, double offset) {
  const double r = __dadd_rn(rint(v), offset);
  if (!(r == r)) return Q(0);
  if (r <= double(std::numeric_limits<Q>::lowest())) return std::numeric_limits<Q>::lowest();
  if (r >= double(std::numeric_limits<Q>::max())) return std::numeric_limits<Q>::max();
  return Q(r);
}

}  // namespace mirt::cuda
