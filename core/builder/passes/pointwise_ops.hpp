// core/builder/passes/pointwise_ops.hpp — the standard elementwise ops a mirt::FusedElementwise
// program may name (backends/support/pointwise_program.hpp runs them), for the passes that make
// programs: fuse_elementwise.cpp and fold_casts.cpp.
#pragma once

#include <algorithm>
#include <iterator>
#include <string_view>

namespace mirt {

inline bool pointwise_unary_op(std::string_view op) {
  static constexpr std::string_view ops[] = {"Relu", "Sigmoid", "Tanh", "Exp",   "Log", "Sqrt", "Abs",     "Neg",
                                             "Erf",  "Reciprocal", "Floor", "Ceil", "Sin", "Cos", "Softplus"};
  return std::find(std::begin(ops), std::end(ops), op) != std::end(ops);
}

inline bool pointwise_binary_op(std::string_view op) {
  static constexpr std::string_view ops[] = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"};
  return std::find(std::begin(ops), std::end(ops), op) != std::end(ops);
}

}  // namespace mirt
