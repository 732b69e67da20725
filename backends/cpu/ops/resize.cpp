// backends/cpu/ops/resize.cpp — Resize (opsets 10 to 19): nearest, linear and cubic, every
// coordinate_transformation_mode, scales or sizes (keep_aspect_ratio_policy), axes, antialias,
// exclude_outside and tf_crop_and_resize's extrapolation. Interpolation is separable: one pass per
// resized axis, each output position a short list of (input index, weight) taps applied to
// contiguous inner rows (a vectorizable axpy). Computes in double, as the ONNX reference does;
// integer outputs round half to even and saturate.
#include <algorithm>
#include <cmath>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

enum class interp { nearest, linear, cubic };
// tf_half_pixel_for_nn is opset 11-12's (removed in 13).
enum class coord { half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize, tf_half_pixel_for_nn };
enum class nearest_rule { round_prefer_floor, round_prefer_ceil, floor, ceil };
enum class aspect { stretch, not_larger, not_smaller };

struct resize_attrs {
  interp mode = interp::nearest;
  coord transform = coord::half_pixel;
  nearest_rule rule = nearest_rule::round_prefer_floor;
  aspect policy = aspect::stretch;
  bool antialias = false, exclude_outside = false;
  double cubic_a = -0.75, extrapolation = 0;
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
  const double out_w = scale * double(in);
  switch (a.transform) {
    case coord::half_pixel: return (y + 0.5) / scale - 0.5;
    case coord::half_pixel_symmetric: {
      const double offset = double(in) / 2 * (1 - double(out) / out_w);
      return offset + (y + 0.5) / scale - 0.5;
    }
    case coord::pytorch_half_pixel: return out_w == 1 ? -0.5 : (y + 0.5) / scale - 0.5;
    case coord::align_corners: return out_w == 1 ? 0 : y * double(in - 1) / (out_w - 1);
    case coord::asymmetric: return y / scale;
    case coord::tf_half_pixel_for_nn: return (y + 0.5) / scale;
    case coord::tf_crop_and_resize:
      return (out_w == 1 ? (roi1 - roi0) * double(in - 1) / 2 : y * (roi1 - roi0) * double(in - 1) / (out_w - 1)) +
             roi0 * double(in - 1);
  }
  return 0;
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
  const double support = a.mode == interp::linear ? 1 : 2;
  first = int64_t(std::floor(-support / scale)) + 1;
  const int64_t n = 2 - 2 * first;
  double sum = 0;
  for (int64_t k = 0; k < n; ++k) {
    const double x = std::fabs(scale * (double(first + k) - ratio));
    double w;
    if (a.mode == interp::linear) {
      w = std::clamp(1 - x, 0.0, 1.0);
    } else {
      const double A = a.cubic_a;
      w = x <= 1 ? (A + 2) * x * x * x - (A + 3) * x * x + 1 : x < 2 ? A * x * x * x - 5 * A * x * x + 8 * A * x - 4 * A : 0;
    }
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
      const double frac = x - fl;
      int64_t pick = int64_t(fl);
      if (!integer) {
        switch (a.rule) {
          case nearest_rule::round_prefer_floor: pick += frac > 0.5 ? 1 : 0; break;
          case nearest_rule::round_prefer_ceil: pick += frac >= 0.5 ? 1 : 0; break;
          case nearest_rule::floor: break;
          case nearest_rule::ceil: pick += 1; break;
        }
      }
      idx = {pick};
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

template <class E>
E pick(const node_view& node, const char* name, const char* fallback, std::initializer_list<std::pair<const char*, E>> options) {
  const std::string v = node.attr_string(name, fallback);
  for (const auto& [n, e] : options)
    if (v == n) return e;
  fail(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' has the unknown value '", v, "'");
}

std::unique_ptr<kernel> make_resize(const node_view& node) {
  resize_attrs a;
  a.mode = pick<interp>(node, "mode", "nearest", {{"nearest", interp::nearest}, {"linear", interp::linear}, {"cubic", interp::cubic}});
  a.transform = pick<coord>(node, "coordinate_transformation_mode", "half_pixel",
                            {{"half_pixel", coord::half_pixel},
                             {"half_pixel_symmetric", coord::half_pixel_symmetric},
                             {"pytorch_half_pixel", coord::pytorch_half_pixel},
                             {"align_corners", coord::align_corners},
                             {"asymmetric", coord::asymmetric},
                             {"tf_crop_and_resize", coord::tf_crop_and_resize},
                             {"tf_half_pixel_for_nn", coord::tf_half_pixel_for_nn}});
  a.rule = pick<nearest_rule>(node, "nearest_mode", "round_prefer_floor",
                              {{"round_prefer_floor", nearest_rule::round_prefer_floor},
                               {"round_prefer_ceil", nearest_rule::round_prefer_ceil},
                               {"floor", nearest_rule::floor},
                               {"ceil", nearest_rule::ceil}});
  a.policy = pick<aspect>(node, "keep_aspect_ratio_policy", "stretch",
                          {{"stretch", aspect::stretch}, {"not_larger", aspect::not_larger}, {"not_smaller", aspect::not_smaller}});
  a.antialias = node.attr_int("antialias", 0) != 0;
  if (a.antialias && a.mode == interp::nearest) fail(MIRT_STATUS_INVALID_GRAPH, "antialias=1 needs mode linear or cubic");
  a.exclude_outside = node.attr_int("exclude_outside", 0) != 0;
  a.cubic_a = node.attr_float("cubic_coeff_a", -0.75f);
  a.extrapolation = node.attr_float("extrapolation_value", 0.0f);
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
