// backends/support/pointwise_program.hpp — mirt::FusedElementwise's program as kernels run it: the
// steps decoded into op codes (read_pointwise_program, host side) and the one definition of each
// op's arithmetic, shared by the cpu backend and the cuda kernels (host and device code).
#pragma once

#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define MIRT_POINTWISE_FN __host__ __device__ inline
#else
#define MIRT_POINTWISE_FN inline
#endif

namespace mirt::support {

enum class pointwise_op : int32_t {
  // unary
  relu, sigmoid, tanh, exp, log, sqrt, abs, neg, erf, reciprocal, floor, ceil, sin, cos, softplus,
  // binary
  add, sub, mul, div, pow, max, min,
};

constexpr int k_max_pointwise_steps = 16;
constexpr int k_max_pointwise_constants = 16;

// A program of at most k_max_pointwise_steps steps, passed to kernels by value. Operand encoding as
// in the op's schema (core/graph/schemas/fused_elementwise.cpp): v >= 0 is register v (0 the input,
// k the result of step k - 1), v < 0 is constants[-v - 1].
struct pointwise_program {
  int32_t steps = 0;
  pointwise_op op[k_max_pointwise_steps] = {};
  int32_t a[k_max_pointwise_steps] = {};
  int32_t b[k_max_pointwise_steps] = {};
  float constants[k_max_pointwise_constants] = {};
};

MIRT_POINTWISE_FN float apply_pointwise(pointwise_op op, float a, float b) {
  switch (op) {
    case pointwise_op::relu: return a > 0.0f ? a : 0.0f;
    case pointwise_op::sigmoid: return 1.0f / (1.0f + expf(-a));
    case pointwise_op::tanh: return tanhf(a);
    case pointwise_op::exp: return expf(a);
    case pointwise_op::log: return logf(a);
    case pointwise_op::sqrt: return sqrtf(a);
    case pointwise_op::abs: return fabsf(a);
    case pointwise_op::neg: return -a;
    case pointwise_op::erf: return erff(a);
    case pointwise_op::reciprocal: return 1.0f / a;
    case pointwise_op::floor: return floorf(a);
    case pointwise_op::ceil: return ceilf(a);
    case pointwise_op::sin: return sinf(a);
    case pointwise_op::cos: return cosf(a);
    case pointwise_op::softplus: return a > 20.0f ? a : log1pf(expf(a));  // ln(1 + e^a), exact to float there
    case pointwise_op::add: return a + b;
    case pointwise_op::sub: return a - b;
    case pointwise_op::mul: return a * b;
    case pointwise_op::div: return a / b;
    case pointwise_op::pow: return powf(a, b);
    case pointwise_op::max: return a > b || a != a ? a : b;  // NaN propagates, as ONNX Max
    case pointwise_op::min: return a < b || a != a ? a : b;
  }
  return a;
}

// Runs the program on one value x.
MIRT_POINTWISE_FN float run_pointwise(const pointwise_program& p, float x) {
  float r[k_max_pointwise_steps + 1];
  r[0] = x;
  for (int s = 0; s < p.steps; ++s) {
    const float a = p.a[s] >= 0 ? r[p.a[s]] : p.constants[-p.a[s] - 1];
    const float b = p.b[s] >= 0 ? r[p.b[s]] : p.constants[-p.b[s] - 1];
    r[s + 1] = apply_pointwise(p.op[s], a, b);
  }
  return r[p.steps];
}

}  // namespace mirt::support

#ifndef __CUDACC__
#include <string>

#include "backends/support/node_view.hpp"

namespace mirt::support {

// The program of a FusedElementwise node; false (with why) for an op name it does not know, too
// many steps or constants, or an operand out of range.
bool read_pointwise_program(const node_view& node, pointwise_program& out, std::string& why);

}  // namespace mirt::support
#endif
