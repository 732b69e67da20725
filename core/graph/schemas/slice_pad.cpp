// core/graph/schemas/slice_pad.cpp — schemas of Slice (starts/ends/axes/steps inputs) and Pad (pads,
// constant_value and axes inputs). Dims they do not touch keep their symbols.
#include <algorithm>
#include <limits>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// The axes input (index i) normalized, 0..count-1 when omitted, or nullopt when present but unknown.
result<std::optional<std::vector<int64_t>>> read_axes(const infer_context& ctx, size_t i, size_t count, size_t rank) {
  if (!ctx.has_input(i)) {
    std::vector<int64_t> axes(count);
    for (size_t a = 0; a < count; ++a) axes[a] = static_cast<int64_t>(a);
    if (count > rank)
      return ctx.error("the inputs name ", count, " axes, but input 0 has rank ", rank);
    return std::optional<std::vector<int64_t>>(std::move(axes));
  }
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, i, "axes"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, i, "axes"));
  const std::vector<int64_t>* axes = known_values(ctx, i);
  if (!axes) return std::optional<std::vector<int64_t>>();
  if (axes->size() != count)
    return ctx.error("input ", i, " (axes) has ", axes->size(), " entries, expected ", count);
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> normalized, normalize_axes(ctx, *axes, rank, cat("input ", i, " (axes)")));
  return std::optional<std::vector<int64_t>>(std::move(normalized));
}

// Number of elements Slice takes from an axis of extent n.
int64_t slice_count(int64_t n, int64_t start, int64_t end, int64_t step) {
  if (n == 0) return 0;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    return end > start ? (end - start + step - 1) / step : 0;
  }
  start = std::clamp<int64_t>(start, 0, n - 1);
  end = std::clamp<int64_t>(end, -1, n - 1);
  return start > end ? (start - end - step - 1) / -step : 0;
}

status infer_slice(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  const char* names[] = {"data", "starts", "ends", "axes", "steps"};
  int64_t count = -1;
  for (size_t i = 1; i < 5; ++i) {
    if (!ctx.has_input(i)) continue;
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, i, names[i]));
    MIRT_RETURN_IF_ERROR(require_vector_input(ctx, i, names[i]));
    int64_t length = vector_length(ctx.input(i));
    if (length >= 0 && count >= 0 && length != count)
      return ctx.error("input ", i, " (", names[i], ") has ", length, " entries, expected ", count,
                       " (as input 1, starts)");
    if (length >= 0) count = length;
  }
  if (count < 0 && known_values(ctx, 3)) count = static_cast<int64_t>(known_values(ctx, 3)->size());
  dims shape = data.shape;
  if (count < 0) {
    // Neither the count nor the axes are known: any dim may change.
    std::fill(shape.begin(), shape.end(), dim{});
    ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
    return {};
  }
  MIRT_ASSIGN_OR_RETURN(auto axes, read_axes(ctx, 3, count < 0 ? 0 : static_cast<size_t>(count), data.rank()));
  const std::vector<int64_t>* starts = known_values(ctx, 1);
  const std::vector<int64_t>* ends = known_values(ctx, 2);
  const std::vector<int64_t>* steps = known_values(ctx, 4);
  if (!axes) {
    std::fill(shape.begin(), shape.end(), dim{});
  } else {
    for (size_t k = 0; k < axes->size(); ++k) {
      const int64_t axis = (*axes)[k];
      const int64_t step = ctx.has_input(4) ? (steps ? (*steps)[k] : 0) : 1;
      if (ctx.has_input(4) && steps && step == 0) return ctx.error("input 4 (steps) has a 0 step for axis ", axis);
      const dim& in = data.shape[axis];
      if (!starts || !ends || step == 0) {
        shape[axis] = dim{};
      } else if (in.known()) {
        shape[axis] = dim{slice_count(in.value, (*starts)[k], (*ends)[k], step), {}};
      } else if ((*starts)[k] == 0 && step == 1 && (*ends)[k] >= std::numeric_limits<int32_t>::max()) {
        shape[axis] = in;  // the whole axis: x[0:INT_MAX]
      } else {
        shape[axis] = dim{};
      }
    }
  }
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  // Known 1-D values (shape arithmetic) are sliced too.
  const std::vector<int64_t>* values = known_values(ctx, 0);
  if (values && data.rank() == 1 && axes && axes->size() == 1 && starts && ends &&
      (!ctx.has_input(4) || steps)) {
    const int64_t n = static_cast<int64_t>(values->size());
    const int64_t step = ctx.has_input(4) ? (*steps)[0] : 1;
    int64_t start = (*starts)[0] < 0 ? (*starts)[0] + n : (*starts)[0];
    start = step > 0 ? std::clamp<int64_t>(start, 0, n) : std::clamp<int64_t>(start, 0, n - 1);
    const int64_t taken = slice_count(n, (*starts)[0], (*ends)[0], step);
    std::vector<int64_t> out;
    for (int64_t i = 0; i < taken; ++i) out.push_back((*values)[start + i * step]);
    set_values(ctx.output(0), std::move(out));
  }
  return {};
}

status infer_pad(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  const std::string mode = ctx.attrs().get_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode,
                          "', expected constant, reflect, edge or wrap");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "pads"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "pads"));
  if (ctx.has_input(2)) {
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
    if (element_count(ctx.input(2).shape) > 1)
      return ctx.error("input 2 (constant_value) has shape ", to_string(ctx.input(2).shape), ", expected a scalar");
  }
  const int64_t length = vector_length(ctx.input(1));
  if (length >= 0 && length % 2 != 0)
    return ctx.error("input 1 (pads) has ", length, " entries, expected an even count (begins then ends)");
  size_t axis_count = data.rank();
  if (ctx.has_input(3)) {
    int64_t n = vector_length(ctx.input(3));
    axis_count = n >= 0 ? static_cast<size_t>(n) : (length >= 0 ? static_cast<size_t>(length / 2) : 0);
  }
  if (length >= 0 && static_cast<size_t>(length) != 2 * axis_count)
    return ctx.error("input 1 (pads) has ", length, " entries, expected ", 2 * axis_count, " (2 per padded axis)");
  MIRT_ASSIGN_OR_RETURN(auto axes, read_axes(ctx, 3, axis_count, data.rank()));
  const std::vector<int64_t>* pads = known_values(ctx, 1);
  dims shape = data.shape;
  if (!axes) {
    std::fill(shape.begin(), shape.end(), dim{});
  } else {
    for (size_t k = 0; k < axes->size(); ++k) {
      const int64_t axis = (*axes)[k];
      if (!pads) {
        shape[axis] = dim{};
        continue;
      }
      const int64_t added = (*pads)[k] + (*pads)[k + axes->size()];
      if (added == 0) continue;
      if (!shape[axis].known()) {
        shape[axis] = dim{};
        continue;
      }
      const int64_t out = shape[axis].value + added;
      if (out < 0)
        return ctx.error("input 1 (pads) removes ", -added, " elements from axis ", axis, ", which has ",
                         shape[axis].value);
      shape[axis] = dim{out, {}};
    }
  }
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  return {};
}

}  // namespace

void add_slice_pad_schemas(schema_table& table) {
  table.add(make_schema("Slice", 3, 5, 1, 1, {}, infer_slice));
  table.add(make_schema("Pad", 2, 4, 1, 1, {{"mode", MIRT_ATTRIBUTE_TYPE_STRING}}, infer_pad));
}

}  // namespace mirt
