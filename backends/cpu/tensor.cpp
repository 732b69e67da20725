// backends/cpu/tensor.cpp — dtype names and sizes, axis and scalar helpers.
#include "backends/cpu/tensor.hpp"

namespace mirt::cpu {

size_t tensor::mirt_dtype_size_cpu(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_INT32: return 4;
    case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: return 2;
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: return 1;
    case MIRT_DTYPE_INT64: case MIRT_DTYPE_FLOAT64: return 8;
    default: return 0;
  }
}

const char* dtype_name(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return "float32";
    case MIRT_DTYPE_FLOAT16: return "float16";
    case MIRT_DTYPE_BFLOAT16: return "bfloat16";
    case MIRT_DTYPE_INT8: return "int8";
    case MIRT_DTYPE_UINT8: return "uint8";
    case MIRT_DTYPE_INT32: return "int32";
    case MIRT_DTYPE_INT64: return "int64";
    case MIRT_DTYPE_BOOL: return "bool";
    case MIRT_DTYPE_FLOAT64: return "float64";
    default: return "undefined";
  }
}

std::string dims_string(const dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(d[i]);
  }
  return s + "]";
}

int64_t normalize_axis(int64_t axis, size_t rank, const char* what) {
  const int64_t r = int64_t(rank);
  if (axis < -r || axis >= r) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " ", axis, " is out of range for rank ", r);
  return axis < 0 ? axis + r : axis;
}

std::vector<int64_t> read_int_tensor(const tensor& t, const char* what) {
  std::vector<int64_t> values(size_t(t.numel()));
  if (t.dtype == MIRT_DTYPE_INT64) {
    std::memcpy(values.data(), t.data, values.size() * sizeof(int64_t));
  } else if (t.dtype == MIRT_DTYPE_INT32) {
    for (size_t i = 0; i < values.size(); ++i) values[i] = t.as<const int32_t>()[i];
  } else {
    fail(MIRT_STATUS_INVALID_ARGUMENT, what, " is ", dtype_name(t.dtype), ", expected int32 or int64");
  }
  return values;
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
