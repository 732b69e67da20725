// backends/cuda/kernels/row_vectors.cuh — what the one-warp-a-row normalization kernels share
// (layernorm_fwd_warp_regs in normalization.cu, embed_layer_norm_warp in embed_layer_norm.cu): a
// warp sum, a row held in registers as vectors of W values a lane (W values of T loaded in one
// 16- or 8-byte access, widened to float, and stored back), and its mean and inverse deviation.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <type_traits>

namespace mirt::cuda {

__device__ inline float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// W values of T as one access: 16 bytes, or 8 (4 halves).
template <class T, int W>
using raw_vec = std::conditional_t<W * sizeof(T) == 16, uint4, uint2>;

// The values of 16 bytes of T: 4 floats or 8 halves.
template <class T>
constexpr int k_width = 16 / sizeof(T);

template <class T, int W>
__device__ inline void widen(const raw_vec<T, W>& u, float (&f)[W]) {
  if constexpr (std::is_same_v<T, float>) {
    const float* x = reinterpret_cast<const float*>(&u);
#pragma unroll
    for (int i = 0; i < W; ++i) f[i] = x[i];
  } else if constexpr (std::is_same_v<T, __half>) {
    const __half2* x = reinterpret_cast<const __half2*>(&u);
#pragma unroll
    for (int i = 0; i < W / 2; ++i) {
      const float2 a = __half22float2(x[i]);
      f[2 * i] = a.x, f[2 * i + 1] = a.y;
    }
  } else {
    const __nv_bfloat162* x = reinterpret_cast<const __nv_bfloat162*>(&u);
#pragma unroll
    for (int i = 0; i < W / 2; ++i) {
      const float2 a = __bfloat1622float2(x[i]);
      f[2 * i] = a.x, f[2 * i + 1] = a.y;
    }
  }
}

// Vector c of a row (W values from p + c W).
template <class T, int W>
__device__ inline raw_vec<T, W> load_raw(const T* p, int c) {
  return reinterpret_cast<const raw_vec<T, W>*>(p)[c];
}

template <class T, int W>
__device__ inline void load_vec(const T* p, int c, float (&f)[W]) {
  widen<T, W>(load_raw<T, W>(p, c), f);
}

template <class T, int W>
__device__ inline raw_vec<T, W> narrow(const float (&f)[W]) {
  raw_vec<T, W> u;
  if constexpr (std::is_same_v<T, float>) {
    float* x = reinterpret_cast<float*>(&u);
#pragma unroll
    for (int i = 0; i < W; ++i) x[i] = f[i];
  } else if constexpr (std::is_same_v<T, __half>) {
    __half2* x = reinterpret_cast<__half2*>(&u);
#pragma unroll
    for (int i = 0; i < W / 2; ++i) x[i] = __floats2half2_rn(f[2 * i], f[2 * i + 1]);
  } else {
    __nv_bfloat162* x = reinterpret_cast<__nv_bfloat162*>(&u);
#pragma unroll
    for (int i = 0; i < W / 2; ++i) x[i] = __floats2bfloat162_rn(f[2 * i], f[2 * i + 1]);
  }
  return u;
}

template <class T, int W>
__device__ inline void store_vec(T* p, int c, const float (&f)[W]) {
  reinterpret_cast<raw_vec<T, W>*>(p)[c] = narrow<T, W>(f);
}

// L2 residency hints for 16-byte accesses (sm_80+ cache_hint with a createpolicy): a load that is
// the data's last use marks its lines evict_first; a store whose data is read again after other
// large tensors pass through L2 marks them evict_last. 8-byte vectors access plainly.
template <class T, int W>
__device__ inline raw_vec<T, W> load_raw_last_use(const T* p, int c) {
  if constexpr (sizeof(raw_vec<T, W>) == 16) {
    uint4 u;
    uint64_t policy;
    asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;\n" : "=l"(policy));
    asm volatile("ld.global.L2::cache_hint.v4.u32 {%0, %1, %2, %3}, [%4], %5;\n"
                 : "=r"(u.x), "=r"(u.y), "=r"(u.z), "=r"(u.w)
                 : "l"(reinterpret_cast<const uint4*>(p) + c), "l"(policy));
    return u;
  } else {
    return load_raw<T, W>(p, c);
  }
}

template <class T, int W>
__device__ inline void store_raw_kept(T* p, int c, const raw_vec<T, W>& u) {
  if constexpr (sizeof(raw_vec<T, W>) == 16) {
    uint64_t policy;
    asm volatile("createpolicy.fractional.L2::evict_last.b64 %0, 1.0;\n" : "=l"(policy));
    asm volatile("st.global.L2::cache_hint.v4.u32 [%0], {%1, %2, %3, %4}, %5;\n" ::"l"(reinterpret_cast<uint4*>(p) + c),
                 "r"(u.x), "r"(u.y), "r"(u.z), "r"(u.w), "l"(policy)
                 : "memory");
  } else {
    reinterpret_cast<raw_vec<T, W>*>(p)[c] = u;
  }
}

// Mean and 1 / sqrt(variance + epsilon) of a warp's row of `cols` values held as v[j] = vector
// j * 32 + lane (past `vecs`: not part of the row, zeros), both sums in float32.
//
// Two passes (the default): the mean, then the variance around it; two warp reductions one after
// the other.
//
// OnePass, for grids too small to hide latency (where the dependent chain is the kernel's time):
// the sums of d = x - shift and of d * d, with shift the row's first value, give the mean and the
// variance (mean(d * d) - mean(d)^2) in one warp reduction of two values. Shifting by a value of
// the row bounds the cancellation: (mean - shift)^2 <= cols * variance, so the variance keeps a
// relative error near cols * 2^-24. Each lane sums W chains of Q values, then the W in a tree.
// BERT-base's SkipLayerNormalization on an H100: 2.27 against 2.48 us at 128 rows; at 4096 rows
// it was slower (5.7 against 5.3 us hot in L2), so the large grids keep two passes
// (bench/results/skip-layer-norm-one-pass-h100-2026-11-26.txt).
template <int Q, int W, bool OnePass = false>
__device__ inline void row_statistics(const float (&v)[Q][W], int vecs, int lane, int64_t cols, float epsilon, float& mean,
                                      float& inv) {
  const float inv_cols = 1.f / float(cols);
  if constexpr (OnePass) {
    const float shift = __shfl_sync(0xffffffffu, v[0][0], 0);
    float s[W], q[W];
#pragma unroll
    for (int i = 0; i < W; ++i) s[i] = q[i] = 0.f;
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      if (j * 32 + lane >= vecs) continue;
#pragma unroll
      for (int i = 0; i < W; ++i) {
        const float d = v[j][i] - shift;
        s[i] += d;
        q[i] = fmaf(d, d, q[i]);
      }
    }
#pragma unroll
    for (int w = W / 2; w > 0; w /= 2)
#pragma unroll
      for (int i = 0; i < w; ++i) s[i] += s[i + w], q[i] += q[i + w];
    float sum = s[0], squares = q[0];
    for (int o = 16; o > 0; o >>= 1) {
      sum += __shfl_xor_sync(0xffffffffu, sum, o);
      squares += __shfl_xor_sync(0xffffffffu, squares, o);
    }
    const float mean_d = sum * inv_cols;
    mean = shift + mean_d;
    inv = rsqrtf(fmaxf(squares * inv_cols - mean_d * mean_d, 0.f) + epsilon);
  } else {
    float s = 0.f;
#pragma unroll
    for (int j = 0; j < Q; ++j)
#pragma unroll
      for (int i = 0; i < W; ++i) s += v[j][i];
    mean = warp_sum(s) * inv_cols;
    float q = 0.f;
#pragma unroll
    for (int j = 0; j < Q; ++j) {
      if (j * 32 + lane >= vecs) continue;
#pragma unroll
      for (int i = 0; i < W; ++i) q += (v[j][i] - mean) * (v[j][i] - mean);
    }
    inv = rsqrtf(warp_sum(q) * inv_cols + epsilon);
  }
}

}  // namespace mirt::cuda
