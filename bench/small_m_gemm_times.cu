// bench/small_m_gemm_times.cu — mirt's small-M GEMM kernel (backends/cuda/kernels/small_m_gemm.cu)
// against cuBLASLt's first 8 heuristic algorithms on BERT-base's four GEMM shapes at 128 rows
// (float16, bias or GELU+bias epilogue), with W hot in L2 and cold (a new slice of a 96 MB pool
// each run), then every (tile width, K split) plan of the kernel cold, and the kernel's own plan
// without its loads, its math or both (probes 1 to 3). Each variant runs 48 times in one captured
// CUDA graph, timed between events, so the host's launch rate does not hide the kernels' time.
// Prints the largest difference between the kernel's and cuBLASLt's outputs. Not part of
// the build: nvcc -O2 -std=c++17 -arch=sm_90 -I. -Iabi/include bench/small_m_gemm_times.cu -lcublasLt
#include <cublasLt.h>
#include <cuda_fp16.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "backends/cuda/kernels/small_m_gemm.cu"
#include "bench/kernel_bench.cuh"


template <int BN, int Probe>
static mirt::cuda::status run_forced(const mirt::cuda::small_m_gemm_params& q, int split, cudaStream_t st) {
  using namespace mirt::cuda;
  return run<__half, BN, Probe>(q, split, st);
}

template <int Probe>
static mirt::cuda::status run_probe(const mirt::cuda::small_m_gemm_params& q, int bn, int split, cudaStream_t st) {
  return bn == 128 ? run_forced<128, Probe>(q, split, st) : bn == 64 ? run_forced<64, Probe>(q, split, st) : run_forced<32, Probe>(q, split, st);
}

// probe 1: no loads, 2: no mma, 3: neither (the outputs are then meaningless).
static mirt::cuda::status run_any(const mirt::cuda::small_m_gemm_params& q, int bn, int split, int probe, cudaStream_t st) {
  switch (probe) {
    case 1: return run_probe<1>(q, bn, split, st);
    case 2: return run_probe<2>(q, bn, split, st);
    case 3: return run_probe<3>(q, bn, split, st);
    default: return run_probe<0>(q, bn, split, st);
  }
}

