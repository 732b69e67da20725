// core/graph/schemas/ml.cpp — schemas of the ONNX-ML (ai.onnx.ml) ops mirt runs: Binarizer and
// ArrayFeatureExtractor.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

bool is_ml_numeric(mirt_dtype d) { return is_float_dtype(d) || d == MIRT_DTYPE_INT32 || d == MIRT_DTYPE_INT64; }

// X -> (X > threshold ? 1 : 0), same dtype and shape.
status infer_binarizer(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (!is_ml_numeric(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float or int32/int64 type");
  ctx.output(0) = tensor_type{x.dtype, x.shape, x.rank_known, std::nullopt};
  return {};
}

// X [..., C], indices Y (int64) -> X[..., Y] of shape [..., len(Y)]; a 1-D X gives [1, len(Y)].
status infer_array_feature_extractor(infer_context& ctx) {
  const tensor_type &x = ctx.input(0), &y = ctx.input(1);
  if (x.rank() < 1) return ctx.error("input 0 is a scalar, expected at least one dimension");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "Y"));
  const dim count = y.rank() == 0 ? extent(1) : element_count(y.shape) >= 0 ? extent(element_count(y.shape)) : dim{};
  dims out = x.shape;
  if (x.rank() == 1) out.insert(out.begin(), extent(1));
  out.back() = count;
  ctx.output(0) = tensor_type{x.dtype, out, true, std::nullopt};
  return {};
}

}  // namespace

void add_ml_schemas(schema_table& table) {
  op_schema binarizer = make_schema("Binarizer", 1, 1, 1, 1, {{"threshold", MIRT_ATTRIBUTE_TYPE_FLOAT}}, infer_binarizer);
  binarizer.domain = "ai.onnx.ml";
  table.add(std::move(binarizer));
  op_schema extractor = make_schema("ArrayFeatureExtractor", 2, 2, 1, 1, {}, infer_array_feature_extractor);
  extractor.domain = "ai.onnx.ml";
  table.add(std::move(extractor));
}

}  // namespace mirt
