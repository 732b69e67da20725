// backends/cuda/ops/attention.cpp — mirt::FusedAttention (made by the builder's attention fusion
// pass, packed by pack_attention_inputs) on the kernels of kernels/attention.cu (tensor cores for
// float16/bfloat16 with head sizes 32, 64 or 128), or of kernels/attention_hopper.cu (wgmma, head
// size 64, up to 128 keys, on sm_90): two tactics, timed against each other by the builder.
#include <string_view>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/attention.hpp"
#include "backends/cuda/kernels/attention_hopper.hpp"

namespace mirt::cuda {
namespace {

class fused_attention_kernel final : public kernel {
 public:
  // packed: input 0 is QKV [B, S, 3, H, D] and K, V are absent (decided at build: an empty input
  // reads as absent at run time too).
  // hopper: the wgmma kernel where it takes the shapes of the call.
  fused_attention_kernel(float scale, bool packed, float mask_scale, float mask_shift, bool hopper)
      : scale_(scale), packed_(packed), mask_scale_(mask_scale), mask_shift_(mask_shift), hopper_(hopper) {}

  void execute(const exec_args& args) const override {
    const dtensor& y = args.out.at(0);
    if (y.numel() == 0) return;
    attention_params p = packed_ ? packed(args.in.at(0)) : separate(args);
    p.dtype = y.dtype;
    p.y = y.data;
    p.scale = scale_;
    if (const dtensor& mask = args.input(3); mask.present()) {
      const dims full = {p.batch, p.heads, p.sq, p.skv};
      if (mask.rank() > 4) fail(MIRT_STATUS_INVALID_SHAPE, "the mask has rank ", mask.rank(), ", expected at most 4");
      int64_t step = 1;
      for (size_t d = 0; d < mask.shape.size(); ++d) {
        const int64_t e = mask.shape[mask.shape.size() - 1 - d];
        if (e != 1 && e != full[3 - d])
          fail(MIRT_STATUS_INVALID_SHAPE, "the mask ", dims_string(mask.shape), " does not broadcast to ", dims_string(full));
        p.mask_strides[3 - d] = e == 1 ? 0 : step;
        step *= e;
      }
      p.mask = mask.data;
      if (mask.dtype != y.dtype || mask_scale_ != 1.f || mask_shift_ != 0.f) {  // else the plain load
        if (mask.dtype != MIRT_DTYPE_INT64 && mask.dtype != MIRT_DTYPE_INT32)
          fail(MIRT_STATUS_UNSUPPORTED, "mask_scale/mask_shift apply to an int64 or int32 mask here, not ", dtype_name(mask.dtype));
        if (p.mask_strides[2] != 0)
          fail(MIRT_STATUS_UNSUPPORTED, "an int64/int32 mask ", dims_string(mask.shape),
               " must be the same for every query (a key padding mask, e.g. [B, 1, 1, Skv])");
        p.mask_dtype = mask.dtype;
        p.mask_scale = mask_scale_;
        p.mask_shift = mask_shift_;
      }
    }
    throw_if_failed(hopper_ ? launch_attention_hopper(p, args.stream) : launch_attention(p, args.stream));
  }

 private:
  // Q [B, Sq, H, Dk], K [B, Skv, H, Dk], V [B, Skv, H, Dv].
  static attention_params separate(const exec_args& args) {
    const dtensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2);
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4 || k.shape[0] != q.shape[0] || k.shape[2] != q.shape[2] ||
        k.shape[3] != q.shape[3] || v.shape[0] != q.shape[0] || v.shape[1] != k.shape[1] || v.shape[2] != q.shape[2])
      fail(MIRT_STATUS_INVALID_SHAPE, "Q ", dims_string(q.shape), ", K ", dims_string(k.shape), " and V ",
           dims_string(v.shape), " do not fit [B, Sq, H, Dk], [B, Skv, H, Dk], [B, Skv, H, Dv]");
    attention_params p;
    p.q = q.data, p.k = k.data, p.v = v.data;
    p.batch = q.shape[0], p.sq = q.shape[1], p.heads = q.shape[2], p.dk = q.shape[3];
    p.skv = k.shape[1], p.dv = v.shape[3];
    return p;
  }

  // QKV [B, S, 3, H, D]: Q, K and V of position s side by side in row s, 3 H D values apart.
  static attention_params packed(const dtensor& qkv) {
    if (qkv.rank() != 5 || qkv.shape[2] != 3)
      fail(MIRT_STATUS_INVALID_SHAPE, "packed QKV ", dims_string(qkv.shape), " is not [B, S, 3, H, D]");
    attention_params p;
    p.batch = qkv.shape[0], p.sq = p.skv = qkv.shape[1], p.heads = qkv.shape[3], p.dk = p.dv = qkv.shape[4];
    const int64_t hd = p.heads * p.dk;
    const char* base = static_cast<const char*>(qkv.data);
    p.q = base, p.k = base + hd * dtype_size(qkv.dtype), p.v = base + 2 * hd * dtype_size(qkv.dtype);
    p.q_row = p.k_row = p.v_row = 3 * hd;
    return p;
  }

