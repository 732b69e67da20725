// backends/cuda/ops/max_unpool.cpp — MaxUnpool (kernel_shape, strides, pads; output_shape as the
// core inferred it) on any dtype; indices int64, as MaxPool writes them.
#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/max_unpool.hpp"

namespace mirt::cuda {
namespace {

class max_unpool_kernel final : public kernel {
 public:
  max_unpool_kernel(dims kernel, dims strides, dims pads) : kernel_(std::move(kernel)), strides_(std::move(strides)), pads_(std::move(pads)) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &indices = args.in.at(1), &y = args.out.at(0);
    if (indices.numel() != x.numel())
      fail(MIRT_STATUS_INVALID_SHAPE, "input 1 (indices) ", dims_string(indices.shape), " does not match input 0 ", dims_string(x.shape));
    const size_t spatial = x.rank() < 2 ? 0 : x.rank() - 2;
    if (x.rank() < 3 || y.rank() != x.rank() || kernel_.size() != spatial)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 ", dims_string(x.shape), ", output ", dims_string(y.shape), " and kernel_shape of ",
           kernel_.size(), " dims do not fit");
    max_unpool_params p;
    p.spatial = int(spatial);
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t stride = i < strides_.size() ? strides_[i] : 1;
      const int64_t pads = (i < pads_.size() ? pads_[i] : 0) + (spatial + i < pads_.size() ? pads_[spatial + i] : 0);
      p.natural[i] = (x.shape[i + 2] - 1) * stride + kernel_[i] - pads;
      p.out[i] = y.shape[i + 2];
    }
    if (y.bytes() > 0) cuda_check(cudaMemsetAsync(y.data, 0, y.bytes(), args.stream), "zeroing MaxUnpool's output");
    p.x = x.data, p.indices = indices.as<const int64_t>(), p.y = y.data;
    p.element_size = dtype_size(x.dtype);
    p.n = x.numel();
    p.planes = y.shape[0] * y.shape[1];
    throw_if_failed(launch_max_unpool(p, args.stream));
  }

 private:
  dims kernel_, strides_, pads_;
};

bool max_unpool_supports(const node_view& node, std::string& why) {
  const size_t es = dtype_size(node.input_dtype(0));
  if (es != 1 && es != 2 && es != 4 && es != 8) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_max_unpool_ops(std::vector<op_entry>& t) {
  t.push_back({"MaxUnpool", "cuda_max_unpool", max_unpool_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<max_unpool_kernel>(node.attr_ints("kernel_shape", {}), node.attr_ints("strides", {}),
                                                            node.attr_ints("pads", {}));
               }});
}

}  // namespace mirt::cuda
