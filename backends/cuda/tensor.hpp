// backends/cuda/tensor.hpp — one execution as CUDA kernels see it, and strided maps.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "backends/cuda/host.hpp"
#include "backends/cuda/kernels/launch.hpp"
#include "mirt/backend.h"

namespace mirt::cuda {

// Device tensors are support::tensor with device addresses.
using dtensor = tensor;

struct exec_args {
  std::vector<dtensor> in;
  std::vector<dtensor> out;
  void* workspace = nullptr;
  size_t workspace_size = 0;
  cudaStream_t stream = nullptr;
  // Set when some output's shape depends on the data (its dims are -1 until the kernel knows
  // them): gives that output its device buffer at the shape the kernel computed.
  support::output_allocate_fn allocate_output;

  // Output i at the shape the kernel computed (see support::output_at_shape).
  dtensor output(size_t i, const dims& shape) const { return support::output_at_shape(out, allocate_output, i, shape); }

  const dtensor& input(size_t i) const {
    static const dtensor absent;
    return i < in.size() ? in[i] : absent;
  }
};

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
