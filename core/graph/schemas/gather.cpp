// core/graph/schemas/gather.cpp — schemas of Gather (with known values, e.g. picking dims out of a
// Shape) and GatherElements.
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

}  // namespace

void add_gather_schemas(schema_table& table) {
  table.add(make_schema("Gather", 2, 2, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_gather));
  table.add(make_schema("GatherElements", 2, 2, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_gather_elements));
}

}  // namespace mirt
