// core/graph/schemas/concat_split.cpp — schemas of Concat and Split (sizes from the split input or
// num_outputs); both carry known values of 1-D shape tensors.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Two dims that must agree: an error when both are known and differ, else the more informative one.
result<dim> merge_dims(const infer_context& ctx, const dim& a, const dim& b, size_t input, size_t axis) {
  if (a.known() && b.known() && a.value != b.value)
    return ctx.error("input ", input, " has ", b.value, " at dim ", axis, ", expected ", a.value,
                     " (as input 0; only the concat axis may differ)");
  if (a.known() || !a.symbol.empty()) return a;
  return b;
}

status infer_concat(infer_context& ctx) {
  const tensor_type& first = ctx.input(0);
  if (first.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 0), first.rank()));
  dims shape = first.shape;
  int64_t total = 0;
  bool total_known = true;
  std::vector<int64_t> values;
  bool values_known = axis == 0;  // concatenating the flat data is concatenating along axis 0
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const tensor_type& in = ctx.input(i);
    if (!in.present()) return ctx.error("input ", i, " is required");
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
    if (in.rank() != first.rank())
      return ctx.error("input ", i, " has rank ", in.rank(), ", expected ", first.rank(), " (the rank of input 0)");
    for (size_t d = 0; d < shape.size(); ++d) {
      if (d == static_cast<size_t>(axis)) continue;
      MIRT_ASSIGN_OR_RETURN(shape[d], merge_dims(ctx, shape[d], in.shape[d], i, d));
    }
    const dim& extent = in.shape[axis];
    if (extent.known()) total += extent.value;
    else total_known = false;
    const std::vector<int64_t>* v = known_values(ctx, i);
    if (v && values_known) values.insert(values.end(), v->begin(), v->end());
    else values_known = false;
  }
  if (ctx.num_inputs() > 1) shape[axis] = total_known ? dim{total, {}} : dim{};
  ctx.output(0) = tensor_type{first.dtype, std::move(shape), true, std::nullopt};
  if (values_known) set_values(ctx.output(0), std::move(values));
  return {};
}

// Sizes of the Split outputs along the axis: from the split input, or num_outputs near-equal chunks.
result<std::vector<int64_t>> split_sizes(const infer_context& ctx, const dim& extent, size_t outputs) {
  if (ctx.has_input(1)) {
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "split"));
    MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "split"));
    int64_t length = vector_length(ctx.input(1));
    if (length >= 0 && length != static_cast<int64_t>(outputs))
      return ctx.error("input 1 (split) has ", length, " entries, expected ", outputs, " (one per output)");
    const std::vector<int64_t>* split = known_values(ctx, 1);
    if (!split) return std::vector<int64_t>(outputs, -1);
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0) return ctx.error("input 1 (split) ", to_string(*split), " has a negative size");
      sum += s;
    }
    if (extent.known() && sum != extent.value)
      return ctx.error("input 1 (split) ", to_string(*split), " sums to ", sum, ", expected ", extent.value,
                       " (the extent of the split axis)");
    return *split;
  }
  const attribute* num = ctx.attrs().find("num_outputs");
  if (num && num->ints.at(0) != static_cast<int64_t>(outputs))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'num_outputs' is ", num->ints.at(0),
                          ", but the layer has ", outputs, " outputs");
  if (!extent.known()) return std::vector<int64_t>(outputs, -1);
  const int64_t n = static_cast<int64_t>(outputs);
  if (!num) {
    if (extent.value % n != 0)
      return ctx.error("the split axis has ", extent.value, " elements, which do not split evenly into ", n,
                       " outputs; give input 1 (split) or num_outputs");
    return std::vector<int64_t>(outputs, extent.value / n);
  }
  // num_outputs: chunks of ceil(extent / n), the last one smaller.
  const int64_t chunk = (extent.value + n - 1) / n;
  const int64_t last = extent.value - chunk * (n - 1);
  if (last <= 0)
    return ctx.error("the split axis has ", extent.value, " elements, too few for ", n, " outputs of ", chunk);
  std::vector<int64_t> sizes(outputs, chunk);
  sizes.back() = last;
  return sizes;
}

status infer_split(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  if (data.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 0), data.rank()));
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, split_sizes(ctx, data.shape[axis], ctx.num_outputs()));
  const std::vector<int64_t>* values = data.rank() == 1 ? known_values(ctx, 0) : nullptr;
  int64_t offset = 0;
  for (size_t o = 0; o < ctx.num_outputs(); ++o) {
    dims shape = data.shape;
    shape[axis] = sizes[o] >= 0 ? dim{sizes[o], {}} : dim{};
    if (ctx.num_outputs() == 1) shape[axis] = data.shape[axis];
    tensor_type out{data.dtype, std::move(shape), true, std::nullopt};
    if (values && sizes[o] >= 0) {
      set_values(out, std::vector<int64_t>(values->begin() + offset, values->begin() + offset + sizes[o]));
      offset += sizes[o];
    }
    ctx.output(o) = std::move(out);
  }
  return {};
}

}  // namespace

void add_concat_split_schemas(schema_table& table) {
  table.add(make_schema("Concat", 1, 1024, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT, true}}, infer_concat));
  table.add(make_schema("Split", 1, 2, 1, 64,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT}, {"num_outputs", MIRT_ATTRIBUTE_TYPE_INT}}, infer_split));
}

}  // namespace mirt
