// backends/cuda/kernels/attention.cu — fused attention (flash-attention style: the scores of one
// tile of queries against one tile of keys live in shared memory, with a running max and sum per
// query row, so neither the scores nor the probabilities reach global memory).
//
// Kernels:
//   attention_wmma    float16/bfloat16, Dk == Dv == D in {32, 64, 128}: a block of 4 warps takes
//                     64 queries of one (batch, head); per tile of 64 keys, S = Q K^T and O += P V
//                     on tensor cores (WMMA 16x16x16, float32 accumulators), the softmax in
//                     float32 (2 lanes per query row). O lives in shared memory in float32 and is
//                     rescaled per row when the running max grows.
//   attention_rows    any float type, Dk, Dv <= 256: one warp per query, 32 keys at a time (one per
//                     lane), online softmax, lane l accumulating output dims l, l + 32, ...
// Reference: backends/cpu/ops/fused_attention.cpp. Masked keys (-inf) get probability 0; a query
// whose keys are all masked gets Y = 0.
#include <cuda_runtime.h>
#include <mma.h>

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/attention.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

// Dims of one (batch, head) in the [B, S, H, D] layouts, element offsets.
struct head_view {
  int64_t q, k, v, y;  // offset of row 0 of this head
  int64_t q_row, k_row, v_row, y_row;  // stride between consecutive positions
};

__device__ inline head_view view_of(const attention_params& p, int64_t b, int64_t h) {
  head_view hv;
  hv.q_row = p.heads * p.dk, hv.k_row = p.heads * p.dk, hv.v_row = p.heads * p.dv, hv.y_row = p.heads * p.dv;
  hv.q = b * p.sq * hv.q_row + h * p.dk;
  hv.k = b * p.skv * hv.k_row + h * p.dk;
  hv.v = b * p.skv * hv.v_row + h * p.dv;
  hv.y = b * p.sq * hv.y_row + h * p.dv;
  return hv;
}

template <class T>
__device__ inline float mask_at(const attention_params& p, const T* mask, int64_t b, int64_t h, int64_t i, int64_t j) {
  if (mask == nullptr) return 0.f;
  return float(mask[b * p.mask_strides[0] + h * p.mask_strides[1] + i * p.mask_strides[2] + j * p.mask_strides[3]]);
}

// exp(s - m) that is 0 where s is -inf, also when m is -inf (no finite score yet).
__device__ inline float exp_from(float s, float m) { return s == -INFINITY ? 0.f : __expf(s - m); }

// ---- tensor-core kernel ----

constexpr int k_warps = 4, k_rows = 16 * k_warps, k_keys = 64;

template <int D>
struct wmma_layout {
  static constexpr int ld_half = D + 8;        // Q, K, V rows (halves)
  static constexpr int ld_p = k_keys + 8;      // P rows (halves)
  static constexpr int ld_s = k_keys + 4;      // S rows (floats)
  static constexpr int ld_o = D + 4;           // O rows (floats)
  static constexpr size_t q_at = 0;
  static constexpr size_t k_at = q_at + size_t(k_rows) * ld_half * 2;
  static constexpr size_t v_at = k_at + size_t(k_keys) * ld_half * 2;
  static constexpr size_t p_at = v_at + size_t(k_keys) * ld_half * 2;
  static constexpr size_t s_at = p_at + size_t(k_rows) * ld_p * 2;
  static constexpr size_t o_at = s_at + size_t(k_rows) * ld_s * 4;
  static constexpr size_t bytes = o_at + size_t(k_rows) * ld_o * 4;
};

