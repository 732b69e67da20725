// core/graph/schemas/pool.cpp — schemas of MaxPool, AveragePool, LpPool, the global pools and
// MaxUnpool.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

status infer_pool(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 3)
    return ctx.error("input 0 has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  const size_t spatial = x.rank() - 2;
  MIRT_ASSIGN_OR_RETURN(window win, read_window(ctx, spatial, std::nullopt));
  const bool ceil_mode = ctx.attrs().get_int("ceil_mode", 0) != 0;
  dims shape{x.shape[0], x.shape[1]};
  for (size_t i = 0; i < spatial; ++i) {
    MIRT_ASSIGN_OR_RETURN(dim d, window_output(ctx, x.shape[i + 2], win, i, ceil_mode));
    shape.push_back(d);
  }
  ctx.output(0) = tensor_type{x.dtype, shape, true, std::nullopt};
  if (ctx.num_outputs() > 1) ctx.output(1) = tensor_type{MIRT_DTYPE_INT64, shape, true, std::nullopt};
  return {};
}

status infer_global_pool(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 3)
    return ctx.error("input 0 has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  dims shape{x.shape[0], x.shape[1]};
  shape.resize(x.rank(), dim{1, {}});
  ctx.output(0) = tensor_type{x.dtype, std::move(shape), true, std::nullopt};
  return {};
}

// MaxUnpool: the output_shape input when given, else (in - 1) * stride + kernel - pads per spatial dim.
status infer_max_unpool(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 3)
    return ctx.error("input 0 has rank ", x.rank(), ", expected at least 3 (N x C x spatial dims)");
  if (ctx.input(1).dtype != MIRT_DTYPE_INT64)
    return ctx.error("input 1 (indices) is ", mirt_dtype_name(ctx.input(1).dtype), ", expected int64");
  const size_t spatial = x.rank() - 2;
  MIRT_ASSIGN_OR_RETURN(window win, read_window(ctx, spatial, std::nullopt));
  dims shape(x.rank());
  if (ctx.has_input(2)) {
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, 2, "output_shape"));
    MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 2, "output_shape"));
    if (const std::vector<int64_t>* v = known_values(ctx, 2)) {
      if (v->size() != x.rank())
        return ctx.error("input 2 (output_shape) has ", v->size(), " entries, expected ", x.rank(), " (input 0's rank)");
      for (size_t i = 0; i < v->size(); ++i) {
        if ((*v)[i] < 0) return ctx.error("input 2 (output_shape) entry ", i, " is ", (*v)[i]);
        shape[i] = dim{(*v)[i], {}};
      }
    }
  } else {
    shape[0] = x.shape[0];
    shape[1] = x.shape[1];
    for (size_t i = 0; i < spatial; ++i) {
      const dim& in = x.shape[i + 2];
      const int64_t stride = i < win.strides.size() ? win.strides[i] : 1;
      const int64_t pads = (i < win.pads.size() ? win.pads[i] : 0) + (spatial + i < win.pads.size() ? win.pads[spatial + i] : 0);
      if (!in.known()) continue;
      const int64_t out = (in.value - 1) * stride + win.kernel[i] - pads;
      if (out < 0) return ctx.error("spatial dim ", i, " gives output extent ", out);
      shape[i + 2] = dim{out, {}};
    }
  }
  ctx.output(0) = tensor_type{x.dtype, shape, true, std::nullopt};
  return {};
}

std::vector<attribute_spec> window_attributes() {
  return {{"auto_pad", MIRT_ATTRIBUTE_TYPE_STRING},
          {"ceil_mode", MIRT_ATTRIBUTE_TYPE_INT},
          {"dilations", MIRT_ATTRIBUTE_TYPE_INTS},
          {"kernel_shape", MIRT_ATTRIBUTE_TYPE_INTS, true},
          {"pads", MIRT_ATTRIBUTE_TYPE_INTS},
          {"strides", MIRT_ATTRIBUTE_TYPE_INTS}};
}

}  // namespace

void add_pool_schemas(schema_table& table) {
  std::vector<attribute_spec> max_attrs = window_attributes();
  max_attrs.push_back({"storage_order", MIRT_ATTRIBUTE_TYPE_INT});
  // Output 1, when asked for, holds the flat int64 indices of the maxima.
  // mirt::MaxPool: MaxPool without Indices whose X and Y hold channels-last data when "layout" is
  // "NHWC" (the logical shapes stay NCHW); made by the builder's layout pass.
  std::vector<attribute_spec> layout_attrs = max_attrs;
  layout_attrs.push_back({"layout", MIRT_ATTRIBUTE_TYPE_STRING});
  op_schema layout_max = make_schema("MaxPool", 1, 1, 1, 1, std::move(layout_attrs), infer_pool);
  layout_max.domain = "mirt";
  table.add(std::move(layout_max));
  table.add(make_schema("MaxPool", 1, 1, 1, 2, std::move(max_attrs), infer_pool));
  std::vector<attribute_spec> average_attrs = window_attributes();
  average_attrs.push_back({"count_include_pad", MIRT_ATTRIBUTE_TYPE_INT});
  table.add(make_schema("AveragePool", 1, 1, 1, 1, std::move(average_attrs), infer_pool));
  std::vector<attribute_spec> lp_attrs = window_attributes();
  lp_attrs.push_back({"p", MIRT_ATTRIBUTE_TYPE_INT});
  table.add(make_schema("LpPool", 1, 1, 1, 1, std::move(lp_attrs), infer_pool));
  table.add(make_schema("GlobalAveragePool", 1, 1, 1, 1, {}, infer_global_pool));
  table.add(make_schema("GlobalMaxPool", 1, 1, 1, 1, {}, infer_global_pool));
  table.add(make_schema("MaxUnpool", 2, 3, 1, 1,
                        {{"kernel_shape", MIRT_ATTRIBUTE_TYPE_INTS, true},
                         {"pads", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"strides", MIRT_ATTRIBUTE_TYPE_INTS}},
                        infer_max_unpool));
}

}  // namespace mirt
