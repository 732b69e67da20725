// core/runtime/control_flow_kernel.hpp — the kernel of an If, Loop or Scan layer: the core runtime
// runs it itself, each body a nested plan whose layers use the backend's own kernels.
#pragma once

#include <memory>

#include "core/graph/graph.hpp"
#include "core/runtime/backend.hpp"

namespace mirt {

// Loads n's bodies (nested plans, each with its backend and kernels) and returns the layer's kernel.
// Errors name the layer and the body.
result<std::unique_ptr<kernel>> make_control_flow_kernel(const node& n);

}  // namespace mirt