// rows x D values from src (row stride `row`, `valid` rows present) into shared rows of ld, 16 bytes a thread.
template <class T, int D>
__device__ inline void load_tile(T* dst, int ld, const T* src, int64_t row, int rows, int64_t valid) {
  constexpr int per_row = D * int(sizeof(T)) / 16;
  for (int idx = threadIdx.x; idx < rows * per_row; idx += blockDim.x) {
    const int r = idx / per_row, c = idx % per_row;
    pack16<T> v;
    if (r < valid) {
      v = *reinterpret_cast<const pack16<T>*>(src + r * row + c * (16 / int(sizeof(T))));
    } else {
#pragma unroll
      for (int e = 0; e < 16 / int(sizeof(T)); ++e) v.v[e] = T(0.f);
    }
    *reinterpret_cast<pack16<T>*>(dst + r * ld + c * (16 / int(sizeof(T)))) = v;
  }
}

template <class T, int D>
__global__ void __launch_bounds__(32 * k_warps) attention_wmma(attention_params p) {
  using namespace nvcuda;
  using L = wmma_layout<D>;
  extern __shared__ __align__(128) unsigned char smem[];
  T* sq = reinterpret_cast<T*>(smem + L::q_at);
  T* sk = reinterpret_cast<T*>(smem + L::k_at);
  T* sv = reinterpret_cast<T*>(smem + L::v_at);
  T* sp = reinterpret_cast<T*>(smem + L::p_at);
  float* ss = reinterpret_cast<float*>(smem + L::s_at);
  float* so = reinterpret_cast<float*>(smem + L::o_at);
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = int64_t(blockIdx.x) * k_rows;
  const head_view hv = view_of(p, b, h);
  const T* q = static_cast<const T*>(p.q) + hv.q;
  const T* k = static_cast<const T*>(p.k) + hv.k;
  const T* v = static_cast<const T*>(p.v) + hv.v;
  const T* mask = static_cast<const T*>(p.mask);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

  load_tile<T, D>(sq, L::ld_half, q + q0 * hv.q_row, hv.q_row, k_rows, p.sq - q0);
  for (int i = threadIdx.x; i < k_rows * L::ld_o; i += blockDim.x) so[i] = 0.f;
  // Lanes 2r and 2r+1 own row r of the warp's 16: half of its keys and half of its O columns each.
  const int r = warp * 16 + lane / 2, half = lane % 2;
  const int64_t qi = q0 + r;
  float m = -INFINITY, l = 0.f;

  for (int64_t j0 = 0; j0 < p.skv; j0 += k_keys) {
    __syncthreads();  // the previous tile's K and V are no longer read
    load_tile<T, D>(sk, L::ld_half, k + j0 * hv.k_row, hv.k_row, k_keys, p.skv - j0);
    load_tile<T, D>(sv, L::ld_half, v + j0 * hv.v_row, hv.v_row, k_keys, p.skv - j0);
    __syncthreads();
    // S = Q K^T for the warp's 16 rows.
#pragma unroll
    for (int c = 0; c < k_keys / 16; ++c) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.f);
#pragma unroll
      for (int kk = 0; kk < D / 16; ++kk) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> bt;
        wmma::load_matrix_sync(a, sq + warp * 16 * L::ld_half + kk * 16, L::ld_half);
        wmma::load_matrix_sync(bt, sk + c * 16 * L::ld_half + kk * 16, L::ld_half);
        wmma::mma_sync(acc, a, bt, acc);
      }
      wmma::store_matrix_sync(ss + warp * 16 * L::ld_s + c * 16, acc, L::ld_s, wmma::mem_row_major);
    }
    __syncwarp();
    // Online softmax of row r over this tile's keys.
    float s[k_keys / 2];
    float tile_max = -INFINITY;
#pragma unroll
    for (int e = 0; e < k_keys / 2; ++e) {
      const int c = half * (k_keys / 2) + e;
      const int64_t j = j0 + c;
      float x = -INFINITY;
      if (j < p.skv && qi < p.sq) x = ss[r * L::ld_s + c] * p.scale + mask_at(p, mask, b, h, qi, j);
      s[e] = x;
      tile_max = fmaxf(tile_max, x);
    }
    tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, 1));
    const float m_new = fmaxf(m, tile_max);
    const float corr = m_new == -INFINITY ? 1.f : exp_from(m, m_new);
    float sum = 0.f;
