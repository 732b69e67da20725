// backends/cuda/kernels/float_class.cu — IsNaN and IsInf, one element per thread, grid-stride.
// float16 and bfloat16 widen to float first, which keeps NaN and infinities as they are.
#include "backends/cuda/kernels/float_class.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__global__ void classify(const T* x, uint8_t* y, int64_t n, bool nan, bool negative_inf, bool positive_inf) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const auto v = static_cast<compute_t<T>>(x[i]);
    y[i] = nan ? isnan(v) : isinf(v) && (v < 0 ? negative_inf : positive_inf);
  }
}

template <class T>
status run(const float_class_params& p, cudaStream_t stream) {
  classify<T><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const T*>(p.x), p.y, p.n, p.nan, p.negative_inf, p.positive_inf);
  return check_launch(p.nan ? "IsNaN" : "IsInf");
}

}  // namespace

status launch_float_class(const float_class_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "IsNaN/IsInf: NULL buffer");
  if (p.dtype == MIRT_DTYPE_FLOAT64) return run<double>(p, stream);
  return dispatch_real(p.dtype, p.nan ? "IsNaN" : "IsInf", [&](auto tag) { return run<typename decltype(tag)::type>(p, stream); });
}

}  // namespace mirt::cuda
