// core/builder/passes/fuse_elementwise.cpp — turns a group of elementwise float layers over one
// input tensor into one mirt::FusedElementwise layer (its program: core/graph/schemas/
// fused_elementwise.cpp), where the target backend has a kernel for it.
//
// Exporters spell many activations out as several layers that all read one tensor: GELU as
// x * 0.5 * (1 + erf(x / sqrt 2)) where no MatMul bias took it, SiLU as x * sigmoid(x), HardSwish,
// Mish, chains such as Relu -> Mul(scale) -> Add(shift). Each such layer reads and writes the whole
// tensor; fused, the data goes through memory once and the run launches one kernel.
//
// A group grows from a seed layer in topological order: it takes every later elementwise layer
// whose inputs are the seed's input x (its first input that is not a scalar constant), outputs of the group, or float32 scalar constants, and whose
// output has x's shape. Of the prefixes of that growth, the longest whose results only its last
// layer's output leaves (no other graph output, no reader outside) becomes the fused layer, when it
// spans two layers or more.
#include <algorithm>
#include <map>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/builder/passes/pointwise_ops.hpp"

namespace mirt {

namespace {

constexpr size_t k_max_steps = 16;      // backends/support/pointwise_program.hpp
constexpr size_t k_max_constants = 16;

bool elementwise(const node& n) {
  if (!n.domain.empty() || n.outputs.size() != 1 || !n.attributes.all().empty()) return false;
  return (pointwise_unary_op(n.op_type) && n.inputs.size() == 1) || (pointwise_binary_op(n.op_type) && n.inputs.size() == 2);
}

// A float32 constant with one element whose rank does not exceed rank (so it broadcasts without
// changing the other operand's shape).
bool scalar_constant(const graph& g, int t, size_t rank) {
  if (t < 0) return false;
  const tensor& c = g.tensors[t];
  return c.constant >= 0 && c.dtype == MIRT_DTYPE_FLOAT32 && element_count(c.shape) == 1 && c.shape.size() <= rank;
}

struct group_builder {
  const graph& g;
  const std::vector<tensor_type>& types;
  const std::vector<std::vector<int>>& readers;  // per tensor
  int x = -1;
  std::vector<int> nodes;
  std::map<int, int> registers;  // tensor -> register (x: 0, output of nodes[i]: i + 1)

