// backends/cuda/host.hpp — the CUDA backend's namespace sees everything backends/support offers
// (host statuses, errors, shapes, node views).
#pragma once

#include "backends/support/host.hpp"
#include "backends/support/node_view.hpp"
#include "backends/support/shape.hpp"

namespace mirt::cuda {
using namespace mirt::support;
}  // namespace mirt::cuda
