// backends/cuda/kernels/normalization.cu — LayerNormalization and BatchNormalization (inference).
//
// Kernels:
//   layernorm_fwd_warp_per_row   one warp per row; mean, then variance around it (two passes over
//                                the row, which stays in L1/L2), then the affine write.
//   layernorm_fwd_block_per_row  rows longer than 4096: one block per row, same passes.
//   batchnorm_fwd                one element per thread, channel = (i / inner) % c.
// Reference: backends/cpu/ops/normalization.cpp (which accumulates in double).
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/normalization.hpp"

namespace mirt::cuda {
namespace {

__device__ inline float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ float block_sum(float v, float* shared) {
  v = warp_sum(v);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < int(blockDim.x / 32) ? shared[lane] : 0.f;
  v = warp_sum(v);
  __syncthreads();
  return v;
}

__device__ inline void layernorm_write(const layer_norm_params& p, const float* src, float* dst, int64_t row, int64_t i,
                                       float mean, float inv) {
  float v = (src[i] - mean) * inv;
  if (p.scale) v *= p.scale[i % p.scale_n];
  if (p.bias) v += p.bias[i % p.bias_n];
  dst[i] = v;
  (void)row;
}

// x, y: (rows, cols); mean, inv_std: (rows); 4 warps per block, grid-stride over rows
__global__ void layernorm_fwd_warp_per_row(layer_norm_params p) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  const float inv_cols = 1.f / float(p.cols);
  for (int64_t row = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; row < p.rows; row += warps) {
    const float* src = p.x + row * p.cols;
    float* dst = p.y + row * p.cols;
    float s = 0.f;
    for (int64_t i = lane; i < p.cols; i += 32) s += src[i];
    const float mean = warp_sum(s) * inv_cols;
    float q = 0.f;
    for (int64_t i = lane; i < p.cols; i += 32) {
      const float d = src[i] - mean;
      q += d * d;
    }
    const float inv = rsqrtf(warp_sum(q) * inv_cols + p.epsilon);
    for (int64_t i = lane; i < p.cols; i += 32) layernorm_write(p, src, dst, row, i, mean, inv);
    if (lane == 0) {
      if (p.mean) p.mean[row] = mean;
      if (p.inv_std) p.inv_std[row] = inv;
    }
  }
}

// x, y: (rows, cols); one block per row
__global__ void layernorm_fwd_block_per_row(layer_norm_params p) {
  __shared__ float shared[32];
  const int64_t row = blockIdx.x;
  const float* src = p.x + row * p.cols;
  float* dst = p.y + row * p.cols;
  float s = 0.f;
  for (int64_t i = threadIdx.x; i < p.cols; i += blockDim.x) s += src[i];
  const float mean = block_sum(s, shared) / float(p.cols);
  float q = 0.f;
  for (int64_t i = threadIdx.x; i < p.cols; i += blockDim.x) {
    const float d = src[i] - mean;
    q += d * d;
  }
  const float inv = rsqrtf(block_sum(q, shared) / float(p.cols) + p.epsilon);
  for (int64_t i = threadIdx.x; i < p.cols; i += blockDim.x) layernorm_write(p, src, dst, row, i, mean, inv);
  if (threadIdx.x == 0) {
    if (p.mean) p.mean[row] = mean;
    if (p.inv_std) p.inv_std[row] = inv;
  }
}

// x, y: (n, c, inner); scale, bias, mean, var: (c)
__global__ void batchnorm_fwd(batch_norm_params p) {
  const int64_t total = p.n * p.c * p.inner;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ch = (i / p.inner) % p.c;
    const float a = p.scale[ch] * rsqrtf(p.var[ch] + p.epsilon);
    p.y[i] = (p.x[i] - p.mean[ch]) * a + p.bias[ch];
  }
}

}  // namespace

status launch_layer_norm(const layer_norm_params& p, cudaStream_t stream) {
  if (p.rows < 0 || p.cols < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "layer norm: negative extent");
  if (p.rows == 0 || p.cols == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "layer norm: NULL buffer");
  if ((p.scale && p.scale_n <= 0) || (p.bias && p.bias_n <= 0))
    return make_error(MIRT_STATUS_INVALID_SHAPE, "layer norm: empty scale or bias");
  if (p.cols <= 4096) {
    constexpr int warps_per_block = 4;
    layernorm_fwd_warp_per_row<<<grid_for(p.rows, warps_per_block), 32 * warps_per_block, 0, stream>>>(p);
    return check_launch("layernorm_fwd_warp_per_row");
  }
  if (p.rows > 2147483647LL) return make_error(MIRT_STATUS_UNSUPPORTED, "layer norm: more than 2^31 rows");
  layernorm_fwd_block_per_row<<<unsigned(p.rows), 512, 0, stream>>>(p);
  return check_launch("layernorm_fwd_block_per_row");
}

status launch_batch_norm(const batch_norm_params& p, cudaStream_t stream) {
  if (p.n < 0 || p.c < 0 || p.inner < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "batch norm: negative extent");
  const int64_t total = p.n * p.c * p.inner;
  if (total == 0) return {};
  if (!p.x || !p.y || !p.scale || !p.bias || !p.mean || !p.var)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "batch norm: NULL buffer");
  batchnorm_fwd<<<grid_for(total), k_block, 0, stream>>>(p);
  return check_launch("batchnorm_fwd");
}

}  // namespace mirt::cuda
