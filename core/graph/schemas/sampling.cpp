// core/graph/schemas/sampling.cpp — schemas of the ops that sample an image at computed
// coordinates: GridSample, RoiAlign.
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


// X (N, C, H, W), rois (R, 4), batch_indices (R) give (R, C, output_height, output_width).
status infer_roi_align(infer_context& ctx) {
  const tensor_type &x = ctx.input(0), &rois = ctx.input(1), &index = ctx.input(2);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (X) is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (x.rank() != 4) return ctx.error("input 0 (X) has rank ", x.rank(), ", expected 4 ([N, C, H, W])");
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  if (rois.rank() != 2 || (rois.shape[1].known() && rois.shape[1].value != 4))
    return ctx.error("input 1 (rois) has shape ", to_string(rois.shape), ", expected [num_rois, 4]");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 2, "batch_indices"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 2, "batch_indices"));
  if (index.shape[0].known() && rois.shape[0].known() && index.shape[0].value != rois.shape[0].value)
    return ctx.error("input 2 (batch_indices) has ", index.shape[0].value, " entries, rois ", rois.shape[0].value);
  const attribute_map& a = ctx.attrs();
  const std::string mode = a.get_string("mode", "avg"), coords = a.get_string("coordinate_transformation_mode", "half_pixel");
  if (mode != "avg" && mode != "max")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected avg or max");
  if (coords != "half_pixel" && coords != "output_half_pixel")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'coordinate_transformation_mode' is '", coords,
                          "', expected half_pixel or output_half_pixel");
  const int64_t oh = a.get_int("output_height", 1), ow = a.get_int("output_width", 1);
  if (oh < 1 || ow < 1 || a.get_int("sampling_ratio", 0) < 0)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "output_height ", oh, ", output_width ", ow, " and sampling_ratio ",
                          a.get_int("sampling_ratio", 0), " must be positive (sampling_ratio 0: adaptive)");
  ctx.output(0) = tensor_type{x.dtype, dims{rois.shape[0], x.shape[1], extent(oh), extent(ow)}, true, std::nullopt};
  return {};
}
}  // namespace

void add_sampling_schemas(schema_table& table) {
  table.add(make_schema("GridSample", 2, 2, 1, 1,
                        {{"align_corners", MIRT_ATTRIBUTE_TYPE_INT},
                         {"mode", MIRT_ATTRIBUTE_TYPE_STRING},
                         {"padding_mode", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_grid_sample));
  table.add(make_schema("RoiAlign", 3, 3, 1, 1,
                        {{"coordinate_transformation_mode", MIRT_ATTRIBUTE_TYPE_STRING},
                         {"mode", MIRT_ATTRIBUTE_TYPE_STRING},
                         {"output_height", MIRT_ATTRIBUTE_TYPE_INT},
                         {"output_width", MIRT_ATTRIBUTE_TYPE_INT},
                         {"sampling_ratio", MIRT_ATTRIBUTE_TYPE_INT},
                         {"spatial_scale", MIRT_ATTRIBUTE_TYPE_FLOAT}},
                        infer_roi_align));
}

}  // namespace mirt
