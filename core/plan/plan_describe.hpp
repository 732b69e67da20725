// core/plan/plan_describe.hpp — a plan as JSON, for `mirt inspect plan.mirt --json`.
#pragma once

#include <cstddef>
#include <string>

#include "core/plan/plan_model.hpp"

namespace mirt {

// Describes model (as returned by read_plan from plan_size bytes) as a JSON document, indented by
// two spaces, keys in a fixed order. docs/plan-format.md lists every key; keys are only ever added.
// Top level: "header" (format and mirt versions, backend, device signature, precision flags,
// build seconds, plan/metadata/weights sizes, checksum), "network" name, "inputs"/"outputs"
// (name, dtype, shape with -1 or the symbol where dynamic), "profiles" (min/opt/max per input,
// arena size, memory plan with per-tensor offsets and, where the shape resolves at the profile's
// max, sizes), "layers" (name, op, domain, inputs, outputs, attributes, tactic name and id) and
// "weights" (section size and one entry per constant). Never fails; unknown values print as null.
std::string describe_plan_json(const plan_model& model, size_t plan_size);

}  // namespace mirt
