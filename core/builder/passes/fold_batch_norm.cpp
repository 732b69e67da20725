// core/builder/passes/fold_batch_norm.cpp — folds an inference BatchNormalization into the
// convolution before it, so y = BN(Conv(x, W, b)) becomes Conv(x, W', b').
//
// With s = scale / sqrt(var + epsilon) per output channel c:  W'[c] = W[c] * s[c],
// b'[c] = (b[c] - mean[c]) * s[c] + B[c]. Only float32 constants are folded; the arithmetic runs in
// double so the folded weights round once.
#include <cmath>
#include <cstring>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

const float* constant_floats(const graph& g, int t, int64_t expected_count) {
  if (t < 0) return nullptr;
  const tensor& x = g.tensors[t];
  if (x.constant < 0 || x.dtype != MIRT_DTYPE_FLOAT32 || element_count(x.shape) != expected_count) return nullptr;
  return static_cast<const float*>(g.constants[x.constant].data());
}

int add_constant(graph& g, const std::string& stem, const dims& shape, const std::vector<float>& values) {
  tensor t;
  t.name = g.unique_tensor_name(stem);
  t.dtype = MIRT_DTYPE_FLOAT32;
  t.shape = shape;
  t.rank_known = true;
  t.constant = static_cast<int>(g.constants.size());
  g.constants.push_back(constant_buffer::copy_of(values.data(), values.size() * sizeof(float)));
  return g.add_tensor(std::move(t));
}

// Folds bn (a BatchNormalization node) into conv when every operand is a float32 constant.
bool try_fold(graph& g, node& conv, node& bn, const std::vector<int>& consumers_of_conv_out) {
  if (consumers_of_conv_out.size() != 1 || g.tensors[conv.outputs[0]].is_output) return false;
  if (bn.outputs.size() != 1 || bn.inputs.size() != 5) return false;
  const tensor& w = g.tensors[conv.inputs[1]];
  if (w.constant < 0 || w.dtype != MIRT_DTYPE_FLOAT32 || w.shape.empty() || !w.shape[0].known()) return false;
  const int64_t channels = w.shape[0].value;
  const int64_t per_channel = element_count(w.shape) / std::max<int64_t>(channels, 1);
  const float* scale = constant_floats(g, bn.inputs[1], channels);
  const float* shift = constant_floats(g, bn.inputs[2], channels);
  const float* mean = constant_floats(g, bn.inputs[3], channels);
  const float* var = constant_floats(g, bn.inputs[4], channels);
  const bool has_bias = conv.inputs.size() > 2 && conv.inputs[2] >= 0;
  const float* bias = has_bias ? constant_floats(g, conv.inputs[2], channels) : nullptr;
  if (!scale || !shift || !mean || !var || (has_bias && !bias)) return false;
  const double epsilon = bn.attributes.get_float("epsilon", 1e-5f);

  const float* weights = static_cast<const float*>(g.constants[w.constant].data());
  std::vector<float> new_weights(static_cast<size_t>(channels * per_channel));
  std::vector<float> new_bias(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const double s = double(scale[c]) / std::sqrt(double(var[c]) + epsilon);
    for (int64_t i = 0; i < per_channel; ++i)
      new_weights[c * per_channel + i] = static_cast<float>(weights[c * per_channel + i] * s);
    new_bias[c] = static_cast<float>(((bias ? bias[c] : 0.0) - mean[c]) * s + shift[c]);
  }
  const dims weight_shape = w.shape;
  int w_index = add_constant(g, conv.name + "/folded_weights", weight_shape, new_weights);
  int b_index = add_constant(g, conv.name + "/folded_bias", make_dims({channels}), new_bias);
  conv.inputs.resize(3);
  conv.inputs[1] = w_index;
  conv.inputs[2] = b_index;
  conv.outputs[0] = bn.outputs[0];  // the conv now produces what the BN produced
  return true;
}

status fold_batch_norm(build_state& state) {
  graph& g = state.network;
  std::vector<std::vector<int>> consumers(g.tensors.size());
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int t : g.nodes[n].inputs)
      if (t >= 0) consumers[t].push_back(static_cast<int>(n));
  std::vector<bool> removed(g.nodes.size(), false);
  size_t folded = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    node& bn = g.nodes[n];
    if (bn.op_type != "BatchNormalization" || !bn.domain.empty() || bn.inputs.empty() || bn.inputs[0] < 0) continue;
    int producer = g.tensors[bn.inputs[0]].producer;
    if (producer < 0 || removed[producer]) continue;
    node& conv = g.nodes[producer];
    if (conv.op_type != "Conv" || !conv.domain.empty() || conv.inputs.size() < 2) continue;
    if (!try_fold(g, conv, bn, consumers[bn.inputs[0]])) continue;
    removed[n] = true;
    ++folded;
  }
  if (folded == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "folded ", folded, " BatchNormalization layers into convolutions");
  return {};
}

}  // namespace

pass make_fold_batch_norm_pass() { return {"fold batch norm", fold_batch_norm}; }

}  // namespace mirt
