// bench/gemm_layer_norm_kernel.cuh — an experiment, not part of the cuda module: a Linear layer whose
// output goes straight into a residual Add and LayerNorm (BERT's attention-output and FFN-output
// blocks) as one Hopper kernel, y = LayerNorm(a · wᵀ + bias + skip) · gamma + beta over rows of 768.
// bench/gemm_layer_norm.cu times it against cuBLASLt + SkipLayerNormalization; the findings are in
// bench/GPU.md ("A GEMM with LayerNorm in its epilogue"). Needs sm_90a (wgmma).
//
// A cluster of 768 / Cols CTAs takes 128 rows; CTA r of the cluster computes columns
// [Cols r, Cols r + Cols). In each CTA, warpgroup 0 feeds a ring of shared-memory stages (64 of K
// each) by TMA, and warpgroups 1 and 2 each multiply 64 of the rows into float32 registers. The
// epilogue adds bias and skip (fetched by TMA during the main loop), sums each row and its squares
// over the cluster through distributed shared memory, normalizes, and stores y by TMA. The sum
// never leaves the chip. With `trace`, CTA 0's first consumer thread records clock64() at each
// phase.
#pragma once

#include <cudaTypedefs.h>
#include <cuda_fp16.h>

#include "backends/cuda/kernels/launch.hpp"
#include "bench/hopper.cuh"

