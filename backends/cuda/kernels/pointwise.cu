// backends/cuda/kernels/pointwise.cu — mirt::FusedElementwise: the builder's fused group of
// elementwise layers, one program run per element (float32 inside, float16/bfloat16 storage).
//
// Kernels:
//   run_program  one element per thread, grid-stride; the program (a few hundred bytes) is a kernel
//                argument, so every thread reads it from the constant bank. The op arithmetic is
//                backends/support/pointwise_program.hpp, the same code the cpu backend runs.
#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/pointwise.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__global__ void run_program(support::pointwise_program p, const T* x, T* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = T(support::run_pointwise(p, float(x[i])));
}

}  // namespace

status launch_pointwise(const pointwise_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  return dispatch_real(p.dtype, "pointwise program", [&](auto tag) {
    using T = typename decltype(tag)::type;
    run_program<T><<<grid_for(p.n), k_block, 0, stream>>>(p.program, static_cast<const T*>(p.x), static_cast<T*>(p.y), p.n);
    return check_launch("run_program");
  });
}

}  // namespace mirt::cuda
