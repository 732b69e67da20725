// core/builder/passes/select_kernels.cpp — asks the target backend for each layer's tactics and
// records the choice: at optimization level 0 the backend's first (best-guess) tactic, above it
// the fastest one timed at the shapes of profile 0's opt point. Identical layers are timed once.
#include <sstream>
#include <unordered_map>

#include "core/builder/build_state.hpp"
#include "core/builder/tactic_timer.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

// What makes two layers time alike: op, attributes, operand types and shapes, which are constant.
std::string timing_key(const graph& g, const node& n, const std::vector<tensor_type>& types) {
  std::ostringstream key;
  key << n.domain << "::" << n.op_type;
  for (int t : n.inputs)
    key << '|' << (t < 0 ? "-" : cat(mirt_dtype_name(types[t].dtype), to_string(types[t].shape),
                                      g.tensors[t].constant >= 0 ? "c" : ""));
  for (int t : n.outputs) key << "|>" << mirt_dtype_name(types[t].dtype) << to_string(types[t].shape);
  for (const attribute& a : n.attributes.all()) {
    key << '|' << a.name << '=';
    for (int64_t v : a.ints) key << v << ',';
    for (float v : a.floats) key << v << ',';
    for (const std::string& v : a.strings) key << v << ',';
  }
  return key.str();
}

status select_kernels(build_state& state) {
  if (!state.target) {
    MIRT_ASSIGN_OR_RETURN(state.target, backend::acquire(state.options.backend));
  }
  const bool timed = state.options.optimization_level > 0;
  std::vector<tensor_type> opt_types;
  if (timed) {
    MIRT_ASSIGN_OR_RETURN(opt_types, infer_types(state.network, state.order, state.profile_shapes(0, 1)));
  }
  std::unordered_map<std::string, size_t> timing_cache;
  state.kernels.clear();
  for (size_t step = 0; step < state.order.size(); ++step) {
    MIRT_RETURN_IF_ERROR(state.report("select kernels", step, state.order.size()));
    const int index = state.order[step];
    const node& n = state.network.nodes[index];
    node_view view(state.network, n, state.types, state.options.precision_flags);
    result<std::vector<mirt_tactic_info>> tactics = state.target->tactics(view.info());
    if (!tactics.ok()) return tactics.error();
    size_t chosen = 0;
    if (timed && tactics->size() > 1) {
      const std::string key = timing_key(state.network, n, opt_types);
      auto cached = timing_cache.find(key);
      chosen = cached != timing_cache.end() ? cached->second
                                            : timing_cache[key] = fastest_tactic(*state.target, state.network, n,
                                                                                 opt_types, *tactics,
                                                                                 state.options.precision_flags);
    }
    const mirt_tactic_info& tactic = (*tactics)[chosen];
    state.kernels.push_back({tactic.id, std::string(tactic.name, strnlen(tactic.name, sizeof(tactic.name)))});
  }
  return {};
}

}  // namespace

pass make_select_kernels_pass() { return {"select kernels", select_kernels}; }

}  // namespace mirt
