// backends/cuda/kernels/pool.cu — MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.
//
// Kernels:
//   pool_direct         one output per thread; walks its window's valid taps (dilations, explicit or
//                       automatic pads; count_include_pad counts taps inside the explicit pads).
//   global_pool_warp    one warp per (n, c) plane.
// Reference: backends/cpu/ops/pool.cpp (same window rules, same Indices convention).
#include <cuda_runtime.h>

#include <cfloat>
#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/pool.hpp"

namespace mirt::cuda {
namespace {

// x: (planes, in0, in1, in2); y, indices: (planes, out0, out1, out2); T float, half or bfloat16
template <class T>
__global__ void pool_direct(pool_params p) {
  const int64_t out_plane = p.out[0] * p.out[1] * p.out[2], in_plane = p.in[0] * p.in[1] * p.in[2];
  const int64_t total = p.planes * out_plane;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t plane = t / out_plane;
    int64_t rem = t % out_plane;
    int64_t pos[3];
    pos[2] = rem % p.out[2];
    rem /= p.out[2];
    pos[1] = rem % p.out[1];
    pos[0] = rem / p.out[1];
    int64_t lo[3], hi[3], start[3], padded_count = 1;
    for (int i = 0; i < 3; ++i) {
      start[i] = pos[i] * p.s[i] - p.pad_begin[i];
      lo[i] = start[i] >= 0 ? 0 : (-start[i] + p.d[i] - 1) / p.d[i];
      const int64_t last = start[i] >= p.in[i] ? 0 : (p.in[i] - 1 - start[i]) / p.d[i] + 1;
      hi[i] = last < p.k[i] ? last : p.k[i];
      int64_t taps = 0;
      for (int64_t k = 0; k < p.k[i]; ++k) {
        const int64_t q = start[i] + k * p.d[i];
        taps += (q >= -p.pad_begin[i] && q < p.in[i] + p.pad_end[i]) ? 1 : 0;
      }
      padded_count *= taps;
    }
    const T* src = static_cast<const T*>(p.x) + plane * in_plane;
    T* y = static_cast<T*>(p.y);
    float best = -FLT_MAX;
    int64_t best_at = -1, count = 0;
    float sum = 0.f;
    for (int64_t kd = lo[0]; kd < hi[0]; ++kd)
      for (int64_t kh = lo[1]; kh < hi[1]; ++kh)
        for (int64_t kw = lo[2]; kw < hi[2]; ++kw) {
          const int64_t id = start[0] + kd * p.d[0], ih = start[1] + kh * p.d[1], iw = start[2] + kw * p.d[2];
          const int64_t at = (id * p.in[1] + ih) * p.in[2] + iw;
          const float v = float(src[at]);
          if (p.is_max) {
            if (v > best || best_at < 0) best = v, best_at = at;
          } else {
            sum += v;
            ++count;
          }
        }
    if (p.is_max) {
      y[t] = T(best_at < 0 ? -INFINITY : best);
      if (p.indices) {
        int64_t idx = -1;
        if (best_at >= 0) {
          if (!p.column_major_indices) {
            idx = plane * in_plane + best_at;
          } else {
            const int64_t id = best_at / (p.in[1] * p.in[2]), ih = (best_at / p.in[2]) % p.in[1], iw = best_at % p.in[2];
            idx = plane * in_plane + iw * p.in[1] * p.in[0] + ih * p.in[0] + id;
          }
        }
        p.indices[t] = idx;
      }
    } else {
      const int64_t divisor = p.count_include_pad ? padded_count : count;
      y[t] = T(divisor > 0 ? sum / float(divisor) : 0.f);
    }
  }
}

__device__ inline float warp_reduce(float v, bool is_max) {
  for (int o = 16; o > 0; o >>= 1) {
    const float w = __shfl_xor_sync(0xffffffffu, v, o);
    v = is_max ? fmaxf(v, w) : v + w;
  }
  return v;
}

// x: (planes, size); y: (planes); 8 warps per block, grid-stride over planes
template <class T>
__global__ void global_pool_warp(global_pool_params p) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t plane = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; plane < p.planes; plane += warps) {
    const T* src = static_cast<const T*>(p.x) + plane * p.size;
    float acc = p.is_max ? -INFINITY : 0.f;
    for (int64_t i = lane; i < p.size; i += 32) {
      const float v = float(src[i]);
      acc = p.is_max ? fmaxf(acc, v) : acc + v;
    }
    acc = warp_reduce(acc, p.is_max);
    if (lane == 0) static_cast<T*>(p.y)[plane] = T(p.is_max ? acc : (p.size > 0 ? acc / float(p.size) : 0.f));
  }
}

}  // namespace

status launch_pool(const pool_params& p, cudaStream_t stream) {
  for (int i = 0; i < 3; ++i)
    if (p.k[i] < 1 || p.s[i] < 1 || p.d[i] < 1)
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "pool: kernel, strides and dilations must be >= 1");
  const int64_t total = p.planes * p.out[0] * p.out[1] * p.out[2];
  if (total <= 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "pool: NULL buffer");
  return dispatch_real(p.dtype, "pool", [&](auto tag) {
    pool_direct<typename decltype(tag)::type><<<grid_for(total), k_block, 0, stream>>>(p);
    return check_launch("pool_direct");
  });
}

status launch_global_pool(const global_pool_params& p, cudaStream_t stream) {
  if (p.planes <= 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "global pool: NULL buffer");
  constexpr int warps_per_block = 8;
  return dispatch_real(p.dtype, "global pool", [&](auto tag) {
    global_pool_warp<typename decltype(tag)::type><<<grid_for(p.planes, warps_per_block), 32 * warps_per_block, 0, stream>>>(p);
    return check_launch("global_pool_warp");
  });
}

}  // namespace mirt::cuda
