// core/graph/schemas/normalization.cpp — schemas of the normalizations, Softmax/LogSoftmax and Dropout.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Fails unless input i (a per-channel parameter) is 1-D with `channels` entries when both are known.
status require_per_channel(const infer_context& ctx, size_t i, const char* what, const dim& channels) {
  if (!ctx.has_input(i)) return {};
  const tensor_type& p = ctx.input(i);
  if (p.rank() != 1) return ctx.error("input ", i, " (", what, ") has rank ", p.rank(), ", expected 1");
  if (p.shape[0].known() && channels.known() && p.shape[0].value != channels.value)
    return ctx.error("input ", i, " (", what, ") has ", p.shape[0].value, " elements, expected ", channels.value,
                     " (the channels of input 0)");
  return {};
}

status infer_batch_norm(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 2) return ctx.error("input 0 has rank ", x.rank(), ", expected at least 2 (N x C x ...)");
  const char* names[] = {"", "scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i < 5; ++i) MIRT_RETURN_IF_ERROR(require_per_channel(ctx, i, names[i], x.shape[1]));
  ctx.output(0) = same_as(x);
  // Training-mode outputs: the running mean and variance, one value per channel.
  for (size_t o = 1; o < ctx.num_outputs(); ++o)
    ctx.output(o) = tensor_type{ctx.input(3).present() ? ctx.input(3).dtype : x.dtype, dims{x.shape[1]}, true,
                                std::nullopt};
  return {};
}

status infer_instance_norm(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 3)
    return ctx.error("input 0 has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  MIRT_RETURN_IF_ERROR(require_per_channel(ctx, 1, "scale", x.shape[1]));
  MIRT_RETURN_IF_ERROR(require_per_channel(ctx, 2, "B", x.shape[1]));
  ctx.output(0) = same_as(x);
  return {};
}

status infer_layer_norm(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", -1), x.rank()));
  // Scale and B broadcast to the normalized dims x[axis:].
  const dims normalized(x.shape.begin() + axis, x.shape.end());
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
    MIRT_RETURN_IF_ERROR(require_broadcastable_to(ctx, i, normalized, "the normalized dims"));
  }
  ctx.output(0) = same_as(x);
  // Mean and InvStdDev keep the reduced dims as 1, in the stash type (float32 by default).
  dims stats = x.shape;
  for (size_t d = static_cast<size_t>(axis); d < stats.size(); ++d) stats[d] = dim{1, {}};
  mirt_dtype stash = dtype_from_onnx(ctx.attrs().get_int("stash_type", 1));
  if (stash == MIRT_DTYPE_UNDEFINED)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'stash_type' is ",
                          ctx.attrs().get_int("stash_type", 1), ", expected an ONNX float type code (1 = float32)");
  for (size_t o = 1; o < ctx.num_outputs(); ++o) ctx.output(o) = tensor_type{stash, stats, true, std::nullopt};
  return {};
}

