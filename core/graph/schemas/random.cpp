// core/graph/schemas/random.cpp — schemas of the random generators: RandomUniform and RandomNormal
// (shape from the attribute), their *Like forms (shape from input 0), Bernoulli (a 0/1 draw per
// probability in input 0) and Multinomial (class indices drawn per row of input 0). All are
// nondeterministic: each run draws again, so the builder never folds them, even with no inputs at all.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// The output dtype: attribute 'dtype' (an ONNX type code) when set, else `fallback`.
result<mirt_dtype> output_dtype(const infer_context& ctx, mirt_dtype fallback) {
  if (!ctx.attrs().find("dtype")) return fallback;
  const int64_t code = ctx.attrs().get_int("dtype", 1);
  const mirt_dtype dtype = dtype_from_onnx(code);
  if (dtype == MIRT_DTYPE_UNDEFINED)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'dtype' is ", code, ", an ONNX type mirt has no dtype for");
  return dtype;
}

status require_float(const infer_context& ctx, mirt_dtype dtype) {
  if (!is_float_dtype(dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "the output dtype is ", mirt_dtype_name(dtype), ", expected a float type");
  return {};
}

// Multinomial: [batch, classes] of float unnormalized log-probabilities in, [batch, sample_size]
// class indices out, int32 unless 'dtype' says int64.
status infer_multinomial(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  MIRT_RETURN_IF_ERROR(require_float(ctx, x.dtype));
  if (x.rank_known && x.shape.size() != 2)
    return ctx.error("input 0 has rank ", x.shape.size(), ", expected 2 ([batch, classes])");
  const int64_t samples = ctx.attrs().get_int("sample_size", 1);
  if (samples < 1) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'sample_size' is ", samples, ", expected >= 1");
  MIRT_ASSIGN_OR_RETURN(mirt_dtype dtype, output_dtype(ctx, MIRT_DTYPE_INT32));
  if (dtype != MIRT_DTYPE_INT32 && dtype != MIRT_DTYPE_INT64)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "the output dtype is ", mirt_dtype_name(dtype), ", expected int32 or int64");
  dims shape{x.rank_known ? x.shape[0] : dim{}, extent(samples)};
  ctx.output(0) = tensor_type{dtype, std::move(shape), true, std::nullopt};
  return {};
}

// RandomUniform, RandomNormal: shape from the required 'shape' attribute, float32 by default.
status infer_random(infer_context& ctx) {
  MIRT_ASSIGN_OR_RETURN(mirt_dtype dtype, output_dtype(ctx, MIRT_DTYPE_FLOAT32));
  MIRT_RETURN_IF_ERROR(require_float(ctx, dtype));
  dims shape;
  for (int64_t e : ctx.attrs().get_ints("shape")) {
    if (e < 0) return ctx.error("attribute 'shape' has the extent ", e, ", expected >= 0");
    shape.push_back(extent(e));
  }
  ctx.output(0) = tensor_type{dtype, std::move(shape), true, std::nullopt};
  return {};
}

// RandomUniformLike, RandomNormalLike: input 0's shape, its dtype unless 'dtype' says otherwise.
status infer_random_like(infer_context& ctx) {
  MIRT_ASSIGN_OR_RETURN(mirt_dtype dtype, output_dtype(ctx, ctx.input(0).dtype));
  MIRT_RETURN_IF_ERROR(require_float(ctx, dtype));
  ctx.output(0) = tensor_type{dtype, ctx.input(0).shape, ctx.input(0).rank_known, std::nullopt};
  return {};
}

// Bernoulli: float probabilities in, 0/1 of any numeric or bool dtype out (input 0's by default).
status infer_bernoulli(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_float(ctx, ctx.input(0).dtype));
  MIRT_ASSIGN_OR_RETURN(mirt_dtype dtype, output_dtype(ctx, ctx.input(0).dtype));
  ctx.output(0) = tensor_type{dtype, ctx.input(0).shape, ctx.input(0).rank_known, std::nullopt};
  return {};
}

op_schema nondeterministic(op_schema s) {
  s.nondeterministic = true;
  return s;
}

}  // namespace

void add_random_schemas(schema_table& table) {
  const attribute_spec dtype{"dtype", MIRT_ATTRIBUTE_TYPE_INT}, seed{"seed", MIRT_ATTRIBUTE_TYPE_FLOAT};
  const attribute_spec low{"low", MIRT_ATTRIBUTE_TYPE_FLOAT}, high{"high", MIRT_ATTRIBUTE_TYPE_FLOAT};
  const attribute_spec mean{"mean", MIRT_ATTRIBUTE_TYPE_FLOAT}, scale{"scale", MIRT_ATTRIBUTE_TYPE_FLOAT};
  const attribute_spec shape{"shape", MIRT_ATTRIBUTE_TYPE_INTS, true};
  table.add(nondeterministic(make_schema("RandomUniform", 0, 0, 1, 1, {dtype, seed, low, high, shape}, infer_random)));
  table.add(nondeterministic(make_schema("RandomNormal", 0, 0, 1, 1, {dtype, seed, mean, scale, shape}, infer_random)));
  table.add(nondeterministic(make_schema("RandomUniformLike", 1, 1, 1, 1, {dtype, seed, low, high}, infer_random_like)));
  table.add(nondeterministic(make_schema("RandomNormalLike", 1, 1, 1, 1, {dtype, seed, mean, scale}, infer_random_like)));
  table.add(nondeterministic(make_schema("Bernoulli", 1, 1, 1, 1, {dtype, seed}, infer_bernoulli)));
  const attribute_spec sample_size{"sample_size", MIRT_ATTRIBUTE_TYPE_INT};
  table.add(nondeterministic(make_schema("Multinomial", 1, 1, 1, 1, {dtype, sample_size, seed}, infer_multinomial)));
}

}  // namespace mirt
