// core/graph/schemas/resize.cpp — schema of Resize (opset 19 form; the parser rewrites Upsample
// and Resize-10 into it). The output shape is known when `sizes` (int64) or `scales` (float) is a
// constant; otherwise only its rank is.
#include <cmath>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (v == a) return true;
  return false;
}

status check_string(const infer_context& ctx, const char* name, const char* fallback,
                    std::initializer_list<const char*> allowed) {
  const std::string v = ctx.attrs().get_string(name, fallback);
  if (one_of(v, allowed)) return {};
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' is '", v, "', expected one of ", list);
}

// Whether optional input i is given with at least one element (an empty scales/roi means absent).
bool given(const infer_context& ctx, size_t i) {
  if (!ctx.has_input(i)) return false;
  const tensor_type& t = ctx.input(i);
  return !(t.rank() == 1 && t.shape[0].known() && t.shape[0].value == 0);
}

status infer_resize(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  MIRT_RETURN_IF_ERROR(check_string(ctx, "mode", "nearest", {"nearest", "linear", "cubic"}));
  MIRT_RETURN_IF_ERROR(check_string(ctx, "coordinate_transformation_mode", "half_pixel",
                                    {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                                     "asymmetric", "tf_crop_and_resize", "tf_half_pixel_for_nn"}));
  MIRT_RETURN_IF_ERROR(
      check_string(ctx, "nearest_mode", "round_prefer_floor", {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}));
  MIRT_RETURN_IF_ERROR(check_string(ctx, "keep_aspect_ratio_policy", "stretch", {"stretch", "not_larger", "not_smaller"}));
  const bool has_scales = given(ctx, 2), has_sizes = given(ctx, 3);
  if (has_scales == has_sizes)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, has_scales ? "both scales and sizes are given" : "neither scales nor sizes is given",
                          "; exactly one must be");
  std::vector<int64_t> axes(x.rank());
  for (size_t d = 0; d < axes.size(); ++d) axes[d] = static_cast<int64_t>(d);
  if (ctx.attrs().find("axes")) {
    MIRT_ASSIGN_OR_RETURN(axes, normalize_axes(ctx, ctx.attrs().get_ints("axes"), x.rank(), "attribute 'axes'"));
  }
  const size_t i = has_scales ? 2 : 3;
  if (has_sizes) MIRT_RETURN_IF_ERROR(require_index_input(ctx, 3, "sizes"));
  if (has_scales && !is_float_dtype(ctx.input(2).dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 2 (scales) is ", mirt_dtype_name(ctx.input(2).dtype),
                          ", expected a float type");
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, i, has_scales ? "scales" : "sizes"));
  const int64_t n = vector_length(ctx.input(i));
  if (n >= 0 && n != static_cast<int64_t>(axes.size()))
    return ctx.error("input ", i, " (", has_scales ? "scales" : "sizes", ") has ", n, " entries, expected ", axes.size(),
                     " (one per resized axis)");

  dims out = x.shape;
  for (int64_t a : axes) out[a] = dim{};
  const std::vector<int64_t>* sizes = has_sizes ? known_values(ctx, 3) : nullptr;
  const std::optional<std::vector<double>>& scales = ctx.input(2).float_values;
  if (sizes && sizes->size() == axes.size()) {
    const std::string policy = ctx.attrs().get_string("keep_aspect_ratio_policy", "stretch");
    if (policy == "stretch") {
      for (size_t k = 0; k < axes.size(); ++k) out[axes[k]] = extent((*sizes)[k]);
    } else {
      // One scale for every resized axis: the smallest (not_larger) or largest ratio.
      bool known = true;
      double scale = policy == "not_larger" ? INFINITY : 0;
      for (size_t k = 0; k < axes.size(); ++k) {
        const dim& in = x.shape[axes[k]];
        if (!in.known() || in.value == 0) { known = false; break; }
        const double r = double((*sizes)[k]) / double(in.value);
        scale = policy == "not_larger" ? std::min(scale, r) : std::max(scale, r);
      }
      if (known)
        for (int64_t a : axes) out[a] = extent(static_cast<int64_t>(scale * double(x.shape[a].value) + 0.5));
    }
  } else if (has_scales && scales && scales->size() == axes.size()) {
    for (size_t k = 0; k < axes.size(); ++k) {
      if ((*scales)[k] <= 0)
        return ctx.error("input 2 (scales) holds ", (*scales)[k], " for axis ", axes[k], ", expected a positive scale");
      const dim& in = x.shape[axes[k]];
      if ((*scales)[k] == 1) out[axes[k]] = in;  // keeps a symbolic dim (batch) as it is
      else if (in.known()) out[axes[k]] = extent(static_cast<int64_t>(std::floor(double(in.value) * (*scales)[k])));
    }
  }
  ctx.output(0) = tensor_type{x.dtype, std::move(out), true, std::nullopt};
  return {};
}

}  // namespace

void add_resize_schemas(schema_table& table) {
  table.add(make_schema("Resize", 1, 4, 1, 1,
                        {{"antialias", MIRT_ATTRIBUTE_TYPE_INT},
                         {"axes", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"coordinate_transformation_mode", MIRT_ATTRIBUTE_TYPE_STRING},
                         {"cubic_coeff_a", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"exclude_outside", MIRT_ATTRIBUTE_TYPE_INT},
                         {"extrapolation_value", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"keep_aspect_ratio_policy", MIRT_ATTRIBUTE_TYPE_STRING},
                         {"mode", MIRT_ATTRIBUTE_TYPE_STRING},
                         {"nearest_mode", MIRT_ATTRIBUTE_TYPE_STRING}},
                        infer_resize));
}

}  // namespace mirt
