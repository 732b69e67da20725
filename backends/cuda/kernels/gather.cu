// backends/cuda/kernels/gather.cu — Gather along one axis, by element size, int32/int64 indices.
//
// Kernels:
//   gather_rows  one output element per thread: (o, j, r) -> data[o, idx[j], r].
// Reference: backends/cpu/ops/gather.cpp (which fails on an out-of-range index; here such positions
// read as zeros, and are reported through first_bad when the host asked for checks).
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/index_check.cuh"

namespace mirt::cuda {
namespace {

// data: (outer, extent, inner); idx: (count); out: (outer, count, inner)
template <class U, class I>
__global__ void gather_rows(const U* data, const I* idx, U* out, int64_t outer, int64_t extent, int64_t inner,
                            int64_t count, unsigned long long* first_bad) {
  const int64_t n = outer * count * inner;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i % inner, j = (i / inner) % count, o = i / (inner * count);
    int64_t k = int64_t(idx[j]);
    if (k < 0) k += extent;
    const bool inside = k >= 0 && k < extent;
    if (!inside && o == 0 && r == 0) report_bad_index(first_bad, j);
    out[i] = inside ? data[(o * extent + k) * inner + r] : U(0);
  }
}

template <class U>
status run(const gather_params& p, cudaStream_t stream) {
  const int64_t n = p.outer * p.count * p.inner;
  if (p.indices_int64)
    gather_rows<U, int64_t><<<grid_for(n), k_block, 0, stream>>>(static_cast<const U*>(p.data), static_cast<const int64_t*>(p.indices),
                                                                 static_cast<U*>(p.out), p.outer, p.extent, p.inner, p.count, p.first_bad);
  else
    gather_rows<U, int32_t><<<grid_for(n), k_block, 0, stream>>>(static_cast<const U*>(p.data), static_cast<const int32_t*>(p.indices),
                                                                 static_cast<U*>(p.out), p.outer, p.extent, p.inner, p.count, p.first_bad);
  return check_launch("gather_rows");
}

}  // namespace

status launch_gather(const gather_params& p, cudaStream_t stream) {
  if (p.outer < 0 || p.count < 0 || p.inner < 0 || p.extent < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "gather: negative extent");
  if (p.outer * p.count * p.inner == 0) return {};
  if (!p.data || !p.indices || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "gather: NULL buffer");
  switch (p.element_size) {
    case 1: return run<uint8_t>(p, stream);
    case 2: return run<uint16_t>(p, stream);
    case 4: return run<uint32_t>(p, stream);
    case 8: return run<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "gather: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
