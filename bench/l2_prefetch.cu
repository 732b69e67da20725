// bench/l2_prefetch.cu — does fetching the next GEMMs' weights into L2 on a side branch make
// BERT-base's batch-1 GEMMs faster? A stand-in for the network: 12 layers of its four GEMMs at 128
// rows (float16, cuBLASLt's first algorithm without workspace, bias or GELU+bias epilogue), each
// layer with its own weights (170 MB in all, three times L2), and single-block spin kernels where
// the attention (5 us) and the two LayerNorms (2.5 us) run. Captured in one CUDA graph, timed per
// pass; then the same with a side branch forked at each GEMM that prefetches (cp.async.bulk
// .prefetch.L2) the weights of the GEMM `ahead` places later, joined at the end.
// Not part of the build: nvcc -O3 -std=c++17 -arch=sm_90 -I. bench/l2_prefetch.cu -lcublasLt
#include <cublasLt.h>
#include <cuda_fp16.h>

#include <cstdio>
#include <vector>

#include "bench/kernel_bench.cuh"


// One block waiting about `ns` nanoseconds: the latency-bound kernels between the GEMMs.
__global__ void spin(long ns) {
  const long start = clock64();
  const long cycles = ns * 2;  // ~2 GHz; only its order matters
  while (clock64() - start < cycles) {
  }
}

// Each block asks L2 for its share of [p, p + bytes) in bulk prefetches of up to 64 KB (one thread).
__global__ void prefetch_l2(const char* p, size_t bytes) {
  const size_t chunk = 64 << 10;
  for (size_t at = size_t(blockIdx.x) * chunk; at < bytes; at += size_t(gridDim.x) * chunk) {
    const size_t n = (bytes - at < chunk ? bytes - at : chunk) & ~size_t(15);
    if (threadIdx.x == 0 && n > 0)
      asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;\n" ::"l"(p + at), "r"(unsigned(n)) : "memory");
  }
}

struct gemm {
  int n, k;
  bool gelu;
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t la, lb, ly;
  cublasLtMatmulAlgo_t algo;
  std::vector<__half*> w;  // per layer
  __half* bias;
};

int main() {
  const int m = 128, layers = 12;
  cublasLtHandle_t h;
  CK(cublasLtCreate(&h));
  gemm g[4] = {{2304, 768, false}, {768, 768, false}, {3072, 768, true}, {768, 3072, false}};
  __half *x, *y;
  CK(cudaMalloc(&x, size_t(m) * 3072 * 2));
  CK(cudaMalloc(&y, size_t(m) * 3072 * 2));
  cudaMemset(x, 0, size_t(m) * 3072 * 2);
  for (gemm& s : g) {
    CK(cudaMalloc(&s.bias, size_t(s.n) * 2));
    cudaMemset(s.bias, 0, size_t(s.n) * 2);
    for (int l = 0; l < layers; ++l) {
      __half* w;
      CK(cudaMalloc(&w, size_t(s.n) * s.k * 2));
      cudaMemset(w, 0, size_t(s.n) * s.k * 2);
      s.w.push_back(w);
    }
    CK(cublasLtMatmulDescCreate(&s.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasLtEpilogue_t epi = s.gelu ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    CK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
    CK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &s.bias, sizeof s.bias));
    CK(cublasLtMatrixLayoutCreate(&s.la, CUDA_R_16F, s.n, s.k, s.n));
    CK(cublasLtMatrixLayoutCreate(&s.lb, CUDA_R_16F, s.k, m, s.k));
    CK(cublasLtMatrixLayoutCreate(&s.ly, CUDA_R_16F, s.n, m, s.n));
    cublasLtMatmulPreference_t p;
    CK(cublasLtMatmulPreferenceCreate(&p));
    size_t none = 0;
    CK(cublasLtMatmulPreferenceSetAttribute(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &none, sizeof none));
    cublasLtMatmulHeuristicResult_t r[1];
    int found = 0;
    CK(cublasLtMatmulAlgoGetHeuristic(h, s.desc, s.la, s.lb, s.ly, s.ly, p, 1, r, &found));
    if (found == 0) return printf("no algorithm\n"), 1;
    s.algo = r[0].algo;
  }
  cudaStream_t st, side;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  CK(cudaStreamCreateWithFlags(&side, cudaStreamNonBlocking));
  std::vector<cudaEvent_t> forks(4 * layers + 1);
  for (auto& e : forks) cudaEventCreateWithFlags(&e, cudaEventDisableTiming);
  const float alpha = 1, beta = 0;
  const long after_ns[4] = {5000, 2500, 0, 2500};  // attention after QKV, LayerNorm after out and FFN2

  // One pass; `ahead` > 0 forks a prefetch of GEMM i + ahead's weights at GEMM i, `blocks` wide.
  auto pass = [&](int ahead, int blocks) {
    int forked = 0;
    for (int i = 0; i < 4 * layers; ++i) {
      const gemm& s = g[i % 4];
      const int l = i / 4;
      if (ahead > 0 && i + ahead < 4 * layers) {
        const gemm& next = g[(i + ahead) % 4];
        cudaEventRecord(forks[forked], st);
        cudaStreamWaitEvent(side, forks[forked], 0);
        ++forked;
        prefetch_l2<<<blocks, 32, 0, side>>>(reinterpret_cast<const char*>(next.w[(i + ahead) / 4]), size_t(next.n) * next.k * 2);
      }
      cublasLtMatmul(h, s.desc, &alpha, s.w[l], s.la, x, s.lb, &beta, y, s.ly, y, s.ly, &s.algo, nullptr, 0, st);
      if (after_ns[i % 4] > 0) spin<<<1, 32, 0, st>>>(after_ns[i % 4]);
    }
    if (forked > 0) {
      cudaEventRecord(forks.back(), side);
      cudaStreamWaitEvent(st, forks.back(), 0);
    }
  };
  const double spins = time_graph(st, [&](int) {
    for (int i = 0; i < 4 * layers; ++i)
      if (after_ns[i % 4] > 0) spin<<<1, 32, 0, st>>>(after_ns[i % 4]);
  });
  printf("the spin kernels alone: %.1f us a pass\n", spins);
  printf("no prefetch: %.1f us a pass\n", time_graph(st, [&](int) { pass(0, 0); }));
  for (int ahead : {1, 2, 4})
    for (int blocks : {4, 16, 64})
      printf("prefetch %d GEMMs ahead, %2d blocks: %.1f us a pass\n", ahead, blocks, time_graph(st, [&](int) { pass(ahead, blocks); }));
  return 0;
}
