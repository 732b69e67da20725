// core/graph/schemas/reshape.cpp — schemas of the layout ops: Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Expand and Tile. Shape-giving inputs are used by value when known (see tensor_type::values).
#include <algorithm>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// The data keeps its order, so known values carry over unchanged.
void keep_values(const infer_context& ctx, tensor_type& out) {
  if (const std::vector<int64_t>* v = known_values(ctx, 0)) set_values(out, *v);
}

// Solves Reshape's -1 as input count / known output product. When dims are unknown, matching
// symbols on both sides cancel ("batch x 12" to "batch x -1" gives 12).
result<dim> solve_wildcard(const infer_context& ctx, const dims& in, const dims& out, size_t wildcard) {
  int64_t in_known = 1, out_known = 1;
  std::vector<std::string> in_symbols, out_symbols;
  bool anonymous = false;
  for (const dim& d : in) {
    if (d.known()) in_known *= d.value;
    else if (d.symbol.empty()) anonymous = true;
    else in_symbols.push_back(d.symbol);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (i == wildcard) continue;
    if (out[i].known()) out_known *= out[i].value;
    else if (out[i].symbol.empty()) anonymous = true;
    else out_symbols.push_back(out[i].symbol);
  }
  std::sort(in_symbols.begin(), in_symbols.end());
  std::sort(out_symbols.begin(), out_symbols.end());
  if (anonymous || in_symbols != out_symbols) return dim{};
  if (out_known == 0)
    return ctx.error("input 1 (shape) has -1 at index ", wildcard, " and a 0 extent elsewhere; -1 cannot be solved");
  if (in_known % out_known != 0)
    return ctx.error("cannot reshape ", to_string(in), " (", in_known, " elements) into ", to_string(out),
                     ": the known extents (", out_known, ") do not divide it");
  return dim{in_known / out_known, {}};
}

status infer_reshape(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "shape"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "shape"));
  const tensor_type& data = ctx.input(0);
  const std::vector<int64_t>* target = known_values(ctx, 1);
  if (!target) {
    int64_t rank = vector_length(ctx.input(1));
    if (rank < 0)
      return ctx.error_code(MIRT_STATUS_UNSUPPORTED,
                            "input 1 (shape) must be a constant or computed from shapes: its length is unknown");
    ctx.output(0) = tensor_type{data.dtype, dims(static_cast<size_t>(rank)), true, std::nullopt};
    return {};
  }
  const bool allow_zero = ctx.attrs().get_int("allowzero", 0) != 0;
  dims shape;
  std::optional<size_t> wildcard;
  for (size_t i = 0; i < target->size(); ++i) {
    int64_t v = (*target)[i];
    if (v == 0 && !allow_zero) {
      if (i >= data.rank())
        return ctx.error("input 1 (shape) has 0 at index ", i, " (copy the input dim), but input 0 has rank ",
                         data.rank());
      shape.push_back(data.shape[i]);
    } else if (v == -1) {
      if (wildcard) return ctx.error("input 1 (shape) ", to_string(*target), " has more than one -1");
      wildcard = i;
      shape.push_back(dim{});
    } else if (v < -1) {
      return ctx.error("input 1 (shape) has ", v, " at index ", i, ", expected -1 or more");
    } else {
      shape.push_back(dim{v, {}});
    }
  }
  if (wildcard && allow_zero && std::count(target->begin(), target->end(), 0) > 0)
    return ctx.error("input 1 (shape) has both -1 and 0 with allowzero set");
  if (wildcard) {
    MIRT_ASSIGN_OR_RETURN(shape[*wildcard], solve_wildcard(ctx, data.shape, shape, *wildcard));
  }
  int64_t in_count = element_count(data.shape), out_count = element_count(shape);
  if (in_count >= 0 && out_count >= 0 && in_count != out_count)
    return ctx.error("cannot reshape ", to_string(data.shape), " (", in_count, " elements) into ", to_string(shape),
                     " (", out_count, " elements)");
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  keep_values(ctx, ctx.output(0));
  return {};
}

status infer_flatten(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  const int64_t rank = static_cast<int64_t>(data.rank());
  int64_t axis = ctx.attrs().get_int("axis", 1);
  if (axis < -rank || axis > rank)
    return ctx.error("attribute 'axis' is ", axis, ", expected ", -rank, " to ", rank, " for input 0 of rank ", rank);
  if (axis < 0) axis += rank;
  const size_t split = static_cast<size_t>(axis);
  dims shape{split == 0 ? dim{1, {}} : product_dim(data.shape, 0, split),
             split == data.rank() ? dim{1, {}} : product_dim(data.shape, split, data.rank())};
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  keep_values(ctx, ctx.output(0));
  return {};
}

