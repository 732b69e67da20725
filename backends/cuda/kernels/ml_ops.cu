// backends/cuda/kernels/ml_ops.cu — Binarizer and ArrayFeatureExtractor, one output element per
// thread. Reference: backends/cpu/ops/ml.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/ml_ops.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__global__ void binarize(const T* x, T* y, int64_t n, double threshold) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = double(x[i]) > threshold ? T(1) : T(0);
}

template <class T>
status run_binarizer(const binarizer_params& p, cudaStream_t stream) {
  binarize<T><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const T*>(p.x), static_cast<T*>(p.y), p.n, p.threshold);
  return check_launch("binarize");
}

template <class U, class I>
__global__ void extract_features(feature_extract_params p, const I* picks) {
  const U* x = static_cast<const U*>(p.x);
  U* y = static_cast<U*>(p.y);
  const int64_t n = p.rows * p.count;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = e / p.count, at = int64_t(picks[e % p.count]);
    y[e] = at >= 0 && at < p.last ? x[r * p.last + at] : U(0);
  }
}

template <class U>
status run_extract(const feature_extract_params& p, cudaStream_t stream) {
  const int64_t n = p.rows * p.count;
  if (p.picks_int64) extract_features<U, int64_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.picks));
  else extract_features<U, int32_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.picks));
  return check_launch("extract_features");
}

}  // namespace

status launch_binarizer(const binarizer_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "Binarizer: NULL buffer");
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run_binarizer<float>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run_binarizer<double>(p, stream);
    case MIRT_DTYPE_INT32: return run_binarizer<int32_t>(p, stream);
    case MIRT_DTYPE_INT64: return run_binarizer<int64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "Binarizer: dtype is not float32, float64, int32 or int64");
  }
}

status launch_feature_extract(const feature_extract_params& p, cudaStream_t stream) {
  if (p.rows * p.count == 0) return {};
  if (!p.x || !p.picks || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "ArrayFeatureExtractor: NULL buffer");
  switch (p.element_size) {
    case 1: return run_extract<uint8_t>(p, stream);
    case 2: return run_extract<uint16_t>(p, stream);
    case 4: return run_extract<uint32_t>(p, stream);
    case 8: return run_extract<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "ArrayFeatureExtractor: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
