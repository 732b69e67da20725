// backends/cpu/tensor.hpp — one execution as CPU kernels see it, and dtype dispatch.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "backends/cpu/host.hpp"
#include "mirt/backend.h"

namespace mirt::cpu {

struct exec_args {
  std::vector<tensor> in;
  std::vector<tensor> out;
  void* workspace = nullptr;
  size_t workspace_size = 0;
  // Set when some output's shape depends on the data (its dims are -1 until the kernel knows
  // them): gives that output its buffer at the shape the kernel computed (mirt_kernel_io.allocate_output).
  support::output_allocate_fn allocate_output;

  // Output i at the shape the kernel computed: a data-dependent output gets its buffer here; any
  // other must already have that shape (fails naming both).
  tensor output(size_t i, const dims& shape) const;

  // An input that is absent (omitted optional, or beyond num_inputs) reads as not present.
  const tensor& input(size_t i) const {
    static const tensor absent;
    return i < in.size() ? in[i] : absent;
  }
};

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
