// core/builder/passes/fold_casts.cpp — after assign_precision: a Cast that widens a float16/bfloat16
// layer's output to float32 (most often a network output: assign_precision gives every reduced
// output a Cast) becomes part of that layer, which then writes float32 itself, where the target
// backend has a kernel for it. At batch 1 each Cast is a kernel launch of its own.
//
// Layers that take the Cast:
// - mirt::SkipLayerNormalization (output_dtype = float): its statistics and output are float32
//   inside anyway. Where other layers read its reduced output too (BERT's pooler reads the last
//   hidden state), it keeps writing that as a second output besides the float32 one.
// - mirt::FusedElementwise, or a lone unary elementwise layer (BERT's pooler Tanh) as a one-step
//   program, whose output only the Cast reads (output_dtype = float).
#include <optional>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/builder/passes/pointwise_ops.hpp"

namespace mirt {

namespace {

constexpr int64_t k_onnx_float = 1;

bool reduced(mirt_dtype d) { return d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16; }

attribute output_float() { return attribute{"output_dtype", MIRT_ATTRIBUTE_TYPE_INT, {k_onnx_float}, {}, {}}; }

// The layer `producer` made to write `wide` (the Cast's float32 output) in place of `narrow`, which
// `narrow_readers` layers read (the Cast among them); nothing where it cannot take the Cast.
std::optional<node> folded(const node& producer, int narrow, int wide, int narrow_readers) {
  if (producer.outputs.size() != 1 || producer.outputs[0] != narrow || producer.attributes.find("output_dtype")) return std::nullopt;
  if (producer.domain == "mirt" && producer.op_type == "SkipLayerNormalization") {
    node n = producer;
    n.attributes.set(output_float());
    n.outputs = narrow_readers > 1 ? std::vector<int>{wide, narrow} : std::vector<int>{wide};
    return n;
  }
  if (narrow_readers > 1) return std::nullopt;
  if (producer.domain == "mirt" && producer.op_type == "FusedElementwise") {
    node n = producer;
    n.attributes.set(output_float());
    n.outputs = {wide};
    return n;
  }
  // A lone standard unary elementwise layer: a one-step program.
  if (!producer.domain.empty() || producer.inputs.size() != 1 || !producer.attributes.all().empty() ||
      !pointwise_unary_op(producer.op_type))
    return std::nullopt;
  node n;
  n.name = producer.name;
  n.op_type = "FusedElementwise";
  n.domain = "mirt";
  n.inputs = producer.inputs;
  n.outputs = {wide};
  n.attributes.set(attribute{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, {producer.op_type}});
  n.attributes.set(attribute{"operands", MIRT_ATTRIBUTE_TYPE_INTS, {0, 0}, {}, {}});
  n.attributes.set(output_float());
  return n;
}

status fold(build_state& state) {
  // Per-layer constraints: each constrained layer keeps the Casts around it, as they asked.
  if (!state.options.layer_precisions.empty()) return {};
  graph& g = state.network;
  const std::vector<int> readers = g.reader_counts();
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  std::vector<bool> removed(g.nodes.size(), false);
  size_t folds = 0;
  for (size_t c = 0; c < g.nodes.size(); ++c) {
    const node& cast = g.nodes[c];
    if (!cast.domain.empty() || cast.op_type != "Cast" || cast.inputs.size() != 1 || cast.outputs.size() != 1 ||
        cast.attributes.get_int("to", 0) != k_onnx_float)
      continue;
    const int narrow = cast.inputs[0], wide = cast.outputs[0];
    if (narrow < 0 || !reduced(state.types[narrow].dtype) || g.tensors[narrow].is_output) continue;
    const int p = g.tensors[narrow].producer;
    if (p < 0 || removed[size_t(p)]) continue;
    std::optional<node> candidate = folded(g.nodes[size_t(p)], narrow, wide, readers[narrow]);
    if (!candidate || !state.target_runs_as(g, *candidate, state.types, MIRT_DTYPE_UNDEFINED)) continue;
    g.nodes[size_t(p)] = std::move(*candidate);
    removed[c] = true;
    ++folds;
  }
  if (folds == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "folded ", folds, " Cast layers to float32 into the layers before them");
  return {};
}

}  // namespace

pass make_fold_casts_pass() { return {"fold casts", fold}; }

}  // namespace mirt
