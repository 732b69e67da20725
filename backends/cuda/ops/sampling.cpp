// backends/cuda/ops/sampling.cpp — GridSample (opsets 16 to 22: nearest, linear, cubic; zeros,
// border, reflection padding; align_corners; 1 to 6 spatial dims), RoiAlign (avg or max,
// half_pixel or output_half_pixel, sampling_ratio, spatial_scale) and AffineGrid (2-D and 3-D,
// align_corners; the size comes from the output's shape), on float32, float64, float16 and
// bfloat16 as the cpu backend.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/sampling.hpp"

namespace mirt::cuda {
namespace {

class grid_sample_kernel final : public kernel {
 public:
  grid_sample_kernel(grid_mode mode, grid_padding padding, bool align) : mode_(mode), padding_(padding), align_(align) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &grid = args.in.at(1), &y = args.out.at(0);
    if (x.rank() < 3 || grid.rank() != x.rank() || grid.shape.back() != int64_t(x.rank() - 2) || grid.shape[0] != x.shape[0])
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 ", dims_string(x.shape), " and grid ", dims_string(grid.shape),
           " are not [N, C, D1..Dr] and [N, P1..Pr, r]");
    grid_sample_params p;
    p.dtype = x.dtype, p.grid_dtype = grid.dtype;
    p.x = x.data, p.grid = grid.data, p.y = y.data;
    p.rank = int(x.rank() - 2);
    if (p.rank > k_grid_max_dims) fail(MIRT_STATUS_UNSUPPORTED, p.rank, " spatial dims (at most ", k_grid_max_dims, ")");
    p.batch = x.shape[0], p.channels = x.shape[1];
    p.points = product(grid.shape, 1, grid.rank() - 1);
    if (y.numel() != p.batch * p.channels * p.points)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold N x C x the grid's points");
    for (int d = 0; d < p.rank; ++d) p.in[d] = x.shape[size_t(d) + 2];
    p.mode = mode_, p.padding = padding_, p.align_corners = align_;
    throw_if_failed(launch_grid_sample(p, args.stream));
  }

 private:
  grid_mode mode_;
  grid_padding padding_;
  bool align_;
};

std::unique_ptr<kernel> make_grid_sample(const node_view& node) {
  const support::grid_sample_options o = support::read_grid_sample_options(node);
  return std::make_unique<grid_sample_kernel>(o.mode, o.padding, o.align_corners);
}

class roi_align_kernel final : public kernel {
 public:
  explicit roi_align_kernel(roi_align_params base) : base_(base) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &rois = args.in.at(1), &batch = args.in.at(2), &y = args.out.at(0);
    if (x.rank() != 4 || rois.rank() != 2 || rois.shape[1] != 4 || batch.numel() != rois.shape[0])
      fail(MIRT_STATUS_INVALID_SHAPE, "X ", dims_string(x.shape), ", rois ", dims_string(rois.shape), " and batch_indices ",
           dims_string(batch.shape), " are not [N, C, H, W], [R, 4] and [R]");
    roi_align_params p = base_;
    p.dtype = x.dtype;
    p.x = x.data, p.rois = rois.data, p.batch = batch.data, p.y = y.data;
    p.batch_int64 = batch.dtype == MIRT_DTYPE_INT64;
    p.n = x.shape[0], p.channels = x.shape[1], p.height = x.shape[2], p.width = x.shape[3], p.count = rois.shape[0];
    if (y.numel() != p.count * p.channels * p.out_h * p.out_w)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected [", p.count, ", ", p.channels, ", ", p.out_h, ", ", p.out_w, "]");
    throw_if_failed(launch_roi_align(p, args.stream));
  }

 private:
  roi_align_params base_;
};

class affine_grid_kernel final : public kernel {
 public:
  explicit affine_grid_kernel(bool align) : align_(align) {}
  void execute(const exec_args& args) const override {
    const dtensor &theta = args.in.at(0), &y = args.out.at(0);
    affine_grid_params p;
    p.rank = y.rank() >= 1 ? int(y.shape.back()) : 0;
    if ((p.rank != 2 && p.rank != 3) || y.rank() != size_t(p.rank) + 2)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " is not [N, H, W, 2] or [N, D, H, W, 3]");
    p.batch = y.shape[0];
    p.depth = p.rank == 3 ? y.shape[1] : 1;
    p.height = y.shape[y.rank() - 3], p.width = y.shape[y.rank() - 2];
    if (theta.shape != dims{p.batch, p.rank, p.rank + 1})
      fail(MIRT_STATUS_INVALID_SHAPE, "theta has shape ", dims_string(theta.shape), ", expected ", dims_string({p.batch, p.rank, p.rank + 1}));
    p.dtype = theta.dtype, p.theta = theta.data, p.y = y.data, p.align_corners = align_;
    throw_if_failed(launch_affine_grid(p, args.stream));
  }

 private:
  bool align_;
};

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16;

}  // namespace

void add_sampling_ops(std::vector<op_entry>& t) {
  t.push_back({"GridSample", "cuda_grid_sample",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {F32, F64, F16, BF16}, why) && input_dtype_in(node, 1, {F32, F64, F16, BF16}, why);
               },
               make_grid_sample});
  t.push_back({"AffineGrid", "cuda_affine_grid",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {F32, F64, F16, BF16}, why) && input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<affine_grid_kernel>(node.attr_int("align_corners", 0) != 0);
               }});
  t.push_back({"RoiAlign", "cuda_roi_align",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {F32, F64, F16, BF16}, why) && input_dtype_in(node, 1, {node.input_dtype(0)}, why) &&
                        input_dtype_in(node, 2, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 roi_align_params p;
                 p.max = node.attr_string("mode", "avg") == "max";
                 p.half_pixel = node.attr_string("coordinate_transformation_mode", "half_pixel") == "half_pixel";
                 p.out_h = node.attr_int("output_height", 1), p.out_w = node.attr_int("output_width", 1);
                 p.ratio = node.attr_int("sampling_ratio", 0);
                 p.scale = node.attr_float("spatial_scale", 1.0f);
                 if (p.out_h <= 0 || p.out_w <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "output_height and output_width must be positive");
                 return std::make_unique<roi_align_kernel>(p);
               }});
}

}  // namespace mirt::cuda
