// core/builder/passes/inline_constant_if.cpp — replaces an If whose condition is known at build
// time by the layers of the branch it takes.
//
// The branch's outer-scope values are the If's trailing inputs (by position), its outputs become
// the If's output tensors, so consumers keep reading the same tensors. Inlined layers may bring
// their own bodies along unchanged: those read outer-scope values by position too.
#include <cstring>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/control_flow.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

// The condition's value when the build knows it: a constant, or values inference tracked.
std::optional<bool> known_condition(const build_state& state, const node& n) {
  const int cond = n.inputs.empty() ? -1 : n.inputs[0];
  if (cond < 0) return std::nullopt;
  const tensor& t = state.network.tensors[cond];
  if (t.constant >= 0 && t.dtype == MIRT_DTYPE_BOOL && state.network.constants[t.constant].size == 1) {
    uint8_t v = 0;
    std::memcpy(&v, state.network.constants[t.constant].data(), 1);
    return v != 0;
  }
  const tensor_type& type = state.types[cond];
  if (type.values && type.values->size() == 1) return (*type.values)[0] != 0;
  return std::nullopt;
}

// Adds the nodes of branch s to g in place of If layer `at`; returns the layers to add.
std::vector<node> inline_branch(graph& g, const node& n, const subgraph& s) {
  const graph& b = *s.body;
  std::vector<int> map(b.tensors.size(), -1);
  const size_t formal = formal_input_count(n);
  for (size_t k = 0; k < s.captures; ++k) map[b.inputs[k]] = n.inputs[formal + k];
  for (size_t t = 0; t < b.tensors.size(); ++t) {
    const tensor& x = b.tensors[t];
    if (x.constant < 0) continue;
    tensor c = x;
    c.name = g.unique_tensor_name(cat(n.name, "/", x.name));
    c.constant = static_cast<int>(g.constants.size());
    g.constants.push_back(b.constants[x.constant]);
    map[t] = g.add_tensor(std::move(c));
  }
  // Each branch output that a branch layer produces (once) becomes the If's output tensor itself.
  std::vector<bool> claimed(b.tensors.size(), false);
  for (size_t o = 0; o < b.outputs.size(); ++o) {
    const int t = b.outputs[o];
    if (b.tensors[t].producer >= 0 && !claimed[t]) {
      claimed[t] = true;
      map[t] = n.outputs[o];
    }
  }
  std::vector<node> added;
  for (const node& x : b.nodes) {
    node y = x;
    y.name = g.unique_node_name(cat(n.name, "/", x.name));
    for (int& t : y.inputs)
      if (t >= 0) t = map[t];
    for (int& t : y.outputs) {
      if (map[t] < 0) {
        tensor fresh;
        fresh.name = g.unique_tensor_name(cat(n.name, "/", b.tensors[t].name));
        map[t] = g.add_tensor(std::move(fresh));
      }
      t = map[t];
    }
    added.push_back(std::move(y));
  }
  // Outputs that are outer values, constants or a tensor given twice: an Identity to the If's output.
  for (size_t o = 0; o < b.outputs.size(); ++o) {
    const int t = b.outputs[o];
    if (map[t] == n.outputs[o]) continue;
    node copy;
    copy.name = g.unique_node_name(cat(n.name, "/output_", o));
    copy.op_type = "Identity";
    copy.inputs = {map[t]};
    copy.outputs = {n.outputs[o]};
    added.push_back(std::move(copy));
  }
  return added;
}

status inline_constant_if(build_state& state) {
  for (int round = 0; round < 16; ++round) {  // a branch may hold an If that becomes known in turn
    graph& g = state.network;
    std::vector<node> kept;
    size_t inlined = 0;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const node& n = g.nodes[i];
      std::optional<bool> cond = n.op_type == "If" && is_control_flow(n) ? known_condition(state, n) : std::nullopt;
      if (!cond) {
        kept.push_back(std::move(g.nodes[i]));
        continue;
      }
      const node taken = std::move(g.nodes[i]);
      const subgraph* branch = find_body(taken, *cond ? "then_branch" : "else_branch");
      if (!branch) return make_error(MIRT_STATUS_INTERNAL, "If '", taken.name, "': the branch to inline is missing");
      log_verbose("builder", "If '", taken.name, "': the condition is ", *cond ? "true" : "false", "; inlining ",
                  branch->attribute);
      for (node& x : inline_branch(g, taken, *branch)) kept.push_back(std::move(x));
      ++inlined;
    }
    g.nodes = std::move(kept);
    if (inlined == 0) return {};
    MIRT_RETURN_IF_ERROR(state.reindex_and_infer());
    log_info("builder", "inlined ", inlined, " If layers whose condition is known");
  }
  return {};
}

}  // namespace

pass make_inline_constant_if_pass() { return {"inline constant If", inline_constant_if}; }

}  // namespace mirt
