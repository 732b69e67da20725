// backends/cuda/kernels/pointwise.hpp — mirt::FusedElementwise's launcher.
#pragma once

#include "backends/cuda/kernels/launch.hpp"
#include "backends/support/pointwise_program.hpp"

namespace mirt::cuda {

// y[i] = program(x[i]) for i < n, computed in float32.
struct pointwise_params {
  support::pointwise_program program;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x (and y unless out_dtype says): float32, float16 or bfloat16
  // y's type: dtype, or float32 from float16/bfloat16 (a Cast the builder folded into the program).
  mirt_dtype out_dtype = MIRT_DTYPE_UNDEFINED;  // UNDEFINED: dtype
  const void* x = nullptr;
  void* y = nullptr;  // may equal x (same dtype only)
  int64_t n = 0;
};
status launch_pointwise(const pointwise_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
