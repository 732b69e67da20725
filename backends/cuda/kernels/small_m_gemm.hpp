// backends/cuda/kernels/small_m_gemm.hpp — Y = X W (+ bias) (+ Relu or GELU) for products of few
// rows (M <= 128: BERT at batch 1), spread over every multiprocessor by splitting K across the
// blocks of a thread block cluster (Hopper), where cuBLASLt's kernels leave most of them idle.
#pragma once

#include <cstdint>
#include <string>

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class small_m_activation { none, relu, gelu_tanh };

// X [M, K] and W [K, N] row-major, Y [M, N], bias a vector of N (NULL when absent), all of one
// dtype (float16 or bfloat16; float32 accumulation). X, W and Y 16-byte aligned.
struct small_m_gemm_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT16;
  const void *x = nullptr, *w = nullptr, *bias = nullptr;
  void* y = nullptr;
  int64_t m = 0, n = 0, k = 0;
  small_m_activation activation = small_m_activation::none;
  int tile_n = 0;  // columns of Y a block computes: 32, 64 or 128; 0: the kernel's choice
};

constexpr int64_t k_small_m_max_rows = 128;

// Whether the kernel takes N columns and depth K (any M up to 128 rows) with blocks of tile_n
// columns (0: its choice; 128 needs N a multiple of 128): N and K multiples of 64,
// K whose share per block (K split 16 ways at most) fits shared memory, any K up to 4096 does; the
// reason otherwise.
bool small_m_gemm_fits(int64_t n, int64_t k, int tile_n, std::string* why);

// UNSUPPORTED for M > 128, shapes small_m_gemm_fits refuses, misaligned buffers or another dtype.
status launch_small_m_gemm(const small_m_gemm_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
