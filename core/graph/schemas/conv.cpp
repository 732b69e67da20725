// core/graph/schemas/conv.cpp — schemas of Conv and ConvTranspose (N-d, grouped, dilated, auto_pad).
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

std::vector<attribute_spec> conv_attributes() {
  return {{"auto_pad", MIRT_ATTRIBUTE_TYPE_STRING}, {"dilations", MIRT_ATTRIBUTE_TYPE_INTS},
          {"group", MIRT_ATTRIBUTE_TYPE_INT},       {"kernel_shape", MIRT_ATTRIBUTE_TYPE_INTS},
          {"pads", MIRT_ATTRIBUTE_TYPE_INTS},       {"strides", MIRT_ATTRIBUTE_TYPE_INTS}};
}

// Checks X (N x C x D1..Dn), W and the optional bias; returns the spatial extents of W.
result<std::vector<int64_t>> check_conv_inputs(const infer_context& ctx, int64_t group) {
  const tensor_type& x = ctx.input(0);
  const tensor_type& w = ctx.input(1);
  if (x.rank() < 3)
    return ctx.error("input 0 has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  if (w.rank() != x.rank())
    return ctx.error("input 1 has rank ", w.rank(), ", expected ", x.rank(), " (the rank of input 0)");
  if (group <= 0) return ctx.error("attribute 'group' is ", group, ", expected a positive value");
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
  std::vector<int64_t> kernel;
  for (size_t i = 2; i < w.rank(); ++i) kernel.push_back(w.shape[i].known() ? w.shape[i].value : -1);
  return kernel;
}

status check_bias(const infer_context& ctx, const dim& channels) {
  if (!ctx.has_input(2)) return {};
  const tensor_type& b = ctx.input(2);
  if (b.rank() != 1) return ctx.error("input 2 (bias) has rank ", b.rank(), ", expected 1");
  if (b.shape[0].known() && channels.known() && b.shape[0].value != channels.value)
    return ctx.error("input 2 (bias) has ", b.shape[0].value, " elements, expected ", channels.value,
                     " (the output channels)");
  return {};
}

status infer_conv(infer_context& ctx) {
  const int64_t group = ctx.attrs().get_int("group", 1);
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> kernel, check_conv_inputs(ctx, group));
  const tensor_type& x = ctx.input(0);
  const tensor_type& w = ctx.input(1);
  const dim& in_channels = x.shape[1];
  const dim& w_channels = w.shape[1];
  if (in_channels.known() && w_channels.known() && in_channels.value != w_channels.value * group)
    return ctx.error("input 0 has ", in_channels.value, " channels, but input 1 (weights) expects ",
                     w_channels.value * group, " (", w_channels.value, " per group x ", group, " groups)");
  const dim& out_channels = w.shape[0];
  if (out_channels.known() && out_channels.value % group != 0)
    return ctx.error("input 1 (weights) has ", out_channels.value, " output channels, not divisible by group ",
                     group);
  MIRT_RETURN_IF_ERROR(check_bias(ctx, out_channels));

  const size_t spatial = x.rank() - 2;
  MIRT_ASSIGN_OR_RETURN(window win, read_window(ctx, spatial, kernel));
  dims shape{x.shape[0], out_channels};
  for (size_t i = 0; i < spatial; ++i) {
    MIRT_ASSIGN_OR_RETURN(dim d, window_output(ctx, x.shape[i + 2], win, i, false));
    shape.push_back(d);
  }
  ctx.output(0) = tensor_type{x.dtype, std::move(shape), true, std::nullopt};
  return {};
}

status infer_conv_transpose(infer_context& ctx) {
  const int64_t group = ctx.attrs().get_int("group", 1);
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> kernel, check_conv_inputs(ctx, group));
  const tensor_type& x = ctx.input(0);
  const tensor_type& w = ctx.input(1);
  // W is C x (M / group) x k1..kn.
  if (x.shape[1].known() && w.shape[0].known() && x.shape[1].value != w.shape[0].value)
    return ctx.error("input 0 has ", x.shape[1].value, " channels, but input 1 (weights) expects ",
                     w.shape[0].value);
  const dim out_channels = w.shape[1].known() ? dim{w.shape[1].value * group, {}} : dim{};
  MIRT_RETURN_IF_ERROR(check_bias(ctx, out_channels));

  const size_t spatial = x.rank() - 2;
  MIRT_ASSIGN_OR_RETURN(window win, read_window(ctx, spatial, kernel));
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> output_padding,
                        ints_attribute(ctx, "output_padding", spatial, std::vector<int64_t>(spatial, 0)));
  std::vector<int64_t> output_shape = ctx.attrs().get_ints("output_shape");
  if (output_shape.size() == spatial + 2) output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  if (!output_shape.empty() && output_shape.size() != spatial)
    return ctx.error("attribute 'output_shape' has ", output_shape.size(), " values, expected ", spatial,
                     " (one per spatial dim)");
  for (size_t i = 0; i < spatial; ++i)
    if (output_padding[i] < 0 || output_padding[i] >= std::max(win.strides[i], win.dilations[i]))
      return ctx.error("attribute 'output_padding' is ", to_string(output_padding),
                       ", expected each value below its stride or dilation");

  dims shape{x.shape[0], out_channels};
  for (size_t i = 0; i < spatial; ++i) {
    if (!output_shape.empty()) {
      if (output_shape[i] <= 0) return ctx.error("attribute 'output_shape' has non-positive value ", output_shape[i]);
      shape.push_back(dim{output_shape[i], {}});
      continue;
    }
    const dim& in = x.shape[i + 2];
    if (!in.known() || win.kernel[i] < 0) {
      shape.push_back(dim{});
      continue;
    }
    const int64_t stride = win.strides[i];
    if (win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER") {
      shape.push_back(dim{in.value * stride, {}});
      continue;
    }
    const int64_t pads = win.auto_pad == "VALID" ? 0 : win.pads[i] + win.pads[i + spatial];
    const int64_t out =
        stride * (in.value - 1) + output_padding[i] + win.dilations[i] * (win.kernel[i] - 1) + 1 - pads;
    if (out <= 0)
      return ctx.error("spatial dim ", i, " of the output would be ", out, " (input ", in.value, ", pads ", pads,
                       "); expected a positive extent");
    shape.push_back(dim{out, {}});
  }
  ctx.output(0) = tensor_type{x.dtype, std::move(shape), true, std::nullopt};
  return {};
}

}  // namespace

