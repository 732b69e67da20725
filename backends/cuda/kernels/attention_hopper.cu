// backends/cuda/kernels/attention_hopper.cu — attention on Hopper's warpgroup MMA (wgmma) for short
// sequences: head size 64 and at most 128 keys, so one (batch, head)'s K and V sit whole in shared
// memory and each query's softmax runs over all its keys at once (no running max to rescale by).
// A block is one warpgroup and takes 64 queries of one (batch, head): S = Q K^T (64 x 128, Q and K
// read by wgmma from shared memory), the softmax on S's registers, then O = P V with P from those
// registers as halves and V read as it lies (rows of keys, MN-major). Q and K land first, so that
// S and the softmax run while V is still on its way. The FusedAttention tactic
// cuda_fused_attention_wgmma runs it (ops/attention.cpp).
// Against the mma.sync kernel (attention.cu) at BERT-base's shape on an H100: 3.5 against 4.6 us
// at batch 1, 9.6 against 13.4 at batch 32, hot in L2 (bench/attention_hopper.cu).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/attention_common.cuh"
#include "backends/cuda/kernels/attention_hopper.hpp"
#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/wgmma.cuh"

namespace mirt::cuda {
namespace {

constexpr int k_head = 64, k_keys_max = 128, k_rows = 64;  // head size, keys, queries a block
constexpr int k_tile_halves = 64 * 64;                     // a swizzled tile of 64 rows of 64
// Q (64 rows), K and V (128 rows each), the mask; 1 KiB to align the tiles. 5 blocks a
// multiprocessor (96 registers a thread, no spills; 208 KiB of shared memory) were the fastest of 3
// to 5 at BERT-base batch 32: 9.6 against 10.0 (4) and 10.2 us (3) hot, 11.4 against 12.7 and 13.4 cold.
constexpr int k_smem_bytes = 5 * k_tile_halves * 2 + k_keys_max * 4 + 1024;
constexpr int k_min_blocks = 5;

// rows x 64 values from src (row stride `row`) into a swizzled tile; rows from `valid` on are zeros.
template <class T>
__device__ inline void copy_rows_async(T* tile, const T* src, int64_t row, int rows, int64_t valid, int tid) {
  for (int idx = tid; idx < rows * 8; idx += 128) {
    const int r = idx / 8, c = idx % 8;
    const bool inside = r < valid;
    copy16_async(tile + swizzled_128(r, c * 8), src + (inside ? r * row + c * 8 : 0), inside ? 16 : 0);
  }
  asm volatile("cp.async.commit_group;\n" ::);
}

// Makes this thread's copies (through wait_group N) visible to wgmma, which reads shared memory
// through the async proxy, then meets the other threads.
template <int Pending>
__device__ inline void copies_to_wgmma() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending));
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  __syncthreads();
}

template <class T>
__global__ void __launch_bounds__(128, k_min_blocks) attention_wgmma(attention_params p) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  extern __shared__ unsigned char raw[];
  unsigned char* smem = raw + (1024 - shared_address(raw) % 1024) % 1024;
  T* sq = reinterpret_cast<T*>(smem);               // 64 query rows
  T* sk = sq + k_tile_halves;                       // 128 key rows
  T* sv = sk + 2 * k_tile_halves;                   // 128 value rows
  float* mk = reinterpret_cast<float*>(sv + 2 * k_tile_halves);  // the mask x log2(e); -inf past Skv
  const int tid = int(threadIdx.x), warp = tid / 32, lane = tid % 32, g = lane / 4, t4 = lane % 4;
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = int64_t(blockIdx.x) * k_rows;
  const head_view hv = view_of(p, b, h);
  copy_rows_async(sq, static_cast<const T*>(p.q) + hv.q + q0 * hv.q_row, hv.q_row, k_rows, p.sq - q0, tid);
  copy_rows_async(sk, static_cast<const T*>(p.k) + hv.k, hv.k_row, k_keys_max, p.skv, tid);
  copy_rows_async(sv, static_cast<const T*>(p.v) + hv.v, hv.v_row, k_keys_max, p.skv, tid);
  const int64_t mask_head = b * p.mask_strides[0] + h * p.mask_strides[1];
  for (int j = tid; j < k_keys_max; j += 128)
    mk[j] = j >= p.skv ? -INFINITY : p.mask ? mask_value<T>(p, mask_head + j * p.mask_strides[3]) * k_log2e : 0.f;
  copies_to_wgmma<1>();  // Q and K

  // S = Q K^T over head size 64: 4 steps of 16.
  float s[64];
#pragma unroll
  for (int i = 0; i < 64; ++i) s[i] = 0.f;
  const uint64_t dq = swizzled_128_descriptor(sq), dk = swizzled_128_descriptor(sk);
  wgmma_fence();
#pragma unroll
  for (int c = 0; c < k_head / 16; ++c) wgmma_m64n128k16_ss<T>(s, dq + 2 * c, dk + 2 * c);
  wgmma_commit();
  wgmma_wait<0>();
  fence_registers(s);

  // Softmax in base 2 over rows g and g + 8 of this warp's 16; a quad of lanes shares each row.
  const float scale = p.scale * k_log2e;
  float mx[2] = {-INFINITY, -INFINITY}, sum[2] = {0.f, 0.f};
