// core/graph/schemas/data_dependent.cpp — ops whose output shapes depend on the values of their
// inputs: NonZero, NonMaxSuppression, Unique, Compress, ImageDecoder. Inference leaves those dims unknown (-1)
// unless the values are known at build time; at run time the kernel computes them and sizes its
// outputs through mirt_kernel_io.allocate_output (see core/runtime/dynamic_run.cpp).
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// NonZero: int64 [rank(X), number of non-zero elements]; computed when X's values are known.
status infer_non_zero(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  tensor_type out{MIRT_DTYPE_INT64, dims{extent(int64_t(x.rank())), dim{}}, true, std::nullopt};
  if (const std::vector<int64_t>* v = known_values(ctx, 0)) {
    // Row-major positions of the non-zero elements, one row per dim of X.
    std::vector<int64_t> flat;
    for (size_t i = 0; i < v->size(); ++i)
      if ((*v)[i] != 0) flat.push_back(int64_t(i));
    const int64_t count = int64_t(flat.size());
    out.shape[1] = extent(count);
    std::vector<int64_t> values(size_t(count) * x.rank());
    for (int64_t k = 0; k < count; ++k) {
      int64_t rest = flat[size_t(k)];
      for (size_t d = x.rank(); d-- > 0;) {
        values[d * size_t(count) + size_t(k)] = rest % x.shape[d].value;
        rest /= x.shape[d].value;
      }
    }
    set_values(out, std::move(values));
  }
  ctx.output(0) = std::move(out);
  return {};
}

// NonMaxSuppression: boxes [B, N, 4], scores [B, C, N]; selected_indices int64 [?, 3].
status infer_non_max_suppression(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(ctx.require_rank(0, 3));
  MIRT_RETURN_IF_ERROR(ctx.require_rank(1, 3));
  const tensor_type &boxes = ctx.input(0), &scores = ctx.input(1);
  if (!is_float_dtype(boxes.dtype)) return ctx.error("input 0 (boxes) is ", mirt_dtype_name(boxes.dtype), ", expected a float type");
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  const dim &b = boxes.shape[0], &n = boxes.shape[1], &four = boxes.shape[2];
  if (four.known() && four.value != 4)
    return ctx.error("input 0 (boxes) has shape ", to_string(boxes.shape), ", expected [batches, boxes, 4]");
  auto clash = [](const dim& x, const dim& y) { return x.known() && y.known() && x.value != y.value; };
  if (clash(b, scores.shape[0]) || clash(n, scores.shape[2]))
    return ctx.error("input 1 (scores) has shape ", to_string(scores.shape), ", expected [", b.known() ? std::to_string(b.value) : "?",
                     ", classes, ", n.known() ? std::to_string(n.value) : "?", "] for boxes ", to_string(boxes.shape));
  if (ctx.has_input(2)) MIRT_RETURN_IF_ERROR(require_index_input(ctx, 2, "max_output_boxes_per_class"));
  for (size_t i : {size_t(2), size_t(3), size_t(4)})
    if (ctx.has_input(i) && vector_length(ctx.input(i)) > 1)
      return ctx.error("input ", i, " has shape ", to_string(ctx.input(i).shape), ", expected a scalar or [1]");
  const int64_t center = ctx.attrs().get_int("center_point_box", 0);
  if (center != 0 && center != 1) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'center_point_box' is ", center, ", expected 0 or 1");
  ctx.output(0) = tensor_type{MIRT_DTYPE_INT64, dims{dim{}, extent(3)}, true, std::nullopt};
  return {};
}

