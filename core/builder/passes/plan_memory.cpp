// core/builder/passes/plan_memory.cpp — places intermediate tensors in one activation arena per
// profile: tensors whose lifetimes do not overlap share bytes, elementwise layers write over an
// input that dies at them (in place), and reshape-like layers (the same bytes under another shape)
// give their output the bytes of an input that dies at them, so their copy finds source and
// destination at one address and does nothing (both backends' copy kernels skip that case). A view
// of a graph input reads the input's own buffer (memory_plan::input_aliases) for the same reason.
#include <algorithm>
#include <set>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

constexpr uint64_t alignment = 256;  // enough for any vector load and for GPU backends

uint64_t align_up(uint64_t n) { return (n + alignment - 1) / alignment * alignment; }

// A block of the arena shared by a chain of in-place tensors.
struct buffer {
  uint64_t size = 0;
  int first = 0, last = 0;  // step range during which it is live
  int64_t offset = -1;
};

bool same_shape(const tensor_type& a, const tensor_type& b) {
  if (a.rank() != b.rank() || a.dtype != b.dtype) return false;
  for (size_t i = 0; i < a.rank(); ++i) {
    const dim& x = a.shape[i];
    const dim& y = b.shape[i];
    if (x.known() != y.known()) return false;
    if (x.known() ? x.value != y.value : (x.symbol.empty() || x.symbol != y.symbol)) return false;
  }
  return true;
}

// Layers whose output holds the input's bytes unchanged (only the shape differs).
bool is_view(const node& n) {
  static const std::set<std::string, std::less<>> ops = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"};
  return n.domain.empty() && ops.count(n.op_type) > 0;
}

status plan_profile_memory(build_state& state, size_t p) {
  const graph& g = state.network;
  // Sizes at the max shapes and max shape-tensor values; a context whose values give a tensor more
  // bytes than this gives it its own buffer (see context::refresh_shapes).
  // When the max values do not infer (see infer_shapes), the opt values size the arena.
  result<std::vector<tensor_type>> at_max =
      infer_types(g, state.order, state.profile_shapes(p, 2), state.profile_values(p, 2));
  if (!at_max.ok()) at_max = infer_types(g, state.order, state.profile_shapes(p, 1), state.profile_values(p, 1));
  MIRT_ASSIGN_OR_RETURN(std::vector<tensor_type> max_types, std::move(at_max));
  const size_t steps = state.order.size();
  std::vector<int> def(g.tensors.size(), -1), last_use(g.tensors.size(), -1);
  for (size_t s = 0; s < steps; ++s) {
    const node& n = g.nodes[state.order[s]];
    for (int t : n.outputs) def[t] = static_cast<int>(s);
    for (int t : n.inputs)
      if (t >= 0) last_use[t] = static_cast<int>(s);
  }
  // A view of a graph input (or of such a view) that is no graph output reads the input's own
  // buffer: no arena bytes, no copy, and no layer writes over it in place (it is not in_arena), as
  // nothing may write into a user's input.
  std::vector<int32_t> alias(g.tensors.size(), -1);
  bool any_alias = false;
  for (size_t s = 0; s < steps; ++s) {
    const node& n = g.nodes[state.order[s]];
    if (!is_view(n) || n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1) continue;
    const int source = n.inputs[0], t = n.outputs[0];
    const int32_t input = g.tensors[source].is_input ? source : alias[source];
    if (input < 0 || g.tensors[t].is_output || g.tensors[t].is_input || state.types[t].dtype != state.types[source].dtype)
      continue;
    alias[t] = input;
    any_alias = true;
  }
  auto in_arena = [&](int t) {
    const tensor& x = g.tensors[t];
    return !x.is_input && !x.is_output && x.constant < 0 && def[t] >= 0 && alias[t] < 0;
  };

  std::vector<int> buffer_of(g.tensors.size(), -1);
  std::vector<buffer> buffers;
  for (size_t s = 0; s < steps; ++s) {
    const node& n = g.nodes[state.order[s]];
    const op_schema* schema = schema_table::standard().find(n.domain, n.op_type);
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      int t = n.outputs[o];
      if (!in_arena(t)) continue;
      uint64_t bytes = align_up(uint64_t(std::max<int64_t>(element_count(max_types[t].shape), 0)) *
                                mirt_dtype_size(max_types[t].dtype));
      int end = std::max(last_use[t], static_cast<int>(s));
      const bool view = is_view(n);
      const size_t from = schema && !view ? size_t(schema->in_place_input) : 0;
      int source = o == 0 && ((schema && schema->may_run_in_place) || view) && n.inputs.size() > from ? n.inputs[from] : -1;
      const bool fits = source >= 0 && (view ? state.types[source].dtype == state.types[t].dtype
                                             : same_shape(state.types[source], state.types[t]));
      if (fits && in_arena(source) && last_use[source] == static_cast<int>(s) && buffer_of[source] >= 0) {
        buffer& b = buffers[buffer_of[source]];
        b.size = std::max(b.size, bytes);
        b.last = std::max(b.last, end);
        buffer_of[t] = buffer_of[source];
        continue;
      }
      buffer_of[t] = static_cast<int>(buffers.size());
      buffers.push_back({bytes, static_cast<int>(s), end, -1});
    }
  }

  // Greedy by size: the largest buffers take the lowest free offsets among those live at once.
  std::vector<size_t> by_size(buffers.size());
  for (size_t i = 0; i < by_size.size(); ++i) by_size[i] = i;
  std::stable_sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) { return buffers[a].size > buffers[b].size; });
  uint64_t arena = 0;
  std::vector<size_t> placed;
  for (size_t i : by_size) {
    buffer& b = buffers[i];
    std::vector<std::pair<uint64_t, uint64_t>> taken;
    for (size_t j : placed) {
      const buffer& o = buffers[j];
      if (o.first <= b.last && b.first <= o.last) taken.push_back({uint64_t(o.offset), uint64_t(o.offset) + o.size});
    }
    std::sort(taken.begin(), taken.end());
    uint64_t offset = 0;
    for (const auto& [lo, hi] : taken) {
      if (offset + b.size <= lo) break;
      offset = std::max(offset, hi);
    }
    b.offset = static_cast<int64_t>(offset);
    arena = std::max(arena, offset + b.size);
    placed.push_back(i);
  }

  memory_plan& plan = state.profiles[p].memory;
  plan.tensor_offsets.assign(g.tensors.size(), -1);
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (buffer_of[t] >= 0) plan.tensor_offsets[t] = buffers[buffer_of[t]].offset;
  plan.arena_size = arena;
  plan.input_aliases.clear();
  if (any_alias) plan.input_aliases = std::move(alias);
  if (state.options.memory_limit_bytes && arena > state.options.memory_limit_bytes)
    return make_error(MIRT_STATUS_OUT_OF_MEMORY, "profile ", p, " needs ", arena,
                      " bytes of activation memory, above the builder's memory limit of ",
                      state.options.memory_limit_bytes, " bytes");
  uint64_t naive = 0;
  for (const buffer& b : buffers) naive += b.size;
  log_info("builder", "profile ", p, ": activation arena ", arena, " bytes for ", buffers.size(),
           " buffers (", naive, " bytes without reuse)");
  return {};
}

status plan_memory(build_state& state) {
  for (size_t p = 0; p < state.profiles.size(); ++p) MIRT_RETURN_IF_ERROR(plan_profile_memory(state, p));
  return {};
}

}  // namespace

pass make_plan_memory_pass() { return {"plan memory", plan_memory}; }

}  // namespace mirt
