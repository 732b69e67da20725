// core/graph/schemas/shape_values.cpp — schemas of the ops that make or convert shape tensors: Shape,
// Size, Cast, CastLike, ConstantOfShape and Range. Their known values feed Reshape, Expand, Slice, ...
//
// Attribute conventions, for the ONNX parser and for users of mirt_network_add_layer():
// - Cast 'to' holds an ONNX TensorProto.DataType code (1 float32, 7 int64, 9 bool, 10 float16, ...),
//   as in an ONNX model; codes mirt has no dtype for are refused.
// - ConstantOfShape's tensor attribute 'value' is passed as a FLOAT scalar attribute 'value' (the
//   parser converts the one-element tensor), and its element type as the mirt extension INT
//   attribute 'dtype' (an ONNX TensorProto.DataType code, default 1 = float32). Integer values are
//   exact in a float up to 2^24, which covers the 0/1/-1 fills that models use.
#include <algorithm>
#include <cmath>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

status infer_shape(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  const int64_t rank = static_cast<int64_t>(data.rank());
  auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  const int64_t start = clamp(ctx.attrs().get_int("start", 0));
  const int64_t end = std::max(start, clamp(ctx.attrs().get_int("end", rank)));
  tensor_type out{MIRT_DTYPE_INT64, dims{dim{end - start, {}}}, true, std::nullopt};
  std::vector<int64_t> values;
  for (int64_t i = start; i < end; ++i) values.push_back(data.shape[i].value);
  if (element_count(dims(data.shape.begin() + start, data.shape.begin() + end)) >= 0) set_values(out, values);
  ctx.output(0) = std::move(out);
  return {};
}

status infer_size(infer_context& ctx) {
  tensor_type out{MIRT_DTYPE_INT64, {}, true, std::nullopt};
  int64_t count = element_count(ctx.input(0).shape);
  if (count >= 0) set_values(out, {count});
  ctx.output(0) = std::move(out);
  return {};
}

// Integer values converted to an integer or bool dtype; nullopt for float targets (values are not tracked).
std::optional<std::vector<int64_t>> convert_values(const std::vector<int64_t>& values, mirt_dtype to) {
  std::vector<int64_t> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t v = values[i];
    switch (to) {
      case MIRT_DTYPE_INT64: out[i] = v; break;
      case MIRT_DTYPE_INT32: out[i] = static_cast<int32_t>(v); break;
      case MIRT_DTYPE_INT8: out[i] = static_cast<int8_t>(v); break;
      case MIRT_DTYPE_UINT8: out[i] = static_cast<uint8_t>(v); break;
      case MIRT_DTYPE_BOOL: out[i] = v != 0; break;
      default: return std::nullopt;
    }
  }
  return out;
}

status cast_to(infer_context& ctx, mirt_dtype to) {
  const tensor_type& data = ctx.input(0);
  tensor_type out{to, data.shape, true, std::nullopt};
  const std::vector<int64_t>* v = known_values(ctx, 0);
  if (v && (is_integer_dtype(data.dtype) || data.dtype == MIRT_DTYPE_BOOL))
    if (auto converted = convert_values(*v, to)) set_values(out, std::move(*converted));
  // Integer values cast to a float dtype (a window's size, Cast to float before a float Range).
  if (v && is_integer_dtype(data.dtype) && (to == MIRT_DTYPE_FLOAT32 || to == MIRT_DTYPE_FLOAT64)) {
    std::vector<double> reals;
    for (int64_t x : *v) reals.push_back(to == MIRT_DTYPE_FLOAT32 ? double(float(x)) : double(x));
    out.float_values = std::move(reals);
  }
  ctx.output(0) = std::move(out);
  return {};
}

status infer_cast(infer_context& ctx) {
  const int64_t code = ctx.attrs().get_int("to", 0);
  mirt_dtype to = dtype_from_onnx(code);
  if (to == MIRT_DTYPE_UNDEFINED)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'to' is ", code,
                          ", an ONNX data type code mirt has no dtype for (expected 1, 2, 3, 6, 7, 9, 10, 11 or 16)");
  return cast_to(ctx, to);
}

status infer_cast_like(infer_context& ctx) { return cast_to(ctx, ctx.input(1).dtype); }

status infer_constant_of_shape(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 0, "shape"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 0, "shape"));
  const int64_t code = ctx.attrs().get_int("dtype", 1);
  mirt_dtype dtype = dtype_from_onnx(code);
  if (dtype == MIRT_DTYPE_UNDEFINED)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'dtype' is ", code,
                          ", an ONNX data type code mirt has no dtype for");
  const std::vector<int64_t>* extents = known_values(ctx, 0);
  dims shape;
  if (extents) {
    for (int64_t e : *extents)
      if (e < 0) return ctx.error("input 0 (shape) ", to_string(*extents), " has a negative extent");
    shape = make_dims(*extents);
  } else {
    int64_t rank = vector_length(ctx.input(0));
    if (rank < 0)
      return ctx.error_code(MIRT_STATUS_UNSUPPORTED,
                            "input 0 (shape) must be a constant or computed from shapes: its length is unknown");
    shape.resize(static_cast<size_t>(rank));
  }
  tensor_type out{dtype, std::move(shape), true, std::nullopt};
  const int64_t count = element_count(out.shape);
  if (count >= 0 && count <= max_value_elements && (is_integer_dtype(dtype) || dtype == MIRT_DTYPE_BOOL)) {
    auto fill = static_cast<int64_t>(ctx.attrs().get_float("value", 0.0f));
    if (auto converted = convert_values(std::vector<int64_t>(static_cast<size_t>(count), fill), dtype))
      set_values(out, std::move(*converted));
  }
  ctx.output(0) = std::move(out);
  return {};
}

