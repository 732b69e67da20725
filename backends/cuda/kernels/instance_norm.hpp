// backends/cuda/kernels/instance_norm.hpp — InstanceNormalization's launcher.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// On x as (n, c, inner): each (n, c) plane normalized by its own mean and (population) variance,
// y = (x - mean) / sqrt(var + eps) * scale[c] + bias[c]. x, y, scale and bias share the dtype
// (float32, float16 or bfloat16); statistics in double, arithmetic in float32.
struct instance_norm_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;  // may equal x
  const void* scale = nullptr;
  const void* bias = nullptr;
  int64_t n = 0, c = 0, inner = 0;
  float epsilon = 1e-5f;
};
status launch_instance_norm(const instance_norm_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
