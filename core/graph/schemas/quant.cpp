// core/graph/schemas/quant.cpp — schemas of QuantizeLinear, DequantizeLinear and
// DynamicQuantizeLinear. mirt's quantized types are int8 and uint8 (and int32 for DequantizeLinear).
#include "core/graph/schemas/quant_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace schemas {

status require_quantized(const infer_context& ctx, size_t i, const char* what, bool required) {
  if (!ctx.has_input(i)) {
    if (required) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", what, ") is required");
    return {};
  }
  const mirt_dtype d = ctx.input(i).dtype;
  if (!is_quantized(d))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", what, ") is ", mirt_dtype_name(d),
                          ", expected int8 or uint8");
  return {};
}

status require_float(const infer_context& ctx, size_t i, const char* what) {
  if (!ctx.has_input(i)) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", what, ") is required");
  const mirt_dtype d = ctx.input(i).dtype;
  if (d != MIRT_DTYPE_FLOAT32 && d != MIRT_DTYPE_FLOAT16 && d != MIRT_DTYPE_BFLOAT16)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", what, ") is ", mirt_dtype_name(d),
                          ", expected float32, float16 or bfloat16");
  return {};
}

}  // namespace schemas

namespace {

using namespace schemas;

// Fails unless inputs a and b (both present) have the same shape, as scale and zero point must.
status require_same_shape(const infer_context& ctx, size_t a, size_t b, const char* a_name, const char* b_name) {
  if (!ctx.has_input(a) || !ctx.has_input(b)) return {};
  const dims& sa = ctx.input(a).shape;
  const dims& sb = ctx.input(b).shape;
  bool same = sa.size() == sb.size();
  for (size_t d = 0; same && d < sa.size(); ++d)
    same = !(sa[d].known() && sb[d].known() && sa[d].value != sb[d].value);
  if (!same)
    return ctx.error("input ", b, " (", b_name, ") has shape ", to_string(sb), ", expected the shape of input ", a,
                     " (", a_name, ") ", to_string(sa));
  return {};
}

// Checks the scale's shape against x for per-tensor (scalar or one element), per-axis (1-D of
// x's extent along axis) or blocked (x's rank, ceil(extent / block_size) along axis) quantization.
status check_granularity(const infer_context& ctx, size_t scale_input, const char* scale_name) {
  const tensor_type& x = ctx.input(0);
  const dims& s = ctx.input(scale_input).shape;
  const int64_t block = ctx.attrs().get_int("block_size", 0);
  if (block < 0) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'block_size' is ", block, ", expected >= 0");
  const bool one = s.empty() || (s.size() == 1 && s[0].known() && s[0].value == 1);
  if (block == 0 && one) return {};
  if (x.rank() == 0)
    return ctx.error("input ", scale_input, " (", scale_name, ") has shape ", to_string(s),
                     ", expected a scalar for a scalar input 0");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 1), x.rank()));
  const dim& extent = x.shape[size_t(axis)];
  if (block == 0) {
    if (s.size() != 1)
      return ctx.error("input ", scale_input, " (", scale_name, ") has shape ", to_string(s),
                       ", expected a scalar or a 1-D tensor (per-axis) unless 'block_size' is set");
    if (s[0].known() && extent.known() && s[0].value != extent.value)
      return ctx.error("input ", scale_input, " (", scale_name, ") has ", s[0].value, " elements, expected ",
                       extent.value, " (input 0's dim ", axis, ", the quantization axis)");
    return {};
  }
  if (s.size() != x.rank())
    return ctx.error("input ", scale_input, " (", scale_name, ") has rank ", s.size(), ", expected ", x.rank(),
                     " (blocked quantization with block_size ", block, ")");
  for (size_t d = 0; d < s.size(); ++d) {
    if (!s[d].known() || !x.shape[d].known()) continue;
    const int64_t want = int64_t(d) == axis ? (x.shape[d].value + block - 1) / block : x.shape[d].value;
    if (s[d].value == want) continue;
    if (int64_t(d) == axis)
      return ctx.error("input ", scale_input, " (", scale_name, ") has ", s[d].value, " blocks along axis ", axis,
                       ", expected ", want, " (input 0's shape ", to_string(x.shape), ", block_size ", block, ")");
    return ctx.error("input ", scale_input, " (", scale_name, ") has shape ", to_string(s), ", expected ", want,
                     " at dim ", d, " (input 0's shape ", to_string(x.shape), ")");
  }
  return {};
}

