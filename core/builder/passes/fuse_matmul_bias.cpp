// core/builder/passes/fuse_matmul_bias.cpp — turns MatMul (constant 2-D B) + Add (constant bias
// [N]) [+ Relu, Gelu, or GELU spelled out with Erf] into one mirt::FusedMatMul layer, where the
// target backend has a kernel for it.
//
// This is how ONNX exporters write a Linear layer (and BERT's FFN). As with FusedConv, each
// candidate is offered to the backend first; a backend without the kernel keeps the layers as they
// were.
#include <cmath>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

bool standard(const node& n, const char* op) { return n.op_type == op && n.domain.empty(); }

// The value of a float32 constant with one element, or NaN.
float scalar_value(const graph& g, int t) {
  if (t < 0) return NAN;
  const tensor& x = g.tensors[t];
  if (x.constant < 0 || x.dtype != MIRT_DTYPE_FLOAT32 || element_count(x.shape) != 1) return NAN;
  return *static_cast<const float*>(g.constants[x.constant].data());
}

bool near(float v, double expected) { return std::fabs(v - expected) <= 1e-5 * std::fabs(expected); }

struct consumers_of {
  std::vector<std::vector<int>> nodes;  // per tensor, the nodes reading it
  const graph& g;
  explicit consumers_of(const graph& graph_) : nodes(graph_.tensors.size()), g(graph_) {
    for (size_t n = 0; n < g.nodes.size(); ++n)
      for (int t : g.nodes[n].inputs)
        if (t >= 0) nodes[t].push_back(static_cast<int>(n));
  }
  // The node that alone reads tensor t, when t is no graph output; else -1.
  int sole(int t) const { return nodes[t].size() == 1 && !g.tensors[t].is_output ? nodes[t][0] : -1; }
};

// Mul's other operand than t, or -1.
int other_operand(const node& mul, int t) {
  if (mul.inputs.size() != 2) return -1;
  return mul.inputs[0] == t ? mul.inputs[1] : mul.inputs[1] == t ? mul.inputs[0] : -1;
}

// GELU as exporters spell it out on h: h * 0.5 * (1 + erf(h / sqrt 2)), in either order of the two
// Muls (PyTorch: Mul(Mul(h, 1 + erf), 0.5); Hugging Face: Mul(Mul(h, 0.5), 1 + erf)); h / sqrt 2
// may be a Mul by 1 / sqrt 2. Returns the nodes it spans (last one last), or nothing.
std::vector<int> erf_gelu(const graph& g, const consumers_of& c, int h) {
  if (g.tensors[h].is_output || c.nodes[h].size() != 2) return {};
  for (int k = 0; k < 2; ++k) {
    const int scale = c.nodes[h][k], mul = c.nodes[h][1 - k];
    const node& s = g.nodes[scale];
    const bool div = standard(s, "Div") && s.inputs.size() == 2 && s.inputs[0] == h && near(scalar_value(g, s.inputs[1]), std::sqrt(2.0));
    const bool mul_scale = standard(s, "Mul") && near(scalar_value(g, other_operand(s, h)), std::sqrt(0.5));
    if (!div && !mul_scale) continue;
    const int erf = c.sole(s.outputs[0]);
    if (erf < 0 || !standard(g.nodes[erf], "Erf")) continue;
    const int plus = c.sole(g.nodes[erf].outputs[0]);
    if (plus < 0 || !standard(g.nodes[plus], "Add") || !near(scalar_value(g, other_operand(g.nodes[plus], g.nodes[erf].outputs[0])), 1.0))
      continue;
    const int one_plus_erf = g.nodes[plus].outputs[0];
    if (!standard(g.nodes[mul], "Mul")) continue;
    const int with = other_operand(g.nodes[mul], h);
    const int last = c.sole(g.nodes[mul].outputs[0]);
    if (last < 0 || !standard(g.nodes[last], "Mul")) continue;
    const int last_other = other_operand(g.nodes[last], g.nodes[mul].outputs[0]);
    if (with == one_plus_erf && near(scalar_value(g, last_other), 0.5) && c.sole(one_plus_erf) == mul)
      return {scale, erf, plus, mul, last};
    if (near(scalar_value(g, with), 0.5) && last_other == one_plus_erf && c.sole(one_plus_erf) == last)
      return {scale, erf, plus, mul, last};
  }
  return {};
}

status fuse(build_state& state) {
  // Per-layer precision constraints name the layers this pass would hide: no fusion with them.
  if (!state.options.layer_precisions.empty()) return {};
  // Reduced precision is the precision pass's choice per layer, which runs after this one: with
  // FP16 or BF16 a candidate is fused only where the backend runs it in that type too (cuda), so
  // that fusing never pins a layer to float32 (the cpu's FusedMatMul is float32 only).
  graph& g = state.network;
  const consumers_of c(g);
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  std::vector<bool> removed(g.nodes.size(), false);
  size_t fused = 0;
  for (size_t m = 0; m < g.nodes.size(); ++m) {
    const node& matmul = g.nodes[m];
    if (!standard(matmul, "MatMul") || removed[m] || matmul.inputs.size() != 2) continue;
    const tensor& b = g.tensors[matmul.inputs[1]];
    if (b.constant < 0 || b.dtype != MIRT_DTYPE_FLOAT32 || b.shape.size() != 2 || !b.shape[1].known()) continue;
    const int add = c.sole(matmul.outputs[0]);
    if (add < 0 || removed[add] || !standard(g.nodes[add], "Add")) continue;
    const int bias = other_operand(g.nodes[add], matmul.outputs[0]);
    if (bias < 0 || g.tensors[bias].constant < 0 || g.tensors[bias].dtype != MIRT_DTYPE_FLOAT32 ||
        g.tensors[bias].shape.size() != 1 || !(g.tensors[bias].shape[0] == b.shape[1]))
      continue;
    std::vector<int> spanned = {add};
    std::string activation;
    const int h = g.nodes[add].outputs[0];
    const int next = c.sole(h);
    if (next >= 0 && standard(g.nodes[next], "Relu")) {
      activation = "Relu";
      spanned.push_back(next);
    } else if (next >= 0 && standard(g.nodes[next], "Gelu") && g.nodes[next].attributes.get_string("approximate", "none") == "none") {
      activation = "Gelu";
      spanned.push_back(next);
    } else if (std::vector<int> gelu = erf_gelu(g, c, h); !gelu.empty()) {
      activation = "Gelu";
      spanned.insert(spanned.end(), gelu.begin(), gelu.end());
    }
    bool taken = false;
    for (int n : spanned) taken = taken || removed[n];
    if (taken) continue;

    node candidate;
    candidate.name = matmul.name;
    candidate.op_type = "FusedMatMul";
    candidate.domain = "mirt";
    candidate.inputs = {matmul.inputs[0], matmul.inputs[1], bias};
    candidate.outputs = g.nodes[spanned.back()].outputs;
    candidate.attributes.set(attribute{"activation", MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {activation}});
    if (!state.target_runs(candidate)) continue;  // the backend has no fused kernel (in this precision)

    g.nodes[m] = std::move(candidate);
    for (int n : spanned) removed[n] = true;
    ++fused;
  }
  if (fused == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "fused ", fused, " MatMul layers with their bias Add and activation");
  return {};
}

}  // namespace

pass make_fuse_matmul_bias_pass() { return {"fuse matmul bias", fuse}; }

}  // namespace mirt
