// backends/cuda/kernels/small_m_gemm.cu — Y = act(X W + bias) for M <= 128 rows on tensor cores.
//
// A block of 8 warps computes a 128 x BN tile of Y (BN 128, 64 or 32) over a chunk of K: the block
// keeps its whole chunk of X and W in shared memory, loaded by cp.async in up to 8 groups with 4 in
// flight (so the first k-steps start while the rest arrive); each warp computes 32 rows x BN/2
// columns with mma.sync m16n8k16 (float32 accumulators), the next k-step's fragments loading
// while this one's mma run. The `split` blocks sharing a tile of Y split K
// between them and form one thread block cluster: each leaves its float32 partial tile in its
// shared memory, then each reduces a slice of the rows from all of them through distributed
// shared memory, in a fixed order, adds the bias, applies the activation and stores. No global
// workspace: several contexts may run one plan concurrently. Rows past M load as zeros and are
// never stored; warps whose 32 rows all lie past M skip the math.
//
// H100, BERT-base's GEMMs at 128 rows (bench/results/small-m-gemm-h100-2026-11-26.txt): 8 to 14 us
// against cuBLASLt's 3.6 to 7 us, so the builder keeps cuBLASLt there. The kernel without its
// loads and math still takes 5 to 9 us (launch, cluster barriers, reduction): that fixed cost,
// not the loads or the math, is what a next version must cut.
#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/mma.cuh"
#include "backends/cuda/kernels/small_m_gemm.hpp"

namespace mirt::cuda {
namespace {

namespace cg = cooperative_groups;

constexpr int k_rows = 128, k_threads = 256, k_slab = 32, k_max_split = 16, k_groups = 8;
constexpr int64_t k_max_smem = 227 * 1024;  // Hopper's opt-in limit of dynamic shared memory per block

// Shared memory of a block: X [128][kc + 8] and W [kc][BN + 8] halves (8 halves of padding put the
// 8 rows of one ldmatrix in distinct banks), later reused for the float32 partial tile.
constexpr int64_t smem_bytes(int bn, int64_t kc) {
  const int64_t operands = (k_rows * (kc + 8) + kc * (bn + 8)) * 2, partial = int64_t(k_rows) * (bn + 4) * 4;
  return operands > partial ? operands : partial;
}

// Probes for the bench (bench/small_m_gemm_times.cu), which times the kernel without its loads or
// without its math to see where the time goes; the backend runs neither.
constexpr int k_skip_loads = 1, k_skip_mma = 2;

struct gemm_plan {
  int bn = 0, split = 0;  // split 0: no plan
};

// The K split (and tile width, unless the caller fixed it) that finishes first by a rough model
// fitted to H100 timings: a multiprocessor loads its blocks' X and W chunks at ~30 bytes/ns and
// does ~1 mma.m16n8k16 each 2 ns (8 warps: latency-bound), one after the other, and each block of a
// cluster adds ~100 ns to the reduction. Ties go to fewer blocks.
double plan_cost(int64_t m, int64_t n, int64_t k, int sms, int bn, int split) {
  const int64_t kc = k / split, rows = std::min<int64_t>((m + 31) / 32 * 32, k_rows), blocks = n / bn * split;
  const double bytes = double(rows * kc + kc * bn) * 2, mmas = double(rows / 16) * (bn / 8) * (kc / 16);
  return double(ceil_div(blocks, sms)) * (bytes / 30 + 2 * mmas) + 100.0 * split;
}

gemm_plan plan_for(int64_t m, int64_t n, int64_t k, int sms, int tile_n = 0) {
  gemm_plan best;
  double best_cost = 0;
  int64_t best_blocks = 0;
  if (n <= 0 || k <= 0 || n % 64 != 0 || k % 64 != 0 || n / 32 > 65535) return best;
  for (int bn : {128, 64, 32}) {
    if (n % bn != 0 || (tile_n != 0 && bn != tile_n)) continue;
    for (int split = 1; split <= k_max_split; ++split) {
      if ((k / k_slab) % split != 0 || smem_bytes(bn, k / split) > k_max_smem) continue;
      const int64_t blocks = n / bn * split;
      const double cost = plan_cost(m, n, k, sms, bn, split);
      if (best.split == 0 || cost < best_cost || (cost == best_cost && blocks < best_blocks))
        best = {bn, split}, best_cost = cost, best_blocks = blocks;
    }
  }
  return best;
}

// Waits until at most `pending` (0 to 7) committed cp.async groups are still in flight.
__device__ inline void wait_async(int pending) {
  switch (pending) {
    case 0: asm volatile("cp.async.wait_group 0;\n" ::: "memory"); break;
    case 1: asm volatile("cp.async.wait_group 1;\n" ::: "memory"); break;
    case 2: asm volatile("cp.async.wait_group 2;\n" ::: "memory"); break;
    case 3: asm volatile("cp.async.wait_group 3;\n" ::: "memory"); break;
    case 4: asm volatile("cp.async.wait_group 4;\n" ::: "memory"); break;
    case 5: asm volatile("cp.async.wait_group 5;\n" ::: "memory"); break;
    case 6: asm volatile("cp.async.wait_group 6;\n" ::: "memory"); break;
    default: asm volatile("cp.async.wait_group 7;\n" ::: "memory"); break;
  }
}

__device__ inline float activate(float v, small_m_activation act) {
  if (act == small_m_activation::relu) return v > 0.f ? v : 0.f;
  if (act == small_m_activation::gelu_tanh) return 0.5f * v * (1.f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v)));
  return v;
}

