// backends/cuda/kernels/det.hpp — Det: the determinant of each trailing [n, n] matrix.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x [mats, n, n] -> y [mats], by LU decomposition with partial pivoting in double (the cpu
// backend's algorithm and order), one thread per matrix working in `work` (mats * n * n doubles).
// float32, float64, float16, bfloat16.
struct det_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;
  double* work = nullptr;
  int64_t mats = 0, n = 0;
};
status launch_det(const det_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
