// core/graph/schemas/affine_grid.cpp — schema of AffineGrid: theta [N, 2, 3] (2-D) or [N, 3, 4]
// (3-D) and size [N, C, H, W] or [N, C, D, H, W] -> grid [N, H, W, 2] or [N, D, H, W, 3], the
// sampling grid GridSample takes. The spatial extents are size's values, known when those are.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

status infer_affine_grid(infer_context& ctx) {
  const tensor_type& theta = ctx.input(0);
  if (!is_float_dtype(theta.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (theta) is ", mirt_dtype_name(theta.dtype), ", expected a float type");
  if (theta.rank() != 3) return ctx.error("input 0 (theta) has rank ", theta.rank(), ", expected 3");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "size"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "size"));
  int64_t count = vector_length(ctx.input(1));
  if (count < 0 && theta.shape[1].known()) count = theta.shape[1].value + 2;  // 2-D theta has 2 rows
  if (count != 4 && count != 5)
    return ctx.error("input 1 (size) has ", count, " entries, expected 4 ([N, C, H, W]) or 5 ([N, C, D, H, W])");
  const int64_t spatial = count - 2;
  const dim &rows = theta.shape[1], &cols = theta.shape[2];
  if ((rows.known() && rows.value != spatial) || (cols.known() && cols.value != spatial + 1))
    return ctx.error("input 0 (theta) has shape ", to_string(theta.shape), ", expected [N, ", spatial, ", ", spatial + 1,
                     "] for ", spatial, "-D sizes");
  const std::vector<int64_t>* size = known_values(ctx, 1);
  dims out{size ? dim{(*size)[0], {}} : theta.shape[0]};
  if (size && theta.shape[0].known() && (*size)[0] != theta.shape[0].value)
    return ctx.error("input 1 (size) has batch ", (*size)[0], ", theta has ", theta.shape[0].value);
  for (int64_t d = 0; d < spatial; ++d) {
    if (size && (*size)[size_t(d + 2)] < 1) return ctx.error("input 1 (size) has ", (*size)[size_t(d + 2)], ", expected positive extents");
    out.push_back(size ? dim{(*size)[size_t(d + 2)], {}} : dim{});
  }
  out.push_back(dim{spatial, {}});
  ctx.output(0) = tensor_type{theta.dtype, std::move(out), true, std::nullopt};
  return {};
}

}  // namespace

void add_affine_grid_schemas(schema_table& table) {
  table.add(make_schema("AffineGrid", 2, 2, 1, 1, {{"align_corners", MIRT_ATTRIBUTE_TYPE_INT}}, infer_affine_grid));
}

}  // namespace mirt
