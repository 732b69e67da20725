// core/builder/passes/select_kernels.cpp — asks the target backend for each layer's tactics and
// records the choice (the first, best-ranked tactic until timing arrives with device backends).
#include "core/builder/build_state.hpp"

namespace mirt {

namespace {

status select_kernels(build_state& state) {
  if (!state.target) {
    MIRT_ASSIGN_OR_RETURN(state.target, backend::acquire(state.options.backend));
  }
  state.kernels.clear();
  for (int index : state.order) {
    const node& n = state.network.nodes[index];
    node_view view(state.network, n, state.types, state.options.precision_flags);
    result<std::vector<mirt_tactic_info>> tactics = state.target->tactics(view.info());
    if (!tactics.ok()) return tactics.error();
    const mirt_tactic_info& chosen = tactics->front();
    state.kernels.push_back({chosen.id, std::string(chosen.name, strnlen(chosen.name, sizeof(chosen.name)))});
  }
  return {};
}

}  // namespace

pass make_select_kernels_pass() { return {"select kernels", select_kernels}; }

}  // namespace mirt
