// core/plan/plan_model.hpp — the content of a plan in memory: what the builder produces, the plan
// writer serializes, the plan reader restores and the runtime executes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/graph/graph.hpp"

namespace mirt {

// The shape range of one graph input in one profile, and for a shape tensor input (one whose
// values feed shape operands, read on the host at run time) the elementwise range of its values.
struct profile_input {
  int tensor = -1;  // index into plan_model::network.tensors
  std::vector<int64_t> min, opt, max;
  bool shape_tensor = false;
  std::vector<int64_t> min_values, opt_values, max_values;  // one per element; empty unless shape_tensor

  bool is_shape_tensor() const { return shape_tensor; }
};

// Where each tensor lives in a context's activation arena, for one profile.
struct memory_plan {
  std::vector<int64_t> tensor_offsets;  // per tensor; -1 for I/O, constants and unused tensors
  uint64_t arena_size = 0;              // bytes
  // Per tensor: the graph input whose bytes it is (the output of a view layer over that input, or
  // over such a view), which the runtime reads in the input's own buffer; else -1. Empty: none.
  std::vector<int32_t> input_aliases;
};

struct plan_profile {
  std::vector<profile_input> inputs;
  memory_plan memory;
};

// The kernel chosen for one node.
struct kernel_choice {
  uint64_t tactic_id = 0;
  std::string tactic_name;
};

// A plugin layer of the plan and where its creator came from.
struct plugin_ref {
  int node = -1;  // index into plan_model::network.nodes
  std::string name, version, plugin_namespace;
  std::string library;  // file name; empty when the application registered the creator
};

struct plan_model {
  // Stamped by the writer from MIRT_VERSION_*; the reader fills them from the header.
  uint32_t mirt_major = 0, mirt_minor = 0, mirt_patch = 0;
  std::string backend_name;
  std::string backend_version;
  std::string device_signature;
  uint32_t precision_flags = 0;
  double build_seconds = 0;
  // Nodes are in execution (topological) order; tensors carry final dtypes and declared shapes
  // (-1 where dynamic); constants hold the weights.
  graph network;
  std::vector<kernel_choice> kernels;  // one per node
  std::vector<plan_profile> profiles;  // at least one
  std::vector<plugin_ref> plugins;     // one per plugin layer

  // Filled by read_plan from the header; zero in a model that was not read from a plan. The
  // writer ignores them (it computes its own).
  uint32_t plan_format_version = 0;
  uint64_t plan_checksum = 0;        // XXH3_64bits stored in the header
  uint64_t plan_metadata_size = 0;   // bytes of the FlatBuffers metadata section
  uint64_t plan_weights_size = 0;    // bytes of the weights section
};

}  // namespace mirt
