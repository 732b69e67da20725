// core/builder/tactic_timer.hpp — times a layer's candidate kernels on the target device.
#pragma once

#include <vector>

#include "core/graph/graph.hpp"
#include "core/graph/op_schema.hpp"
#include "core/runtime/backend.hpp"

namespace mirt {

// The outcome of timing a layer: the index of the tactic kept, and whether it won a timing (false
// when nothing could be timed and the first tactic was kept by default).
struct tactic_choice {
  size_t index = 0;
  bool timed = false;
};

// Runs each tactic of node n at the concrete shapes in `types` (one per tensor of g) on buffers of
// the backend's memory: constants hold their data, other inputs zeros. Returns the index of the
// tactic with the lowest time (best of a few runs after a warm-up; by the device's clock, calls
// back to back, when the backend has a device timer, else by the host clock). Tactics that fail to create or
// run are skipped; when none runs, or a shape is unknown, the first tactic is kept. Kernels come
// from source (a plugin's) when given, else from target.
tactic_choice fastest_tactic(const backend& target, const graph& g, const node& n, const std::vector<tensor_type>& types,
                             const std::vector<mirt_tactic_info>& tactics, uint32_t precision_flags,
                             const kernel_source* source = nullptr);

}  // namespace mirt
