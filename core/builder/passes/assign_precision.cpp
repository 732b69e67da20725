// core/builder/passes/assign_precision.cpp — mixed precision: with the FP16 (or BF16) flag, layers
// run in that precision where the backend has a kernel for it, and Cast layers convert at the
// boundaries of each reduced-precision region.
//
// Regions start at the math-heavy layers (Conv, FusedConv, MatMul, FusedMatMul, FusedAttention, Gemm) and at
// EmbedLayerNormalization (whose table read halves), and spread to
// the layers that read a reduced tensor and only move or combine values elementwise (activations,
// Add, pooling, reshapes, Concat..., a FusedElementwise program of such steps), and to Softmax and (Skip)LayerNormalization where the backend offers
// reduced kernels for them (which must accumulate in float32: a backend without one keeps them
// float32).
// Other normalizations, reductions, Exp/Log/Pow and every other op stay float32: their
// accumulations or ranges need it. A reduced layer's constant float inputs are converted once at
// build time; graph inputs and outputs keep their float32 types (a Cast at each edge).
//
// Per-layer constraints (mirt_builder_config_set_layer_precision) override all of that: a layer
// constrained to float32 stays float32 (and starts no region), one constrained to float16 or
// bfloat16 runs in that type whatever the flags, with Casts around it.
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

constexpr int64_t k_onnx_float = 1, k_onnx_float16 = 10, k_onnx_bfloat16 = 16;

bool is_anchor(const node& n) {
  // EmbedLayerNormalization too: its table is most of what it reads (float32 statistics inside).
  if (n.domain == "mirt")
    return n.op_type == "FusedConv" || n.op_type == "FusedMatMul" || n.op_type == "FusedAttention" || n.op_type == "EmbedLayerNormalization";
  return n.domain.empty() && (n.op_type == "Conv" || n.op_type == "MatMul" || n.op_type == "Gemm");
}

bool is_follower(const node& n) {
  static const std::set<std::string, std::less<>> ops = {
      "Relu",    "LeakyRelu", "Sigmoid",     "Tanh",    "Gelu",        "Erf",      "HardSigmoid", "HardSwish",
      "Clip",    "Elu",       "Add",         "Sub",     "Mul",         "Div",      "Max",         "Min",
      "Sum",     "PRelu",     "MaxPool",     "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten",
      "Reshape", "Squeeze",   "Unsqueeze",   "Transpose", "Concat",    "Identity", "Slice",       "Split",
      "Pad",     "Expand",    "Gather",      "Where",
      // Where the backend has reduced kernels for these, they accumulate in float32 inside.
      "Softmax", "LayerNormalization"};
  if (n.domain == "mirt") {
    if (n.op_type == "SkipLayerNormalization") return true;  // float32 statistics inside, as LayerNormalization
    if (n.op_type != "FusedElementwise") return false;
    // A fused program (GELU spelled out, activation chains) follows when each of its steps would.
    const attribute* steps = n.attributes.find("ops");
    if (!steps || steps->strings.empty()) return false;
    for (const std::string& step : steps->strings)
      if (!ops.count(step)) return false;
    return true;
  }
  return n.domain.empty() && ops.count(n.op_type) > 0;
}

// Whether input i's float values take the layer's precision (Resize's roi and scales never do).
bool follows(const node& n, size_t i) { return !(n.op_type == "Resize" && i > 0); }

// IEEE binary16, round to nearest even (subnormals and overflow to infinity included).
uint16_t to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) return uint16_t(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u));  // inf, NaN
  if (abs >= 0x477FF000u) return uint16_t(sign | 0x7C00u);  // rounds past 65504
  if (abs < 0x38800000u) {  // below the smallest normal half: a subnormal
    if (abs < 0x33000000u) return uint16_t(sign);
    const uint32_t mantissa = (abs & 0x7FFFFFu) | 0x800000u;
    const int shift = 126 - int(abs >> 23);  // 14..24
    const uint32_t half_ulp = 1u << (shift - 1), rest = mantissa & ((1u << shift) - 1);
    uint32_t h = mantissa >> shift;
    if (rest > half_ulp || (rest == half_ulp && (h & 1u))) ++h;
    return uint16_t(sign | h);
  }
  uint32_t h = ((abs - 0x38000000u) >> 13);
  const uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return uint16_t(sign | h);
}

