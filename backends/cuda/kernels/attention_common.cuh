// backends/cuda/kernels/attention_common.cuh — what the attention kernels share (attention.cu on
// mma.sync, attention_hopper.cu on wgmma): a head's offsets in the [B, S, H, D] layouts, the mask's
// value at an element, base-2 exponentials and float pairs packed as two halves.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "backends/cuda/kernels/attention.hpp"

namespace mirt::cuda {
namespace {

// Dims of one (batch, head) in the [B, S, H, D] layouts, element offsets.
struct head_view {
  int64_t q, k, v, y;  // offset of row 0 of this head
  int64_t q_row, k_row, v_row, y_row;  // stride between consecutive positions
};

__device__ inline head_view view_of(const attention_params& p, int64_t b, int64_t h) {
  head_view hv;
  hv.q_row = p.q_row ? p.q_row : p.heads * p.dk, hv.k_row = p.k_row ? p.k_row : p.heads * p.dk;
  hv.v_row = p.v_row ? p.v_row : p.heads * p.dv, hv.y_row = p.heads * p.dv;
  hv.q = b * p.sq * hv.q_row + h * p.dk;
  hv.k = b * p.skv * hv.k_row + h * p.dk;
  hv.v = b * p.skv * hv.v_row + h * p.dv;
  hv.y = b * p.sq * hv.y_row + h * p.dv;
  return hv;
}

// The additive mask at element `at` of p.mask: as it is when mask_dtype is UNDEFINED (T's), else
// mask_shift + mask_scale * value of an int64 or int32 padding mask (launch_attention refuses other
// dtypes). The tensor-core kernel calls it once a key tile, outside its unrolled loops; per-query
// masks there must be T's.
template <class T>
__device__ inline float mask_value(const attention_params& p, int64_t at) {
  if (p.mask_dtype == MIRT_DTYPE_UNDEFINED) return float(static_cast<const T*>(p.mask)[at]);
  const float v = p.mask_dtype == MIRT_DTYPE_INT64 ? float(static_cast<const int64_t*>(p.mask)[at])
                                                   : float(static_cast<const int32_t*>(p.mask)[at]);
  return fmaf(p.mask_scale, v, p.mask_shift);
}

constexpr float k_log2e = 1.4426950408889634f;

// 2^x (MUFU.EX2); 2^-inf = 0.
__device__ inline float exp2_approx(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

// Two floats as one register of two halves, lo in the low 16 bits (the lower column).
template <class T>
__device__ inline uint32_t pack_pair(float lo, float hi) {
  uint32_t u;
  if constexpr (std::is_same_v<T, __half>) {
    const __half2 h = __floats2half2_rn(lo, hi);
    memcpy(&u, &h, 4);
  } else {
    const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    memcpy(&u, &h, 4);
  }
  return u;
}

}  // namespace
}  // namespace mirt::cuda