namespace mirt::cuda {

struct gemm_layer_norm_params {
  const __half* a = nullptr;      // (m, k) row-major
  const __half* w_t = nullptr;    // (n, k) row-major: the weight transposed, K-major as wgmma reads it
  const __half* bias = nullptr;   // (n), or NULL
  const __half* skip = nullptr;   // (m, n)
  const __half* gamma = nullptr;  // (n)
  const __half* beta = nullptr;   // (n), or NULL
  __half* y = nullptr;            // (m, n)
  int64_t m = 0, n = 0, k = 0;
  float epsilon = 1e-5f;
  long long* trace = nullptr;
  int tile_cols = 256;  // 256: clusters of 3 CTAs (one wave at 4096 rows on an H100); or 192: clusters of 4
};

namespace {

namespace hw = hopper;

constexpr int k_rows = 128, k_n = 768, k_depth = 64, k_threads = 384;

// A CTA computes 128 rows x Cols columns; k_n / Cols CTAs along N make a cluster.
template <int Cols>
struct shape {
  static constexpr int cluster = k_n / Cols, stages = Cols == 256 ? 3 : 4;
  static constexpr int accumulators = Cols / 2;  // 64 x Cols float32 over a warpgroup's 128 threads
  static constexpr uint32_t a_bytes = k_rows * k_depth * 2, w_bytes = Cols * k_depth * 2;
  static constexpr uint32_t stage_bytes = a_bytes + w_bytes;
  static constexpr uint32_t skip_bytes = k_rows * Cols * 2;  // Cols / 64 swizzled boxes of 128 rows x 64
  struct control {
    uint64_t full[stages], empty[stages], skip_ready;
    float sums[cluster][k_rows];  // [cluster rank][row]: the row's sum over that CTA's columns
    float squares[cluster][k_rows];
    // [q][j]: columns 8 j + 2 q (+ 1), the ones lane q of a quad holds, 16-byte loads; padded against bank conflicts
    alignas(16) __half2 bias[4][Cols / 8 + 4];
    alignas(16) __half2 gamma[4][Cols / 8 + 4];
    alignas(16) __half2 beta[4][Cols / 8 + 4];
  };
  static constexpr size_t shared_bytes = 1024 + size_t(stages) * stage_bytes + skip_bytes + sizeof(control);
};

struct epilogue_args {
  const __half *bias, *skip, *gamma, *beta;
  __half* y;
  int64_t m;
  float epsilon;
  long long* trace;
};
#define GLN_MARK(i) if (e.trace && blockIdx.x == 0 && blockIdx.y == 0 && threadIdx.x == 128) e.trace[i] = clock64();

// The sum over the 4 lanes of a quad (the threads holding one row of a fragment).
__device__ inline float quad_sum(float v) {
  v += __shfl_xor_sync(0xffffffffu, v, 1);
  return v + __shfl_xor_sync(0xffffffffu, v, 2);
}

// Each quad's first thread sends its rows' partials to slot [rank][row] of every CTA of the cluster.
template <int Cluster>
__device__ inline void share_partials(float (&slots)[Cluster][k_rows], uint32_t rank, int row, float first, float second) {
  if (threadIdx.x % 4 != 0) return;
#pragma unroll
  for (uint32_t peer = 0; peer < Cluster; ++peer) {
    hw::store_to_peer(&slots[rank][row], peer, first);
    hw::store_to_peer(&slots[rank][row + 8], peer, second);
  }
}

template <int Cluster>
__device__ inline float cluster_mean(const float (&slots)[Cluster][k_rows], int row) {
  float total = 0.f;
#pragma unroll
  for (int r = 0; r < Cluster; ++r) total += slots[r][row];
  return total * (1.f / k_n);
}

// The 16-byte chunk j (columns 8 j .. 8 j + 7) of a row of a 128-row tile that TMA reads or writes as
// boxes of 64 columns with the 128-byte swizzle (chunk c of row r at chunk c ^ (r % 8)): 8
// consecutive rows fall in distinct banks.
__device__ inline uint8_t* tile_chunk(uint8_t* tile, int row, int j) {
  return tile + (j / 8) * (k_rows * 128) + row * 128 + (((j % 8) ^ (row % 8)) << 4);
}

template <int Cols>
__global__ void __launch_bounds__(k_threads, 1)
    gemm_layer_norm_kernel(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_w,
                           const __grid_constant__ CUtensorMap map_skip, const __grid_constant__ CUtensorMap map_y, int k_tiles, epilogue_args e) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using S = shape<Cols>;
  constexpr int stages = S::stages, cluster = S::cluster;
  extern __shared__ uint8_t raw[];
  uint8_t* tiles = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw) + 1023) & ~uintptr_t(1023));
  uint8_t* skip_tile = tiles + stages * S::stage_bytes;
  auto& c = *reinterpret_cast<typename S::control*>(skip_tile + S::skip_bytes);
  auto tile_a = [&](int s) { return tiles + s * S::stage_bytes; };
  auto tile_w = [&](int s) { return tiles + s * S::stage_bytes + S::a_bytes; };

  GLN_MARK(0)
  const int warpgroup = threadIdx.x / 128, t = threadIdx.x % 128;
  const uint32_t rank = hw::cluster_rank();
  const int m0 = int(blockIdx.y) * k_rows, n0 = int(rank) * Cols;
  if (threadIdx.x == 0) {
    for (const CUtensorMap* map : {&map_a, &map_w, &map_skip, &map_y}) hw::prefetch_tile_map(map);
    for (int s = 0; s < stages; ++s) {
      hw::barrier_init(&c.full[s], 1);
      hw::barrier_init(&c.empty[s], 2);  // one arrival per consumer warpgroup
    }
    hw::barrier_init_fence();
    hw::barrier_init(&c.skip_ready, 1);
  } else if (threadIdx.x >= 32 && threadIdx.x < 128) {  // the producer's idle warps fetch the row vectors
    const __half2 zero = __floats2half2_rn(0.f, 0.f);
    for (int i = threadIdx.x - 32; i < Cols / 2; i += 96) {  // the pair of columns 2 i, 2 i + 1
      c.bias[i % 4][i / 4] = e.bias ? reinterpret_cast<const __half2*>(e.bias + n0)[i] : zero;
      c.gamma[i % 4][i / 4] = reinterpret_cast<const __half2*>(e.gamma + n0)[i];
      c.beta[i % 4][i / 4] = e.beta ? reinterpret_cast<const __half2*>(e.beta + n0)[i] : zero;
    }
  }
  __syncthreads();
  GLN_MARK(1)
  hw::cluster_arrive();  // waited for after the main loop: peers have started, the row vectors are in

  if (warpgroup == 0) {
    hw::release_registers<40>();
    if (t == 0) {
      for (int kt = 0; kt < k_tiles; ++kt) {
        const int s = kt % stages;
        hw::barrier_wait(&c.empty[s], ((kt / stages) & 1) ^ 1);
        hw::barrier_arrive_expect_bytes(&c.full[s], S::stage_bytes);
        hw::copy_tile_2d(tile_a(s), &map_a, &c.full[s], kt * k_depth, m0);
        hw::copy_tile_2d(tile_w(s), &map_w, &c.full[s], kt * k_depth, n0);
        if (kt == (k_tiles < stages ? k_tiles : stages) - 1) {  // the ring is full: fetch the residual
          hw::barrier_arrive_expect_bytes(&c.skip_ready, S::skip_bytes);
          for (int q = 0; q < Cols / 64; ++q) hw::copy_tile_2d(skip_tile + q * (k_rows * 128), &map_skip, &c.skip_ready, n0 + 64 * q, m0);
        }
      }
    }
    __syncwarp();
    // The consumers' cluster barriers (every thread of the cluster takes part).
    hw::cluster_wait();
    hw::cluster_arrive();
    hw::cluster_wait();
    return;
  }

  // Consumers: each warpgroup multiplies 64 of the rows, then normalizes them.
  hw::claim_registers<232>();
  float d[S::accumulators];
