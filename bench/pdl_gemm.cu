// bench/pdl_gemm.cu — does a cuBLASLt GEMM start sooner after one of mirt's kernels when that
// kernel lets its dependents launch early (griddepcontrol.launch_dependents), and does mirt's
// kernel start sooner after the GEMM when it is launched as a programmatic dependent
// (griddepcontrol.wait first)? BERT-base at batch 1: 128 rows x 768, a LayerNorm-sized kernel then
// a GEMM of K 768, 48 pairs in one CUDA graph, weights cold. Not part of the build:
//   nvcc -O2 -std=c++17 -arch=sm_90 -I. bench/pdl_gemm.cu -lcublasLt -o pdl_gemm
// Run with CUBLASLT_LOG_LEVEL=5 to see the attributes cuBLASLt launches its kernels with.
#include <cublasLt.h>
#include <cuda_fp16.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench/kernel_bench.cuh"

namespace {

// A stand-in for SkipLayerNormalization at 128 rows: each warp reads a row of x and writes
// x * 0.5 + 1 to y (the same bytes and launch shape, 32 blocks of 4 warps).
template <bool Wait, bool Trigger>
__global__ void row_kernel(const __half* x, __half* y, int cols) {
  if (Wait) asm volatile("griddepcontrol.wait;" ::: "memory");
  if (Trigger) asm volatile("griddepcontrol.launch_dependents;");
  const int row = blockIdx.x * 4 + threadIdx.x / 32, lane = threadIdx.x % 32;
  const uint4* src = reinterpret_cast<const uint4*>(x + size_t(row) * cols);
  uint4* dst = reinterpret_cast<uint4*>(y + size_t(row) * cols);
  for (int c = lane; c < cols / 8; c += 32) {
    uint4 v = src[c];
    __half2* h = reinterpret_cast<__half2*>(&v);
    for (int i = 0; i < 4; ++i) h[i] = __hfma2(h[i], __float2half2_rn(0.5f), __float2half2_rn(1.f));
    dst[c] = v;
  }
}

template <bool Wait, bool Trigger>
void launch_row(const __half* x, __half* y, cudaStream_t st, bool pdl) {
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(32);
  cfg.blockDim = dim3(128);
  cfg.stream = st;
  cudaLaunchAttribute attr{};
  attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr.val.programmaticStreamSerializationAllowed = 1;
  cfg.attrs = &attr;
  cfg.numAttrs = pdl ? 1 : 0;
  cudaLaunchKernelEx(&cfg, row_kernel<Wait, Trigger>, x, y, 768);
}

}  // namespace

int main() {
  cublasLtHandle_t h;
  CK(cublasLtCreate(&h));
  const int m = 128, k = 768, copies = 24;
  void *a, *b, *bias;
  CK(cudaMalloc(&a, m * 3072 * 2));
  CK(cudaMalloc(&b, m * 3072 * 2));
  CK(cudaMalloc(&bias, 3072 * 2));
  CK(cudaMemset(a, 0, m * 3072 * 2));
  CK(cudaMemset(bias, 0, 3072 * 2));
  std::vector<void*> w(copies);
  for (auto& p : w) {
    CK(cudaMalloc(&p, 3072 * 768 * 2));
    CK(cudaMemset(p, 0, 3072 * 768 * 2));
  }
  cudaStream_t st;
  CK(cudaStreamCreate(&st));
  for (int n : {768, 2304, 3072}) {
    cublasLtMatmulDesc_t d;
    CK(cublasLtMatmulDescCreate(&d, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    const cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_BIAS;
    CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)));
    CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
    cublasLtMatrixLayout_t la, lb, ly;
    CK(cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, n, k, n));
    CK(cublasLtMatrixLayoutCreate(&lb, CUDA_R_16F, k, m, k));
    CK(cublasLtMatrixLayoutCreate(&ly, CUDA_R_16F, n, m, n));
    cublasLtMatmulPreference_t pref;
    CK(cublasLtMatmulPreferenceCreate(&pref));
    cublasLtMatmulHeuristicResult_t r{};
    int found = 0;
    CK(cublasLtMatmulAlgoGetHeuristic(h, d, la, lb, ly, ly, pref, 1, &r, &found));
    const float alpha = 1, beta = 0;
    // GEMM input a is the row kernel's output; the row kernel reads the GEMM's output b.
    auto gemm = [&](int i) {
      cublasLtMatmul(h, d, &alpha, w[i % copies], la, a, lb, &beta, b, ly, b, ly, &r.algo, nullptr, 0, st);
    };
    const double t_gemm = time_graph(st, gemm);
    const double t_row = time_graph(st, [&](int) { launch_row<false, false>(static_cast<__half*>(b), static_cast<__half*>(a), st, false); });
    // Microseconds a pair: the row kernel (as row launches it), then the GEMM.
    auto pairs = [&](auto row) {
      return time_graph(st, [&](int i) {
        row(static_cast<__half*>(b), static_cast<__half*>(a));
        gemm(i);
      });
    };
    const double plain = pairs([&](__half* in, __half* out) { launch_row<false, false>(in, out, st, false); });
    const double trigger = pairs([&](__half* in, __half* out) { launch_row<false, true>(in, out, st, false); });
    const double wait = pairs([&](__half* in, __half* out) { launch_row<true, false>(in, out, st, true); });
    const double both = pairs([&](__half* in, __half* out) { launch_row<true, true>(in, out, st, true); });
    printf("N %4d: gemm alone %.2f us, row kernel alone %.2f us; a pair: plain %.2f, row kernel triggers dependents %.2f, "
           "row kernel waits as a dependent %.2f, both %.2f us\n",
           n, t_gemm, t_row, plain, trigger, wait, both);
    cublasLtMatmulPreferenceDestroy(pref);
    cublasLtMatrixLayoutDestroy(la);
    cublasLtMatrixLayoutDestroy(lb);
    cublasLtMatrixLayoutDestroy(ly);
    cublasLtMatmulDescDestroy(d);
  }
  return 0;
}
