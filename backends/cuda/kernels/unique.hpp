// backends/cuda/kernels/unique.hpp — Unique on the device: the distinct slices of x along an axis
// (elements of the flattened x for no axis), sorted ascending or in order of first occurrence.
#pragma once

#include <functional>

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x is (outer, n, inner): slice k holds elements (o, k, i), compared lexicographically in (o, i)
// order as the cpu backend compares them (floats as double, -0.0 equal to 0.0; integers as int64).
struct unique_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // any mirt_dtype
  const void* x = nullptr;
  int64_t outer = 1, n = 0, inner = 1;
  bool sorted = true;  // false: in order of first occurrence
};

// Where the results go once their count is known; a null pointer skips that output. y is
// (outer, count, inner) of x's dtype; indices and counts (count) and inverse (n) are int64.
struct unique_outputs {
  void* y = nullptr;
  int64_t* indices = nullptr;
  int64_t* inverse = nullptr;
  int64_t* counts = nullptr;
};

// Finds the groups (a stable sort of the slices, then scans), reads their count back (the stream
// synchronizes), asks `allocate` for the outputs at that count and fills them. `allocate` may throw;
// the exception passes through after the scratch is freed.
status launch_unique(const unique_params& p, const std::function<unique_outputs(int64_t count)>& allocate,
                     cudaStream_t stream);

}  // namespace mirt::cuda
