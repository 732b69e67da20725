// backends/cuda/kernels/gather.cu — Gather along one axis, by element size, int32/int64 indices.
//
// Kernels:
//   gather_rows         one output element per thread: (o, j, r) -> data[o, idx[j], r].
//   gather_row_vectors  rows of 16-byte multiples (>= 256 bytes): a block per output row.
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

// Rows of whole 16-byte vectors (an embedding table's rows): a block per output row, its source
// row found once, then copied a vector a thread; no division per element (the element kernel's
// 64-bit divisions made BERT's word embedding, 4096 rows of 3 KB, take 27 us).
template <class I>
__global__ void gather_row_vectors(const uint4* data, const I* idx, uint4* out, int64_t outer, int64_t extent, int64_t row_vectors,
                                   int64_t count, unsigned long long* first_bad) {
  for (int64_t row = blockIdx.x; row < outer * count; row += gridDim.x) {
    const int64_t o = row / count, j = row % count;
    int64_t k = int64_t(idx[j]);
    if (k < 0) k += extent;
    const bool inside = k >= 0 && k < extent;
    if (!inside && o == 0 && threadIdx.x == 0) report_bad_index(first_bad, j);
    const uint4* src = data + (o * extent + k) * row_vectors;
    uint4* dst = out + row * row_vectors;
    for (int64_t c = threadIdx.x; c < row_vectors; c += blockDim.x) dst[c] = inside ? src[c] : make_uint4(0, 0, 0, 0);
  }
}

bool vector_rows(const gather_params& p) {
  const size_t row_bytes = size_t(p.inner) * p.element_size;
  const uintptr_t addresses = reinterpret_cast<uintptr_t>(p.data) | reinterpret_cast<uintptr_t>(p.out);
  return row_bytes % 16 == 0 && row_bytes >= 256 && addresses % 16 == 0;
}

template <class I>
status run_vector_rows(const gather_params& p, cudaStream_t stream) {
  const int64_t rows = p.outer * p.count, row_vectors = p.inner * int64_t(p.element_size) / 16;
  const unsigned blocks = unsigned(rows < 65535 * 32 ? rows : 65535 * 32);
  gather_row_vectors<I><<<blocks, 128, 0, stream>>>(static_cast<const uint4*>(p.data), static_cast<const I*>(p.indices),
                                                    static_cast<uint4*>(p.out), p.outer, p.extent, row_vectors, p.count, p.first_bad);
  return check_launch("gather_row_vectors");
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
  if (vector_rows(p)) return p.indices_int64 ? run_vector_rows<int64_t>(p, stream) : run_vector_rows<int32_t>(p, stream);
  switch (p.element_size) {
    case 1: return run<uint8_t>(p, stream);
    case 2: return run<uint16_t>(p, stream);
    case 4: return run<uint32_t>(p, stream);
    case 8: return run<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "gather: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
