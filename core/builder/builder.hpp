// core/builder/builder.hpp — runs the build passes over a network and serializes the plan.
#pragma once

#include <vector>

#include "core/builder/build_options.hpp"
#include "core/graph/graph.hpp"
#include "core/plan/plan_model.hpp"

namespace mirt {

// Builds the in-memory plan of network (passes only, no serialization).
result<plan_model> build_plan_model(const graph& network, const build_options& options);

// Builds and serializes.
result<std::vector<std::byte>> build_plan(const graph& network, const build_options& options);

}  // namespace mirt
