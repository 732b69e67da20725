// backends/cpu/ops/resize.cpp — Resize (opsets 10 to 19): nearest, linear and cubic, every
// coordinate_transformation_mode, scales or sizes (keep_aspect_ratio_policy), axes, antialias,
// exclude_outside and tf_crop_and_resize's extrapolation. Interpolation is separable: one pass per
// resized axis, each output position a short list of (input index, weight) taps applied to
// contiguous inner rows (a vectorizable axpy). Computes in double, as the ONNX reference does;
// integer outputs round half to even and saturate. The attributes, source coordinates, nearest
// rounding and antialiasing filters are backends/support/resize_modes.hpp's, shared with the cuda
// backend.
#include <algorithm>
#include <cmath>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/support/resize_modes.hpp"

namespace mirt::cpu {
namespace {

using interp = support::resize_interp;
using coord = support::resize_coord;
using aspect = support::resize_aspect;

struct resize_attrs : support::resize_modes {
  std::vector<int64_t> axes;  // empty: every axis
};

// The taps of one output position along one axis.
struct axis_plan {
  int64_t taps = 0;               // per output position
  std::vector<int64_t> index;     // out * taps
  std::vector<double> weight;     // out * taps
  std::vector<uint8_t> outside;   // per output position: tf_crop_and_resize extrapolates
};

// Source coordinate of output position y (ONNX's x_original).
double source_coord(const resize_attrs& a, double y, double scale, int64_t in, int64_t out, double roi0, double roi1) {
  return support::resize_source_coord(a.transform, y, scale, double(in), double(out), roi0, roi1);
}

// Interpolation weights for the fractional position `ratio` in (0, 1] (1 for an integer
// coordinate), first tap at offset `first` from floor-ish position (see plan_axis).
std::vector<double> coefficients(const resize_attrs& a, double ratio, double scale, int64_t& first) {
  std::vector<double> c;
  const bool aa = a.antialias && scale < 1;
  if (a.mode == interp::linear && !aa) {
    first = 0;
    return {1 - ratio, ratio};
  }
  if (a.mode == interp::cubic && !aa) {
    const double A = a.cubic_a, r = ratio, s = 1 - ratio;
    first = -1;
    return {((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A, ((A + 2) * r - (A + 3)) * r * r + 1,
            ((A + 2) * s - (A + 3)) * s * s + 1, ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A};
  }
  // Antialiased: the filter stretched by 1/scale, normalized to sum 1.
  first = support::resize_antialias_first(a.mode, scale);
  const int64_t n = support::resize_antialias_count(first);
  double sum = 0;
  for (int64_t k = 0; k < n; ++k) {
    const double w = support::resize_filter(a.mode, a.cubic_a, std::fabs(scale * (double(first + k) - ratio)));
    c.push_back(w);
    sum += w;
  }
  for (double& w : c) w /= sum;
  return c;
}

axis_plan plan_axis(const resize_attrs& a, int64_t in, int64_t out, double scale, double roi0, double roi1) {
  axis_plan p;
  p.outside.assign(size_t(out), 0);
  for (int64_t y = 0; y < out; ++y) {
    const double x = source_coord(a, double(y), scale, in, out, roi0, roi1);
    if (a.transform == coord::tf_crop_and_resize && (x < 0 || x > double(in - 1))) p.outside[size_t(y)] = 1;
    const double fl = std::floor(x);
    const bool integer = x == fl;
    std::vector<int64_t> idx;
    std::vector<double> w;
    if (a.mode == interp::nearest) {
      idx = {support::resize_nearest_index(a.rule, x)};
      w = {1};
    } else {
      // An integer coordinate reads as ratio 1 from the position below, as the reference does.
      const int64_t base = integer ? int64_t(fl) - 1 : int64_t(fl);
      const double ratio = integer ? 1 : x - fl;
      int64_t first = 0;
      w = coefficients(a, ratio, scale, first);
      for (size_t k = 0; k < w.size(); ++k) idx.push_back(base + first + int64_t(k));
      if (a.exclude_outside) {
        double sum = 0;
        for (size_t k = 0; k < w.size(); ++k) {
          if (idx[k] < 0 || idx[k] >= in) w[k] = 0;
          sum += w[k];
        }
        if (sum != 0)
          for (double& v : w) v /= sum;
      }
    }
    if (p.taps == 0) p.taps = int64_t(idx.size());
    for (size_t k = 0; k < idx.size(); ++k) {
      p.index.push_back(std::clamp<int64_t>(idx[k], 0, in - 1));
      p.weight.push_back(w[k]);
    }
  }
  return p;
}

class resize_kernel final : public kernel {
 public:
  explicit resize_kernel(resize_attrs a) : a_(std::move(a)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t r = x.rank();
    std::vector<int64_t> axes = a_.axes;
    if (axes.empty())
      for (size_t d = 0; d < r; ++d) axes.push_back(int64_t(d));
    for (int64_t& d : axes) d = normalize_axis(d, r, "attribute 'axes'");
    std::vector<double> scale(r, 1.0), roi0(r, 0.0), roi1(r, 1.0);
    const tensor &roi = args.input(1), &scales = args.input(2), &sizes = args.input(3);
    if (scales.present() && scales.numel() > 0) {
      if (size_t(scales.numel()) != axes.size())
        fail(MIRT_STATUS_INVALID_ARGUMENT, "input 2 (scales) has ", scales.numel(), " values, expected ", axes.size());
      for (size_t k = 0; k < axes.size(); ++k) scale[size_t(axes[k])] = read_float(scales, int64_t(k));
    } else if (sizes.present()) {
      const std::vector<int64_t> s = read_int_tensor(sizes, "input 3 (sizes)");
      if (s.size() != axes.size())
        fail(MIRT_STATUS_INVALID_ARGUMENT, "input 3 (sizes) has ", s.size(), " values, expected ", axes.size());
      for (size_t k = 0; k < axes.size(); ++k) scale[size_t(axes[k])] = double(s[k]) / double(x.shape[size_t(axes[k])]);
      if (a_.policy != aspect::stretch) {
        double common = a_.policy == aspect::not_larger ? INFINITY : 0;
        for (int64_t d : axes) common = a_.policy == aspect::not_larger ? std::min(common, scale[size_t(d)]) : std::max(common, scale[size_t(d)]);
        for (int64_t d : axes) scale[size_t(d)] = common;
      }
    } else {
      fail(MIRT_STATUS_INVALID_ARGUMENT, "neither scales nor sizes is given");
    }
    if (roi.present() && roi.numel() > 0) {
      const bool per_axis = size_t(roi.numel()) == 2 * axes.size(), full = size_t(roi.numel()) == 2 * r;
      if (!per_axis && !full)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (roi) has ", roi.numel(), " values, expected ", 2 * axes.size());
      for (size_t k = 0; k < axes.size(); ++k) {
        const size_t d = size_t(axes[k]), at = per_axis ? k : d, n = per_axis ? axes.size() : r;
        roi0[d] = read_float(roi, int64_t(at));
        roi1[d] = read_float(roi, int64_t(at + n));
      }
    }
    for (size_t d = 0; d < r; ++d)
      if (std::find(axes.begin(), axes.end(), int64_t(d)) == axes.end() && y.shape[d] != x.shape[d])
        fail(MIRT_STATUS_INVALID_SHAPE, "output dim ", d, " is ", y.shape[d], ", expected ", x.shape[d], " (not resized)");

    dispatch_any(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool_t>) fail(MIRT_STATUS_UNSUPPORTED, "bool input");
      else run<T>(x, y, axes, scale, roi0, roi1);
    });
  }

 private:
  static double read_float(const tensor& t, int64_t i) {
    if (t.dtype == MIRT_DTYPE_FLOAT16) return half_to_float(t.as<const half_t>()[i].bits);
    if (t.dtype == MIRT_DTYPE_BFLOAT16) return bfloat16_to_float(t.as<const bfloat16_t>()[i].bits);
    return read_scalar(t, i);
  }

  template <class T>
  void run(const tensor& x, const tensor& y, const std::vector<int64_t>& axes, const std::vector<double>& scale,
           const std::vector<double>& roi0, const std::vector<double>& roi1) const {
    dims shape = x.shape;
    std::vector<double> cur(static_cast<size_t>(x.numel())), next;
    const T* px = x.as<const T>();
    for (size_t i = 0; i < cur.size(); ++i) cur[i] = double(widen(px[i]));
    for (int64_t ax : axes) {
      const size_t d = size_t(ax);
      const int64_t in = shape[d], out = y.shape[d];
      const bool trivial_roi = std::fabs(roi0[d]) < 1e-9 && std::fabs(roi1[d] - 1) < 1e-9;
      if (std::fabs(scale[d] - 1) < 1e-9 && out == in && (trivial_roi || a_.transform != coord::tf_crop_and_resize)) continue;
      if (in == 0 || out == 0) {
        shape[d] = out;
        cur.assign(size_t(product(shape)), 0.0);
        continue;
      }
      const axis_plan p = plan_axis(a_, in, out, scale[d], roi0[d], roi1[d]);
      const int64_t outer = product(shape, 0, d), inner = product(shape, d + 1);
      next.assign(size_t(outer * out * inner), 0.0);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < out; ++j) {
          double* dst = next.data() + (o * out + j) * inner;
          if (p.outside[size_t(j)]) {
            std::fill(dst, dst + inner, a_.extrapolation);
            continue;
          }
          for (int64_t k = 0; k < p.taps; ++k) {
            const double w = p.weight[size_t(j * p.taps + k)];
            if (w == 0) continue;
            const double* src = cur.data() + (o * in + p.index[size_t(j * p.taps + k)]) * inner;
            for (int64_t i = 0; i < inner; ++i) dst[i] += w * src[i];
          }
        }
      cur.swap(next);
      shape[d] = out;
    }
    if (shape != y.shape) fail(MIRT_STATUS_INVALID_SHAPE, "resized to ", dims_string(shape), ", output is ", dims_string(y.shape));
    T* py = y.as<T>();
    for (size_t i = 0; i < cur.size(); ++i) {
      if constexpr (std::is_integral_v<T>) py[i] = convert<T>(std::nearbyint(cur[i]));
      else py[i] = convert<T>(cur[i]);
    }
  }

  resize_attrs a_;
};

std::unique_ptr<kernel> make_resize(const node_view& node) {
  resize_attrs a;
  static_cast<support::resize_modes&>(a) = support::read_resize_modes(node);
  a.axes = node.attr_ints("axes", {});
  return std::make_unique<resize_kernel>(std::move(a));
}

bool resize_supports(const node_view& node, std::string& why) {
  if (node.input_dtype(0) == MIRT_DTYPE_BOOL) {
    why = "input 0 is bool";
    return false;
  }
  return !node.has_input(3) || input_dtype_in(node, 3, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why);
}

}  // namespace

void add_resize_ops(std::vector<op_entry>& t) { t.push_back({"Resize", "ref_resize", resize_supports, make_resize}); }

}  // namespace mirt::cpu