template <class T>
struct alignas(8) four {
  T v[4];
};

// Load group g: slabs [g slabs / groups, (g + 1) slabs / groups) of the block's K chunk, as
// columns [c0, c1) of X and rows [c0, c1) of W.
__device__ inline int group_begin(int g, int slabs, int groups) { return g * slabs / groups * k_slab; }

template <class T, int BN>
__device__ inline void load_group(T* sx, int ldx, T* sw, const T* x, const T* w, const small_m_gemm_params& p, int rows, int c0, int c1) {
  constexpr int ldw = BN + 8, w_chunks = BN / 8;
  const int m = int(p.m), x_chunks = (c1 - c0) / 8;
  for (int i = threadIdx.x; i < rows * x_chunks; i += k_threads) {
    const int r = i / x_chunks, c = c0 + i % x_chunks * 8;
    const bool inside = r < m;
    copy16_async(sx + r * ldx + c, x + (inside ? int64_t(r) * p.k + c : 0), inside ? 16 : 0);
  }
  for (int i = threadIdx.x; i < (c1 - c0) * w_chunks; i += k_threads) {
    const int r = c0 + i / w_chunks, c = i % w_chunks * 8;
    copy16_async(sw + r * ldw + c, w + int64_t(r) * p.n + c, 16);
  }
  asm volatile("cp.async.commit_group;\n" ::);
}

// The A (2 tiles of 16 rows) and B (BN / 16 tiles of 8 columns) fragments of one k-step.
template <int BN>
struct fragments {
  uint32_t a[2][4];
  uint32_t b[BN / 32][4];
};

template <class T, int BN>
__device__ inline void load_fragments(fragments<BN>& f, const T* sx, int ldx, const T* sw, int kk, int wm, int wn, int lane) {
  constexpr int ldw = BN + 8;
#pragma unroll
  for (int i = 0; i < 2; ++i) ldmatrix_x4(f.a[i], sx + (wm * 32 + i * 16 + lane % 8 + (lane / 8) % 2 * 8) * ldx + kk + lane / 16 * 8);
#pragma unroll
  for (int j = 0; j < BN / 32; ++j)
    ldmatrix_x4_trans(f.b[j], sw + (kk + lane % 8 + (lane / 8) % 2 * 8) * ldw + wn * (BN / 2) + j * 16 + lane / 16 * 8);
}

template <class T, int BN>
__device__ inline void mma_step(float (&acc)[2][BN / 16][4], const fragments<BN>& f) {
#pragma unroll
  for (int j = 0; j < BN / 32; ++j)
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      mma_16x8x16<T>(acc[i][2 * j], f.a[i], f.b[j][0], f.b[j][1]);
      mma_16x8x16<T>(acc[i][2 * j + 1], f.a[i], f.b[j][2], f.b[j][3]);
    }
}

