// core/builder/passes/choose_layout.cpp — channels-last (NHWC) regions for chains of 2-D
// convolutions, where the target backend has NHWC kernels: tensor cores read half NHWC natively,
// oneDNN's fastest fp32 CPU convolutions (brgconv, and brdgmm for depthwise) too, and an NCHW
// convolution pays a transpose of its input and output inside every call.
//
// A region starts at each Conv / mirt::FusedConv with constant weights that is either in float16
// or bfloat16 with group 1, output channels in multiples of 8 (tensor-core tiles) and input
// channels too, or at most 4 (an image stem, which the backend may still decline); or, on the cpu
// backend only, in float32 with any channels and groups (depthwise included). The cpu rule is
// here, not a second mechanism in the backend, so that a chain of convolutions keeps its
// activations channels-last between layers; NHWC rather than oneDNN's blocked nChw16c because it
// is dense (no channel padding), so every kernel that joins a region (elementwise layers, the
// pools) reads it as plain strided memory, and oneDNN's own choice (format_tag::any) for these
// shapes is NHWC anyway. Weights keep the layout the backend chooses once per plan. The layer becomes a mirt::FusedConv
// with layout "NHWC". A MaxPool (without Indices) whose input is in a region joins it as a
// mirt::MaxPool with layout "NHWC". Elementwise layers whose operands all have the output's shape
// (activations, Add, Mul, Cast...) join a region when one of their inputs is in it: they are
// indifferent to the layout. Every tensor keeps its logical NCHW shape and its meaning: a region's
// layer writes a channels-last copy, and a mirt::Reformat layer makes the NCHW tensor from it only
// where a layer outside the region (or the graph's output) reads it. Inputs entering a region get
// the opposite Reformat, once per tensor; one that the precision pass's Cast from float32 feeds
// converts as it moves, and the Cast goes. Runs above optimization level 0 only: it is a speed choice.
#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_map>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

bool is_half(mirt_dtype d) { return d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16; }

bool is_conv(const node& n) {
  return (n.domain.empty() && n.op_type == "Conv") || (n.domain == "mirt" && n.op_type == "FusedConv");
}

// Ops that compute each output element from the same element of each input. mirt::FusedElementwise
// (the elementwise fusion pass runs before this one) is a program of such ops over one input with
// scalar constants only.
bool is_elementwise(const node& n) {
  static const std::set<std::string, std::less<>> ops = {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid",
                                                         "HardSwish", "Elu", "Add", "Sub", "Mul", "Div", "Max",
                                                         "Min", "Sum", "Cast", "Identity", "Gelu", "Erf"};
  if (n.domain == "mirt") return n.op_type == "FusedElementwise";
  return n.domain.empty() && ops.count(n.op_type) > 0;
}

// Region layers linked by a tensor form one region. A float32 region (cpu) with a single
// convolution is dropped: it would pay a Reformat in and out around that convolution, which is what
// the layer's own NCHW tactics do inside the call, and those are timed and may pick plain NCHW.
void drop_single_conv_regions(const graph& g, const std::vector<tensor_type>& types, std::vector<bool>& in_region) {
  const int n = int(in_region.size());
  std::vector<int> root(size_t(n), 0);
  std::iota(root.begin(), root.end(), 0);
  auto find = [&](int i) {
    while (root[size_t(i)] != i) i = root[size_t(i)] = root[size_t(root[size_t(i)])];
    return i;
  };
  for (int i = 0; i < n; ++i) {
    if (!in_region[size_t(i)]) continue;
    for (int t : g.nodes[size_t(i)].inputs) {
      const int p = t < 0 ? -1 : g.tensors[size_t(t)].producer;
      if (p >= 0 && p < n && in_region[size_t(p)]) root[size_t(find(i))] = find(p);
    }
  }
  std::vector<int> convs(size_t(n), 0);
  std::vector<bool> half(size_t(n), false);
  for (int i = 0; i < n; ++i) {
    const node& layer = g.nodes[size_t(i)];
    if (!in_region[size_t(i)] || !is_conv(layer)) continue;
    ++convs[size_t(find(i))];
    if (is_half(types[size_t(layer.inputs[0])].dtype)) half[size_t(find(i))] = true;
  }
  for (int i = 0; i < n; ++i)
    if (in_region[size_t(i)] && !half[size_t(find(i))] && convs[size_t(find(i))] < 2) in_region[size_t(i)] = false;
}

struct layout_rewriter {
  build_state& state;
  graph& g;
  bool cpu_target;  // float32 regions too (see the top of the file)
  std::unordered_map<int, int> nhwc_of;   // NCHW tensor -> its channels-last twin
  std::set<int> needs_nchw;               // channels-last twins something outside reads as NCHW
  std::unordered_map<int, int> nchw_source;  // NCHW tensor -> the twin a region layer writes
  size_t reformats = 0;

