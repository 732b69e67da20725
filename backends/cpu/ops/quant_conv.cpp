// backends/cpu/ops/quant_conv.cpp — ConvInteger (int32 out) and QLinearConv (requantized
// int8/uint8 out, optional int32 bias): 1 to 3 spatial dims, groups, strides, dilations, pads and
// auto_pad as Conv. x's zero point is per tensor; w's per tensor or per output channel. Each
// image and group is unfolded (im2col) into zero-point-shifted int16 columns, where padding reads
// as x's zero point (0 after the shift), and multiplied by the shifted weights in int32.
#include <algorithm>
#include <array>

#include "backends/cpu/ops/quant_common.hpp"

namespace mirt::cpu {
namespace {

using namespace quant;

// Geometry with the spatial dims padded to three (leading unit dims for 1-D and 2-D).
struct conv_geometry {
  int64_t batch = 0, channels = 0, out_channels = 0, group = 1;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1}, pad{0, 0, 0};
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};

struct conv_attrs {
  int64_t group = 1;
  std::string auto_pad;
  dims strides, dilations, pads;
};

int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

conv_geometry plan_conv(const conv_attrs& a, const dims& x, const dims& w, const dims& y) {
  if (x.size() < 3 || x.size() > 5)
    fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.size(), " (supported: 3 to 5, i.e. 1 to 3 spatial dims)");
  if (w.size() != x.size() || y.size() != x.size())
    fail(MIRT_STATUS_INVALID_SHAPE, "weights ", dims_string(w), " and output ", dims_string(y), " do not fit input ",
         dims_string(x));
  conv_geometry g;
  g.batch = x[0];
  g.channels = x[1];
  g.out_channels = w[0];
  g.group = a.group;
  if (g.group < 1 || g.channels != w[1] * g.group || g.out_channels % g.group != 0)
    fail(MIRT_STATUS_INVALID_SHAPE, "weights ", dims_string(w), " do not fit ", g.channels, " input channels in ",
         g.group, " groups");
  const size_t sr = x.size() - 2, lead = 3 - sr;
  for (size_t i = 0; i < sr; ++i) {
    const int64_t s = at_or(a.strides, i, 1), d = at_or(a.dilations, i, 1), k = w[2 + i];
    const int64_t in = x[2 + i], out = y[2 + i], span = (k - 1) * d + 1;
    int64_t pl = 0;
    if (a.auto_pad == "NOTSET") {
      pl = at_or(a.pads, i, 0);
    } else if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + span - in);
      pl = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (a.auto_pad != "VALID") {
      fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'auto_pad' is '", a.auto_pad, "'");
    }
    if (s < 1 || d < 1) fail(MIRT_STATUS_INVALID_GRAPH, "strides and dilations must be >= 1");
    g.in[lead + i] = in;
    g.out[lead + i] = out;
    g.kernel[lead + i] = k;
    g.stride[lead + i] = s;
    g.dilation[lead + i] = d;
    g.pad[lead + i] = pl;
  }
  return g;
}

// col[(c, kd, kh, kw) x (od, oh, ow)] of one image and group: x - x_zp, 0 where the window is
// outside the input.
template <class Q>
void im2col(const conv_geometry& g, const Q* image, int64_t group_channels, int32_t zp, int16_t* col) {
  const int64_t os = g.out_size();
  for (int64_t c = 0; c < group_channels; ++c)
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          int16_t* row = col + (((c * g.kernel[0] + kd) * g.kernel[1] + kh) * g.kernel[2] + kw) * os;
          const Q* plane = image + c * g.in_size();
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
            for (int64_t oh = 0; oh < g.out[1]; ++oh) {
              const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
              int16_t* dst = row + (od * g.out[1] + oh) * g.out[2];
              if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
                std::fill(dst, dst + g.out[2], int16_t(0));
                continue;
              }
              const Q* src = plane + (id * g.in[1] + ih) * g.in[2];
              for (int64_t ow = 0; ow < g.out[2]; ++ow) {
                const int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dilation[2];
                dst[ow] = iw < 0 || iw >= g.in[2] ? int16_t(0) : int16_t(int32_t(src[iw]) - zp);
              }
            }
          }
        }
}

