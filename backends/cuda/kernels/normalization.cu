// backends/cuda/kernels/normalization.cu — LayerNormalization and BatchNormalization (inference).
//
// Kernels:
//   layernorm_fwd_warp_per_row   one warp per row; mean, then variance around it (two passes over
//                                the row, which stays in L1/L2), then the affine write.
//   layernorm_fwd_warp_regs      rows of <= 1024 values (a multiple of 4): one warp per row, the row
//                                kept in registers (one read of x), 16-byte accesses (8-byte for
//                                halves in rows not a multiple of 8); also adds a skip (residual)
//                                tensor first, for SkipLayerNormalization, and writes float32
//                                from halves (a folded Cast) besides or instead of the halves;
//                                L2 residency hints for SkipLayerNormalization's large grids.
//   layernorm_fwd_block_per_row  rows longer than 4096: one block per row, same passes.
//   batchnorm_fwd                one element per thread, channel = (i / inner) % c.
// Reference: backends/cpu/ops/normalization.cpp (which accumulates in double).
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/normalization.hpp"
#include "backends/cuda/kernels/row_vectors.cuh"

namespace mirt::cuda {
namespace {

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

// W floats as vector c of a row (16-byte stores: the row is 16-byte aligned).
template <int W>
__device__ inline void store_floats(float* row, int c, const float (&f)[W]) {
  float4* q = reinterpret_cast<float4*>(row + int64_t(c) * W);
#pragma unroll
  for (int i = 0; i < W / 4; ++i) q[i] = make_float4(f[4 * i], f[4 * i + 1], f[4 * i + 2], f[4 * i + 3]);
}

// The common case (rows of at most 1024 values, scale and bias of one row): one warp per row holds
// its row in registers, so x is read once, not three times. A lane loads W values at a time: 16
// bytes (4 floats, or 8 halves where the row is a multiple of 8), else 8 bytes of 4 halves.
// Prefetch: scale and bias load with the row, not after the two reductions, so a warp waits on
// memory once, not twice. That holds more registers a thread (83 against 48 for float16 rows of
// 768 in 8-byte loads), so it pays where the grid is a fraction of the GPU (BERT-base at batch 1:
// 128 rows, 4.5 -> 3.3 us a layer) and costs where occupancy carries the bandwidth (batch 32: 6.2
// -> 9.0 us).
// Hints (SkipLayerNormalization over many rows): x (a GEMM's output) and skip (the residual) are
// read as their last use, so L2 may drop them first, and y (the next residual, which the next
// SkipLayerNormalization reads after the layers between have streamed tens of MB through L2) is
// written to stay. BERT-base at batch 32 on an H100: 1.61 against 1.63 ms a run, alternated twice.
template <class T, int W, int Q, bool Prefetch, bool Hints = false>
__global__ void layernorm_fwd_warp_regs(layer_norm_params p) {
  const int lane = threadIdx.x % 32;
  const int vecs = int(p.cols / W);
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  const T* scale = static_cast<const T*>(p.scale);
  const T* bias = static_cast<const T*>(p.bias);
  for (int64_t row = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; row < p.rows; row += warps) {
    const T* src = static_cast<const T*>(p.x) + row * p.cols;
    const T* skip = p.skip ? static_cast<const T*>(p.skip) + row * p.cols : nullptr;
    T* dst = p.y ? static_cast<T*>(p.y) + row * p.cols : nullptr;
    float* dst_float = p.y_float ? p.y_float + row * p.cols : nullptr;
    float v[Q][W];
    raw_vec<T, W> g[Q], h[Q];
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      const int c = j * 32 + lane;
#pragma unroll
      for (int i = 0; i < W; ++i) v[j][i] = 0.f;
      if (c >= vecs) continue;
      if (Prefetch && scale) g[j] = load_raw<T, W>(scale, c);
      if (Prefetch && bias) h[j] = load_raw<T, W>(bias, c);
      if (Hints) widen<T, W>(load_raw_last_use<T, W>(src, c), v[j]);
      else load_vec<T, W>(src, c, v[j]);
      if (skip) {  // the residual Add of SkipLayerNormalization, in float32
        float r[W];
        if (Hints) widen<T, W>(load_raw_last_use<T, W>(skip, c), r);
        else load_vec<T, W>(skip, c, r);
#pragma unroll
        for (int i = 0; i < W; ++i) v[j][i] += r[i];
      }
    }
    float mean, inv;
    row_statistics<Q, W, Prefetch>(v, vecs, lane, p.cols, p.epsilon, mean, inv);  // one pass where latency-bound
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      const int c = j * 32 + lane;
      if (c >= vecs) continue;
      float o[W], w[W];
#pragma unroll
      for (int i = 0; i < W; ++i) o[i] = (v[j][i] - mean) * inv;
      if (scale) {
        if (Prefetch) widen<T, W>(g[j], w);
        else load_vec<T, W>(scale, c, w);
#pragma unroll
        for (int i = 0; i < W; ++i) o[i] *= w[i];
      }
      if (bias) {
        if (Prefetch) widen<T, W>(h[j], w);
        else load_vec<T, W>(bias, c, w);
#pragma unroll
        for (int i = 0; i < W; ++i) o[i] += w[i];
      }
      if (dst) {
        if (Hints) store_raw_kept<T, W>(dst, c, narrow<T, W>(o));
        else store_vec<T, W>(dst, c, o);
      }
      if (dst_float) store_floats<W>(dst_float, c, o);
    }
    if (lane == 0) {
      if (p.mean) p.mean[row] = mean;
      if (p.inv_std) p.inv_std[row] = inv;
    }
  }
}

