// backends/cuda/kernels/ml_ops.hpp — the ONNX-ML ops Binarizer and ArrayFeatureExtractor.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// Binarizer: y = double(x) > threshold ? 1 : 0, x and y float32, float64, int32 or int64.
struct binarizer_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;
  int64_t n = 0;
  double threshold = 0;
};
status launch_binarizer(const binarizer_params& p, cudaStream_t stream);

// ArrayFeatureExtractor: y [rows, picks] = x [rows, last] at the picked positions of its last axis
// (int32 or int64 on the device; one outside [0, last) gives zero bytes: the device cannot report
// it). Elements of 1, 2, 4 or 8 bytes.
struct feature_extract_params {
  const void* x = nullptr;
  const void* picks = nullptr;
  bool picks_int64 = true;
  void* y = nullptr;
  size_t element_size = 4;
  int64_t rows = 0, last = 0, count = 0;
};
status launch_feature_extract(const feature_extract_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
