// core/graph/schemas/reduce.cpp — schemas of the Reduce* ops (axes as an optional input, keepdims,
// noop_with_empty_axes) and ArgMax/ArgMin.
#include <algorithm>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Folds known integer values when the whole tensor is reduced (ReduceProd of a Shape, ...).
std::optional<int64_t> reduce_all(std::string_view op, const std::vector<int64_t>& v) {
  if (v.empty()) return std::nullopt;
  if (op == "ReduceProd") {
    int64_t p = 1;
    for (int64_t x : v) p *= x;
    return p;
  }
  if (op == "ReduceSum") {
    int64_t s = 0;
    for (int64_t x : v) s += x;
    return s;
  }
  if (op == "ReduceMax") return *std::max_element(v.begin(), v.end());
  if (op == "ReduceMin") return *std::min_element(v.begin(), v.end());
  return std::nullopt;
}

status infer_reduce(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  const bool keep = ctx.attrs().get_int("keepdims", 1) != 0;
  const bool noop_when_empty = ctx.attrs().get_int("noop_with_empty_axes", 0) != 0;
  std::vector<bool> reduced(data.rank(), true);
  if (ctx.has_input(1)) {
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "axes"));
    MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "axes", true));
    const std::vector<int64_t>* axes = known_values(ctx, 1);
    if (!axes) {
      // Which dims go is unknown; the rank is known when keepdims is set or the axes count is.
      int64_t count = vector_length(ctx.input(1));
      if (!keep && count < 0)
        return ctx.error_code(MIRT_STATUS_UNSUPPORTED,
                              "input 1 (axes) must be a constant when keepdims is 0: its length is unknown");
      if (!keep && count > static_cast<int64_t>(data.rank()))
        return ctx.error("input 1 (axes) has ", count, " entries, more than the rank of input 0 (", data.rank(), ")");
      size_t rank = keep ? data.rank() : data.rank() - static_cast<size_t>(count);
      ctx.output(0) = tensor_type{data.dtype, dims(rank), true, std::nullopt};
      return {};
    }
    if (!axes->empty()) {
      MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> normalized,
                            normalize_axes(ctx, *axes, data.rank(), "input 1 (axes)"));
      std::fill(reduced.begin(), reduced.end(), false);
      for (int64_t a : normalized) reduced[a] = true;
    } else if (noop_when_empty) {
      std::fill(reduced.begin(), reduced.end(), false);
    }
  } else if (noop_when_empty) {
    std::fill(reduced.begin(), reduced.end(), false);
  }
  dims shape;
  for (size_t i = 0; i < data.rank(); ++i) {
    if (!reduced[i]) shape.push_back(data.shape[i]);
    else if (keep) shape.push_back(dim{1, {}});
  }
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  const bool all = std::all_of(reduced.begin(), reduced.end(), [](bool r) { return r; });
  if (const std::vector<int64_t>* v = known_values(ctx, 0); v && all && is_integer_dtype(data.dtype))
    if (auto folded = reduce_all(ctx.layer().op_type, *v)) set_values(ctx.output(0), {*folded});
  return {};
}

status infer_arg_reduce(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  if (data.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 0), data.rank()));
  const bool keep = ctx.attrs().get_int("keepdims", 1) != 0;
  dims shape;
  for (size_t i = 0; i < data.rank(); ++i) {
    if (i != static_cast<size_t>(axis)) shape.push_back(data.shape[i]);
    else if (keep) shape.push_back(dim{1, {}});
  }
  ctx.output(0) = tensor_type{MIRT_DTYPE_INT64, std::move(shape), true, std::nullopt};
  return {};
}

// TopK: values and int64 indices, input 0's shape with the axis dim K (known when K is constant).
status infer_topk(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "K"));
  if (element_count(ctx.input(1).shape) > 1)
    return ctx.error("input 1 (K) has shape ", to_string(ctx.input(1).shape), ", expected one value");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", -1), x.rank()));
  dims shape = x.shape;
  shape[axis] = dim{};
  if (const std::vector<int64_t>* k = known_values(ctx, 1); k && k->size() == 1) {
    if ((*k)[0] < 0) return ctx.error("input 1 (K) is ", (*k)[0], ", expected a non-negative count");
    if (x.shape[axis].known() && (*k)[0] > x.shape[axis].value)
      return ctx.error("input 1 (K) is ", (*k)[0], ", more than the ", x.shape[axis].value, " values along axis ", axis);
    shape[axis] = extent((*k)[0]);
  }
  ctx.output(0) = tensor_type{x.dtype, shape, true, std::nullopt};
  if (ctx.num_outputs() > 1) ctx.output(1) = tensor_type{MIRT_DTYPE_INT64, shape, true, std::nullopt};
  return {};
}

}  // namespace

void add_reduce_schemas(schema_table& table) {
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                         "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"})
    table.add(make_schema(op, 1, 2, 1, 1,
                          {{"keepdims", MIRT_ATTRIBUTE_TYPE_INT}, {"noop_with_empty_axes", MIRT_ATTRIBUTE_TYPE_INT}},
                          infer_reduce));
  for (const char* op : {"ArgMax", "ArgMin"})
    table.add(make_schema(op, 1, 1, 1, 1,
                          {{"axis", MIRT_ATTRIBUTE_TYPE_INT},
                           {"keepdims", MIRT_ATTRIBUTE_TYPE_INT},
                           {"select_last_index", MIRT_ATTRIBUTE_TYPE_INT}},
                          infer_arg_reduce));
  table.add(make_schema("TopK", 2, 2, 1, 2,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT}, {"largest", MIRT_ATTRIBUTE_TYPE_INT}, {"sorted", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_topk));
}

}  // namespace mirt
