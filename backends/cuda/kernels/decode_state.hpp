// backends/cuda/kernels/decode_state.hpp — the decoding-state ops: CausalConvWithState and
// TensorScatter.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// CausalConvWithState: y[b, c, t] = bias[c] + sum_j w[c, 0, j] * padded[t + j] over [past | x]
// (past [B, C, k - 1], zeros when NULL), rounded to the dtype, then SiLU when silu; state [B, C,
// k - 1] (NULL: not wanted) is padded's last k - 1 positions. float32, float64, float16, bfloat16
// (computed in float; float64 in double).
struct causal_conv_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void *x = nullptr, *w = nullptr, *bias = nullptr, *past = nullptr;
  void *y = nullptr, *state = nullptr;
  int64_t batch = 0, channels = 0, length = 0, k = 1;
  bool silu = false;
};
status launch_causal_conv(const causal_conv_params& p, cudaStream_t stream);

// TensorScatter: y (a copy of the cache, or the cache itself) [prefixes, max_len, inner] gets
// update [prefixes, len, inner] at positions where[b] + s (circular: modulo max_len) of its batch
// entry b = prefix / per_batch; where (int32 or int64, NULL: 0). A write outside the cache (linear
// mode, or a negative index) is skipped: the device cannot report it. Elements of 1 to 8 bytes.
struct tensor_scatter_params {
  const void* update = nullptr;
  void* y = nullptr;
  const void* where = nullptr;
  bool where_int64 = true;
  bool circular = false;
  size_t element_size = 4;
  int64_t prefixes = 0, per_batch = 1, max_len = 0, len = 0, inner = 0;
};
status launch_tensor_scatter(const tensor_scatter_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
