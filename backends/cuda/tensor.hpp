// backends/cuda/tensor.hpp — device tensors as kernels see them, shapes, broadcasting and strided maps.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "backends/cuda/host.hpp"
#include "backends/cuda/kernels/launch.hpp"
#include "mirt/backend.h"

namespace mirt::cuda {

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

// Bytes per element; the backend does not call libmirt's mirt_dtype_size.
size_t dtype_size(mirt_dtype dtype);
const char* dtype_name(mirt_dtype dtype);

// Resolves a possibly negative axis against rank; fails naming the axis.
int64_t normalize_axis(int64_t axis, size_t rank, const char* what = "axis");

// One input or output of an execution: device address and concrete shape.
struct dtensor {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  dims shape;
  void* data = nullptr;

  bool present() const { return dtype != MIRT_DTYPE_UNDEFINED && data != nullptr; }
  size_t rank() const { return shape.size(); }
  int64_t numel() const { return product(shape); }
  size_t bytes() const { return size_t(numel()) * dtype_size(dtype); }
  template <class T>
  T* as() const { return static_cast<T*>(data); }
};

struct exec_args {
  std::vector<dtensor> in;
  std::vector<dtensor> out;
  void* workspace = nullptr;
  size_t workspace_size = 0;
  cudaStream_t stream = nullptr;

  const dtensor& input(size_t i) const {
    static const dtensor absent;
    return i < in.size() ? in[i] : absent;
  }
};

// Strides of a dense tensor of shape `in` read as shape `out` (numpy broadcasting; 0 where it repeats).
dims broadcast_strides(const dims& in, const dims& out);

// Builds a strided map over `shape` for N operands, dropping unit dims and merging dims that every
// operand walks contiguously. Fails when the rank exceeds MIRT_MAX_RANK.
template <int N>
strided_map<N> make_map(const dims& shape, const std::vector<dims>& strides) {
  strided_map<N> m;
  dims sh;
  std::vector<dims> st(N);
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    const bool merge = !sh.empty() && [&] {
      for (int k = 0; k < N; ++k)
        if (st[size_t(k)].back() != strides[size_t(k)][d] * shape[d]) return false;
      return true;
    }();
    if (merge) {
      sh.back() *= shape[d];
      for (int k = 0; k < N; ++k) st[size_t(k)].back() = strides[size_t(k)][d];
    } else {
      sh.push_back(shape[d]);
      for (int k = 0; k < N; ++k) st[size_t(k)].push_back(strides[size_t(k)][d]);
    }
  }
  if (sh.size() > size_t(k_max_rank)) fail(MIRT_STATUS_UNSUPPORTED, "rank ", sh.size(), " exceeds ", k_max_rank);
  m.rank = int(sh.size());
  for (size_t d = 0; d < sh.size(); ++d) {
    m.shape[d] = sh[d];
    for (int k = 0; k < N; ++k) m.strides[k][d] = st[size_t(k)][d];
  }
  return m;
}

// Integer values of input i: from the constant data captured at kernel_create when there is one,
// else read back from the device on the call's stream (which waits for it).
std::vector<int64_t> read_int_input(const exec_args& args, size_t i, const std::vector<int64_t>* constant,
                                    const char* what);

// Throws the launcher's failure, if any, as an error.
void throw_if_failed(const status& s);

}  // namespace mirt::cuda
