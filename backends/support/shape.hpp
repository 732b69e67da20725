// backends/support/shape.hpp — shapes, strides, broadcasting and dtype facts, for every backend.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/support/host.hpp"
#include "mirt/backend.h"

namespace mirt::support {

using dims = std::vector<int64_t>;

inline int64_t product(const dims& d, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < d.size() && i < to; ++i) p *= d[i];
  return p;
}

inline dims to_dims(const mirt_tensor_desc& desc) { return dims(desc.dims, desc.dims + desc.rank); }

// "[2,3,4]".
std::string dims_string(const dims& d);

// Row-major strides of a dense tensor.
dims dense_strides(const dims& shape);

// Strides of a dense tensor of shape `in` read as shape `out` (numpy broadcasting): aligned to
// out's rank, 0 where `in` has extent 1 (or no dimension) and out does not.
dims broadcast_strides(const dims& in, const dims& out);

// Numpy broadcast of two shapes.
dims broadcast_shape(const dims& a, const dims& b);

// Bytes per element; backends do not call libmirt's mirt_dtype_size.
size_t dtype_size(mirt_dtype dtype);
const char* dtype_name(mirt_dtype dtype);

// Resolves a possibly negative axis against rank; fails naming the axis.
int64_t normalize_axis(int64_t axis, size_t rank, const char* what = "axis");

// One input or output of an execution: address (host or device, as the backend's) and concrete shape.
struct tensor {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  dims shape;
  void* data = nullptr;

  // Whether the graph gives this tensor; a present tensor with no elements may have data == nullptr.
  bool present() const { return dtype != MIRT_DTYPE_UNDEFINED; }
  size_t rank() const { return shape.size(); }
  int64_t numel() const { return product(shape); }
  size_t bytes() const { return size_t(numel()) * dtype_size(dtype); }
  template <class T>
  T* as() const { return static_cast<T*>(data); }
};

// Where a Slice reads: the element offset of its first element and the element stride per dim.
struct slice_window {
  int64_t offset = 0;
  dims strides;
};

// Resolves ONNX Slice's starts/axes/steps (ends are already reflected in out_shape, which the
// core inferred) against in_shape; absent axes and steps take ONNX's defaults, and checks every element read stays inside the input.
slice_window plan_slice(const dims& in_shape, const dims& out_shape, const std::vector<int64_t>& starts,
                        const std::vector<int64_t>& ends, std::optional<std::vector<int64_t>> axes,
                        std::optional<std::vector<int64_t>> steps);

// A kernel's output i at the shape it computed. Output dims of -1 mark a data-dependent output
// (mirt_kernel_io.allocate_output): allocate gives its buffer at that shape. Any other output must
// already have the shape (fails naming both).
using output_allocate_fn = std::function<void*(size_t output, const dims& shape)>;
tensor output_at_shape(const std::vector<tensor>& outputs, const output_allocate_fn& allocate, size_t i,
                       const dims& shape);

}  // namespace mirt::support
