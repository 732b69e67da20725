// core/graph/schemas/same_shape.cpp — schemas of ops whose output has input 0's type and shape and
// that fit no other family: Trilu, CumSum, CumProd, Hardmax, ReverseSequence.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Fails unless input i, when present, is an integer scalar (or a 1-element vector when allowed).
status require_int_scalar(const infer_context& ctx, size_t i, const char* what, bool allow_one_element) {
  if (!ctx.has_input(i)) return {};
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, i, what));
  const tensor_type& t = ctx.input(i);
  const bool one = t.rank() == 1 && (!t.shape[0].known() || t.shape[0].value == 1);
  if (t.rank() != 0 && !(allow_one_element && one))
    return ctx.error("input ", i, " (", what, ") has shape ", to_string(t.shape), ", expected a scalar");
  return {};
}

status infer_trilu(infer_context& ctx) {
  if (ctx.input(0).rank() < 2) return ctx.error("input 0 has rank ", ctx.input(0).rank(), ", expected at least 2");
  MIRT_RETURN_IF_ERROR(require_int_scalar(ctx, 1, "k", false));
  ctx.output(0) = same_as(ctx.input(0));
  return {};
}

status infer_cumulative(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  if (x.dtype == MIRT_DTYPE_BOOL)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is bool, expected a numeric type");
  // ONNX allows axis as a scalar or a 1-D tensor of one element.
  MIRT_RETURN_IF_ERROR(require_int_scalar(ctx, 1, "axis", true));
  if (const std::vector<int64_t>* axis = known_values(ctx, 1); axis && axis->size() == 1)
    MIRT_RETURN_IF_ERROR(normalize_axis(ctx, (*axis)[0], x.rank()).error());
  ctx.output(0) = same_as(x);
  return {};
}

status infer_hardmax(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  MIRT_RETURN_IF_ERROR(normalize_axis(ctx, ctx.attrs().get_int("axis", -1), x.rank()).error());
  ctx.output(0) = same_as(x);
  return {};
}

status infer_reverse_sequence(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 2) return ctx.error("input 0 has rank ", x.rank(), ", expected at least 2");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "sequence_lens"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "sequence_lens"));
  const int64_t batch_axis = ctx.attrs().get_int("batch_axis", 1), time_axis = ctx.attrs().get_int("time_axis", 0);
  if ((batch_axis != 0 && batch_axis != 1) || (time_axis != 0 && time_axis != 1) || batch_axis == time_axis)
    return ctx.error("batch_axis ", batch_axis, " and time_axis ", time_axis, " must be 0 and 1, one each");
  const dim& batch = x.shape[size_t(batch_axis)];
  const dim& lens = ctx.input(1).shape[0];
  if (batch.known() && lens.known() && batch.value != lens.value)
    return ctx.error("input 1 (sequence_lens) has ", lens.value, " entries, the batch dim is ", batch.value);
  ctx.output(0) = same_as(x);
  return {};
}

}  // namespace

void add_same_shape_schemas(schema_table& table) {
  table.add(make_schema("Trilu", 1, 2, 1, 1, {{"upper", MIRT_ATTRIBUTE_TYPE_INT}}, infer_trilu));
  for (const char* op : {"CumSum", "CumProd"})
    table.add(make_schema(op, 2, 2, 1, 1,
                          {{"exclusive", MIRT_ATTRIBUTE_TYPE_INT}, {"reverse", MIRT_ATTRIBUTE_TYPE_INT}},
                          infer_cumulative));
  table.add(make_schema("Hardmax", 1, 1, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_hardmax));
  table.add(make_schema("ReverseSequence", 2, 2, 1, 1,
                        {{"batch_axis", MIRT_ATTRIBUTE_TYPE_INT}, {"time_axis", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_reverse_sequence));
}

}  // namespace mirt
