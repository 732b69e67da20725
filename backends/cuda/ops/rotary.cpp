// backends/cuda/ops/rotary.cpp — RotaryEmbedding (opset 23): 4-D (batch, heads, seq, head) or 3-D
// (batch, seq, heads * head) with num_heads; interleaved or halves; rotary_embedding_dim; caches
// indexed by position_ids (int32, int64) or, without them, (batch, seq, rot / 2).
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/rotary.hpp"

namespace mirt::cuda {
namespace {

class rotary_kernel final : public kernel {
 public:
  rotary_kernel(bool interleaved, int64_t heads, int64_t rotary_dim) : interleaved_(interleaved), heads_(heads), dim_(rotary_dim) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &cos = args.in.at(1), &sin = args.in.at(2), &pos = args.input(3), &y = args.out.at(0);
    if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    if (x.rank() != 3 && x.rank() != 4) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " is neither 3-D nor 4-D");
    rotary_params p;
    p.four_d = x.rank() == 4;
    p.batch = x.shape[0];
    p.seq = x.shape[p.four_d ? 2 : 1];
    if (p.four_d) {
      p.heads = x.shape[1];
      p.head = x.shape[3];
    } else {
      if (heads_ <= 0 || x.shape[2] % heads_ != 0)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "num_heads ", heads_, " does not split the 3-D input's hidden size ", x.shape[2]);
      p.heads = heads_;
      p.head = x.shape[2] / heads_;
    }
    p.rot = dim_ > 0 ? dim_ : p.head;
    if (p.rot > p.head || p.rot % 2 != 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "rotary_embedding_dim ", p.rot, " must be even and at most the head size ", p.head);
    const int64_t half = p.rot / 2;
    if (cos.shape != sin.shape) fail(MIRT_STATUS_INVALID_SHAPE, "cos_cache ", dims_string(cos.shape), " and sin_cache ", dims_string(sin.shape), " differ");
    if (cos.rank() < 2 || cos.shape.back() != half)
      fail(MIRT_STATUS_INVALID_SHAPE, "the caches ", dims_string(cos.shape), " do not end in rotary dim / 2 = ", half);
    if (pos.present()) {
      if (pos.numel() != p.batch * p.seq)
        fail(MIRT_STATUS_INVALID_SHAPE, "input 3 (position_ids) has ", pos.numel(), " values, expected ", p.batch * p.seq);
      p.positions = pos.data;
      p.positions_int64 = pos.dtype == MIRT_DTYPE_INT64;
      p.cache_rows = cos.numel() / half;
    } else {
      if (cos.numel() != p.batch * p.seq * half) fail(MIRT_STATUS_INVALID_SHAPE, "without position_ids the caches must be (batch, sequence, ", half, ")");
      p.cache_rows = p.batch * p.seq;
    }
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.cos = cos.data;
    p.sin = sin.data;
    p.interleaved = interleaved_;
    throw_if_failed(launch_rotary(p, args.stream));
  }

 private:
  bool interleaved_;
  int64_t heads_, dim_;
};

bool rotary_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i : {size_t(1), size_t(2)})
    if (!input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return !node.has_input(3) || input_dtype_in(node, 3, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why);
}

}  // namespace

void add_rotary_ops(std::vector<op_entry>& t) {
  t.push_back({"RotaryEmbedding", "cuda_rotary", rotary_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<rotary_kernel>(node.attr_int("interleaved", 0) != 0, node.attr_int("num_heads", 0),
                                                        node.attr_int("rotary_embedding_dim", 0));
               }});
}

}  // namespace mirt::cuda
