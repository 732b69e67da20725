// backends/cuda/kernels/index_check.cuh — how an indexing kernel reports an out-of-range index
// when the host asked for checks (ops/index_check.hpp): the smallest flat position of such an
// index in the indices tensor, kept by atomicMin in a flag the host set to ~0.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace mirt::cuda {

// first_bad: the flag, or nullptr when checks are off (the kernel then only skips the index).
__device__ inline void report_bad_index(unsigned long long* first_bad, int64_t position) {
  if (first_bad != nullptr) atomicMin(first_bad, static_cast<unsigned long long>(position));
}

}  // namespace mirt::cuda
