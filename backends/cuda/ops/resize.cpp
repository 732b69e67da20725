// backends/cuda/ops/resize.cpp — Resize (opsets 10 to 19; Upsample reaches it through the parser):
// nearest with every nearest_mode (any dtype but bool), linear and cubic (float32, float16,
// bfloat16), every coordinate_transformation_mode, scales or sizes with keep_aspect_ratio_policy,
// axes, exclude_outside, antialias (linear and cubic downscaling with the widened filter). The
// attributes are read by backends/support/resize_modes.hpp, as the cpu backend reads them.
#include <algorithm>
#include <cmath>
#include <optional>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/resize.hpp"

namespace mirt::cuda {
namespace {

using support::resize_aspect;

float widen(const void* data, mirt_dtype dtype, size_t i) {
  if (dtype == MIRT_DTYPE_FLOAT16) return __half2float(static_cast<const __half*>(data)[i]);
  if (dtype == MIRT_DTYPE_BFLOAT16) return __bfloat162float(static_cast<const __nv_bfloat16*>(data)[i]);
  return static_cast<const float*>(data)[i];
}

// A float input's values (float32, float16 or bfloat16: a float16 plan may carry its scales in
// float16): the constant captured at creation, else read back from the device.
std::vector<double> read_floats(const exec_args& args, size_t i, const std::optional<std::vector<float>>& constant, const char* what) {
  if (constant) return std::vector<double>(constant->begin(), constant->end());
  const dtensor& t = args.input(i);
  const size_t es = dtype_size(t.dtype);
  std::vector<uint8_t> bytes(size_t(t.numel()) * es);
  if (!bytes.empty()) {
    cuda_check(cudaMemcpyAsync(bytes.data(), t.data, bytes.size(), cudaMemcpyDeviceToHost, args.stream), "reading ", what);
    cuda_check(cudaStreamSynchronize(args.stream), "reading ", what);
  }
  std::vector<double> v(size_t(t.numel()));
  for (size_t k = 0; k < v.size(); ++k) v[k] = widen(bytes.data(), t.dtype, k);
  return v;
}

std::optional<std::vector<float>> constant_floats(const node_view& node, size_t i) {
  const void* data = node.constant(i);
  if (data == nullptr) return std::nullopt;
  const dims shape = to_dims(node.input(i));
  if (std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; })) return std::nullopt;
  std::vector<float> v(size_t(product(shape)));
  for (size_t k = 0; k < v.size(); ++k) v[k] = widen(data, node.input_dtype(i), k);
  return v;
}