status infer_squeeze(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  std::vector<bool> remove(data.rank(), false);
  if (ctx.has_input(1)) {
    MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "axes"));
    MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "axes", true));
    const std::vector<int64_t>* axes = known_values(ctx, 1);
    if (!axes) {
      int64_t count = vector_length(ctx.input(1));
      if (count < 0)
        return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "input 1 (axes) must be a constant: its length is unknown");
      if (count > static_cast<int64_t>(data.rank()))
        return ctx.error("input 1 (axes) has ", count, " entries, more than the rank of input 0 (", data.rank(), ")");
      ctx.output(0) = tensor_type{data.dtype, dims(data.rank() - static_cast<size_t>(count)), true, std::nullopt};
      return {};
    }
    MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> normalized, normalize_axes(ctx, *axes, data.rank(), "input 1 (axes)"));
    for (int64_t a : normalized) {
      const dim& d = data.shape[a];
      if (d.known() && d.value != 1)
        return ctx.error("input 1 (axes) names axis ", a, ", but input 0 (", to_string(data.shape), ") has ",
                         d.value, " there, expected 1");
      remove[a] = true;
    }
  } else {
    for (size_t i = 0; i < data.rank(); ++i) {
      if (!data.shape[i].known())
        return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "dim ", i, " of input 0 (", to_string(data.shape),
                              ") is unknown, so the dims to remove are unknown; give input 1 (axes) as a constant");
      remove[i] = data.shape[i].value == 1;
    }
  }
  dims shape;
  for (size_t i = 0; i < data.rank(); ++i)
    if (!remove[i]) shape.push_back(data.shape[i]);
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  keep_values(ctx, ctx.output(0));
  return {};
}

status infer_unsqueeze(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "axes"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "axes", true));
  const std::vector<int64_t>* axes = known_values(ctx, 1);
  if (!axes) {
    int64_t count = vector_length(ctx.input(1));
    if (count < 0)
      return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "input 1 (axes) must be a constant: its length is unknown");
    ctx.output(0) = tensor_type{data.dtype, dims(data.rank() + static_cast<size_t>(count)), true, std::nullopt};
    return {};
  }
  const size_t rank = data.rank() + axes->size();
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> normalized, normalize_axes(ctx, *axes, rank, "input 1 (axes)"));
  std::vector<bool> inserted(rank, false);
  for (int64_t a : normalized) inserted[a] = true;
  dims shape;
  size_t next = 0;
  for (size_t i = 0; i < rank; ++i) shape.push_back(inserted[i] ? dim{1, {}} : data.shape[next++]);
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  keep_values(ctx, ctx.output(0));
  return {};
}

status infer_transpose(infer_context& ctx) {
  const tensor_type& data = ctx.input(0);
  std::vector<int64_t> perm = ctx.attrs().get_ints("perm");
  if (!ctx.attrs().find("perm"))
    for (size_t i = data.rank(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  if (perm.size() != data.rank())
    return ctx.error("attribute 'perm' ", to_string(perm), " has ", perm.size(), " entries, expected ", data.rank(),
                     " (the rank of input 0)");
  std::vector<bool> seen(data.rank(), false);
  dims shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(data.rank()) || seen[p])
      return ctx.error("attribute 'perm' ", to_string(perm), " is not a permutation of 0..", data.rank() - 1);
    seen[p] = true;
    shape.push_back(data.shape[p]);
  }
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  if (data.rank() <= 1) keep_values(ctx, ctx.output(0));
  return {};
}

status infer_expand(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "shape"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "shape"));
  const tensor_type& data = ctx.input(0);
  const std::vector<int64_t>* target = known_values(ctx, 1);
  dims shape;
  if (target) {
    for (int64_t v : *target)
      if (v < 0) return ctx.error("input 1 (shape) ", to_string(*target), " has a negative extent");
    MIRT_ASSIGN_OR_RETURN(shape, broadcast_shapes(ctx, data.shape, make_dims(*target)));
  } else {
    int64_t length = vector_length(ctx.input(1));
    if (length < 0)
      return ctx.error_code(MIRT_STATUS_UNSUPPORTED,
                            "input 1 (shape) must be a constant or computed from shapes: its length is unknown");
    // Where the input dim is known and not 1, the output keeps it; elsewhere it is unknown.
    const size_t rank = std::max(data.rank(), static_cast<size_t>(length));
    shape.assign(rank, dim{});
    for (size_t i = 0; i < data.rank(); ++i) {
      const dim& d = data.shape[i];
      if (d.known() && d.value != 1) shape[rank - data.rank() + i] = d;
    }
  }
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  if (const std::vector<int64_t>* v = known_values(ctx, 0))
    if (auto expanded = broadcast_values(data.shape, *v, ctx.output(0).shape)) set_values(ctx.output(0), *expanded);
  return {};
}

