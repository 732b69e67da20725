// backends/cuda/kernels/device_timer.cu — the busy-wait kernel of device_timer.hpp.
#include "backends/cuda/kernels/device_timer.hpp"

namespace mirt::cuda {
namespace {

__global__ void busy_wait(long long cycles) {
  const long long start = clock64();
  while (clock64() - start < cycles) {
  }
}

}  // namespace

status launch_busy_wait(long long cycles, cudaStream_t stream) {
  if (cycles <= 0) return {};
  busy_wait<<<1, 1, 0, stream>>>(cycles);
  return check_launch("busy_wait");
}

}  // namespace mirt::cuda
