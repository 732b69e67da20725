// backends/cuda/kernels/group_norm.hpp — GroupNormalization's (InstanceNormalization's too: a group
// per channel) and RMSNormalization's launchers.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// On x as (n, c, inner) with c = groups * (c / groups): each (n, group) block of (c / groups) *
// inner values normalized by its own mean and population variance, then
// y = v * scale[k] + bias[k] with k the channel (per_channel, opset 21) or the group (opset 18).
// x, y, scale and bias share the dtype (float32, float16 or bfloat16); statistics in double.
struct group_norm_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;  // may equal x
  const void* scale = nullptr;
  const void* bias = nullptr;
  int64_t n = 0, c = 0, inner = 0, groups = 1;
  bool per_channel = true;
  float epsilon = 1e-5f;
};
status launch_group_norm(const group_norm_params& p, cudaStream_t stream);

// Each of `rows` rows of `cols` values: y = x / sqrt(mean(x^2) + eps) * scale[i % scale_n]
// (scale broadcast from the right onto the row). x, y, scale share the dtype; the mean in double.
struct rms_norm_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;  // may equal x
  const void* scale = nullptr;
  int64_t rows = 0, cols = 0, scale_n = 1;
  float epsilon = 1e-5f;
};
status launch_rms_norm(const rms_norm_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
