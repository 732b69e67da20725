// backends/cuda/ops/cudnn_conv.hpp — the cuDNN set-up Conv (forward) and ConvTranspose (backward
// data) share: data types, the descriptors of one convolution at concrete shapes (1D lifted to 2D
// with a unit height), the math type the precision flags allow, and the pick from cuDNN's ranked
// heuristic results.
#pragma once

#include <cudnn.h>

#include <vector>

#include "backends/cuda/kernel.hpp"

namespace mirt::cuda {

inline int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

cudnnDataType_t cudnn_type(mirt_dtype dtype);

// A dense NCHW... tensor descriptor, or (nhwc) logical NCHW dims over channels-last memory (4-D).
void set_tensor(cudnnTensorDescriptor_t t, const dims& shape, mirt_dtype dtype, bool nhwc = false);

// One convolution's shapes and attributes as cuDNN takes them: x, y and w (ONNX order, the
// filter's memory channels-last when nhwc), and per spatial axis the begin pad (cuDNN pads both
// ends equally), the stride and the dilation.
struct cudnn_conv_geometry {
  dims x, y, w;
  std::vector<int> pads, strides, dilations;
  int64_t group = 1;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x, w, y and the bias
  bool nhwc = false;
  cudnnMathType_t math = CUDNN_FMA_MATH;
};

// The descriptors of one convolution, destroyed with it; a plan derives from it.
struct cudnn_conv_descriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;  // bias: (1, C_y, 1, ...)
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnn_conv_descriptors() = default;
  cudnn_conv_descriptors(const cudnn_conv_descriptors&) = delete;
  cudnn_conv_descriptors& operator=(const cudnn_conv_descriptors&) = delete;
  ~cudnn_conv_descriptors();
};

// Creates and sets d's descriptors for g (cross-correlation, float32 accumulation, g.group groups,
// g.math). A 1-D convolution is lifted to 2-D with a unit height first: g then holds the dims
// cuDNN sees.
void set_conv_descriptors(cudnn_conv_descriptors& d, cudnn_conv_geometry& g);

// Tensor cores for the halves and, when the plan allows it, TF32 for float32; else FMA.
inline cudnnMathType_t conv_math(bool tf32, mirt_dtype dtype) {
  return tf32 || dtype != MIRT_DTYPE_FLOAT32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
}

// The first of cuDNN's ranked results (cudnnConvolutionFwdAlgoPerf_t or ...BwdDataAlgoPerf_t)
// that ran, fits max_workspace, and, for float32 without TF32, uses FMA math (DEFAULT and
// TENSOR_OP math may compute float32 in TF32 on Ampere and later). False when none qualifies.
template <class Perf, class Algo>
bool pick_heuristic(const Perf* perf, int returned, bool tf32, mirt_dtype dtype, size_t max_workspace, Algo& algo,
                    cudnnMathType_t& math) {
  for (int i = 0; i < returned; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > max_workspace) continue;
    if (!tf32 && dtype == MIRT_DTYPE_FLOAT32 && perf[i].mathType != CUDNN_FMA_MATH) continue;
    algo = perf[i].algo;
    math = perf[i].mathType;
    return true;
  }
  return false;
}

}  // namespace mirt::cuda
