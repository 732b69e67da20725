// backends/cuda/kernels/attention.cu — fused attention (flash-attention style: the scores of one
// tile of queries against one tile of keys live in shared memory, with a running max and sum per
// query row, so neither the scores nor the probabilities reach global memory).
//
// Kernels (attention_hopper.cu has one on Hopper's wgmma for up to 128 keys of head size 64):
//   attention_mma     float16/bfloat16, Dk == Dv == D in {32, 64, 128}: a block of 1, 2, 4 or 8
//                     warps takes 16 queries a warp of one (batch, head) (a few queries: 1 warp of
//                     queries, its keys split between 2 warps); per tile of 64 keys, S = Q K^T
//                     and O += P V on tensor cores (mma.sync m16n8k16, float32 accumulators), the
//                     online softmax in float32 on the score registers.
//   attention_rows    any float type, Dk, Dv <= 256: one warp per query, 32 keys at a time (one per
//                     lane), online softmax, lane l accumulating output dims l, l + 32, ...
// Reference: backends/cpu/ops/fused_attention.cpp. Masked keys (-inf) get probability 0; a query
// whose keys are all masked gets Y = 0.
#include <cuda_runtime.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "backends/cuda/kernels/attention.hpp"
#include "backends/cuda/kernels/attention_common.cuh"
#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/mma.cuh"

