// backends/cuda/ops/deform_conv.cpp — DeformConv (2-D: group, offset_group, strides, dilations,
// pads; optional bias and mask) on float32, float64, float16 and bfloat16, as the cpu backend.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/deform_conv.hpp"

namespace mirt::cuda {
namespace {

int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

class deform_conv_kernel final : public kernel {
 public:
  explicit deform_conv_kernel(const node_view& node)
      : group_(node.attr_int("group", 1)), offset_group_(node.attr_int("offset_group", 1)), strides_(node.attr_ints("strides", {})),
        dilations_(node.attr_ints("dilations", {})), pads_(node.attr_ints("pads", {})) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &w = args.in.at(1), &offset = args.in.at(2), &bias = args.input(3), &mask = args.input(4);
    const dtensor& y = args.out.at(0);
    if (x.rank() != 4 || w.rank() != 4 || y.rank() != 4)
      fail(MIRT_STATUS_UNSUPPORTED, "input ", dims_string(x.shape), ", weights ", dims_string(w.shape), " and output ",
           dims_string(y.shape), ": only 2-D DeformConv is supported");
    deform_conv_params p;
    p.batch = x.shape[0], p.channels = x.shape[1], p.height = x.shape[2], p.width = x.shape[3];
    p.out_channels = w.shape[0], p.kh = w.shape[2], p.kw = w.shape[3], p.oh = y.shape[2], p.ow = y.shape[3];
    p.group = group_, p.offset_group = offset_group_;
    if (p.group < 1 || p.offset_group < 1 || p.channels != w.shape[1] * p.group || p.out_channels % p.group != 0 ||
        p.channels % p.offset_group != 0 || y.shape[0] != p.batch || y.shape[1] != p.out_channels)
      fail(MIRT_STATUS_INVALID_SHAPE, "weights ", dims_string(w.shape), " and output ", dims_string(y.shape), " do not fit ", p.channels,
           " input channels in ", p.group, " groups and ", p.offset_group, " offset groups");
    const int64_t taps = p.kh * p.kw;
    if (offset.shape != dims{p.batch, p.offset_group * 2 * taps, p.oh, p.ow})
      fail(MIRT_STATUS_INVALID_SHAPE, "offset has shape ", dims_string(offset.shape), ", expected ",
           dims_string({p.batch, p.offset_group * 2 * taps, p.oh, p.ow}));
    if (mask.present() && mask.shape != dims{p.batch, p.offset_group * taps, p.oh, p.ow})
      fail(MIRT_STATUS_INVALID_SHAPE, "mask has shape ", dims_string(mask.shape), ", expected ", dims_string({p.batch, p.offset_group * taps, p.oh, p.ow}));
    if (bias.present() && bias.numel() != p.out_channels) fail(MIRT_STATUS_INVALID_SHAPE, "bias has ", bias.numel(), " values, expected ", p.out_channels);
    for (size_t i = 0; i < 2; ++i) p.stride[i] = at_or(strides_, i, 1), p.dilation[i] = at_or(dilations_, i, 1), p.pad[i] = at_or(pads_, i, 0);
    p.dtype = x.dtype, p.x = x.data, p.w = w.data, p.offset = offset.data, p.y = y.data;
    if (mask.present()) p.mask = mask.data;
    if (bias.present()) p.bias = bias.data;
    throw_if_failed(launch_deform_conv(p, args.stream));
  }

 private:
  int64_t group_, offset_group_;
  dims strides_, dilations_, pads_;
};

}  // namespace

void add_deform_conv_ops(std::vector<op_entry>& t) {
  t.push_back({"DeformConv", "cuda_deform_conv",
               [](const node_view& node, std::string& why) {
                 if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
                 for (size_t i = 1; i < node.num_inputs(); ++i)
                   if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
                 return true;
               },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<deform_conv_kernel>(node); }});
}

}  // namespace mirt::cuda