status infer_tile(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "repeats"));
  MIRT_RETURN_IF_ERROR(require_vector_input(ctx, 1, "repeats"));
  const tensor_type& data = ctx.input(0);
  int64_t length = vector_length(ctx.input(1));
  if (length >= 0 && length != static_cast<int64_t>(data.rank()))
    return ctx.error("input 1 (repeats) has ", length, " entries, expected ", data.rank(), " (the rank of input 0)");
  const std::vector<int64_t>* repeats = known_values(ctx, 1);
  dims shape(data.rank());
  if (repeats) {
    for (size_t i = 0; i < data.rank(); ++i) {
      int64_t r = (*repeats)[i];
      if (r < 0) return ctx.error("input 1 (repeats) ", to_string(*repeats), " has a negative entry");
      const dim& d = data.shape[i];
      shape[i] = r == 1 ? d : d.known() ? dim{d.value * r, {}} : r == 0 ? dim{0, {}} : dim{};
    }
  }
  ctx.output(0) = tensor_type{data.dtype, std::move(shape), true, std::nullopt};
  return {};
}

// DepthToSpace (N, C, H, W) -> (N, C/b^2, H*b, W*b); SpaceToDepth the reverse.
status infer_depth_space(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() != 4) return ctx.error("input 0 has rank ", x.rank(), ", expected 4 (N x C x H x W)");
  const int64_t b = ctx.attrs().get_int("blocksize", 0);
  if (b <= 0) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'blocksize' is ", b, ", expected positive");
  const bool to_space = ctx.layer().op_type == "DepthToSpace";
  if (to_space) {
    const std::string mode = ctx.attrs().get_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD")
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected DCR or CRD");
  }
  auto scaled = [](const dim& d, int64_t num, int64_t den) { return d.known() ? extent(d.value * num / den) : dim{}; };
  const dim& c = x.shape[1];
  if (to_space && c.known() && c.value % (b * b) != 0)
    return ctx.error("input 0 has ", c.value, " channels, not a multiple of blocksize^2 = ", b * b);
  for (size_t d : {2, 3})
    if (!to_space && x.shape[d].known() && x.shape[d].value % b != 0)
      return ctx.error("input 0 has extent ", x.shape[d].value, " in dim ", d, ", not a multiple of blocksize ", b);
  ctx.output(0) = tensor_type{x.dtype,
                              to_space ? dims{x.shape[0], scaled(c, 1, b * b), scaled(x.shape[2], b, 1), scaled(x.shape[3], b, 1)}
                                       : dims{x.shape[0], scaled(c, b * b, 1), scaled(x.shape[2], 1, b), scaled(x.shape[3], 1, b)},
                              true, std::nullopt};
  return {};
}

}  // namespace

void add_reshape_schemas(schema_table& table) {
  table.add(make_schema("DepthToSpace", 1, 1, 1, 1,
                        {{"blocksize", MIRT_ATTRIBUTE_TYPE_INT, true}, {"mode", MIRT_ATTRIBUTE_TYPE_STRING}}, infer_depth_space));
  table.add(make_schema("SpaceToDepth", 1, 1, 1, 1, {{"blocksize", MIRT_ATTRIBUTE_TYPE_INT, true}}, infer_depth_space));
  table.add(make_schema("Reshape", 2, 2, 1, 1, {{"allowzero", MIRT_ATTRIBUTE_TYPE_INT}}, infer_reshape, true));
  table.add(make_schema("Flatten", 1, 1, 1, 1, {{"axis", MIRT_ATTRIBUTE_TYPE_INT}}, infer_flatten, true));
  table.add(make_schema("Squeeze", 1, 2, 1, 1, {}, infer_squeeze, true));
  table.add(make_schema("Unsqueeze", 2, 2, 1, 1, {}, infer_unsqueeze, true));
  table.add(make_schema("Transpose", 1, 1, 1, 1, {{"perm", MIRT_ATTRIBUTE_TYPE_INTS}}, infer_transpose));
  table.add(make_schema("Expand", 2, 2, 1, 1, {}, infer_expand));
  table.add(make_schema("Tile", 2, 2, 1, 1, {}, infer_tile));
}

}  // namespace mirt
