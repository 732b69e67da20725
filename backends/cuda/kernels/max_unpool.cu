// backends/cuda/kernels/max_unpool.cu — MaxUnpool, one input element per thread.
// Reference: backends/cpu/ops/max_unpool.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/max_unpool.hpp"

namespace mirt::cuda {
namespace {

template <class U>
__global__ void unpool_scatter(max_unpool_params p) {
  const U* x = static_cast<const U*>(p.x);
  U* y = static_cast<U*>(p.y);
  int64_t natural_plane = 1, out_plane = 1;
  for (int d = 0; d < p.spatial; ++d) natural_plane *= p.natural[d], out_plane *= p.out[d];
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t idx = p.indices[i];
    if (idx < 0 || natural_plane <= 0 || idx >= p.planes * natural_plane) continue;
    int64_t rest = idx % natural_plane, at = 0, scale = 1;
    bool inside = true;
    for (int d = p.spatial - 1; d >= 0; --d) {
      const int64_t c = rest % p.natural[d];
      rest /= p.natural[d];
      inside = inside && c < p.out[d];
      at += c * scale;
      scale *= p.out[d];
    }
    if (inside) y[idx / natural_plane * out_plane + at] = x[i];
  }
}

}  // namespace

status launch_max_unpool(const max_unpool_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.x || !p.indices || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "MaxUnpool: NULL buffer");
  switch (p.element_size) {
    case 1: unpool_scatter<uint8_t><<<grid_for(p.n), k_block, 0, stream>>>(p); break;
    case 2: unpool_scatter<uint16_t><<<grid_for(p.n), k_block, 0, stream>>>(p); break;
    case 4: unpool_scatter<uint32_t><<<grid_for(p.n), k_block, 0, stream>>>(p); break;
    case 8: unpool_scatter<uint64_t><<<grid_for(p.n), k_block, 0, stream>>>(p); break;
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "MaxUnpool: element size not 1, 2, 4 or 8");
  }
  return check_launch("unpool_scatter");
}

}  // namespace mirt::cuda