// Unique: Y (X's dtype; [?] flattened, or X's shape with the axis dim unknown), indices [?],
// inverse_indices [elements, or X's extent along the axis], counts [?].
status infer_unique(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  const int64_t sorted = ctx.attrs().get_int("sorted", 1);
  if (sorted != 0 && sorted != 1) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'sorted' is ", sorted, ", expected 0 or 1");
  tensor_type y{x.dtype, dims{dim{}}, true, std::nullopt};
  dim along = product_dim(x.shape, 0, x.rank());
  if (ctx.attrs().find("axis")) {
    if (x.rank() == 0) return ctx.error("input 0 is a scalar; an axis needs rank 1 or more");
    MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 0), x.rank()));
    y.shape = x.shape;
    y.shape[size_t(axis)] = dim{};
    along = x.shape[size_t(axis)];
  }
  const tensor_type index{MIRT_DTYPE_INT64, dims{dim{}}, true, std::nullopt};
  ctx.output(0) = std::move(y);
  if (ctx.num_outputs() > 1) ctx.output(1) = index;
  if (ctx.num_outputs() > 2) ctx.output(2) = tensor_type{MIRT_DTYPE_INT64, dims{along}, true, std::nullopt};
  if (ctx.num_outputs() > 3) ctx.output(3) = index;
  return {};
}

// Compress: the slices of input along axis (or of the flattened input) where condition is true.
status infer_compress(infer_context& ctx) {
  const tensor_type &x = ctx.input(0), &condition = ctx.input(1);
  if (condition.dtype != MIRT_DTYPE_BOOL)
    return ctx.error("input 1 (condition) is ", mirt_dtype_name(condition.dtype), ", expected bool");
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "condition"));
  dims out{dim{}};
  size_t slot = 0;
  int64_t length = element_count(x.shape);  // of the dim (or flattened input) condition selects from
  if (ctx.attrs().find("axis")) {
    if (x.rank() == 0) return ctx.error("input 0 is a scalar; an axis needs rank 1 or more");
    MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, ctx.attrs().get_int("axis", 0), x.rank()));
    slot = size_t(axis);
    out = x.shape;
    out[slot] = dim{};
    length = x.shape[slot].value;
  }
  // With the condition known at build time the count is known too (entries past the length drop).
  if (const std::vector<int64_t>* v = known_values(ctx, 1); v && length >= 0) {
    int64_t count = 0;
    for (size_t i = 0; i < v->size() && int64_t(i) < length; ++i) count += (*v)[i] != 0;
    out[slot] = extent(count);
  }
  ctx.output(0) = tensor_type{x.dtype, std::move(out), true, std::nullopt};
  return {};
}

// ImageDecoder: encoded bytes (uint8 [n]) to uint8 [height, width, channels]; only the channel
// count (3, or 1 for Grayscale) is known before decoding.
status infer_image_decoder(infer_context& ctx) {
  const tensor_type& encoded = ctx.input(0);
  if (encoded.dtype != MIRT_DTYPE_UINT8)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (encoded_stream) is ", mirt_dtype_name(encoded.dtype), ", expected uint8");
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 0, "encoded_stream"));
  const std::string format = ctx.attrs().get_string("pixel_format", "RGB");
  if (format != "RGB" && format != "BGR" && format != "Grayscale")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'pixel_format' is '", format, "', expected RGB, BGR or Grayscale");
  ctx.output(0) = tensor_type{MIRT_DTYPE_UINT8, dims{dim{}, dim{}, extent(format == "Grayscale" ? 1 : 3)}, true, std::nullopt};
  return {};
}

}  // namespace

void add_data_dependent_schemas(schema_table& table) {
  table.add(make_schema("NonZero", 1, 1, 1, 1, {}, infer_non_zero));
  table.add(make_schema("NonMaxSuppression", 2, 5, 1, 1, {{"center_point_box", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_non_max_suppression));
  table.add(make_schema("Unique", 1, 1, 1, 4, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}, {"sorted", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_unique));
  table.add(make_schema("ImageDecoder", 1, 1, 1, 1, {{"pixel_format", MIRT_ATTRIBUTE_TYPE_STRING}}, infer_image_decoder));
  table.add(make_schema("Compress", 2, 2, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_compress));
}

}  // namespace mirt
