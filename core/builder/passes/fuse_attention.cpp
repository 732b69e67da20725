// core/builder/passes/fuse_attention.cpp — turns exported multi-head attention into one
// mirt::FusedAttention layer, where the target backend has a kernel for it.
//
// The pattern is what the TorchScript exporter writes for BERT-style attention (Hugging Face's
// eager attention, hand-written encoders):
//   Q4, K4, V4 [B, S, H, D]                      (the Reshape of each Linear output)
//   q = Transpose(Q4, 0 2 1 3); kt = Transpose(K4, 0 2 3 1) or Transpose(Transpose(K4, 0 2 1 3), 0 1 3 2)
//   s = MatMul(q, kt) [Div by c | Mul by c] [Add mask]; p = Softmax(s, axis -1)
//   v = Transpose(V4, 0 2 1 3); y = Transpose(MatMul(p, v), 0 2 1 3) [B, S, H, D]
// The layer reads Q4/K4/V4 and writes y in place of the last Transpose: the head transposes, the
// scores and the probabilities are never stored. Every intermediate must be read by the pattern
// alone. As with FusedMatMul, each candidate is offered to the backend first (in the reduced type
// with FP16/BF16, where the layer then anchors a reduced region); a backend without the kernel
// keeps the layers as they were.
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

struct pattern_index {
  const graph& g;
  std::vector<std::vector<int>> readers;  // per tensor, the nodes reading it
  explicit pattern_index(const graph& graph_) : g(graph_), readers(graph_.tensors.size()) {
    for (size_t n = 0; n < g.nodes.size(); ++n)
      for (int t : g.nodes[n].inputs)
        if (t >= 0) readers[t].push_back(static_cast<int>(n));
  }
  // The node producing t when it is a standard `op` and t is read by node `reader` alone (and is
  // no graph output); else -1.
  int private_producer(int t, const char* op) const {
    if (t < 0 || g.tensors[t].is_output || readers[t].size() != 1) return -1;
    const int p = g.tensors[t].producer;
    return p >= 0 && standard(g.nodes[p], op) ? p : -1;
  }
  // The node producing t when it is a standard `op`, whoever else reads t; else -1.
  int producer(int t, const char* op) const {
    const int p = t >= 0 ? g.tensors[t].producer : -1;
    return p >= 0 && standard(g.nodes[p], op) ? p : -1;
  }
  // The node that alone reads t (t no graph output), else -1.
  int sole_reader(int t) const { return readers[t].size() == 1 && !g.tensors[t].is_output ? readers[t][0] : -1; }
  bool transpose_with(int n, std::vector<int64_t> perm) const {
    return n >= 0 && g.nodes[n].inputs.size() == 1 && g.nodes[n].attributes.get_ints("perm") == perm;
  }
};

const std::vector<int64_t> k_heads_first = {0, 2, 1, 3};  // [B, S, H, D] <-> [B, H, S, D]

// The [B, S, H, D] tensor behind q (or v): Transpose(x, 0 2 1 3); appends the Transpose to
// `spanned`. -1 when q is not that. The head transposes may have other readers (exporters read
// key.shape[-2] for the mask's Slice): the fused layer reads x, and such a Transpose stays for them.
int heads_input(const pattern_index& ix, int t, std::vector<int>& spanned) {
  const int tr = ix.producer(t, "Transpose");
  if (!ix.transpose_with(tr, k_heads_first)) return -1;
  spanned.push_back(tr);
  return ix.g.nodes[tr].inputs[0];
}

// The [B, S, H, D] tensor behind K^T: Transpose(K4, 0 2 3 1), or Transpose(Transpose(K4, 0 2 1 3), 0 1 3 2).
int key_input(const pattern_index& ix, int t, std::vector<int>& spanned) {
  const int tr = ix.producer(t, "Transpose");
  if (ix.transpose_with(tr, {0, 2, 3, 1})) {
    spanned.push_back(tr);
    return ix.g.nodes[tr].inputs[0];
  }
  if (!ix.transpose_with(tr, {0, 1, 3, 2})) return -1;
  const int k = heads_input(ix, ix.g.nodes[tr].inputs[0], spanned);
  if (k >= 0) spanned.push_back(tr);
  return k;
}

