// bench/weight_layout.cu — does storing a Linear layer's weight transposed ([N, K], K contiguous, as
// PyTorch keeps it) give cuBLASLt faster kernels than ONNX MatMul's [K, N] at BERT-base's shapes?
// Y [M, N] = X [M, K] W + bias (float16, float32 accumulation, bias or GELU+bias epilogue, no
// workspace, as the backend runs them), the best of cuBLASLt's first 8 heuristic algorithms for
// each layout. Weights cold: each call reads the next of 24 copies (more than L2 holds), as in the
// network, where a GEMM's weights come from DRAM. Times: 48 calls in one CUDA graph.
// Not part of the build: nvcc -O3 -std=c++17 -arch=sm_90 -I. bench/weight_layout.cu -lcublasLt
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

// Best microseconds a call over the first 8 algorithms for one weight layout; -1 if none ran.
double best_time(cublasLtHandle_t h, const shape& s, bool transposed, const std::vector<__half*>& w, const __half* x,
                 __half* y, const __half* bias, cudaStream_t st, int* best_algo) {
  // Row-major Y = X W is column-major Yᵀ = Wᵀ Xᵀ: cuBLASLt's A is W, its B is X.
  cublasLtMatmulDesc_t d;
  if (cublasLtMatmulDescCreate(&d, CUBLAS_COMPUTE_32F, CUDA_R_32F) != CUBLAS_STATUS_SUCCESS) return -1;
  const cublasOperation_t op = transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, &op, sizeof op);
  const cublasLtEpilogue_t epi = s.gelu ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
  cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi);
  cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias);
  cublasLtMatrixLayout_t la, lb, ly;
  // [K, N] row-major is column-major n x k (ld n); [N, K] row-major is column-major k x n (ld k), used transposed.
  if (transposed)
    cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, s.k, s.n, s.k);
  else
    cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, s.n, s.k, s.n);
  cublasLtMatrixLayoutCreate(&lb, CUDA_R_16F, s.k, s.m, s.k);
  cublasLtMatrixLayoutCreate(&ly, CUDA_R_16F, s.n, s.m, s.n);
  cublasLtMatmulPreference_t p;
  cublasLtMatmulPreferenceCreate(&p);
  size_t none = 0;
  cublasLtMatmulPreferenceSetAttribute(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &none, sizeof none);
  cublasLtMatmulHeuristicResult_t r[8];
  int found = 0;
  cublasLtMatmulAlgoGetHeuristic(h, d, la, lb, ly, ly, p, 8, r, &found);
  double best = -1;
  const float alpha = 1, beta = 0;
  for (int i = 0; i < found; ++i) {
    const double us = time_graph(st, [&](int call) {
      cublasLtMatmul(h, d, &alpha, w[size_t(call) % w.size()], la, x, lb, &beta, y, ly, y, ly, &r[i].algo, nullptr, 0, st);
    });
    if (us > 0 && (best < 0 || us < best)) best = us, *best_algo = i;
  }
  return best;
}

}  // namespace

int main() {
  cublasLtHandle_t h;
  CK(cublasLtCreate(&h));
  cudaStream_t st;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  const shape shapes[] = {{128, 2304, 768, false, "QKV"},      {128, 768, 768, false, "attention out"},
                          {128, 3072, 768, true, "FFN1 + GELU"}, {128, 768, 3072, false, "FFN2"},
                          {4096, 2304, 768, false, "QKV"},     {4096, 768, 768, false, "attention out"},
                          {4096, 3072, 768, true, "FFN1 + GELU"}, {4096, 768, 3072, false, "FFN2"}};
  __half *x, *y, *bias;
  CK(cudaMalloc(&x, size_t(4096) * 3072 * 2));
  CK(cudaMalloc(&y, size_t(4096) * 3072 * 2));
  CK(cudaMalloc(&bias, 3072 * 2));
  CK(cudaMemset(x, 0, size_t(4096) * 3072 * 2));
  CK(cudaMemset(bias, 0, 3072 * 2));
  std::vector<__half*> w(24);
  for (auto& p : w) {
    CK(cudaMalloc(&p, size_t(3072) * 768 * 2));
    CK(cudaMemset(p, 0, size_t(3072) * 768 * 2));
  }
  for (const shape& s : shapes) {
    int algo_n = -1, algo_t = -1;
    const double n = best_time(h, s, false, w, x, y, bias, st, &algo_n);
    const double t = best_time(h, s, true, w, x, y, bias, st, &algo_t);
    printf("M %4d %-14s N %4d K %4d | W [K,N]: %6.2f us (algo %d) | W [N,K] transposed: %6.2f us (algo %d) | %+.1f%%\n", s.m, s.name,
           s.n, s.k, n, algo_n, t, algo_t, 100.0 * (t - n) / n);
  }
  return 0;
}
