// core/graph/schemas/flex_attention.cpp — schema of FlexAttention (domain ai.onnx.preview, opset
// 1): scaled dot-product attention over rank-4 Q, K, V with grouped-query heads. The layer takes no
// score_mod or prob_mod subgraphs: the ONNX parser writes such a node out as standard layers
// (parsers/onnx/flex_attention_expand.cpp).
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Whether two extents may be equal (both known and different is the only mismatch).
bool may_equal(const dim& a, const dim& b) { return !a.known() || !b.known() || a.value == b.value; }

// Q [B, Hq, L, E], K [B, Hkv, S, E], V [B, Hkv, S, Ev] -> Y [B, Hq, L, Ev]; Hq a multiple of Hkv.
status infer_flex_attention(infer_context& ctx) {
  const tensor_type &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
  if (!is_float_dtype(q.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (Q) is ", mirt_dtype_name(q.dtype), ", expected a float type");
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
  const char* names[3] = {"Q", "K", "V"};
  for (size_t i = 0; i < 3; ++i)
    if (ctx.input(i).rank() != 4)
      return ctx.error("input ", i, " (", names[i], ") has rank ", ctx.input(i).rank(), ", expected 4 ([batch, heads, sequence, head size])");
  if (!may_equal(q.shape[0], k.shape[0]) || !may_equal(q.shape[0], v.shape[0]))
    return ctx.error("the batch of Q, K and V differs: ", to_string(q.shape), ", ", to_string(k.shape), ", ", to_string(v.shape));
  if (!may_equal(k.shape[1], v.shape[1]) || !may_equal(k.shape[2], v.shape[2]))
    return ctx.error("K (", to_string(k.shape), ") and V (", to_string(v.shape), ") differ in heads or sequence length");
  if (!may_equal(q.shape[3], k.shape[3]))
    return ctx.error("Q (", to_string(q.shape), ") and K (", to_string(k.shape), ") differ in head size");
  if (q.shape[1].known() && k.shape[1].known() && (k.shape[1].value == 0 || q.shape[1].value % k.shape[1].value != 0))
    return ctx.error("Q has ", q.shape[1].value, " heads, not a multiple of K's ", k.shape[1].value);
  const int64_t precision = ctx.attrs().get_int("softmax_precision", 1);
  if (precision != 1 && precision != 10 && precision != 11 && precision != 16)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'softmax_precision' is ", precision,
                          ", expected an ONNX float type code (1, 10, 11 or 16)");
  ctx.output(0) = tensor_type{q.dtype, dims{q.shape[0], q.shape[1], q.shape[2], v.shape[3]}, true, std::nullopt};
  return {};
}

}  // namespace

void add_flex_attention_schemas(schema_table& table) {
  op_schema flex = make_schema("FlexAttention", 3, 3, 1, 1,
                               {{"scale", MIRT_ATTRIBUTE_TYPE_FLOAT}, {"softmax_precision", MIRT_ATTRIBUTE_TYPE_INT}},
                               infer_flex_attention);
  flex.domain = "ai.onnx.preview";
  table.add(std::move(flex));
}

}  // namespace mirt