  // Rank 4 (extents may be dynamic: kernels take them per call).
  bool known_4d(int t) const { return state.types[t].rank_known && state.types[t].shape.size() == 4; }

  bool conv_fits(const node& n) const {
    if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0) return false;
    const tensor_type &x = state.types[n.inputs[0]], &w = state.types[n.inputs[1]];
    if (!known_4d(n.inputs[0]) || g.tensors[n.inputs[1]].constant < 0) return false;
    if (w.shape.size() != 4 || !w.shape[0].known() || !w.shape[1].known()) return false;
    if (n.attributes.get_string("layout", "") == "NHWC") return false;  // already chosen
    if (x.dtype == MIRT_DTYPE_FLOAT32) return cpu_target;
    if (!is_half(x.dtype) || n.attributes.get_int("group", 1) != 1) return false;
    return w.shape[0].value % 8 == 0 && (w.shape[1].value % 8 == 0 || w.shape[1].value <= 4);
  }

  bool pool_fits(const node& n) const {
    return n.domain.empty() && n.op_type == "MaxPool" && n.outputs.size() == 1 && n.inputs.size() == 1 && n.inputs[0] >= 0 &&
           known_4d(n.inputs[0]);
  }

  node as_nhwc(const node& n) const {
    node c = n;
    c.op_type = n.op_type == "MaxPool" ? "MaxPool" : "FusedConv";
    c.domain = "mirt";
    c.attributes.set(attribute{"layout", MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {"NHWC"}});
    return c;
  }

  // A fresh tensor like t (same dtype and logical shape), named from t.
  int twin(int t, const char* suffix) {
    tensor copy;
    copy.name = g.unique_tensor_name(g.tensors[t].name + suffix);
    copy.dtype = state.types[t].dtype;
    copy.shape = state.types[t].shape;
    copy.rank_known = true;
    return g.add_tensor(std::move(copy));
  }

  void add_reformat(int from, int to, const char* layout) {
    node r;
    r.name = g.unique_node_name(g.tensors[to].name);
    r.op_type = "Reformat";
    r.domain = "mirt";
    r.attributes.set(attribute{"to", MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {layout}});
    r.inputs = {from};
    r.outputs = {to};
    g.nodes.push_back(std::move(r));
    ++reformats;
  }

  // The channels-last version of NCHW tensor t, made by a Reformat the first time.
  int nhwc_input(int t) {
    auto it = nhwc_of.find(t);
    if (it != nhwc_of.end()) return it->second;
    const int n = twin(t, "/nhwc");
    add_reformat(t, n, "NHWC");
    return nhwc_of[t] = n;
  }
};

// A Reformat into a region whose input only a Cast from float32 reads (the precision pass's Cast
// at an image input) converts as it moves, and the Cast goes: one pass over the image, not two.
// Before g.reindex(): producers of the original tensors are still current. Returns the count.
size_t fold_input_casts(graph& g, const std::vector<tensor_type>& types, size_t original_tensors) {
  const std::vector<int> readers = g.reader_counts();
  std::vector<bool> drop(g.nodes.size(), false);
  size_t folded = 0;
  for (node& r : g.nodes) {
    if (r.domain != "mirt" || r.op_type != "Reformat" || r.attributes.get_string("to", "") != "NHWC") continue;
    const int t = r.inputs[0];
    if (t < 0 || size_t(t) >= original_tensors || readers[t] != 1 || g.tensors[t].is_output) continue;
    const int p = g.tensors[t].producer;
    if (p < 0 || drop[p]) continue;
    const node& c = g.nodes[p];
    if (!c.domain.empty() || c.op_type != "Cast" || c.inputs.empty() || c.inputs[0] < 0 || c.outputs.size() != 1) continue;
    if (types[c.inputs[0]].dtype != MIRT_DTYPE_FLOAT32 || !is_half(types[t].dtype)) continue;
    r.attributes.set(attribute{"dtype", MIRT_ATTRIBUTE_TYPE_INT, {c.attributes.get_int("to", 0)}, {}, {}});
    r.inputs[0] = c.inputs[0];
    drop[p] = true;
    ++folded;
  }
  if (folded == 0) return 0;
  std::vector<node> kept;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
  return folded;
}

