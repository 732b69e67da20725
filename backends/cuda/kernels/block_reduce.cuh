// backends/cuda/kernels/block_reduce.cuh — the sum of one value per thread over a thread block,
// for the kernels that normalize one block's slice (GroupNormalization, InstanceNormalization as
// a group per channel, RMSNormalization).
#pragma once

#include <cuda_runtime.h>

namespace mirt::cuda {

// The block's sum of v, returned to every thread. blockDim.x is a multiple of 32 and at most 32
// warps; shared holds blockDim.x / 32 values. Safe to call repeatedly with the same shared (it
// syncs before overwriting what the previous call's threads may still read).
template <class T>
__device__ T block_sum(T v, T* shared) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  T s = 0;
  for (int w = 0; w < int(blockDim.x / 32); ++w) s += shared[w];
  return s;
}

}  // namespace mirt::cuda