int main() {
  using namespace mirt::cuda;
  cublasLtHandle_t h;
  CK(cublasLtCreate(&h));
  size_t ws_size = 32 << 20;
  void* ws;
  CK(cudaMalloc(&ws, ws_size));
  struct shape {
    int m, n, k;
    bool gelu;
    const char* name;
  } shapes[] = {{128, 2304, 768, 0, "QKV"}, {128, 768, 768, 0, "attn out"}, {128, 3072, 768, 1, "FFN1+GELU"}, {128, 768, 3072, 0, "FFN2"}};
  // Cold runs take W from a 96 MB pool (twice the 50 MB L2), a new slice each run, as a model's
  // layers do; hot runs reuse the first slice.
  constexpr size_t w_bytes = size_t(3072) * 768 * 2, pool_bytes = size_t(96) << 20;
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<__half> host(w_bytes / 2);
  for (auto& v : host) v = __float2half(dist(gen));
  __half *a, *y, *y2, *bias, *pool;
  CK(cudaMalloc(&a, w_bytes));
  CK(cudaMalloc(&y, 1 << 20));
  CK(cudaMalloc(&y2, 1 << 20));
  CK(cudaMalloc(&bias, 1 << 20));
  CK(cudaMalloc(&pool, pool_bytes));
  for (size_t off = 0; off + w_bytes <= pool_bytes; off += w_bytes) CK(cudaMemcpy(reinterpret_cast<char*>(pool) + off, host.data(), w_bytes, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(a, host.data(), w_bytes, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(bias, host.data(), 1 << 20, cudaMemcpyHostToDevice));
  cudaStream_t st;
  cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking);
  for (auto s : shapes) {
    const int copies = int(pool_bytes / (size_t(s.k) * s.n * 2));
    const auto w = [&](int i) { return pool + size_t(i % copies) * s.k * s.n; };
    cublasLtMatmulDesc_t d;
    CK(cublasLtMatmulDescCreate(&d, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasLtEpilogue_t epi = s.gelu ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
    CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias));
    cublasLtMatrixLayout_t la, lb, ly;
    CK(cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, s.n, s.k, s.n));
    CK(cublasLtMatrixLayoutCreate(&lb, CUDA_R_16F, s.k, s.m, s.k));
    CK(cublasLtMatrixLayoutCreate(&ly, CUDA_R_16F, s.n, s.m, s.n));
    cublasLtMatmulPreference_t p;
    CK(cublasLtMatmulPreferenceCreate(&p));
    CK(cublasLtMatmulPreferenceSetAttribute(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws_size, sizeof ws_size));
    cublasLtMatmulHeuristicResult_t r[8];
    int found = 0;
    CK(cublasLtMatmulAlgoGetHeuristic(h, d, la, lb, ly, ly, p, 8, r, &found));
    float alpha = 1, beta = 0;
    double best[2] = {1e30, 1e30};
    for (int cold = 0; cold < 2; ++cold)
      for (int i = 0; i < found; ++i) {
        const double us = time_graph(st, [&](int run) {
          cublasLtMatmul(h, d, &alpha, w(cold ? run : 0), la, a, lb, &beta, y, ly, y, ly, &r[i].algo, ws, ws_size, st);
        });
        if (us > 0 && us < best[cold]) best[cold] = us;
      }
    cublasLtMatmul(h, d, &alpha, w(0), la, a, lb, &beta, y, ly, y, ly, &r[0].algo, ws, ws_size, st);
    CK(cudaStreamSynchronize(st));
    small_m_gemm_params q;
    q.dtype = MIRT_DTYPE_FLOAT16;
    q.x = a, q.w = w(0), q.bias = bias, q.y = y2;
    q.m = s.m, q.n = s.n, q.k = s.k;
    q.activation = s.gelu ? small_m_activation::gelu_tanh : small_m_activation::none;
    double planned[2] = {0, 0};
    for (int cold = 0; cold < 2; ++cold)
      planned[cold] = time_graph(st, [&](int run) {
        small_m_gemm_params c = q;
        c.w = w(cold ? run : 0);
        launch_small_m_gemm(c, st);
      });
    const gemm_plan plan = plan_for(s.m, s.n, s.k, multiprocessors());
    printf("%-10s M=%d N=%d K=%d: cuBLASLt best of %d algos %.2f us hot, %.2f us cold; small_m_gemm plan (BN %d, split %d) %.2f us hot, %.2f us cold\n",
           s.name, s.m, s.n, s.k, found, best[0], best[1], plan.bn, plan.split, planned[0], planned[1]);
    // Every plan the kernel has, cold: time, the model's cost and the difference from cuBLASLt;
    // the planned one also without its loads, its math or both.
    for (int bn : {128, 64, 32}) {
      for (int split = 1; split <= 16; ++split) {
        if (s.n % bn || (s.k / 32) % split || smem_bytes(bn, s.k / split) > k_max_smem) continue;
        for (int variant = 0; variant < (bn == plan.bn && split == plan.split ? 4 : 1); ++variant) {
          cudaMemset(y2, 0, 1 << 20);
          const double us = time_graph(st, [&](int run) {
            small_m_gemm_params c = q;
            c.w = w(run);
            run_any(c, bn, split, variant, st);
          });
          q.w = w(0);
          const status once = run_any(q, bn, split, variant, st);
          const cudaError_t e = cudaStreamSynchronize(st);
          printf("    BN %3d split %2d (%4d blocks) probe %d: %6.2f us cold, model %6.0f, max rel diff %.2e %s %s\n", bn, split,
                 s.n / bn * split, variant, us, plan_cost(s.m, s.n, s.k, multiprocessors(), bn, split), max_diff(y, y2, size_t(s.m) * s.n),
                 once.message.c_str(), e == cudaSuccess ? "" : cudaGetErrorString(e));
          if (e != cudaSuccess) return 1;
        }
      }
    }
  }
  return 0;
}
