// backends/cuda/ops/onnx_attention.cpp — ONNX Attention (opsets 23/24): 3-D ([B, S, H * D], with
// q_num_heads and kv_num_heads) or 4-D ([B, H, S, D]) inputs, grouped-query heads, attn_mask (bool
// or the data dtype, broadcasting, shorter than the keys), is_causal, scale, softcap, past_key /
// past_value with present_key / present_value, nonpad_kv_seqlen and qk_matmul_output_mode 0 to 3.
//
// Two tactics: cuda_attention_fused runs the tensor-core FusedAttention kernel (kernels/attention.cu,
// used as is) where the node is plain scaled attention on 3-D inputs (one K/V head per query head,
// no cache, causal, softcap, nonpad or extra outputs, a float mask of the full key length or none);
// at shapes it cannot take (head sizes above 256) it runs the general path. cuda_attention is the
// general path (kernels/onnx_attention.cu) for every node, float64 included. FlexAttention runs
// on the general path too.
#include <cmath>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/attention.hpp"
#include "backends/cuda/kernels/onnx_attention.hpp"

namespace mirt::cuda {
namespace {

struct attention_attrs {
  bool causal = false;
  int64_t q_heads = 0, kv_heads = 0;  // given for 3-D inputs
  int64_t mode = 0;
  bool has_scale = false;
  float scale = 1.f, softcap = 0.f;
  bool float_default_scale = false;  // FlexAttention: 1 / sqrt(head size) taken in float32
  bool double_compute = false;       // FlexAttention's softmax_precision 11
};

// Element strides over (batch, head, position) of a [B, H, S, D] or [B, S, H * D] tensor.
bhs_strides strides_of(const dtensor& t, int64_t heads, int64_t d) {
  if (t.rank() == 4) return {t.shape[1] * t.shape[2] * d, t.shape[2] * d, d};
  return {t.shape[1] * heads * d, d, heads * d};
}

class onnx_attention_kernel final : public kernel {
 public:
  onnx_attention_kernel(attention_attrs a, bool try_fused) : a_(a), try_fused_(try_fused) {}

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>&) const override {
    if (in.size() < 3 || in[0].empty() || in[1].empty()) return 0;
    const dims &q = in[0], &k = in[1];
    const bool three_d = q.size() == 3;
    const int64_t past = in.size() > 4 && in[4].size() == 4 ? in[4][2] : 0;
    const int64_t hq = three_d ? a_.q_heads : q[1], sq = q[three_d ? 1 : 2], skv = k[three_d ? 1 : 2];
    if (try_fused_ && fused_fits(in)) return 0;
    // The dtype is not known here: float64's 8 bytes a score cover every dtype.
    return onnx_attention_workspace(true, q[0], hq, sq, past + skv);
  }

