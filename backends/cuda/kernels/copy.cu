// backends/cuda/kernels/copy.cu — strided copies and small integer fills.
//
// Kernels:
//   strided_copy  one element per thread; dst and src offsets from a strided_map (the map merges
//                 runs both walk contiguously, so a plain copy is rank 1).
//   fill_int64    writes up to MIRT_MAX_RANK values passed by value (Shape's output).
// Reference: strided_copy in backends/cpu/broadcast.hpp, used by the cpu Transpose/Slice/Expand.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/data_movement.hpp"

namespace mirt::cuda {
namespace {

// dst, src: walked by map (operands dst, src)
template <class U>
__global__ void strided_copy(const U* src, U* dst, int64_t n, strided_map<2> map) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[2];
    map_offsets(map, i, off);
    dst[off[0]] = src[off[1]];
  }
}

template <class U>
status run(const strided_copy_params& p, cudaStream_t stream) {
  strided_copy<U><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const U*>(p.src), static_cast<U*>(p.dst), p.n, p.map);
  return check_launch("strided_copy");
}

// out: (count)
__global__ void fill_int64(int64_t* out, fill_int64_params p) {
  const int i = int(threadIdx.x);
  if (i < p.count) out[i] = p.values[i];
}

}  // namespace

status launch_strided_copy(const strided_copy_params& p, cudaStream_t stream) {
  if (p.n <= 0) return {};
  if (!p.src || !p.dst) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "strided copy: NULL buffer");
  // A dense copy (rank 1, unit strides) goes through the copy engine.
  if (p.map.rank <= 1 && (p.map.rank == 0 || (p.map.strides[0][0] == 1 && p.map.strides[1][0] == 1))) {
    const cudaError_t e = cudaMemcpyAsync(p.dst, p.src, size_t(p.n) * p.element_size, cudaMemcpyDeviceToDevice, stream);
    if (e != cudaSuccess)
      return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: cudaMemcpyAsync failed: ") + cudaGetErrorString(e));
    return {};
  }
  // Runs contiguous on both sides, 16-byte aligned (Transpose perm 0,2,1,3 of attention heads):
  // 16 bytes a step, a sixteenth of the index arithmetic for halves.
  const int inner = p.map.rank - 1;
  if (inner >= 0 && p.element_size < 16 && 16 % p.element_size == 0 && p.map.strides[0][inner] == 1 && p.map.strides[1][inner] == 1) {
    const int64_t per = int64_t(16 / p.element_size);
    bool fits = p.map.shape[inner] % per == 0 && (reinterpret_cast<uintptr_t>(p.src) | reinterpret_cast<uintptr_t>(p.dst)) % 16 == 0;
    for (int d = 0; fits && d < inner; ++d) fits = p.map.strides[0][d] % per == 0 && p.map.strides[1][d] % per == 0;
    if (fits) {
      strided_copy_params wide = p;
      wide.element_size = 16;
      wide.n = p.n / per;
      wide.map.shape[inner] /= per;
      for (int d = 0; d < inner; ++d)
        for (int k = 0; k < 2; ++k) wide.map.strides[k][d] /= per;
      return run<uint4>(wide, stream);
    }
  }
  switch (p.element_size) {
    case 1: return run<uint8_t>(p, stream);
    case 2: return run<uint16_t>(p, stream);
    case 4: return run<uint32_t>(p, stream);
    case 8: return run<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "strided copy: element size not 1, 2, 4 or 8");
  }
}

status launch_fill_int64(const fill_int64_params& p, cudaStream_t stream) {
  if (p.count <= 0) return {};
  if (p.count > k_max_rank || p.out == nullptr) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "fill: bad count or NULL buffer");
  fill_int64<<<1, 32, 0, stream>>>(p.out, p);
  return check_launch("fill_int64");
}

}  // namespace mirt::cuda
