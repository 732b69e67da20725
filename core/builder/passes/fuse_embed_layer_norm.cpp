// core/builder/passes/fuse_embed_layer_norm.cpp — turns an embedding lookup, the constant rows
// added to it and the LayerNormalization after them into one mirt::EmbedLayerNormalization layer,
// where the target backend has a kernel for it.
//
// BERT-style encoders start so: Gather(word table, input_ids) + token type rows + position rows
// (both constants once fold_constants has run), then LayerNorm. Unfused that is a gather, two
// broadcast Adds over the whole activation and a LayerNorm, all float32 (assign_precision's regions
// start at GEMMs); fused, one kernel reads a table row and an addend row per output row, and as an
// anchor of a reduced region it reads FP16 tables in an FP16 build.
//
// The pattern: a LayerNormalization over the last axis (Mean/InvStdDev unread) whose input is a
// tree of Adds, each intermediate read once and not a graph output, with exactly one leaf a Gather
// (axis 0) of a rank-2 float32 constant table and every other leaf a float32 constant. The
// constants are summed (float64, numpy broadcasting) into one Addend; where that sum does not
// repeat by whole rows over the output (the kernels' Addend), the layers stay.
#include <functional>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

bool standard(const node& n, const char* op) { return n.op_type == op && n.domain.empty(); }

bool known_shape(const dims& shape) {
  for (const dim& d : shape)
    if (!d.known()) return false;
  return true;
}

// The Add tree under a LayerNormalization's input.
struct embedding {
  int gather = -1;              // node index
  std::vector<int> adds;        // node indices
  std::vector<int> constants;   // tensor indices of the constant leaves (a tensor may repeat)
};

class matcher {
 public:
  matcher(const build_state& state, const std::vector<int>& readers, const std::vector<bool>& removed)
      : state_(state), g_(state.network), readers_(readers), removed_(removed) {}

  // Whether tensor t (read by the pattern) is a leaf or an Add subtree of the pattern; fills e.
  bool collect(int t, embedding& e, int depth = 0) const {
    if (t < 0 || depth > 8) return false;
    const tensor& x = g_.tensors[t];
    if (x.constant >= 0) {
      if (x.dtype != MIRT_DTYPE_FLOAT32 || !known_shape(x.shape)) return false;
      e.constants.push_back(t);
      return true;
    }
    // An intermediate: computed for the pattern alone.
    if (size_t(t) >= readers_.size() || readers_[t] != 1 || x.is_output || x.producer < 0 || removed_[x.producer]) return false;
    const node& n = g_.nodes[x.producer];
    if (standard(n, "Add") && n.inputs.size() == 2) {
      e.adds.push_back(x.producer);
      return collect(n.inputs[0], e, depth + 1) && collect(n.inputs[1], e, depth + 1);
    }
    if (!standard(n, "Gather") || e.gather >= 0 || n.inputs.size() != 2) return false;
    const int64_t axis = n.attributes.get_int("axis", 0);
    const tensor& table = g_.tensors[n.inputs[0]];
    const mirt_dtype index_dtype = state_.types[n.inputs[1]].dtype;
    if ((axis != 0 && axis != -2) || table.constant < 0 || table.dtype != MIRT_DTYPE_FLOAT32 || table.shape.size() != 2 ||
        !known_shape(table.shape) || (index_dtype != MIRT_DTYPE_INT32 && index_dtype != MIRT_DTYPE_INT64))
      return false;
    e.gather = x.producer;
    return true;
  }

 private:
  const build_state& state_;
  const graph& g_;
  const std::vector<int>& readers_;
  const std::vector<bool>& removed_;
};

struct summed {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// The constant leaves added up with numpy broadcasting, in float64, rounded once.
summed sum_constants(const graph& g, const std::vector<int>& leaves) {
  summed s;
  for (int t : leaves) {
    const dims& shape = g.tensors[t].shape;
    if (shape.size() > s.shape.size()) s.shape.insert(s.shape.begin(), shape.size() - s.shape.size(), 1);
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t& out = s.shape[s.shape.size() - shape.size() + d];
      if (out == 1) out = shape[d].value;
      else if (shape[d].value != 1 && shape[d].value != out) return {};  // the network would not have validated
    }
  }
  std::vector<double> acc(size_t(element_count(make_dims(s.shape))), 0.0);
  for (int t : leaves) {
    const float* v = static_cast<const float*>(g.constants[g.tensors[t].constant].data());
    const dims& shape = g.tensors[t].shape;
    const size_t offset = s.shape.size() - shape.size();
    for (size_t i = 0; i < acc.size(); ++i) {
      // The leaf's element under output position i: its own dims, a 1 repeating.
      size_t rest = i, at = 0, stride = 1;
      for (size_t d = s.shape.size(); d-- > 0;) {
        const size_t coordinate = rest % size_t(s.shape[d]);
        rest /= size_t(s.shape[d]);
        if (d < offset) continue;
        const size_t extent = size_t(shape[d - offset].value);
        if (extent != 1) at += coordinate * stride;
        stride *= extent;
      }
      acc[i] += double(v[at]);
    }
  }
  s.values.assign(acc.begin(), acc.end());
  return s;
}