#pragma unroll
    for (int e = 0; e < k_keys / 2; ++e) {
      const float pe = exp_from(s[e], m_new);
      sum += pe;
      sp[r * L::ld_p + half * (k_keys / 2) + e] = T(pe);
    }
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    l = l * corr + sum;
    m = m_new;
#pragma unroll
    for (int c = half * (D / 2); c < (half + 1) * (D / 2); ++c) so[r * L::ld_o + c] *= corr;
    __syncwarp();
    // O += P V for the warp's 16 rows.
#pragma unroll
    for (int c = 0; c < D / 16; ++c) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::load_matrix_sync(acc, so + warp * 16 * L::ld_o + c * 16, L::ld_o, wmma::mem_row_major);
#pragma unroll
      for (int kk = 0; kk < k_keys / 16; ++kk) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> bv;
        wmma::load_matrix_sync(a, sp + warp * 16 * L::ld_p + kk * 16, L::ld_p);
        wmma::load_matrix_sync(bv, sv + kk * 16 * L::ld_half + c * 16, L::ld_half);
        wmma::mma_sync(acc, a, bv, acc);
      }
      wmma::store_matrix_sync(so + warp * 16 * L::ld_o + c * 16, acc, L::ld_o, wmma::mem_row_major);
    }
    __syncwarp();
  }
  if (qi >= p.sq) return;
  const float inv = l > 0.f ? 1.f / l : 0.f;
  T* y = static_cast<T*>(p.y) + hv.y + qi * hv.y_row;
#pragma unroll
  for (int c = half * (D / 2); c < (half + 1) * (D / 2); c += 2) {
    y[c] = T(so[r * L::ld_o + c] * inv);
    y[c + 1] = T(so[r * L::ld_o + c + 1] * inv);
  }
}

// ---- warp-per-query kernel ----

constexpr int k_max_head = 256;

template <class T>
__global__ void __launch_bounds__(128) attention_rows(attention_params p) {
  __shared__ float q_rows[4][k_max_head];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t b = blockIdx.z, h = blockIdx.y, qi = int64_t(blockIdx.x) * 4 + warp;
  if (qi >= p.sq) return;  // whole warps leave; no block-wide barrier follows
  const head_view hv = view_of(p, b, h);
  const T* q = static_cast<const T*>(p.q) + hv.q + qi * hv.q_row;
  const T* k = static_cast<const T*>(p.k) + hv.k;
  const T* v = static_cast<const T*>(p.v) + hv.v;
  const T* mask = static_cast<const T*>(p.mask);
  for (int64_t d = lane; d < p.dk; d += 32) q_rows[warp][d] = float(q[d]) * p.scale;
  __syncwarp();
  constexpr int per_lane = k_max_head / 32;
  float o[per_lane];
#pragma unroll
  for (int t = 0; t < per_lane; ++t) o[t] = 0.f;
  float m = -INFINITY, l = 0.f;
  for (int64_t j0 = 0; j0 < p.skv; j0 += 32) {
    const int64_t j = j0 + lane;
    float s = -INFINITY;
    if (j < p.skv) {
      const T* kj = k + j * hv.k_row;
      float dot = 0.f;
      for (int64_t d = 0; d < p.dk; ++d) dot += q_rows[warp][d] * float(kj[d]);
      s = dot + mask_at(p, mask, b, h, qi, j);
    }
    float tile_max = s;
    for (int o2 = 16; o2 > 0; o2 >>= 1) tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, o2));
    const float m_new = fmaxf(m, tile_max);
    const float corr = m_new == -INFINITY ? 1.f : exp_from(m, m_new);
    const float pj = exp_from(s, m_new);
    float sum = pj;
    for (int o2 = 16; o2 > 0; o2 >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o2);
    l = l * corr + sum;
    m = m_new;
