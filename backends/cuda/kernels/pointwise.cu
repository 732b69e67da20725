// backends/cuda/kernels/pointwise.cu — mirt::FusedElementwise: the builder's fused group of
// elementwise layers, one program run per element (float32 inside, float16/bfloat16 storage).
//
// Kernels:
//   run_program  one element per thread, grid-stride; the program (a few hundred bytes) is a kernel
//                argument, so every thread reads it from the constant bank. A float16/bfloat16
//                program may write float32 (the builder folds a Cast after it so). The op arithmetic is
//                backends/support/pointwise_program.hpp, the same code the cpu backend runs.
#include <type_traits>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/pointwise.hpp"

namespace mirt::cuda {
namespace {

// U: y's type, T's own or float (a float16/bfloat16 program that writes float32).
template <class T, class U>
__global__ void run_program(support::pointwise_program p, const T* x, U* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = U(support::run_pointwise(p, float(x[i])));
}

}  // namespace

status launch_pointwise(const pointwise_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  const mirt_dtype out = p.out_dtype == MIRT_DTYPE_UNDEFINED ? p.dtype : p.out_dtype;
  return dispatch_real(p.dtype, "pointwise program", [&](auto tag) -> status {
    using T = typename decltype(tag)::type;
    if (out == p.dtype) {
      run_program<T, T><<<grid_for(p.n), k_block, 0, stream>>>(p.program, static_cast<const T*>(p.x), static_cast<T*>(p.y), p.n);
    } else if constexpr (!std::is_same_v<T, float>) {
      if (out != MIRT_DTYPE_FLOAT32)
        return make_error(MIRT_STATUS_UNSUPPORTED, "pointwise program: a float16/bfloat16 program writes its own type or float32");
      run_program<T, float><<<grid_for(p.n), k_block, 0, stream>>>(p.program, static_cast<const T*>(p.x), static_cast<float*>(p.y), p.n);
    } else {
      return make_error(MIRT_STATUS_UNSUPPORTED, "pointwise program: a float32 program writes float32");
    }
    return check_launch("run_program");
  });
}

}  // namespace mirt::cuda
