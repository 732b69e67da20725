// backends/cuda/ops/int_conv.cpp — ConvInteger and QLinearConv: 1 to 3 spatial dims, groups,
// strides, dilations, pads and auto_pad as Conv; x's zero point and scale per tensor, w's per
// tensor or per output channel; int8 and uint8 operands, as the cpu backend.
#include <algorithm>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/int_conv.hpp"

namespace mirt::cuda {
namespace {

int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

// Whether a per-tensor (one value) or per-output-channel parameter is per channel.
bool per_channel(const dtensor& t, int64_t channels, const char* what) {
  if (!t.present() || t.numel() == 1) return false;
  if (t.numel() != channels) fail(MIRT_STATUS_INVALID_SHAPE, what, " has shape ", dims_string(t.shape), ", expected a scalar or ", channels, " elements");
  return true;
}

void require_scalar(const dtensor& t, const char* what) {
  if (t.present() && t.numel() != 1) fail(MIRT_STATUS_INVALID_SHAPE, what, " has shape ", dims_string(t.shape), ", expected a scalar");
}

class int_conv_kernel final : public kernel {
 public:
  int_conv_kernel(const node_view& node, bool qlinear)
      : qlinear_(qlinear), group_(node.attr_int("group", 1)), auto_pad_(node.attr_string("auto_pad", "NOTSET")),
        strides_(node.attr_ints("strides", {})), dilations_(node.attr_ints("dilations", {})), pads_(node.attr_ints("pads", {})) {}

  void execute(const exec_args& args) const override {
    // ConvInteger: x, w, x_zp, w_zp. QLinearConv: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B.
    const dtensor &x = args.in.at(0), &w = args.in.at(qlinear_ ? 3 : 1), &y = args.out.at(0);
    const dtensor &zx = args.input(2), &zw = args.input(qlinear_ ? 5 : 3);
    if (x.rank() < 3 || x.rank() > 5) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.rank(), " (supported: 3 to 5, i.e. 1 to 3 spatial dims)");
    if (w.rank() != x.rank() || y.rank() != x.rank())
      fail(MIRT_STATUS_INVALID_SHAPE, "weights ", dims_string(w.shape), " and output ", dims_string(y.shape), " do not fit input ", dims_string(x.shape));
    int_conv_params p;
    p.batch = x.shape[0], p.channels = x.shape[1], p.out_channels = w.shape[0], p.group = group_;
    if (p.group < 1 || p.channels != w.shape[1] * p.group || p.out_channels % p.group != 0 || y.shape[1] != p.out_channels)
      fail(MIRT_STATUS_INVALID_SHAPE, "weights ", dims_string(w.shape), " do not fit ", p.channels, " input channels in ", p.group, " groups");
    const size_t sr = x.rank() - 2, lead = 3 - sr;
    for (size_t i = 0; i < sr; ++i) {
      const size_t a = lead + i;
      const int64_t s = at_or(strides_, i, 1), d = at_or(dilations_, i, 1), k = w.shape[2 + i], span = (k - 1) * d + 1;
      if (s < 1 || d < 1) fail(MIRT_STATUS_INVALID_GRAPH, "strides and dilations must be >= 1");
      p.in[a] = x.shape[2 + i], p.out[a] = y.shape[2 + i], p.kernel[a] = k, p.stride[a] = s, p.dilation[a] = d;
      if (auto_pad_ == "NOTSET") {
        p.pad[a] = at_or(pads_, i, 0);
      } else if (auto_pad_ == "SAME_UPPER" || auto_pad_ == "SAME_LOWER") {
        const int64_t total = std::max<int64_t>(0, (p.out[a] - 1) * s + span - p.in[a]);
        p.pad[a] = auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2;
      } else if (auto_pad_ != "VALID") {
        fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'auto_pad' is '", auto_pad_, "'");
      }
    }
    p.x_dtype = x.dtype, p.w_dtype = w.dtype, p.y_dtype = y.dtype, p.x = x.data, p.w = w.data, p.y = y.data;
    require_scalar(zx, "the zero point of x");
    if (zx.present()) p.x_zero = zx.data, p.x_zero_dtype = zx.dtype;
    if (zw.present()) p.w_zero = zw.data, p.w_zero_dtype = zw.dtype, p.w_zero_per_channel = per_channel(zw, p.out_channels, "the zero point of w");
    if (qlinear_) {
      const dtensor &sx = args.in.at(1), &sw = args.in.at(4), &sy = args.in.at(6), &zy = args.input(7), &bias = args.input(8);
      require_scalar(sx, "input 1 (x_scale)");
      require_scalar(sy, "input 6 (y_scale)");
      require_scalar(zy, "input 7 (y_zero_point)");
      p.x_scale = sx.data, p.w_scale = sw.data, p.y_scale = sy.data;
      p.x_scale_dtype = sx.dtype, p.w_scale_dtype = sw.dtype, p.y_scale_dtype = sy.dtype;
      p.w_scale_per_channel = per_channel(sw, p.out_channels, "input 4 (w_scale)");
      if (zy.present()) p.y_zero = zy.data, p.y_zero_dtype = zy.dtype;
      if (bias.present()) {
        if (bias.numel() != p.out_channels)
          fail(MIRT_STATUS_INVALID_SHAPE, "input 8 (B) has shape ", dims_string(bias.shape), ", expected [", p.out_channels, "]");
        p.bias = bias.as<const int32_t>();
      }
    }
    throw_if_failed(launch_int_conv(p, args.stream));
  }

 private:
  bool qlinear_;
  int64_t group_;
  std::string auto_pad_;
  dims strides_, dilations_, pads_;
};

bool quantized_at(const node_view& node, size_t i, std::string& why) {
  return !node.has_input(i) || input_dtype_in(node, i, {MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8}, why);
}

}  // namespace

void add_int_conv_ops(std::vector<op_entry>& t) {
  t.push_back({"ConvInteger", "cuda_conv_integer",
               [](const node_view& node, std::string& why) {
                 for (size_t i = 0; i < 4; ++i)
                   if (!quantized_at(node, i, why)) return false;
                 return true;
               },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<int_conv_kernel>(node, false); }});
  t.push_back({"QLinearConv", "cuda_qlinear_conv",
               [](const node_view& node, std::string& why) {
                 for (size_t i : {0, 2, 3, 5, 7})
                   if (!quantized_at(node, i, why)) return false;
                 for (size_t i : {1, 4, 6})
                   if (!input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
                 return !node.has_input(8) || input_dtype_in(node, 8, {MIRT_DTYPE_INT32}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<int_conv_kernel>(node, true); }});
}

}  // namespace mirt::cuda
