// backends/cpu/ops/recurrent_activation.hpp — an RNN activation (backends/support/recurrent.hpp)
// over a row of values in place, with float Sigmoid and Tanh in vectorized loops.
#pragma once

#include <cstdint>
#include <type_traits>

#include "backends/cpu/vector_activation.hpp"
#include "backends/support/recurrent.hpp"

namespace mirt::cpu {

template <class C>
void apply_activation(const support::recurrent_activation& a, C* v, int64_t n) {
  if constexpr (std::is_same_v<C, float>) {
    if (a.kind == support::recurrent_activation::sigmoid) return sigmoid_rows(v, v, n);
    if (a.kind == support::recurrent_activation::tanh_) return tanh_rows(v, v, n);
  }
  for (int64_t i = 0; i < n; ++i) v[i] = a(v[i]);
}

}  // namespace mirt::cpu
