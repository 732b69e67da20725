// core/graph/schemas/quantize.cpp — schemas of QuantizeLinear, DequantizeLinear (per tensor, per
// axis or blocked scales) and DynamicQuantizeLinear.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// The scale (input 1) and zero point (input 2) are a scalar, 1-D along `axis`, or blocked: x's
// shape with ceil(extent / block_size) along `axis`.
status check_scale_layout(const infer_context& ctx, const tensor_type& x) {
  const tensor_type& scale = ctx.input(1);
  if (ctx.has_input(2) && ctx.input(2).shape != scale.shape)
    return ctx.error("input 2 (zero point) has shape ", to_string(ctx.input(2).shape), ", input 1 (scale) ",
                     to_string(scale.shape));
  const int64_t block = ctx.attrs().get_int("block_size", 0);
  if (scale.rank() == 0 || (scale.rank() == 1 && scale.shape[0].known() && scale.shape[0].value == 1 && block == 0)) return {};
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 1), std::max<size_t>(x.rank(), 1)));
  if (block <= 0) {
    if (scale.rank() != 1) return ctx.error("input 1 (scale) has rank ", scale.rank(), ", expected 0 or 1 without block_size");
    if (scale.shape[0].known() && x.shape[axis].known() && scale.shape[0].value != x.shape[axis].value)
      return ctx.error("input 1 (scale) has ", scale.shape[0].value, " entries, expected ", x.shape[axis].value,
                       " (the extent of axis ", axis, ")");
    return {};
  }
  if (scale.rank() != x.rank()) return ctx.error("input 1 (scale) has rank ", scale.rank(), ", expected ", x.rank(), " (blocked)");
  const dim& n = x.shape[axis];
  if (n.known() && scale.shape[axis].known() && scale.shape[axis].value != (n.value + block - 1) / block)
    return ctx.error("input 1 (scale) has ", scale.shape[axis].value, " blocks along axis ", axis, ", expected ",
                     (n.value + block - 1) / block);
  return {};
}

status infer_quantize(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  MIRT_RETURN_IF_ERROR(check_scale_layout(ctx, x));
  mirt_dtype out = MIRT_DTYPE_UINT8;
  if (ctx.has_input(2)) out = ctx.input(2).dtype;
  else if (const int64_t code = ctx.attrs().get_int("output_dtype", 0); code != 0) out = dtype_from_onnx(code);
  if (out != MIRT_DTYPE_UINT8 && out != MIRT_DTYPE_INT8 && out != MIRT_DTYPE_INT32)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "quantizing to ", mirt_dtype_name(out), " is not supported (int8, uint8, int32)");
  ctx.output(0) = tensor_type{out, x.shape, true, std::nullopt};
  return {};
}

status infer_dequantize(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (!is_integer_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected an integer type");
  if (ctx.has_input(2) && ctx.input(2).dtype != x.dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 2 (zero point) is ", mirt_dtype_name(ctx.input(2).dtype),
                          ", expected input 0's ", mirt_dtype_name(x.dtype));
  if (!is_float_dtype(ctx.input(1).dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 1 (scale) is ", mirt_dtype_name(ctx.input(1).dtype), ", expected a float type");
  MIRT_RETURN_IF_ERROR(check_scale_layout(ctx, x));
  mirt_dtype out = ctx.input(1).dtype;
  if (const int64_t code = ctx.attrs().get_int("output_dtype", 0); code != 0) out = dtype_from_onnx(code);
  ctx.output(0) = tensor_type{out, x.shape, true, std::nullopt};
  return {};
}

status infer_dynamic_quantize(infer_context& ctx) {
  if (ctx.input(0).dtype != MIRT_DTYPE_FLOAT32)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(ctx.input(0).dtype), ", expected float32");
  ctx.output(0) = tensor_type{MIRT_DTYPE_UINT8, ctx.input(0).shape, true, std::nullopt};
  if (ctx.num_outputs() > 1) ctx.output(1) = tensor_type{MIRT_DTYPE_FLOAT32, {}, true, std::nullopt};
  if (ctx.num_outputs() > 2) ctx.output(2) = tensor_type{MIRT_DTYPE_UINT8, {}, true, std::nullopt};
  return {};
}

}  // namespace

void add_quantize_schemas(schema_table& table) {
  table.add(make_schema("QuantizeLinear", 2, 3, 1, 1,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT},
                         {"block_size", MIRT_ATTRIBUTE_TYPE_INT},
                         {"output_dtype", MIRT_ATTRIBUTE_TYPE_INT},
                         {"saturate", MIRT_ATTRIBUTE_TYPE_INT},
                         {"precision", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_quantize));
  table.add(make_schema("DequantizeLinear", 2, 3, 1, 1,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT},
                         {"block_size", MIRT_ATTRIBUTE_TYPE_INT},
                         {"output_dtype", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_dequantize));
  table.add(make_schema("DynamicQuantizeLinear", 1, 1, 3, 3, {}, infer_dynamic_quantize));
}

}  // namespace mirt