  void execute(const exec_args& args) const override {
    const dtensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2), &y = args.out.at(0);
    const dtensor &mask = args.input(3), &past_k = args.input(4), &past_v = args.input(5), &nonpad = args.input(6);
    const bool three_d = q.rank() == 3;
    if (k.rank() != q.rank() || v.rank() != q.rank() || (q.rank() != 3 && q.rank() != 4))
      fail(MIRT_STATUS_INVALID_SHAPE, "Q ", dims_string(q.shape), ", K ", dims_string(k.shape), " and V ", dims_string(v.shape),
           " must all be 3-D or all 4-D");
    onnx_attention_params p;
    p.dtype = q.dtype;
    p.batch = q.shape[0];
    p.hq = three_d ? a_.q_heads : q.shape[1];
    p.hkv = three_d ? a_.kv_heads : k.shape[1];
    p.sq = q.shape[three_d ? 1 : 2];
    p.skv = k.shape[three_d ? 1 : 2];
    if (p.hq <= 0 || p.hkv <= 0 || p.hq % p.hkv != 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "query heads ", p.hq, " are not a positive multiple of key/value heads ", p.hkv);
    if (three_d && (q.shape[2] % p.hq != 0 || k.shape[2] % p.hkv != 0 || v.shape[2] % p.hkv != 0))
      fail(MIRT_STATUS_INVALID_SHAPE, "the hidden sizes of Q ", dims_string(q.shape), ", K ", dims_string(k.shape), " and V ",
           dims_string(v.shape), " do not split into ", p.hq, " and ", p.hkv, " heads");
    p.dh = three_d ? q.shape[2] / p.hq : q.shape[3];
    p.dv = three_d ? v.shape[2] / p.hkv : v.shape[3];
    const int64_t kd = three_d ? k.shape[2] / p.hkv : k.shape[3];
    if (kd != p.dh || k.shape[0] != p.batch || v.shape[0] != p.batch || v.shape[three_d ? 1 : 2] != p.skv ||
        (!three_d && v.shape[1] != p.hkv))
      fail(MIRT_STATUS_INVALID_SHAPE, "Q ", dims_string(q.shape), ", K ", dims_string(k.shape), " and V ", dims_string(v.shape),
           " do not agree on batch, heads, key count and head size");
    if (past_k.present() != past_v.present()) fail(MIRT_STATUS_INVALID_ARGUMENT, "past_key and past_value come together");
    if (past_k.present()) {
      p.past = past_k.rank() == 4 ? past_k.shape[2] : -1;
      if (past_k.shape != dims{p.batch, p.hkv, p.past, p.dh} || past_v.shape != dims{p.batch, p.hkv, p.past, p.dv})
        fail(MIRT_STATUS_INVALID_SHAPE, "past_key ", dims_string(past_k.shape), " and past_value ", dims_string(past_v.shape),
             " are not [", p.batch, ", ", p.hkv, ", P, ", p.dh, "] and [..., ", p.dv, "]");
      p.past_k = past_k.data, p.past_v = past_v.data;
    }
    const int64_t total = p.past + p.skv;
    if (try_fused_ && run_fused(args, p)) return;
    p.q = q.data, p.k = k.data, p.v = v.data, p.y = y.data;
    p.qs = strides_of(q, p.hq, p.dh), p.ks = strides_of(k, p.hkv, p.dh), p.vs = strides_of(v, p.hkv, p.dv);
    p.ys = three_d ? bhs_strides{p.sq * p.hq * p.dv, p.dv, p.hq * p.dv} : bhs_strides{p.hq * p.sq * p.dv, p.sq * p.dv, p.dv};
    if (y.numel() != p.batch * p.hq * p.sq * p.dv) fail(MIRT_STATUS_INVALID_SHAPE, "output 0 ", dims_string(y.shape), " has the wrong size");
    if (mask.present()) {
      if (mask.rank() < 1 || mask.rank() > 4) fail(MIRT_STATUS_INVALID_SHAPE, "attn_mask ", dims_string(mask.shape), " is not 1-D to 4-D");
      p.mask_keys = mask.shape.back();
      const dims st = broadcast_strides(mask.shape, dims{p.batch, p.hq, p.sq, p.mask_keys});
      for (size_t d = 0; d < 4; ++d) p.mask_strides[d] = st[d];
      p.mask = mask.data;
      p.mask_bool = mask.dtype == MIRT_DTYPE_BOOL;
    }
    if (nonpad.present()) {
      if (nonpad.numel() != p.batch)
        fail(MIRT_STATUS_INVALID_SHAPE, "input 6 (nonpad_kv_seqlen) has ", nonpad.numel(), " values, expected ", p.batch);
      p.nonpad = nonpad.as<const int64_t>();
    }
    for (size_t o = 1; o <= 3; ++o) {
      if (args.out.size() <= o || args.out[o].data == nullptr) continue;
      const int64_t want = o == 3 ? p.batch * p.hq * p.sq * total : p.batch * p.hkv * total * (o == 1 ? p.dh : p.dv);
      if (args.out[o].numel() != want) fail(MIRT_STATUS_INVALID_SHAPE, "output ", o, " ", dims_string(args.out[o].shape), " has the wrong size");
      (o == 1 ? p.present_k : o == 2 ? p.present_v : p.qk) = args.out[o].data;
    }
    p.mode = int(a_.mode);
    p.scale = a_.has_scale            ? a_.scale
              : a_.float_default_scale ? 1.0f / std::sqrt(float(p.dh))
                                       : float(1.0 / std::sqrt(double(p.dh)));
    p.softcap = a_.softcap;
    p.causal = a_.causal;
    p.double_compute = a_.double_compute;
    const size_t need = onnx_attention_workspace(p.dtype == MIRT_DTYPE_FLOAT64 || p.double_compute, p.batch, p.hq, p.sq, total);
    if (need > 0 && (args.workspace == nullptr || args.workspace_size < need))
      fail(MIRT_STATUS_FAILED_PRECONDITION, "the scores need ", need, " bytes of workspace, the call has ", args.workspace_size);
    p.workspace = args.workspace;
    throw_if_failed(launch_onnx_attention(p, args.stream));
  }

 private:
  // The fused tactic's static conditions hold (supports); at these shapes the kernel takes it too.
  bool fused_fits(const std::vector<dims>& in) const {
    const dims &q = in[0], &v = in[2];
    if (q.size() != 3 || q[2] % a_.q_heads != 0 || v[2] % a_.kv_heads != 0) return false;
    const int64_t dk = q[2] / a_.q_heads, dv = v[2] / a_.kv_heads;
    if (dk < 1 || dk > 256 || dv > 256) return false;
    if (in.size() > 3 && !in[3].empty() && (in[3].size() > 4 || in[3].back() != in[1][1])) return false;
    return true;
  }