status choose_layout(build_state& state) {
  if (state.options.optimization_level == 0) return {};
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  graph& g = state.network;
  layout_rewriter r{state, g, state.target->name() == "cpu", {}, {}, {}};
  const size_t original_nodes = g.nodes.size();
  const size_t original_tensors = g.tensors.size();

  // Whether the backend runs a channels-last FusedConv and the Reformat layer at all.
  auto backend_takes = [&](const node& n, const std::vector<tensor_type>& types) {
    node_view view(g, n, types, state.options.precision_flags);
    result<std::vector<mirt_tactic_info>> tactics = state.target->tactics(view.info());
    return tactics.ok() && !tactics->empty();
  };

  std::vector<bool> in_region(original_nodes, false);
  std::vector<bool> nhwc_tensor(original_tensors, false);  // tensors a region layer writes
  bool reformat_checked = false, reformat_ok = false;
  for (int index : state.order) {
    const node& n = g.nodes[index];
    bool join = false;
    if (is_conv(n) && r.conv_fits(n)) {
      join = backend_takes(r.as_nhwc(n), state.types);
      if (join && !reformat_checked) {
        node probe;
        probe.op_type = "Reformat";
        probe.domain = "mirt";
        probe.attributes.set(attribute{"to", MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {"NHWC"}});
        probe.inputs = {n.inputs[0]};
        probe.outputs = {n.inputs[0]};
        reformat_ok = backend_takes(probe, state.types);
        reformat_checked = true;
      }
      join = join && reformat_ok;
    } else if (r.pool_fits(n) && nhwc_tensor[n.inputs[0]]) {
      join = backend_takes(r.as_nhwc(n), state.types);
    } else if (is_elementwise(n) && !n.outputs.empty() && r.known_4d(n.outputs[0])) {
      bool any_nhwc = false, all_fit = true;
      for (int t : n.inputs) {
        if (t < 0) continue;
        any_nhwc = any_nhwc || nhwc_tensor[t];
        all_fit = all_fit && state.types[t].shape == state.types[n.outputs[0]].shape;
      }
      join = any_nhwc && all_fit && n.outputs.size() == 1;
    }
    if (!join) continue;
    in_region[index] = true;
    for (int t : g.nodes[index].outputs)
      if (t >= 0) nhwc_tensor[t] = true;
  }
  drop_single_conv_regions(g, state.types, in_region);
  std::fill(nhwc_tensor.begin(), nhwc_tensor.end(), false);
  for (size_t i = 0; i < original_nodes; ++i)
    if (in_region[i])
      for (int t : g.nodes[i].outputs)
        if (t >= 0) nhwc_tensor[size_t(t)] = true;

  // Region layers write twins and read twins; layers outside read the NCHW tensors.
  size_t layers = 0;
  for (size_t i = 0; i < original_nodes; ++i) {
    if (!in_region[i]) continue;
    ++layers;
    node& n = g.nodes[i];
    if (is_conv(n) || r.pool_fits(n)) n = r.as_nhwc(n);
    for (int& t : n.outputs) {
      if (t < 0) continue;
      const int nhwc = r.twin(t, "/nhwc");
      r.nhwc_of[t] = nhwc;
      r.nchw_source[t] = nhwc;
      g.tensors[t].producer = -1;
      t = nhwc;
    }
  }
  for (size_t i = 0; i < original_nodes; ++i) {
    const bool conv = is_conv(g.nodes[i]);
    for (size_t k = 0; k < g.nodes[i].inputs.size(); ++k) {  // g.nodes grows below: index again each time
      const int t = g.nodes[i].inputs[k];
      if (t < 0 || size_t(t) >= original_tensors) continue;
      const bool activation = !conv || k == 0 || k == 3;  // a conv's weights and bias keep their order
      if (in_region[i] && activation) {
        const int nhwc = r.nhwc_input(t);  // the twin, or a Reformat of an outside tensor
        g.nodes[i].inputs[k] = nhwc;
      } else if (nhwc_tensor[t]) {
        r.needs_nchw.insert(t);
      }
    }
  }
  for (int out : g.outputs)
    if (size_t(out) < original_tensors && nhwc_tensor[out]) r.needs_nchw.insert(out);
  for (int t : r.needs_nchw) r.add_reformat(r.nchw_source.at(t), t, "NCHW");
  if (layers == 0) return {};
  const size_t casts = fold_input_casts(g, state.types, original_tensors);

  MIRT_RETURN_IF_ERROR(state.reindex_and_infer());
  log_info("builder", "layout: ", layers, " layers channels-last (NHWC), ", r.reformats, " Reformat layers at the edges",
           casts ? cat(" (", casts, " converting from float32: their Cast folded in)") : std::string());
  return {};
}

}  // namespace

pass make_choose_layout_pass() { return {"choose layout", choose_layout}; }

}  // namespace mirt
