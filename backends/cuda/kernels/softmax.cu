// backends/cuda/kernels/softmax.cu — Softmax and LogSoftmax along one axis.
//
// Kernels:
//   softmax_warp_per_row   inner == 1 and n <= 1024: one warp per row, values kept in registers.
//   softmax_block_per_row  inner == 1, longer rows: one block per row, three passes over global.
//   softmax_strided        inner > 1: one thread per (outer, inner) column, strided along n.
// float32, float16 or bfloat16 data; max, exponentials and sums in float32.
// Reference: backends/cpu/ops/softmax.cpp (max subtracted first; the CPU sums in double).
#include <cuda_runtime.h>

#include <cfloat>
#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/normalization.hpp"

namespace mirt::cuda {
namespace {

__device__ inline float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ inline float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// x, y: (rows, n), n <= 32 * PerLane; 4 warps per block
template <class T, int PerLane>
__global__ void softmax_warp_per_row(const T* x, T* y, int64_t rows, int n, bool log_out) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t row = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; row < rows; row += warps) {
    const T* src = x + row * n;
    float v[PerLane], in[PerLane];
    float m = -FLT_MAX;
#pragma unroll
    for (int k = 0; k < PerLane; ++k) {
      const int i = lane + 32 * k;
      v[k] = in[k] = i < n ? float(src[i]) : -FLT_MAX;
      m = fmaxf(m, v[k]);
    }
    m = warp_max(m);
    float s = 0.f;
#pragma unroll
    for (int k = 0; k < PerLane; ++k) {
      const int i = lane + 32 * k;
      v[k] = i < n ? expf(v[k] - m) : 0.f;
      s += v[k];
    }
    s = warp_sum(s);
    T* dst = y + row * n;
    const float inv = 1.f / s, ls = logf(s);
#pragma unroll
    for (int k = 0; k < PerLane; ++k) {
      const int i = lane + 32 * k;
      if (i < n) dst[i] = T(log_out ? (in[k] - m) - ls : v[k] * inv);
    }
  }
}

// Block-wide reduction of one value per thread (blockDim.x a multiple of 32, at most 1024).
template <bool Max>
__device__ float block_reduce(float v, float* shared) {
  v = Max ? warp_max(v) : warp_sum(v);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  const int warps = blockDim.x / 32;
  v = lane < warps ? shared[lane] : (Max ? -FLT_MAX : 0.f);
  v = Max ? warp_max(v) : warp_sum(v);
  __syncthreads();
  return v;
}

// x, y: (rows, n); one block per row
template <class T>
__global__ void softmax_block_per_row(const T* x, T* y, int64_t n, bool log_out) {
  __shared__ float shared[32];
  const T* src = x + int64_t(blockIdx.x) * n;
  T* dst = y + int64_t(blockIdx.x) * n;
  float m = -FLT_MAX;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) m = fmaxf(m, float(src[i]));
  m = block_reduce<true>(m, shared);
  float s = 0.f;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += expf(float(src[i]) - m);
  s = block_reduce<false>(s, shared);
  const float inv = 1.f / s, ls = logf(s);
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const float v = float(src[i]);
    dst[i] = T(log_out ? (v - m) - ls : expf(v - m) * inv);
  }
}

// x, y: (outer, n, inner); one thread per (outer, inner)
template <class T>
__global__ void softmax_strided(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log_out) {
  const int64_t cols = outer * inner;
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < cols; c += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = c / inner, i = c % inner;
    const T* src = x + o * n * inner + i;
    T* dst = y + o * n * inner + i;
    float m = -FLT_MAX;
    for (int64_t k = 0; k < n; ++k) m = fmaxf(m, float(src[k * inner]));
    float s = 0.f;
    for (int64_t k = 0; k < n; ++k) s += expf(float(src[k * inner]) - m);
    const float inv = 1.f / s, ls = logf(s);
    for (int64_t k = 0; k < n; ++k) {
      const float v = float(src[k * inner]);
      dst[k * inner] = T(log_out ? (v - m) - ls : expf(v - m) * inv);
    }
  }
}

template <class T, int PerLane>
status run_warp(const softmax_params& p, cudaStream_t stream) {
  constexpr int warps_per_block = 4;
  softmax_warp_per_row<T, PerLane><<<grid_for(p.outer, warps_per_block), 32 * warps_per_block, 0, stream>>>(
      static_cast<const T*>(p.x), static_cast<T*>(p.y), p.outer, int(p.n), p.log);
  return check_launch("softmax_warp_per_row");
}

template <class T>
status run(const softmax_params& p, cudaStream_t stream) {
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  if (p.inner == 1) {
    if (p.outer > 2147483647LL) return make_error(MIRT_STATUS_UNSUPPORTED, "softmax: more than 2^31 rows");
    if (p.n <= 32) return run_warp<T, 1>(p, stream);
    if (p.n <= 128) return run_warp<T, 4>(p, stream);
    if (p.n <= 512) return run_warp<T, 16>(p, stream);
    if (p.n <= 1024) return run_warp<T, 32>(p, stream);
    softmax_block_per_row<T><<<unsigned(p.outer), 512, 0, stream>>>(x, y, p.n, p.log);
    return check_launch("softmax_block_per_row");
  }
  softmax_strided<T><<<grid_for(p.outer * p.inner), k_block, 0, stream>>>(x, y, p.outer, p.n, p.inner, p.log);
  return check_launch("softmax_strided");
}

}  // namespace

status launch_softmax(const softmax_params& p, cudaStream_t stream) {
  if (p.outer < 0 || p.n < 0 || p.inner < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "softmax: negative extent");
  if (p.outer * p.n * p.inner == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "softmax: NULL buffer");
  return dispatch_real(p.dtype, "softmax", [&](auto tag) { return run<typename decltype(tag)::type>(p, stream); });
}

}  // namespace mirt::cuda