// Rows up to which the grid is too small to hide memory latency by occupancy (see Prefetch).
constexpr int64_t k_prefetch_rows = 2048;

template <class T, int W, int Q>
status launch_regs(const layer_norm_params& p, cudaStream_t stream) {
  constexpr int warps_per_block = 4;
  const dim3 grid = grid_for(p.rows, warps_per_block);
  if (p.rows <= k_prefetch_rows)
    layernorm_fwd_warp_regs<T, W, Q, true><<<grid, 32 * warps_per_block, 0, stream>>>(p);
  else if (p.skip)  // L2 hints: see Hints
    layernorm_fwd_warp_regs<T, W, Q, false, true><<<grid, 32 * warps_per_block, 0, stream>>>(p);
  else
    layernorm_fwd_warp_regs<T, W, Q, false><<<grid, 32 * warps_per_block, 0, stream>>>(p);
  return check_launch("layernorm_fwd_warp_regs");
}

// Vectors of W values a lane, Q of them: Q * 32 * W >= cols.
template <class T, int W>
status launch_regs_for(const layer_norm_params& p, cudaStream_t stream) {
  const int64_t q = ceil_div(p.cols, 32 * W);
  if constexpr (W == 8) {
    if (q <= 2) return launch_regs<T, W, 2>(p, stream);
    if (q <= 3) return launch_regs<T, W, 3>(p, stream);
    return launch_regs<T, W, 4>(p, stream);
  } else {
    if (q <= 2) return launch_regs<T, W, 2>(p, stream);
    if (q <= 4) return launch_regs<T, W, 4>(p, stream);
    if (q <= 6) return launch_regs<T, W, 6>(p, stream);
    return launch_regs<T, W, 8>(p, stream);
  }
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
  if (!p.x || (!p.y && !p.y_float)) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "layer norm: NULL buffer");
  if (p.y_float && p.dtype == MIRT_DTYPE_FLOAT32)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "layer norm: a float32 output besides y is for float16/bfloat16 inputs");
  if ((p.scale && p.scale_n <= 0) || (p.bias && p.bias_n <= 0))
    return make_error(MIRT_STATUS_INVALID_SHAPE, "layer norm: empty scale or bias");
  // 4 values a load; halves take 8 (16 bytes) where rows and pointers allow it.
  const auto aligned = [](const void* q, uintptr_t bytes) { return reinterpret_cast<uintptr_t>(q) % bytes == 0; };
  const auto all_aligned = [&](uintptr_t bytes) {
    return aligned(p.x, bytes) && aligned(p.y, bytes) && (!p.skip || aligned(p.skip, bytes)) && (!p.scale || aligned(p.scale, bytes)) &&
           (!p.bias || aligned(p.bias, bytes)) && aligned(p.y_float, 16);
  };
  const bool one_row_params = (!p.scale || p.scale_n == p.cols) && (!p.bias || p.bias_n == p.cols);
  const uintptr_t bytes4 = p.dtype == MIRT_DTYPE_FLOAT32 ? 16 : 8;
  if (p.cols % 4 == 0 && p.cols <= 1024 && one_row_params && all_aligned(bytes4)) {
    return dispatch_real(p.dtype, "layer norm", [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, float>)
        if (p.cols % 8 == 0 && all_aligned(16)) return launch_regs_for<T, 8>(p, stream);
      return launch_regs_for<T, 4>(p, stream);
    });
  }
  if (p.skip || p.y_float)
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
