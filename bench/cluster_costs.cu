// bench/cluster_costs.cu — what a Hopper kernel's set-up costs before any math: launches of 96 CTAs
// of 384 threads, adding one ingredient at a time (218 KB of dynamic shared memory, clusters of 3,
// a cluster barrier, a first TMA load of one 48 KB stage, setmaxnreg), timed as 48 launches in one
// CUDA graph; and, inside the kernel, the cycles from entry until the first stage has arrived.
// Both cluster kernels of bench/ (gemm_layer_norm, small_m_gemm) lose 5 to 9 us a call to such
// fixed costs. Not part of the build:
//   nvcc -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -I. -Iabi/include bench/cluster_costs.cu
#include <cstdio>

#include "bench/gemm_layer_norm_kernel.cuh"
#include "bench/kernel_bench.cuh"

namespace hw = mirt::cuda::hopper;

enum : int { k_barrier = 1, k_tma = 2, k_regs = 4 };

// The ingredients in `what`; CTA 0's thread 128 writes its cycles to the first stage into cycles[0].
__global__ void __launch_bounds__(384, 1)
    setup_kernel(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_w, int what, long long* cycles) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  extern __shared__ uint8_t raw[];
  uint8_t* tiles = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw) + 1023) & ~uintptr_t(1023));
  __shared__ uint64_t full;
  const long long t0 = clock64();
  if ((what & k_tma) && threadIdx.x == 0) {
    hw::barrier_init(&full, 1);
    hw::barrier_init_fence();
  }
  __syncthreads();
  if (what & k_barrier) hw::cluster_arrive();
  if (threadIdx.x < 128) {
    if (what & k_regs) hw::release_registers<40>();
    if ((what & k_tma) && threadIdx.x == 0) {
      hw::barrier_arrive_expect_bytes(&full, 48 * 1024);
      hw::copy_tile_2d(tiles, &map_a, &full, 0, int(blockIdx.y) * 128);
      hw::copy_tile_2d(tiles + 16384, &map_w, &full, 0, int(blockIdx.x) * 256);
    }
  } else {
    if (what & k_regs) hw::claim_registers<232>();
    if (what & k_tma) hw::barrier_wait(&full, 0);
    if (cycles && blockIdx.x == 0 && blockIdx.y == 0 && threadIdx.x == 128) cycles[0] = clock64() - t0;
  }
  if (what & k_barrier) hw::cluster_wait();
#endif
}

__global__ void empty_kernel() {}

int main() {
  cudaStream_t st;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  const int m = 4096, n = 768, k = 768;
  void *a, *w;
  CK(cudaMalloc(&a, size_t(m) * k * 2));
  CK(cudaMalloc(&w, size_t(n) * k * 2));
  CK(cudaMemset(a, 0, size_t(m) * k * 2));
  CK(cudaMemset(w, 0, size_t(n) * k * 2));
  CUtensorMap map_a, map_w;
  if (!mirt::cuda::make_tile_map(map_a, a, m, k, 128, "A").ok() || !mirt::cuda::make_tile_map(map_w, w, n, k, 256, "W").ok()) return 1;
  const int smem = 218 * 1024;
  CK(cudaFuncSetAttribute(setup_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  long long* cycles;
  CK(cudaMallocManaged(&cycles, sizeof(long long)));

  printf("empty kernel, 1 block of 32: %.2f us\n", time_graph(st, [&](int) { empty_kernel<<<1, 32, 0, st>>>(); }));
  struct variant {
    const char* name;
    int cluster, smem, what;
  } variants[] = {
      {"96 CTAs of 384 threads", 1, 0, 0},
      {"+ 218 KB dynamic shared memory", 1, smem, 0},
      {"clusters of 3, no shared memory", 3, 0, 0},
      {"clusters of 3 + 218 KB", 3, smem, 0},
      {"clusters of 3 + 218 KB + cluster barrier", 3, smem, k_barrier},
      {"clusters of 3 + 218 KB + first TMA stage", 3, smem, k_tma},
      {"clusters of 3 + 218 KB + barrier + TMA + setmaxnreg", 3, smem, k_barrier | k_tma | k_regs},
      {"no cluster + 218 KB + first TMA stage", 1, smem, k_tma},
  };
  for (const variant& v : variants) {
    cudaLaunchConfig_t config{};
    config.gridDim = dim3(3, 32);
    config.blockDim = dim3(384);
    config.dynamicSmemBytes = size_t(v.smem);
    config.stream = st;
    cudaLaunchAttribute cluster{};
    cluster.id = cudaLaunchAttributeClusterDimension;
    cluster.val.clusterDim.x = unsigned(v.cluster), cluster.val.clusterDim.y = 1, cluster.val.clusterDim.z = 1;
    config.attrs = &cluster, config.numAttrs = 1;
    long long* none = nullptr;
    const double us = time_graph(st, [&](int) { cudaLaunchKernelEx(&config, setup_kernel, map_a, map_w, v.what, none); });
    for (int i = 0; i < 3; ++i) cudaLaunchKernelEx(&config, setup_kernel, map_a, map_w, v.what, cycles);
    CK(cudaStreamSynchronize(st));
    printf("%-55s %6.2f us a launch; entry to first stage %lld cycles\n", v.name, us, v.what & k_tma ? cycles[0] : 0);
  }
  return 0;
}
