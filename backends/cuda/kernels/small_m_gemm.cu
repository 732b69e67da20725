// backends/cuda/kernels/small_m_gemm.cu — Y = act(X W + bias) for M <= 128 rows on tensor cores.
//
// A block of 8 warps computes a 128 x BN tile of Y (BN 64 or 32) over a chunk of K: the block
// loads its whole chunk of X and W into shared memory with cp.async up front (in up to 4 groups,
// so the first k-steps start while the rest arrive), each warp computes 32 rows x BN/2 columns
// with mma.sync m16n8k16 (float32 accumulators). The `split` blocks sharing a tile of Y split K
// between them and form one thread block cluster: each leaves its float32 partial tile in its
// shared memory, then each reduces a slice of the rows from all of them through distributed
// shared memory, in a fixed order, adds the bias, applies the activation and stores. No global
// workspace: several contexts may run one plan concurrently. Rows past M load as zeros and are
// never stored; warps whose 32 rows all lie past M skip the math.
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

constexpr int k_rows = 128, k_threads = 256, k_slab = 32, k_max_split = 8, k_groups = 4;
constexpr int64_t k_max_smem = 227 * 1024;  // Hopper's opt-in limit of dynamic shared memory per block

// Shared memory of a block: X [128][kc + 8] and W [kc][BN + 8] halves (8 halves of padding put the
// 8 rows of one ldmatrix in distinct banks), later reused for the float32 partial tile.
constexpr int64_t smem_bytes(int bn, int64_t kc) {
  const int64_t operands = (k_rows * (kc + 8) + kc * (bn + 8)) * 2, partial = int64_t(k_rows) * (bn + 4) * 4;
  return operands > partial ? operands : partial;
}

struct gemm_plan {
  int bn = 0, split = 0;  // split 0: no plan
};

// The tile width and K split whose busiest multiprocessor has the least work: blocks in waves of
// `sms`, each loading kc (BN + M/2)-ish bytes and doing kc BN 128 multiply-adds; ties go to fewer blocks.
gemm_plan plan_for(int64_t m, int64_t n, int64_t k, int sms) {
  gemm_plan best;
  double best_cost = 0;
  int64_t best_blocks = 0;
  if (n <= 0 || k <= 0 || n % 64 != 0 || k % 64 != 0 || n / 32 > 65535) return best;
  for (int bn : {64, 32}) {
    for (int split = 1; split <= k_max_split; ++split) {
      if ((k / k_slab) % split != 0) continue;
      const int64_t kc = k / split;
      if (smem_bytes(bn, kc) > k_max_smem) continue;
      const int64_t blocks = n / bn * split;
      const double cost = double(ceil_div(blocks, sms)) * double(kc) * (bn + double(std::min<int64_t>(m, k_rows)) / 2);
      if (best.split == 0 || cost < best_cost || (cost == best_cost && blocks < best_blocks))
        best = {bn, split}, best_cost = cost, best_blocks = blocks;
    }
  }
  return best;
}

int multiprocessors() {
  static const int count = [] {
    int device = 0, n = 0;
    if (cudaGetDevice(&device) != cudaSuccess || cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device) != cudaSuccess)
      return 132;
    return n;
  }();
  return count;
}

// 16 bytes from global to shared memory; a source size of 0 writes zeros and reads nothing.
__device__ inline void copy16_async(void* dst, const void* src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(shared_address(dst)), "l"(src), "r"(src_bytes));
}

