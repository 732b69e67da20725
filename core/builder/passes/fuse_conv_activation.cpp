// core/builder/passes/fuse_conv_activation.cpp — turns Conv [+ Add residual] + activation into one
// mirt::FusedConv layer, where the target backend has a kernel for it.
//
// Each candidate is offered to the backend as the fused node; a backend without such a kernel
// answers UNSUPPORTED and the layers stay as they were, so fusion never costs correctness.
#include <limits>
#include <optional>
#include <unordered_map>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

// A float32 constant scalar input's value, or nullopt (an omitted input reads as `absent`).
std::optional<float> constant_scalar(const graph& g, const node& n, size_t i, float absent) {
  if (i >= n.inputs.size() || n.inputs[i] < 0) return absent;
  const tensor& t = g.tensors[n.inputs[i]];
  if (t.constant < 0 || t.dtype != MIRT_DTYPE_FLOAT32 || element_count(t.shape) != 1) return std::nullopt;
  return *static_cast<const float*>(g.constants[t.constant].data());
}

// Activations a FusedConv may carry, with how their attributes map onto activation_alpha/beta.
bool fusable_activation(const graph& g, const node& n, attribute_map& out) {
  if (!n.domain.empty() || n.inputs.empty()) return false;
  auto set_string = [&](const char* name, const std::string& value) {
    out.set(attribute{name, MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {value}});
  };
  auto set_float = [&](const char* name, float value) {
    out.set(attribute{name, MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {value}, {}});
  };
  if (n.op_type == "Relu" || n.op_type == "Sigmoid" || n.op_type == "Tanh" || n.op_type == "HardSwish") {
    set_string("activation", n.op_type);
    return n.inputs.size() == 1;
  }
  if (n.op_type == "Clip") {  // bounds as constant inputs (opset 11+) or attributes: alpha = min, beta = max
    const float lo = n.attributes.get_float("min", -std::numeric_limits<float>::max());
    const float hi = n.attributes.get_float("max", std::numeric_limits<float>::max());
    const std::optional<float> min = constant_scalar(g, n, 1, lo), max = constant_scalar(g, n, 2, hi);
    if (!min || !max) return false;
    set_string("activation", n.op_type);
    set_float("activation_alpha", *min);
    set_float("activation_beta", *max);
    return true;
  }
  if (n.op_type == "LeakyRelu") {
    set_string("activation", n.op_type);
    set_float("activation_alpha", n.attributes.get_float("alpha", 0.01f));
    return true;
  }
  return false;
}

struct fusion_candidate {
  int conv = -1, add = -1, act = -1;
  int residual = -1;  // tensor added to the conv output, or -1
};

status fuse(build_state& state) {
  graph& g = state.network;
  std::vector<int> consumer_count(g.tensors.size(), 0);
  std::vector<int> only_consumer(g.tensors.size(), -1);
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int t : g.nodes[n].inputs)
      if (t >= 0) {
        ++consumer_count[t];
        only_consumer[t] = static_cast<int>(n);
      }
  // The node that alone consumes tensor t, when t is no graph output.
  auto sole_consumer = [&](int t) {
    return consumer_count[t] == 1 && !g.tensors[t].is_output ? only_consumer[t] : -1;
  };

  MIRT_RETURN_IF_ERROR(state.acquire_target());
  std::vector<bool> removed(g.nodes.size(), false);
  size_t fused = 0;
  for (size_t c = 0; c < g.nodes.size(); ++c) {
    const node& conv = g.nodes[c];
    if (conv.op_type != "Conv" || !conv.domain.empty() || removed[c]) continue;
    fusion_candidate f;
    f.conv = static_cast<int>(c);
    int next = sole_consumer(conv.outputs[0]);
    // An Add or activation another Conv already took (a residual Add of two convs) stays with it.
    if (next >= 0 && removed[next]) continue;
    if (next >= 0 && g.nodes[next].op_type == "Add" && g.nodes[next].domain.empty()) {
      const node& add = g.nodes[next];
      int other = add.inputs[0] == conv.outputs[0] ? add.inputs[1] : add.inputs[0];
      // Only a residual of the output's own shape (no broadcasting) fuses.
      if (other >= 0 && other != conv.outputs[0] && state.types[other].shape == state.types[add.outputs[0]].shape &&
          state.types[other].dtype == state.types[add.outputs[0]].dtype) {
        f.add = next;
        f.residual = other;
        next = sole_consumer(add.outputs[0]);
      }
    }
    attribute_map fused_attributes = conv.attributes;
    if (next >= 0 && !removed[next] && fusable_activation(g, g.nodes[next], fused_attributes)) f.act = next;
    if (f.act < 0 && f.add < 0) continue;
    // A layer with a precision constraint of its own keeps its own kernel, in its own type.
    auto constraint_of = [&](int n) {
      auto it = state.options.layer_precisions.find(g.nodes[n].name);
      return it == state.options.layer_precisions.end() ? MIRT_DTYPE_UNDEFINED : it->second;
    };
    if ((f.add >= 0 && constraint_of(f.add) != constraint_of(f.conv)) ||
        (f.act >= 0 && constraint_of(f.act) != constraint_of(f.conv)))
      continue;

    node candidate;
    candidate.name = conv.name;
    candidate.op_type = "FusedConv";
    candidate.domain = "mirt";
    candidate.inputs = conv.inputs;
    candidate.inputs.resize(4, -1);
    candidate.inputs[3] = f.residual;
    if (f.residual < 0) candidate.inputs.resize(conv.inputs.size());
    const int last = f.act >= 0 ? f.act : f.add;
    candidate.outputs = g.nodes[last].outputs;
    candidate.attributes = std::move(fused_attributes);
    node_view view(g, candidate, state.types, state.options.precision_flags);
    if (!state.target->tactics(view.info()).ok()) continue;  // the backend has no fused kernel

    g.nodes[c] = std::move(candidate);
    if (f.add >= 0) removed[f.add] = true;
    if (f.act >= 0) removed[f.act] = true;
    ++fused;
  }
  if (fused == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "fused ", fused, " Conv layers with their residual Add and/or activation");
  return {};
}

}  // namespace

pass make_fuse_conv_activation_pass() { return {"fuse conv activation", fuse}; }

}  // namespace mirt
