// core/builder/builder.cpp — the build pipeline: passes in order, progress, timing, serialization.
#include "core/builder/builder.hpp"

#include <chrono>
#include <filesystem>

#include "core/base/log.hpp"
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plan/plan_writer.hpp"
#include "core/plugin/plugin_instance.hpp"

namespace mirt {

status build_state::report(const char* phase, uint64_t done, uint64_t total) const {
  if (options.progress && options.progress(options.progress_user_data, phase, done, total))
    return make_error(MIRT_STATUS_FAILED_PRECONDITION, "the build was cancelled by the progress callback during ",
                      phase);
  return {};
}

status build_state::acquire_target() {
  if (!target) {
    MIRT_ASSIGN_OR_RETURN(target, backend::acquire(options.backend, options.device_id));
  }
  return {};
}

mirt_dtype build_state::reduced_dtype() const {
  const uint32_t flags = options.precision_flags;
  return (flags & MIRT_PRECISION_FLAG_FP16)   ? MIRT_DTYPE_FLOAT16
         : (flags & MIRT_PRECISION_FLAG_BF16) ? MIRT_DTYPE_BFLOAT16
                                              : MIRT_DTYPE_UNDEFINED;
}

bool build_state::target_runs_as(const graph& g, const node& candidate, std::vector<tensor_type> types, mirt_dtype dtype) const {
  if (dtype != MIRT_DTYPE_UNDEFINED) {
    for (int t : candidate.inputs)
      if (t >= 0 && types[t].dtype == MIRT_DTYPE_FLOAT32) types[t].dtype = dtype;
    for (int t : candidate.outputs) types[t].dtype = dtype;
  }
  const node_view view(g, candidate, types, options.precision_flags);
  result<std::vector<mirt_tactic_info>> tactics = target->tactics(view.info());
  return tactics.ok() && !tactics->empty();
}

bool build_state::target_runs(const node& candidate) const {
  if (!target_runs_as(network, candidate, types, MIRT_DTYPE_UNDEFINED)) return false;
  const mirt_dtype reduced = reduced_dtype();
  return reduced == MIRT_DTYPE_UNDEFINED || target_runs_as(network, candidate, types, reduced);
}

status build_state::remove_nodes(const std::vector<bool>& removed) {
  std::vector<node> kept;
  for (size_t n = 0; n < network.nodes.size(); ++n)
    if (!removed[n]) kept.push_back(std::move(network.nodes[n]));
  network.nodes = std::move(kept);
  return reindex_and_infer();
}

status build_state::reindex_and_infer() {
  network.reindex();
  MIRT_ASSIGN_OR_RETURN(order, topological_order(network));
  return infer_again();
}

status build_state::infer_again() {
  if (static_shapes) {
    MIRT_ASSIGN_OR_RETURN(types, infer_types(network, order, profile_shapes(0, 1), profile_values(0, 1)));
  } else {
    MIRT_ASSIGN_OR_RETURN(types, infer_types(network, order));
  }
  return {};
}

std::unordered_map<int, std::vector<int64_t>> build_state::profile_shapes(size_t p, int which) const {
  std::unordered_map<int, std::vector<int64_t>> shapes;
  for (const profile_input& in : profiles[p].inputs)
    shapes[in.tensor] = which == 0 ? in.min : which == 1 ? in.opt : in.max;
  return shapes;
}

std::unordered_map<int, std::vector<int64_t>> build_state::profile_values(size_t p, int which) const {
  std::unordered_map<int, std::vector<int64_t>> values;
  for (const profile_input& in : profiles[p].inputs)
    if (in.is_shape_tensor()) values[in.tensor] = which == 0 ? in.min_values : which == 1 ? in.opt_values : in.max_values;
  return values;
}

result<plan_model> build_plan_model(const graph& network, const build_options& options) {
  const auto start = std::chrono::steady_clock::now();
  build_state state;
  state.options = options;
  state.network = network;
  state.network.reindex();
  for (const auto& [name, dtype] : options.layer_precisions) {
    bool found = false;
    for (const node& n : state.network.nodes) found = found || n.name == name;
    if (!found)
      return make_error(MIRT_STATUS_NOT_FOUND, "a precision constraint (", mirt_dtype_name(dtype),
                        ") names layer '", name, "', which the network does not have");
  }

  const std::vector<pass> passes = {make_validate_pass(),           make_infer_shapes_pass(),
                                    make_inline_constant_if_pass(), make_fold_constants_pass(),
                                    make_fold_batch_norm_pass(),    make_fuse_conv_activation_pass(),
                                    make_fuse_matmul_bias_pass(),   make_fuse_elementwise_pass(),
                                    make_eliminate_dead_code_pass(),
                                    make_fuse_attention_pass(),  // after DCE: dead Shape readers gone
                                    make_pack_attention_inputs_pass(),
                                    make_fold_attention_mask_pass(),
                                    make_fuse_embed_layer_norm_pass(),  // first: at batch 1 its last Add is a residual pattern too
                                    make_fuse_skip_layer_norm_pass(),
                                    make_assign_precision_pass(),
                                    make_fold_casts_pass(),
                                    make_eliminate_dead_code_pass(),  // the weights the passes above replaced
                                    make_choose_layout_pass(),
                                    make_prepare_plugins_pass(),    make_compile_bodies_pass(),
                                    make_select_kernels_pass(),     make_plan_memory_pass()};
  for (size_t i = 0; i < passes.size(); ++i) {
    MIRT_RETURN_IF_ERROR(state.report(passes[i].name.c_str(), i, passes.size()));
    const auto pass_start = std::chrono::steady_clock::now();
    MIRT_RETURN_IF_ERROR(passes[i].run(state));
    log_verbose("builder", passes[i].name, ": ", state.network.nodes.size(), " layers, ",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - pass_start).count(),
                " ms");
  }
  MIRT_RETURN_IF_ERROR(state.report("done", passes.size(), passes.size()));

  plan_model plan;
  plan.backend_name = state.target->name();
  plan.backend_version = state.target->version();
  plan.device_signature = state.target->device_signature();
  plan.precision_flags = options.precision_flags;
  // The plan's nodes are stored in execution order.
  graph ordered = state.network;
  ordered.nodes.clear();
  for (int n : state.order) ordered.nodes.push_back(state.network.nodes[n]);
  for (size_t t = 0; t < ordered.tensors.size(); ++t) {
    ordered.tensors[t].dtype = state.types[t].dtype;
    if (ordered.tensors[t].constant < 0 && !ordered.tensors[t].is_input) {
      ordered.tensors[t].shape = state.types[t].shape;
      ordered.tensors[t].rank_known = state.types[t].rank_known;
    }
  }
  ordered.reindex();
  // Plugin layers, with the library their creator came from so a runtime can load it again.
  for (size_t n = 0; n < ordered.nodes.size(); ++n) {
    const node& x = ordered.nodes[n];
    if (const plugin_creator_record* r = find_plugin_creator(x))
      plan.plugins.push_back({static_cast<int>(n), r->name, r->version, r->plugin_namespace,
                              std::filesystem::path(r->library_path).filename().string()});
  }
  plan.network = std::move(ordered);
  plan.kernels = std::move(state.kernels);
  plan.profiles = std::move(state.profiles);
  plan.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return plan;
}

result<std::vector<std::byte>> build_plan(const graph& network, const build_options& options) {
  MIRT_ASSIGN_OR_RETURN(plan_model plan, build_plan_model(network, options));
  return write_plan(plan);
}

}  // namespace mirt
