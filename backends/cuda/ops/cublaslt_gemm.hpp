// backends/cuda/ops/cublaslt_gemm.hpp — one row-major GEMM family on cuBLASLt, shared by MatMul and Gemm.
#pragma once

#include <cublasLt.h>

#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "backends/cuda/kernel.hpp"

namespace mirt::cuda {

// Y[b] = alpha * op(A[b]) op(B[b]) + beta * C, all row-major of one dtype (float32, float16 or
// bfloat16; the halves accumulate in float32), for b < batch.
// A stride 0 (or B stride 0) broadcasts that operand over the batch. C, when used, is Y itself
// (filled beforehand); bias, when set, is a vector of N added to every row, and relu clamps the
// result at zero afterwards, or gelu_tanh applies GELU's tanh form (all in the epilogue).
struct row_major_gemm {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  int64_t batch = 1, stride_a = 0, stride_b = 0, stride_y = 0;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // a, b, y and bias
  const void* a = nullptr;
  const void* b = nullptr;
  void* y = nullptr;
  const void* bias = nullptr;
  bool relu = false;
  bool gelu_tanh = false;
  float alpha = 1.f, beta = 0.f;
};

// A cuBLASLt handle and, per problem, its descriptors and chosen algorithm, built on the first run
// and reused (a run then costs one lookup and cublasLtMatmul). Thread-safe: the handle is, the
// cache is guarded, and its entries are read-only once built.
//
// algo_rank picks among the algorithms cuBLASLt's heuristic ranks for a problem: 0 is its first
// choice; the builder times ranks 0 to k_algo_ranks - 1 as tactics of a layer and keeps the fastest.
// A problem with fewer algorithms than the rank (another shape at run time) takes the last one.
class cublaslt_runner {
 public:
  static constexpr int k_algo_ranks = 8;
  explicit cublaslt_runner(bool allow_tf32, int algo_rank = 0);
  ~cublaslt_runner();
  cublaslt_runner(const cublaslt_runner&) = delete;
  cublaslt_runner& operator=(const cublaslt_runner&) = delete;

  void run(const row_major_gemm& g, void* workspace, size_t workspace_size, cudaStream_t stream) const;

  // Workspace the runner asks the context for.
  static constexpr size_t k_workspace = size_t(32) << 20;

 private:
  cublasLtHandle_t handle_ = nullptr;
  struct prepared;
  prepared prepare(const row_major_gemm& g, const uint32_t (&align)[4], size_t workspace_size) const;

  bool tf32_;
  int algo_rank_;
  mutable std::mutex mutex_;
  // A problem as the cache tells problems apart: dtype, shape, operations, strides, bias pointer,
  // epilogue flags, whether beta is used, operand alignments and workspace. Compared as a tuple, so
  // a run looks its problem up without building a string.
  using problem_key = std::tuple<int, int64_t, int64_t, int64_t, bool, bool, int64_t, int64_t, int64_t, int64_t, const void*, bool,
                                 bool, bool, uint32_t, uint32_t, uint32_t, size_t>;
  mutable std::map<problem_key, std::unique_ptr<prepared>> problems_;  // descriptors and algorithm per problem
};

}  // namespace mirt::cuda
