// core/graph/schemas/quant_integer.cpp — schemas of the integer products: MatMulInteger and
// ConvInteger (int32 accumulators), QLinearMatMul and QLinearConv (requantized int8/uint8).
#include "core/graph/schemas/quant_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// A zero point or scale of a matmul operand: a scalar, one element, or one per row of A (`rows`)
// or column of B; an N-D form must hold exactly that many elements.
status check_matmul_param(const infer_context& ctx, size_t i, const char* what, const dim& per) {
  if (!ctx.has_input(i)) return {};
  const dims& s = ctx.input(i).shape;
  if (s.empty()) return {};
  const dim n = product_dim(s, 0, s.size());
  if (!n.known() || n.value == 1 || !per.known() || n.value == per.value) return {};
  return ctx.error("input ", i, " (", what, ") has shape ", to_string(s), ", expected a scalar or ", per.value,
                   " elements (one per ", std::string_view(what).substr(0, 1) == "a" ? "row of A" : "column of B", ")");
}

// The MatMul output shape of inputs a_in and b_in (numpy batching, 1-D operands), and M and N.
result<dims> matmul_shape(const infer_context& ctx, size_t a_in, size_t b_in, dim& m, dim& n) {
  const tensor_type& a = ctx.input(a_in);
  const tensor_type& b = ctx.input(b_in);
  if (a.rank() == 0 || b.rank() == 0) return ctx.error("a matrix operand is a scalar, expected rank 1 or more");
  dims sa = a.shape, sb = b.shape;
  if (a.rank() == 1) sa.insert(sa.begin(), dim{1, {}});
  if (b.rank() == 1) sb.push_back(dim{1, {}});
  const dim &ka = sa.back(), &kb = sb[sb.size() - 2];
  if (ka.known() && kb.known() && ka.value != kb.value)
    return ctx.error("inner dims differ: input ", a_in, "'s last dim is ", ka.value, ", input ", b_in, "'s dim -2 is ",
                     kb.value);
  MIRT_ASSIGN_OR_RETURN(dims shape, broadcast_shapes(ctx, dims(sa.begin(), sa.end() - 2), dims(sb.begin(), sb.end() - 2)));
  m = sa[sa.size() - 2];
  n = sb.back();
  if (a.rank() != 1) shape.push_back(m);
  if (b.rank() != 1) shape.push_back(n);
  return shape;
}

status infer_matmul_integer(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 0, "A", true));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 1, "B", true));
  for (size_t i : {2, 3})
    if (ctx.has_input(i) && ctx.input(i).dtype != ctx.input(i - 2).dtype)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", i == 2 ? "a" : "b", "_zero_point) is ",
                            mirt_dtype_name(ctx.input(i).dtype), ", expected input ", i - 2, "'s type ",
                            mirt_dtype_name(ctx.input(i - 2).dtype));
  dim m, n;
  MIRT_ASSIGN_OR_RETURN(dims shape, matmul_shape(ctx, 0, 1, m, n));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 2, "a_zero_point", m));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 3, "b_zero_point", n));
  ctx.output(0) = tensor_type{MIRT_DTYPE_INT32, std::move(shape), true, std::nullopt};
  return {};
}

// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp).
status infer_qlinear_matmul(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 0, "a", true));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 3, "b", true));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 7, "y_zero_point", true));
  for (size_t i : {1, 4, 6}) MIRT_RETURN_IF_ERROR(require_float(ctx, i, i == 1 ? "a_scale" : i == 4 ? "b_scale" : "y_scale"));
  for (size_t i : {2, 5})
    if (ctx.has_input(i) && ctx.input(i).dtype != ctx.input(i - 2).dtype)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", i == 2 ? "a" : "b", "_zero_point) is ",
                            mirt_dtype_name(ctx.input(i).dtype), ", expected ", mirt_dtype_name(ctx.input(i - 2).dtype));
  dim m, n;
  MIRT_ASSIGN_OR_RETURN(dims shape, matmul_shape(ctx, 0, 3, m, n));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 1, "a_scale", m));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 2, "a_zero_point", m));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 4, "b_scale", n));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 5, "b_zero_point", n));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 6, "y_scale", dim{1, {}}));
  MIRT_RETURN_IF_ERROR(check_matmul_param(ctx, 7, "y_zero_point", dim{1, {}}));
  ctx.output(0) = tensor_type{ctx.input(7).dtype, std::move(shape), true, std::nullopt};
  return {};
}

