// plugins/std/cuda_util.cuh — what the standard plugins' CUDA kernels share: float16 loads and
// stores computing in float, a block-wide float sum, the launch error check.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace mirt_std_plugins::cuda {

__device__ inline float load(const float* p, size_t i) { return p[i]; }
__device__ inline float load(const __half* p, size_t i) { return __half2float(p[i]); }
__device__ inline void store(float* p, size_t i, float v) { p[i] = v; }
__device__ inline void store(__half* p, size_t i, float v) { p[i] = __float2half_rn(v); }

// The sum of v over the block (blockDim.x a multiple of 32, at most 1024), given to every thread.
__device__ inline float block_sum(float v) {
  __shared__ float partial[32];
  __shared__ float total;
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();  // partial and total may still be read by a previous call
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < int(blockDim.x / 32) ? partial[lane] : 0.0f;
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
    if (lane == 0) total = v;
  }
  __syncthreads();
  return total;
}

// NULL when the launch went through, else the error's text.
inline const char* launch_error() {
  const cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace mirt_std_plugins::cuda
