// backends/cuda/kernels/int_matmul.hpp — MatMulInteger (int32 out) and QLinearMatMul (requantized
// int8/uint8 out).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// y[batch][m x n] = sum over k of (A - a_zp) (B - b_zp) in int32 (exact), A and B int8 or uint8,
// batches by numpy broadcasting (batches: out batch dims with A's and B's offsets in elements).
// Zero points (NULL: 0) are int8 or uint8, one per tensor or per row of A / column of B. With
// y_scale (QLinearMatMul): y = saturate(round_half_even(acc * (a_scale * b_scale / y_scale)) +
// y_zero_point), the ratio rounded to the scales' dtype after each step as ONNX's reference does;
// scales float32, float16 or bfloat16, per tensor or per row / column like the zero points.
// One thread per output value: a plain loop, not a tuned GEMM.
struct int_matmul_params {
  mirt_dtype a_dtype = MIRT_DTYPE_INT8, b_dtype = MIRT_DTYPE_INT8, y_dtype = MIRT_DTYPE_INT32;
  const void *a = nullptr, *b = nullptr;
  void* y = nullptr;
  int64_t m = 1, n = 1, k = 1, batches = 1;
  strided_map<2> batch_map;  // over the output's batch dims: element offsets of A (0) and B (1)
  const void *a_zero = nullptr, *b_zero = nullptr;
  mirt_dtype a_zero_dtype = MIRT_DTYPE_INT8, b_zero_dtype = MIRT_DTYPE_INT8;
  bool a_zero_per_row = false, b_zero_per_col = false;
  // QLinearMatMul only (y_scale NULL for MatMulInteger).
  mirt_dtype scale_dtype = MIRT_DTYPE_FLOAT32, b_scale_dtype = MIRT_DTYPE_FLOAT32, y_scale_dtype = MIRT_DTYPE_FLOAT32;  // a's: the rounding type
  const void *a_scale = nullptr, *b_scale = nullptr, *y_scale = nullptr, *y_zero = nullptr;
  mirt_dtype y_zero_dtype = MIRT_DTYPE_INT8;
  bool a_scale_per_row = false, b_scale_per_col = false;
};
status launch_int_matmul(const int_matmul_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
