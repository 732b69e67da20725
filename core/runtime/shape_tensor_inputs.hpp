// core/runtime/shape_tensor_inputs.hpp — reads a shape tensor input's values from host memory and
// checks them against its optimization profile.
#pragma once

#include <string>
#include <vector>

#include "core/base/status.hpp"
#include "core/plan/plan_model.hpp"

namespace mirt {

// The values of shape tensor input `range.tensor` (int32 or int64, one per element of its fixed
// shape) read from host address `data`. INVALID_SHAPE names the tensor, the element, its value and
// the profile's range when one falls outside it.
result<std::vector<int64_t>> read_shape_values(const graph& g, const profile_input& range, uint32_t profile,
                                               const void* data);

}  // namespace mirt
