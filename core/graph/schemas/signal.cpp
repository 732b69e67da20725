// core/graph/schemas/signal.cpp — schemas of the signal ops: DFT, STFT, the windows HannWindow,
// HammingWindow, BlackmanWindow, and MelWeightMatrix. Their output extents come from integer
// scalar inputs (dft_length, frame_length, window size, ...), so they are known once those values
// are (constants, or shape tensor inputs whose values the profile sets).
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Fails unless input i, when present, is an int32/int64 scalar (or a one-element vector).
status require_int_scalar_input(const infer_context& ctx, size_t i, const char* what) {
  if (!ctx.has_input(i)) return {};
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, i, what));
  const tensor_type& t = ctx.input(i);
  if (t.rank() > 1 || (t.rank() == 1 && t.shape[0].known() && t.shape[0].value != 1))
    return ctx.error("input ", i, " (", what, ") has shape ", to_string(t.shape), ", expected a scalar");
  return {};
}

// The value of integer scalar input i when known, else nullopt.
std::optional<int64_t> scalar_value(const infer_context& ctx, size_t i) {
  if (!ctx.has_input(i)) return std::nullopt;
  const std::vector<int64_t>* v = known_values(ctx, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

// The dtype of an `output_datatype` attribute (ONNX code, default float32).
result<mirt_dtype> output_datatype(const infer_context& ctx) {
  const int64_t code = ctx.attrs().get_int("output_datatype", 1);
  const mirt_dtype d = dtype_from_onnx(code);
  if (d == MIRT_DTYPE_UNDEFINED || d == MIRT_DTYPE_BOOL)
    return ctx.error_code(MIRT_STATUS_UNSUPPORTED, "attribute 'output_datatype' is ", code,
                          ", which is not a numeric type mirt has");
  return d;
}

status require_float_signal(const infer_context& ctx, const tensor_type& x) {
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  const dim& parts = x.shape.back();
  if (parts.known() && parts.value != 1 && parts.value != 2)
    return ctx.error("input 0 has shape ", to_string(x.shape), ": its last dim is ", parts.value,
                     ", expected 1 (real) or 2 (complex)");
  return {};
}

// DFT (opset 20 form: signal, dft_length, axis inputs; the parser moves older opsets' axis attribute).
status infer_dft(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 2) return ctx.error("input 0 has rank ", x.rank(), ", expected at least 2 ([..., N, 1 or 2])");
  MIRT_RETURN_IF_ERROR(require_float_signal(ctx, x));
  MIRT_RETURN_IF_ERROR(require_int_scalar_input(ctx, 1, "dft_length"));
  MIRT_RETURN_IF_ERROR(require_int_scalar_input(ctx, 2, "axis"));
  const bool inverse = ctx.attrs().get_int("inverse", 0) != 0, onesided = ctx.attrs().get_int("onesided", 0) != 0;
  if (onesided && !inverse && x.shape.back().known() && x.shape.back().value == 2)
    return ctx.error("onesided is set for a complex input, expected a real one ([..., N, 1])");
  const int64_t rank = int64_t(x.rank());
  dims shape = x.shape;
  shape.back() = dim{onesided && inverse ? 1 : 2, {}};
  std::optional<int64_t> axis = ctx.has_input(2) ? scalar_value(ctx, 2) : std::optional<int64_t>(-2);
  if (!axis) {  // unknown axis: the dims a length change could hit are unknown too
    if (onesided || ctx.has_input(1))
      for (size_t d = 0; d + 1 < shape.size(); ++d) shape[d] = dim{};
    ctx.output(0) = tensor_type{x.dtype, std::move(shape), true, std::nullopt};
    return {};
  }
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  if (a < 0 || a > rank - 2)
    return ctx.error("axis ", *axis, " is out of range for input 0 of rank ", rank, " (expected a signal axis, not the last one)");
  dim length = x.shape[size_t(a)];
  if (onesided && inverse) length = length.known() ? dim{2 * (length.value - 1), {}} : dim{};
  if (ctx.has_input(1)) {
    const std::optional<int64_t> n = scalar_value(ctx, 1);
    if (n && *n < 1) return ctx.error("input 1 (dft_length) is ", *n, ", expected at least 1");
    length = n ? dim{*n, {}} : dim{};
  }
  shape[size_t(a)] = onesided && !inverse ? (length.known() ? dim{length.value / 2 + 1, {}} : dim{}) : length;
  ctx.output(0) = tensor_type{x.dtype, std::move(shape), true, std::nullopt};
  return {};
}

// STFT: signal [batch, length, 1 or 2], frame_step, window [frame_length], frame_length ->
// [batch, frames, bins, 2].
status infer_stft(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() != 3) return ctx.error("input 0 (signal) has rank ", x.rank(), ", expected 3 ([batch, length, 1 or 2])");
  MIRT_RETURN_IF_ERROR(require_float_signal(ctx, x));
  MIRT_RETURN_IF_ERROR(require_int_scalar_input(ctx, 1, "frame_step"));
  if (!ctx.has_input(1)) return ctx.error("input 1 (frame_step) is required");
  MIRT_RETURN_IF_ERROR(require_int_scalar_input(ctx, 3, "frame_length"));
  dim frame_length{};
  if (ctx.has_input(2)) {
    const tensor_type& w = ctx.input(2);
    if (w.rank() != 1) return ctx.error("input 2 (window) has rank ", w.rank(), ", expected 1");
    if (w.dtype != x.dtype)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 2 (window) is ", mirt_dtype_name(w.dtype), ", expected ",
                            mirt_dtype_name(x.dtype), " as the signal");
    frame_length = w.shape[0];
  }
  if (ctx.has_input(3)) {
    const std::optional<int64_t> n = scalar_value(ctx, 3);
    if (n && frame_length.known() && *n != frame_length.value)
      return ctx.error("input 3 (frame_length) is ", *n, ", the window has ", frame_length.value, " entries");
    if (n) frame_length = dim{*n, {}};
  } else if (!ctx.has_input(2)) {
    return ctx.error("neither a window (input 2) nor frame_length (input 3) is given");
  }
  const bool onesided = ctx.attrs().get_int("onesided", 1) != 0;
  if (onesided && x.shape[2].known() && x.shape[2].value == 2)
    return ctx.error("onesided is set for a complex signal, expected a real one ([batch, length, 1])");
  const std::optional<int64_t> step = scalar_value(ctx, 1);
  if (step && *step < 1) return ctx.error("input 1 (frame_step) is ", *step, ", expected at least 1");
  if (frame_length.known() && frame_length.value < 1) return ctx.error("the frame length is ", frame_length.value, ", expected at least 1");
  dim frames{};
  const dim& length = x.shape[1];
  if (step && frame_length.known() && length.known()) {
    if (frame_length.value > length.value)
      return ctx.error("the frame length ", frame_length.value, " is longer than the signal (", length.value, ")");
    frames = dim{(length.value - frame_length.value) / *step + 1, {}};
  }
  const dim bins = !frame_length.known() ? dim{} : dim{onesided ? frame_length.value / 2 + 1 : frame_length.value, {}};
  ctx.output(0) = tensor_type{x.dtype, dims{x.shape[0], frames, bins, dim{2, {}}}, true, std::nullopt};
  return {};
}

