// bench/attention_hopper.cu — the wgmma attention kernel (backends/cuda/kernels/attention_hopper.cu)
// against the mma.sync kernel the backend ran before it (attention.cu's own choice of variant), on
// BERT-base's attention (12 heads of 64, packed QKV rows of 2304 halves, an int64 key-padding mask
// folded in, sequence 128) at batch 1, 8 and 32, hot in L2 and cold; then odd shapes (fewer keys
// and queries, no mask, bfloat16) compared with the mma.sync kernel's output.
// Times: 48 calls in one CUDA graph.
// Not part of the build: nvcc -O3 -std=c++17 -arch=sm_90a -I. -Iabi/include bench/attention_hopper.cu
#include <cstdio>
#include <random>
#include <vector>

#include "backends/cuda/kernels/attention.cu"
#include "backends/cuda/kernels/attention_hopper.cu"
#include "bench/kernel_bench.cuh"

using mirt::cuda::attention_params;

struct shape {
  int batch, sq, skv;
  bool mask;
  mirt_dtype dtype;
};

// One shape: both kernels' times (hot; cold too with `cold`) and the largest difference.
template <class T>
static int run_shape(const shape& s, bool cold) {
  const int heads = 12, d = 64, row = 3 * heads * d;
  const int64_t rows = int64_t(s.batch) * std::max(s.sq, s.skv);
  const size_t qkv_n = size_t(rows) * row, y_n = size_t(s.batch) * s.sq * heads * d;
  std::vector<T> qkv(qkv_n);
  std::vector<int64_t> mask(size_t(s.batch) * s.skv);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (auto& x : qkv) x = T(normal(rng));
  for (int b = 0; b < s.batch; ++b)  // every other sequence padded from half its keys on
    for (int j = 0; j < s.skv; ++j) mask[size_t(b) * s.skv + j] = b % 2 == 1 && j >= s.skv / 2 ? 0 : 1;
  const int sets = cold ? 4 : 1;  // cold: 4 copies of QKV, 76 MB at batch 32
  T *dqkv, *y_ref, *y;
  int64_t* dmask;
  CK(cudaMalloc(&dqkv, qkv_n * 2 * sets));
  CK(cudaMalloc(&y_ref, y_n * 2));
  CK(cudaMalloc(&y, y_n * 2));
  CK(cudaMalloc(&dmask, mask.size() * 8));
  for (int c = 0; c < sets; ++c) CK(cudaMemcpy(dqkv + qkv_n * c, qkv.data(), qkv_n * 2, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dmask, mask.data(), mask.size() * 8, cudaMemcpyHostToDevice));
  attention_params p;
  p.dtype = s.dtype;
  p.batch = s.batch, p.heads = heads, p.sq = s.sq, p.skv = s.skv, p.dk = p.dv = d;
  p.q_row = p.k_row = p.v_row = row;
  if (s.mask) {
    p.mask = dmask, p.mask_dtype = MIRT_DTYPE_INT64;
    p.mask_strides[0] = s.skv, p.mask_strides[3] = 1;
    p.mask_scale = 10000.f, p.mask_shift = -10000.f;
  }
  p.scale = 0.125f;
  const auto at = [&](int set, T* out) {
    attention_params q = p;
    const size_t off = qkv_n * set;
    q.q = dqkv + off, q.k = dqkv + off + heads * d, q.v = dqkv + off + 2 * heads * d, q.y = out;
    return q;
  };
  if (!mirt::cuda::attention_hopper_takes(at(0, y))) {
    printf("the wgmma kernel does not take this shape or device\n");
    return 1;
  }
  cudaStream_t st;
  CK(cudaStreamCreate(&st));
  CK((mirt::cuda::run_mma_sized<T, 64>(at(0, y_ref), st).code));
  CK(mirt::cuda::launch_attention_hopper(at(0, y), st).code);
  CK(cudaStreamSynchronize(st));
  const double diff = max_diff(y_ref, y, y_n);
  for (int c = 0; c < (cold ? 2 : 1); ++c) {
    const double mma = time_graph(st, [&](int run) { mirt::cuda::run_mma_sized<T, 64>(at(c ? run % sets : 0, y_ref), st); });
    const double wgmma = time_graph(st, [&](int run) { mirt::cuda::launch_attention_hopper(at(c ? run % sets : 0, y), st); });
    printf("batch %2d sq %3d skv %3d %s %s %s: mma.sync %7.2f us, wgmma %7.2f us (%.2fx), max diff %.2e\n", s.batch, s.sq, s.skv,
           s.mask ? "mask   " : "no mask", s.dtype == MIRT_DTYPE_FLOAT16 ? "float16 " : "bfloat16", c ? "cold" : "hot ", mma, wgmma,
           mma / wgmma, diff);
  }
  cudaFree(dqkv), cudaFree(y_ref), cudaFree(y), cudaFree(dmask);
  cudaStreamDestroy(st);
  return 0;
}

int main() {
  for (int batch : {1, 8, 32}) CK(run_shape<__half>({batch, 128, 128, true, MIRT_DTYPE_FLOAT16}, true));
  const shape odd[] = {{4, 128, 77, true, MIRT_DTYPE_FLOAT16}, {3, 50, 128, false, MIRT_DTYPE_FLOAT16},
                       {2, 200, 33, true, MIRT_DTYPE_FLOAT16}, {5, 1, 1, false, MIRT_DTYPE_FLOAT16}};
  for (const shape& s : odd) CK(run_shape<__half>(s, false));
  CK(run_shape<__nv_bfloat16>({32, 128, 128, true, MIRT_DTYPE_BFLOAT16}, false));
  return 0;
}
