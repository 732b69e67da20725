// core/graph/schemas/gather.cpp — schemas of Gather (with known values, e.g. picking dims out of a
// Shape), GatherElements, GatherND, ScatterElements, ScatterND and OneHot.
#include <algorithm>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

status infer_gather(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  const tensor_type& indices = ctx.input(1);
  if (data.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "indices"));
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 0), data.rank()));
  // data[:axis] + indices.shape + data[axis+1:]
  dims shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};

  const std::vector<int64_t>* index_values = known_values(ctx, 1);
  const dim& extent = data.shape[axis];
  if (index_values && extent.known()) {
    for (int64_t i : *index_values)
      if (i < -extent.value || i >= extent.value)
        return ctx.error("input 1 (indices) holds ", i, ", out of range for axis ", axis, " of extent ",
                         extent.value);
  }
  const std::vector<int64_t>* values = known_values(ctx, 0);
  if (values && index_values) {
    // out[outer, j, inner] = data[outer, indices[j], inner]
    const int64_t n = extent.value;
    const int64_t inner = element_count(dims(data.shape.begin() + axis + 1, data.shape.end()));
    const int64_t outer = element_count(dims(data.shape.begin(), data.shape.begin() + axis));
    std::vector<int64_t> out;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j : *index_values)
        for (int64_t k = 0; k < inner; ++k) out.push_back((*values)[(o * n + (j < 0 ? j + n : j)) * inner + k]);
    set_values(ctx.output(0), std::move(out));
  }
  return {};
}

status infer_gather_elements(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  const tensor_type& indices = ctx.input(1);
  if (data.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "indices"));
  if (indices.rank() != data.rank())
    return ctx.error("input 1 (indices) has rank ", indices.rank(), ", expected ", data.rank(),
                     " (the rank of input 0)");
  MIRT_RETURN_IF_ERROR(normalize_axis(ctx, ctx.attrs().get_int("axis", 0), data.rank()).error());
  ctx.output(0) = tensor_type{data.dtype, indices.shape, true, std::nullopt};
  return {};
}

// ScatterElements/ScatterND: the output is the data with updates written (or reduced) into it.
status check_reduction(const infer_context& ctx) {
  const std::string r = ctx.attrs().get_string("reduction", "none");
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'reduction' is '", r,
                          "', expected none, add, mul, max or min");
  return {};
}

status infer_scatter_elements(infer_context& ctx) {
  const tensor_type &data = ctx.input(0), &indices = ctx.input(1), &updates = ctx.input(2);
  if (data.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "indices"));
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
  if (indices.rank() != data.rank() || updates.rank() != data.rank())
    return ctx.error("indices and updates have ranks ", indices.rank(), " and ", updates.rank(), ", expected ",
                     data.rank(), " (the rank of input 0)");
  for (size_t d = 0; d < indices.rank(); ++d)
    if (indices.shape[d].known() && updates.shape[d].known() && indices.shape[d].value != updates.shape[d].value)
      return ctx.error("indices has shape ", to_string(indices.shape), " but updates has ", to_string(updates.shape));
  MIRT_RETURN_IF_ERROR(normalize_axis(ctx, ctx.attrs().get_int("axis", 0), data.rank()).error());
  MIRT_RETURN_IF_ERROR(check_reduction(ctx));
  ctx.output(0) = same_as(data);
  return {};
}

status infer_scatter_nd(infer_context& ctx) {
  const tensor_type &data = ctx.input(0), &indices = ctx.input(1), &updates = ctx.input(2);
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "indices"));
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
  if (indices.rank() == 0) return ctx.error("input 1 (indices) is a scalar, expected rank 1 or more");
  const dim& k = indices.shape.back();
  if (k.known()) {
    if (k.value > static_cast<int64_t>(data.rank()))
      return ctx.error("input 1 (indices) has tuples of ", k.value, " indices, more than the rank of input 0 (",
                       data.rank(), ")");
    // updates = indices.shape[:-1] + data.shape[k:]
    const size_t want = indices.rank() - 1 + data.rank() - static_cast<size_t>(k.value);
    if (updates.rank() != want)
      return ctx.error("input 2 (updates) has rank ", updates.rank(), ", expected ", want);
  }
  MIRT_RETURN_IF_ERROR(check_reduction(ctx));
  ctx.output(0) = same_as(data);
  return {};
}

