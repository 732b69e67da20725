// backends/cpu/vector_activation.cpp — Sigmoid and Tanh as branch-free float loops that the
// compiler vectorizes, each cloned for AVX-512F and AVX2 (vector_exp.hpp).
#include "backends/cpu/vector_activation.hpp"

#include <cmath>

#include "backends/cpu/vector_exp.hpp"

namespace mirt::cpu {
namespace {

// For x >= 0: e = exp(-x), 1 / (1 + e); for x < 0: e / (1 + e). Neither overflows.
__attribute__((always_inline)) inline float sigmoid_one(float x) {
  const float e = exp_nonpositive(-std::fabs(x));
  const float s = 1.0f / (1.0f + e);
  return x >= 0 ? s : e * s;
}

// |x| <= 0.25: x (1 - x^2/3 + 2x^4/15 - 17x^6/315 + 62x^8/2835 - 1382x^10/155925);
// beyond: sign(x) (1 - e) / (1 + e) with e = exp(-2|x|).
__attribute__((always_inline)) inline float tanh_one(float x) {
  const float z = x * x;
  float p = -1382.0f / 155925;
  p = p * z + 62.0f / 2835;
  p = p * z - 17.0f / 315;
  p = p * z + 2.0f / 15;
  p = p * z - 1.0f / 3;
  p = p * z + 1.0f;
  const float series = x * p;
  const float e = exp_nonpositive(-2.0f * std::fabs(x));
  const float large = std::copysign((1.0f - e) / (1.0f + e), x);
  return std::fabs(x) <= 0.25f ? series : large;
}

}  // namespace

MIRT_CPU_CLONES void sigmoid_rows(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = sigmoid_one(x[i]);
}

MIRT_CPU_CLONES void tanh_rows(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = tanh_one(x[i]);
}

}  // namespace mirt::cpu