// Whether an Addend of `shape` repeats by whole rows over `out`: without its leading 1s, it matches
// out's last dims.
bool repeats_by_rows(std::vector<int64_t> shape, const dims& out) {
  while (!shape.empty() && shape.front() == 1) shape.erase(shape.begin());
  if (shape.size() > out.size()) return false;
  for (size_t d = 0; d < shape.size(); ++d) {
    const dim& o = out[out.size() - shape.size() + d];
    if (!o.known() || o.value != shape[d]) return false;
  }
  return true;
}

status fuse(build_state& state) {
  if (!state.options.layer_precisions.empty()) return {};  // constraints name the layers this would hide
  graph& g = state.network;
  const std::vector<int> readers = g.reader_counts();
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  std::vector<bool> removed(g.nodes.size(), false);
  const matcher match(state, readers, removed);
  const mirt_dtype reduced = state.reduced_dtype();
  std::vector<tensor_type> types = state.types;  // and the Addends this pass adds
  size_t fused = 0;
  const size_t original_nodes = g.nodes.size();
  for (size_t n = 0; n < original_nodes; ++n) {
    const node& ln = g.nodes[n];
    if (!standard(ln, "LayerNormalization") || ln.inputs.size() < 2 || ln.attributes.get_int("stash_type", 1) != 1) continue;
    bool stats_read = false;
    for (size_t o = 1; o < ln.outputs.size(); ++o)
      stats_read = stats_read || (ln.outputs[o] >= 0 && (readers[ln.outputs[o]] > 0 || g.tensors[ln.outputs[o]].is_output));
    const tensor_type& x = state.types[ln.inputs[0]];
    const int64_t axis = ln.attributes.get_int("axis", -1);
    if (stats_read || x.dtype != MIRT_DTYPE_FLOAT32 || x.rank() == 0 || (axis != -1 && axis != int64_t(x.rank()) - 1)) continue;
    embedding e;
    if (!match.collect(ln.inputs[0], e) || e.gather < 0) continue;
    const node& gather = g.nodes[e.gather];
    const int table = gather.inputs[0];
    const dim hidden = g.tensors[table].shape[1];
    const tensor_type& rows = state.types[gather.outputs[0]];
    // The constants must not broadcast the gathered rows to a larger shape.
    if (!(rows.shape == x.shape)) continue;
    bool params_fit = true;
    for (size_t i = 1; i < ln.inputs.size(); ++i) {
      const tensor_type& p = state.types[ln.inputs[i]];
      params_fit = params_fit && (ln.inputs[i] < 0 || (p.dtype == MIRT_DTYPE_FLOAT32 && p.rank() == 1 && p.shape[0] == hidden));
    }
    if (!params_fit) continue;

    int addend = -1;
    if (e.constants.size() == 1) {
      addend = e.constants[0];
    } else if (!e.constants.empty()) {
      summed s = sum_constants(g, e.constants);
      if (s.values.empty()) continue;
      if (!repeats_by_rows(s.shape, rows.shape)) continue;
      tensor t;
      t.name = g.unique_tensor_name(ln.name + "/embedding_addend");
      t.dtype = MIRT_DTYPE_FLOAT32;
      t.shape = make_dims(s.shape);
      t.rank_known = true;
      t.constant = static_cast<int>(g.constants.size());
      g.constants.push_back(constant_buffer::copy_of(s.values.data(), s.values.size() * sizeof(float)));
      addend = g.add_tensor(std::move(t));
      types.push_back(tensor_type{MIRT_DTYPE_FLOAT32, make_dims(s.shape), true, std::nullopt});
    }
    if (addend >= 0) {
      std::vector<int64_t> shape;
      for (const dim& d : g.tensors[addend].shape) shape.push_back(d.value);
      if (!repeats_by_rows(shape, rows.shape)) continue;
    }

    node candidate;
    candidate.name = ln.name;
    candidate.op_type = "EmbedLayerNormalization";
    candidate.domain = "mirt";
    candidate.inputs = {gather.inputs[1], table, addend, ln.inputs[1]};
    if (ln.inputs.size() > 2 && ln.inputs[2] >= 0) candidate.inputs.push_back(ln.inputs[2]);
    candidate.outputs = {ln.outputs[0]};
    candidate.attributes.set(attribute{"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {ln.attributes.get_float("epsilon", 1e-5f)}, {}});
    // As target_runs, with the new Addend's type: in FP16/BF16 builds the layer anchors a reduced
    // region, so it must run in that type too. (A refused sum stays behind as a dead constant.)
    if (!state.target_runs_as(g, candidate, types, MIRT_DTYPE_UNDEFINED) ||
        (reduced != MIRT_DTYPE_UNDEFINED && !state.target_runs_as(g, candidate, types, reduced)))
      continue;
    g.nodes[n] = std::move(candidate);
    removed[e.gather] = true;
    for (int a : e.adds) removed[a] = true;
    ++fused;
  }
  if (fused == 0) return {};
  MIRT_RETURN_IF_ERROR(state.remove_nodes(removed));
  log_info("builder", "fused ", fused, " embedding Gathers, the constant Adds after them and their LayerNormalization into ",
           "EmbedLayerNormalization layers");
  return {};
}

}  // namespace

pass make_fuse_embed_layer_norm_pass() { return {"fuse embed layer norm", fuse}; }

}  // namespace mirt
