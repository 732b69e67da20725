// core/graph/shape_inference.cpp — runs each node's schema inference in topological order.
#include "core/graph/shape_inference.hpp"

#include <cstring>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/plugin/plugin_instance.hpp"

namespace mirt {

namespace {
constexpr int64_t max_value_elements = 64;  // shape tensors are small; larger data is not tracked
}

result<std::vector<int>> topological_order(const graph& g) {
  const size_t n = g.nodes.size();
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < n; ++i)
    for (int t : g.nodes[i].outputs) producer[t] = static_cast<int>(i);

  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    for (int t : g.nodes[i].inputs) {
      if (t < 0) continue;
      const tensor& in = g.tensors[t];
      if (producer[t] < 0 && !in.is_input && in.constant < 0)
        return make_error(MIRT_STATUS_INVALID_GRAPH, g.nodes[i].op_type, " '", g.nodes[i].name, "': input '",
                          in.name, "' is dangling (not a network input, constant or layer output)");
      if (producer[t] >= 0) {
        ++pending[i];
        consumers[producer[t]].push_back(static_cast<int>(i));
      }
    }
  }
  std::vector<int> order;
  order.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) order.push_back(static_cast<int>(i));
  for (size_t head = 0; head < order.size(); ++head)
    for (int c : consumers[order[head]])
      if (--pending[c] == 0) order.push_back(c);
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] > 0)
        return make_error(MIRT_STATUS_INVALID_GRAPH, "the network has a cycle through ", g.nodes[i].op_type, " '",
                          g.nodes[i].name, "'");
  }
  return order;
}

std::optional<std::vector<int64_t>> small_integer_values(const graph& g, const tensor& t) {
  if (t.constant < 0) return std::nullopt;
  int64_t count = element_count(t.shape);
  if (count < 0 || count > max_value_elements) return std::nullopt;
  const constant_buffer& c = g.constants[t.constant];
  std::vector<int64_t> values(static_cast<size_t>(count));
  if (t.dtype == MIRT_DTYPE_INT64 && c.size == values.size() * 8) {
    if (c.size) std::memcpy(values.data(), c.data(), c.size);
  } else if (t.dtype == MIRT_DTYPE_INT32 && c.size == values.size() * 4) {
    const auto* p = static_cast<const int32_t*>(c.data());
    for (size_t i = 0; i < values.size(); ++i) values[i] = p[i];
  } else if (t.dtype == MIRT_DTYPE_BOOL && c.size == values.size()) {  // conditions (Loop's cond, If's)
    const auto* p = static_cast<const uint8_t*>(c.data());
    for (size_t i = 0; i < values.size(); ++i) values[i] = p[i] != 0;
  } else {
    return std::nullopt;
  }
  return values;
}

status infer_node(const graph& g, int index, std::vector<tensor_type>& types) {
  const node& n = g.nodes[index];
  const op_schema* schema = find_op_schema(n);  // the standard set, else a plugin's
  if (!schema)
    return make_error(MIRT_STATUS_UNSUPPORTED, "layer '", n.name, "': op '", n.op_type, "'",
                      n.domain.empty() ? std::string() : cat(" (domain '", n.domain, "')"),
                      " is not known to mirt; a plugin library can supply it");
  std::vector<tensor_type> inputs;
  inputs.reserve(n.inputs.size());
  for (int t : n.inputs) inputs.push_back(t >= 0 ? types[t] : tensor_type{MIRT_DTYPE_UNDEFINED, {}, false, {}});
  infer_context ctx(n, std::move(inputs), n.outputs.size());
  MIRT_RETURN_IF_ERROR(schema->infer(ctx));
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    tensor_type& out = ctx.output(o);
    if (out.dtype == MIRT_DTYPE_UNDEFINED)
      return make_error(MIRT_STATUS_INTERNAL, n.op_type, " '", n.name, "': inference left output ", o, " untyped");
    if (out.shape.size() > MIRT_MAX_RANK)
      return make_error(MIRT_STATUS_INVALID_SHAPE, n.op_type, " '", n.name, "': output ", o, " has rank ",
                        out.shape.size(), ", above mirt's limit of ", MIRT_MAX_RANK);
    types[n.outputs[o]] = std::move(out);
  }
  return {};
}

result<std::vector<tensor_type>> infer_types(const graph& g, const std::vector<int>& order,
                                             const std::unordered_map<int, std::vector<int64_t>>& input_shapes,
                                             const value_map& input_values) {
  std::vector<tensor_type> types(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const tensor& t = g.tensors[i];
    if (t.is_input || t.constant >= 0) {
      types[i].dtype = t.dtype;
      auto given = input_shapes.find(static_cast<int>(i));
      if (given != input_shapes.end()) {
        types[i].shape = make_dims(given->second);
        for (size_t d = 0; d < t.shape.size() && d < given->second.size(); ++d)
          types[i].shape[d].symbol = t.shape[d].symbol;
      } else {
        types[i].shape = t.shape;
      }
      types[i].values = small_integer_values(g, t);
      types[i].float_values = schemas::small_float_values(g, t);
      auto value = input_values.find(static_cast<int>(i));
      if (value != input_values.end() && t.is_input &&
          element_count(types[i].shape) == static_cast<int64_t>(value->second.size()))
        types[i].values = value->second;
    }
  }
  for (int index : order) MIRT_RETURN_IF_ERROR(infer_node(g, index, types));
  return types;
}

}  // namespace mirt