// y = saturate(round(x / y_scale) + y_zero_point); y's type comes from the zero point, else
// output_dtype, else uint8.
status infer_quantize(infer_context& ctx) {
  const mirt_dtype xd = ctx.input(0).dtype;
  if (!is_float_dtype(xd) && xd != MIRT_DTYPE_INT32)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(xd),
                          ", expected float32, float16, bfloat16 or int32");
  const mirt_dtype sd = ctx.input(1).dtype;
  if (sd != MIRT_DTYPE_FLOAT32 && sd != MIRT_DTYPE_FLOAT16 && sd != MIRT_DTYPE_BFLOAT16 && sd != MIRT_DTYPE_INT32)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 1 (y_scale) is ", mirt_dtype_name(sd),
                          ", expected float32, float16, bfloat16 or int32");
  MIRT_RETURN_IF_ERROR(require_quantized(ctx, 2, "y_zero_point", false));
  mirt_dtype out = ctx.has_input(2) ? ctx.input(2).dtype : MIRT_DTYPE_UINT8;
  if (const int64_t code = ctx.attrs().get_int("output_dtype", 0); code != 0) {
    const mirt_dtype want = dtype_from_onnx(code);
    if (!is_quantized(want))
      return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'output_dtype' is ONNX type ", code,
                            ", expected int8 (3) or uint8 (2)");
    if (ctx.has_input(2) && want != out)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'output_dtype' is ", mirt_dtype_name(want),
                            " but input 2 (y_zero_point) is ", mirt_dtype_name(out));
    out = want;
  }
  MIRT_RETURN_IF_ERROR(check_granularity(ctx, 1, "y_scale"));
  MIRT_RETURN_IF_ERROR(require_same_shape(ctx, 1, 2, "y_scale", "y_zero_point"));
  ctx.output(0) = tensor_type{out, ctx.input(0).shape, true, std::nullopt};
  return {};
}

// y = (x - x_zero_point) * x_scale in x_scale's type, or output_dtype.
status infer_dequantize(infer_context& ctx) {
  const mirt_dtype xd = ctx.input(0).dtype;
  if (!is_quantized(xd) && xd != MIRT_DTYPE_INT32)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(xd), ", expected int8, uint8 or int32");
  MIRT_RETURN_IF_ERROR(require_float(ctx, 1, "x_scale"));
  if (ctx.has_input(2) && ctx.input(2).dtype != xd)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 2 (x_zero_point) is ", mirt_dtype_name(ctx.input(2).dtype),
                          ", expected input 0's type ", mirt_dtype_name(xd));
  mirt_dtype out = ctx.input(1).dtype;
  if (const int64_t code = ctx.attrs().get_int("output_dtype", 0); code != 0) {
    out = dtype_from_onnx(code);
    if (out != MIRT_DTYPE_FLOAT32 && out != MIRT_DTYPE_FLOAT16 && out != MIRT_DTYPE_BFLOAT16)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'output_dtype' is ONNX type ", code,
                            ", expected float (1), float16 (10) or bfloat16 (16)");
  }
  MIRT_RETURN_IF_ERROR(check_granularity(ctx, 1, "x_scale"));
  MIRT_RETURN_IF_ERROR(require_same_shape(ctx, 1, 2, "x_scale", "x_zero_point"));
  ctx.output(0) = tensor_type{out, ctx.input(0).shape, true, std::nullopt};
  return {};
}

status infer_dynamic_quantize(infer_context& ctx) {
  if (ctx.input(0).dtype != MIRT_DTYPE_FLOAT32)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(ctx.input(0).dtype),
                          ", expected float32");
  ctx.output(0) = tensor_type{MIRT_DTYPE_UINT8, ctx.input(0).shape, true, std::nullopt};
  ctx.output(1) = tensor_type{MIRT_DTYPE_FLOAT32, {}, true, std::nullopt};
  ctx.output(2) = tensor_type{MIRT_DTYPE_UINT8, {}, true, std::nullopt};
  return {};
}

}  // namespace

void add_quant_schemas(schema_table& table) {
  table.add(make_schema("QuantizeLinear", 2, 3, 1, 1,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT},
                         {"block_size", MIRT_ATTRIBUTE_TYPE_INT},
                         {"output_dtype", MIRT_ATTRIBUTE_TYPE_INT},
                         {"precision", MIRT_ATTRIBUTE_TYPE_INT},
                         {"saturate", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_quantize));
  table.add(make_schema("DequantizeLinear", 2, 3, 1, 1,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT},
                         {"block_size", MIRT_ATTRIBUTE_TYPE_INT},
                         {"output_dtype", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_dequantize));
  table.add(make_schema("DynamicQuantizeLinear", 1, 1, 3, 3, {}, infer_dynamic_quantize));
}

}  // namespace mirt