class resize_kernel final : public kernel {
 public:
  explicit resize_kernel(const node_view& node) {
    static_cast<support::resize_modes&>(base_) = support::read_resize_modes(node);
    axes_ = node.attr_ints("axes", {});
    roi_ = constant_floats(node, 1);
    scales_ = constant_floats(node, 2);
    sizes_ = node.constant_ints(3);
  }

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t r = x.rank();
    if (y.rank() != r) fail(MIRT_STATUS_INVALID_SHAPE, "output rank ", y.rank(), " differs from the input's ", r);
    if (r == 0 || r > size_t(k_max_rank)) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", r, ", supported 1 to ", k_max_rank);
    std::vector<int64_t> axes = axes_;
    if (axes.empty())
      for (size_t d = 0; d < r; ++d) axes.push_back(int64_t(d));
    for (int64_t& d : axes) d = normalize_axis(d, r, "attribute 'axes'");
    std::vector<double> scale(r, 1.0), roi0(r, 0.0), roi1(r, 1.0);
    const bool has_scales = scales_ ? !scales_->empty() : args.input(2).present() && args.in[2].numel() > 0;
    if (has_scales) {
      const std::vector<double> s = read_floats(args, 2, scales_, "input 2 (scales)");
      if (s.size() != axes.size()) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 2 (scales) has ", s.size(), " values, expected ", axes.size());
      for (size_t k = 0; k < axes.size(); ++k) scale[size_t(axes[k])] = s[k];
    } else if (args.input(3).present() || sizes_) {
      const std::vector<int64_t> s = read_int_input(args, 3, sizes_ ? &*sizes_ : nullptr, "input 3 (sizes)");
      if (s.size() != axes.size()) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 3 (sizes) has ", s.size(), " values, expected ", axes.size());
      for (size_t k = 0; k < axes.size(); ++k) scale[size_t(axes[k])] = double(s[k]) / double(x.shape[size_t(axes[k])]);
      if (base_.policy != resize_aspect::stretch) {
        double common = base_.policy == resize_aspect::not_larger ? INFINITY : 0;
        for (int64_t d : axes)
          common = base_.policy == resize_aspect::not_larger ? std::min(common, scale[size_t(d)]) : std::max(common, scale[size_t(d)]);
        for (int64_t d : axes) scale[size_t(d)] = common;
      }
    } else {
      fail(MIRT_STATUS_INVALID_ARGUMENT, "neither scales nor sizes is given");
    }
    const bool crop = base_.transform == resize_coord::tf_crop_and_resize;
    if (crop && (roi_ ? !roi_->empty() : args.input(1).present() && args.in[1].numel() > 0)) {
      const std::vector<double> roi = read_floats(args, 1, roi_, "input 1 (roi)");
      const bool per_axis = roi.size() == 2 * axes.size(), full = roi.size() == 2 * r;
      if (!per_axis && !full) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (roi) has ", roi.size(), " values, expected ", 2 * axes.size());
      for (size_t k = 0; k < axes.size(); ++k) {
        const size_t d = size_t(axes[k]), at = per_axis ? k : d, n = per_axis ? axes.size() : r;
        roi0[d] = roi[at];
        roi1[d] = roi[at + n];
      }
    }
    resize_params p = base_;
    p.dtype = x.dtype;
    p.element_size = dtype_size(x.dtype);
    p.x = x.data;
    p.y = y.data;
    p.rank = int(r);
    p.n = y.numel();
    const dims strides = dense_strides(x.shape);
    for (size_t d = 0; d < r; ++d) {
      const bool listed = std::find(axes.begin(), axes.end(), int64_t(d)) != axes.end();
      const bool trivial_roi = std::fabs(roi0[d]) < 1e-9 && std::fabs(roi1[d] - 1) < 1e-9;
      // As the reference: an axis at scale 1 and unchanged extent is copied, not resampled.
      const bool resized = listed && !(std::fabs(scale[d] - 1) < 1e-9 && y.shape[d] == x.shape[d] && (trivial_roi || !crop));
      if (!listed && y.shape[d] != x.shape[d])
        fail(MIRT_STATUS_INVALID_SHAPE, "output dim ", d, " is ", y.shape[d], ", expected ", x.shape[d], " (not resized)");
      if (resized && !(scale[d] > 0)) fail(MIRT_STATUS_INVALID_ARGUMENT, "scale ", scale[d], " on axis ", d, " is not positive");
      p.in_shape[d] = x.shape[d];
      p.out_shape[d] = y.shape[d];
      p.in_strides[d] = strides[d];
      p.resized[d] = resized ? 1 : 0;
      p.scale[d] = scale[d];
      p.roi0[d] = roi0[d];
      p.roi1[d] = roi1[d];
    }
    if (p.n == 0) return;
    if (x.numel() == 0) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " is empty, output ", dims_string(y.shape), " is not");
    throw_if_failed(launch_resize(p, args.stream));
  }

 private:
  resize_params base_;
  std::vector<int64_t> axes_;
  std::optional<std::vector<float>> roi_, scales_;
  std::optional<std::vector<int64_t>> sizes_;
};

bool resize_supports(const node_view& node, std::string& why) {
  const mirt_dtype dt = node.input_dtype(0);
  const bool real = dt == MIRT_DTYPE_FLOAT32 || dt == MIRT_DTYPE_FLOAT16 || dt == MIRT_DTYPE_BFLOAT16;
  if (dt == MIRT_DTYPE_BOOL || dtype_size(dt) == 0) {
    why = cat("input 0 has dtype ", dtype_name(dt));
    return false;
  }
  const std::string mode = node.attr_string("mode", "nearest");
  const bool crop = node.attr_string("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize";
  if (!real && (mode != "nearest" || crop)) {
    why = cat("mode '", mode, "'", crop ? " with tf_crop_and_resize" : "", " on ", dtype_name(dt), " (float32, float16 or bfloat16 only)");
    return false;
  }
  for (size_t i : {size_t(1), size_t(2)})
    if (node.has_input(i) && (i == 2 || crop) &&
        !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why))
      return false;
  return !node.has_input(3) || input_dtype_in(node, 3, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why);
}

}  // namespace

void add_resize_ops(std::vector<op_entry>& t) {
  t.push_back({"Resize", "cuda_resize", resize_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<resize_kernel>(node);
               }});
}

}  // namespace mirt::cuda
