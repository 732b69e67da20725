// backends/cpu/ops/quantize.cpp — QuantizeLinear (round half to even, saturating), DequantizeLinear
// and DynamicQuantizeLinear, for int8/uint8/int32 quantized data and float scales. Scales (and zero
// points) are per tensor, per axis or blocked along the axis (block_size).
#include <algorithm>
#include <cmath>
#include <limits>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// The scale/zero-point index of every element of x: x is [outer, n, inner] around the axis.
struct scale_layout {
  int64_t outer = 1, n = 1, inner = 1, block = 0;
  bool per_tensor = true;

  int64_t index(int64_t e) const {
    if (per_tensor) return 0;
    const int64_t o = e / (n * inner), j = (e / inner) % n, i = e % inner;
    if (block == 0) return j;
    const int64_t blocks = (n + block - 1) / block;
    return (o * blocks + j / block) * inner + i;
  }
};

scale_layout layout_of(const tensor& x, const tensor& scale, int64_t axis_attr, int64_t block) {
  scale_layout l;
  if (scale.numel() == 1 && block == 0) return l;
  const size_t axis = size_t(normalize_axis(axis_attr, x.rank()));
  l.per_tensor = false;
  l.outer = product(x.shape, 0, axis), l.n = x.shape[axis], l.inner = product(x.shape, axis + 1), l.block = block;
  const int64_t want = block == 0 ? l.n : l.outer * ((l.n + block - 1) / block) * l.inner;
  if (scale.numel() != want) fail(MIRT_STATUS_INVALID_SHAPE, "input 1 (scale) has ", scale.numel(), " values, expected ", want);
  return l;
}

double read_any(const tensor& t, int64_t i) {
  return dispatch_any(t.dtype, [&](auto tag) { return double(widen(t.as<const typename decltype(tag)::type>()[i])); });
}

template <class Q>
Q saturate(double v) {
  return Q(std::clamp(v, double(std::numeric_limits<Q>::lowest()), double(std::numeric_limits<Q>::max())));
}

class quantize_kernel final : public kernel {
 public:
  quantize_kernel(int64_t axis, int64_t block) : axis_(axis), block_(block) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &scale = args.in.at(1), &zp = args.input(2), &y = args.out.at(0);
    const scale_layout l = layout_of(x, scale, axis_, block_);
    dispatch_any(y.dtype, [&](auto tag) {
      using Q = typename decltype(tag)::type;
      if constexpr (std::is_integral_v<Q>) {
        Q* py = y.as<Q>();
        for (int64_t e = 0, total = x.numel(); e < total; ++e) {
          const int64_t s = l.index(e);
          const double z = zp.present() ? read_any(zp, s) : 0.0;
          // Divide in float, as the ONNX reference does for float32 data and scales.
          const double q = double(float(read_any(x, e)) / float(read_any(scale, s)));
          py[e] = saturate<Q>(std::nearbyint(q) + z);
        }
      } else {
        fail(MIRT_STATUS_UNSUPPORTED, "quantizing to ", dtype_name(y.dtype));
      }
    });
  }

 private:
  int64_t axis_, block_;
};

class dequantize_kernel final : public kernel {
 public:
  dequantize_kernel(int64_t axis, int64_t block) : axis_(axis), block_(block) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &scale = args.in.at(1), &zp = args.input(2), &y = args.out.at(0);
    const scale_layout l = layout_of(x, scale, axis_, block_);
    dispatch_float(y.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* py = y.as<T>();
      for (int64_t e = 0, total = x.numel(); e < total; ++e) {
        const int64_t s = l.index(e);
        const double z = zp.present() ? read_any(zp, s) : 0.0;
        py[e] = store<T>(compute_type<T>((read_any(x, e) - z) * read_any(scale, s)));
      }
    });
  }

 private:
  int64_t axis_, block_;
};

// uint8 with the range [min(0, min x), max(0, max x)] mapped onto [0, 255].
class dynamic_quantize_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    const float* px = x.as<const float>();
    float lo = 0, hi = 0;
    for (int64_t e = 0, n = x.numel(); e < n; ++e) lo = std::min(lo, px[e]), hi = std::max(hi, px[e]);
    const float scale = (hi - lo) / 255.0f;
    const float zp = scale == 0 ? 0.0f : std::clamp(std::nearbyint(0.0f - lo / scale), 0.0f, 255.0f);
    uint8_t* py = args.out.at(0).as<uint8_t>();
    for (int64_t e = 0, n = x.numel(); e < n; ++e)
      py[e] = scale == 0 ? uint8_t(zp) : saturate<uint8_t>(double(std::nearbyint(px[e] / scale)) + double(zp));
    if (args.out.size() > 1 && args.out[1].data) *args.out[1].as<float>() = scale;
    if (args.out.size() > 2 && args.out[2].data) *args.out[2].as<uint8_t>() = uint8_t(zp);
  }
};

bool quantize_supports(const node_view& node, std::string& why) {
  if (!float_input_at(node, 1, why)) return false;
  const bool quantize = node.op_type() == "QuantizeLinear";
  if (quantize && !float_input_at(node, 0, why)) return false;
  const mirt_dtype q = quantize ? node.output_dtype(0) : node.input_dtype(0);
  if (q != MIRT_DTYPE_INT8 && q != MIRT_DTYPE_UINT8 && q != MIRT_DTYPE_INT32) {
    why = cat("quantized dtype ", dtype_name(q), " (supported: int8, uint8, int32)");
    return false;
  }
  return true;
}

}  // namespace

void add_quantize_ops(std::vector<op_entry>& t) {
  t.push_back({"QuantizeLinear", "ref_quantize", quantize_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<quantize_kernel>(node.attr_int("axis", 1), node.attr_int("block_size", 0));
               }});
  t.push_back({"DequantizeLinear", "ref_dequantize", quantize_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<dequantize_kernel>(node.attr_int("axis", 1), node.attr_int("block_size", 0));
               }});
  t.push_back({"DynamicQuantizeLinear", "ref_dynamic_quantize",
               [](const node_view& node, std::string& why) { return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why); },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<dynamic_quantize_kernel>(); }});
}

}  // namespace mirt::cpu
