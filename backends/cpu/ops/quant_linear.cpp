// backends/cpu/ops/quant_linear.cpp — QuantizeLinear, DequantizeLinear (per-tensor, per-axis and
// blocked; int8/uint8, and int32 for DequantizeLinear) and DynamicQuantizeLinear.
#include <algorithm>

#include "backends/cpu/ops/quant_common.hpp"

namespace mirt::cpu {
namespace quant {

std::vector<float> params_of(const tensor& t) {
  if (!t.present()) return {0.0f};
  std::vector<float> v(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[size_t(i)] = param_at(t, i);
  return v;
}

void check_param_count(const tensor& t, int64_t count, const char* what, const char* per) {
  if (!t.present()) return;
  const int64_t n = t.numel();
  if (n != 1 && n != count)
    fail(MIRT_STATUS_INVALID_SHAPE, what, " has shape ", dims_string(t.shape), ", expected a scalar or ", count,
         " elements (one per ", per, ")");
}

}  // namespace quant

namespace {

using namespace quant;

// Walks x as [outer, extent, inner] and calls f(element index, parameter index).
template <class F>
void for_each_param(const support::quant_layout& p, F&& f) {
  int64_t e = 0;
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t d = 0; d < p.extent; ++d)
      for (int64_t i = 0; i < p.inner; ++i, ++e) f(e, p.at(o, d, i));
}

// A zero point, when given, has its scale's shape; prefix is "x" or "y" as the op names them.
void check_zero_point_shape(const tensor& zp, const tensor& scale, const char* prefix) {
  if (zp.present() && zp.shape != scale.shape)
    fail(MIRT_STATUS_INVALID_SHAPE, "input 2 (", prefix, "_zero_point) has shape ", dims_string(zp.shape),
         ", expected ", prefix, "_scale's shape ", dims_string(scale.shape));
}

class quantize_kernel final : public kernel {
 public:
  explicit quantize_kernel(const node_view& node)
      : axis_(node.attr_int("axis", 1)), block_(node.attr_int("block_size", 0)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &scale = args.in.at(1), &zp = args.input(2), &y = args.out.at(0);
    const support::quant_layout p = support::plan_quant_layout(x.shape, scale.shape, axis_, block_, "input 1 (y_scale)");
    check_zero_point_shape(zp, scale, "y");
    const std::vector<float> s = params_of(scale), z = params_of(zp);
    dispatch_any(x.dtype, [&](auto xtag) {
      using X = typename decltype(xtag)::type;
      dispatch_quantized(y.dtype, [&](auto qtag) {
        using Q = typename decltype(qtag)::type;
        const X* src = x.as<const X>();
        Q* dst = y.as<Q>();
        // The division stays in float, as ONNX computes it in the scale's (float) type.
        if (p.so == 0 && p.sd == 0) {
          const float sc = s[0], zf = z[0];
          for (int64_t e = 0, n = x.numel(); e < n; ++e) dst[e] = saturate_round<Q>(float(widen(src[e])) / sc, zf);
          return;
        }
        for_each_param(p, [&](int64_t e, int64_t k) {
          dst[e] = saturate_round<Q>(float(widen(src[e])) / s[size_t(k)], z.size() > 1 ? z[size_t(k)] : z[0]);
        });
      });
    });
  }

 private:
  int64_t axis_, block_;
};

class dequantize_kernel final : public kernel {
 public:
  explicit dequantize_kernel(const node_view& node)
      : axis_(node.attr_int("axis", 1)), block_(node.attr_int("block_size", 0)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &scale = args.in.at(1), &zp = args.input(2), &y = args.out.at(0);
    const support::quant_layout p = support::plan_quant_layout(x.shape, scale.shape, axis_, block_, "input 1 (x_scale)");
    check_zero_point_shape(zp, scale, "x");
    const std::vector<float> s = params_of(scale), z = params_of(zp);
    dispatch_any(x.dtype, [&](auto xtag) {
      using X = typename decltype(xtag)::type;
      dispatch_any(y.dtype, [&](auto ytag) {
        using Y = typename decltype(ytag)::type;
        const X* src = x.as<const X>();
        Y* dst = y.as<Y>();
        // (x - zp) is exact in double (int32 inputs too); one rounding to float, as float32 math gives.
        for_each_param(p, [&](int64_t e, int64_t k) {
          const double diff = double(widen(src[e])) - double(z.size() > 1 ? z[size_t(k)] : z[0]);
          dst[e] = convert<Y>(float(diff) * s[size_t(k)]);
        });
      });
    });
  }