namespace mirt::cuda {
namespace {

template <class T>
__device__ inline float mask_at(const attention_params& p, int64_t b, int64_t h, int64_t i, int64_t j) {
  if (p.mask == nullptr) return 0.f;
  return mask_value<T>(p, b * p.mask_strides[0] + h * p.mask_strides[1] + i * p.mask_strides[2] + j * p.mask_strides[3]);
}

// exp(s - m) that is 0 where s is -inf, also when m is -inf (no finite score yet).
__device__ inline float exp_from(float s, float m) { return s == -INFINITY ? 0.f : __expf(s - m); }

// ---- tensor-core kernel ----
// FlashAttention-2's register layout on mma.sync m16n8k16 (PTX ISA, "Matrix fragments for
// mma.m16n8k16"): a warp owns 16 query rows; lane l holds rows l/4 and l/4 + 8 of each 16x8 score
// tile, columns 2 (l%4) and 2 (l%4) + 1. The scores' accumulators, converted to halves in place,
// are the A operand of P V, so S and P never leave registers; O accumulates in registers too.
// K and V tiles of 64 keys arrive by cp.async, the next tile loading while this one is used.

constexpr int k_keys = 64;

template <int D, int W, int Keys = k_keys>
struct mma_layout {
  static constexpr int ld = D + 8;  // row stride in halves: 8 rows of one ldmatrix fall in distinct banks
  static constexpr int rows = 16 * W;
  static constexpr size_t tile = size_t(Keys) * ld;  // halves of one K or V tile
  static constexpr size_t bytes = (size_t(rows) * ld + 4 * tile) * 2 + 2 * Keys * 4;  // Q, K and V twice, the mask twice
};

// rows x D values from src (row stride `row`; rows from `valid` on are zeros) into shared rows of
// ld, 16 bytes a cp.async. Rows past `valid` read nothing (source size 0).
template <class T, int D, int Threads>
__device__ inline void copy_tile_async(T* dst, int ld, const T* src, int64_t row, int rows, int64_t valid, int tid) {
  constexpr int per_row = D * int(sizeof(T)) / 16, step = 16 / int(sizeof(T));
  for (int idx = tid; idx < rows * per_row; idx += Threads) {
    const int r = idx / per_row, c = idx % per_row;
    const bool inside = r < valid;
    const T* from = src + (inside ? r * row + c * step : 0);
    copy16_async(dst + r * ld + c * step, from, inside ? 16 : 0);
  }
  asm volatile("cp.async.commit_group;\n" ::);
}

// Up to head size 64, at most 128 registers a thread (a few bytes spill): 16 warps a multiprocessor.
// Split 2 (one warp of queries, W 1): two warps take the first and the second half of the key
// tiles for the same 16 queries, each in its own shared memory, and the second hands its running
// max, sum and O to the first to merge; for grids too small to fill the GPU (BERT at batch 1).
// QRegs: Q's fragments stay in registers from the first tile on; without, each tile reads them
// again from shared memory, 16 registers fewer (at D 64), for more resident blocks.
template <class T, int D, int W, int Split, int Keys = k_keys, int MinBlocks = (D <= 64 ? 16 / (W * Split) : 1), bool QRegs = true>
__global__ void __launch_bounds__(32 * W * Split, MinBlocks) attention_mma(attention_params p) {
  static_assert(Split == 1 || W == 1, "a key split has one warp of queries per part");
  using L = mma_layout<D, W, Keys>;
  constexpr int ld = L::ld;
  extern __shared__ __align__(128) unsigned char smem[];
  const int part = Split == 1 ? 0 : int(threadIdx.x) / (32 * W), tid = Split == 1 ? int(threadIdx.x) : int(threadIdx.x) % (32 * W);
  // Barrier among the threads of one part (a part of a split is one warp).
  auto part_sync = [] {
    if constexpr (Split == 1)
      __syncthreads();
    else
      __syncwarp();
  };
  T* sq = reinterpret_cast<T*>(smem + part * L::bytes);
  T* kv = sq + L::rows * ld;  // K0, V0, K1, V1
  float* mk = reinterpret_cast<float*>(kv + 4 * L::tile);  // two tiles' mask x log2(e); -inf past Skv
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = int64_t(blockIdx.x) * L::rows;
  const head_view hv = view_of(p, b, h);
  const T* q = static_cast<const T*>(p.q) + hv.q;
  const T* k = static_cast<const T*>(p.k) + hv.k;
  const T* v = static_cast<const T*>(p.v) + hv.v;
  // Scores in base 2 (exp2 of scale * log2(e) * s): one FMA and a MUFU.EX2 per probability.
  const bool masked = p.mask != nullptr;
  const int64_t mask_head = b * p.mask_strides[0] + h * p.mask_strides[1];  // this (batch, head)'s mask rows
  const bool row_mask = masked && p.mask_strides[2] != 0;  // else one mask row serves every query
  const float scale = p.scale * k_log2e;
  const int warp = tid / 32, lane = tid % 32, g = lane / 4, t4 = lane % 4;
  const int64_t row[2] = {q0 + warp * 16 + g, q0 + warp * 16 + g + 8};
  const int all_tiles = int((p.skv + Keys - 1) / Keys), per_part = (all_tiles + Split - 1) / Split;
  const int first = part * per_part, tiles = max(0, min(all_tiles, first + per_part) - first);
  k += first * Keys * hv.k_row;  // this part's keys start at tile `first`
  v += first * Keys * hv.v_row;
  const int64_t skv = p.skv - int64_t(first) * Keys;  // keys from there on

  // A key tile's mask as this thread's share of it (keys tid, tid + 32 W, ...): loaded into
  // registers one tile ahead and stored to shared memory at the end of the tile before, so that its
  // global load waits behind a tile of math, not on the barrier that starts the next tile.
  constexpr int mask_share = (Keys + 32 * W - 1) / (32 * W);
  float mask_next[mask_share];
  const auto load_mask = [&](int t) {
    const int64_t j0 = int64_t(t) * Keys, jm = j0 + int64_t(first) * Keys;
#pragma unroll
    for (int i = 0; i < mask_share; ++i) {
      const int c = tid + i * 32 * W;
      mask_next[i] = c >= Keys || j0 + c >= skv ? -INFINITY
                     : masked                   ? mask_value<T>(p, mask_head + (jm + c) * p.mask_strides[3]) * k_log2e
                                                : 0.f;
    }
  };
  const auto store_mask = [&](int t) {
#pragma unroll
    for (int i = 0; i < mask_share; ++i)
      if (tid + i * 32 * W < Keys) mk[(t % 2) * Keys + tid + i * 32 * W] = mask_next[i];
  };

  copy_tile_async<T, D, 32 * W>(sq, ld, q + q0 * hv.q_row, hv.q_row, L::rows, p.sq - q0, tid);
  copy_tile_async<T, D, 32 * W>(kv, ld, k, hv.k_row, Keys, skv, tid);
  copy_tile_async<T, D, 32 * W>(kv + L::tile, ld, v, hv.v_row, Keys, skv, tid);

  uint32_t qf[QRegs ? D / 16 : 1][4];
  float o[D / 8][4] = {};
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f};
  if (!row_mask && tiles > 0) {
    load_mask(0);
    store_mask(0);
  }
  for (int t = 0; t < tiles; ++t) {
    const int64_t j0 = int64_t(t) * Keys;  // in this part's keys
    if (!row_mask && t + 1 < tiles) load_mask(t + 1);
    if (t + 1 < tiles) {
      const int64_t j1 = int64_t(t + 1) * Keys;
      T* next = kv + ((t + 1) % 2) * 2 * L::tile;
      copy_tile_async<T, D, 32 * W>(next, ld, k + j1 * hv.k_row, hv.k_row, Keys, skv - j1, tid);
      copy_tile_async<T, D, 32 * W>(next + L::tile, ld, v + j1 * hv.v_row, hv.v_row, Keys, skv - j1, tid);
      asm volatile("cp.async.wait_group 2;\n" ::);  // all but the next tile's two groups
    } else {
      asm volatile("cp.async.wait_group 0;\n" ::);
    }
    part_sync();
    const auto load_q = [&](uint32_t(&f)[4], int c) {
      ldmatrix_x4(f, sq + (warp * 16 + lane % 8 + (lane / 8) % 2 * 8) * ld + c * 16 + lane / 16 * 8);
    };
    if constexpr (QRegs)
      if (t == 0) {
#pragma unroll
        for (int c = 0; c < D / 16; ++c) load_q(qf[c], c);
      }
    const T* sk = kv + (t % 2) * 2 * L::tile;
    const T* sv = sk + L::tile;

    // S = Q K^T: 8 tiles of 16 rows x 8 keys.
    float s[Keys / 8][4] = {};
#pragma unroll
    for (int c = 0; c < D / 16; ++c) {
      if constexpr (!QRegs) load_q(qf[0], c);
      const uint32_t(&a)[4] = qf[QRegs ? c : 0];
#pragma unroll
      for (int n = 0; n < Keys / 16; ++n) {
        uint32_t kb[4];
        ldmatrix_x4(kb, sk + (n * 16 + lane % 8 + lane / 16 * 8) * ld + c * 16 + (lane / 8) % 2 * 8);
        mma_16x8x16<T>(s[2 * n], a, kb[0], kb[1]);
        mma_16x8x16<T>(s[2 * n + 1], a, kb[2], kb[3]);
      }
    }
    // Online softmax per row; the 4 lanes of a quad share rows g and g + 8. Rows past Sq compute
    // on zero queries and are not stored.
    float mx[2] = {m[0], m[1]};
    if (!row_mask) {
#pragma unroll
      for (int n = 0; n < Keys / 8; ++n) {
        const float2 add = *reinterpret_cast<const float2*>(mk + (t % 2) * Keys + n * 8 + t4 * 2);
#pragma unroll
        for (int e = 0; e < 4; ++e) s[n][e] = fmaf(s[n][e], scale, e % 2 ? add.y : add.x);
      }
    } else {
      const int64_t i[2] = {row[0] < p.sq ? row[0] : p.sq - 1, row[1] < p.sq ? row[1] : p.sq - 1};
#pragma unroll
      for (int n = 0; n < Keys / 8; ++n)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int64_t j = j0 + n * 8 + t4 * 2 + e % 2, jg = j + int64_t(first) * Keys;
          s[n][e] = j < skv ? fmaf(s[n][e], scale,
                                   float(static_cast<const T*>(p.mask)[mask_head + i[e / 2] * p.mask_strides[2] + jg * p.mask_strides[3]]) *
                                       k_log2e)
                            : -INFINITY;
        }
    }
#pragma unroll
    for (int n = 0; n < Keys / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) mx[e / 2] = fmaxf(mx[e / 2], s[n][e]);
    float corr[2], base[2], sum[2] = {0.f, 0.f};
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
      base[r] = mx[r] == -INFINITY ? 0.f : mx[r];  // every key so far masked: 2^(-inf - 0) = 0, no NaN
      corr[r] = exp2_approx(m[r] - base[r]);       // 0 from a first finite max on (l and O are 0 before)
      m[r] = mx[r];
    }
#pragma unroll
    for (int n = 0; n < Keys / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        s[n][e] = exp2_approx(s[n][e] - base[e / 2]);
        sum[e / 2] += s[n][e];
      }
#pragma unroll
    for (int r = 0; r < 2; ++r) l[r] = l[r] * corr[r] + sum[r];  // this lane's columns; the quad sums at the end
#pragma unroll
    for (int d = 0; d < D / 8; ++d) o[d][0] *= corr[0], o[d][1] *= corr[0], o[d][2] *= corr[1], o[d][3] *= corr[1];
    // O += P V: P's 16-key chunks from the score registers, V by transposing loads.
#pragma unroll
    for (int c = 0; c < Keys / 16; ++c) {
      const uint32_t pa[4] = {pack_pair<T>(s[2 * c][0], s[2 * c][1]), pack_pair<T>(s[2 * c][2], s[2 * c][3]),
                              pack_pair<T>(s[2 * c + 1][0], s[2 * c + 1][1]), pack_pair<T>(s[2 * c + 1][2], s[2 * c + 1][3])};
#pragma unroll
      for (int d = 0; d < D / 16; ++d) {
        uint32_t vb[4];
        ldmatrix_x4_trans(vb, sv + (c * 16 + lane % 8 + (lane / 8) % 2 * 8) * ld + d * 16 + lane / 16 * 8);
        mma_16x8x16<T>(o[2 * d], pa, vb[0], vb[1]);
        mma_16x8x16<T>(o[2 * d + 1], pa, vb[2], vb[3]);
      }
    }
    if (!row_mask && t + 1 < tiles) store_mask(t + 1);  // the other buffer: last read a tile ago
    part_sync();  // the next iteration's copy overwrites this tile's buffer
  }
  asm volatile("cp.async.wait_group 0;\n" ::);  // no keys (Skv 0): the first copies still land before exit
  part_sync();  // (then) every thread's part of the Q tile has landed before it is overwritten
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 1);
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 2);
  }
  if constexpr (Split == 2) {
    // The second part's max, sum and O (in its own, now idle, K/V buffers) rescaled onto the first's.
    constexpr int per_lane = 4 + D / 2;
    float* hand = reinterpret_cast<float*>(reinterpret_cast<T*>(smem + L::bytes) + L::rows * ld) + lane * per_lane;
    if (part == 1) {
      hand[0] = m[0], hand[1] = m[1], hand[2] = l[0], hand[3] = l[1];
#pragma unroll
      for (int d = 0; d < D / 8; ++d)
#pragma unroll
        for (int e = 0; e < 4; ++e) hand[4 + 4 * d + e] = o[d][e];
    }
    __syncthreads();
    if (part == 1) return;
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const float m2 = hand[r], top = fmaxf(m[r], m2), base = top == -INFINITY ? 0.f : top;
      const float c1 = exp2_approx(m[r] - base), c2 = exp2_approx(m2 - base);
      l[r] = l[r] * c1 + hand[2 + r] * c2;
#pragma unroll
      for (int d = 0; d < D / 8; ++d)
#pragma unroll
        for (int e = 2 * r; e < 2 * r + 2; ++e) o[d][e] = o[d][e] * c1 + hand[4 + 4 * d + e] * c2;
    }
  }
  // Y goes out through this warp's Q rows in shared memory (read into registers at the first tile),
  // so that global memory gets whole 16-byte row segments: the accumulator layout would write 4
  // bytes a lane, half sectors.
  T* sy = sq + warp * 16 * ld;
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const float inv = l[r] > 0.f ? 1.f / l[r] : 0.f;
#pragma unroll
    for (int d = 0; d < D / 8; ++d) {
      const uint32_t pair = pack_pair<T>(o[d][2 * r] * inv, o[d][2 * r + 1] * inv);
      memcpy(sy + (g + 8 * r) * ld + d * 8 + t4 * 2, &pair, 4);
    }
  }
  __syncwarp();
  constexpr int per_row = D / 8;  // 16-byte segments of a row
