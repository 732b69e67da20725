// core/graph/schemas/attention.cpp — schemas of RotaryEmbedding and Attention (opsets 23/24): 3-D (heads packed in the
// hidden dim, q_num_heads/kv_num_heads given) or 4-D (B, heads, S, head size) Q/K/V, optional mask,
// past key/value cache and nonpad_kv_seqlen; outputs Y, present key/value and qk_matmul_output.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

dim times(const dim& a, const dim& b) { return a.known() && b.known() ? extent(a.value * b.value) : dim{}; }
dim plus(const dim& a, const dim& b) { return a.known() && b.known() ? extent(a.value + b.value) : dim{}; }

// hidden / heads, failing when a known hidden size does not split into equal heads.
result<dim> head_size(const infer_context& ctx, size_t i, const char* what, const dim& hidden, int64_t heads) {
  if (!hidden.known()) return dim{};
  if (hidden.value % heads != 0)
    return ctx.error("input ", i, " (", what, ") has hidden size ", hidden.value, ", not a multiple of ", heads, " heads");
  return extent(hidden.value / heads);
}

// Fails when two known dims differ.
status require_equal(const infer_context& ctx, const dim& a, const dim& b, const char* what) {
  if (a.known() && b.known() && a.value != b.value) return ctx.error(what, ": ", a.value, " vs ", b.value);
  return {};
}

status infer_attention(infer_context& ctx) {
  const tensor_type &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
  if (!is_float_dtype(q.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (Q) is ", mirt_dtype_name(q.dtype), ", expected a float type");
  for (size_t i : {1, 2}) MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
  if (q.rank() != 3 && q.rank() != 4) return ctx.error("input 0 (Q) has rank ", q.rank(), ", expected 3 or 4");
  if (k.rank() != q.rank() || v.rank() != q.rank())
    return ctx.error("Q, K and V have ranks ", q.rank(), ", ", k.rank(), ", ", v.rank(), "; expected the same");
  const int64_t q_heads_attr = ctx.attrs().get_int("q_num_heads", 0), kv_heads_attr = ctx.attrs().get_int("kv_num_heads", 0);
  // Per input: batch, heads, sequence, head size (the 4-D view).
  dim batch = q.shape[0], hq, hkv, sq = q.shape[q.rank() == 3 ? 1 : 2], skv = k.shape[q.rank() == 3 ? 1 : 2], dh, dv;
  if (q.rank() == 3) {
    if (q_heads_attr <= 0 || kv_heads_attr <= 0)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH,
                            "3-D Q/K/V need attributes q_num_heads and kv_num_heads (positive), got ", q_heads_attr,
                            " and ", kv_heads_attr);
    hq = extent(q_heads_attr), hkv = extent(kv_heads_attr);
    MIRT_ASSIGN_OR_RETURN(dh, head_size(ctx, 0, "Q", q.shape[2], q_heads_attr));
    MIRT_ASSIGN_OR_RETURN(dim dk, head_size(ctx, 1, "K", k.shape[2], kv_heads_attr));
    MIRT_RETURN_IF_ERROR(require_equal(ctx, dh, dk, "Q and K have different head sizes"));
    MIRT_ASSIGN_OR_RETURN(dv, head_size(ctx, 2, "V", v.shape[2], kv_heads_attr));
  } else {
    hq = q.shape[1], hkv = k.shape[1], dh = q.shape[3], dv = v.shape[3];
    MIRT_RETURN_IF_ERROR(require_equal(ctx, q.shape[3], k.shape[3], "Q and K have different head sizes"));
    MIRT_RETURN_IF_ERROR(require_equal(ctx, k.shape[1], v.shape[1], "K and V have different head counts"));
  }
  if (hq.known() && hkv.known() && (hkv.value == 0 || hq.value % hkv.value != 0))
    return ctx.error("Q has ", hq.value, " heads, not a multiple of K/V's ", hkv.value);
  MIRT_RETURN_IF_ERROR(require_equal(ctx, k.shape[0], batch, "K's batch differs from Q's"));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, v.shape[0], batch, "V's batch differs from Q's"));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, v.shape[q.rank() == 3 ? 1 : 2], skv, "K and V have different sequence lengths"));

  // The cache: past_key (B, Hkv, P, Dh) and past_value (B, Hkv, P, Dv), both or neither.
  dim total = skv;
  if (ctx.has_input(4) != ctx.has_input(5))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "past_key and past_value must be given together");
  if (ctx.has_input(4)) {
    if (ctx.has_input(6))
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "nonpad_kv_seqlen cannot be combined with past_key/past_value");
    for (size_t i : {4, 5}) {
      MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
      MIRT_RETURN_IF_ERROR(ctx.require_rank(i, 4));
    }
    const tensor_type &pk = ctx.input(4), &pv = ctx.input(5);
    MIRT_RETURN_IF_ERROR(require_equal(ctx, pk.shape[1], hkv, "past_key's heads differ from K's"));
    MIRT_RETURN_IF_ERROR(require_equal(ctx, pk.shape[3], dh, "past_key's head size differs from K's"));
    MIRT_RETURN_IF_ERROR(require_equal(ctx, pv.shape[3], dv, "past_value's head size differs from V's"));
    MIRT_RETURN_IF_ERROR(require_equal(ctx, pk.shape[2], pv.shape[2], "past_key and past_value have different lengths"));
    total = plus(skv, pk.shape[2]);
  }
  if (ctx.has_input(3)) {
    const tensor_type& mask = ctx.input(3);
    if (mask.dtype != MIRT_DTYPE_BOOL && mask.dtype != q.dtype)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 3 (attn_mask) is ", mirt_dtype_name(mask.dtype),
                            ", expected bool or Q's dtype ", mirt_dtype_name(q.dtype));
    MIRT_RETURN_IF_ERROR(ctx.require_rank_between(3, 2, 4));
    const dim& last = mask.shape.back();
    if (last.known() && total.known() && last.value > total.value)
      return ctx.error("input 3 (attn_mask) covers ", last.value, " keys, more than the ", total.value, " there are");
  }
  if (ctx.has_input(6)) {
    if (ctx.input(6).dtype != MIRT_DTYPE_INT64)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 6 (nonpad_kv_seqlen) is ",
                            mirt_dtype_name(ctx.input(6).dtype), ", expected int64");
    MIRT_RETURN_IF_ERROR(ctx.require_rank(6, 1));
  }
  const int64_t mode = ctx.attrs().get_int("qk_matmul_output_mode", 0);
  if (mode < 0 || mode > 3)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'qk_matmul_output_mode' is ", mode, ", expected 0 to 3");
  if (ctx.attrs().get_float("softcap", 0) < 0)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'softcap' is negative");

  ctx.output(0) = tensor_type{q.dtype, q.rank() == 3 ? dims{batch, sq, times(hq, dv)} : dims{batch, hq, sq, dv}, true,
                              std::nullopt};
  if (ctx.num_outputs() > 1) ctx.output(1) = tensor_type{q.dtype, dims{batch, hkv, total, dh}, true, std::nullopt};
  if (ctx.num_outputs() > 2) ctx.output(2) = tensor_type{q.dtype, dims{batch, hkv, total, dv}, true, std::nullopt};
  if (ctx.num_outputs() > 3) ctx.output(3) = tensor_type{q.dtype, dims{batch, hq, sq, total}, true, std::nullopt};
  return {};
}

