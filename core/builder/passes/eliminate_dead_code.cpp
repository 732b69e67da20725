// core/builder/passes/eliminate_dead_code.cpp — drops identity layers, layers that no output
// needs, and the tensors and constants nothing refers to any more.
#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

bool is_identity(const node& n) {
  return (n.op_type == "Identity" || (n.op_type == "Dropout" && n.outputs.size() == 1)) && n.domain.empty() &&
         !n.inputs.empty() && n.inputs[0] >= 0;
}

// Rewires consumers of identity layers to read the identity's input instead.
size_t bypass_identities(graph& g) {
  size_t removed = 0;
  std::vector<node> kept;
  std::vector<int> replacement(g.tensors.size());
  for (size_t t = 0; t < replacement.size(); ++t) replacement[t] = static_cast<int>(t);
  for (node& n : g.nodes) {
    if (is_identity(n) && !g.tensors[n.outputs[0]].is_output) {
      replacement[n.outputs[0]] = replacement[n.inputs[0]];
      ++removed;
    } else {
      kept.push_back(std::move(n));
    }
  }
  for (node& n : kept)
    for (int& t : n.inputs)
      if (t >= 0) t = replacement[t];
  g.nodes = std::move(kept);
  return removed;
}

// Keeps the layers that outputs depend on, then renumbers tensors and constants densely.
size_t compact(build_state& state) {
  graph& g = state.network;
  g.reindex();
  std::vector<bool> live_tensor(g.tensors.size(), false), live_node(g.nodes.size(), false);
  std::vector<int> stack(g.outputs.begin(), g.outputs.end());
  for (int t : g.inputs) live_tensor[t] = true;  // inputs stay part of the interface even when unused
  while (!stack.empty()) {
    int t = stack.back();
    stack.pop_back();
    if (live_tensor[t] && !g.tensors[t].is_input) continue;
    live_tensor[t] = true;
    int p = g.tensors[t].producer;
    if (p < 0 || live_node[p]) continue;
    live_node[p] = true;
    for (int in : g.nodes[p].inputs)
      if (in >= 0 && !live_tensor[in]) stack.push_back(in);
    for (int out : g.nodes[p].outputs) live_tensor[out] = true;
  }
  size_t removed = 0;
  std::vector<node> nodes;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (live_node[n]) nodes.push_back(std::move(g.nodes[n]));
    else ++removed;
  }
  std::vector<int> tensor_map(g.tensors.size(), -1), constant_map(g.constants.size(), -1);
  std::vector<tensor> tensors;
  std::vector<tensor_type> types;
  std::vector<constant_buffer> constants;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (!live_tensor[t]) continue;
    tensor_map[t] = static_cast<int>(tensors.size());
    tensor kept = std::move(g.tensors[t]);
    if (kept.constant >= 0) {
      if (constant_map[kept.constant] < 0) {
        constant_map[kept.constant] = static_cast<int>(constants.size());
        constants.push_back(g.constants[kept.constant]);
      }
      kept.constant = constant_map[kept.constant];
    }
    tensors.push_back(std::move(kept));
    types.push_back(std::move(state.types[t]));
  }
  for (node& n : nodes) {
    for (int& t : n.inputs)
      if (t >= 0) t = tensor_map[t];
    for (int& t : n.outputs) t = tensor_map[t];
  }
  for (int& t : g.inputs) t = tensor_map[t];
  for (int& t : g.outputs) t = tensor_map[t];
  g.nodes = std::move(nodes);
  g.tensors = std::move(tensors);
  g.constants = std::move(constants);
  state.types = std::move(types);
  g.reindex();
  for (plan_profile& p : state.profiles)
    for (profile_input& in : p.inputs) in.tensor = tensor_map[in.tensor];
  return removed;
}

status eliminate_dead_code(build_state& state) {
  size_t identities = bypass_identities(state.network);
  size_t dead = compact(state);
  MIRT_ASSIGN_OR_RETURN(state.order, topological_order(state.network));
  if (identities + dead) log_info("builder", "removed ", identities, " identity and ", dead, " dead layers");
  return {};
}

}  // namespace

pass make_eliminate_dead_code_pass() { return {"eliminate dead code", eliminate_dead_code}; }

}  // namespace mirt
