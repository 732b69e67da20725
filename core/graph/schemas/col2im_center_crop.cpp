// core/graph/schemas/col2im_center_crop.cpp — schemas of Col2Im (columns [N, C * prod(block), L]
// summed back into an image [N, C, *image_shape]) and CenterCropPad (each listed axis cropped or
// zero-padded to the given extent around its center). Both take their output extents from small
// integer inputs, known when those are constants or shape tensor values.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

status infer_col2im(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() != 3) return ctx.error("input 0 has rank ", x.rank(), ", expected 3 ([N, C * prod(block_shape), L])");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "image_shape"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "image_shape"));
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 2, "block_shape"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 2, "block_shape"));
  const int64_t n_image = vector_length(ctx.input(1)), n_block = vector_length(ctx.input(2));
  if (n_image >= 0 && n_block >= 0 && n_image != n_block)
    return ctx.error("image_shape has ", n_image, " entries, block_shape ", n_block, ", expected the same count");
  const std::vector<int64_t>* image = known_values(ctx, 1);
  const std::vector<int64_t>* block = known_values(ctx, 2);
  const int64_t spatial = n_image >= 0 ? n_image : n_block;
  if (spatial < 0) return ctx.error("the number of spatial dims (image_shape's length) is not known");
  if (spatial < 1) return ctx.error("image_shape is empty, expected at least one spatial dim");
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> dilations, ints_attribute(ctx, "dilations", size_t(spatial), std::vector<int64_t>(size_t(spatial), 1)));
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> strides, ints_attribute(ctx, "strides", size_t(spatial), std::vector<int64_t>(size_t(spatial), 1)));
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> pads, ints_attribute(ctx, "pads", size_t(2 * spatial), std::vector<int64_t>(size_t(2 * spatial), 0)));
  for (int64_t d = 0; d < spatial; ++d)
    if (dilations[size_t(d)] < 1 || strides[size_t(d)] < 1 || pads[size_t(d)] < 0 || pads[size_t(d + spatial)] < 0)
      return ctx.error("dilations and strides must be positive and pads not negative");
  dims out{x.shape[0], dim{}};
  if (block) {
    int64_t per_channel = 1;
    for (int64_t b : *block) {
      if (b < 1) return ctx.error("block_shape has ", b, ", expected positive entries");
      per_channel *= b;
    }
    const dim& rows = x.shape[1];
    if (rows.known()) {
      if (rows.value % per_channel != 0)
        return ctx.error("input 0 has ", rows.value, " rows, not a multiple of prod(block_shape) = ", per_channel);
      out[1] = dim{rows.value / per_channel, {}};
    }
  }
  for (int64_t d = 0; d < spatial; ++d) out.push_back(image ? dim{(*image)[size_t(d)], {}} : dim{});
  if (image && block && x.shape[2].known()) {
    int64_t blocks = 1;
    for (int64_t d = 0; d < spatial; ++d) {
      const size_t i = size_t(d);
      const int64_t span = dilations[i] * ((*block)[i] - 1) + 1;
      const int64_t padded = (*image)[i] + pads[i] + pads[i + size_t(spatial)];
      if (padded < span) return ctx.error("the block (", span, " with dilation) does not fit image dim ", d, " (", padded, " with pads)");
      blocks *= (padded - span) / strides[i] + 1;
    }
    if (blocks != x.shape[2].value)
      return ctx.error("input 0 has ", x.shape[2].value, " columns, the image and block shapes give ", blocks, " blocks");
  }
  ctx.output(0) = tensor_type{x.dtype, std::move(out), true, std::nullopt};
  return {};
}

status infer_center_crop_pad(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "shape"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "shape"));
  std::vector<int64_t> axes;
  if (const attribute* a = ctx.attrs().find("axes")) {
    MIRT_ASSIGN_OR_RETURN(axes, normalize_axes(ctx, a->ints, x.rank(), "axes"));
  } else {
    for (size_t d = 0; d < x.rank(); ++d) axes.push_back(int64_t(d));
  }
  const int64_t count = vector_length(ctx.input(1));
  if (count >= 0 && count != int64_t(axes.size()))
    return ctx.error("input 1 (shape) has ", count, " entries for ", axes.size(), " axes");
  const std::vector<int64_t>* extents = known_values(ctx, 1);
  dims out = x.shape;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (extents && (*extents)[i] < 0) return ctx.error("input 1 (shape) has ", (*extents)[i], ", expected 0 or more");
    out[size_t(axes[i])] = extents ? dim{(*extents)[i], {}} : dim{};
  }
  ctx.output(0) = tensor_type{x.dtype, std::move(out), true, std::nullopt};
  return {};
}

}  // namespace

void add_col2im_center_crop_schemas(schema_table& table) {
  table.add(make_schema("Col2Im", 3, 3, 1, 1,
                        {{"dilations", MIRT_ATTRIBUTE_TYPE_INTS}, {"pads", MIRT_ATTRIBUTE_TYPE_INTS}, {"strides", MIRT_ATTRIBUTE_TYPE_INTS}},
                        infer_col2im));
  table.add(make_schema("CenterCropPad", 2, 2, 1, 1, {{"axes", MIRT_ATTRIBUTE_TYPE_INTS}}, infer_center_crop_pad));
}

}  // namespace mirt
