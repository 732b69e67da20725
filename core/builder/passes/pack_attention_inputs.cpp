// core/builder/passes/pack_attention_inputs.cpp — gives a mirt::FusedAttention whose Q, K and V are
// three Linear layers over one input a single Linear layer instead: the three weight matrices side
// by side ([K, 3N]) and the three biases end to end, its output QKV [B, S, 3N] viewed as
// [B, S, 3, H, D], which the attention kernel reads in place (the packed form of FusedAttention).
//
// One GEMM of 3N columns in place of three of N reads the input once and launches once; at BERT's
// batch 1 the three small GEMMs were a fifth of the run. The pattern, after fuse_matmul_bias and
// fuse_attention:
//   Q4 = Reshape(FusedMatMul(X, Wq, bq), [B, S, H, D]), K4 and V4 alike, over the same X
//   Y  = FusedAttention(Q4, K4, V4 [, mask])
// Each intermediate must be read by the pattern alone; the Linear layers have no activation.
// The backend is asked first (in the reduced type with FP16/BF16, as fuse_attention does).
#include <cstring>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

bool is_op(const node& n, const char* domain, const char* op) { return n.op_type == op && n.domain == domain; }

struct linear {
  int reshape = -1, matmul = -1;  // node indices
};

struct readers_index {
  std::vector<int> count;
  explicit readers_index(const graph& g) : count(g.reader_counts()) {}
};

// t = Reshape(FusedMatMul(X, W, b)) with no activation, W [K, N] and b [N] float32 constants,
// both intermediates read once; else nothing.
std::optional<linear> linear_behind(const graph& g, const readers_index& r, int t) {
  linear l;
  l.reshape = g.tensors[t].producer;
  if (l.reshape < 0 || !is_op(g.nodes[l.reshape], "", "Reshape") || r.count[t] != 1 || g.tensors[t].is_output) return std::nullopt;
  const int h = g.nodes[l.reshape].inputs[0];
  l.matmul = g.tensors[h].producer;
  if (l.matmul < 0 || r.count[h] != 1 || g.tensors[h].is_output) return std::nullopt;
  const node& mm = g.nodes[l.matmul];
  if (!is_op(mm, "mirt", "FusedMatMul") || mm.inputs.size() != 3 || mm.attributes.get_string("activation", "") != "")
    return std::nullopt;
  const tensor &w = g.tensors[mm.inputs[1]], &b = g.tensors[mm.inputs[2]];
  if (w.constant < 0 || w.dtype != MIRT_DTYPE_FLOAT32 || w.shape.size() != 2 || !w.shape[0].known() || !w.shape[1].known())
    return std::nullopt;
  if (b.constant < 0 || b.dtype != MIRT_DTYPE_FLOAT32 || b.shape.size() != 1 || !(b.shape[0] == w.shape[1])) return std::nullopt;
  return l;
}

int add_constant(graph& g, const std::string& name, mirt_dtype dtype, const std::vector<int64_t>& shape, const void* data, size_t bytes) {
  tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = make_dims(shape);
  t.rank_known = true;
  t.constant = static_cast<int>(g.constants.size());
  g.constants.push_back(constant_buffer::copy_of(data, bytes));
  return g.add_tensor(std::move(t));
}

int add_activation(graph& g, const std::string& name, mirt_dtype dtype) {
  tensor t;
  t.name = name;
  t.dtype = dtype;
  return g.add_tensor(std::move(t));
}

// Whether the target runs the packed layer (in the reduced type with FP16/BF16, as fuse_attention
// asks): a probe node over a graph of its tensors.
bool target_runs_packed(const build_state& state, const node& fused, const tensor_type& qkv, int mask) {
  graph probe;
  std::vector<tensor_type> types = {qkv, tensor_type{qkv.dtype, dims{qkv.shape[0], qkv.shape[1], qkv.shape[3], qkv.shape[4]}, true, std::nullopt}};
  probe.tensors.resize(2);
  node n = fused;
  n.inputs = {0, -1, -1};
  n.outputs = {1};
  if (mask >= 0) {
    probe.tensors.emplace_back();
    types.push_back(state.types[mask]);
    n.inputs.push_back(2);
  }
  return state.target_runs_as(probe, n, std::move(types), state.reduced_dtype());
}

// [K, N] matrices side by side into [K, 3N]; vectors of N end to end.
std::vector<float> side_by_side(const graph& g, const int (&w)[3], int64_t k, int64_t n) {
  std::vector<float> out(size_t(k * 3 * n));
  for (int i = 0; i < 3; ++i) {
    const float* src = static_cast<const float*>(g.constants[g.tensors[w[i]].constant].data());
    for (int64_t r = 0; r < k; ++r) std::memcpy(&out[size_t(r * 3 * n + i * n)], src + r * n, size_t(n) * sizeof(float));
  }
  return out;
}