// Output shape of an integer convolution of input x_in with weights w_in (Conv's rules).
result<dims> conv_shape(const infer_context& ctx, size_t x_in, size_t w_in) {
  const tensor_type& x = ctx.input(x_in);
  const tensor_type& w = ctx.input(w_in);
  if (x.rank() < 3) return ctx.error("input ", x_in, " has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  if (w.rank() != x.rank())
    return ctx.error("input ", w_in, " (weights) has rank ", w.rank(), ", expected ", x.rank());
  const int64_t group = ctx.attrs().get_int("group", 1);
  if (group <= 0) return ctx.error("attribute 'group' is ", group, ", expected a positive value");
  if (x.shape[1].known() && w.shape[1].known() && x.shape[1].value != w.shape[1].value * group)
    return ctx.error("input ", x_in, " has ", x.shape[1].value, " channels, but input ", w_in, " (weights) expects ",
                     w.shape[1].value * group);
  if (w.shape[0].known() && w.shape[0].value % group != 0)
    return ctx.error("input ", w_in, " (weights) has ", w.shape[0].value, " output channels, not divisible by group ", group);
  std::vector<int64_t> kernel;
  for (size_t i = 2; i < w.rank(); ++i) kernel.push_back(w.shape[i].known() ? w.shape[i].value : -1);
  const size_t spatial = x.rank() - 2;
  MIRT_ASSIGN_OR_RETURN(window win, read_window(ctx, spatial, kernel));
  dims shape{x.shape[0], w.shape[0]};
  for (size_t i = 0; i < spatial; ++i) {
    MIRT_ASSIGN_OR_RETURN(dim d, window_output(ctx, x.shape[i + 2], win, i, false));
    shape.push_back(d);
  }
  return shape;
}

// A per-tensor parameter (x's zero point, the scales of x and y): a scalar or one element.
status require_per_tensor(const infer_context& ctx, size_t i, const char* what) {
  if (!ctx.has_input(i)) return {};
  const dim n = product_dim(ctx.input(i).shape, 0, ctx.input(i).rank());
  if (n.known() && n.value != 1)
    return ctx.error("input ", i, " (", what, ") has shape ", to_string(ctx.input(i).shape), ", expected a scalar");
  return {};
}

// A per-output-channel parameter (w's zero point and scale): a scalar or one per output channel.
status require_per_channel(const infer_context& ctx, size_t i, const char* what, const dim& channels) {
  if (!ctx.has_input(i)) return {};
  const tensor_type& t = ctx.input(i);
  if (t.rank() == 0) return {};
  if (t.rank() != 1 || (t.shape[0].known() && channels.known() && t.shape[0].value != 1 && t.shape[0].value != channels.value))
    return ctx.error("input ", i, " (", what, ") has shape ", to_string(t.shape), ", expected a scalar or ",
                     channels.known() ? std::to_string(channels.value) : std::string("one per output channel"),
                     " elements");
  return {};
}

status infer_conv_integer(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 0, "x", true));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 1, "w", true));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 2, "x_zero_point", false));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 3, "w_zero_point", false));
  MIRT_ASSIGN_OR_RETURN(dims shape, conv_shape(ctx, 0, 1));
  MIRT_RETURN_IF_ERROR(require_per_tensor(ctx, 2, "x_zero_point"));
  MIRT_RETURN_IF_ERROR(require_per_channel(ctx, 3, "w_zero_point", shape[1]));
  ctx.output(0) = tensor_type{MIRT_DTYPE_INT32, std::move(shape), true, std::nullopt};
  return {};
}

// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B).
status infer_qlinear_conv(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 0, "x", true));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 3, "w", true));
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 7, "y_zero_point", true));
  for (size_t i : {1, 4, 6}) MIRT_RETURN_IF_ERROR(require_float(ctx, i, i == 1 ? "x_scale" : i == 4 ? "w_scale" : "y_scale"));
  MIRT_ASSIGN_OR_RETURN(dims shape, conv_shape(ctx, 0, 3));
  for (const auto& [i, what] : {std::pair<size_t, const char*>{1, "x_scale"}, {2, "x_zero_point"}, {6, "y_scale"},
                                {7, "y_zero_point"}})
    MIRT_RETURN_IF_ERROR(require_per_tensor(ctx, i, what));
  MIRT_RETURN_IF_ERROR(require_per_channel(ctx, 4, "w_scale", shape[1]));
  MIRT_RETURN_IF_ERROR(require_per_channel(ctx, 5, "w_zero_point", shape[1]));
  if (ctx.has_input(8)) {
    const tensor_type& b = ctx.input(8);
    if (b.dtype != MIRT_DTYPE_INT32)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 8 (B) is ", mirt_dtype_name(b.dtype), ", expected int32");
    if (b.rank() != 1 || (b.shape[0].known() && shape[1].known() && b.shape[0].value != shape[1].value))
      return ctx.error("input 8 (B) has shape ", to_string(b.shape), ", expected one element per output channel");
  }
  ctx.output(0) = tensor_type{ctx.input(7).dtype, std::move(shape), true, std::nullopt};
  return {};
}

std::vector<attribute_spec> conv_attributes() {
  return {{"auto_pad", MIRT_ATTRIBUTE_TYPE_STRING}, {"dilations", MIRT_ATTRIBUTE_TYPE_INTS},
          {"group", MIRT_ATTRIBUTE_TYPE_INT},       {"kernel_shape", MIRT_ATTRIBUTE_TYPE_INTS},
          {"pads", MIRT_ATTRIBUTE_TYPE_INTS},       {"strides", MIRT_ATTRIBUTE_TYPE_INTS}};
}


}  // namespace

void add_quant_integer_schemas(schema_table& table) {
  table.add(make_schema("MatMulInteger", 2, 4, 1, 1, {}, infer_matmul_integer));
  table.add(make_schema("QLinearMatMul", 8, 8, 1, 1, {}, infer_qlinear_matmul));
  table.add(make_schema("ConvInteger", 2, 4, 1, 1, conv_attributes(), infer_conv_integer));
  table.add(make_schema("QLinearConv", 8, 9, 1, 1, conv_attributes(), infer_qlinear_conv));
}

}  // namespace mirt