template <class T, int BN, int Probe = 0>
__global__ void __launch_bounds__(k_threads) small_m_gemm(small_m_gemm_params p, int kc) {
  constexpr int ldp = BN + 4, warp_cols = BN / 2, n_tiles = warp_cols / 8;
  constexpr int k_ahead = 4;  // load groups in flight: fewer than all, so that the first arrive first
  extern __shared__ __align__(16) unsigned char smem[];
  cg::cluster_group cluster = cg::this_cluster();
  const int split = int(cluster.num_blocks()), rank = int(cluster.block_rank());
  const int ldx = kc + 8, m = int(p.m), tid = threadIdx.x;
  T* sx = reinterpret_cast<T*>(smem);
  T* sw = sx + k_rows * ldx;
  const int64_t n0 = int64_t(blockIdx.y) * BN, k0 = int64_t(rank) * kc;
  const T* x = static_cast<const T*>(p.x) + k0;
  const T* w = static_cast<const T*>(p.w) + k0 * p.n + n0;
  const int rows = (m + 31) / 32 * 32;  // the rows of warps that compute; zeros from m on
  const int slabs = kc / k_slab, groups = min(k_groups, slabs);

  int issued = 0;
  if constexpr ((Probe & k_skip_loads) == 0)
    for (; issued < min(k_ahead - 1, groups); ++issued)
      load_group<T, BN>(sx, ldx, sw, x, w, p, rows, group_begin(issued, slabs, groups), group_begin(issued + 1, slabs, groups));

  const int warp = tid / 32, lane = tid % 32, wm = warp % 4, wn = warp / 4;
  const bool active = wm * 32 < m;
  float acc[2][n_tiles][4] = {};
  for (int g = 0; g < groups; ++g) {
    if constexpr ((Probe & k_skip_loads) == 0) {
      if (issued < groups) {
        load_group<T, BN>(sx, ldx, sw, x, w, p, rows, group_begin(issued, slabs, groups), group_begin(issued + 1, slabs, groups));
        ++issued;
      }
      wait_async(issued - g - 1);  // group g has landed (this thread's copies; the barrier: everyone's)
    }
    __syncthreads();
    if (!active || (Probe & k_skip_mma) != 0) continue;
    // Fragments of the next k-step load while this one's mma run (a group spans whole slabs of 32:
    // an even number of k-steps).
    const int c0 = group_begin(g, slabs, groups), c1 = group_begin(g + 1, slabs, groups);
    fragments<BN> f0, f1;
    load_fragments<T, BN>(f0, sx, ldx, sw, c0, wm, wn, lane);
    for (int kk = c0; kk < c1; kk += 32) {
      load_fragments<T, BN>(f1, sx, ldx, sw, kk + 16, wm, wn, lane);
      mma_step<T, BN>(acc, f0);
      if (kk + 32 < c1) load_fragments<T, BN>(f0, sx, ldx, sw, kk + 32, wm, wn, lane);
      mma_step<T, BN>(acc, f1);
    }
  }
  __syncthreads();  // every warp is done with X and W: the partial tile takes their place

  float* sp = reinterpret_cast<float*>(smem);
  if (active) {
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
      for (int t = 0; t < n_tiles; ++t) {
        const int r = wm * 32 + i * 16 + lane / 4, c = wn * warp_cols + t * 8 + 2 * (lane % 4);
        *reinterpret_cast<float2*>(sp + r * ldp + c) = make_float2(acc[i][t][0], acc[i][t][1]);
        *reinterpret_cast<float2*>(sp + (r + 8) * ldp + c) = make_float2(acc[i][t][2], acc[i][t][3]);
      }
  }
  cluster.sync();  // every block's partial tile is complete and visible to the cluster

  const int rows_per = (m + split - 1) / split, r0 = rank * rows_per, r1 = min(m, r0 + rows_per);
  constexpr int quads = BN / 4;
  const T* bias = static_cast<const T*>(p.bias);
  T* y = static_cast<T*>(p.y);
  const int items = (r1 - r0) * quads;
  // Each pass: 4 items a thread, the partials of 4 ranks each in flight at once (remote loads take
  // long), summed in rank order.
  constexpr int k_items = 4, k_ranks = 4;
  for (int i0 = tid; i0 < items; i0 += k_threads * k_items) {
    float4 sum[k_items];
#pragma unroll
    for (int b = 0; b < k_items; ++b) sum[b] = make_float4(0.f, 0.f, 0.f, 0.f);
    for (int q0 = 0; q0 < split; q0 += k_ranks) {
      float4 v[k_items][k_ranks];
#pragma unroll
      for (int b = 0; b < k_items; ++b)
#pragma unroll
        for (int q = 0; q < k_ranks; ++q) {
          const int i = i0 + b * k_threads;
          if (i < items && q0 + q < split)
            v[b][q] = *reinterpret_cast<const float4*>(cluster.map_shared_rank(sp, q0 + q) + (r0 + i / quads) * ldp + i % quads * 4);
        }
#pragma unroll
      for (int b = 0; b < k_items; ++b)
#pragma unroll
        for (int q = 0; q < k_ranks; ++q)
          if (q0 + q < split) sum[b].x += v[b][q].x, sum[b].y += v[b][q].y, sum[b].z += v[b][q].z, sum[b].w += v[b][q].w;
    }
#pragma unroll
    for (int b = 0; b < k_items; ++b) {
      const int i = i0 + b * k_threads;
      if (i >= items) break;
      const int r = r0 + i / quads, c = i % quads * 4;
      float s[4] = {sum[b].x, sum[b].y, sum[b].z, sum[b].w};
      four<T> out;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        if (bias != nullptr) s[j] += float(bias[n0 + c + j]);
        out.v[j] = T(activate(s[j], p.activation));
      }
      *reinterpret_cast<four<T>*>(y + int64_t(r) * p.n + n0 + c) = out;
    }
  }
  cluster.sync();  // no block leaves while another still reads its shared memory
}

