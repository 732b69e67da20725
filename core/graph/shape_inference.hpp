// core/graph/shape_inference.hpp — type and shape inference over a whole graph.
#pragma once

#include <unordered_map>
#include <vector>

#include "core/graph/graph.hpp"
#include "core/graph/op_schema.hpp"

namespace mirt {

// Node indices in an order where every node comes after the producers of its inputs.
// INVALID_GRAPH naming a node on the cycle, or a tensor that nothing produces.
result<std::vector<int>> topological_order(const graph& g);

// Values of graph inputs by tensor index: shape tensor inputs, whose values feed shape operands
// (Reshape's shape, Reduce's axes, ...), evaluated on the host as TensorRT does.
using value_map = std::unordered_map<int, std::vector<int64_t>>;

// Types of every tensor (indexed like g.tensors). Graph inputs take their shape from input_shapes
// when given there (concrete run-time or profile shapes), else their declared dims, and their known
// values from input_values. Errors name the layer, the op and the shapes involved.
result<std::vector<tensor_type>> infer_types(const graph& g, const std::vector<int>& order,
                                             const std::unordered_map<int, std::vector<int64_t>>& input_shapes = {},
                                             const value_map& input_values = {});

// Infers node `index` of g from types[] of its inputs and writes its outputs' types into types[]
// (the runtime re-infers a node this way once data-dependent inputs have their run's shapes).
status infer_node(const graph& g, int index, std::vector<tensor_type>& types);

// The known values of a constant tensor small enough to take part in shape arithmetic.
std::optional<std::vector<int64_t>> small_integer_values(const graph& g, const tensor& t);

}  // namespace mirt
