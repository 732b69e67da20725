// core/builder/build_state.hpp — what the build passes read and write, and the pass interface.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/builder/build_options.hpp"
#include "core/graph/graph.hpp"
#include "core/graph/op_schema.hpp"
#include "core/plan/plan_model.hpp"
#include "core/runtime/backend.hpp"

namespace mirt {

struct build_state {
  build_options options;
  graph network;                    // edited by the passes
  std::vector<int> order;           // topological node order, kept current by passes that edit nodes
  std::vector<tensor_type> types;   // symbolic types per tensor (declared dims, -1 where dynamic)
  std::vector<plan_profile> profiles;  // input ranges; memory plans are filled by plan_memory
  std::shared_ptr<backend> target;  // the backend kernels are chosen from
  std::vector<kernel_choice> kernels;  // per node of `order`, filled by select_kernels
  // One profile fixes every input's shape: `types` are inferred at that point (infer_shapes).
  bool static_shapes = false;

  // Tells the progress callback (if any) how far `phase` is; fails (FAILED_PRECONDITION) when the
  // callback asks to cancel. Long passes call it per layer, so a terminal shows a moving bar.
  status report(const char* phase, uint64_t done, uint64_t total) const;

  // Acquires `target` (the options' backend on the options' device) unless a pass already did.
  status acquire_target();

  // Whether the target has a kernel for a fused candidate node (not yet in the network) at the
  // network's types; in an FP16/BF16 build also in that type, so that fusing never pins a layer to
  // float32 where the unfused layers would have run in the reduced type. Needs acquire_target().
  bool target_runs(const node& candidate) const;
  // The float type of FP16/BF16 builds (float16, bfloat16), else UNDEFINED.
  mirt_dtype reduced_dtype() const;
  // Whether the target has a kernel for candidate over g at `types`, with its float32 inputs and
  // its outputs taken as `dtype` (UNDEFINED: as they are). target_runs asks it twice; a pass whose
  // layer anchors a reduced region asks it for reduced_dtype() alone. Needs acquire_target().
  bool target_runs_as(const graph& g, const node& candidate, std::vector<tensor_type> types, mirt_dtype dtype) const;

  // Drops the nodes marked in `removed` (indexed like network.nodes), then reindex_and_infer().
  status remove_nodes(const std::vector<bool>& removed);

  // After a pass edited the nodes: brings the tensor index, the topological order and the types up
  // to date (infer_again()).
  status reindex_and_infer();
  // Infers `types` again: at the static profile's point (with its shape tensor values) when
  // static_shapes, else symbolically.
  status infer_again();

  // Concrete shapes of every graph input for profile p at min/opt/max (0/1/2).
  std::unordered_map<int, std::vector<int64_t>> profile_shapes(size_t p, int which) const;
  // Values of every shape tensor input for profile p at min/opt/max (0/1/2).
  std::unordered_map<int, std::vector<int64_t>> profile_values(size_t p, int which) const;
};

struct pass {
  std::string name;
  std::function<status(build_state&)> run;
};

// Passes, in the order the builder runs them (one file each in core/builder/passes/).
pass make_validate_pass();
pass make_infer_shapes_pass();
pass make_inline_constant_if_pass();  // If layers whose condition is known become their branch
pass make_fold_constants_pass();
pass make_fold_batch_norm_pass();
pass make_fuse_conv_activation_pass();
pass make_fuse_matmul_bias_pass();
pass make_fuse_elementwise_pass();  // groups of elementwise layers over one input become one layer
pass make_eliminate_dead_code_pass();
pass make_fuse_attention_pass();
pass make_pack_attention_inputs_pass();  // Q, K and V Linear layers of a FusedAttention become one
pass make_fold_attention_mask_pass();  // FusedAttention reads the integer padding mask its additive mask was an affine map of
pass make_fuse_skip_layer_norm_pass();
pass make_fuse_embed_layer_norm_pass();  // embedding Gather + constant Adds + LayerNorm become one layer
pass make_assign_precision_pass();
pass make_fold_casts_pass();  // a reduced layer writes float32 itself in place of the Cast after it
pass make_choose_layout_pass();
pass make_prepare_plugins_pass();  // core/plugin/prepare_plugins.cpp
pass make_compile_bodies_pass();  // control-flow bodies become nested plans
pass make_select_kernels_pass();
pass make_plan_memory_pass();

}  // namespace mirt