status infer_window(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_int_scalar_input(ctx, 0, "size"));
  MIRT_ASSIGN_OR_RETURN(mirt_dtype dtype, output_datatype(ctx));
  dim size{};
  if (const std::optional<int64_t> n = scalar_value(ctx, 0)) {
    if (*n < 0) return ctx.error("input 0 (size) is ", *n, ", expected 0 or more");
    size = dim{*n, {}};
  }
  ctx.output(0) = tensor_type{dtype, dims{size}, true, std::nullopt};
  return {};
}

status infer_mel_weight_matrix(infer_context& ctx) {
  const char* const names[] = {"num_mel_bins", "dft_length", "sample_rate"};
  for (size_t i = 0; i < 3; ++i) MIRT_RETURN_IF_ERROR(require_int_scalar_input(ctx, i, names[i]));
  for (size_t i = 3; i < 5; ++i)
    if (!is_float_dtype(ctx.input(i).dtype) || ctx.input(i).rank() > 1)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, (i == 3 ? " (lower_edge_hertz)" : " (upper_edge_hertz)"),
                            " must be a float scalar");
  MIRT_ASSIGN_OR_RETURN(mirt_dtype dtype, output_datatype(ctx));
  const std::optional<int64_t> bins = scalar_value(ctx, 0), length = scalar_value(ctx, 1);
  if (bins && *bins < 1) return ctx.error("input 0 (num_mel_bins) is ", *bins, ", expected at least 1");
  if (length && *length < 1) return ctx.error("input 1 (dft_length) is ", *length, ", expected at least 1");
  ctx.output(0) = tensor_type{dtype, dims{length ? dim{*length / 2 + 1, {}} : dim{}, bins ? dim{*bins, {}} : dim{}}, true,
                              std::nullopt};
  return {};
}

}  // namespace

void add_signal_schemas(schema_table& table) {
  table.add(make_schema("DFT", 1, 3, 1, 1, {{"inverse", MIRT_ATTRIBUTE_TYPE_INT}, {"onesided", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_dft));
  table.add(make_schema("STFT", 2, 4, 1, 1, {{"onesided", MIRT_ATTRIBUTE_TYPE_INT}}, infer_stft));
  for (const char* op : {"HannWindow", "HammingWindow", "BlackmanWindow"})
    table.add(make_schema(op, 1, 1, 1, 1,
                          {{"output_datatype", MIRT_ATTRIBUTE_TYPE_INT}, {"periodic", MIRT_ATTRIBUTE_TYPE_INT}},
                          infer_window));
  table.add(make_schema("MelWeightMatrix", 5, 5, 1, 1, {{"output_datatype", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_mel_weight_matrix));
}

}  // namespace mirt
