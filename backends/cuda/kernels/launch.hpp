// backends/cuda/kernels/launch.hpp — what every launcher shares: its status type, grid sizing and
// the strided index maps that broadcasting, transposes and reductions walk. Host and device code.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "mirt/base.h"

namespace mirt::cuda {

// A launcher's result: OK, or a code and a message (the op wrapper adds the layer name).
struct status {
  mirt_status_code code = MIRT_STATUS_OK;
  std::string message;
  bool ok() const { return code == MIRT_STATUS_OK; }
};

inline status make_error(mirt_status_code code, std::string message) { return status{code, std::move(message)}; }

constexpr int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Threads per block of the elementwise kernels, and the cap on their grid (they loop grid-stride).
constexpr int k_block = 256;
constexpr int64_t k_max_blocks = 65535 * 8;

inline unsigned grid_for(int64_t work_items, int per_block = k_block) {
  int64_t blocks = ceil_div(work_items, per_block);
  if (blocks < 1) blocks = 1;
  if (blocks > k_max_blocks) blocks = k_max_blocks;
  return unsigned(blocks);
}

// The launch just made, as a status naming the kernel and CUDA's message.
inline status check_launch(const char* kernel_name) {
  const cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) return {};
  return make_error(MIRT_STATUS_DEVICE_ERROR,
                    std::string("CUDA: launching ") + kernel_name + " failed: " + cudaGetErrorString(e));
}

// Multiprocessors of the device current when first asked (132 on an H100 SXM if that fails): the
// grid sizing of kernels that spread a small problem over the whole GPU.
inline int multiprocessors() {
  static const int count = [] {
    int device = 0, n = 0;
    if (cudaGetDevice(&device) != cudaSuccess || cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device) != cudaSuccess)
      return 132;
    return n;
  }();
  return count;
}

constexpr int k_max_rank = MIRT_MAX_RANK;

// N operands walked over one iteration shape (row-major), each with its own element strides.
// Passed by value to kernels; rank 0 is a single element.
template <int N>
struct strided_map {
  int rank = 0;
  int64_t shape[k_max_rank] = {};
  int64_t strides[N][k_max_rank] = {};
};

// Element offsets of flat iteration index i in each operand.
template <int N>
__host__ __device__ inline void map_offsets(const strided_map<N>& m, int64_t i, int64_t (&off)[N]) {
  for (int k = 0; k < N; ++k) off[k] = 0;
  for (int d = m.rank - 1; d >= 0; --d) {
    const int64_t extent = m.shape[d];
    const int64_t idx = i % extent;
    i /= extent;
    for (int k = 0; k < N; ++k) off[k] += idx * m.strides[k][d];
  }
}

}  // namespace mirt::cuda