 private:
  int64_t axis_, block_;
};

// y_scale = (max(0, max x) - min(0, min x)) / 255, y_zero_point = saturate(round(-min / y_scale)),
// y = saturate(round(x / y_scale) + y_zero_point). A range of 0 (all zeros) takes scale 1.
class dynamic_quantize_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const float* src = x.as<const float>();
    const int64_t n = x.numel();
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < n; ++i) {
      lo = std::min(lo, src[i]);
      hi = std::max(hi, src[i]);
    }
    if (!std::isfinite(lo) || !std::isfinite(hi))
      fail(MIRT_STATUS_INVALID_ARGUMENT, "input 0 holds a non-finite value; no scale covers it");
    const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
    const uint8_t zp = saturate_round<uint8_t>((0.0f - lo) / scale);
    uint8_t* dst = y.as<uint8_t>();
    for (int64_t i = 0; i < n; ++i) dst[i] = saturate_round<uint8_t>(src[i] / scale, float(zp));
    *args.out.at(1).as<float>() = scale;
    *args.out.at(2).as<uint8_t>() = zp;
  }
};

bool is_q(mirt_dtype d) { return d == MIRT_DTYPE_INT8 || d == MIRT_DTYPE_UINT8; }
bool is_f(mirt_dtype d) { return d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16; }

bool quantize_supports(const node_view& node, std::string& why) {
  if (!is_f(node.input_dtype(0)) && node.input_dtype(0) != MIRT_DTYPE_INT32) {
    why = cat("input 0 is ", dtype_name(node.input_dtype(0)), " (supported: float32, float16, bfloat16, int32)");
    return false;
  }
  if (!is_f(node.input_dtype(1)) && node.input_dtype(1) != MIRT_DTYPE_INT32) {
    why = cat("input 1 (y_scale) is ", dtype_name(node.input_dtype(1)));
    return false;
  }
  if (!is_q(node.output_dtype(0))) {
    why = cat("output is ", dtype_name(node.output_dtype(0)), " (supported: int8, uint8)");
    return false;
  }
  return true;
}

bool dequantize_supports(const node_view& node, std::string& why) {
  if (!is_q(node.input_dtype(0)) && node.input_dtype(0) != MIRT_DTYPE_INT32) {
    why = cat("input 0 is ", dtype_name(node.input_dtype(0)), " (supported: int8, uint8, int32)");
    return false;
  }
  if (!is_f(node.input_dtype(1)) || !is_f(node.output_dtype(0))) {
    why = cat("scale ", dtype_name(node.input_dtype(1)), " and output ", dtype_name(node.output_dtype(0)),
              " (supported: float32, float16, bfloat16)");
    return false;
  }
  return true;
}

bool dynamic_quantize_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why);
}

}  // namespace

void add_quant_linear_ops(std::vector<op_entry>& t) {
  t.push_back({"QuantizeLinear", "ref_quantize_linear", quantize_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<quantize_kernel>(node); }});
  t.push_back({"DequantizeLinear", "ref_dequantize_linear", dequantize_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<dequantize_kernel>(node); }});
  t.push_back({"DynamicQuantizeLinear", "ref_dynamic_quantize_linear", dynamic_quantize_supports,
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<dynamic_quantize_kernel>(); }});
}

}  // namespace mirt::cpu

namespace mirt::cpu::quant {

void gemm_s16(int64_t m, int64_t n, int64_t k, const int16_t* a, const int16_t* b, int32_t* c) {
  std::fill(c, c + m * n, 0);
  constexpr int64_t tile = 512;  // columns of c kept in L1 while k runs
  for (int64_t j0 = 0; j0 < n; j0 += tile) {
    const int64_t j1 = std::min(n, j0 + tile);
    for (int64_t i = 0; i < m; ++i) {
      int32_t* crow = c + i * n;
      for (int64_t kk = 0; kk < k; ++kk) {
        const int32_t av = a[i * k + kk];
        if (av == 0) continue;
        const int16_t* brow = b + kk * n;
        for (int64_t j = j0; j < j1; ++j) crow[j] += av * int32_t(brow[j]);
      }
    }
  }
}

double scale_ratio(float a, float b, float y, mirt_dtype scale_dtype) {
  auto in_type = [&](float v) {
    return dispatch_any(scale_dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return float(widen(convert<T>(v)));
    });
  };
  return double(in_type(in_type(a * b) / y));
}

std::vector<int32_t> zero_points_of(const tensor& t) {
  if (!t.present()) return {0};
  std::vector<int32_t> v(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[size_t(i)] = int32_t(param_at(t, i));
  return v;
}

}  // namespace mirt::cpu::quant