// RotaryEmbedding (opset 23): X (B, H, S, D) or (B, S, H*D) with num_heads; the caches are
// (max position, rotary dim / 2) indexed by position_ids (B, S), or (B, S, rotary dim / 2) without.
status infer_rotary(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (x.rank() != 3 && x.rank() != 4) return ctx.error("input 0 has rank ", x.rank(), ", expected 3 or 4");
  if (x.rank() == 3 && ctx.attrs().get_int("num_heads", 0) <= 0)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "a 3-D input needs attribute num_heads (positive)");
  for (size_t i : {1, 2}) {
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
    const size_t want = ctx.has_input(3) ? 2 : 3;
    if (ctx.input(i).rank() != want)
      return ctx.error("input ", i, i == 1 ? " (cos_cache)" : " (sin_cache)", " has rank ", ctx.input(i).rank(), ", expected ",
                       want, ctx.has_input(3) ? " (with position_ids)" : " (without position_ids)");
  }
  if (ctx.has_input(3)) {
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, 3, "position_ids"));
    MIRT_RETURN_IF_ERROR(ctx.require_rank(3, 2));
  }
  ctx.output(0) = same_as(x);
  return {};
}


// LinearAttention (recurrent linear attention with a [B, Hkv, dk, dv] state): query [B, T, Hq*dk],
// key [B, T, Hkv*dk], value [B, T, Hkv*dv], past_state [B, Hkv, dk, dv], decay [B, T, Hkv*dk or
// Hkv], beta [B, T, Hkv or 1] -> output [B, T, Hq*dv], present_state [B, Hkv, dk, dv].
status infer_linear_attention(infer_context& ctx) {
  const tensor_type &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
  if (!is_float_dtype(q.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "query is ", mirt_dtype_name(q.dtype), ", expected a float type");
  for (size_t i = 1; i < 6; ++i)
    if (ctx.has_input(i) && ctx.input(i).dtype != q.dtype)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " is ", mirt_dtype_name(ctx.input(i).dtype),
                            ", expected ", mirt_dtype_name(q.dtype), " as the query");
  if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "query, key and value have ranks ", q.rank(), ", ", k.rank(), ", ",
                          v.rank(), "; mirt takes the 3-D layout [batch, sequence, heads * head_size]");
  const int64_t hq = ctx.attrs().get_int("q_num_heads", 0), hkv = ctx.attrs().get_int("kv_num_heads", 0);
  if (hq < 1 || hkv < 1 || hq % hkv != 0)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "q_num_heads ", hq, " and kv_num_heads ", hkv,
                          " must be positive, q_num_heads a multiple of kv_num_heads");
  const std::string rule = ctx.attrs().get_string("update_rule", "gated_delta");
  if (rule != "linear" && rule != "gated" && rule != "delta" && rule != "gated_delta")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "update_rule is '", rule, "', expected linear, gated, delta or gated_delta");
  const bool gated = rule == "gated" || rule == "gated_delta", delta = rule == "delta" || rule == "gated_delta";
  if (gated && !ctx.has_input(4)) return ctx.error("update_rule ", rule, " needs input 4 (decay)");
  if (delta && !ctx.has_input(5)) return ctx.error("update_rule ", rule, " needs input 5 (beta)");
  const dim &ql = q.shape[2], &kl = k.shape[2], &vl = v.shape[2];
  if ((ql.known() && ql.value % hq) || (kl.known() && kl.value % hkv) || (vl.known() && vl.value % hkv))
    return ctx.error("the last dims of query, key and value (", to_string(dims{ql, kl, vl}),
                     ") must divide by q_num_heads ", hq, ", kv_num_heads ", hkv, " and kv_num_heads ", hkv);
  const dim dk = ql.known() ? extent(ql.value / hq) : dim{}, dv = vl.known() ? extent(vl.value / hkv) : dim{};
  if (dk.known() && kl.known() && kl.value != dk.value * hkv)
    return ctx.error("key's last dim is ", kl.value, ", expected kv_num_heads * head_size = ", hkv * dk.value);
  const dims state{q.shape[0], extent(hkv), dk, dv};
  if (ctx.has_input(3)) {
    const dims& past = ctx.input(3).shape;
    bool fits = past.size() == 4;
    for (size_t d = 0; fits && d < 4; ++d) fits = !past[d].known() || !state[d].known() || past[d].value == state[d].value;
    if (!fits) return ctx.error("past_state has shape ", to_string(past), ", expected ", to_string(state));
  }
  for (size_t i : {size_t(4), size_t(5)})
    if (ctx.has_input(i) && ctx.input(i).rank() != 3)
      return ctx.error("input ", i, " has rank ", ctx.input(i).rank(), ", expected 3 ([batch, sequence, ...])");
  ctx.output(0) = tensor_type{q.dtype, dims{q.shape[0], q.shape[1], vl.known() ? extent(hq * dv.value) : dim{}}, true, std::nullopt};
  if (ctx.num_outputs() > 1) ctx.output(1) = tensor_type{q.dtype, state, true, std::nullopt};
  return {};
}

