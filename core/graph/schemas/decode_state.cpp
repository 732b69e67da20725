// core/graph/schemas/decode_state.cpp — schemas of the ops that carry state between decode steps:
// CausalConvWithState (depthwise causal Conv1d whose left context comes from past_state) and
// TensorScatter (writes an update into a fixed-size cache along its sequence axis).
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// input [B, C, L], weight [C, 1, k], bias [C], past_state [B, C, k - 1] -> output [B, C, L],
// present_state [B, C, k - 1].
status infer_causal_conv_with_state(infer_context& ctx) {
  const tensor_type &x = ctx.input(0), &w = ctx.input(1);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (x.rank() != 3) return ctx.error("input 0 has rank ", x.rank(), ", expected 3 ([batch, channels, length])");
  if (w.rank() != 3) return ctx.error("input 1 (weight) has rank ", w.rank(), ", expected 3 ([channels, 1, k])");
  for (size_t i = 1; i < 4; ++i)
    if (ctx.has_input(i) && ctx.input(i).dtype != x.dtype)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " is ", mirt_dtype_name(ctx.input(i).dtype),
                            ", expected ", mirt_dtype_name(x.dtype), " as input 0");
  const dim &channels = x.shape[1], &k = w.shape[2];
  if (channels.known() && w.shape[0].known() && w.shape[0].value != channels.value)
    return ctx.error("input 1 (weight) has shape ", to_string(w.shape), ", expected ", channels.value, " channels");
  if (w.shape[1].known() && w.shape[1].value != 1)
    return ctx.error("input 1 (weight) has shape ", to_string(w.shape), ", expected [channels, 1, k] (depthwise)");
  if (k.known() && k.value < 1) return ctx.error("the kernel size is ", k.value, ", expected at least 1");
  if (ctx.has_input(2)) {
    const tensor_type& b = ctx.input(2);
    if (b.rank() != 1 || (channels.known() && b.shape[0].known() && b.shape[0].value != channels.value))
      return ctx.error("input 2 (bias) has shape ", to_string(b.shape), ", expected [channels]");
  }
  const dim state = k.known() ? dim{k.value - 1, {}} : dim{};
  if (ctx.has_input(3)) {
    const tensor_type& p = ctx.input(3);
    const dims want{x.shape[0], channels, state};
    if (p.rank() != 3) return ctx.error("input 3 (past_state) has rank ", p.rank(), ", expected 3");
    for (size_t d = 0; d < 3; ++d)
      if (p.shape[d].known() && want[d].known() && p.shape[d].value != want[d].value)
        return ctx.error("input 3 (past_state) has shape ", to_string(p.shape), ", expected [batch, channels, k - 1] = ",
                         to_string(want));
  }
  const std::string activation = ctx.attrs().get_string("activation", "none");
  if (activation != "none" && activation != "silu" && activation != "swish")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'activation' is '", activation, "', expected none, silu or swish");
  ctx.output(0) = same_as(x);
  if (ctx.num_outputs() > 1) ctx.output(1) = tensor_type{x.dtype, dims{x.shape[0], channels, state}, true, std::nullopt};
  return {};
}

status infer_tensor_scatter(infer_context& ctx) {
  const tensor_type &cache = ctx.input(0), &update = ctx.input(1);
  if (cache.rank() < 2) return ctx.error("input 0 (past_cache) has rank ", cache.rank(), ", expected at least 2");
  if (update.dtype != cache.dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 1 (update) is ", mirt_dtype_name(update.dtype), ", expected ",
                          mirt_dtype_name(cache.dtype), " as the cache");
  if (update.rank() != cache.rank())
    return ctx.error("input 1 (update) has rank ", update.rank(), ", the cache ", cache.rank());
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", -2), cache.rank()));
  if (axis == 0) return ctx.error("axis is the batch axis 0, expected a sequence axis after it");
  for (size_t d = 0; d < cache.rank(); ++d) {
    const dim &c = cache.shape[d], &u = update.shape[d];
    if (!c.known() || !u.known()) continue;
    if (int64_t(d) == axis ? u.value > c.value : u.value != c.value)
      return ctx.error("input 1 (update) has shape ", to_string(update.shape), ", the cache ", to_string(cache.shape),
                       ": they must agree except along axis ", axis, ", where the update may be shorter");
  }
  if (ctx.has_input(2)) {
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, 2, "write_indices"));
    MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 2, "write_indices"));
  }
  const std::string mode = ctx.attrs().get_string("mode", "linear");
  if (mode != "linear" && mode != "circular")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected linear or circular");
  ctx.output(0) = same_as(cache);
  return {};
}

}  // namespace

void add_decode_state_schemas(schema_table& table) {
  table.add(make_schema("CausalConvWithState", 2, 4, 1, 2, {{"activation", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_causal_conv_with_state));
  table.add(make_schema("TensorScatter", 2, 3, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}, {"mode", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_tensor_scatter));
}

}  // namespace mirt