status pack(build_state& state) {
  if (!state.options.layer_precisions.empty()) return {};  // constraints name the layers this would hide
  graph& g = state.network;
  const readers_index readers(g);
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  std::vector<bool> removed(g.nodes.size(), false);
  size_t packed = 0;
  const size_t original_nodes = g.nodes.size();
  for (size_t f = 0; f < original_nodes; ++f) {
    if (!is_op(g.nodes[f], "mirt", "FusedAttention") || g.nodes[f].inputs.size() < 3) continue;
    linear l[3];
    bool ok = true;
    for (int i = 0; i < 3 && ok; ++i) {
      const int t = g.nodes[f].inputs[i];
      std::optional<linear> found = t >= 0 ? linear_behind(g, readers, t) : std::nullopt;
      ok = found && !removed[found->reshape] && !removed[found->matmul];
      if (ok) l[i] = *found;
    }
    if (!ok) continue;
    const node &mq = g.nodes[l[0].matmul], &mk = g.nodes[l[1].matmul], &mv = g.nodes[l[2].matmul];
    const int x = mq.inputs[0];
    if (mk.inputs[0] != x || mv.inputs[0] != x) continue;
    const tensor_type &xt = state.types[x], &q4 = state.types[g.nodes[f].inputs[0]];
    const dims& w_shape = g.tensors[mq.inputs[1]].shape;
    const int64_t k = w_shape[0].value, n = w_shape[1].value;
    if (!(g.tensors[mk.inputs[1]].shape == w_shape) || !(g.tensors[mv.inputs[1]].shape == w_shape)) continue;
    // X [B, S, K] and Q4, K4, V4 all [B, S, H, D] with H D = N: the Reshape to [0, 0, 3, H, D] keeps B and S.
    if (xt.shape.size() != 3 || q4.shape.size() != 4 || !(q4.shape[0] == xt.shape[0]) || !(q4.shape[1] == xt.shape[1])) continue;
    if (!(state.types[g.nodes[f].inputs[1]].shape == q4.shape) || !(state.types[g.nodes[f].inputs[2]].shape == q4.shape)) continue;
    const int64_t heads = q4.shape[2].value, d = q4.shape[3].value;
    if (!q4.shape[2].known() || !q4.shape[3].known() || heads * d != n) continue;
    const int mask = g.nodes[f].inputs.size() > 3 ? g.nodes[f].inputs[3] : -1;
    const tensor_type qkv_type{xt.dtype, dims{xt.shape[0], xt.shape[1], dim{3, {}}, dim{heads, {}}, dim{d, {}}}, true, std::nullopt};
    if (!target_runs_packed(state, g.nodes[f], qkv_type, mask)) continue;

    const int weights[3] = {mq.inputs[1], mk.inputs[1], mv.inputs[1]}, biases[3] = {mq.inputs[2], mk.inputs[2], mv.inputs[2]};
    const std::vector<float> w = side_by_side(g, weights, k, n), b = side_by_side(g, biases, 1, n);
    const std::string base = mq.name + "/qkv";
    const int w_t = add_constant(g, base + "_weights", MIRT_DTYPE_FLOAT32, {k, 3 * n}, w.data(), w.size() * sizeof(float));
    const int b_t = add_constant(g, base + "_bias", MIRT_DTYPE_FLOAT32, {3 * n}, b.data(), b.size() * sizeof(float));
    const int64_t view_shape[5] = {0, 0, 3, heads, d};  // 0: Reshape copies the input's extent
    const int shape_t = add_constant(g, base + "_view_shape", MIRT_DTYPE_INT64, {5}, view_shape, sizeof(view_shape));
    const int qkv = add_activation(g, base, xt.dtype);
    const int qkv5 = add_activation(g, base + "_heads", xt.dtype);
    node& matmul = g.nodes[l[0].matmul];
    matmul.name = base;
    matmul.inputs = {x, w_t, b_t};
    matmul.outputs = {qkv};
    node& reshape = g.nodes[l[0].reshape];
    reshape.name = base + "_heads";
    reshape.inputs = {qkv, shape_t};
    reshape.outputs = {qkv5};
    reshape.attributes = attribute_map{};  // no allowzero: 0 copies B and S
    g.nodes[f].inputs = {qkv5, -1, -1};
    if (mask >= 0) g.nodes[f].inputs.push_back(mask);
    for (int i = 1; i < 3; ++i) removed[l[i].reshape] = removed[l[i].matmul] = true;
    ++packed;
  }
  if (packed == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "packed the Q, K and V Linear layers of ", packed, " FusedAttention layers into one each");
  return {};
}

}  // namespace

pass make_pack_attention_inputs_pass() { return {"pack attention inputs", pack}; }

}  // namespace mirt