#pragma unroll
  for (int i = 0; i < S::accumulators; ++i) d[i] = 0.f;
  const uint32_t half_offset = (warpgroup - 1) * (S::a_bytes / 2);
  for (int kt = 0; kt < k_tiles; ++kt) {
    const int s = kt % stages;
    hw::barrier_wait(&c.full[s], (kt / stages) & 1);
    if (kt == 0) GLN_MARK(2)
    const uint64_t da = hw::swizzled_tile_descriptor(tile_a(s) + half_offset);
    const uint64_t dw = hw::swizzled_tile_descriptor(tile_w(s));
    hw::fence_registers(d);
    hw::wgmma_fence();
#pragma unroll
    for (int k = 0; k < k_depth / 16; ++k) {
      if constexpr (Cols == 256)
        hw::wgmma_m64n256k16(d, da + 2 * k, dw + 2 * k);
      else
        hw::wgmma_m64n192k16(d, da + 2 * k, dw + 2 * k);
    }
    hw::wgmma_commit();
    hw::wgmma_wait<1>();  // the previous stage's products are done: its slot may be refilled
    hw::fence_registers(d);
    if (kt > 0 && t == 0) hw::barrier_arrive(&c.empty[(kt - 1) % stages]);
  }
  hw::wgmma_wait<0>();
  hw::fence_registers(d);
  GLN_MARK(3)

  // Epilogue. This thread holds rows `row` and row + 8 of the tile, local columns 8 j + 2 q (+ 1).
  // One pass gives each row's sum and sum of squares (float32, as ONNX Runtime's SkipLayerNorm).
  // Skip comes in and y goes out through the swizzled tile by ldmatrix / stmatrix: for the pair
  // j, j + 1, lane l addresses row l % 8 (+ 8 for matrices 1 and 3) in chunk j (+ 1 for 2 and 3).
  const int lane = t % 32, q = lane % 4;
  const int row = (warpgroup - 1) * 64 + (t / 32) * 16 + lane / 4;
  const int matrix_row = row - lane / 4 + ((lane >> 3) & 1) * 8 + (lane & 7), matrix_chunk = lane >> 4;
  constexpr int pairs = Cols / 8;
  hw::cluster_wait();
  hw::barrier_wait(&c.skip_ready, 0);
  GLN_MARK(4)
  float sum0 = 0.f, sum1 = 0.f, sq0 = 0.f, sq1 = 0.f;
