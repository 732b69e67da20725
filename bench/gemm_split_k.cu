// bench/gemm_split_k.cu — can cuBLASLt do BERT-base's batch-1 GEMMs (128 rows) faster than its
// heuristic's first choices, given a workspace and an explicit split of K? At 128 rows a GEMM has
// few output tiles, so most multiprocessors idle while the weights stream from DRAM. For each shape:
// the best of the heuristic's first 16 algorithms without workspace and with 32 MB of it, then each
// of those algorithms that can split K, split 2 to 16 ways. Weights cold (each call reads the next of
// 24 copies), bias or GELU+bias epilogue, float16 with float32 accumulation; 48 calls in a graph.
// Not part of the build: nvcc -O3 -std=c++17 -arch=sm_90 -I. bench/gemm_split_k.cu -lcublasLt
#include <cublasLt.h>
#include <cuda_fp16.h>

#include <cstdio>
#include <vector>

#include "bench/kernel_bench.cuh"

namespace {

struct shape {
  int m, n, k;
  bool gelu;
  const char* name;
};

struct gemm {
  cublasLtHandle_t h;
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t lw, lx, ly;
};

// Microseconds a call of algo (cold weights), or -1.
double time_algo(const gemm& g, const cublasLtMatmulAlgo_t& algo, const std::vector<__half*>& w, const __half* x, __half* y,
                 void* ws, size_t ws_size, cudaStream_t st) {
  const float alpha = 1, beta = 0;
  cublasLtMatmulHeuristicResult_t check{};
  if (cublasLtMatmulAlgoCheck(g.h, g.desc, g.lw, g.lx, g.ly, g.ly, &algo, &check) != CUBLAS_STATUS_SUCCESS ||
      check.workspaceSize > ws_size)
    return -1;
  return time_graph(st, [&](int call) {
    cublasLtMatmul(g.h, g.desc, &alpha, w[size_t(call) % w.size()], g.lw, x, g.lx, &beta, y, g.ly, y, g.ly, &algo, ws, ws_size, st);
  });
}

}  // namespace

int main() {
  gemm g{};
  CK(cublasLtCreate(&g.h));
  cudaStream_t st;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  const shape shapes[] = {{128, 2304, 768, false, "QKV"},
                          {128, 768, 768, false, "attention out"},
                          {128, 3072, 768, true, "FFN1 + GELU"},
                          {128, 768, 3072, false, "FFN2"}};
  __half *x, *y, *bias;
  CK(cudaMalloc(&x, size_t(128) * 3072 * 2));
  CK(cudaMalloc(&y, size_t(128) * 3072 * 2));
  CK(cudaMalloc(&bias, 3072 * 2));
  CK(cudaMemset(x, 0, size_t(128) * 3072 * 2));
  CK(cudaMemset(bias, 0, 3072 * 2));
  std::vector<__half*> w(24);
  for (auto& p : w) {
    CK(cudaMalloc(&p, size_t(3072) * 768 * 2));
    CK(cudaMemset(p, 0, size_t(3072) * 768 * 2));
  }
  const size_t ws_size = size_t(32) << 20;
  void* ws;
  CK(cudaMalloc(&ws, ws_size));
  for (const shape& s : shapes) {
    CK(cublasLtMatmulDescCreate(&g.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    const cublasLtEpilogue_t epi = s.gelu ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    CK(cublasLtMatmulDescSetAttribute(g.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
    CK(cublasLtMatmulDescSetAttribute(g.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias));
    CK(cublasLtMatrixLayoutCreate(&g.lw, CUDA_R_16F, s.n, s.k, s.n));
    CK(cublasLtMatrixLayoutCreate(&g.lx, CUDA_R_16F, s.k, s.m, s.k));
    CK(cublasLtMatrixLayoutCreate(&g.ly, CUDA_R_16F, s.n, s.m, s.n));
    for (size_t budget : {size_t(0), ws_size}) {
      cublasLtMatmulPreference_t p;
      CK(cublasLtMatmulPreferenceCreate(&p));
      CK(cublasLtMatmulPreferenceSetAttribute(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &budget, sizeof budget));
      cublasLtMatmulHeuristicResult_t r[16];
      int found = 0;
      CK(cublasLtMatmulAlgoGetHeuristic(g.h, g.desc, g.lw, g.lx, g.ly, g.ly, p, 16, r, &found));
      double best = 1e30;
      int best_i = -1;
      for (int i = 0; i < found; ++i) {
        const double us = time_algo(g, r[i].algo, w, x, y, ws, budget, st);
        if (us > 0 && us < best) best = us, best_i = i;
      }
      printf("%-14s M %d N %4d K %4d | workspace %2zu MB: heuristic best %6.2f us (rank %d of %d)\n", s.name, s.m, s.n, s.k,
             budget >> 20, best, best_i, found);
      if (budget == 0) continue;
      double split_best = 1e30;
      int split_rank = -1, split_ways = 0, splittable = 0;
      for (int i = 0; i < found; ++i) {
        int32_t can = 0;
        size_t written = 0;
        cublasLtMatmulAlgoCapGetAttribute(&r[i].algo, CUBLASLT_ALGO_CAP_SPLITK_SUPPORT, &can, sizeof can, &written);
        if (!can) continue;
        ++splittable;
        for (int32_t ways : {2, 3, 4, 6, 8, 12, 16}) {
          cublasLtMatmulAlgo_t a = r[i].algo;
          cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &ways, sizeof ways);
          const double us = time_algo(g, a, w, x, y, ws, ws_size, st);
          if (us > 0 && us < split_best) split_best = us, split_rank = i, split_ways = ways;
        }
      }
      if (splittable == 0)
        printf("    none of the %d algorithms can split K\n", found);
      else
        printf("    split K: best %6.2f us (rank %d split %d ways; %d of %d algorithms can split)\n", split_best, split_rank,
               split_ways, splittable, found);
    }
  }
  return 0;
}
