// backends/cuda/ops/instance_norm.cpp — InstanceNormalization (float32, float16, bfloat16; scale
// and B in the input's dtype).
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/instance_norm.hpp"

namespace mirt::cuda {
namespace {

class instance_norm_kernel final : public kernel {
 public:
  explicit instance_norm_kernel(float epsilon) : epsilon_(epsilon) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " has no channel dim");
    if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    instance_norm_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.n = x.shape[0];
    p.c = x.shape[1];
    p.inner = product(x.shape, 2);
    for (size_t i : {size_t(1), size_t(2)})
      if (args.in.at(i).numel() != p.c)
        fail(MIRT_STATUS_INVALID_SHAPE, "input ", i, " has ", args.in[i].numel(), " values, expected ", p.c, " (channels)");
    p.scale = args.in[1].data;
    p.bias = args.in[2].data;
    p.epsilon = epsilon_;
    throw_if_failed(launch_instance_norm(p, args.stream));
  }

 private:
  float epsilon_;
};

bool instance_norm_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i : {size_t(1), size_t(2)})
    if (!input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return true;
}

}  // namespace

void add_instance_norm_ops(std::vector<op_entry>& t) {
  t.push_back({"InstanceNormalization", "cuda_instance_norm_block_per_plane", instance_norm_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 const float eps = node.attr_float("epsilon", 1e-5f);
                 if (!(eps >= 0)) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'epsilon' is ", eps, ", expected >= 0");
                 return std::make_unique<instance_norm_kernel>(eps);
               }});
}

}  // namespace mirt::cuda