  bool run_fused(const exec_args& args, const onnx_attention_params& g) const {
    std::vector<dims> shapes;
    for (const dtensor& t : args.in) shapes.push_back(t.present() ? t.shape : dims{});
    if (!fused_fits(shapes) || g.past > 0) return false;
    const dtensor &q = args.in[0], &k = args.in[1], &v = args.in[2], &mask = args.input(3), &y = args.out.at(0);
    attention_params p;
    p.dtype = q.dtype;
    p.q = q.data, p.k = k.data, p.v = v.data, p.y = y.data;
    p.batch = g.batch, p.sq = g.sq, p.skv = g.skv, p.heads = g.hq, p.dk = g.dh, p.dv = g.dv;
    p.scale = a_.has_scale ? a_.scale : float(1.0 / std::sqrt(double(g.dh)));
    if (mask.present()) {
      const dims st = broadcast_strides(mask.shape, dims{g.batch, g.hq, g.sq, g.skv});
      for (size_t d = 0; d < 4; ++d) p.mask_strides[d] = st[d];
      p.mask = mask.data;
    }
    throw_if_failed(launch_attention(p, args.stream));
    return true;
  }

  attention_attrs a_;
  bool try_fused_;
};

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16;

bool attention_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {F32, F64, F16, BF16}, why)) return false;
  for (size_t i : {1, 2, 4, 5})
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  if (node.has_input(3) && !input_dtype_in(node, 3, {node.input_dtype(0), MIRT_DTYPE_BOOL}, why)) return false;
  return !node.has_input(6) || input_dtype_in(node, 6, {MIRT_DTYPE_INT64}, why);
}

// Plain scaled attention on 3-D inputs: what the FusedAttention kernel computes.
bool fused_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {F32, F16, BF16}, why) || !attention_supports(node, why)) return false;
  if (node.input(0).rank != 3) {
    why = "4-D inputs ([B, H, S, D]; the fused kernel reads [B, S, H, D])";
    return false;
  }
  if (node.attr_int("is_causal", 0) != 0 || node.attr_float("softcap", 0) != 0.f) {
    why = "is_causal or softcap";
    return false;
  }
  if (node.attr_int("q_num_heads", 0) != node.attr_int("kv_num_heads", 0)) {
    why = "grouped-query heads (q_num_heads differs from kv_num_heads)";
    return false;
  }
  for (size_t i : {4, 5, 6})
    if (node.has_input(i)) {
      why = "a KV cache or nonpad_kv_seqlen";
      return false;
    }
  if (node.has_input(3) && node.input_dtype(3) == MIRT_DTYPE_BOOL) {
    why = "a bool attn_mask";
    return false;
  }
  bool extra_outputs = false;
  for (size_t o = 1; o < node.num_outputs(); ++o) extra_outputs = extra_outputs || node.output_dtype(o) != MIRT_DTYPE_UNDEFINED;
  if (extra_outputs) {
    why = "present_key, present_value or qk_matmul_output wanted";
    return false;
  }
  return true;
}

std::unique_ptr<kernel> make_attention(const node_view& node, bool try_fused) {
  attention_attrs a;
  a.causal = node.attr_int("is_causal", 0) != 0;
  a.q_heads = node.attr_int("q_num_heads", 0);
  a.kv_heads = node.attr_int("kv_num_heads", 0);
  a.mode = node.attr_int("qk_matmul_output_mode", 0);
  a.has_scale = node.has_attr("scale");
  a.scale = node.attr_float("scale", 1.f);
  a.softcap = node.attr_float("softcap", 0.f);
  if (a.mode < 0 || a.mode > 3) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'qk_matmul_output_mode' is ", a.mode, ", expected 0 to 3");
  if (node.input(0).rank == 3 && (a.q_heads <= 0 || a.kv_heads <= 0))
    fail(MIRT_STATUS_INVALID_GRAPH, "3-D inputs need positive q_num_heads and kv_num_heads");
  return std::make_unique<onnx_attention_kernel>(a, try_fused);
}

// FlexAttention (ai.onnx.preview) without score or probability modifiers (the parser refuses
// them): plain attention on 4-D inputs with grouped-query heads, on the general path.
bool flex_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {F32, F64, F16, BF16}, why)) return false;
  for (size_t i : {1, 2})
    if (!input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  if (node.num_inputs() > 3 || node.input(0).rank != 4) {
    why = "FlexAttention takes Q, K and V, 4-D";
    return false;
  }
  return true;
}

std::unique_ptr<kernel> make_flex_attention(const node_view& node) {
  attention_attrs a;
  a.has_scale = node.has_attr("scale");
  a.scale = node.attr_float("scale", 1.f);
  a.float_default_scale = true;
  a.double_compute = node.attr_int("softmax_precision", 1) == 11;
  return std::make_unique<onnx_attention_kernel>(a, false);
}

}  // namespace

void add_onnx_attention_ops(std::vector<op_entry>& t) {
  t.push_back({"Attention", "cuda_attention_fused", fused_supports,
               [](const node_view& node) { return make_attention(node, true); }});
  t.push_back({"Attention", "cuda_attention", attention_supports, [](const node_view& node) { return make_attention(node, false); }});
  t.push_back({"FlexAttention", "cuda_flex_attention", flex_supports, make_flex_attention});
}

}  // namespace mirt::cuda
