// backends/cpu/tensor.hpp — concrete tensors as kernels see them, and dtype dispatch.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "backends/cpu/host.hpp"
#include "mirt/backend.h"

namespace mirt::cpu {

using dims = std::vector<int64_t>;

inline int64_t product(const dims& d, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < d.size() && i < to; ++i) p *= d[i];
  return p;
}

inline dims to_dims(const mirt_tensor_desc& desc) { return dims(desc.dims, desc.dims + desc.rank); }

std::string dims_string(const dims& d);

// Row-major strides of a dense tensor.
inline dims dense_strides(const dims& shape) {
  dims s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// One input or output of an execution, with its concrete shape.
struct tensor {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  dims shape;
  void* data = nullptr;

  bool present() const { return dtype != MIRT_DTYPE_UNDEFINED && data != nullptr; }
  size_t rank() const { return shape.size(); }
  int64_t numel() const { return product(shape); }
  size_t bytes() const { return size_t(numel()) * mirt_dtype_size_cpu(dtype); }
  template <class T>
  T* as() const { return static_cast<T*>(data); }

  static size_t mirt_dtype_size_cpu(mirt_dtype dtype);
};

struct exec_args {
  std::vector<tensor> in;
  std::vector<tensor> out;
  void* workspace = nullptr;
  size_t workspace_size = 0;

  // An input that is absent (omitted optional, or beyond num_inputs) reads as not present.
  const tensor& input(size_t i) const {
    static const tensor absent;
    return i < in.size() ? in[i] : absent;
  }
};

// Bytes per element; the backend does not call libmirt's mirt_dtype_size.
inline size_t dtype_size(mirt_dtype dtype) { return tensor::mirt_dtype_size_cpu(dtype); }
const char* dtype_name(mirt_dtype dtype);

// Resolves a possibly negative axis against rank; fails naming the axis.
int64_t normalize_axis(int64_t axis, size_t rank, const char* what = "axis");

// Reads an integer tensor (int32 or int64) as int64 values.
std::vector<int64_t> read_int_tensor(const tensor& t, const char* what);
// Reads one scalar of any numeric dtype as double.
double read_scalar(const tensor& t, int64_t index = 0);

template <class T>
struct type_tag {
  using type = T;
};

// Calls f(type_tag<T>{}) for the C++ type of a numeric dtype.
template <class F>
decltype(auto) dispatch_numeric(mirt_dtype dtype, F&& f) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return f(type_tag<float>{});
    case MIRT_DTYPE_INT32: return f(type_tag<int32_t>{});
    case MIRT_DTYPE_INT64: return f(type_tag<int64_t>{});
    case MIRT_DTYPE_FLOAT64: return f(type_tag<double>{});
    default: fail(MIRT_STATUS_UNSUPPORTED, "dtype ", dtype_name(dtype), " is not supported here");
  }
}

// Calls f(type_tag<U>{}) with an unsigned type of the dtype's element size (for data movement).
template <class F>
decltype(auto) dispatch_by_size(size_t element_size, F&& f) {
  switch (element_size) {
    case 1: return f(type_tag<uint8_t>{});
    case 2: return f(type_tag<uint16_t>{});
    case 4: return f(type_tag<uint32_t>{});
    case 8: return f(type_tag<uint64_t>{});
    default: fail(MIRT_STATUS_UNSUPPORTED, "element size ", element_size, " is not supported");
  }
}

}  // namespace mirt::cpu