#pragma unroll
    for (int t = 0; t < per_lane; ++t) o[t] *= corr;
    const int n = int(p.skv - j0 < 32 ? p.skv - j0 : 32);
    for (int e = 0; e < n; ++e) {
      const float pe = __shfl_sync(0xffffffffu, pj, e);
      const T* ve = v + (j0 + e) * hv.v_row;
#pragma unroll
      for (int t = 0; t < per_lane; ++t) {
        const int64_t d = lane + 32 * t;
        if (d < p.dv) o[t] += pe * float(ve[d]);
      }
    }
  }
  const float inv = l > 0.f ? 1.f / l : 0.f;
  T* y = static_cast<T*>(p.y) + hv.y + qi * hv.y_row;
#pragma unroll
  for (int t = 0; t < per_lane; ++t) {
    const int64_t d = lane + 32 * t;
    if (d < p.dv) y[d] = T(o[t] * inv);
  }
}

template <class T, int D>
status run_wmma(const attention_params& p, cudaStream_t stream) {
  constexpr size_t bytes = wmma_layout<D>::bytes;
  // Above 48 KiB of dynamic shared memory a kernel must opt in, once per process.
  static const cudaError_t opted =
      cudaFuncSetAttribute(attention_wmma<T, D>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes));
  if (opted != cudaSuccess)
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: attention_wmma needs ") + std::to_string(bytes) +
                                                    " bytes of shared memory: " + cudaGetErrorString(opted));
  const dim3 grid(unsigned(ceil_div(p.sq, k_rows)), unsigned(p.heads), unsigned(p.batch));
  attention_wmma<T, D><<<grid, 32 * k_warps, bytes, stream>>>(p);
  return check_launch("attention_wmma");
}

template <class T>
status run(const attention_params& p, cudaStream_t stream) {
  if constexpr (is_half_v<T>) {
    const bool aligned = (reinterpret_cast<uintptr_t>(p.q) | reinterpret_cast<uintptr_t>(p.k) |
                          reinterpret_cast<uintptr_t>(p.v)) % 16 == 0;
    if (aligned && p.dk == p.dv) {
      if (p.dk == 32) return run_wmma<T, 32>(p, stream);
      if (p.dk == 64) return run_wmma<T, 64>(p, stream);
      if (p.dk == 128) return run_wmma<T, 128>(p, stream);
    }
  }
  const dim3 grid(unsigned(ceil_div(p.sq, 4)), unsigned(p.heads), unsigned(p.batch));
  attention_rows<T><<<grid, 128, 0, stream>>>(p);
  return check_launch("attention_rows");
}

}  // namespace

bool attention_fits(int64_t dk, int64_t dv, const char** why) {
  // A dynamic head size (-1) is checked again when the layer runs.
  if (dk <= k_max_head && dv <= k_max_head) return true;
  if (why) *why = "head sizes above 256 are not supported by the cuda FusedAttention kernels";
  return false;
}

status launch_attention(const attention_params& p, cudaStream_t stream) {
  if (p.batch < 0 || p.heads < 0 || p.sq < 0 || p.skv < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "attention: negative extent");
  if (p.batch * p.heads * p.sq * p.dv == 0) return {};
  if (p.dk <= 0 || p.dk > k_max_head || p.dv > k_max_head)
    return make_error(MIRT_STATUS_UNSUPPORTED, "attention: head sizes " + std::to_string(p.dk) + " and " + std::to_string(p.dv) +
                                                   " (Q/K and V): the kernels take 1 to 256");
  if (p.batch > 65535 || p.heads > 65535 || ceil_div(p.sq, 4) > 2147483647LL)
    return make_error(MIRT_STATUS_UNSUPPORTED, "attention: batch or heads above 65535");
  if (!p.q || !p.k || !p.v || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "attention: NULL buffer");
  return dispatch_real(p.dtype, "attention", [&](auto tag) { return run<typename decltype(tag)::type>(p, stream); });
}

}  // namespace mirt::cuda