  float scale_;
  bool packed_;
  float mask_scale_, mask_shift_;
  bool hopper_;
};

// Whether the node's mask has a row for each query (not [..., 1, Skv]).
bool mask_row_per_query(const node_view& node) {
  if (!node.has_input(3)) return false;
  const mirt_tensor_desc& m = node.input(3);
  return m.rank >= 2 && m.dims[m.rank - 2] != 1;
}

// Q, K, V (and a float mask) of one half dtype, 4-D, a head size of the tensor-core kernel; the mask
// may also be an int64/int32 key padding mask (mask_shift + mask_scale * mask, see
// kernels/attention.hpp). No float32:
// BERT-base measured 1.9 ms a layer at batch 32 on the warp-per-query kernel
// (bench/results/gpu-bertgpu-final.json), where cuBLASLt's products and Softmax take a fraction of
// that, so float32 plans stay unfused. The warp-per-query kernel remains the fallback for
// misaligned buffers.
bool fused_attention_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < 3; ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  if (node.has_input(3) && !input_dtype_in(node, 3, {node.input_dtype(0), MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why)) return false;
  if (node.has_input(3) && node.input_dtype(3) != node.input_dtype(0) && mask_row_per_query(node)) {
    why = "an int64/int32 mask must be the same for every query ([..., 1, Skv])";
    return false;
  }
  if (!node.has_input(1)) {  // packed QKV [B, S, 3, H, D]
    const int64_t d = node.input(0).rank == 5 ? node.input(0).dims[4] : 0;
    if (d != 32 && d != 64 && d != 128) {
      why = cat("packed QKV of rank ", node.input(0).rank, " and head size ", d, ": the tensor-core kernel takes 32, 64 or 128");
      return false;
    }
    return true;
  }
  for (size_t i = 0; i < 3; ++i)
    if (node.input(i).rank != 4) {
      why = cat("input ", i, " has rank ", node.input(i).rank, ", expected 4 ([B, S, H, D])");
      return false;
    }
  const int64_t dk = node.input(0).dims[3], dv = node.input(2).dims[3];
  if (dk != dv || (dk != 32 && dk != 64 && dk != 128)) {
    why = cat("head sizes ", dk, " (Q/K) and ", dv, " (V): the tensor-core kernel takes 32, 64 or 128, the same for both");
    return false;
  }
  return true;
}

// The wgmma kernel's shapes, where it is not known to be slower: head size 64, 65 to 128 keys and
// more than 32 queries (at 33 keys or 1 query the mma.sync kernel is faster:
// bench/results/attention-hopper-h100-2026-11-27.txt), a mask with one row for every query, an sm_90
// GPU. Dynamic sizes pass; the kernel falls back to attention.cu's where a call leaves its range.
bool fused_attention_hopper_supports(const node_view& node, std::string& why) {
  if (!fused_attention_supports(node, why)) return false;
  const bool packed = !node.has_input(1);
  const mirt_tensor_desc& q = node.input(0);
  const int64_t d = q.dims[q.rank - 1], sq = q.dims[1], skv = packed ? sq : node.input(1).dims[1];
  if (d != 64) {
    why = cat("head size ", d, ": the wgmma kernel takes 64");
    return false;
  }
  if ((skv >= 0 && (skv <= 64 || skv > 128)) || (sq >= 0 && sq <= 32)) {
    why = cat(sq, " queries and ", skv, " keys: the wgmma kernel runs 65 to 128 keys, and more than 32 queries");
    return false;
  }
  if (mask_row_per_query(node)) {
    why = "a mask row per query: the wgmma kernel takes one row for every query ([..., 1, Skv])";
    return false;
  }
  if (std::string_view(current_device_signature()) != "sm_90") {
    why = "the wgmma kernel runs on compute capability 9.0 (H100, H200) only";
    return false;
  }
  return true;
}

template <bool Hopper>
std::unique_ptr<kernel> make_fused_attention(const node_view& node) {
  return std::make_unique<fused_attention_kernel>(node.attr_float("scale", 1.f), !node.has_input(1), node.attr_float("mask_scale", 1.f),
                                                  node.attr_float("mask_shift", 0.f), Hopper);
}

}  // namespace

void add_attention_ops(std::vector<op_entry>& t) {
  // The wgmma kernel first: the best guess where it applies, for builds that time nothing.
  t.push_back({"FusedAttention", "cuda_fused_attention_wgmma", fused_attention_hopper_supports, make_fused_attention<true>});
  t.push_back({"FusedAttention", "cuda_fused_attention", fused_attention_supports, make_fused_attention<false>});
}

}  // namespace mirt::cuda
