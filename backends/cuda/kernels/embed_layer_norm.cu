// backends/cuda/kernels/embed_layer_norm.cu — mirt::EmbedLayerNormalization (BERT's embeddings).
//
// Kernel:
//   embed_layer_norm_warp  one warp per output row: finds the table row once, loads it and the
//                          addend row 16 bytes a lane (8 halves or 4 floats) into registers, then
//                          mean, variance around it and the affine write as layernorm_fwd_warp_regs
//                          (normalization.cu) does. Unfused that was a gather, two broadcast Adds
//                          over the whole activation and a LayerNorm.
// Reference: backends/cpu/ops/embed_layer_norm.cpp (which fails on an out-of-range index; here
// such a row reads zeros, as the cuda Gather's, and is reported through first_bad when asked).
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "backends/cuda/kernels/embed_layer_norm.hpp"
#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/index_check.cuh"
#include "backends/cuda/kernels/row_vectors.cuh"

namespace mirt::cuda {
namespace {

// Q vectors of W values a lane: Q * 32 * W >= hidden.
template <class T, class I, int Q>
__global__ void embed_layer_norm_warp(embed_layer_norm_params p) {
  constexpr int W = k_width<T>;
  const int lane = threadIdx.x % 32;
  const int vecs = int(p.hidden / W);
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  const T *table = static_cast<const T*>(p.table), *addend = static_cast<const T*>(p.addend);
  const T *scale = static_cast<const T*>(p.scale), *bias = static_cast<const T*>(p.bias);
  for (int64_t row = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; row < p.rows; row += warps) {
    int64_t k = int64_t(static_cast<const I*>(p.indices)[row]);
    if (k < 0) k += p.vocabulary;
    const bool inside = k >= 0 && k < p.vocabulary;
    if (!inside && lane == 0) report_bad_index(p.first_bad, row);
    const T* src = table + k * p.hidden;
    const T* add = addend ? addend + (row % p.addend_rows) * p.hidden : nullptr;
    float v[Q][W];
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      const int c = j * 32 + lane;
#pragma unroll
      for (int i = 0; i < W; ++i) v[j][i] = 0.f;
      if (c >= vecs) continue;
      if (inside) load_vec<T, W>(src, c, v[j]);
      if (add) {
        float a[W];
        load_vec<T, W>(add, c, a);
#pragma unroll
        for (int i = 0; i < W; ++i) v[j][i] += a[i];
      }
    }
    float mean, inv;
    row_statistics<Q, W>(v, vecs, lane, p.hidden, p.epsilon, mean, inv);
    T* dst = static_cast<T*>(p.y) + row * p.hidden;
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      const int c = j * 32 + lane;
      if (c >= vecs) continue;
      float o[W], w[W];
      load_vec<T, W>(scale, c, w);
#pragma unroll
      for (int i = 0; i < W; ++i) o[i] = (v[j][i] - mean) * inv * w[i];
      if (bias) {
        load_vec<T, W>(bias, c, w);
#pragma unroll
        for (int i = 0; i < W; ++i) o[i] += w[i];
      }
      store_vec<T, W>(dst, c, o);
    }
  }
}

template <class T, class I, int Q>
status launch_q(const embed_layer_norm_params& p, cudaStream_t stream) {
  constexpr int warps_per_block = 4;
  embed_layer_norm_warp<T, I, Q><<<grid_for(p.rows, warps_per_block), 32 * warps_per_block, 0, stream>>>(p);
  return check_launch("embed_layer_norm_warp");
}

template <class T, class I>
status launch_for(const embed_layer_norm_params& p, cudaStream_t stream) {
  const int64_t q = ceil_div(p.hidden, 32 * k_width<T>);  // 1..8 (floats), 1..4 (halves)
  if (q <= 1) return launch_q<T, I, 1>(p, stream);
  if (q <= 2) return launch_q<T, I, 2>(p, stream);
  if (q <= 3) return launch_q<T, I, 3>(p, stream);
  if (q <= 4) return launch_q<T, I, 4>(p, stream);
  if constexpr (std::is_same_v<T, float>) {
    if (q <= 6) return launch_q<T, I, 6>(p, stream);
    return launch_q<T, I, 8>(p, stream);
  }
  return make_error(MIRT_STATUS_UNSUPPORTED, "embed layer norm: rows of more than 1024 values");
}

}  // namespace

status launch_embed_layer_norm(const embed_layer_norm_params& p, cudaStream_t stream) {
  if (p.rows < 0 || p.hidden < 0 || p.vocabulary < 0 || p.addend_rows < 0)
    return make_error(MIRT_STATUS_INVALID_SHAPE, "embed layer norm: negative extent");
  if (p.rows == 0 || p.hidden == 0) return {};
  if (!p.indices || !p.table || !p.scale || !p.y || (p.addend && p.addend_rows == 0))
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "embed layer norm: NULL buffer");
  if (p.hidden % 8 != 0 || p.hidden > 1024)
    return make_error(MIRT_STATUS_UNSUPPORTED, "embed layer norm: rows must hold a multiple of 8 values, at most 1024 (got " +
                                                   std::to_string(p.hidden) + ")");
  const auto aligned = [](const void* q) { return reinterpret_cast<uintptr_t>(q) % 16 == 0; };
  if (!aligned(p.table) || !aligned(p.scale) || !aligned(p.y) || (p.addend && !aligned(p.addend)) || (p.bias && !aligned(p.bias)))
    return make_error(MIRT_STATUS_UNSUPPORTED, "embed layer norm: buffers must be 16-byte aligned");
  return dispatch_real(p.dtype, "embed layer norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    return p.indices_int64 ? launch_for<T, int64_t>(p, stream) : launch_for<T, int32_t>(p, stream);
  });
}

}  // namespace mirt::cuda