#pragma unroll
  for (int c = lane; c < 16 * per_row; c += 32) {
    const int r = c / per_row, col = c % per_row * 8;
    const int64_t i = q0 + warp * 16 + r;
    if (i < p.sq)
      *reinterpret_cast<uint4*>(static_cast<T*>(p.y) + hv.y + i * hv.y_row + col) = *reinterpret_cast<const uint4*>(sy + r * ld + col);
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
      s = dot + mask_at<T>(p, b, h, qi, j);
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

template <class T, int D, int W, int Split = 1, int Keys = k_keys, int MinBlocks = (D <= 64 ? 16 / (W * Split) : 1), bool QRegs = true>
status run_mma(const attention_params& p, cudaStream_t stream) {
  constexpr size_t bytes = Split * mma_layout<D, W, Keys>::bytes;
  constexpr auto kernel = attention_mma<T, D, W, Split, Keys, MinBlocks, QRegs>;
  // Above 48 KiB of dynamic shared memory a kernel must opt in, once per process.
  static const cudaError_t opted = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes));
  if (opted != cudaSuccess)
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: attention_mma needs ") + std::to_string(bytes) +
                                                    " bytes of shared memory: " + cudaGetErrorString(opted));
  const dim3 grid(unsigned(ceil_div(p.sq, 16 * W)), unsigned(p.heads), unsigned(p.batch));
  kernel<<<grid, 32 * W * Split, bytes, stream>>>(p);
  return check_launch("attention_mma");
}