// Waits until at most `pending` (0 to 3) committed cp.async groups are still in flight.
__device__ inline void wait_async(int pending) {
  switch (pending) {
    case 0: asm volatile("cp.async.wait_group 0;\n" ::: "memory"); break;
    case 1: asm volatile("cp.async.wait_group 1;\n" ::: "memory"); break;
    case 2: asm volatile("cp.async.wait_group 2;\n" ::: "memory"); break;
    default: asm volatile("cp.async.wait_group 3;\n" ::: "memory"); break;
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

template <class T, int BN>
__global__ void __launch_bounds__(k_threads) small_m_gemm(small_m_gemm_params p, int kc) {
  constexpr int ldw = BN + 8, ldp = BN + 4, warp_cols = BN / 2, n_tiles = warp_cols / 8;
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
  for (int g = 0; g < groups; ++g) {
    const int c0 = g * slabs / groups * k_slab, c1 = (g + 1) * slabs / groups * k_slab;
    const int x_chunks = (c1 - c0) / 8;
    for (int i = tid; i < rows * x_chunks; i += k_threads) {
      const int r = i / x_chunks, c = c0 + i % x_chunks * 8;
      const bool inside = r < m;
      copy16_async(sx + r * ldx + c, x + (inside ? int64_t(r) * p.k + c : 0), inside ? 16 : 0);
    }
    constexpr int w_chunks = BN / 8;
    for (int i = tid; i < (c1 - c0) * w_chunks; i += k_threads) {
      const int r = c0 + i / w_chunks, c = i % w_chunks * 8;
      copy16_async(sw + r * ldw + c, w + int64_t(r) * p.n + c, 16);
    }
    asm volatile("cp.async.commit_group;\n" ::);
  }

  const int warp = tid / 32, lane = tid % 32, wm = warp % 4, wn = warp / 4;
  const bool active = wm * 32 < m;
  float acc[2][n_tiles][4] = {};
  for (int g = 0; g < groups; ++g) {
    wait_async(groups - 1 - g);
    __syncthreads();
    if (!active) continue;
    const int c0 = g * slabs / groups * k_slab, c1 = (g + 1) * slabs / groups * k_slab;
#pragma unroll 2
    for (int kk = c0; kk < c1; kk += 16) {
      uint32_t a[2][4];
#pragma unroll
      for (int i = 0; i < 2; ++i) ldmatrix_x4(a[i], sx + (wm * 32 + i * 16 + lane % 8 + (lane / 8) % 2 * 8) * ldx + kk + lane / 16 * 8);
#pragma unroll
      for (int j = 0; j < n_tiles / 2; ++j) {
        uint32_t b[4];
        ldmatrix_x4_trans(b, sw + (kk + lane % 8 + (lane / 8) % 2 * 8) * ldw + wn * warp_cols + j * 16 + lane / 16 * 8);
#pragma unroll
        for (int i = 0; i < 2; ++i) {
          mma_16x8x16<T>(acc[i][2 * j], a[i], b[0], b[1]);
          mma_16x8x16<T>(acc[i][2 * j + 1], a[i], b[2], b[3]);
        }
      }
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
  for (int i = tid; i < (r1 - r0) * quads; i += k_threads) {
    const int r = r0 + i / quads, c = i % quads * 4;
    float4 sum = make_float4(0.f, 0.f, 0.f, 0.f);
    for (int q = 0; q < split; ++q) {
      const float4 v = *reinterpret_cast<const float4*>(cluster.map_shared_rank(sp, q) + r * ldp + c);
      sum.x += v.x, sum.y += v.y, sum.z += v.z, sum.w += v.w;
    }
    float s[4] = {sum.x, sum.y, sum.z, sum.w};
    four<T> out;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      if (bias != nullptr) s[j] += float(bias[n0 + c + j]);
      out.v[j] = T(activate(s[j], p.activation));
    }
    *reinterpret_cast<four<T>*>(y + int64_t(r) * p.n + n0 + c) = out;
  }
  cluster.sync();  // no block leaves while another still reads its shared memory
}

template <class T, int BN>
status run(const small_m_gemm_params& p, int split, cudaStream_t stream) {
  // Above 48 KiB of dynamic shared memory a kernel must opt in, once per process.
  static const cudaError_t opted = cudaFuncSetAttribute(small_m_gemm<T, BN>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(k_max_smem));
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
  const cudaError_t e = cudaLaunchKernelEx(&config, small_m_gemm<T, BN>, p, kc);
  if (e != cudaSuccess)
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("CUDA: launching small_m_gemm failed: ") + cudaGetErrorString(e));
  return check_launch("small_m_gemm");
}

template <class T>
status run_planned(const small_m_gemm_params& p, cudaStream_t stream) {
  const gemm_plan plan = plan_for(p.m, p.n, p.k, multiprocessors());
  if (plan.bn == 64) return run<T, 64>(p, plan.split, stream);
  return run<T, 32>(p, plan.split, stream);
}

}  // namespace

bool small_m_gemm_fits(int64_t n, int64_t k, std::string* why) {
  if (plan_for(k_small_m_max_rows, n, k, 1).split != 0) return true;
  if (why)
    *why = "small_m_gemm takes N and K that are multiples of 64, K up to about 4096 (N " + std::to_string(n) + ", K " + std::to_string(k) + ")";
  return false;
}

status launch_small_m_gemm(const small_m_gemm_params& p, cudaStream_t stream) {
  if (p.m < 0 || p.m > k_small_m_max_rows)
    return make_error(MIRT_STATUS_UNSUPPORTED, "small_m_gemm: " + std::to_string(p.m) + " rows; it takes at most 128 (the layer was built for fewer)");
  std::string why;
  if (!small_m_gemm_fits(p.n, p.k, &why)) return make_error(MIRT_STATUS_UNSUPPORTED, why);
  if (p.m == 0) return {};
  if (!p.x || !p.w || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "small_m_gemm: NULL buffer");
  if ((reinterpret_cast<uintptr_t>(p.x) | reinterpret_cast<uintptr_t>(p.w) | reinterpret_cast<uintptr_t>(p.y)) % 16 != 0)
    return make_error(MIRT_STATUS_UNSUPPORTED, "small_m_gemm: X, W and Y must be 16-byte aligned");
  if (p.dtype == MIRT_DTYPE_FLOAT16) return run_planned<__half>(p, stream);
  if (p.dtype == MIRT_DTYPE_BFLOAT16) return run_planned<__nv_bfloat16>(p, stream);
  return make_error(MIRT_STATUS_UNSUPPORTED, "small_m_gemm takes float16 or bfloat16");
}

}  // namespace mirt::cuda