// mirt::SkipLayerNormalization = LayerNormalization(X + Skip): what the builder's fusion pass
// makes of a residual Add feeding a LayerNormalization. X and Skip of one dtype and shape; Scale
// (input 2) and B (input 3) as LayerNormalization's. Y in `output_dtype` (default: X's type); an
// optional second output holds Y in X's type.
status infer_skip_layer_norm(infer_context& ctx) {
  const tensor_type &x = ctx.input(0), &skip = ctx.input(1);
  if (x.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  bool same = skip.rank() == x.rank();
  for (size_t d = 0; same && d < x.shape.size(); ++d)
    same = !x.shape[d].known() || !skip.shape[d].known() || x.shape[d].value == skip.shape[d].value;
  if (!same) return ctx.error("input 1 (Skip) has shape ", to_string(skip.shape), ", expected input 0's ", to_string(x.shape));
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", -1), x.rank()));
  const dims normalized(x.shape.begin() + axis, x.shape.end());
  for (size_t i = 2; i < 4; ++i) {
    if (!ctx.has_input(i)) continue;
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
    MIRT_RETURN_IF_ERROR(require_broadcastable_to(ctx, i, normalized, "the normalized dims"));
  }
  // Y in the float type 'output_dtype' names (the builder folds a Cast into the layer so), and
  // optionally the same values in the inputs' type too, for readers that stay in that type.
  MIRT_ASSIGN_OR_RETURN(const mirt_dtype out, float_output_dtype(ctx, x.dtype));
  ctx.output(0) = same_as(x);
  ctx.output(0).dtype = out;
  if (ctx.num_outputs() > 1) ctx.output(1) = same_as(x);
  return {};
}

// mirt::EmbedLayerNormalization = LayerNormalization(Table[Indices] + Addend) over the last axis:
// what the builder makes of an embedding Gather, the constant Adds after it (position and token
// type rows) and the LayerNormalization they feed. Indices int32/int64 of any shape, Table [V, H]
// (float), Addend (optional) repeating with a period of whole rows: its shape with leading 1s
// dropped matches the trailing dims of Y = Indices.shape + [H]. Scale [H], B [H] (optional).
status infer_embed_layer_norm(infer_context& ctx) {
  const tensor_type &indices = ctx.input(0), &table = ctx.input(1);
  if (indices.dtype != MIRT_DTYPE_INT32 && indices.dtype != MIRT_DTYPE_INT64)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (Indices) is ", mirt_dtype_name(indices.dtype), ", expected int32 or int64");
  if (!is_float_dtype(table.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 1 (Table) is ", mirt_dtype_name(table.dtype), ", expected a float type");
  if (table.rank() != 2) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 1 (Table) has rank ", table.rank(), ", expected 2 ([V, H])");
  const dim& hidden = table.shape[1];
  dims out = indices.shape;
  out.push_back(hidden);
  if (ctx.has_input(2)) {
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 1));
    dims a = ctx.input(2).shape;
    while (!a.empty() && a.front().known() && a.front().value == 1) a.erase(a.begin());
    bool fits = a.size() <= out.size();
    for (size_t d = 0; fits && d < a.size(); ++d) {
      const dim &x = a[a.size() - 1 - d], &y = out[out.size() - 1 - d];
      fits = !x.known() || !y.known() || x.value == y.value;
    }
    if (!fits)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 2 (Addend) has shape ", to_string(ctx.input(2).shape),
                            ", expected whole rows repeating onto the output ", to_string(out),
                            " (its dims without leading 1s matching the output's last dims)");
  }
  if (!ctx.has_input(3)) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 3 (Scale) is required");
  const char* names[] = {"", "", "", "Scale", "B"};
  for (size_t i = 3; i < 5; ++i) {
    if (!ctx.has_input(i)) continue;
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 1));
    const tensor_type& p = ctx.input(i);
    if (p.rank() != 1 || (p.shape[0].known() && hidden.known() && p.shape[0].value != hidden.value))
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", names[i], ") has shape ", to_string(p.shape), ", expected [",
                            to_string(dims{hidden}), "] (Table's row length)");
  }
  ctx.output(0) = tensor_type{table.dtype, out, indices.rank_known, std::nullopt};
  return {};
}

// RMSNormalization: like LayerNormalization without the mean, its bias and its statistics outputs.
status infer_rms_norm(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", -1), x.rank()));
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  MIRT_RETURN_IF_ERROR(require_broadcastable_to(ctx, 1, dims(x.shape.begin() + axis, x.shape.end()), "the normalized dims"));
  if (!is_float_dtype(dtype_from_onnx(ctx.attrs().get_int("stash_type", 1))))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'stash_type' is ", ctx.attrs().get_int("stash_type", 1),
                          ", expected an ONNX float type code (1 = float32)");
  ctx.output(0) = same_as(x);
  return {};
}

