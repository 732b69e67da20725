// backends/cuda/kernels/normalization.cu — LayerNormalization and BatchNormalization (inference).
//
// Kernels:
//   layernorm_fwd_warp_per_row   one warp per row; mean, then variance around it (two passes over
//                                the row, which stays in L1/L2), then the affine write.
//   layernorm_fwd_warp_regs      rows of <= 1024 values (a multiple of 4): one warp per row, the row
//                                kept in registers (one read of x), float4 accesses; also adds a
//                                skip (residual) tensor first, for SkipLayerNormalization.
//   layernorm_fwd_block_per_row  rows longer than 4096: one block per row, same passes.
//   batchnorm_fwd                one element per thread, channel = (i / inner) % c.
// Reference: backends/cpu/ops/normalization.cpp (which accumulates in double).
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "backends/cuda/kernels/half.hpp"
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
  if (p.scale) v *= static_cast<const float*>(p.scale)[i % p.scale_n];
  if (p.bias) v += static_cast<const float*>(p.bias)[i % p.bias_n];
  dst[i] = v;
  (void)row;
}

// x, y: (rows, cols); mean, inv_std: (rows); 4 warps per block, grid-stride over rows
__global__ void layernorm_fwd_warp_per_row(layer_norm_params p) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  const float inv_cols = 1.f / float(p.cols);
  for (int64_t row = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; row < p.rows; row += warps) {
    const float* src = static_cast<const float*>(p.x) + row * p.cols;
    float* dst = static_cast<float*>(p.y) + row * p.cols;
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

// The common case (rows of at most 1024 values, a multiple of 4, scale and bias of one row):
// one warp per row holds its row in registers (float4 loads), so x is read once, not three times.
// x, y: (rows, cols), 16-byte aligned; Q float4s per lane cover cols
// Four values as loaded (float4 for float32, two registers for the halves) and widened to float.
template <class T>
struct raw4 {
  using type = uint2;
};
template <>
struct raw4<float> {
  using type = float4;
};
template <class T>
__device__ inline typename raw4<T>::type load_raw4(const T* p, int c) {
  return reinterpret_cast<const typename raw4<T>::type*>(p)[c];
}
template <class T>
__device__ inline float4 widen4(const typename raw4<T>::type& u) {
  if constexpr (std::is_same_v<T, float>) {
    return u;
  } else if constexpr (std::is_same_v<T, __half>) {
    const float2 a = __half22float2(reinterpret_cast<const __half2*>(&u)[0]), b = __half22float2(reinterpret_cast<const __half2*>(&u)[1]);
    return make_float4(a.x, a.y, b.x, b.y);
  } else {
    const float2 a = __bfloat1622float2(reinterpret_cast<const __nv_bfloat162*>(&u)[0]);
    const float2 b = __bfloat1622float2(reinterpret_cast<const __nv_bfloat162*>(&u)[1]);
    return make_float4(a.x, a.y, b.x, b.y);
  }
}
template <class T>
__device__ inline float4 load4(const T* p, int c) {
  return widen4<T>(load_raw4(p, c));
}
__device__ inline void store4(float* p, int c, float4 v) { reinterpret_cast<float4*>(p)[c] = v; }
__device__ inline void store4(__half* p, int c, float4 v) {
  uint2 u;
  reinterpret_cast<__half2*>(&u)[0] = __floats2half2_rn(v.x, v.y);
  reinterpret_cast<__half2*>(&u)[1] = __floats2half2_rn(v.z, v.w);
  reinterpret_cast<uint2*>(p)[c] = u;
}
__device__ inline void store4(__nv_bfloat16* p, int c, float4 v) {
  uint2 u;
  reinterpret_cast<__nv_bfloat162*>(&u)[0] = __floats2bfloat162_rn(v.x, v.y);
  reinterpret_cast<__nv_bfloat162*>(&u)[1] = __floats2bfloat162_rn(v.z, v.w);
  reinterpret_cast<uint2*>(p)[c] = u;
}

// Prefetch: scale and bias load with the row, not after the two reductions, so a warp waits on
// memory once, not twice. That holds 2 Q more registers a thread (83 against 48 for float16 rows of
// 768), so it pays where the grid is a fraction of the GPU (BERT-base at batch 1: 128 rows, 4.5 ->
// 3.3 us a layer) and costs where occupancy carries the bandwidth (batch 32: 6.2 -> 9.0 us).
template <class T, int Q, bool Prefetch>
__global__ void layernorm_fwd_warp_regs(layer_norm_params p) {
  const int lane = threadIdx.x % 32;
  const int quads = int(p.cols / 4);
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  const float inv_cols = 1.f / float(p.cols);
  const T* scale = static_cast<const T*>(p.scale);
  const T* bias = static_cast<const T*>(p.bias);
  for (int64_t row = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; row < p.rows; row += warps) {
    const T* src = static_cast<const T*>(p.x) + row * p.cols;
    const T* skip = p.skip ? static_cast<const T*>(p.skip) + row * p.cols : nullptr;
    T* dst = static_cast<T*>(p.y) + row * p.cols;
    float4 v[Q];
    typename raw4<T>::type g[Q], h[Q];
    float s = 0.f;
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      const int c = j * 32 + lane;
      if (Prefetch && scale && c < quads) g[j] = load_raw4(scale, c);
      if (Prefetch && bias && c < quads) h[j] = load_raw4(bias, c);
      v[j] = c < quads ? load4(src, c) : make_float4(0.f, 0.f, 0.f, 0.f);
      if (skip && c < quads) {  // the residual Add of SkipLayerNormalization, in float32
        const float4 r = load4(skip, c);
        v[j] = make_float4(v[j].x + r.x, v[j].y + r.y, v[j].z + r.z, v[j].w + r.w);
      }
      s += (v[j].x + v[j].y) + (v[j].z + v[j].w);
    }
    const float mean = warp_sum(s) * inv_cols;
    float q = 0.f;
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      if (j * 32 + lane >= quads) continue;
      const float a = v[j].x - mean, b = v[j].y - mean, c = v[j].z - mean, d = v[j].w - mean;
      q += (a * a + b * b) + (c * c + d * d);
    }
    const float inv = rsqrtf(warp_sum(q) * inv_cols + p.epsilon);
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      const int c = j * 32 + lane;
      if (c >= quads) continue;
      float4 o = make_float4((v[j].x - mean) * inv, (v[j].y - mean) * inv, (v[j].z - mean) * inv, (v[j].w - mean) * inv);
      if (scale) {
        const float4 w = Prefetch ? widen4<T>(g[j]) : load4(scale, c);
        o = make_float4(o.x * w.x, o.y * w.y, o.z * w.z, o.w * w.w);
      }
      if (bias) {
        const float4 w = Prefetch ? widen4<T>(h[j]) : load4(bias, c);
        o = make_float4(o.x + w.x, o.y + w.y, o.z + w.z, o.w + w.w);
      }
      store4(dst, c, o);
    }
    if (lane == 0) {
      if (p.mean) p.mean[row] = mean;
      if (p.inv_std) p.inv_std[row] = inv;
    }
  }
}

