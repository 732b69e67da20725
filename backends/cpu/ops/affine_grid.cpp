// backends/cpu/ops/affine_grid.cpp — AffineGrid: each output point is theta applied to the
// normalized coordinates (x along W, y along H, z along D, then 1) of its pixel center
// (align_corners 0: -1 + (2i + 1) / n) or pixel corner (align_corners 1: -1 + 2i / (n - 1)).
#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class affine_grid_kernel final : public kernel {
 public:
  explicit affine_grid_kernel(bool align_corners) : align_corners_(align_corners) {}

  void execute(const exec_args& args) const override {
    const tensor &theta = args.in.at(0), &y = args.out.at(0);
    const std::vector<int64_t> size = read_int_tensor(args.in.at(1), "size");
    if (size.size() != 4 && size.size() != 5)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "size has ", size.size(), " entries, expected 4 or 5");
    const int64_t spatial = int64_t(size.size()) - 2, batch = size[0];
    if (theta.shape != dims{batch, spatial, spatial + 1})
      fail(MIRT_STATUS_INVALID_SHAPE, "theta has shape ", dims_string(theta.shape), ", expected ",
           dims_string({batch, spatial, spatial + 1}));
    dims want{batch};
    want.insert(want.end(), size.begin() + 2, size.end());
    want.push_back(spatial);
    if (y.shape != want) fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not match ", dims_string(want));
    // Normalized coordinate of index i of n.
    const auto coord = [&](int64_t i, int64_t n) {
      if (align_corners_) return n > 1 ? -1.0 + 2.0 * double(i) / double(n - 1) : -1.0;
      return -1.0 + (2.0 * double(i) + 1.0) / double(n);
    };
    const int64_t depth = spatial == 3 ? size[2] : 1, height = size[size.size() - 2], width = size.back();
    dispatch_float(theta.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* pt = theta.as<const T>();
      T* py = y.as<T>();
      const int64_t cols = spatial + 1;
      for (int64_t n = 0; n < batch; ++n) {
        const T* m = pt + n * spatial * cols;
        for (int64_t d = 0; d < depth; ++d)
          for (int64_t h = 0; h < height; ++h)
            for (int64_t w = 0; w < width; ++w) {
              // Homogeneous point (x, y[, z], 1).
              double p[4] = {coord(w, width), coord(h, height), spatial == 3 ? coord(d, depth) : 1.0, 1.0};
              T* out = py + (((n * depth + d) * height + h) * width + w) * spatial;
              for (int64_t r = 0; r < spatial; ++r) {
                double s = 0;
                for (int64_t c = 0; c < cols; ++c) s += double(load(m[r * cols + c])) * p[c];
                out[r] = store<T>(compute_type<T>(s));
              }
            }
      }
    });
  }

 private:
  bool align_corners_;
};

}  // namespace

void add_affine_grid_ops(std::vector<op_entry>& t) {
  t.push_back({"AffineGrid", "ref_affine_grid",
               [](const node_view& node, std::string& why) {
                 return float_input_at(node, 0, why) && input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<affine_grid_kernel>(node.attr_int("align_corners", 0) != 0);
               }});
}

}  // namespace mirt::cpu
