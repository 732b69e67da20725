// core/graph/schemas/deform_conv.cpp — schema of DeformConv: a 2-D convolution whose kernel taps
// sample X at learned offsets (and, optionally, scale each tap by a mask).
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Checks that input i has shape (N, channels, oH, oW) wherever both sides are known.
status check_per_position(const infer_context& ctx, size_t i, const char* what, const dims& want) {
  const tensor_type& t = ctx.input(i);
  if (t.rank() != 4)
    return ctx.error("input ", i, " (", what, ") has rank ", t.rank(), ", expected 4 ([N, channels, oH, oW])");
  for (size_t d = 0; d < 4; ++d)
    if (t.shape[d].known() && want[d].known() && t.shape[d].value != want[d].value)
      return ctx.error("input ", i, " (", what, ") has shape ", to_string(t.shape), ", expected ", to_string(want));
  return {};
}

// X (N, C, H, W), W (oC, C/group, kH, kW), offset (N, offset_group*2*kH*kW, oH, oW), optional
// B (oC) and mask (N, offset_group*kH*kW, oH, oW) give Y (N, oC, oH, oW).
status infer_deform_conv(infer_context& ctx) {
  const tensor_type &x = ctx.input(0), &w = ctx.input(1);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (X) is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (x.rank() != 4) return ctx.error("input 0 (X) has rank ", x.rank(), ", expected 4 ([N, C, H, W]); mirt runs 2-D DeformConv");
  if (w.rank() != 4) return ctx.error("input 1 (W) has rank ", w.rank(), ", expected 4 ([oC, C/group, kH, kW])");
  for (size_t i = 1; i < 5; ++i)
    if (ctx.has_input(i)) MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
  const int64_t group = ctx.attrs().get_int("group", 1), offset_group = ctx.attrs().get_int("offset_group", 1);
  if (group <= 0) return ctx.error("attribute 'group' is ", group, ", expected a positive value");
  if (offset_group <= 0) return ctx.error("attribute 'offset_group' is ", offset_group, ", expected a positive value");
  const dim &channels = x.shape[1], &out_channels = w.shape[0];
  if (channels.known() && w.shape[1].known() && channels.value != w.shape[1].value * group)
    return ctx.error("input 0 (X) has ", channels.value, " channels, but input 1 (W) expects ", w.shape[1].value * group,
                     " (", w.shape[1].value, " per group x ", group, " groups)");
  if (channels.known() && channels.value % offset_group != 0)
    return ctx.error("input 0 (X) has ", channels.value, " channels, not divisible by offset_group ", offset_group);
  if (out_channels.known() && out_channels.value % group != 0)
    return ctx.error("input 1 (W) has ", out_channels.value, " output channels, not divisible by group ", group);
  std::vector<int64_t> kernel = {w.shape[2].known() ? w.shape[2].value : -1, w.shape[3].known() ? w.shape[3].value : -1};
  MIRT_ASSIGN_OR_RETURN(window win, read_window(ctx, 2, kernel));
  dims out{x.shape[0], out_channels};
  for (size_t i = 0; i < 2; ++i) {
    MIRT_ASSIGN_OR_RETURN(dim d, window_output(ctx, x.shape[i + 2], win, i, false));
    out.push_back(d);
  }
  const int64_t taps = win.kernel[0] >= 0 && win.kernel[1] >= 0 ? win.kernel[0] * win.kernel[1] : -1;
  MIRT_RETURN_IF_ERROR(check_per_position(ctx, 2, "offset", dims{x.shape[0], extent(taps < 0 ? -1 : offset_group * 2 * taps), out[2], out[3]}));
  if (ctx.has_input(3)) {
    const tensor_type& b = ctx.input(3);
    if (b.rank() != 1 || (b.shape[0].known() && out_channels.known() && b.shape[0].value != out_channels.value))
      return ctx.error("input 3 (B) has shape ", to_string(b.shape), ", expected one value per output channel of W");
  }
  if (ctx.has_input(4))
    MIRT_RETURN_IF_ERROR(check_per_position(ctx, 4, "mask", dims{x.shape[0], extent(taps < 0 ? -1 : offset_group * taps), out[2], out[3]}));
  ctx.output(0) = tensor_type{x.dtype, std::move(out), true, std::nullopt};
  return {};
}

}  // namespace

void add_deform_conv_schemas(schema_table& table) {
  table.add(make_schema("DeformConv", 3, 5, 1, 1,
                        {{"dilations", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"group", MIRT_ATTRIBUTE_TYPE_INT},
                         {"kernel_shape", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"offset_group", MIRT_ATTRIBUTE_TYPE_INT},
                         {"pads", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"strides", MIRT_ATTRIBUTE_TYPE_INTS}},
                        infer_deform_conv));
}

}  // namespace mirt