void add_conv_schemas(schema_table& table) {
  table.add(make_schema("Conv", 2, 3, 1, 1, conv_attributes(), infer_conv));
  std::vector<attribute_spec> transpose = conv_attributes();
  transpose.push_back({"output_padding", MIRT_ATTRIBUTE_TYPE_INTS});
  transpose.push_back({"output_shape", MIRT_ATTRIBUTE_TYPE_INTS});
  table.add(make_schema("ConvTranspose", 2, 3, 1, 1, std::move(transpose), infer_conv_transpose));

  // mirt::FusedConv = activation(Conv(X, W, B) + Z): what the builder's fusion pass makes of a Conv
  // followed by an optional residual Add and an activation, for backends that run it in one kernel.
  std::vector<attribute_spec> fused = conv_attributes();
  fused.push_back({"activation", MIRT_ATTRIBUTE_TYPE_STRING});  // "" (none), Relu, LeakyRelu, Clip, ...
  fused.push_back({"activation_alpha", MIRT_ATTRIBUTE_TYPE_FLOAT});
  fused.push_back({"activation_beta", MIRT_ATTRIBUTE_TYPE_FLOAT});
  // "NHWC": X, Z and Y hold channels-last data (the logical shapes stay NCHW); made by the layout pass.
  fused.push_back({"layout", MIRT_ATTRIBUTE_TYPE_STRING});
  op_schema fused_conv = make_schema("FusedConv", 2, 4, 1, 1, std::move(fused), [](infer_context& ctx) -> status {
    MIRT_RETURN_IF_ERROR(infer_conv(ctx));
    if (ctx.has_input(3)) {
      MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 3, 0));
      const dims& z = ctx.input(3).shape;
      const dims& y = ctx.output(0).shape;
      bool fits = z.size() == y.size();
      for (size_t i = 0; fits && i < z.size(); ++i) fits = !z[i].known() || !y[i].known() || z[i].value == y[i].value;
      if (!fits)
        return ctx.error("input 3 (residual) has shape ", to_string(ctx.input(3).shape), ", expected the output shape ",
                         to_string(ctx.output(0).shape));
    }
    return {};
  });
  fused_conv.domain = "mirt";
  // The residual's buffer may become Y: the kernels accumulate into Y (cpu: oneDNN's sum post-op;
  // cuda: cuDNN's Z), which saves a copy of the residual per layer.
  fused_conv.may_run_in_place = true;
  fused_conv.in_place_input = 3;
  table.add(std::move(fused_conv));

  // mirt::Reformat: the same 4-D tensor (logical NCHW shape) with its data moved between memory
  // layouts, "to" = "NHWC" (channels last) or "NCHW"; the layout pass puts one at each edge of a
  // channels-last region. Optional "dtype" (an ONNX TensorProto code, as Cast's 'to'): the output's
  // dtype, when the pass folded a Cast into it; default the input's.
  op_schema reformat = make_schema("Reformat", 1, 1, 1, 1,
                                   {{"to", MIRT_ATTRIBUTE_TYPE_STRING, true}, {"dtype", MIRT_ATTRIBUTE_TYPE_INT}},
                                   [](infer_context& ctx) -> status {
                                     MIRT_RETURN_IF_ERROR(ctx.require_rank(0, 4));
                                     const std::string to = ctx.attrs().get_string("to", "");
                                     if (to != "NHWC" && to != "NCHW")
                                       return ctx.error("attribute 'to' is '", to, "', expected NHWC or NCHW");
                                     mirt_dtype dtype = ctx.input(0).dtype;
                                     if (ctx.attrs().find("dtype") != nullptr) {
                                       dtype = dtype_from_onnx(ctx.attrs().get_int("dtype", 0));
                                       if (dtype == MIRT_DTYPE_UNDEFINED)
                                         return ctx.error("attribute 'dtype' is ", ctx.attrs().get_int("dtype", 0),
                                                          ", not an ONNX data type mirt has");
                                     }
                                     ctx.output(0) = tensor_type{dtype, ctx.input(0).shape, true, std::nullopt};
                                     return {};
                                   });
  reformat.domain = "mirt";
  table.add(std::move(reformat));
}

}  // namespace mirt
