// core/builder/passes/select_kernels.cpp — asks the target backend for each layer's tactics and
// records the choice: at optimization level 0 the backend's first (best-guess) tactic, above it
// the fastest one timed at the shapes of profile 0's opt point. Identical layers are timed once;
// with a timing cache file, layers whose key it holds take the recorded tactic untimed.
#include <cstring>
#include <iomanip>
#include <sstream>
#include <unordered_map>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/builder/tactic_timer.hpp"
#include "core/builder/timing_cache.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plugin/plugin_instance.hpp"

namespace mirt {

namespace {

// What makes two layers time alike: op, attributes, operand types and shapes, which are constant.
std::string timing_key(const graph& g, const node& n, const std::vector<tensor_type>& types) {
  std::ostringstream key;
  key << std::setprecision(9);  // floats round-trip, so attributes that differ give keys that differ
  key << n.domain << "::" << n.op_type;
  for (int t : n.inputs)
    key << '|' << (t < 0 ? "-" : cat(mirt_dtype_name(types[t].dtype), '[', to_string(types[t].shape), ']',
                                      g.tensors[t].constant >= 0 ? "c" : ""));
  for (int t : n.outputs) key << "|>" << mirt_dtype_name(types[t].dtype) << '[' << to_string(types[t].shape) << ']';
  for (const attribute& a : n.attributes.all()) {
    key << '|' << a.name << '=';
    for (int64_t v : a.ints) key << v << ',';
    for (float v : a.floats) key << v << ',';
    for (const std::string& v : a.strings) key << v << ',';
  }
  return key.str();
}

// What makes the same layer time differently elsewhere: the backend, its version, the device.
std::string target_key(const backend& target, uint32_t precision_flags) {
  return cat(target.name(), ' ', target.version(), " [", target.device_signature(), "] precision=", precision_flags, ' ');
}

std::string tactic_name(const mirt_tactic_info& t) { return std::string(t.name, strnlen(t.name, sizeof(t.name))); }

status select_kernels(build_state& state) {
  MIRT_RETURN_IF_ERROR(state.acquire_target());
  const bool timed = state.options.optimization_level > 0;
  std::vector<tensor_type> opt_types;
  if (timed) {
    MIRT_ASSIGN_OR_RETURN(opt_types, infer_types(state.network, state.order, state.profile_shapes(0, 1),
                                                   state.profile_values(0, 1)));
  }
  const std::string& cache_path = state.options.timing_cache_path;
  timing_cache cache;
  if (timed && !cache_path.empty()) {
    MIRT_ASSIGN_OR_RETURN(cache, timing_cache::load(cache_path));
    log_verbose("builder", "timing cache '", cache_path, "': ", cache.size(), " entries");
  }
  const std::string target = target_key(*state.target, state.options.precision_flags);
  size_t hits = 0, timings = 0;
  std::unordered_map<std::string, size_t> timed_here;  // identical layers of this build
  state.kernels.clear();
  for (size_t step = 0; step < state.order.size(); ++step) {
    MIRT_RETURN_IF_ERROR(state.report("select kernels", step, state.order.size()));
    const int index = state.order[step];
    const node& n = state.network.nodes[index];
    if (!n.bodies.empty()) {  // control flow: run by the core runtime (core/runtime/control_flow_kernel.cpp)
      state.kernels.push_back({0, "core_" + n.op_type});
      continue;
    }
    node_view view(state.network, n, state.types, state.options.precision_flags);
    // A plugin layer's tactics come from its plugin, through the same kernel interface.
    MIRT_ASSIGN_OR_RETURN(std::unique_ptr<plugin_kernel_source> plugin, plugin_kernels_of(n, state.target->name()));
    const kernel_source& source = plugin ? static_cast<const kernel_source&>(*plugin) : *state.target;
    result<std::vector<mirt_tactic_info>> tactics = source.tactics(view.info());
    if (!tactics.ok()) return tactics.error();
    size_t chosen = 0;
    if (timed && tactics->size() > 1) {
      const std::string key = target + timing_key(state.network, n, opt_types);
      const std::string* recorded = cache.find(key);
      size_t found = tactics->size();
      for (size_t i = 0; recorded && i < tactics->size(); ++i)
        if (tactic_name((*tactics)[i]) == *recorded) found = i;
      if (auto same = timed_here.find(key); same != timed_here.end()) {
        chosen = same->second;
      } else if (found < tactics->size()) {
        chosen = timed_here[key] = found;
        ++hits;
        log_verbose("builder", "layer '", n.name, "': tactic ", *recorded, " from the timing cache");
      } else {
        const tactic_choice choice = fastest_tactic(*state.target, state.network, n, opt_types, *tactics,
                                                    state.options.precision_flags, &source);
        chosen = timed_here[key] = choice.index;
        ++timings;
        // Only a real timing is recorded: a default kept when nothing ran is no measurement.
        if (choice.timed) cache.put(key, tactic_name((*tactics)[choice.index]));
      }
    }
    const mirt_tactic_info& tactic = (*tactics)[chosen];
    state.kernels.push_back({tactic.id, tactic_name(tactic)});
  }
  if (!cache_path.empty() && timed) {
    log_info("builder", "timing cache '", cache_path, "': ", hits, " layers from the cache, ", timings, " timed");
    if (cache.changed()) MIRT_RETURN_IF_ERROR(cache.save(cache_path));
  }
  return {};
}

}  // namespace

pass make_select_kernels_pass() { return {"select kernels", select_kernels}; }

}  // namespace mirt
