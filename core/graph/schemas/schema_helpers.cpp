// core/graph/schemas/schema_helpers.cpp — small helpers shared by the op family schema files.
#include "core/graph/schemas/schema_helpers.hpp"

#include "core/graph/known_values.hpp"

#include <algorithm>
#include <cstring>

namespace mirt::schemas {

op_schema make_schema(const char* op_type, int min_inputs, int max_inputs, int min_outputs, int max_outputs,
                      std::vector<attribute_spec> attributes, infer_fn infer, bool may_run_in_place) {
  op_schema s;
  s.op_type = op_type;
  s.min_inputs = min_inputs;
  s.max_inputs = max_inputs;
  s.min_outputs = min_outputs;
  s.max_outputs = max_outputs;
  s.attributes = std::move(attributes);
  s.may_run_in_place = may_run_in_place;
  s.infer = std::move(infer);
  return s;
}

std::optional<std::vector<double>> small_float_values(const graph& g, const tensor& t) {
  return constant_float_values(g, t);  // float16 and bfloat16 too (Range's operands)
}

bool is_integer_dtype(mirt_dtype dtype) {
  return dtype == MIRT_DTYPE_INT8 || dtype == MIRT_DTYPE_UINT8 || dtype == MIRT_DTYPE_INT32 ||
         dtype == MIRT_DTYPE_INT64;
}

bool is_float_dtype(mirt_dtype dtype) {
  return dtype == MIRT_DTYPE_FLOAT32 || dtype == MIRT_DTYPE_FLOAT16 || dtype == MIRT_DTYPE_BFLOAT16 ||
         dtype == MIRT_DTYPE_FLOAT64;
}

mirt_dtype dtype_from_onnx(int64_t onnx_code) {
  // TensorProto.DataType: FLOAT=1 UINT8=2 INT8=3 INT32=6 INT64=7 BOOL=9 FLOAT16=10 DOUBLE=11 BFLOAT16=16.
  switch (onnx_code) {
    case 1: return MIRT_DTYPE_FLOAT32;
    case 2: return MIRT_DTYPE_UINT8;
    case 3: return MIRT_DTYPE_INT8;
    case 6: return MIRT_DTYPE_INT32;
    case 7: return MIRT_DTYPE_INT64;
    case 9: return MIRT_DTYPE_BOOL;
    case 10: return MIRT_DTYPE_FLOAT16;
    case 11: return MIRT_DTYPE_FLOAT64;
    case 16: return MIRT_DTYPE_BFLOAT16;
    default: return MIRT_DTYPE_UNDEFINED;
  }
}

status require_index_input(const infer_context& ctx, size_t i, const char* what) {
  if (!ctx.has_input(i)) return ctx.error("input ", i, " (", what, ") is required");
  mirt_dtype d = ctx.input(i).dtype;
  if (d != MIRT_DTYPE_INT64 && d != MIRT_DTYPE_INT32)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " (", what, ") is ", mirt_dtype_name(d),
                          ", expected int64");
  return {};
}

status require_vector_input(const infer_context& ctx, size_t i, const char* what, bool allow_scalar) {
  if (!ctx.has_input(i)) return ctx.error("input ", i, " (", what, ") is required");
  size_t r = ctx.input(i).rank();
  if (r == 1 || (allow_scalar && r == 0)) return {};
  return ctx.error("input ", i, " (", what, ") has rank ", r, ", expected ", allow_scalar ? "0 or 1" : "1");
}

status require_same_dtype(const infer_context& ctx, size_t i, size_t as) {
  if (!ctx.has_input(i)) return {};
  if (ctx.input(i).dtype != ctx.input(as).dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " is ", mirt_dtype_name(ctx.input(i).dtype),
                          ", expected ", mirt_dtype_name(ctx.input(as).dtype), " (the dtype of input ", as, ")");
  return {};
}

