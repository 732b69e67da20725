// core/plan/plan_writer.hpp — serializes a plan_model into plan bytes.
#pragma once

#include <cstddef>
#include <vector>

#include "core/base/status.hpp"
#include "core/plan/plan_model.hpp"

namespace mirt {

// Serializes model into a plan: the 64-byte header of core/plan/plan_header.hpp, the FlatBuffers
// metadata of core/plan/plan.fbs and the weights section, each constant at a 64-byte aligned
// offset. The header is stamped with this library's MIRT_VERSION_*; model.mirt_* and model.plan_*
// are ignored. The output is deterministic: the same model gives the same bytes.
// Fails with INVALID_ARGUMENT naming the culprit when model breaks a rule of
// validate_plan_model (core/plan/plan_validate.hpp) or a constant has no bytes, and with
// OUT_OF_MEMORY when the plan cannot be allocated.
result<std::vector<std::byte>> write_plan(const plan_model& model);

}  // namespace mirt
