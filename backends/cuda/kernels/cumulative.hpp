// backends/cuda/kernels/cumulative.hpp — CumSum and CumProd along one axis of [outer, n, inner].
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

struct cumulative_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x and y: float32, float64, float16, bfloat16, int32, int64
  const void* x = nullptr;
  void* y = nullptr;
  int64_t outer = 0, n = 0, inner = 1;
  bool product = false, exclusive = false, reverse = false;
};
status launch_cumulative(const cumulative_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
