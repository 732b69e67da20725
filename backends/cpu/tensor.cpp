// backends/cpu/tensor.cpp — reading integer tensors and scalars on the host.
#include "backends/cpu/tensor.hpp"

#include <algorithm>

namespace mirt::cpu {

std::vector<int64_t> read_int_tensor(const tensor& t, const char* what) {
  std::vector<int64_t> values(size_t(t.numel()));
  if (t.dtype == MIRT_DTYPE_INT64) {
    if (!values.empty()) std::memcpy(values.data(), t.data, values.size() * sizeof(int64_t));
  } else if (t.dtype == MIRT_DTYPE_INT32) {
    for (size_t i = 0; i < values.size(); ++i) values[i] = t.as<const int32_t>()[i];
  } else {
    fail(MIRT_STATUS_INVALID_ARGUMENT, what, " is ", dtype_name(t.dtype), ", expected int32 or int64");
  }
  return values;
}

tensor exec_args::output(size_t i, const dims& shape) const {
  return support::output_at_shape(out, allocate_output, i, shape);
}

double read_scalar(const tensor& t, int64_t index) {
  switch (t.dtype) {
    case MIRT_DTYPE_FLOAT32: return t.as<const float>()[index];
    case MIRT_DTYPE_FLOAT64: return t.as<const double>()[index];
    case MIRT_DTYPE_INT32: return t.as<const int32_t>()[index];
    case MIRT_DTYPE_INT64: return double(t.as<const int64_t>()[index]);
    case MIRT_DTYPE_INT8: return t.as<const int8_t>()[index];
    case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: return t.as<const uint8_t>()[index];
    default: fail(MIRT_STATUS_UNSUPPORTED, "cannot read a scalar of dtype ", dtype_name(t.dtype));
  }
}

}  // namespace mirt::cpu