  // Whether node n may join: its inputs are x, group results or scalar constants, its output x's shape.
  bool accepts(int n) const {
    const node& nd = g.nodes[n];
    if (!elementwise(nd) || nodes.size() >= k_max_steps) return false;
    const tensor_type& out = types[nd.outputs[0]];
    if (out.dtype != MIRT_DTYPE_FLOAT32 || out.shape != types[x].shape) return false;
    for (int t : nd.inputs)
      if (!registers.count(t) && !scalar_constant(g, t, types[x].shape.size())) return false;
    return true;
  }
  void add(int n) {
    nodes.push_back(n);
    registers[g.nodes[n].outputs[0]] = static_cast<int>(nodes.size());
  }
  // Whether the first k nodes leave only the k-th node's output to the rest of the network.
  bool closed(size_t k) const {
    auto inside = [&](int n) { return std::find(nodes.begin(), nodes.begin() + long(k), n) != nodes.begin() + long(k); };
    for (size_t i = 0; i < k; ++i) {
      const int t = g.nodes[nodes[i]].outputs[0];
      bool escapes = g.tensors[t].is_output;
      for (int r : readers[t]) escapes = escapes || !inside(r);
      if (escapes != (i + 1 == k)) return false;
    }
    return true;
  }
};

// The fused node for the first k nodes of b, or nothing when it needs too many constants.
std::optional<node> program_node(const group_builder& b, size_t k) {
  attribute ops{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, {}};
  attribute operands{"operands", MIRT_ATTRIBUTE_TYPE_INTS, {}, {}, {}};
  attribute constants{"constants", MIRT_ATTRIBUTE_TYPE_FLOATS, {}, {}, {}};
  for (size_t i = 0; i < k; ++i) {
    const node& nd = b.g.nodes[b.nodes[i]];
    ops.strings.push_back(nd.op_type);
    for (size_t j = 0; j < 2; ++j) {
      if (j >= nd.inputs.size()) {
        operands.ints.push_back(0);  // a unary op's unused operand
        continue;
      }
      const int t = nd.inputs[j];
      auto reg = b.registers.find(t);
      if (reg != b.registers.end() && reg->second <= static_cast<int>(i)) {
        operands.ints.push_back(reg->second);
        continue;
      }
      const float value = *static_cast<const float*>(b.g.constants[b.g.tensors[t].constant].data());
      auto at = std::find(constants.floats.begin(), constants.floats.end(), value);
      if (at == constants.floats.end()) {
        if (constants.floats.size() == k_max_constants) return std::nullopt;
        at = constants.floats.insert(constants.floats.end(), value);
      }
      operands.ints.push_back(-1 - (at - constants.floats.begin()));
    }
  }
  const node& last = b.g.nodes[b.nodes[k - 1]];
  node fused;
  fused.name = last.name;
  fused.op_type = "FusedElementwise";
  fused.domain = "mirt";
  fused.inputs = {b.x};
  fused.outputs = last.outputs;
  fused.attributes.set(std::move(ops));
  fused.attributes.set(std::move(operands));
  fused.attributes.set(std::move(constants));
  return fused;
}

status fuse(build_state& state) {
  // Per-layer precision constraints name the layers this pass would hide: no fusion with them.
  if (!state.options.layer_precisions.empty()) return {};
  graph& g = state.network;
  std::vector<std::vector<int>> readers(g.tensors.size());
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int t : g.nodes[n].inputs)
      if (t >= 0) readers[t].push_back(static_cast<int>(n));
  MIRT_RETURN_IF_ERROR(state.acquire_target());

  std::vector<bool> removed(g.nodes.size(), false);
  size_t groups = 0, layers = 0;
  for (size_t seed_at = 0; seed_at < state.order.size(); ++seed_at) {
    const int seed = state.order[seed_at];
    const node& s = g.nodes[seed];
    if (removed[seed] || !elementwise(s) || s.inputs.empty() || s.inputs[0] < 0) continue;
    group_builder b{g, state.types, readers};
    // The tensor the group runs over: the seed's first input, or its second where the first is a
    // scalar constant (BERT's mask: Sub(1, mask) then Mul by the dtype's minimum).
    const bool constant_first = s.inputs.size() == 2 && s.inputs[1] >= 0 &&
                                scalar_constant(g, s.inputs[0], state.types[s.inputs[1]].shape.size());
    b.x = constant_first ? s.inputs[1] : s.inputs[0];
    if (state.types[b.x].dtype != MIRT_DTYPE_FLOAT32 || !state.types[b.x].rank_known) continue;
    b.registers[b.x] = 0;
    for (size_t at = seed_at; at < state.order.size(); ++at) {
      const int n = state.order[at];
      if (!removed[n] && b.accepts(n)) b.add(n);
    }
    size_t k = b.nodes.size();
    while (k >= 2 && !b.closed(k)) --k;
    if (k < 2) continue;
    std::optional<node> fused = program_node(b, k);
    if (!fused || !state.target_runs(*fused)) continue;
    for (size_t i = 0; i + 1 < k; ++i) removed[b.nodes[i]] = true;
    g.nodes[b.nodes[k - 1]] = std::move(*fused);
    ++groups;
    layers += k;
  }
  if (groups == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "fused ", layers, " elementwise layers into ", groups, " FusedElementwise layers");
  return {};
}

}  // namespace

pass make_fuse_elementwise_pass() { return {"fuse elementwise", fuse}; }

}  // namespace mirt
