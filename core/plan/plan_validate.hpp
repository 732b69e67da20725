// core/plan/plan_validate.hpp — the consistency rules every plan_model obeys.
#pragma once

#include "core/base/status.hpp"
#include "core/plan/plan_model.hpp"

namespace mirt {

// Checks the indices, counts and ranges of model: node inputs and outputs refer to existing
// tensors, producers match the nodes that output them, constants exist, graph inputs and outputs
// agree with the tensor flags, one kernel per node, at least one profile whose inputs are graph
// inputs with min <= opt <= max of the tensor's rank, and memory plans of one offset per tensor.
// read_plan runs it on what it decoded (code CORRUPT_DATA); write_plan on its input (code
// INVALID_ARGUMENT). The message names the tensor, node or profile at fault.
status validate_plan_model(const plan_model& model, mirt_status_code code);

}  // namespace mirt