// LpNormalization, MeanVarianceNormalization, LRN: same shape, float input.
status infer_float_same_shape(infer_context& ctx) {
  if (!is_float_dtype(ctx.input(0).dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(ctx.input(0).dtype), ", expected a float type");
  if (ctx.attrs().find("axis")) MIRT_RETURN_IF_ERROR(normalize_axis(ctx, ctx.attrs().get_int("axis", -1), ctx.input(0).rank()).error());
  if (ctx.attrs().find("axes"))
    MIRT_RETURN_IF_ERROR(normalize_axes(ctx, ctx.attrs().get_ints("axes"), ctx.input(0).rank(), "attribute 'axes'").error());
  ctx.output(0) = same_as(ctx.input(0));
  return {};
}

// GroupNormalization: scale and bias have one entry per group (opset 18) or per channel (21).
status infer_group_norm(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 3) return ctx.error("input 0 has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  const int64_t groups = ctx.attrs().get_int("num_groups", 0);
  if (groups <= 0) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'num_groups' is ", groups, ", expected positive");
  if (x.shape[1].known() && x.shape[1].value % groups != 0)
    return ctx.error("input 0 has ", x.shape[1].value, " channels, not a multiple of num_groups ", groups);
  for (size_t i : {1, 2}) {
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
    const tensor_type& p = ctx.input(i);
    if (p.rank() != 1) return ctx.error("input ", i, " has rank ", p.rank(), ", expected 1");
    if (p.shape[0].known() && p.shape[0].value != groups && (!x.shape[1].known() || p.shape[0].value != x.shape[1].value))
      return ctx.error("input ", i, " has ", p.shape[0].value, " entries, expected num_groups or the channels");
  }
  ctx.output(0) = same_as(x);
  return {};
}

status infer_softmax(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_RETURN_IF_ERROR(normalize_axis(ctx, ctx.attrs().get_int("axis", -1), x.rank()).error());
  ctx.output(0) = same_as(x);
  return {};
}

status infer_dropout(infer_context& ctx) {
  // Inference: the output is the input; the optional mask is all true.
  ctx.output(0) = ctx.input(0);
  if (ctx.num_outputs() > 1) ctx.output(1) = tensor_type{MIRT_DTYPE_BOOL, ctx.input(0).shape, true, std::nullopt};
  if (ctx.has_input(1) && ctx.input(1).rank() != 0)
    return ctx.error("input 1 (ratio) has rank ", ctx.input(1).rank(), ", expected a scalar");
  if (ctx.has_input(2) && ctx.input(2).dtype != MIRT_DTYPE_BOOL)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 2 (training_mode) is ",
                          mirt_dtype_name(ctx.input(2).dtype), ", expected bool");
  return {};
}

}  // namespace

void add_normalization_schemas(schema_table& table) {
  table.add(make_schema("BatchNormalization", 5, 5, 1, 3,
                        {{"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"momentum", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"training_mode", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_batch_norm, true));
  table.add(make_schema("InstanceNormalization", 3, 3, 1, 1, {{"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT}},
                        infer_instance_norm, true));
  table.add(make_schema("LayerNormalization", 2, 3, 1, 3,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT},
                         {"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"stash_type", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_layer_norm, true));
  op_schema skip_ln = make_schema("SkipLayerNormalization", 3, 4, 1, 2,
                                  {{"axis", MIRT_ATTRIBUTE_TYPE_INT}, {"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT},
                                   {"output_dtype", MIRT_ATTRIBUTE_TYPE_INT}},
                                  infer_skip_layer_norm);
  skip_ln.domain = "mirt";
  table.add(std::move(skip_ln));
  op_schema embed_ln = make_schema("EmbedLayerNormalization", 2, 5, 1, 1, {{"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT}}, infer_embed_layer_norm);
  embed_ln.domain = "mirt";
  table.add(std::move(embed_ln));
  table.add(make_schema("RMSNormalization", 2, 2, 1, 1,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT},
                         {"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"stash_type", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_rms_norm, true));
  table.add(make_schema("LpNormalization", 1, 1, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}, {"p", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_float_same_shape));
  table.add(make_schema("MeanVarianceNormalization", 1, 1, 1, 1, {{"axes", MIRT_ATTRIBUTE_TYPE_INTS}},
                        infer_float_same_shape));
  table.add(make_schema("LRN", 1, 1, 1, 1,
                        {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"beta", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"bias", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"size", MIRT_ATTRIBUTE_TYPE_INT, true}},
                        infer_float_same_shape));
  table.add(make_schema("GroupNormalization", 3, 3, 1, 1,
                        {{"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"num_groups", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"stash_type", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_group_norm));
  for (const char* op : {"Softmax", "LogSoftmax"})
    table.add(make_schema(op, 1, 1, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_softmax, true));
  table.add(make_schema("Dropout", 1, 3, 1, 2, {{"seed", MIRT_ATTRIBUTE_TYPE_INT}}, infer_dropout, true));
}

}  // namespace mirt