// acc[n, m, spatial] = conv(x - x_zp, w - w_zp) in int32.
void integer_conv(const conv_geometry& g, const tensor& x, const tensor& w, const tensor& x_zp, const tensor& w_zp,
                  int32_t* acc) {
  check_param_count(x_zp, 1, "the zero point of x", "tensor");
  check_param_count(w_zp, g.out_channels, "the zero point of w", "output channel");
  const int32_t zx = zero_points_of(x_zp)[0];
  const std::vector<int32_t> zw = zero_points_of(w_zp);
  const int64_t cg = g.channels / g.group, mg = g.out_channels / g.group, kc = cg * g.kernel_size(), os = g.out_size();
  std::vector<int16_t> w16(size_t(g.out_channels * kc));
  dispatch_quantized(w.dtype, [&](auto tag) {
    using Q = typename decltype(tag)::type;
    for (int64_t m = 0; m < g.out_channels; ++m)
      shift_into(w.as<const Q>() + m * kc, kc, zw.size() > 1 ? zw[size_t(m)] : zw[0], w16.data() + m * kc);
  });
  std::vector<int16_t> col(size_t(kc * os));
  dispatch_quantized(x.dtype, [&](auto tag) {
    using Q = typename decltype(tag)::type;
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t grp = 0; grp < g.group; ++grp) {
        im2col(g, x.as<const Q>() + (n * g.channels + grp * cg) * g.in_size(), cg, zx, col.data());
        gemm_s16(mg, os, kc, w16.data() + grp * mg * kc, col.data(), acc + (n * g.out_channels + grp * mg) * os);
      }
  });
}

conv_attrs read_attrs(const node_view& node) {
  return {node.attr_int("group", 1), node.attr_string("auto_pad", "NOTSET"), node.attr_ints("strides", {}),
          node.attr_ints("dilations", {}), node.attr_ints("pads", {})};
}

class conv_integer_kernel final : public kernel {
 public:
  explicit conv_integer_kernel(const node_view& node) : attrs_(read_attrs(node)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &w = args.in.at(1), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const conv_geometry g = plan_conv(attrs_, x.shape, w.shape, y.shape);
    integer_conv(g, x, w, args.input(2), args.input(3), y.as<int32_t>());
  }

 private:
  conv_attrs attrs_;
};

// y = saturate(round_half_even((acc + B[m]) * (x_scale * w_scale[m] / y_scale)) + y_zero_point).
class qlinear_conv_kernel final : public kernel {
 public:
  explicit qlinear_conv_kernel(const node_view& node) : attrs_(read_attrs(node)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &w = args.in.at(3), &y = args.out.at(0), &bias = args.input(8);
    if (y.numel() == 0) return;
    const conv_geometry g = plan_conv(attrs_, x.shape, w.shape, y.shape);
    const tensor &x_scale = args.in.at(1), &w_scale = args.in.at(4), &y_scale = args.in.at(6);
    check_param_count(x_scale, 1, "input 1 (x_scale)", "tensor");
    check_param_count(w_scale, g.out_channels, "input 4 (w_scale)", "output channel");
    check_param_count(y_scale, 1, "input 6 (y_scale)", "tensor");
    check_param_count(args.input(7), 1, "input 7 (y_zero_point)", "tensor");
    if (bias.present() && bias.numel() != g.out_channels)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 8 (B) has shape ", dims_string(bias.shape), ", expected [", g.out_channels, "]");
    std::vector<int32_t> acc(size_t(y.numel()));
    integer_conv(g, x, w, args.input(2), args.input(5), acc.data());
    const std::vector<float> sw = params_of(w_scale);
    const float sx = param_at(x_scale, 0), sy = param_at(y_scale, 0);
    const double zy = param_at(args.input(7), 0);
    const int64_t os = g.out_size();
    dispatch_quantized(y.dtype, [&](auto tag) {
      using Q = typename decltype(tag)::type;
      Q* dst = y.as<Q>();
      for (int64_t n = 0; n < g.batch; ++n)
        for (int64_t m = 0; m < g.out_channels; ++m) {
          const double mult = scale_ratio(sx, sw.size() > 1 ? sw[size_t(m)] : sw[0], sy, x_scale.dtype);
          const int32_t b = bias.present() ? bias.as<const int32_t>()[m] : 0;
          const int64_t base = (n * g.out_channels + m) * os;
          for (int64_t e = base; e < base + os; ++e) dst[e] = saturate_round<Q>(double(acc[size_t(e)] + b) * mult, zy);
        }
    });
  }

 private:
  conv_attrs attrs_;
};

bool quantized_at(const node_view& node, size_t i, std::string& why) {
  return !node.has_input(i) || input_dtype_in(node, i, {MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8}, why);
}

bool conv_integer_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < 4; ++i)
    if (!quantized_at(node, i, why)) return false;
  return true;
}

bool qlinear_conv_supports(const node_view& node, std::string& why) {
  for (size_t i : {0, 2, 3, 5, 7})
    if (!quantized_at(node, i, why)) return false;
  for (size_t i : {1, 4, 6})
    if (!input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  return !node.has_input(8) || input_dtype_in(node, 8, {MIRT_DTYPE_INT32}, why);
}

}  // namespace

void add_quant_conv_ops(std::vector<op_entry>& t) {
  t.push_back({"ConvInteger", "ref_conv_integer", conv_integer_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<conv_integer_kernel>(node); }});
  t.push_back({"QLinearConv", "ref_qlinear_conv", qlinear_conv_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<qlinear_conv_kernel>(node); }});
}

}  // namespace mirt::cpu
