// backends/cpu/ops/roi_align.cpp — RoiAlign: each region of interest is split into
// output_height x output_width bins; each bin averages (or, mode max, takes the largest of) a
// grid of bilinear samples (sampling_ratio per side, or ceil(bin size) when 0). Samples more than
// one pixel outside the image count as 0; coordinates below 0 clamp to 0 and past the last pixel
// to it. In max mode a sample is the largest of its four weighted corners, as ONNX's reference
// and ONNX Runtime compute it. Sums are kept in double.
#include <algorithm>
#include <cmath>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class roi_align_kernel final : public kernel {
 public:
  explicit roi_align_kernel(const node_view& node)
      : max_(node.attr_string("mode", "avg") == "max"),
        half_pixel_(node.attr_string("coordinate_transformation_mode", "half_pixel") == "half_pixel"),
        out_h_(node.attr_int("output_height", 1)),
        out_w_(node.attr_int("output_width", 1)),
        ratio_(node.attr_int("sampling_ratio", 0)),
        scale_(node.attr_float("spatial_scale", 1.0f)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &rois = args.in.at(1);
    const std::vector<int64_t> batch = read_int_tensor(args.in.at(2), "batch_indices");
    const int64_t n = x.shape[0], channels = x.shape[1], height = x.shape[2], width = x.shape[3], count = rois.shape[0];
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *px = x.as<const T>(), *pr = rois.as<const T>();
      T* py = args.out.at(0).as<T>();
      for (int64_t r = 0; r < count; ++r) {
        if (batch[size_t(r)] < 0 || batch[size_t(r)] >= n)
          fail(MIRT_STATUS_INVALID_ARGUMENT, "batch_indices[", r, "] is ", batch[size_t(r)], ", X has ", n, " images");
        const double offset = half_pixel_ ? 0.5 : 0.0;
        const double x0 = double(load(pr[r * 4 + 0])) * scale_ - offset, y0 = double(load(pr[r * 4 + 1])) * scale_ - offset;
        double roi_w = double(load(pr[r * 4 + 2])) * scale_ - offset - x0, roi_h = double(load(pr[r * 4 + 3])) * scale_ - offset - y0;
        if (!half_pixel_) roi_w = std::max(roi_w, 1.0), roi_h = std::max(roi_h, 1.0);
        const double bin_h = roi_h / double(out_h_), bin_w = roi_w / double(out_w_);
        const int64_t grid_h = ratio_ > 0 ? ratio_ : int64_t(std::ceil(roi_h / double(out_h_)));
        const int64_t grid_w = ratio_ > 0 ? ratio_ : int64_t(std::ceil(roi_w / double(out_w_)));
        const double samples = double(std::max<int64_t>(grid_h * grid_w, 1));
        for (int64_t c = 0; c < channels; ++c) {
          const T* image = px + (batch[size_t(r)] * channels + c) * height * width;
          auto pixel = [&](int64_t yy, int64_t xx) { return double(load(image[yy * width + xx])); };
          for (int64_t ph = 0; ph < out_h_; ++ph)
            for (int64_t pw = 0; pw < out_w_; ++pw) {
              double acc = 0;
              bool first = true;
              for (int64_t iy = 0; iy < grid_h; ++iy)
                for (int64_t ix = 0; ix < grid_w; ++ix) {
                  double y = y0 + double(ph) * bin_h + (double(iy) + 0.5) * bin_h / double(grid_h);
                  double xs = x0 + double(pw) * bin_w + (double(ix) + 0.5) * bin_w / double(grid_w);
                  double w[4] = {0, 0, 0, 0}, v[4] = {0, 0, 0, 0};
                  if (!(y < -1.0 || y > double(height) || xs < -1.0 || xs > double(width))) {
                    y = std::max(y, 0.0), xs = std::max(xs, 0.0);
                    int64_t ylo = int64_t(y), xlo = int64_t(xs), yhi = ylo + 1, xhi = xlo + 1;
                    if (ylo >= height - 1) ylo = yhi = height - 1, y = double(ylo);
                    if (xlo >= width - 1) xlo = xhi = width - 1, xs = double(xlo);
                    const double ly = y - double(ylo), lx = xs - double(xlo);
                    w[0] = (1 - ly) * (1 - lx), w[1] = (1 - ly) * lx, w[2] = ly * (1 - lx), w[3] = ly * lx;
                    v[0] = pixel(ylo, xlo), v[1] = pixel(ylo, xhi), v[2] = pixel(yhi, xlo), v[3] = pixel(yhi, xhi);
                  }
                  if (max_) {
                    const double m = std::max({w[0] * v[0], w[1] * v[1], w[2] * v[2], w[3] * v[3]});
                    acc = first ? m : std::max(acc, m);
                    first = false;
                  } else {
                    acc += w[0] * v[0] + w[1] * v[1] + w[2] * v[2] + w[3] * v[3];
                  }
                }
              py[((r * channels + c) * out_h_ + ph) * out_w_ + pw] = store<T>(compute_type<T>(max_ ? acc : acc / samples));
            }
        }
      }
    });
  }

 private:
  bool max_, half_pixel_;
  int64_t out_h_, out_w_, ratio_;
  float scale_;
};

}  // namespace

void add_roi_align_ops(std::vector<op_entry>& t) {
  t.push_back({"RoiAlign", "ref_roi_align",
               [](const node_view& node, std::string& why) {
                 return float_input_at(node, 0, why) && input_dtype_in(node, 2, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<roi_align_kernel>(node); }});
}

}  // namespace mirt::cpu
