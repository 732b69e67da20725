// parsers/onnx/opset_upgrade.cpp — rewrites older-opset nodes into the latest opset's form.
//
// mirt's op set has the ONNX operator names with the latest opset's semantics, so a node of an
// older opset is rewritten here when only its form changed. Handled (opset of the node < N):
//   all ops            consumed_inputs (opset 1 legacy) is dropped
//   Split        < 13  attribute `split` -> input 1 (int64)
//                < 18  no split given -> attribute num_outputs = the node's output count
//   Squeeze, Unsqueeze < 13  attribute `axes` -> input 1 (int64)
//   ReduceSum    < 13  attribute `axes` -> input 1 (int64)
//   ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum,
//   ReduceLogSumExp, ReduceSumSquare < 18  attribute `axes` -> input 1 (int64)
//   Slice        < 10  attributes starts, ends, axes -> inputs 1, 2, 3 (int64)
//   Pad          < 11  attribute pads (`paddings` in opset 1) -> input 1 (int64); value -> input 2
//                      (a scalar of the data's dtype when known, else float32; omitted when 0)
//   Clip         < 11  attributes min, max -> inputs 1, 2 (scalars, dtype as for Pad)
//   Dropout      < 12  attribute ratio -> input 1 (float32 scalar); is_test dropped
//   BatchNormalization < 9  spatial and is_test dropped (spatial=0 gets a warning)
//   TopK         < 10  attribute k -> input 1 (int64 [1])
//   Resize       < 11  inputs (X, scales) -> (X, roi omitted, scales)
//   Upsample     < 10  -> Resize (scales attribute -> input 2; nearest -> asymmetric + floor,
//                      linear/bilinear -> linear + asymmetric)
//   Scatter            -> ScatterElements
//   Gemm         < 7   broadcast dropped (Gemm always broadcasts C now)
//   Add, Sub, Mul, Div < 7  broadcast dropped when no axis is given (numpy broadcasting then agrees)
//   RNN, GRU, LSTM < 7  output_sequence dropped (Y is computed whenever the node lists it)
//   DFT          < 20  attribute axis (default 1) -> input 2 (int64 scalar; opset 20's default is -2)
//   RoiAlign     < 16  no coordinate_transformation_mode -> output_half_pixel (opset 10's only behaviour)
//   Scan         < 9   sequence_lens (input 0) must be omitted and is dropped; directions ->
//                      scan_input_directions; mirt attribute batched = 1 (the leading batch axis)
// Not rewritten: Softmax, LogSoftmax and Hardmax < 13 (they flattened to 2-D at `axis`; the same
// result as now only when axis is the last dimension: a warning says so), legacy broadcast with an
// explicit axis, and anything else; the core then names the attribute it does not know.
#include "parsers/onnx/opset_upgrade.hpp"

#include <cstring>

#include "parsers/onnx/tensor_import.hpp"