#pragma unroll
  for (int j = 0; j < pairs; j += 4) {
    const uint4 bias4 = *reinterpret_cast<const uint4*>(&c.bias[q][j]);
    const __half2* bias = reinterpret_cast<const __half2*>(&bias4);
#pragma unroll
    for (int h = 0; h < 4; h += 2) {
      uint32_t r[4];
      hw::load_matrices_x4(r, tile_chunk(skip_tile, matrix_row, j + h + matrix_chunk));
#pragma unroll
      for (int i = 0; i < 4; ++i) {  // r[i]: row (+ 8 when i is odd), pair j + h (+ 1 when i > 1)
        const int jj = j + h + i / 2, at = 4 * jj + 2 * (i % 2);
        const float2 b = __half22float2(bias[h + i / 2]), x = __half22float2(*reinterpret_cast<const __half2*>(&r[i]));
        d[at] += b.x + x.x, d[at + 1] += b.y + x.y;
        const float s = d[at] + d[at + 1], sq = d[at] * d[at] + d[at + 1] * d[at + 1];
        if (i % 2 == 0) sum0 += s, sq0 += sq;
        else sum1 += s, sq1 += sq;
      }
    }
  }
  share_partials<cluster>(c.sums, rank, row, quad_sum(sum0), quad_sum(sum1));
  share_partials<cluster>(c.squares, rank, row, quad_sum(sq0), quad_sum(sq1));
  hw::cluster_arrive();
  hw::cluster_wait();
  GLN_MARK(5)

  const float mean0 = cluster_mean<cluster>(c.sums, row), mean1 = cluster_mean<cluster>(c.sums, row + 8);
  const float rstd0 = rsqrtf(fmaxf(cluster_mean<cluster>(c.squares, row) - mean0 * mean0, 0.f) + e.epsilon);
  const float rstd1 = rsqrtf(fmaxf(cluster_mean<cluster>(c.squares, row + 8) - mean1 * mean1, 0.f) + e.epsilon);
  // y replaces skip in the tile (each warp rewrites only its own rows), then TMA stores it.
#pragma unroll
  for (int j = 0; j < pairs; j += 4) {
    const uint4 gamma4 = *reinterpret_cast<const uint4*>(&c.gamma[q][j]), beta4 = *reinterpret_cast<const uint4*>(&c.beta[q][j]);
    const __half2 *gamma = reinterpret_cast<const __half2*>(&gamma4), *beta = reinterpret_cast<const __half2*>(&beta4);
#pragma unroll
    for (int h = 0; h < 4; h += 2) {
      uint32_t r[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int at = 4 * (j + h + i / 2) + 2 * (i % 2);
        const float mean = i % 2 ? mean1 : mean0, rstd = i % 2 ? rstd1 : rstd0;
        const float2 g = __half22float2(gamma[h + i / 2]), b = __half22float2(beta[h + i / 2]);
        const __half2 y = __floats2half2_rn((d[at] - mean) * rstd * g.x + b.x, (d[at + 1] - mean) * rstd * g.y + b.y);
        r[i] = *reinterpret_cast<const uint32_t*>(&y);
      }
      hw::store_matrices_x4(tile_chunk(skip_tile, matrix_row, j + h + matrix_chunk), r);
    }
  }
  hw::async_proxy_fence();
  hw::named_barrier(1, 256);
  if (threadIdx.x == 128) {
    for (int b = 0; b < Cols / 64; ++b) hw::store_tile_2d(&map_y, skip_tile + b * (k_rows * 128), n0 + 64 * b, m0);
    hw::store_tiles_read();
  }
  GLN_MARK(6)
#endif
}

// cuTensorMapEncodeTiled through the runtime's driver entry point (the module does not link libcuda).
PFN_cuTensorMapEncodeTiled_v12000 tensor_map_encoder() {
  static const PFN_cuTensorMapEncodeTiled_v12000 encode = [] {
    void* fn = nullptr;
    cudaDriverEntryPointQueryResult found{};
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &fn, 12000, cudaEnableDefault, &found) != cudaSuccess ||
        found != cudaDriverEntryPointSuccess)
      return PFN_cuTensorMapEncodeTiled_v12000(nullptr);
    return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(fn);
  }();
  return encode;
}

