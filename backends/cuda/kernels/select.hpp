// backends/cuda/kernels/select.hpp — the positions of a tensor's non-zero elements (NonZero,
// Compress): a flag pass, an exclusive scan (CUB) and a scatter, plus NonZero's unravelling.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// selected[k] = the k-th flat index i < n (ascending) where values[i] is non-zero (NaN counts as
// non-zero, -0.0 as zero, as numpy has it); *count = how many (device memory, int64).
struct select_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* values = nullptr;  // (n) elements
  int64_t n = 0;                 // below 2^31
  int64_t* selected = nullptr;   // (n) entries
  int64_t* count = nullptr;      // 1 entry
  void* scratch = nullptr;       // select_scratch_bytes(n) bytes
};
size_t select_scratch_bytes(int64_t n);
status launch_select_nonzero(const select_params& p, cudaStream_t stream);

// y[d * count + k] = coordinate d of flat index positions[k] in `shape` (row-major): NonZero's
// [rank, count] output.
struct unravel_params {
  const int64_t* positions = nullptr;
  int64_t count = 0;
  int rank = 0;
  int64_t shape[k_max_rank] = {};
  int64_t* y = nullptr;
};
status launch_unravel(const unravel_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
