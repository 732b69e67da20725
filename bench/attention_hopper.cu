// bench/attention_hopper.cu — the wgmma attention kernel (backends/cuda/kernels/attention_hopper.cu)
// against the mma.sync kernel the backend ran before it (attention.cu's own choice of variant), on
// BERT-base's attention (12 heads of 64, packed QKV rows of 2304 halves, an int64 key-padding mask
// folded in, sequence 128) at batch 1, 8 and 32, hot in L2 and cold; then odd shapes (fewer keys
// and queries, no mask, bfloat16) compared with the mma.sync kernel's output. "Traffic only" is a
// kernel of the wgmma kernel's grid that reads what it reads (a head's 64 query rows, 128 key and
// 128 value rows, 16 bytes a load) and writes Y, with no math: the floor of its memory traffic.
// Times: 48 calls in one CUDA graph.
// Not part of the build: nvcc -O3 -std=c++17 -arch=sm_90a -I. -Iabi/include bench/attention_hopper.cu
#include <cstdio>
#include <random>
#include <vector>

#include "backends/cuda/kernels/attention.cu"
#include "backends/cuda/kernels/attention_hopper.cu"
#include "bench/kernel_bench.cuh"

using mirt::cuda::attention_params;

// The wgmma kernel's loads and stores without its math: Y = Q ^ (the XOR of the head's K and V
// chunks in this thread's column), so that no load is dead.
__global__ void __launch_bounds__(128) traffic_only(attention_params p) {
  const int tid = int(threadIdx.x), c = tid % 8;
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = int64_t(blockIdx.x) * 64;
  const int64_t head = b * p.sq * p.q_row + h * 64;
  const uint4* q = reinterpret_cast<const uint4*>(static_cast<const __half*>(p.q) + head);
  const uint4* k = reinterpret_cast<const uint4*>(static_cast<const __half*>(p.k) + head);
  const uint4* v = reinterpret_cast<const uint4*>(static_cast<const __half*>(p.v) + head);
  const int64_t row = p.q_row / 8;  // uint4s between positions
  uint4 mix = {0, 0, 0, 0};
  for (int r = tid / 8; r < p.skv; r += 16) {
    const uint4 a = k[r * row + c], e = v[r * row + c];
    mix.x ^= a.x ^ e.x, mix.y ^= a.y ^ e.y, mix.z ^= a.z ^ e.z, mix.w ^= a.w ^ e.w;
  }
  uint4* y = reinterpret_cast<uint4*>(static_cast<__half*>(p.y) + (b * p.sq * p.heads + h) * 64);
  for (int r = tid / 8; r < 64 && q0 + r < p.sq; r += 16) {
    uint4 a = q[(q0 + r) * row + c];
    a.x ^= mix.x, a.y ^= mix.y, a.z ^= mix.z, a.w ^= mix.w;
    y[(q0 + r) * p.heads * 8 + c] = a;
  }
}

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
    const dim3 grid(unsigned((s.sq + 63) / 64), unsigned(heads), unsigned(s.batch));
    const double traffic = time_graph(st, [&](int run) { traffic_only<<<grid, 128, 0, st>>>(at(c ? run % sets : 0, y_ref)); });
    printf("batch %2d sq %3d skv %3d %s %s %s: mma.sync %7.2f us, wgmma %7.2f us (%.2fx), max diff %.2e, traffic only %7.2f us\n", s.batch, s.sq, s.skv,
           s.mask ? "mask   " : "no mask", s.dtype == MIRT_DTYPE_FLOAT16 ? "float16 " : "bfloat16", c ? "cold" : "hot ", mma, wgmma,
           mma / wgmma, diff, traffic);
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