namespace mirt::onnx {

namespace {

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t raw_exp = (x >> 23) & 0xFFu;
  uint32_t mant = x & 0x7FFFFFu;
  if (raw_exp == 0xFF) return static_cast<uint16_t>(sign | 0x7C00u | (mant ? 0x200u : 0u));
  int32_t exp = static_cast<int32_t>(raw_exp) - 127 + 15;
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7C00u);
  if (exp <= 0) {  // subnormal half, or zero
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint32_t h = (static_cast<uint32_t>(exp) << 10) | (mant >> 13), rem = mant & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;  // a carry into the exponent rounds up correctly
  return static_cast<uint16_t>(sign | h);
}

uint16_t float_to_bfloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // NaN stays NaN
  return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

void set_input(layer_draft& d, size_t index, mirt_tensor* t) {
  if (d.inputs.size() <= index) d.inputs.resize(index + 1, nullptr);
  d.inputs[index] = t;
}

// Moves attribute `name` (INTS or INT) into input `index` as an int64 tensor of dims [n].
status ints_to_input(upgrade_context& ctx, layer_draft& d, std::string_view name, size_t index) {
  std::optional<owned_attribute> a = d.attributes.take(name);
  if (!a) return {};
  if (a->type != MIRT_ATTRIBUTE_TYPE_INTS && a->type != MIRT_ATTRIBUTE_TYPE_INT)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' must be ints");
  mirt_tensor* t = nullptr;
  MIRT_ONNX_RETURN_IF_ERROR(ctx.add_constant(name, MIRT_DTYPE_INT64, {static_cast<int64_t>(a->ints.size())},
                                             a->ints.data(), a->ints.size() * sizeof(int64_t), &t));
  set_input(d, index, t);
  return {};
}

// Adds a rank-0 constant holding value in dtype (a float type; float32 when dtype is not one).
status scalar_input(upgrade_context& ctx, layer_draft& d, std::string_view name, size_t index, float value,
                    mirt_dtype dtype) {
  uint8_t bytes[8];
  size_t size = 4;
  switch (dtype) {
    case MIRT_DTYPE_FLOAT64: {
      double v = value;
      std::memcpy(bytes, &v, size = 8);
      break;
    }
    case MIRT_DTYPE_FLOAT16: {
      uint16_t v = float_to_half(value);
      std::memcpy(bytes, &v, size = 2);
      break;
    }
    case MIRT_DTYPE_BFLOAT16: {
      uint16_t v = float_to_bfloat16(value);
      std::memcpy(bytes, &v, size = 2);
      break;
    }
    default:
      dtype = MIRT_DTYPE_FLOAT32;
      std::memcpy(bytes, &value, size = 4);
      break;
  }
  mirt_tensor* t = nullptr;
  MIRT_ONNX_RETURN_IF_ERROR(ctx.add_constant(name, dtype, {}, bytes, size, &t));
  set_input(d, index, t);
  return {};
}

// Moves FLOAT attribute `name` into input `index` as a scalar of the dtype of input 0.
status float_to_input(upgrade_context& ctx, layer_draft& d, std::string_view name, size_t index,
                      bool skip_zero = false) {
  std::optional<owned_attribute> a = d.attributes.take(name);
  if (!a) return {};
  if (a->type != MIRT_ATTRIBUTE_TYPE_FLOAT)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' must be a float");
  if (skip_zero && a->floats[0] == 0.0f) return {};
  mirt_dtype dtype = d.inputs.empty() ? MIRT_DTYPE_UNDEFINED : ctx.known_dtype(d.inputs[0]);
  return scalar_input(ctx, d, name, index, a->floats[0], dtype);
}

status upgrade_split(int64_t opset, upgrade_context& ctx, layer_draft& d) {
  if (opset < 13) MIRT_ONNX_RETURN_IF_ERROR(ints_to_input(ctx, d, "split", 1));
  if (d.inputs.size() < 2 || !d.inputs[1]) d.attributes.set_int("num_outputs", static_cast<int64_t>(d.num_outputs));
  return {};
}

status upgrade_axes(int64_t, upgrade_context& ctx, layer_draft& d) { return ints_to_input(ctx, d, "axes", 1); }

status upgrade_slice(int64_t, upgrade_context& ctx, layer_draft& d) {
  MIRT_ONNX_RETURN_IF_ERROR(ints_to_input(ctx, d, "starts", 1));
  MIRT_ONNX_RETURN_IF_ERROR(ints_to_input(ctx, d, "ends", 2));
  return ints_to_input(ctx, d, "axes", 3);
}

status upgrade_pad(int64_t, upgrade_context& ctx, layer_draft& d) {
  if (std::optional<owned_attribute> old = d.attributes.take("paddings")) {
    old->name = "pads";
    d.attributes.set(std::move(*old));
  }
  MIRT_ONNX_RETURN_IF_ERROR(ints_to_input(ctx, d, "pads", 1));
  return float_to_input(ctx, d, "value", 2, /*skip_zero=*/true);
}

status upgrade_clip(int64_t, upgrade_context& ctx, layer_draft& d) {
  MIRT_ONNX_RETURN_IF_ERROR(float_to_input(ctx, d, "min", 1));
  return float_to_input(ctx, d, "max", 2);
}

status upgrade_dropout(int64_t, upgrade_context& ctx, layer_draft& d) {
  d.attributes.take("is_test");
  if (std::optional<owned_attribute> ratio = d.attributes.take("ratio"))
    return scalar_input(ctx, d, "ratio", 1, ratio->floats.empty() ? 0.5f : ratio->floats[0], MIRT_DTYPE_FLOAT32);
  return {};
}

status upgrade_batch_norm(int64_t, upgrade_context& ctx, layer_draft& d) {
  d.attributes.take("is_test");
  if (std::optional<owned_attribute> spatial = d.attributes.take("spatial"))
    if (!spatial->ints.empty() && spatial->ints[0] == 0)
      ctx.warn("spatial=0 (per-element statistics) is dropped; mirt normalizes per channel as opset 9 does");
  return {};
}

status upgrade_topk(int64_t, upgrade_context& ctx, layer_draft& d) {
  std::optional<owned_attribute> k = d.attributes.take("k");
  if (!k) return {};
  mirt_tensor* t = nullptr;
  MIRT_ONNX_RETURN_IF_ERROR(ctx.add_constant("k", MIRT_DTYPE_INT64, {1}, k->ints.data(), sizeof(int64_t), &t));
  set_input(d, 1, t);
  return {};
}

status upgrade_resize(int64_t, upgrade_context&, layer_draft& d) {
  if (d.inputs.size() == 2) d.inputs = {d.inputs[0], nullptr, d.inputs[1]};
  return {};
}

status upgrade_upsample(int64_t opset, upgrade_context& ctx, layer_draft& d) {
  if (opset < 7) return {};  // opset 1's experimental form (width_scale, height_scale) is left alone
  d.op_type = "Resize";
  std::string mode = "nearest";
  if (std::optional<owned_attribute> m = d.attributes.take("mode"))
    if (!m->strings.empty()) mode = m->strings[0];
  if (mode == "bilinear") mode = "linear";
  mirt_tensor* scales = d.inputs.size() > 1 ? d.inputs[1] : nullptr;
  if (std::optional<owned_attribute> s = d.attributes.take("scales")) {
    MIRT_ONNX_RETURN_IF_ERROR(ctx.add_constant("scales", MIRT_DTYPE_FLOAT32, {static_cast<int64_t>(s->floats.size())},
                                               s->floats.data(), s->floats.size() * sizeof(float), &scales));
  }
  d.inputs = {d.inputs.empty() ? nullptr : d.inputs[0], nullptr, scales};
  d.attributes.set_string("mode", mode);
  d.attributes.set_string("coordinate_transformation_mode", "asymmetric");
  if (mode == "nearest") d.attributes.set_string("nearest_mode", "floor");
  return {};
}

status rename_scatter(int64_t, upgrade_context&, layer_draft& d) {
  d.op_type = "ScatterElements";
  return {};
}

status drop_broadcast(int64_t, upgrade_context&, layer_draft& d) {
  if (!d.attributes.find("axis")) d.attributes.take("broadcast");
  return {};
}

status drop_output_sequence(int64_t, upgrade_context&, layer_draft& d) {
  d.attributes.take("output_sequence");
  return {};
}

status upgrade_dft(int64_t, upgrade_context& ctx, layer_draft& d) {
  std::optional<owned_attribute> axis = d.attributes.take("axis");
  const int64_t value = axis && !axis->ints.empty() ? axis->ints[0] : 1;
  mirt_tensor* t = nullptr;
  MIRT_ONNX_RETURN_IF_ERROR(ctx.add_constant("axis", MIRT_DTYPE_INT64, {}, &value, sizeof value, &t));
  set_input(d, 2, t);
  return {};
}

status warn_softmax_axis(int64_t opset, upgrade_context& ctx, layer_draft& d) {
  const owned_attribute* axis = d.attributes.find("axis");
  int64_t a = axis && !axis->ints.empty() ? axis->ints[0] : 1;
  if (a != -1)
    ctx.warn(cat(d.op_type, " of opset ", opset, " flattens its input to 2-D at axis ", a,
                 "; mirt applies opset 13 semantics (along axis ", a,
                 " only), which agree only when that axis is the last one"));
  return {};
}

status upgrade_roi_align(int64_t, upgrade_context&, layer_draft& d) {
  if (!d.attributes.find("coordinate_transformation_mode"))
    d.attributes.set_string("coordinate_transformation_mode", "output_half_pixel");
  return {};
}

// Scan-8 scans axis 1 of batched inputs: without sequence_lens it is mirt's Scan with batched = 1.
status upgrade_scan(int64_t, upgrade_context&, layer_draft& d) {
  if (!d.inputs.empty() && d.inputs[0])
    return make_error(MIRT_STATUS_UNSUPPORTED, "Scan of opset 8 with a sequence_lens input (per-batch lengths) is not "
                      "supported; omit it when every sequence is full, or convert the model to opset 9 or newer");
  if (!d.inputs.empty()) d.inputs.erase(d.inputs.begin());
  if (std::optional<owned_attribute> directions = d.attributes.take("directions")) {
    directions->name = "scan_input_directions";
    d.attributes.set(std::move(*directions));
  }
  d.attributes.set_int("batched", 1);
  return {};
}

struct rule {
  const char* op_type;
  int64_t before_opset;  // applies to nodes of an opset below this
  status (*apply)(int64_t opset, upgrade_context& ctx, layer_draft& d);
};

constexpr rule rules[] = {
    {"Split", 18, upgrade_split},
    {"Squeeze", 13, upgrade_axes},
    {"Unsqueeze", 13, upgrade_axes},
    {"ReduceSum", 13, upgrade_axes},
    {"ReduceMean", 18, upgrade_axes},
    {"ReduceMax", 18, upgrade_axes},
    {"ReduceMin", 18, upgrade_axes},
    {"ReduceProd", 18, upgrade_axes},
    {"ReduceL1", 18, upgrade_axes},
    {"ReduceL2", 18, upgrade_axes},
    {"ReduceLogSum", 18, upgrade_axes},
    {"ReduceLogSumExp", 18, upgrade_axes},
    {"ReduceSumSquare", 18, upgrade_axes},
    {"Slice", 10, upgrade_slice},
    {"Pad", 11, upgrade_pad},
    {"Clip", 11, upgrade_clip},
    {"Dropout", 12, upgrade_dropout},
    {"BatchNormalization", 9, upgrade_batch_norm},
    {"TopK", 10, upgrade_topk},
    {"Resize", 11, upgrade_resize},
    {"Upsample", 10, upgrade_upsample},
    {"Scatter", 1000, rename_scatter},
    {"Gemm", 7, drop_broadcast},
    {"Add", 7, drop_broadcast},
    {"Sub", 7, drop_broadcast},
    {"Mul", 7, drop_broadcast},
    {"Div", 7, drop_broadcast},
    {"RNN", 7, drop_output_sequence},
    {"GRU", 7, drop_output_sequence},
    {"LSTM", 7, drop_output_sequence},
    {"DFT", 20, upgrade_dft},
    {"RoiAlign", 16, upgrade_roi_align},
    {"Scan", 9, upgrade_scan},
    {"Softmax", 13, warn_softmax_axis},
    {"LogSoftmax", 13, warn_softmax_axis},
    {"Hardmax", 13, warn_softmax_axis},
};

}  // namespace

status upgrade_to_latest(int64_t opset, upgrade_context& ctx, layer_draft* draft) {
  draft->attributes.take("consumed_inputs");
  for (const rule& r : rules)
    if (draft->op_type == r.op_type && opset < r.before_opset) return r.apply(opset, ctx, *draft);
  return {};
}

}  // namespace mirt::onnx