uint16_t to_bfloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return uint16_t((x >> 16) | 0x40u);  // quiet NaN
  return uint16_t((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

struct rewriter {
  graph& g;
  std::map<std::pair<int, mirt_dtype>, int> casts_of, converted_constants;
  size_t casts = 0;

  int add_cast(int source, mirt_dtype to) {
    tensor out;
    const char* suffix = to == MIRT_DTYPE_FLOAT32 ? "/to_float" : to == MIRT_DTYPE_FLOAT16 ? "/to_fp16" : "/to_bf16";
    out.name = g.unique_tensor_name(g.tensors[source].name + suffix);
    out.dtype = to;
    out.shape = g.tensors[source].shape;
    out.rank_known = g.tensors[source].rank_known;
    const int t = g.add_tensor(std::move(out));
    node cast;
    cast.name = g.unique_node_name(g.tensors[t].name);
    cast.op_type = "Cast";
    const int64_t code = to == MIRT_DTYPE_FLOAT32 ? k_onnx_float : to == MIRT_DTYPE_FLOAT16 ? k_onnx_float16 : k_onnx_bfloat16;
    cast.attributes.set(attribute{"to", MIRT_ATTRIBUTE_TYPE_INT, {code}, {}, {}});
    cast.inputs = {source};
    cast.outputs = {t};
    g.nodes.push_back(std::move(cast));
    ++casts;
    return t;
  }

  // Tensor t (float32, or another reduced type) as dtype `to`: a converted constant or a Cast.
  int convert(int t, mirt_dtype to) {
    if (g.tensors[t].constant >= 0 && g.tensors[t].dtype == MIRT_DTYPE_FLOAT32 && to != MIRT_DTYPE_FLOAT32) {
      auto it = converted_constants.find({t, to});
      if (it != converted_constants.end()) return it->second;
      const tensor& source = g.tensors[t];
      const size_t count = g.constants[source.constant].size / sizeof(float);
      const float* values = static_cast<const float*>(g.constants[source.constant].data());
      std::vector<uint16_t> bits(count);
      for (size_t i = 0; i < count; ++i) bits[i] = to == MIRT_DTYPE_FLOAT16 ? to_half(values[i]) : to_bfloat16(values[i]);
      tensor c;
      c.name = g.unique_tensor_name(source.name + (to == MIRT_DTYPE_FLOAT16 ? "/fp16" : "/bf16"));
      c.dtype = to;
      c.shape = source.shape;
      c.rank_known = source.rank_known;
      c.constant = static_cast<int>(g.constants.size());
      g.constants.push_back(constant_buffer::copy_of(bits.data(), bits.size() * sizeof(uint16_t)));
      return converted_constants[{t, to}] = g.add_tensor(std::move(c));
    }
    auto it = casts_of.find({t, to});
    return it != casts_of.end() ? it->second : casts_of[{t, to}] = add_cast(t, to);
  }
};

uint32_t flag_of(mirt_dtype d) {
  return d == MIRT_DTYPE_FLOAT16 ? MIRT_PRECISION_FLAG_FP16 : d == MIRT_DTYPE_BFLOAT16 ? MIRT_PRECISION_FLAG_BF16 : 0;
}

status assign_precision(build_state& state) {
  const uint32_t flags = state.options.precision_flags;
  const mirt_dtype reduced = state.reduced_dtype();
  const auto& constraints = state.options.layer_precisions;
  bool any_reduced_constraint = false;
  for (const auto& [name, dtype] : constraints) any_reduced_constraint |= dtype != MIRT_DTYPE_FLOAT32;
  if (reduced == MIRT_DTYPE_UNDEFINED && !any_reduced_constraint) return {};
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  graph& g = state.network;
  const size_t original_nodes = g.nodes.size();
  // The reduced type each node runs in and each tensor holds; UNDEFINED: float32 (or not a float).
  std::vector<mirt_dtype> node_dtype(original_nodes, MIRT_DTYPE_UNDEFINED), tensor_dtype(g.tensors.size(), MIRT_DTYPE_UNDEFINED);
  // Whether input i of n is a float32 operand that follows the layer's type. Tensors added below
  // (the reduced copies of graph outputs) have no entry in state.types and already hold their type.
  auto float_slot = [&](const node& n, size_t i) {
    const int t = n.inputs[i];
    return t >= 0 && size_t(t) < state.types.size() && state.types[t].dtype == MIRT_DTYPE_FLOAT32 && follows(n, i);
  };
  for (int index : state.order) {
    const node& n = g.nodes[index];
    const auto constraint = constraints.find(n.name);
    const bool constrained = constraint != constraints.end();
    if (constrained && constraint->second == MIRT_DTYPE_FLOAT32) continue;
    bool any_float = false, reads_reduced = false;
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (float_slot(n, i)) any_float = true, reads_reduced = reads_reduced || tensor_dtype[n.inputs[i]] == reduced;
    const mirt_dtype target = constrained ? constraint->second : reduced;
    if (constrained && !any_float)
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "layer '", n.name, "' (", n.op_type, ") is constrained to ",
                        mirt_dtype_name(target), ", but it has no float32 input to run in that type");
    if (!constrained && (!any_float || !(is_anchor(n) || (is_follower(n) && reads_reduced)))) continue;
    // Offered to the backend with the reduced types: a layer without such a kernel stays float32.
    std::vector<tensor_type> types = state.types;
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (float_slot(n, i)) types[n.inputs[i]].dtype = target;
    for (int t : n.outputs)
      if (t >= 0 && types[t].dtype == MIRT_DTYPE_FLOAT32) types[t].dtype = target;
    node_view view(g, n, types, flags | flag_of(target));
    result<std::vector<mirt_tactic_info>> tactics = state.target->tactics(view.info());
    if (!tactics.ok() || tactics->empty()) {
      const std::string why = tactics.ok() ? "no kernel" : tactics.error().message();
      if (constrained)
        return make_error(MIRT_STATUS_UNSUPPORTED, "layer '", n.name, "' (", n.op_type, ") is constrained to ",
                          mirt_dtype_name(target), ", but backend '", state.target->name(),
                          "' has no kernel for it in that type: ", why);
      log_verbose("builder", "layer '", n.name, "' stays float32: ", why);
      continue;
    }
    node_dtype[index] = target;
    for (int t : n.outputs)
      if (t >= 0 && state.types[t].dtype == MIRT_DTYPE_FLOAT32) tensor_dtype[t] = target;
  }

  rewriter r{g, {}, {}, 0};
  // A graph output a reduced layer writes: the layer writes a reduced copy, a Cast the output.
  for (int out : std::vector<int>(g.outputs)) {
    const mirt_dtype d = tensor_dtype[out];
    if (d == MIRT_DTYPE_UNDEFINED) continue;
    tensor copy;
    copy.name = g.unique_tensor_name(g.tensors[out].name + "/reduced");
    copy.dtype = d;
    copy.shape = g.tensors[out].shape;
    copy.rank_known = g.tensors[out].rank_known;
    const int reduced_out = g.add_tensor(std::move(copy));
    tensor_dtype.push_back(d);
    tensor_dtype[out] = MIRT_DTYPE_UNDEFINED;
    for (size_t n = 0; n < original_nodes; ++n) {
      for (int& t : g.nodes[n].outputs)
        if (t == out) t = reduced_out;
      if (node_dtype[n] != MIRT_DTYPE_UNDEFINED)
        for (int& t : g.nodes[n].inputs)
          if (t == out) t = reduced_out;
    }
    r.casts_of[{reduced_out, MIRT_DTYPE_FLOAT32}] = out;
    g.tensors[out].producer = -1;
    node cast;
    cast.name = g.unique_node_name(g.tensors[out].name + "/to_float");
    cast.op_type = "Cast";
    cast.attributes.set(attribute{"to", MIRT_ATTRIBUTE_TYPE_INT, {k_onnx_float}, {}, {}});
    cast.inputs = {reduced_out};
    cast.outputs = {out};
    g.nodes.push_back(std::move(cast));
    ++r.casts;
  }
  size_t layers = 0;
  for (size_t n = 0; n < original_nodes; ++n) {
    const mirt_dtype d = node_dtype[n];
    layers += d != MIRT_DTYPE_UNDEFINED;
    for (size_t i = 0; i < g.nodes[n].inputs.size(); ++i) {
      const int t = g.nodes[n].inputs[i];
      if (t < 0) continue;
      const mirt_dtype held = size_t(t) < tensor_dtype.size() ? tensor_dtype[t] : MIRT_DTYPE_UNDEFINED;
      int replacement = t;
      if (d != MIRT_DTYPE_UNDEFINED && float_slot(g.nodes[n], i) && held != d) replacement = r.convert(t, d);
      else if ((d == MIRT_DTYPE_UNDEFINED || !follows(g.nodes[n], i)) && held != MIRT_DTYPE_UNDEFINED)
        replacement = r.convert(t, MIRT_DTYPE_FLOAT32);
      g.nodes[n].inputs[i] = replacement;  // g.nodes may have grown: index again
    }
  }
  if (layers == 0) return {};
  MIRT_RETURN_IF_ERROR(state.reindex_and_infer());
  log_info("builder", "precision: ", layers, " layers in reduced precision, ", r.casts, " Cast layers at the edges");
  return {};
}

}  // namespace

pass make_assign_precision_pass() { return {"assign precision", assign_precision}; }

}  // namespace mirt