status require_broadcastable_to(const infer_context& ctx, size_t i, const dims& target, const char* target_name) {
  const dims& from = ctx.input(i).shape;
  bool fits = from.size() <= target.size();
  for (size_t d = 0; fits && d < from.size(); ++d) {
    const dim& f = from[d];
    const dim& t = target[target.size() - from.size() + d];
    fits = !f.known() || f.value == 1 || !t.known() || f.value == t.value;
  }
  if (!fits)
    return ctx.error("input ", i, " has shape ", to_string(from), ", which does not broadcast to ", target_name, " ",
                     to_string(target));
  return {};
}

const std::vector<int64_t>* known_values(const infer_context& ctx, size_t i) {
  if (!ctx.has_input(i)) return nullptr;
  const tensor_type& t = ctx.input(i);
  if (!t.values) return nullptr;
  if (element_count(t.shape) != static_cast<int64_t>(t.values->size())) return nullptr;
  return &*t.values;
}

void set_values(tensor_type& t, std::vector<int64_t> values) {
  int64_t count = element_count(t.shape);
  if (count < 0 || count > max_value_elements || count != static_cast<int64_t>(values.size())) {
    t.values.reset();
    return;
  }
  t.values = std::move(values);
}

std::optional<std::vector<int64_t>> broadcast_values(const dims& from, const std::vector<int64_t>& values,
                                                     const dims& to) {
  const int64_t count = element_count(to);
  if (count < 0 || count > max_value_elements || element_count(from) != static_cast<int64_t>(values.size()) ||
      from.size() > to.size())
    return std::nullopt;
  // Source strides aligned to the output's trailing dims; 0 where the source dim broadcasts.
  const size_t rank = to.size();
  const size_t offset = rank - from.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t d = from.size(); d-- > 0;) {
    if (from[d].value != 1 && from[d].value != to[d + offset].value) return std::nullopt;
    strides[d + offset] = from[d].value == 1 ? 0 : stride;
    stride *= from[d].value;
  }
  std::vector<int64_t> out(static_cast<size_t>(count));
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t rest = flat, source = 0;
    for (size_t d = rank; d-- > 0;) {
      source += (rest % to[d].value) * strides[d];
      rest /= to[d].value;
    }
    out[flat] = values[source];
  }
  return out;
}

dim product_dim(const dims& shape, size_t begin, size_t end) {
  if (end == begin + 1) return shape[begin];
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d) {
    if (!shape[d].known()) return dim{};
    n *= shape[d].value;
  }
  return dim{n, {}};
}

int64_t vector_length(const tensor_type& t) {
  if (t.rank() == 0) return 1;
  if (t.rank() == 1 && t.shape[0].known()) return t.shape[0].value;
  return -1;
}

result<std::vector<int64_t>> ints_attribute(const infer_context& ctx, const char* name, size_t count,
                                            std::vector<int64_t> fallback) {
  const attribute* a = ctx.attrs().find(name);
  if (!a) return fallback;
  if (a->type == MIRT_ATTRIBUTE_TYPE_INT) return std::vector<int64_t>(count ? count : 1, a->ints.at(0));
  if (count && a->ints.size() != count)
    return ctx.error("attribute '", name, "' has ", a->ints.size(), " values, expected ", count);
  return a->ints;
}

result<std::vector<int64_t>> normalize_axes(const infer_context& ctx, const std::vector<int64_t>& axes, size_t rank,
                                            std::string_view what) {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  const int64_t r = static_cast<int64_t>(rank);
  for (int64_t axis : axes) {
    if (axis < -r || axis >= r)
      return ctx.error(what, " holds axis ", axis, ", out of range for rank ", rank, " (expected ", -r, " to ",
                       r - 1, ")");
    int64_t a = axis < 0 ? axis + r : axis;
    if (std::find(out.begin(), out.end(), a) != out.end())
      return ctx.error(what, " names axis ", a, " twice");
    out.push_back(a);
  }
  return out;
}

