// backends/cpu/ops/max_unpool.cpp — MaxUnpool: a zero output with each input value written where
// its index points. Indices are MaxPool's: flat over the default unpooled shape ((in - 1) * stride +
// kernel - pads per spatial dim); with a larger output_shape each keeps its (plane, spatial
// coordinates) there, as ONNX's reference does. Any dtype (moves bytes).
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class max_unpool_kernel final : public kernel {
 public:
  max_unpool_kernel(dims kernel, dims strides, dims pads) : kernel_(std::move(kernel)), strides_(std::move(strides)), pads_(std::move(pads)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &indices = args.in.at(1), &y = args.out.at(0);
    if (indices.numel() != x.numel())
      fail(MIRT_STATUS_INVALID_SHAPE, "input 1 (indices) ", dims_string(indices.shape), " does not match input 0 ", dims_string(x.shape));
    const size_t spatial = x.rank() - 2;
    if (x.rank() < 3 || y.rank() != x.rank() || kernel_.size() != spatial)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 ", dims_string(x.shape), ", output ", dims_string(y.shape), " and kernel_shape of ", kernel_.size(), " dims do not fit");
    dims natural(spatial);  // the default unpooled spatial extents the indices refer to
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t stride = i < strides_.size() ? strides_[i] : 1;
      const int64_t pads = (i < pads_.size() ? pads_[i] : 0) + (spatial + i < pads_.size() ? pads_[spatial + i] : 0);
      natural[i] = (x.shape[i + 2] - 1) * stride + kernel_[i] - pads;
    }
    const int64_t natural_plane = product(natural), out_plane = product(y.shape, 2), planes = y.shape[0] * y.shape[1];
    const size_t es = dtype_size(x.dtype);
    if (y.bytes() > 0) std::memset(y.data, 0, y.bytes());
    const int64_t* idx = indices.as<const int64_t>();
    const auto* src = x.as<const uint8_t>();
    auto* dst = y.as<uint8_t>();
    for (int64_t i = 0, n = x.numel(); i < n; ++i) {
      if (idx[i] < 0 || natural_plane <= 0 || idx[i] >= planes * natural_plane)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (indices) entry ", i, " is ", idx[i], ", outside the ", planes * natural_plane, " unpooled elements");
      // (plane, coordinates in the default shape) -> the same place in the output.
      int64_t rest = idx[i] % natural_plane, at = 0, scale = 1;
      bool inside = true;
      for (size_t d = spatial; d-- > 0;) {
        const int64_t c = rest % natural[d];
        rest /= natural[d];
        inside = inside && c < y.shape[d + 2];
        at += c * scale;
        scale *= y.shape[d + 2];
      }
      if (!inside) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (indices) entry ", i, " is ", idx[i], ", outside the output ", dims_string(y.shape));
      const int64_t to = idx[i] / natural_plane * out_plane + at;
      std::memcpy(dst + size_t(to) * es, src + size_t(i) * es, es);
    }
  }

 private:
  dims kernel_, strides_, pads_;
};

bool max_unpool_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_max_unpool_ops(std::vector<op_entry>& t) {
  t.push_back({"MaxUnpool", "ref_max_unpool", max_unpool_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<max_unpool_kernel>(node.attr_ints("kernel_shape", {}), node.attr_ints("strides", {}),
                                                            node.attr_ints("pads", {}));
               }});
}

}  // namespace mirt::cpu
