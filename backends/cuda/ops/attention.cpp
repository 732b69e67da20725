// backends/cuda/ops/attention.cpp — mirt::FusedAttention (made by the builder's attention fusion
// pass) on the kernels of kernels/attention.cu: tensor cores for float16/bfloat16 with head sizes
// 32, 64 or 128.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/attention.hpp"

namespace mirt::cuda {
namespace {

class fused_attention_kernel final : public kernel {
 public:
  explicit fused_attention_kernel(float scale) : scale_(scale) {}

  void execute(const exec_args& args) const override {
    const dtensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2), &y = args.out.at(0);
    if (y.numel() == 0) return;
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4 || k.shape[0] != q.shape[0] || k.shape[2] != q.shape[2] ||
        k.shape[3] != q.shape[3] || v.shape[0] != q.shape[0] || v.shape[1] != k.shape[1] || v.shape[2] != q.shape[2])
      fail(MIRT_STATUS_INVALID_SHAPE, "Q ", dims_string(q.shape), ", K ", dims_string(k.shape), " and V ",
           dims_string(v.shape), " do not fit [B, Sq, H, Dk], [B, Skv, H, Dk], [B, Skv, H, Dv]");
    attention_params p;
    p.dtype = q.dtype;
    p.q = q.data, p.k = k.data, p.v = v.data, p.y = y.data;
    p.batch = q.shape[0], p.sq = q.shape[1], p.heads = q.shape[2], p.dk = q.shape[3];
    p.skv = k.shape[1], p.dv = v.shape[3];
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
    }
    throw_if_failed(launch_attention(p, args.stream));
  }

 private:
  float scale_;
};

// Q, K, V (and the mask) of one half dtype, 4-D, a head size of the tensor-core kernel. No float32:
// BERT-base measured 1.9 ms a layer at batch 32 on the warp-per-query kernel
// (bench/results/gpu-bertgpu-final.json), where cuBLASLt's products and Softmax take a fraction of
// that, so float32 plans stay unfused. The warp-per-query kernel remains the fallback for
// misaligned buffers.
bool fused_attention_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
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

}  // namespace

void add_attention_ops(std::vector<op_entry>& t) {
  t.push_back({"FusedAttention", "cuda_fused_attention", fused_attention_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<fused_attention_kernel>(node.attr_float("scale", 1.f));
               }});
}

}  // namespace mirt::cuda
