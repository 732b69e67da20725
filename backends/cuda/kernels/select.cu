// backends/cuda/kernels/select.cu — selecting the non-zero positions of a tensor, in order.
//
// Kernels:
//   flag_nonzero     flags[i] = values[i] != 0, one element per thread (by element size: float
//                    types compare as floats, so -0.0 is zero and NaN is not).
//   scatter_selected the exclusive scan of the flags gives each selected element its slot.
//   unravel          one selected position per thread, written as rank coordinates.
// Reference: backends/cpu/ops/nonzero_compress.cpp.
#include <cub/device/device_scan.cuh>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <string>

#include "backends/cuda/kernels/select.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__device__ inline bool is_nonzero(T v) {
  return v != T(0);
}
// Half types: every bit but the sign's zero means +-0.0 (NaN has mantissa bits, so it counts).
__device__ inline bool half_bits_nonzero(uint16_t bits) { return (bits & 0x7fffu) != 0; }

template <class T>
__global__ void flag_nonzero(const T* values, int32_t* flags, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    flags[i] = is_nonzero(values[i]) ? 1 : 0;
}

__global__ void flag_nonzero_half(const uint16_t* values, int32_t* flags, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    flags[i] = half_bits_nonzero(values[i]) ? 1 : 0;
}

__global__ void scatter_selected(const int32_t* flags, const int32_t* slots, int64_t n, int64_t* selected,
                                 int64_t* count) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    if (flags[i]) selected[slots[i]] = i;
    if (i == n - 1) *count = int64_t(slots[i]) + flags[i];
  }
}

__global__ void unravel(unravel_params p) {
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < p.count; k += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = p.positions[k];
    for (int d = p.rank - 1; d >= 0; --d) {
      p.y[d * p.count + k] = rest % p.shape[d];
      rest /= p.shape[d];
    }
  }
}

// The scratch block: flags (n int32), slots (n int32), then CUB's temporary storage.
size_t scan_temp_bytes(int64_t n) {
  size_t bytes = 0;
  cub::DeviceScan::ExclusiveSum(nullptr, bytes, static_cast<const int32_t*>(nullptr), static_cast<int32_t*>(nullptr),
                                int(n));
  return bytes;
}
size_t aligned(size_t bytes) { return (bytes + 255) / 256 * 256; }

status flag(const select_params& p, int32_t* flags, cudaStream_t stream) {
  const unsigned grid = grid_for(p.n);
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: flag_nonzero<<<grid, k_block, 0, stream>>>(static_cast<const float*>(p.values), flags, p.n); break;
    case MIRT_DTYPE_FLOAT64: flag_nonzero<<<grid, k_block, 0, stream>>>(static_cast<const double*>(p.values), flags, p.n); break;
    case MIRT_DTYPE_FLOAT16:
    case MIRT_DTYPE_BFLOAT16: flag_nonzero_half<<<grid, k_block, 0, stream>>>(static_cast<const uint16_t*>(p.values), flags, p.n); break;
    case MIRT_DTYPE_INT32: flag_nonzero<<<grid, k_block, 0, stream>>>(static_cast<const int32_t*>(p.values), flags, p.n); break;
    case MIRT_DTYPE_INT64: flag_nonzero<<<grid, k_block, 0, stream>>>(static_cast<const int64_t*>(p.values), flags, p.n); break;
    case MIRT_DTYPE_INT8:
    case MIRT_DTYPE_UINT8:
    case MIRT_DTYPE_BOOL: flag_nonzero<<<grid, k_block, 0, stream>>>(static_cast<const uint8_t*>(p.values), flags, p.n); break;
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "select: no kernel for dtype code " + std::to_string(int(p.dtype)));
  }
  return check_launch("flag_nonzero");
}

}  // namespace

size_t select_scratch_bytes(int64_t n) { return 2 * aligned(size_t(n) * sizeof(int32_t)) + scan_temp_bytes(n); }

status launch_select_nonzero(const select_params& p, cudaStream_t stream) {
  if (p.n < 0 || p.n >= (int64_t(1) << 31))
    return make_error(MIRT_STATUS_UNSUPPORTED, "select: " + std::to_string(p.n) + " elements (at most 2^31 - 1)");
  if (p.n == 0) {
    const cudaError_t e = cudaMemsetAsync(p.count, 0, sizeof(int64_t), stream);
    return e == cudaSuccess ? status{} : make_error(MIRT_STATUS_DEVICE_ERROR, std::string("select: ") + cudaGetErrorString(e));
  }
  auto* flags = static_cast<int32_t*>(p.scratch);
  auto* slots = reinterpret_cast<int32_t*>(static_cast<char*>(p.scratch) + aligned(size_t(p.n) * sizeof(int32_t)));
  void* temp = static_cast<char*>(p.scratch) + 2 * aligned(size_t(p.n) * sizeof(int32_t));
  if (status s = flag(p, flags, stream); !s.ok()) return s;
  size_t temp_bytes = scan_temp_bytes(p.n);
  const cudaError_t e = cub::DeviceScan::ExclusiveSum(temp, temp_bytes, flags, slots, int(p.n), stream);
  if (e != cudaSuccess) return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("select: scan: ") + cudaGetErrorString(e));
  scatter_selected<<<grid_for(p.n), k_block, 0, stream>>>(flags, slots, p.n, p.selected, p.count);
  return check_launch("scatter_selected");
}

status launch_unravel(const unravel_params& p, cudaStream_t stream) {
  if (p.count == 0 || p.rank == 0) return {};
  unravel<<<grid_for(p.count), k_block, 0, stream>>>(p);
  return check_launch("unravel");
}

}  // namespace mirt::cuda
