// backends/cuda/kernels/float_class.hpp — IsNaN and IsInf: which float elements are NaN or
// infinite, as bool (one byte per element).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

struct float_class_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x: float32, float64, float16 or bfloat16
  const void* x = nullptr;
  uint8_t* y = nullptr;
  int64_t n = 0;
  bool nan = false;                     // IsNaN; otherwise IsInf with the two signs below
  bool negative_inf = true, positive_inf = true;
};
status launch_float_class(const float_class_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
