// backends/cuda/kernels/max_unpool.hpp — MaxUnpool's scatter: each input value written where its
// MaxPool index points, into an output the caller zeroed.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// indices (n, int64) are flat over planes of the default unpooled extents `natural`; each keeps its
// (plane, spatial coordinates) in y's extents `out`. An index outside the planes, or whose
// coordinates fall outside `out`, is skipped (the device cannot report it). Any element size 1,
// 2, 4 or 8.
struct max_unpool_params {
  const void* x = nullptr;
  const int64_t* indices = nullptr;
  void* y = nullptr;
  size_t element_size = 4;
  int64_t n = 0, planes = 0;
  int spatial = 0;
  int64_t natural[k_max_rank] = {}, out[k_max_rank] = {};
};
status launch_max_unpool(const max_unpool_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
