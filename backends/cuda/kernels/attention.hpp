// backends/cuda/kernels/attention.hpp — mirt::FusedAttention: softmax(scale * Q K^T + mask) V per
// (batch, head), the scores never stored in global memory.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// Q [B, Sq, H, Dk], K [B, Skv, H, Dk], V [B, Skv, H, Dv], Y [B, Sq, H, Dv], of one dtype, dense
// except that Q, K and V may have a longer stride between positions (a packed QKV, where the three
// share rows of 3 H D values); all of one (float32, float16 or bfloat16; softmax and sums in float32).
// mask (NULL when absent) is read at b * mask_strides[0] + h * [1] + i * [2] + j * [3] (0 where it
// broadcasts) and added to the scores: as it is when mask_dtype is UNDEFINED (a mask of the
// attention's dtype), else as mask_shift + mask_scale * value of mask_dtype (float32/float16/
// bfloat16/int32/int64/bool).
// Tensor cores (mma.sync) take float16/bfloat16 with Dk == Dv in {32, 64, 128}; the rest runs on a
// warp-per-query kernel (Dk, Dv <= 256).
struct attention_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void *q = nullptr, *k = nullptr, *v = nullptr, *mask = nullptr;
  void* y = nullptr;
  int64_t batch = 0, heads = 0, sq = 0, skv = 0, dk = 0, dv = 0;
  int64_t q_row = 0, k_row = 0, v_row = 0;  // elements between positions; 0: dense (H Dk or H Dv)
  int64_t mask_strides[4] = {0, 0, 0, 0};
  mirt_dtype mask_dtype = MIRT_DTYPE_UNDEFINED;
  float mask_scale = 1.f, mask_shift = 0.f;
  float scale = 1.f;
};
status launch_attention(const attention_params& p, cudaStream_t stream);

// Whether head sizes fit a kernel here (-1, dynamic: checked at run time); the reason otherwise.
bool attention_fits(int64_t dk, int64_t dv, const char** why);

}  // namespace mirt::cuda