// The MatMul behind scores t, directly or through a Div/Mul by a constant scalar; else -1.
int scores_matmul(const pattern_index& ix, int t) {
  if (const int mm = ix.private_producer(t, "MatMul"); mm >= 0) return mm;
  int s = ix.private_producer(t, "Div");
  if (s < 0) s = ix.private_producer(t, "Mul");
  if (s < 0 || ix.g.nodes[s].inputs.size() != 2) return -1;
  for (int x : ix.g.nodes[s].inputs)
    if (const int mm = ix.private_producer(x, "MatMul"); mm >= 0) return mm;
  return -1;
}

struct match {
  node fused;
  std::vector<int> spanned;  // every node it replaces, the first (the Softmax) kept as its slot
};

// The pattern around Softmax node sm, or nothing.
std::optional<match> match_at(const pattern_index& ix, const std::vector<tensor_type>& types, int sm) {
  const graph& g = ix.g;
  const node& softmax = g.nodes[sm];
  if (!standard(softmax, "Softmax") || softmax.inputs.size() != 1) return std::nullopt;
  const tensor_type& st = types[softmax.inputs[0]];
  const int64_t axis = softmax.attributes.get_int("axis", -1);
  if (st.shape.size() != 4 || (axis != -1 && axis != 3)) return std::nullopt;
  match m;
  m.spanned.push_back(sm);
  // Backwards from the scores: [Add mask] [Div/Mul by a constant] MatMul.
  int t = softmax.inputs[0], mask = -1;
  float scale = 1.f;
  if (const int add = ix.private_producer(t, "Add"); add >= 0) {
    const node& a = g.nodes[add];
    if (a.inputs.size() != 2) return std::nullopt;
    // The scores are the operand produced by the scale or the MatMul; the other is the mask.
    int scores_at = -1;
    for (int k = 0; k < 2 && scores_at < 0; ++k)
      if (scores_matmul(ix, a.inputs[k]) >= 0) scores_at = k;
    if (scores_at < 0) return std::nullopt;
    mask = a.inputs[1 - scores_at];
    t = a.inputs[scores_at];
    m.spanned.push_back(add);
  }
  if (const int div = ix.private_producer(t, "Div"); div >= 0) {
    const float c = scalar_value(g, g.nodes[div].inputs.size() == 2 ? g.nodes[div].inputs[1] : -1);
    if (!std::isfinite(c) || c == 0.f) return std::nullopt;
    scale = 1.f / c;
    t = g.nodes[div].inputs[0];
    m.spanned.push_back(div);
  } else if (const int mul = ix.private_producer(t, "Mul"); mul >= 0) {
    const node& n = g.nodes[mul];
    if (n.inputs.size() != 2) return std::nullopt;
    const int k = std::isfinite(scalar_value(g, n.inputs[1])) ? 1 : 0;
    scale = scalar_value(g, n.inputs[k]);
    if (!std::isfinite(scale)) return std::nullopt;
    t = n.inputs[1 - k];
    m.spanned.push_back(mul);
  }
  const int qk = ix.private_producer(t, "MatMul");
  if (qk < 0 || g.nodes[qk].inputs.size() != 2) return std::nullopt;
  m.spanned.push_back(qk);
  const int q = heads_input(ix, g.nodes[qk].inputs[0], m.spanned);
  const int k = key_input(ix, g.nodes[qk].inputs[1], m.spanned);
  if (q < 0 || k < 0) return std::nullopt;
  // Forwards from the probabilities: MatMul with V, then the heads back in place.
  // Inference no-ops an exporter may leave between Softmax and the MatMul: Identity, Dropout.
  int probs = softmax.outputs[0], pv = ix.sole_reader(probs);
  while (pv >= 0 && (standard(g.nodes[pv], "Identity") || standard(g.nodes[pv], "Dropout")) &&
         (g.nodes[pv].inputs.size() < 3 || g.nodes[pv].inputs[2] < 0) &&  // Dropout: no training_mode input
         (g.nodes[pv].outputs.size() == 1 || g.nodes[pv].outputs[1] < 0 || ix.readers[g.nodes[pv].outputs[1]].empty())) {
    m.spanned.push_back(pv);
    probs = g.nodes[pv].outputs[0];
    pv = ix.sole_reader(probs);
  }
  if (pv < 0 || !standard(g.nodes[pv], "MatMul") || g.nodes[pv].inputs.size() != 2 || g.nodes[pv].inputs[0] != probs)
    return std::nullopt;
  m.spanned.push_back(pv);
  const int v = heads_input(ix, g.nodes[pv].inputs[1], m.spanned);
  if (v < 0) return std::nullopt;
  const int back = ix.sole_reader(g.nodes[pv].outputs[0]);
  if (back < 0 || !standard(g.nodes[back], "Transpose") || !ix.transpose_with(back, k_heads_first)) return std::nullopt;
  m.spanned.push_back(back);
  for (int x : {q, k, v})
    if (types[x].shape.size() != 4 || types[x].dtype != MIRT_DTYPE_FLOAT32) return std::nullopt;
  if (mask >= 0 && (types[mask].dtype != MIRT_DTYPE_FLOAT32 || types[mask].shape.size() > 4)) return std::nullopt;

  m.fused.name = softmax.name;
  m.fused.op_type = "FusedAttention";
  m.fused.domain = "mirt";
  m.fused.inputs = {q, k, v};
  if (mask >= 0) m.fused.inputs.push_back(mask);
  m.fused.outputs = g.nodes[back].outputs;
  m.fused.attributes.set(attribute{"scale", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {scale}, {}});
  return m;
}