// Blocks of 8 warps (128 query rows) share each K/V tile among the most rows where they still fill
// the GPU. At head size 64 they read Q from shared memory at each tile of 32 keys, for 3 blocks a
// multiprocessor instead of 2: BERT-base at batch 32 (384 blocks) runs in one wave, 13.8 us a layer
// against 15.0 with Q in registers and tiles of 64 keys, and 16.8 for blocks of 4 warps, on an H100.
// Else blocks of 4 warps (batch 1: 24 blocks, 4.6 us against 4.9 for 96 blocks of one warp with
// the keys split between two). Fewer queries than 64 take 2 or 1 warps, and 1-warp blocks with two
// key tiles or more split the keys between two warps (`bench/bert_kernel_times.cu`).
template <class T, int D>
status run_mma_sized(const attention_params& p, cudaStream_t stream) {
  if constexpr (D <= 64)
    if (ceil_div(p.sq, 128) * p.batch * p.heads >= multiprocessors()) {
      if constexpr (D == 64) return run_mma<T, D, 8, 1, 32, 3, false>(p, stream);
      return run_mma<T, D, 8>(p, stream);
    }
  if (p.sq > 32) return run_mma<T, D, 4>(p, stream);
  if (p.sq > 16) return run_mma<T, D, 2>(p, stream);
  if (p.skv > k_keys) return run_mma<T, D, 1, 2>(p, stream);
  return run_mma<T, D, 1>(p, stream);
}

template <class T>
status run(const attention_params& p, cudaStream_t stream) {
  if constexpr (is_half_v<T>) {
    const bool aligned = (reinterpret_cast<uintptr_t>(p.q) | reinterpret_cast<uintptr_t>(p.k) |
                          reinterpret_cast<uintptr_t>(p.v) | reinterpret_cast<uintptr_t>(p.y) |
                          uintptr_t(p.q_row | p.k_row | p.v_row) * sizeof(T)) % 16 == 0;
    if (aligned && p.dk == p.dv) {
      if (p.dk == 32) return run_mma_sized<T, 32>(p, stream);
      if (p.dk == 64) return run_mma_sized<T, 64>(p, stream);
      if (p.dk == 128) return run_mma_sized<T, 128>(p, stream);
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
