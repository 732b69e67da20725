// core/runtime/memory_needs.cpp — sizes at the profile's max shapes, measured once per engine.
#include "core/runtime/memory_needs.hpp"

#include <numeric>

#include "core/graph/known_values.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/runtime/engine.hpp"

namespace mirt {

result<profile_memory> measure_profile_memory(const engine& e, uint32_t profile) {
  const plan_model& plan = e.plan();
  const graph& g = plan.network;
  const plan_profile& p = plan.profiles[profile];
  std::vector<int> order(g.nodes.size());
  std::iota(order.begin(), order.end(), 0);
  // Sizes at the profile's max shapes bound every run's sizes and the workspace, except where shape
  // tensor values decide a shape: those sizes are only known once the values are, so a context gives
  // a tensor that outgrows its planned bytes a buffer of its own when the values change (a bound
  // from the max values would not hold: Reshape or Slice sizes need not grow with them). As
  // plan_memory does, the opt point stands in when the max shape tensor values do not infer.
  std::unordered_map<int, std::vector<int64_t>> max_shapes, opt_shapes;
  value_map max_values, opt_values;
  bool has_shape_inputs = false;
  for (const profile_input& in : p.inputs) {
    max_shapes[in.tensor] = in.max;
    opt_shapes[in.tensor] = in.opt;
    if (in.is_shape_tensor()) {
      max_values[in.tensor] = in.max_values;
      opt_values[in.tensor] = in.opt_values;
      has_shape_inputs = true;
    }
  }
  result<std::vector<tensor_type>> at_max = infer_types(g, order, max_shapes, max_values);
  if (!at_max.ok() && has_shape_inputs) at_max = infer_types(g, order, opt_shapes, opt_values);
  MIRT_ASSIGN_OR_RETURN(std::vector<tensor_type> max_types, std::move(at_max));
  profile_memory m;
  m.arena = p.memory.arena_size;
  m.planned_bytes.resize(g.tensors.size());
  for (size_t t = 0; t < g.tensors.size(); ++t) m.planned_bytes[t] = byte_size(to_desc(max_types[t]));
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    // A layer with a data-dependent operand gets its workspace when a run knows its shapes.
    if (!operands_known(g.nodes[n], max_types)) continue;
    std::vector<mirt_tensor_desc> ins, outs;
    for (int t : g.nodes[n].inputs) ins.push_back(t >= 0 ? to_desc(max_types[t]) : mirt_tensor_desc{});
    for (int t : g.nodes[n].outputs) outs.push_back(to_desc(max_types[t]));
    m.workspace = std::max(m.workspace, e.kernel_of(n).workspace_size(ins.data(), outs.data()));
  }
  return m;
}

}  // namespace mirt