// mirt::FusedAttention = softmax(scale * Q K^T + mask) V per (batch, head), what the builder's
// attention fusion pass makes of exported attention (MatMul, scale, mask Add, Softmax, MatMul and
// the head transposes around them). Q [B, Sq, H, Dk], K [B, Skv, H, Dk], V [B, Skv, H, Dv] (heads
// in the layout the Linear layers write them), mask (optional) broadcastable to [B, H, Sq, Skv];
// output [B, Sq, H, Dv]. The scores take mask_shift + mask_scale * mask (defaults 0 and 1): a mask
// of Q's dtype as it is, or an int32/int64/bool one through that affine map (the builder's
// fold_attention_mask pass reads BERT's 0/1 padding mask so, without the layers that made it additive).
// Packed form (the builder's pack_attention_inputs pass): input 0 is QKV [B, S, 3, H, D], one
// Linear layer's output holding Q, K and V side by side, and inputs 1 and 2 are absent.
// The mask: Q's dtype, or integers/booleans that mask_shift + mask_scale * mask makes additive.
status require_mask_dtype(infer_context& ctx) {
  const mirt_dtype m = ctx.input(3).dtype;
  if (m == MIRT_DTYPE_INT32 || m == MIRT_DTYPE_INT64 || m == MIRT_DTYPE_BOOL) return {};
  return require_same_dtype(ctx, 3, 0);
}

