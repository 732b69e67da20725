// core/builder/passes/fold_constants.cpp — evaluates layers whose inputs are all constant.
//
// Shape arithmetic whose values inference already knows becomes a constant directly; any other
// all-constant layer runs once on the CPU backend, which is loaded only when such a layer exists.
#include <cstring>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/op_schema.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plugin/plugin_instance.hpp"

namespace mirt {

namespace {

constexpr int64_t max_folded_bytes = int64_t{256} << 20;  // larger results stay as layers

bool is_nondeterministic(const node& n) {
  const op_schema* schema = schema_table::standard().find(n.domain, n.op_type);
  return schema && schema->nondeterministic;
}

bool all_inputs_constant(const graph& g, const node& n) {
  for (int t : n.inputs)
    if (t >= 0 && g.tensors[t].constant < 0) return false;
  return true;
}

// Turns output tensor t into a constant holding bytes.
void make_constant(graph& g, int t, const tensor_type& type, constant_buffer data) {
  tensor& out = g.tensors[t];
  out.dtype = type.dtype;
  out.shape = type.shape;
  out.rank_known = true;
  out.producer = -1;
  out.constant = static_cast<int>(g.constants.size());
  g.constants.push_back(std::move(data));
}

constant_buffer encode_values(const tensor_type& type) {
  const std::vector<int64_t>& v = *type.values;
  if (type.dtype == MIRT_DTYPE_INT32) {
    std::vector<int32_t> narrow(v.begin(), v.end());
    return constant_buffer::copy_of(narrow.data(), narrow.size() * 4);
  }
  return constant_buffer::copy_of(v.data(), v.size() * 8);
}

status run_on_cpu(build_state& state, std::shared_ptr<backend>& cpu, const node& n,
                  std::vector<constant_buffer>& results) {
  if (!cpu) {
    MIRT_ASSIGN_OR_RETURN(cpu, backend::acquire("cpu"));
  }
  node_view view(state.network, n, state.types, 0);
  MIRT_ASSIGN_OR_RETURN(std::vector<mirt_tactic_info> tactics, cpu->tactics(view.info()));
  MIRT_ASSIGN_OR_RETURN(std::unique_ptr<kernel> k, cpu->create_kernel(view.info(), tactics[0].id));
  std::vector<const void*> in_data;
  for (int t : n.inputs) in_data.push_back(t >= 0 ? state.network.constants[state.network.tensors[t].constant].data() : nullptr);
  std::vector<void*> out_data;
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    results.push_back(constant_buffer::uninitialized(byte_size(view.info()->outputs[o])));
    out_data.push_back(const_cast<void*>(results.back().data()));
  }
  size_t ws_size = k->workspace_size(view.info()->inputs, view.info()->outputs);
  std::vector<std::byte> workspace(ws_size);
  mirt_kernel_io io{sizeof(mirt_kernel_io), view.info()->num_inputs, view.info()->inputs, in_data.data(),
                    view.info()->num_outputs, view.info()->outputs, out_data.data(), workspace.data(), ws_size, nullptr};
  return k->execute(io, n.name);
}

// What one sweep over the layers folded: every layer, and those computed on the CPU backend.
struct fold_counts {
  size_t folded = 0, computed = 0;
};

result<fold_counts> fold_once(build_state& state, std::shared_ptr<backend>& cpu) {
  graph& g = state.network;
  std::vector<bool> folded(g.nodes.size(), false);
  fold_counts count;
  for (int index : state.order) {
    const node& n = g.nodes[index];
    if (find_plugin_creator(n)) continue;  // a plugin's kernels may not run on the CPU backend
    if (is_nondeterministic(n)) continue;  // a random op draws again each run
    if (!n.bodies.empty()) continue;       // control flow runs in the runtime, not as a CPU kernel
    bool values_known = !n.outputs.empty();
    int64_t bytes = 0;
    for (int t : n.outputs) {
      const tensor_type& type = state.types[t];
      values_known = values_known && type.values.has_value() && element_count(type.shape) >= 0 &&
                     (type.dtype == MIRT_DTYPE_INT64 || type.dtype == MIRT_DTYPE_INT32);
      int64_t elements = element_count(type.shape);
      bytes = elements < 0 ? max_folded_bytes + 1 : bytes + elements * int64_t(mirt_dtype_size(type.dtype));
    }
    if (values_known) {
      for (int t : n.outputs) make_constant(g, t, state.types[t], encode_values(state.types[t]));
    } else if (all_inputs_constant(g, n) && bytes <= max_folded_bytes) {
      std::vector<constant_buffer> results;
      MIRT_RETURN_IF_ERROR(run_on_cpu(state, cpu, n, results), "while folding constants");
      for (size_t o = 0; o < n.outputs.size(); ++o) make_constant(g, n.outputs[o], state.types[n.outputs[o]], results[o]);
      ++count.computed;
    } else {
      continue;
    }
    folded[index] = true;
    ++count.folded;
    // Later layers see the new constants' values during their own inference.
    for (int t : n.outputs) state.types[t].values = small_integer_values(g, g.tensors[t]);
  }
  if (count.folded > 0) MIRT_RETURN_IF_ERROR(state.remove_nodes(folded));  // infers the types again
  return count;
}

// Sweeps until nothing more folds. A constant computed on the CPU backend can make shapes after
// it known (Pad's pads from float arithmetic, then Shape(Pad) -> ... -> ScatterND), which the next
// sweep sees through the types remove_nodes inferred again; values known from inference alone
// unlock nothing new.
status fold_constants(build_state& state) {
  std::shared_ptr<backend> cpu;
  size_t total = 0;
  for (int sweep = 0; sweep < 16; ++sweep) {
    MIRT_ASSIGN_OR_RETURN(fold_counts count, fold_once(state, cpu));
    total += count.folded;
    if (count.computed == 0) break;
  }
  if (total > 0) log_info("builder", "folded ", total, " constant layers");
  return {};
}

}  // namespace

pass make_fold_constants_pass() { return {"fold constants", fold_constants}; }

}  // namespace mirt
