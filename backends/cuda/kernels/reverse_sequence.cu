// backends/cuda/kernels/reverse_sequence.cu — ReverseSequence, one output element per thread
// reading its source step. Reference: backends/cpu/ops/reverse_sequence.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/reverse_sequence.hpp"

namespace mirt::cuda {
namespace {

template <class U, class L>
__global__ void reverse_steps(reverse_sequence_params p, const L* lens) {
  const U* x = static_cast<const U*>(p.x);
  U* y = static_cast<U*>(p.y);
  const int64_t n = p.batch * p.steps * p.inner;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = e % p.inner, r = e / p.inner;
    const int64_t t = p.time_major ? r / p.batch : r % p.steps, b = p.time_major ? r % p.batch : r / p.steps;
    int64_t len = int64_t(lens[b]);
    len = len < 0 ? 0 : len > p.steps ? p.steps : len;
    const int64_t from = t < len ? len - 1 - t : t;
    const int64_t src = (p.time_major ? from * p.batch + b : b * p.steps + from) * p.inner + i;
    y[e] = x[src];
  }
}

template <class U>
status run(const reverse_sequence_params& p, cudaStream_t stream) {
  const int64_t n = p.batch * p.steps * p.inner;
  if (p.lens_int64) reverse_steps<U, int64_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.lens));
  else reverse_steps<U, int32_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.lens));
  return check_launch("reverse_steps");
}

}  // namespace

status launch_reverse_sequence(const reverse_sequence_params& p, cudaStream_t stream) {
  if (p.batch * p.steps * p.inner == 0) return {};
  if (!p.x || !p.y || !p.lens) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "ReverseSequence: NULL buffer");
  if (p.x == p.y) return make_error(MIRT_STATUS_UNSUPPORTED, "ReverseSequence: in place (steps read each other)");
  switch (p.element_size) {
    case 1: return run<uint8_t>(p, stream);
    case 2: return run<uint16_t>(p, stream);
    case 4: return run<uint32_t>(p, stream);
    case 8: return run<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "ReverseSequence: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