status infer_packed_attention(infer_context& ctx) {
  const tensor_type& qkv = ctx.input(0);
  if (!is_float_dtype(qkv.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (QKV) is ", mirt_dtype_name(qkv.dtype), ", expected a float type");
  MIRT_RETURN_IF_ERROR(require_equal(ctx, qkv.shape[2], extent(3), "packed QKV's dim 2 is not 3 (Q, K, V)"));
  const dim& s = qkv.shape[1];
  if (ctx.has_input(3)) {
    MIRT_RETURN_IF_ERROR(require_mask_dtype(ctx));
    MIRT_RETURN_IF_ERROR(require_broadcastable_to(ctx, 3, dims{qkv.shape[0], qkv.shape[3], s, s}, "the scores [B, H, S, S]"));
  }
  ctx.output(0) = tensor_type{qkv.dtype, dims{qkv.shape[0], s, qkv.shape[3], qkv.shape[4]}, true, std::nullopt};
  return {};
}

status infer_fused_attention(infer_context& ctx) {
  if (ctx.input(0).rank() == 5 && !ctx.has_input(1) && !ctx.has_input(2)) return infer_packed_attention(ctx);
  if (!ctx.has_input(1) || !ctx.has_input(2))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "K and V are absent but input 0 is not a packed QKV [B, S, 3, H, D]");
  const tensor_type &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
  if (!is_float_dtype(q.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (Q) is ", mirt_dtype_name(q.dtype), ", expected a float type");
  for (size_t i : {0, 1, 2}) MIRT_RETURN_IF_ERROR(ctx.require_rank(i, 4));
  for (size_t i : {1, 2}) MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, k.shape[0], q.shape[0], "K's batch differs from Q's"));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, v.shape[0], q.shape[0], "V's batch differs from Q's"));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, k.shape[2], q.shape[2], "K's heads differ from Q's"));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, v.shape[2], q.shape[2], "V's heads differ from Q's"));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, k.shape[3], q.shape[3], "Q and K have different head sizes"));
  MIRT_RETURN_IF_ERROR(require_equal(ctx, v.shape[1], k.shape[1], "K and V have different sequence lengths"));
  if (ctx.has_input(3)) {
    MIRT_RETURN_IF_ERROR(require_mask_dtype(ctx));
    MIRT_RETURN_IF_ERROR(require_broadcastable_to(ctx, 3, dims{q.shape[0], q.shape[2], q.shape[1], k.shape[1]},
                                                  "the scores [B, H, Sq, Skv]"));
  }
  ctx.output(0) = tensor_type{q.dtype, dims{q.shape[0], q.shape[1], q.shape[2], v.shape[3]}, true, std::nullopt};
  return {};
}

}  // namespace

void add_attention_schemas(schema_table& table) {
  table.add(make_schema("Attention", 3, 7, 1, 4,
                        {{"is_causal", MIRT_ATTRIBUTE_TYPE_INT},
                         {"kv_num_heads", MIRT_ATTRIBUTE_TYPE_INT},
                         {"q_num_heads", MIRT_ATTRIBUTE_TYPE_INT},
                         {"qk_matmul_output_mode", MIRT_ATTRIBUTE_TYPE_INT},
                         {"scale", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"softcap", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"softmax_precision", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_attention));
  op_schema fused = make_schema("FusedAttention", 1, 4, 1, 1,
                                {{"scale", MIRT_ATTRIBUTE_TYPE_FLOAT},
                                 {"mask_scale", MIRT_ATTRIBUTE_TYPE_FLOAT},
                                 {"mask_shift", MIRT_ATTRIBUTE_TYPE_FLOAT}},
                                infer_fused_attention);
  fused.domain = "mirt";
  table.add(std::move(fused));
  table.add(make_schema("RotaryEmbedding", 3, 4, 1, 1,
                        {{"interleaved", MIRT_ATTRIBUTE_TYPE_INT},
                         {"num_heads", MIRT_ATTRIBUTE_TYPE_INT},
                         {"rotary_embedding_dim", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_rotary));
  table.add(make_schema("LinearAttention", 3, 6, 1, 2,
                        {{"kv_num_heads", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"q_num_heads", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"scale", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"update_rule", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_linear_attention));
}

}  // namespace mirt