// A (rows, k) row-major float16 matrix, read in boxes of box_rows x 64 with the 128-byte swizzle.
status make_tile_map(CUtensorMap& map, const void* base, int64_t rows, int64_t k, uint32_t box_rows, const char* what) {
  const auto encode = tensor_map_encoder();
  if (encode == nullptr) return make_error(MIRT_STATUS_DEVICE_ERROR, "the driver offers no cuTensorMapEncodeTiled (needs CUDA 12 or later)");
  const cuuint64_t dims[2] = {cuuint64_t(k), cuuint64_t(rows)};
  const cuuint64_t strides[1] = {cuuint64_t(k) * 2};
  const cuuint32_t box[2] = {k_depth, box_rows};
  const cuuint32_t steps[2] = {1, 1};
  const CUresult r = encode(&map, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 2, const_cast<void*>(base), dims, strides, box, steps,
                            CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                            CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS)
    return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("cuTensorMapEncodeTiled for ") + what + " failed (CUresult " + std::to_string(int(r)) + ")");
  return {};
}


template <int Cols>
status launch(const gemm_layer_norm_params& p, cudaStream_t stream) {
  using S = shape<Cols>;
  CUtensorMap map_a, map_w, map_skip, map_y;
  status s = make_tile_map(map_a, p.a, p.m, p.k, k_rows, "A");
  if (s.ok()) s = make_tile_map(map_w, p.w_t, p.n, p.k, Cols, "W");
  if (s.ok()) s = make_tile_map(map_skip, p.skip, p.m, p.n, k_rows, "Skip");
  if (s.ok()) s = make_tile_map(map_y, p.y, p.m, p.n, k_rows, "Y");
  if (!s.ok()) return s;
  static const cudaError_t attribute =
      cudaFuncSetAttribute(gemm_layer_norm_kernel<Cols>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(S::shared_bytes));
  if (attribute != cudaSuccess) return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("gemm_layer_norm: ") + cudaGetErrorString(attribute));

  cudaLaunchConfig_t config{};
  config.gridDim = dim3(S::cluster, unsigned(ceil_div(p.m, k_rows)));
  config.blockDim = dim3(k_threads);
  config.dynamicSmemBytes = S::shared_bytes;
  config.stream = stream;
  cudaLaunchAttribute cluster{};
  cluster.id = cudaLaunchAttributeClusterDimension;
  cluster.val.clusterDim.x = S::cluster, cluster.val.clusterDim.y = 1, cluster.val.clusterDim.z = 1;
  config.attrs = &cluster;
  config.numAttrs = 1;
  const epilogue_args e{p.bias, p.skip, p.gamma, p.beta, p.y, p.m, p.epsilon, p.trace};
  cudaLaunchKernelEx(&config, gemm_layer_norm_kernel<Cols>, map_a, map_w, map_skip, map_y, int(ceil_div(p.k, k_depth)), e);
  return check_launch("gemm_layer_norm_kernel");
}

}  // namespace

status launch_gemm_layer_norm(const gemm_layer_norm_params& p, cudaStream_t stream) {
  if (p.m <= 0) return {};
  if (p.n != k_n || p.k <= 0 || p.k % 8 != 0 || p.m > int64_t(65535) * k_rows || (p.tile_cols != 192 && p.tile_cols != 256))
    return make_error(MIRT_STATUS_UNSUPPORTED, "gemm_layer_norm takes n = 768, k a multiple of 8 and tiles of 192 or 256 columns, got n = " +
                                                   std::to_string(p.n) + ", k = " + std::to_string(p.k) + ", tiles of " + std::to_string(p.tile_cols));
  if ((reinterpret_cast<uintptr_t>(p.a) | reinterpret_cast<uintptr_t>(p.w_t) | reinterpret_cast<uintptr_t>(p.skip) |
       reinterpret_cast<uintptr_t>(p.y) | reinterpret_cast<uintptr_t>(p.bias) | reinterpret_cast<uintptr_t>(p.gamma) |
       reinterpret_cast<uintptr_t>(p.beta)) % 16 != 0)
    return make_error(MIRT_STATUS_UNSUPPORTED, "gemm_layer_norm needs 16-byte aligned operands");
  return p.tile_cols == 256 ? launch<256>(p, stream) : launch<192>(p, stream);
}

}  // namespace mirt::cuda
