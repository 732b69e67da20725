// core/builder/passes/compile_bodies.cpp — builds each body of an If, Loop or Scan layer into a
// nested plan, through the same passes and the same backend as the network around it.
//
// First, outer-scope values that are constants move into the bodies (a body then folds and infers
// with their data); the rest stay layer inputs. A body's inputs are typed from the layer (the
// types its inference gave), its kernels are the backend's first tactics (bodies run at shapes the
// build cannot time), and it is written as a plan with one empty profile: a body is re-inferred at
// the concrete shapes of each run (core/runtime/body_runner.cpp).
#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/control_flow.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plan/plan_writer.hpp"

namespace mirt {

namespace {

// Moves constant outer-scope values of n into its bodies as constants, dropping those inputs.
void sink_constant_captures(const graph& g, node& n) {
  const size_t formal = formal_input_count(n);
  for (size_t k = n.bodies.front().captures; k-- > 0;) {
    const int outer = n.inputs[formal + k];
    if (outer < 0 || g.tensors[outer].constant < 0) continue;
    for (subgraph& s : n.bodies) {
      auto body = std::make_shared<graph>(*s.body);
      const size_t position = body->inputs.size() - s.captures + k;
      tensor& t = body->tensors[body->inputs[position]];
      t.is_input = false;
      t.dtype = g.tensors[outer].dtype;
      t.shape = g.tensors[outer].shape;
      t.rank_known = true;
      t.constant = static_cast<int>(body->constants.size());
      body->constants.push_back(g.constants[g.tensors[outer].constant]);
      body->inputs.erase(body->inputs.begin() + static_cast<std::ptrdiff_t>(position));
      --s.captures;
      s.body = std::move(body);
    }
    n.inputs.erase(n.inputs.begin() + static_cast<std::ptrdiff_t>(formal + k));
  }
}

tensor_type plain(tensor_type t) {
  t.values.reset();
  t.float_values.reset();
  return t;
}

// The types of s's inputs (formal, then captured) as n's inference sees them.
result<std::vector<tensor_type>> body_input_types(const build_state& state, const node& n) {
  const std::vector<tensor_type>& types = state.types;
  const size_t formal = formal_input_count(n);
  std::vector<tensor_type> out;
  if (n.op_type == "Loop") {
    out.push_back(tensor_type{MIRT_DTYPE_INT64, {}, true, std::nullopt});
    out.push_back(tensor_type{MIRT_DTYPE_BOOL, {}, true, std::nullopt});
    for (size_t v = 0; v < loop_carried_count(n); ++v) out.push_back(plain(types[n.outputs[v]]));
  } else if (n.op_type == "Scan") {
    const size_t scans = static_cast<size_t>(n.attributes.get_int("num_scan_inputs", 0));
    const size_t states = formal - scans;
    std::vector<int64_t> axes = n.attributes.get_ints("scan_input_axes", std::vector<int64_t>(scans, 0));
    // A batched Scan (Scan-8) runs its body per batch element: the leading batch axis goes first.
    const bool batched = n.attributes.get_int("batched", 0) != 0;
    auto unbatched = [&](tensor_type t) {
      if (batched && t.rank_known && t.rank() > 0) t.shape.erase(t.shape.begin());
      return t;
    };
    for (size_t s = 0; s < states; ++s) out.push_back(unbatched(plain(types[n.outputs[s]])));
    for (size_t i = 0; i < scans; ++i) {
      tensor_type t = unbatched(plain(types[n.inputs[states + i]]));
      const int64_t rank = static_cast<int64_t>(t.rank());
      const int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
      t.shape.erase(t.shape.begin() + axis);
      out.push_back(std::move(t));
    }
  }
  for (size_t i = formal; i < n.inputs.size(); ++i) out.push_back(types[n.inputs[i]]);
  for (size_t i = 0; i < out.size(); ++i)
    if (!out[i].rank_known)
      return make_error(MIRT_STATUS_UNSUPPORTED, n.op_type, " '", n.name, "': body input ", i,
                        " changes rank between iterations; mirt needs a fixed rank");
  return out;
}

result<std::shared_ptr<const std::vector<std::byte>>> compile(const build_state& outer, const node& n,
                                                             const subgraph& s, const std::vector<tensor_type>& inputs) {
  build_state state;
  state.options = outer.options;
  state.options.profiles.clear();
  state.options.optimization_level = 0;
  state.options.progress = nullptr;
  state.target = outer.target;
  state.network = typed_body(s, inputs);
  state.network.reindex();
  const std::string where = cat(n.op_type, " '", n.name, "': ", s.attribute);
  MIRT_RETURN_IF_ERROR(make_validate_pass().run(state), where);
  MIRT_RETURN_IF_ERROR(state.infer_again());
  const std::vector<pass> passes = {make_inline_constant_if_pass(), make_fold_constants_pass(),
                                    make_eliminate_dead_code_pass(), make_compile_bodies_pass(),
                                    make_select_kernels_pass()};
  for (const pass& p : passes) MIRT_RETURN_IF_ERROR(p.run(state), where);

  plan_model plan;
  plan.backend_name = state.target->name();
  plan.backend_version = state.target->version();
  plan.device_signature = state.target->device_signature();
  plan.precision_flags = state.options.precision_flags;
  graph ordered = state.network;
  ordered.nodes.clear();
  for (int i : state.order) ordered.nodes.push_back(state.network.nodes[i]);
  for (size_t t = 0; t < ordered.tensors.size(); ++t) {
    tensor& x = ordered.tensors[t];
    x.dtype = state.types[t].dtype;
    if (x.constant < 0 && !x.is_input) x.shape = state.types[t].shape, x.rank_known = state.types[t].rank_known;
  }
  ordered.reindex();
  plan.network = std::move(ordered);
  plan.kernels = std::move(state.kernels);
  plan.profiles.emplace_back();  // no ranges: each run infers the body at its concrete shapes
  MIRT_ASSIGN_OR_RETURN(std::vector<std::byte> bytes, write_plan(plan));
  return std::make_shared<const std::vector<std::byte>>(std::move(bytes));
}

status compile_bodies(build_state& state) {
  size_t compiled = 0;
  for (int index : state.order) {
    node& n = state.network.nodes[index];
    if (n.bodies.empty()) continue;
    MIRT_RETURN_IF_ERROR(state.acquire_target());
    sink_constant_captures(state.network, n);
    MIRT_ASSIGN_OR_RETURN(std::vector<tensor_type> inputs, body_input_types(state, n));
    for (subgraph& s : n.bodies) {
      MIRT_ASSIGN_OR_RETURN(s.plan, compile(state, n, s, inputs));
      ++compiled;
    }
  }
  if (compiled) log_info("builder", "compiled ", compiled, " control-flow bodies");
  return {};
}

}  // namespace

pass make_compile_bodies_pass() { return {"compile bodies", compile_bodies}; }

}  // namespace mirt
