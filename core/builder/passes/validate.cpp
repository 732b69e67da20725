// core/builder/passes/validate.cpp — checks ops against their schemas and orders the graph.
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plugin/plugin_instance.hpp"

namespace mirt {

namespace {

status validate(build_state& state) {
  const graph& g = state.network;
  if (g.outputs.empty()) return make_error(MIRT_STATUS_INVALID_GRAPH, "the network has no outputs; mark at least one");
  for (const node& n : g.nodes) {
    const op_schema* schema = find_op_schema(n);  // the standard set, else a registered plugin's
    if (!schema)
      return make_error(MIRT_STATUS_UNSUPPORTED, "layer '", n.name, "': op '", n.op_type, "'",
                        n.domain.empty() ? std::string() : cat(" in domain '", n.domain, "'"),
                        " is not known to mirt; a plugin library can supply it (load one with "
                        "mirt_registry_load_library, `mirt exec --plugins`, or MIRT_PLUGIN_PATH)");
    MIRT_RETURN_IF_ERROR(validate_node(*schema, n));
  }
  MIRT_ASSIGN_OR_RETURN(state.order, topological_order(g));
  for (int out : g.outputs) {
    const tensor& t = g.tensors[out];
    if (t.producer < 0 && !t.is_input && t.constant < 0)
      return make_error(MIRT_STATUS_INVALID_GRAPH, "output '", t.name, "' is not produced by any layer");
  }
  return {};
}

}  // namespace

pass make_validate_pass() { return {"validate", validate}; }

}  // namespace mirt
