// backends/cuda/kernels/elementwise.hpp — parameters and launchers of the unary, binary and
// select (Where) kernels.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class unary_op {
  relu, sigmoid, tanh, erf, gelu, gelu_tanh, exp, log, sqrt, neg, abs, reciprocal, leaky_relu, clip,
  hard_sigmoid, hard_swish, identity, floor, ceil, sin, cos, softplus, elu, sign,
  acos, acosh, asin, asinh, atan, atanh, cosh, sinh, tan, round, mish, selu, celu, softsign, thresholded_relu,
  shrink, swish,  // Shrink: alpha lambd, beta bias; Swish: alpha
  logical_not,  // bool only
  divide        // y = x / alpha (Mean's last step), every numeric dtype
};

struct unary_params {
  unary_op op = unary_op::identity;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x and y
  const void* x = nullptr;                // (n)
  void* y = nullptr;                      // (n); may equal x
  int64_t n = 0;
  float alpha = 0, beta = 0;              // leaky_relu/elu/celu/thresholded_relu/divide alpha; hard_sigmoid alpha, beta; selu alpha, gamma (beta)
  double clip_lo = 0, clip_hi = 0;        // Clip bounds from attributes (or the dtype's range)
  const void* clip_lo_ptr = nullptr;      // Clip bounds as device scalars of dtype (override the above)
  const void* clip_hi_ptr = nullptr;
};
status launch_unary(const unary_params& p, cudaStream_t stream);

enum class binary_op {
  add, sub, mul, div, pow, max, min, prelu, equal, less, less_equal, greater, greater_equal, logical_and,
  logical_or, logical_xor, mod, fmod
};

// out = op(a, b) with numpy broadcasting; comparisons and logic write bool (uint8). mod takes the
// divisor's sign (Python), fmod the dividend's (C).
struct binary_params {
  binary_op op = binary_op::add;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // a and b
  const void* a = nullptr;
  const void* b = nullptr;
  void* out = nullptr;  // may equal a when shapes match
  int64_t n = 0;        // elements of out
  strided_map<3> map;   // operands: out, a, b
};
status launch_binary(const binary_params& p, cudaStream_t stream);

// out = cond ? x : y with three-way broadcasting, any element size.
struct where_params {
  const uint8_t* cond = nullptr;
  const void* x = nullptr;
  const void* y = nullptr;
  void* out = nullptr;
  size_t element_size = 4;
  int64_t n = 0;
  strided_map<4> map;  // operands: out, cond, x, y
};
status launch_where(const where_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
