// bench/gemm_algos.cu — times every algorithm cuBLASLt's heuristic offers (up to 16) for BERT-base's GEMM
// shapes (float16 in and out, float32 accumulation, bias or GELU+bias epilogue), 50 runs back to
// back between CUDA events each. Not part of the build: nvcc -O2 -std=c++17 -arch=sm_90 -I. bench/gemm_algos.cu -lcublasLt
// Rows of 128 are bound by the host's launch rate here (every rank ~8 us), so only 4096 rows tell.
#include <cublasLt.h>
#include <cuda_fp16.h>

#include <cstdio>
#include <vector>

#include "bench/kernel_bench.cuh"
int main() {
  cublasLtHandle_t h;
  CK(cublasLtCreate(&h));
  size_t ws_size = 32 << 20;
  void* ws;
  CK(cudaMalloc(&ws, ws_size));
  struct shape {
    int m, n, k;
    bool gelu;
  } shapes[] = {{4096, 2304, 768, 0}, {4096, 768, 768, 0}, {4096, 3072, 768, 1}, {4096, 768, 3072, 0},
                {128, 2304, 768, 0},  {128, 768, 768, 0},  {128, 3072, 768, 1},  {128, 768, 3072, 0}};
  void *a, *b, *y, *bias;
  CK(cudaMalloc(&a, 64 << 20));
  CK(cudaMalloc(&b, 64 << 20));
  CK(cudaMalloc(&y, 64 << 20));
  CK(cudaMalloc(&bias, 1 << 20));
  cudaMemset(a, 0, 64 << 20);
  cudaMemset(b, 0, 64 << 20);
  cudaMemset(bias, 0, 1 << 20);
  cudaStream_t st;
  cudaStreamCreate(&st);
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  for (auto s : shapes) {
    // row-major Y[M,N] = A[M,K] B[K,N] as col-major Y^T = B^T A^T: lt A = B (n x k, ld n), lt B = A (k x m, ld k)
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
    cublasLtMatmulHeuristicResult_t r[16];
    int found = 0;
    CK(cublasLtMatmulAlgoGetHeuristic(h, d, la, lb, ly, ly, p, 16, r, &found));
    float alpha = 1, beta = 0;
    double best = 1e9, first = 0;
    int besti = -1;
    for (int i = 0; i < found; ++i) {
      for (int w = 0; w < 5; ++w) cublasLtMatmul(h, d, &alpha, b, la, a, lb, &beta, y, ly, y, ly, &r[i].algo, ws, ws_size, st);
      cudaEventRecord(e0, st);
      const int iters = 50;
      for (int w = 0; w < iters; ++w)
        cublasLtMatmul(h, d, &alpha, b, la, a, lb, &beta, y, ly, y, ly, &r[i].algo, ws, ws_size, st);
      cudaEventRecord(e1, st);
      cudaEventSynchronize(e1);
      float ms;
      cudaEventElapsedTime(&ms, e0, e1);
      ms /= iters;
      if (cudaGetLastError() != cudaSuccess) {
        printf("  algo %d failed\n", i);
        continue;
      }
      if (i == 0) first = ms;
      if (ms < best) best = ms, besti = i;
      printf("  M=%d N=%d K=%d algo %2d: %.4f ms (ws %zu)\n", s.m, s.n, s.k, i, ms, r[i].workspaceSize);
    }
    printf("M=%d N=%d K=%d gelu=%d: heuristic #0 %.4f ms, best #%d %.4f ms, %.1f%% faster\n", s.m, s.n, s.k, s.gelu, first, besti,
           best, 100 * (first - best) / first);
  }
  return 0;
}