// GatherND: out = indices.shape[:-1] + data.shape[batch_dims + k:].
status infer_gather_nd(infer_context& ctx) {
  const tensor_type &data = ctx.input(0), &indices = ctx.input(1);
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "indices"));
  const int64_t batch = ctx.attrs().get_int("batch_dims", 0);
  if (indices.rank() == 0) return ctx.error("input 1 (indices) is a scalar, expected rank 1 or more");
  if (batch < 0 || batch >= static_cast<int64_t>(std::min(indices.rank(), data.rank())))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'batch_dims' is ", batch, ", expected 0 to ",
                          std::min(indices.rank(), data.rank()) - 1);
  const dim& k = indices.shape.back();
  if (!k.known())
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "input 1 (indices) has an unknown last dim; the output rank depends on it");
  if (batch + k.value > static_cast<int64_t>(data.rank()))
    return ctx.error("input 1 (indices) has tuples of ", k.value, " indices after ", batch,
                     " batch dims, more than the rank of input 0 (", data.rank(), ")");
  dims out(indices.shape.begin(), indices.shape.end() - 1);
  out.insert(out.end(), data.shape.begin() + batch + k.value, data.shape.end());
  ctx.output(0) = tensor_type{data.dtype, std::move(out), true, std::nullopt};
  return {};
}

// OneHot: indices' shape with depth inserted at axis, values' dtype. The depth extent is known only
// when depth's value is (an integer shape value); otherwise it depends on the input's value.
status infer_one_hot(infer_context& ctx) {
  const tensor_type &indices = ctx.input(0), &depth = ctx.input(1), &values = ctx.input(2);
  if (indices.dtype == MIRT_DTYPE_BOOL || depth.dtype == MIRT_DTYPE_BOOL)
    return ctx.error("indices and depth must be numeric, not bool");
  const bool one = depth.rank() == 1 && (!depth.shape[0].known() || depth.shape[0].value == 1);
  if (depth.rank() != 0 && !one) return ctx.error("input 1 (depth) has shape ", to_string(depth.shape), ", expected a scalar");
  if (values.rank() != 1 || (values.shape[0].known() && values.shape[0].value != 2))
    return ctx.error("input 2 (values) has shape ", to_string(values.shape), ", expected [2] (off, on)");
  MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", -1), indices.rank() + 1));
  dim extent{};
  std::optional<int64_t> known_depth;
  if (const std::vector<int64_t>* v = known_values(ctx, 1); v && v->size() == 1) known_depth = (*v)[0];
  // A float depth (the ONNX tests feed float32) counts as its integer part, as the kernel reads it.
  if (const auto& f = depth.float_values; f && f->size() == 1) known_depth = static_cast<int64_t>((*f)[0]);
  if (known_depth) {
    if (*known_depth < 1) return ctx.error("input 1 (depth) is ", *known_depth, ", expected at least 1");
    extent = dim{*known_depth, {}};
  }
  dims shape = indices.shape;
  shape.insert(shape.begin() + axis, extent);
  ctx.output(0) = tensor_type{values.dtype, std::move(shape), true, std::nullopt};
  return {};
}

}  // namespace

void add_gather_schemas(schema_table& table) {
  table.add(make_schema("Gather", 2, 2, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_gather));
  table.add(make_schema("GatherElements", 2, 2, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_gather_elements));
  table.add(make_schema("GatherND", 2, 2, 1, 1, {{"batch_dims", MIRT_ATTRIBUTE_TYPE_INT}}, infer_gather_nd));
  table.add(make_schema("ScatterElements", 3, 3, 1, 1,
                        {{"axis", MIRT_ATTRIBUTE_TYPE_INT}, {"reduction", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_scatter_elements));
  table.add(make_schema("ScatterND", 3, 3, 1, 1, {{"reduction", MIRT_ATTRIBUTE_TYPE_STRING}}, infer_scatter_nd));
  table.add(make_schema("OneHot", 3, 3, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_one_hot));
}

}  // namespace mirt
