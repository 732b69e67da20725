// backends/support/pointwise_program.cpp — decoding mirt::FusedElementwise's attributes.
#include "backends/support/pointwise_program.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace mirt::support {

namespace {

constexpr std::array<std::pair<std::string_view, pointwise_op>, 22> k_ops = {{
    {"Relu", pointwise_op::relu},   {"Sigmoid", pointwise_op::sigmoid},
    {"Tanh", pointwise_op::tanh},   {"Exp", pointwise_op::exp},
    {"Log", pointwise_op::log},     {"Sqrt", pointwise_op::sqrt},
    {"Abs", pointwise_op::abs},     {"Neg", pointwise_op::neg},
    {"Erf", pointwise_op::erf},     {"Reciprocal", pointwise_op::reciprocal},
    {"Floor", pointwise_op::floor}, {"Ceil", pointwise_op::ceil},
    {"Sin", pointwise_op::sin},     {"Cos", pointwise_op::cos},
    {"Softplus", pointwise_op::softplus},
    {"Add", pointwise_op::add},     {"Sub", pointwise_op::sub},
    {"Mul", pointwise_op::mul},     {"Div", pointwise_op::div},
    {"Pow", pointwise_op::pow},     {"Max", pointwise_op::max},
    {"Min", pointwise_op::min},
}};

}  // namespace

bool read_pointwise_program(const node_view& node, pointwise_program& out, std::string& why) {
  const mirt_attribute* ops = node.find("ops");
  const mirt_attribute* operands = node.find("operands");
  const mirt_attribute* constants = node.find("constants");
  if (ops == nullptr || ops->type != MIRT_ATTRIBUTE_TYPE_STRINGS || operands == nullptr ||
      operands->type != MIRT_ATTRIBUTE_TYPE_INTS || operands->count != 2 * ops->count) {
    why = "attributes 'ops' (strings) and 'operands' (ints, two per op) are missing or do not match";
    return false;
  }
  if (ops->count == 0 || ops->count > size_t(k_max_pointwise_steps)) {
    why = cat(ops->count, " steps; a program has 1 to ", k_max_pointwise_steps);
    return false;
  }
  const size_t num_constants = constants != nullptr && constants->type == MIRT_ATTRIBUTE_TYPE_FLOATS ? constants->count : 0;
  if (num_constants > size_t(k_max_pointwise_constants)) {
    why = cat(num_constants, " constants; a program has at most ", k_max_pointwise_constants);
    return false;
  }
  out = pointwise_program{};
  out.steps = int32_t(ops->count);
  for (size_t k = 0; k < num_constants; ++k) out.constants[k] = constants->floats[k];
  for (size_t s = 0; s < ops->count; ++s) {
    const std::string_view name(ops->strings[s].data, ops->strings[s].length);
    bool known = false;
    for (const auto& [op_name, op] : k_ops)
      if (op_name == name) {
        out.op[s] = op;
        known = true;
      }
    if (!known) {
      why = cat("step ", s, " is '", name, "', which this backend has no code for");
      return false;
    }
    const int64_t a = operands->ints[2 * s], b = operands->ints[2 * s + 1];
    for (int64_t v : {a, b})
      if (v > int64_t(s) || (v < 0 && size_t(-v - 1) >= num_constants)) {
        why = cat("step ", s, " (", name, ") reads operand ", v, ", outside registers 0..", s, " and ", num_constants,
                  " constants");
        return false;
      }
    out.a[s] = int32_t(a);
    out.b[s] = int32_t(b);
  }
  return true;
}

}  // namespace mirt::support
