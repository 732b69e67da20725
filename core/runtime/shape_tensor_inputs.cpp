// core/runtime/shape_tensor_inputs.cpp — a shape tensor input's values, read on the host and
// checked against the profile (TensorRT reads shape tensors from host memory the same way).
#include "core/runtime/shape_tensor_inputs.hpp"

#include <cstring>

namespace mirt {

result<std::vector<int64_t>> read_shape_values(const graph& g, const profile_input& range, uint32_t profile,
                                               const void* data) {
  const tensor& t = g.tensors[range.tensor];
  const size_t count = range.opt_values.size();
  std::vector<int64_t> values(count);
  if (count && !data)
    return make_error(MIRT_STATUS_FAILED_PRECONDITION, "shape tensor input '", t.name,
                      "' has no address; set one in host memory holding its ", count,
                      " values (mirt_context_set_tensor_address)");
  for (size_t i = 0; i < count; ++i) {
    if (t.dtype == MIRT_DTYPE_INT32) {
      int32_t v;
      std::memcpy(&v, static_cast<const std::byte*>(data) + i * sizeof v, sizeof v);
      values[i] = v;
    } else {
      std::memcpy(&values[i], static_cast<const std::byte*>(data) + i * sizeof(int64_t), sizeof(int64_t));
    }
    if (values[i] < range.min_values[i] || values[i] > range.max_values[i])
      return make_error(MIRT_STATUS_INVALID_SHAPE, "shape tensor input '", t.name, "': value ", i, " is ", values[i],
                        ", outside the range [", range.min_values[i], ", ", range.max_values[i],
                        "] of optimization profile ", profile);
  }
  return values;
}

}  // namespace mirt