result<window> read_window(const infer_context& ctx, size_t spatial, std::optional<std::vector<int64_t>> kernel) {
  window w;
  if (const attribute* k = ctx.attrs().find("kernel_shape")) {
    if (k->ints.size() != spatial)
      return ctx.error("attribute 'kernel_shape' has ", k->ints.size(), " values, expected ", spatial,
                       " (one per spatial dim of input 0)");
    if (kernel) {
      for (size_t i = 0; i < spatial; ++i)
        if ((*kernel)[i] >= 0 && (*kernel)[i] != k->ints[i])
          return ctx.error("attribute 'kernel_shape' is ", to_string(k->ints), " but the weights (input 1) have ",
                           to_string(*kernel));
    }
    w.kernel = k->ints;
  } else if (kernel) {
    w.kernel = *kernel;
  } else {
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'kernel_shape' is required");
  }
  for (int64_t k : w.kernel)
    if (k == 0 || k < -1) return ctx.error("kernel_shape ", to_string(w.kernel), " has a non-positive extent");
  MIRT_ASSIGN_OR_RETURN(w.strides, ints_attribute(ctx, "strides", spatial, std::vector<int64_t>(spatial, 1)));
  MIRT_ASSIGN_OR_RETURN(w.dilations, ints_attribute(ctx, "dilations", spatial, std::vector<int64_t>(spatial, 1)));
  MIRT_ASSIGN_OR_RETURN(w.pads, ints_attribute(ctx, "pads", 2 * spatial, std::vector<int64_t>(2 * spatial, 0)));
  for (int64_t s : w.strides)
    if (s <= 0) return ctx.error("attribute 'strides' is ", to_string(w.strides), ", expected positive values");
  for (int64_t d : w.dilations)
    if (d <= 0) return ctx.error("attribute 'dilations' is ", to_string(w.dilations), ", expected positive values");
  for (int64_t p : w.pads)
    if (p < 0) return ctx.error("attribute 'pads' has negative value ", p);
  w.auto_pad = ctx.attrs().get_string("auto_pad", "NOTSET");
  if (w.auto_pad != "NOTSET" && w.auto_pad != "SAME_UPPER" && w.auto_pad != "SAME_LOWER" && w.auto_pad != "VALID")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'auto_pad' is '", w.auto_pad,
                          "', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  return w;
}

result<dim> window_output(const infer_context& ctx, const dim& in, const window& w, size_t i, bool ceil_mode) {
  if (!in.known() || w.kernel[i] < 0) return dim{};
  const int64_t stride = w.strides[i];
  if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") return dim{(in.value + stride - 1) / stride, {}};
  const int64_t span = w.dilations[i] * (w.kernel[i] - 1) + 1;
  const int64_t pad_begin = w.auto_pad == "VALID" ? 0 : w.pads[i];
  const int64_t pad_end = w.auto_pad == "VALID" ? 0 : w.pads[i + w.kernel.size()];
  const int64_t room = in.value + pad_begin + pad_end - span;
  // ceil_mode changes nothing under VALID: ceil((in - span + 1) / stride) = floor((in - span) / stride) + 1.
  if (w.auto_pad == "VALID") ceil_mode = false;
  if (room < 0)
    return ctx.error("spatial dim ", i, " of input 0 is ", in.value, " (", pad_begin + pad_end,
                     " with pads), smaller than the window extent ", span);
  int64_t out = (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
  // A window that would start in the end padding is dropped.
  if (ceil_mode && (out - 1) * stride >= in.value + pad_begin) --out;
  return dim{out, {}};
}

result<mirt_dtype> float_output_dtype(const infer_context& ctx, mirt_dtype own) {
  if (!ctx.attrs().find("output_dtype")) return own;
  const int64_t code = ctx.attrs().get_int("output_dtype", 0);
  const mirt_dtype d = dtype_from_onnx(code);
  if (d != MIRT_DTYPE_FLOAT32 && d != MIRT_DTYPE_FLOAT16 && d != MIRT_DTYPE_BFLOAT16)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'output_dtype' is ", code,
                          ", expected 1 (float32), 10 (float16) or 16 (bfloat16)");
  return d;
}

}  // namespace mirt::schemas