status fuse(build_state& state) {
  // Per-layer precision constraints name the layers this pass would hide: no fusion with them.
  if (!state.options.layer_precisions.empty()) return {};
  graph& g = state.network;
  const pattern_index ix(g);
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  std::vector<bool> removed(g.nodes.size(), false);
  size_t fused = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    std::optional<match> m = match_at(ix, state.types, int(n));
    if (!m) continue;
    bool taken = false;
    for (int s : m->spanned) taken = taken || removed[s];
    if (taken) continue;
    // Float32 plans need a float32 kernel. With FP16/BF16 the layer is a precision anchor (it runs
    // in the reduced type), so the backend needs only that kernel (cuda has no float32 one: there
    // cuBLASLt's products beat a fused kernel).
    if (!state.target_runs_as(g, m->fused, state.types, state.reduced_dtype())) continue;
    // The spanned nodes go, except a head Transpose on the input side that something outside
    // the pattern also reads (a Shape). The last one, the Transpose that puts the heads back, always
    // goes: the fused layer writes its output.
    std::vector<bool> in_pattern(g.nodes.size(), false);
    for (int s : m->spanned) in_pattern[s] = true;
    g.nodes[n] = std::move(m->fused);
    for (size_t s = 1; s < m->spanned.size(); ++s) {
      bool private_outputs = true;
      const bool head_transpose = standard(g.nodes[m->spanned[s]], "Transpose") && s + 1 < m->spanned.size();
      for (int t : g.nodes[m->spanned[s]].outputs) {
        if (t < 0 || !head_transpose) continue;
        private_outputs = private_outputs && !g.tensors[t].is_output;
        for (int r : ix.readers[t]) private_outputs = private_outputs && in_pattern[r];
      }
      removed[m->spanned[s]] = private_outputs;
    }
    ++fused;
  }
  if (fused == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "fused ", fused, " attention patterns into FusedAttention layers");
  return {};
}

}  // namespace

pass make_fuse_attention_pass() { return {"fuse attention", fuse}; }

}  // namespace mirt