// Rows up to which the grid is too small to hide memory latency by occupancy (see Prefetch).
constexpr int64_t k_prefetch_rows = 2048;

template <class T, int Q>
status launch_regs(const layer_norm_params& p, cudaStream_t stream) {
  constexpr int warps_per_block = 4;
  const dim3 grid = grid_for(p.rows, warps_per_block);
  if (p.rows <= k_prefetch_rows)
    layernorm_fwd_warp_regs<T, Q, true><<<grid, 32 * warps_per_block, 0, stream>>>(p);
  else
    layernorm_fwd_warp_regs<T, Q, false><<<grid, 32 * warps_per_block, 0, stream>>>(p);
  return check_launch("layernorm_fwd_warp_regs");
}

// x, y: (rows, cols); one block per row
__global__ void layernorm_fwd_block_per_row(layer_norm_params p) {
  __shared__ float shared[32];
  const int64_t row = blockIdx.x;
  const float* src = static_cast<const float*>(p.x) + row * p.cols;
  float* dst = static_cast<float*>(p.y) + row * p.cols;
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
  const uintptr_t quad_bytes = p.dtype == MIRT_DTYPE_FLOAT32 ? 16 : 8;  // 4 values
  const auto aligned = [&](const void* q) { return reinterpret_cast<uintptr_t>(q) % quad_bytes == 0; };
  if (p.cols % 4 == 0 && p.cols <= 1024 && aligned(p.x) && aligned(p.y) && (!p.skip || aligned(p.skip)) && (!p.scale || (p.scale_n == p.cols && aligned(p.scale))) &&
      (!p.bias || (p.bias_n == p.cols && aligned(p.bias)))) {
    const int64_t q = (p.cols + 127) / 128;  // quads per lane
    return dispatch_real(p.dtype, "layer norm", [&](auto tag) {
      using T = typename decltype(tag)::type;
      if (q <= 2) return launch_regs<T, 2>(p, stream);
      if (q <= 4) return launch_regs<T, 4>(p, stream);
      if (q <= 6) return launch_regs<T, 6>(p, stream);
      return launch_regs<T, 8>(p, stream);
    });
  }
  if (p.skip)
    return make_error(MIRT_STATUS_UNSUPPORTED, "skip layer norm: rows must hold at most 1024 values, a multiple of 4, "
                                               "16-byte aligned, with scale and bias of one row");
  if (p.dtype != MIRT_DTYPE_FLOAT32)
    return make_error(MIRT_STATUS_UNSUPPORTED, "layer norm: float16/bfloat16 rows must hold at most 1024 values, a multiple of 4, "
                                               "with scale and bias of one row");
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
