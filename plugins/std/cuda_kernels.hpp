// plugins/std/cuda_kernels.hpp — the host launchers of the standard plugins' CUDA kernels (the .cu
// files beside this one). Plain C++ types only, so the plugin sources need no CUDA header; built
// only where meson found nvcc (MIRT_STD_PLUGINS_CUDA). Each launcher enqueues on `stream` (a
// cudaStream_t; NULL for the default stream), takes device pointers, and returns NULL or the CUDA
// error's text.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plugins/std/nms_box.hpp"

namespace mirt_std_plugins::cuda {

// y = FastGelu(x + bias); bias (bias_size elements, broadcast along the last axis) may be NULL.
const char* launch_fast_gelu(const void* x, const void* bias, void* y, size_t count, size_t bias_size, bool float16,
                             void* stream);

// One row of `hidden` elements per block: LayerNorm(input + skip + bias) * gamma + beta. skip holds
// skip_size elements, repeated over the rows; beta and bias may be NULL.
struct skip_layer_norm_args {
  const void *input, *skip, *gamma, *beta, *bias;
  void* output;
  size_t rows, hidden, skip_size;
  float epsilon;
  bool float16;
};
const char* launch_skip_layer_norm(const skip_layer_norm_args& a, void* stream);

// EfficientNMS over a batch, one block per batch item, with the CPU kernel's order and ties.
struct efficient_nms_args {
  const float *boxes, *scores;  // [batch, n, 4], [batch, n, classes]
  int32_t* num_detections;      // [batch, 1]
  float *out_boxes, *out_scores;
  int32_t* out_classes;
  int64_t batch, n, classes;
  nms_params params;
  void* workspace;  // nms_cuda_workspace(batch, n, classes) bytes
};
const char* launch_efficient_nms(const efficient_nms_args& a, void* stream);

}  // namespace mirt_std_plugins::cuda
