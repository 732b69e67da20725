// backends/cuda/kernels/onnx_attention.hpp — the general path of ONNX Attention (opset 23): every
// attribute and optional input, on any float dtype, with the scores in a workspace.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// One (batch, head) tensor as element strides over (batch, head, position); dims contiguous.
struct bhs_strides {
  int64_t b = 0, h = 0, s = 0;
};

// softmax(softcap(scale * Q K^T) + bias) V per (batch, query head), where the bias combines the
// mask (bool: false -> -inf; keys past mask_keys -> -inf; else its values), the causal frontier
// (key j > i + offset, offset = past or nonpad[b] - sq without a cache) and nonpad's padding
// (j >= nonpad[b]). Query head h reads key/value head h / (hq / hkv). Keys and values are the
// cache (past, [B, Hkv, P, D], NULL when P is 0) followed by the new ones. A query row whose bias is
// -inf everywhere gets Y = 0. Arithmetic in float (double for float64), as the cpu backend.
struct onnx_attention_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // Q, K, V, past, float mask, Y, present, qk: float32, float64, float16, bfloat16
  const void *q = nullptr, *k = nullptr, *v = nullptr;
  const void *past_k = nullptr, *past_v = nullptr;
  const void* mask = nullptr;  // NULL: none
  bool mask_bool = false;
  int64_t mask_keys = 0;
  int64_t mask_strides[4] = {0, 0, 0, 0};  // over (b, h, i, j), 0 where it broadcasts
  const int64_t* nonpad = nullptr;  // (batch) int64, NULL: none
  void* y = nullptr;
  void *present_k = nullptr, *present_v = nullptr;  // [B, Hkv, P + Skv, D], NULL when not wanted
  void* qk = nullptr;  // [B, Hq, Sq, P + Skv] or NULL; mode 0/1: scaled (softcapped) scores, 2: plus bias, 3: probabilities
  int mode = 0;
  void* workspace = nullptr;  // scores_bytes(...) bytes
  int64_t batch = 0, hq = 0, hkv = 0, sq = 0, skv = 0, past = 0, dh = 0, dv = 0;
  bhs_strides qs, ks, vs, ys;
  float scale = 1.f, softcap = 0.f;
  bool causal = false;
  bool double_compute = false;  // scores, softmax and sums in double for every dtype (FlexAttention's softmax_precision 11)
};
status launch_onnx_attention(const onnx_attention_params& p, cudaStream_t stream);

// Workspace bytes of the general path: one score (float, or double for float64 or double_compute)
// per (batch, query head, query, key).
size_t onnx_attention_workspace(bool double_scores, int64_t batch, int64_t hq, int64_t sq, int64_t total_keys);

}  // namespace mirt::cuda
