// backends/cuda/kernels/generators.cu — EyeLike and the window functions, one element per thread.
// References: backends/cpu/ops/depth_space.cpp (EyeLike), backends/cpu/ops/windows.cpp.
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/cuda/kernels/generators.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

// A double stored as T, as the cpu backend's convert<T>: through float for the halves,
// truncating and saturating for integers, nonzero for bool (uint8_t stands for bool).
template <class T>
__device__ T store_double(double v, bool is_bool) {
  if constexpr (std::is_same_v<T, __half>) return __float2half_rn(float(v));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return __float2bfloat16_rn(float(v));
  else if constexpr (std::is_floating_point_v<T>) return T(v);
  else {
    if (is_bool) return T(v != 0.0);
    if (isnan(v)) return T(0);
    if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(v);
  }
}

// The products and sums rounded one at a time (no fused multiply-add), as the cpu backend computes.
__device__ double window_value(generator_kind kind, int64_t i, double period) {
  const double x = period > 0 ? __ddiv_rn(__dmul_rn(2 * 3.14159265358979323846, double(i)), period) : 0;
  switch (kind) {
    case generator_kind::hann: return __dsub_rn(0.5, __dmul_rn(0.5, cos(x)));
    case generator_kind::hamming: return __dsub_rn(25.0 / 46.0, __dmul_rn(21.0 / 46.0, cos(x)));
    case generator_kind::blackman: return __dadd_rn(__dsub_rn(0.42, __dmul_rn(0.5, cos(x))), __dmul_rn(0.08, cos(2 * x)));
    default: return 0;
  }
}

template <class T>
__global__ void generate(generator_params p, bool is_bool) {
  T* y = static_cast<T*>(p.y);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x) {
    const double v = p.kind == generator_kind::eye ? double(i % p.cols - i / p.cols == p.k) : window_value(p.kind, i, p.period);
    y[i] = store_double<T>(v, is_bool);
  }
}

template <class T>
status run(const generator_params& p, cudaStream_t stream, bool is_bool = false) {
  generate<T><<<grid_for(p.n), k_block, 0, stream>>>(p, is_bool);
  return check_launch(p.kind == generator_kind::eye ? "EyeLike" : "window");
}

}  // namespace

status launch_generator(const generator_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "generator: NULL buffer");
  if (p.kind == generator_kind::eye && p.cols <= 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "EyeLike: no columns");
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run<float>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run<double>(p, stream);
    case MIRT_DTYPE_FLOAT16: return run<__half>(p, stream);
    case MIRT_DTYPE_BFLOAT16: return run<__nv_bfloat16>(p, stream);
    case MIRT_DTYPE_INT8: return run<int8_t>(p, stream);
    case MIRT_DTYPE_UINT8: return run<uint8_t>(p, stream);
    case MIRT_DTYPE_INT32: return run<int32_t>(p, stream);
    case MIRT_DTYPE_INT64: return run<int64_t>(p, stream);
    case MIRT_DTYPE_BOOL: return run<uint8_t>(p, stream, true);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "generator: unsupported output dtype");
  }
}

}  // namespace mirt::cuda