#pragma unroll
  for (int j = 0; j < 16; ++j) {
    const float2 add = *reinterpret_cast<const float2*>(mk + 8 * j + 2 * t4);
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      s[4 * j + e] = fmaf(s[4 * j + e], scale, e % 2 ? add.y : add.x);
      mx[e / 2] = fmaxf(mx[e / 2], s[4 * j + e]);
    }
  }
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
    mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
    if (mx[r] == -INFINITY) mx[r] = 0.f;  // every key masked: the probabilities are 0, not NaN
  }
  uint32_t pa[8][4];  // P as the A operand of 8 steps of 16 keys (mma.sync's A layout)
#pragma unroll
  for (int j = 0; j < 16; ++j) {
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      s[4 * j + e] = exp2_approx(s[4 * j + e] - mx[e / 2]);
      sum[e / 2] += s[4 * j + e];
    }
    pa[j / 2][(j % 2) * 2] = pack_pair<T>(s[4 * j], s[4 * j + 1]);
    pa[j / 2][(j % 2) * 2 + 1] = pack_pair<T>(s[4 * j + 2], s[4 * j + 3]);
  }
  copies_to_wgmma<0>();  // V

  // O = P V: 8 steps of 16 keys, V's rows 16 c to 16 c + 15 (2048 bytes a step) as B.
  float o[32];
#pragma unroll
  for (int i = 0; i < 32; ++i) o[i] = 0.f;
  wgmma_fence();
#pragma unroll
  for (int c = 0; c < k_keys_max / 16; ++c) wgmma_m64n64k16_rs<T, true>(o, pa[c], swizzled_128_descriptor(sv + c * 16 * 64));
  wgmma_commit();
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    sum[r] += __shfl_xor_sync(0xffffffffu, sum[r], 1);
    sum[r] += __shfl_xor_sync(0xffffffffu, sum[r], 2);
  }
  wgmma_wait<0>();
  fence_registers(o);

  // Y through the Q tile (no wgmma reads it once every warp is past its wait), so that global
  // memory gets whole 16-byte row segments.
  __syncthreads();
  const int row0 = warp * 16 + g;
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const float inv = sum[r] > 0.f ? 1.f / sum[r] : 0.f;
#pragma unroll
    for (int j = 0; j < k_head / 8; ++j) {
      const uint32_t pair = pack_pair<T>(o[4 * j + 2 * r] * inv, o[4 * j + 2 * r + 1] * inv);
      *reinterpret_cast<uint32_t*>(sq + swizzled_128(row0 + 8 * r, 8 * j + 2 * t4)) = pair;
    }
  }
  __syncthreads();
  T* y = static_cast<T*>(p.y) + hv.y;
  for (int idx = tid; idx < k_rows * 8; idx += 128) {
    const int r = idx / 8, c = idx % 8;
    const int64_t i = q0 + r;
    if (i < p.sq) *reinterpret_cast<uint4*>(y + i * hv.y_row + c * 8) = *reinterpret_cast<const uint4*>(sq + swizzled_128(r, c * 8));
  }
#endif
}

template <class T>
status run_wgmma(const attention_params& p, cudaStream_t stream) {
  // Above 48 KiB of dynamic shared memory a kernel must opt in, once per process.
  static const cudaError_t opted = cudaFuncSetAttribute(attention_wgmma<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, k_smem_bytes);
  if (opted != cudaSuccess)
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: attention_wgmma needs ") + std::to_string(k_smem_bytes) +
                                                    " bytes of shared memory: " + cudaGetErrorString(opted));
  const dim3 grid(unsigned(ceil_div(p.sq, k_rows)), unsigned(p.heads), unsigned(p.batch));
  attention_wgmma<T><<<grid, 128, k_smem_bytes, stream>>>(p);
  return check_launch("attention_wgmma");
}

}  // namespace

bool attention_hopper_takes(const attention_params& p) {
  if (p.dtype != MIRT_DTYPE_FLOAT16 && p.dtype != MIRT_DTYPE_BFLOAT16) return false;
  if (p.dk != k_head || p.dv != k_head || p.skv < 1 || p.skv > k_keys_max) return false;
  if (p.batch < 1 || p.batch > 65535 || p.heads < 1 || p.heads > 65535 || p.sq < 1 || !p.q || !p.k || !p.v || !p.y) return false;
  if (p.mask && p.mask_strides[2] != 0) return false;  // a mask row per query
  const uintptr_t addresses = reinterpret_cast<uintptr_t>(p.q) | reinterpret_cast<uintptr_t>(p.k) | reinterpret_cast<uintptr_t>(p.v) |
                              reinterpret_cast<uintptr_t>(p.y) | uintptr_t(p.q_row | p.k_row | p.v_row) * 2;
  return addresses % 16 == 0;
}

status launch_attention_hopper(const attention_params& p, cudaStream_t stream) {
  if (!attention_hopper_takes(p)) return launch_attention(p, stream);
  if (p.dtype == MIRT_DTYPE_FLOAT16) return run_wgmma<__half>(p, stream);
  return run_wgmma<__nv_bfloat16>(p, stream);
}

}  // namespace mirt::cuda