// ceil(a / b) for b != 0, in integers.
int64_t ceil_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) == (b < 0))) ++q;
  return q;
}

status infer_range(infer_context& ctx) {
  const char* names[] = {"start", "limit", "delta"};
  for (size_t i = 0; i < 3; ++i) {
    if (ctx.input(i).rank() != 0 && !(ctx.input(i).rank() == 1 && vector_length(ctx.input(i)) == 1))
      return ctx.error("input ", i, " (", names[i], ") has shape ", to_string(ctx.input(i).shape),
                       ", expected a scalar");
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
  }
  const mirt_dtype dtype = ctx.input(0).dtype;
  const std::vector<int64_t>* start = known_values(ctx, 0);
  const std::vector<int64_t>* limit = known_values(ctx, 1);
  const std::vector<int64_t>* delta = known_values(ctx, 2);
  tensor_type out{dtype, dims{dim{}}, true, std::nullopt};
  if (start && limit && delta && is_integer_dtype(dtype)) {
    const int64_t s = start->at(0), l = limit->at(0), d = delta->at(0);
    if (d == 0) return ctx.error("input 2 (delta) is 0, expected a non-zero step");
    const int64_t n = std::max<int64_t>(ceil_div(l - s, d), 0);
    out.shape[0] = dim{n, {}};
    if (n <= max_value_elements) {
      std::vector<int64_t> values;
      for (int64_t i = 0; i < n; ++i) values.push_back(s + i * d);
      set_values(out, std::move(values));
    }
  } else if (is_float_dtype(dtype) && ctx.input(0).float_values && ctx.input(1).float_values &&
             ctx.input(2).float_values) {
    // Float operands known at build time (constants, or shape tensor values cast to float).
    const double s = ctx.input(0).float_values->at(0), l = ctx.input(1).float_values->at(0),
                 d = ctx.input(2).float_values->at(0);
    if (d == 0) return ctx.error("input 2 (delta) is 0, expected a non-zero step");
    out.shape[0] = dim{std::max<int64_t>(static_cast<int64_t>(std::ceil((l - s) / d)), 0), {}};
  }
  ctx.output(0) = std::move(out);
  return {};
}

// EyeLike: a 2-D tensor of input 0's shape, in attribute dtype's type (default input 0's).
status infer_eye_like(infer_context& ctx) {
  if (ctx.input(0).rank() != 2) return ctx.error("input 0 has rank ", ctx.input(0).rank(), ", expected 2");
  mirt_dtype dtype = ctx.input(0).dtype;
  if (ctx.attrs().find("dtype")) {
    dtype = dtype_from_onnx(ctx.attrs().get_int("dtype", 1));
    if (dtype == MIRT_DTYPE_UNDEFINED)
      return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'dtype' is ", ctx.attrs().get_int("dtype", 1),
                            ", an ONNX type mirt has no dtype for");
  }
  ctx.output(0) = tensor_type{dtype, ctx.input(0).shape, true, std::nullopt};
  return {};
}

// BitCast: the same bits read as dtype `to`, which must have the input's element size.
status infer_bitcast(infer_context& ctx) {
  const mirt_dtype to = dtype_from_onnx(ctx.attrs().get_int("to", 0));
  if (to == MIRT_DTYPE_UNDEFINED)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'to' is ", ctx.attrs().get_int("to", 0),
                          ", an ONNX type mirt has no dtype for");
  if (mirt_dtype_size(to) != mirt_dtype_size(ctx.input(0).dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "cannot reinterpret ", mirt_dtype_name(ctx.input(0).dtype), " as ",
                          mirt_dtype_name(to), ": the element sizes differ");
  ctx.output(0) = tensor_type{to, ctx.input(0).shape, true, std::nullopt};
  return {};
}

}  // namespace

void add_shape_value_schemas(schema_table& table) {
  table.add(make_schema("EyeLike", 1, 1, 1, 1, {{"dtype", MIRT_ATTRIBUTE_TYPE_INT}, {"k", MIRT_ATTRIBUTE_TYPE_INT}}, infer_eye_like));
  table.add(make_schema("Shape", 1, 1, 1, 1, {{"start", MIRT_ATTRIBUTE_TYPE_INT}, {"end", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_shape));
  table.add(make_schema("Size", 1, 1, 1, 1, {}, infer_size));
  table.add(make_schema("BitCast", 1, 1, 1, 1, {{"to", MIRT_ATTRIBUTE_TYPE_INT, true}}, infer_bitcast));
  table.add(make_schema("Cast", 1, 1, 1, 1,
                        {{"to", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"saturate", MIRT_ATTRIBUTE_TYPE_INT},
                         {"round_mode", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_cast));
  table.add(make_schema("CastLike", 2, 2, 1, 1,
                        {{"saturate", MIRT_ATTRIBUTE_TYPE_INT}, {"round_mode", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_cast_like));
  table.add(make_schema("ConstantOfShape", 1, 1, 1, 1,
                        {{"value", MIRT_ATTRIBUTE_TYPE_FLOAT}, {"dtype", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_constant_of_shape));
  table.add(make_schema("Range", 3, 3, 1, 1, {}, infer_range));
}

}  // namespace mirt
