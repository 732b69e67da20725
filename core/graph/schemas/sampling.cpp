// core/graph/schemas/sampling.cpp — schemas of the ops that sample an image at computed
// coordinates: GridSample.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// X (N, C, D1..Dr) sampled at grid (N, H1..Hr, r) gives (N, C, H1..Hr).
status infer_grid_sample(infer_context& ctx) {
  const tensor_type &x = ctx.input(0), &grid = ctx.input(1);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (X) is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (!is_float_dtype(grid.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 1 (grid) is ", mirt_dtype_name(grid.dtype),
                          ", expected a float type");
  if (x.rank() < 3) return ctx.error("input 0 (X) has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  if (grid.rank() != x.rank())
    return ctx.error("input 1 (grid) has rank ", grid.rank(), ", expected ", x.rank(), " (the rank of X)");
  const dim& last = grid.shape.back();
  if (last.known() && last.value != static_cast<int64_t>(x.rank() - 2))
    return ctx.error("input 1 (grid) has ", last.value, " coordinates per point, expected ", x.rank() - 2,
                     " (X's spatial dims)");
  if (grid.shape[0].known() && x.shape[0].known() && grid.shape[0].value != x.shape[0].value)
    return ctx.error("input 1 (grid) has batch ", grid.shape[0].value, ", X has ", x.shape[0].value);
  const std::string mode = ctx.attrs().get_string("mode", "linear");
  if (mode != "nearest" && mode != "linear" && mode != "cubic" && mode != "bilinear" && mode != "bicubic")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected nearest, linear or cubic");
  const std::string padding = ctx.attrs().get_string("padding_mode", "zeros");
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'padding_mode' is '", padding,
                          "', expected zeros, border or reflection");
  dims out = {x.shape[0], x.shape[1]};
  out.insert(out.end(), grid.shape.begin() + 1, grid.shape.end() - 1);
  ctx.output(0) = tensor_type{x.dtype, std::move(out), true, std::nullopt};
  return {};
}

}  // namespace

void add_sampling_schemas(schema_table& table) {
  table.add(make_schema("GridSample", 2, 2, 1, 1,
                        {{"align_corners", MIRT_ATTRIBUTE_TYPE_INT},
                         {"mode", MIRT_ATTRIBUTE_TYPE_STRING},
                         {"padding_mode", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_grid_sample));
}

}  // namespace mirt