template <class T, int BN, int Probe = 0>
status run(const small_m_gemm_params& p, int split, cudaStream_t stream) {
  // Above 48 KiB of dynamic shared memory a kernel must opt in, once per process.
  // Clusters above 8 blocks (Hopper takes 16) opt in too.
  static const cudaError_t opted = [] {
    const cudaError_t e = cudaFuncSetAttribute(small_m_gemm<T, BN, Probe>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(k_max_smem));
    return e != cudaSuccess ? e : cudaFuncSetAttribute(small_m_gemm<T, BN, Probe>, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
  }();
  if (opted != cudaSuccess)
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: small_m_gemm's shared memory opt-in: ") + cudaGetErrorString(opted));
  const int kc = int(p.k / split);
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(unsigned(split), unsigned(p.n / BN), 1);
  config.blockDim = dim3(k_threads, 1, 1);
  config.dynamicSmemBytes = size_t(smem_bytes(BN, kc));
  config.stream = stream;
  cudaLaunchAttribute cluster;
  cluster.id = cudaLaunchAttributeClusterDimension;
  cluster.val.clusterDim.x = unsigned(split);
  cluster.val.clusterDim.y = 1;
  cluster.val.clusterDim.z = 1;
  config.attrs = &cluster;
  config.numAttrs = 1;
  const cudaError_t e = cudaLaunchKernelEx(&config, small_m_gemm<T, BN, Probe>, p, kc);
  if (e != cudaSuccess)
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: launching small_m_gemm failed: ") + cudaGetErrorString(e));
  return check_launch("small_m_gemm");
}

template <class T>
status run_planned(const small_m_gemm_params& p, cudaStream_t stream) {
  const gemm_plan plan = plan_for(p.m, p.n, p.k, multiprocessors(), p.tile_n);
  if (plan.bn == 128) return run<T, 128>(p, plan.split, stream);
  if (plan.bn == 64) return run<T, 64>(p, plan.split, stream);
  return run<T, 32>(p, plan.split, stream);
}

}  // namespace

bool small_m_gemm_fits(int64_t n, int64_t k, int tile_n, std::string* why) {
  if ((tile_n == 0 || tile_n == 32 || tile_n == 64 || tile_n == 128) && plan_for(k_small_m_max_rows, n, k, 1, tile_n).split != 0) return true;
  if (why)
    *why = "small_m_gemm takes N and K that are multiples of 64, K up to about 4096" + std::string(tile_n > 64 ? " and N a multiple of " + std::to_string(tile_n) : "") +
           " (N " + std::to_string(n) + ", K " + std::to_string(k) + ")";
  return false;
}

status launch_small_m_gemm(const small_m_gemm_params& p, cudaStream_t stream) {
  if (p.m < 0 || p.m > k_small_m_max_rows)
    return make_error(MIRT_STATUS_UNSUPPORTED, "small_m_gemm: " + std::to_string(p.m) + " rows; it takes at most 128 (the layer was built for fewer)");
  std::string why;
  if (!small_m_gemm_fits(p.n, p.k, p.tile_n, &why)) return make_error(MIRT_STATUS_UNSUPPORTED, why);
  if (p.m == 0) return {};
  if (!p.x || !p.w || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "small_m_gemm: NULL buffer");
  if ((reinterpret_cast<uintptr_t>(p.x) | reinterpret_cast<uintptr_t>(p.w) | reinterpret_cast<uintptr_t>(p.y)) % 16 != 0)
    return make_error(MIRT_STATUS_UNSUPPORTED, "small_m_gemm: X, W and Y must be 16-byte aligned");
  if (p.dtype == MIRT_DTYPE_FLOAT16) return run_planned<__half>(p, stream);
  if (p.dtype == MIRT_DTYPE_BFLOAT16) return run_planned<__nv_bfloat16>(p, stream);
  return make_error(MIRT_STATUS_UNSUPPORTED, "small_m_gemm takes float16 or bfloat16");
}

}  // namespace mirt::cuda
