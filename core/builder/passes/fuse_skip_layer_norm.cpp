// core/builder/passes/fuse_skip_layer_norm.cpp — turns a residual Add feeding a LayerNormalization
// (Add(X, Skip) read by the LayerNormalization alone, X and Skip of one shape, no Mean/InvStdDev
// read) into one mirt::SkipLayerNormalization layer, where the target backend has a kernel for it.
//
// BERT-style encoders end both halves of every layer so (residual + sublayer output, then
// LayerNorm): the sum is never stored. As with FusedMatMul, each candidate is offered to the
// backend first (with FP16/BF16 in the reduced type too); a backend without it keeps the layers.
#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

bool standard(const node& n, const char* op) { return n.op_type == op && n.domain.empty(); }

// Same rank and, per dim, the same known extent where both are known. (Dynamic dims do not say
// whether they broadcast; with a static profile every dim is known here. A residual Add that does
// broadcast a dynamic dim at run time gets the kernels' clear shape error, not a wrong result.)
bool same_shape(const tensor_type& a, const tensor_type& b) {
  if (a.shape.size() != b.shape.size()) return false;
  for (size_t d = 0; d < a.shape.size(); ++d) {
    const dim &x = a.shape[d], &y = b.shape[d];
    if (x.known() && y.known() && x.value != y.value) return false;
    if (x.known() != y.known() && (x.known() ? x.value : y.value) == 1) return false;  // a 1 against a dynamic dim broadcasts
  }
  return true;
}

status fuse(build_state& state) {
  if (!state.options.layer_precisions.empty()) return {};  // constraints name the layers this would hide
  graph& g = state.network;
  const std::vector<int> readers = g.reader_counts();
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  std::vector<bool> removed(g.nodes.size(), false);
  size_t fused = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const node& ln = g.nodes[n];
    if (!standard(ln, "LayerNormalization") || ln.inputs.size() < 2) continue;
    bool stats_read = false;
    for (size_t o = 1; o < ln.outputs.size(); ++o)
      stats_read = stats_read || (ln.outputs[o] >= 0 && (readers[ln.outputs[o]] > 0 || g.tensors[ln.outputs[o]].is_output));
    const int sum = ln.inputs[0];
    const int add = g.tensors[sum].producer;
    if (stats_read || add < 0 || removed[add] || !standard(g.nodes[add], "Add") || g.nodes[add].inputs.size() != 2 ||
        readers[sum] != 1 || g.tensors[sum].is_output)
      continue;
    const int x = g.nodes[add].inputs[0], skip = g.nodes[add].inputs[1];
    if (state.types[x].dtype != MIRT_DTYPE_FLOAT32 || !same_shape(state.types[x], state.types[skip]) ||
        !same_shape(state.types[x], state.types[sum]))
      continue;

    node candidate;
    candidate.name = ln.name;
    candidate.op_type = "SkipLayerNormalization";
    candidate.domain = "mirt";
    candidate.inputs = {x, skip, ln.inputs[1], ln.inputs.size() > 2 ? ln.inputs[2] : -1};
    if (candidate.inputs.back() < 0) candidate.inputs.pop_back();
    candidate.outputs = {ln.outputs[0]};
    candidate.attributes.set(attribute{"axis", MIRT_ATTRIBUTE_TYPE_INT, {ln.attributes.get_int("axis", -1)}, {}, {}});
    candidate.attributes.set(attribute{"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {ln.attributes.get_float("epsilon", 1e-5f)}, {}});
    if (!state.target_runs(candidate)) continue;  // no fused kernel (in FP16/BF16: none in the reduced type either)
    g.nodes[n] = std::move(candidate);
    removed[add] = true;
    ++fused;
  }
  if (fused == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "fused ", fused, " residual Adds into SkipLayerNormalization layers");
  return {};
}

}  // namespace

pass make_fuse_skip_layer_norm_pass() { return {"fuse skip layer norm", fuse}; }

}  // namespace mirt
