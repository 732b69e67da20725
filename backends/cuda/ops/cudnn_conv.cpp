// backends/cuda/ops/cudnn_conv.cpp — cuDNN descriptors of one convolution (see cudnn_conv.hpp).
#include "backends/cuda/ops/cudnn_conv.hpp"

#include "backends/cuda/check.hpp"

namespace mirt::cuda {
namespace {

std::vector<int> to_int(const dims& d) { return std::vector<int>(d.begin(), d.end()); }

}  // namespace

cudnnDataType_t cudnn_type(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT16: return CUDNN_DATA_HALF;
    case MIRT_DTYPE_BFLOAT16: return CUDNN_DATA_BFLOAT16;
    default: return CUDNN_DATA_FLOAT;
  }
}

void set_tensor(cudnnTensorDescriptor_t t, const dims& s, mirt_dtype dtype, bool nhwc) {
  if (nhwc) {
    cudnn_check(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NHWC, cudnn_type(dtype), int(s[0]), int(s[1]), int(s[2]), int(s[3])),
                "cudnnSetTensor4dDescriptor NHWC ", dims_string(s));
    return;
  }
  const dims st = dense_strides(s);
  cudnn_check(cudnnSetTensorNdDescriptor(t, cudnn_type(dtype), int(s.size()), to_int(s).data(), to_int(st).data()),
              "cudnnSetTensorNdDescriptor ", dims_string(s));
}

cudnn_conv_descriptors::~cudnn_conv_descriptors() {
  if (x) cudnnDestroyTensorDescriptor(x);
  if (y) cudnnDestroyTensorDescriptor(y);
  if (bias) cudnnDestroyTensorDescriptor(bias);
  if (w) cudnnDestroyFilterDescriptor(w);
  if (conv) cudnnDestroyConvolutionDescriptor(conv);
}

void set_conv_descriptors(cudnn_conv_descriptors& d, cudnn_conv_geometry& g) {
  if (g.x.size() == 3) {  // 1D as 2D: a unit height
    for (dims* v : {&g.x, &g.y, &g.w}) v->insert(v->begin() + 2, 1);
    g.pads.insert(g.pads.begin(), 0);
    g.strides.insert(g.strides.begin(), 1);
    g.dilations.insert(g.dilations.begin(), 1);
  }
  cudnn_check(cudnnCreateTensorDescriptor(&d.x), "cudnnCreateTensorDescriptor");
  cudnn_check(cudnnCreateTensorDescriptor(&d.y), "cudnnCreateTensorDescriptor");
  cudnn_check(cudnnCreateTensorDescriptor(&d.bias), "cudnnCreateTensorDescriptor");
  cudnn_check(cudnnCreateFilterDescriptor(&d.w), "cudnnCreateFilterDescriptor");
  cudnn_check(cudnnCreateConvolutionDescriptor(&d.conv), "cudnnCreateConvolutionDescriptor");
  set_tensor(d.x, g.x, g.dtype, g.nhwc);
  set_tensor(d.y, g.y, g.dtype, g.nhwc);
  dims bias_shape(g.x.size(), 1);
  bias_shape[1] = g.y[1];
  set_tensor(d.bias, bias_shape, g.dtype);
  cudnn_check(cudnnSetFilterNdDescriptor(d.w, cudnn_type(g.dtype), g.nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW, int(g.w.size()),
                                         to_int(g.w).data()),
              "cudnnSetFilterNdDescriptor ", dims_string(g.w));
  cudnn_check(cudnnSetConvolutionNdDescriptor(d.conv, int(g.pads.size()), g.pads.data(), g.strides.data(), g.dilations.data(),
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
              "cudnnSetConvolutionNdDescriptor");
  cudnn_check(cudnnSetConvolutionGroupCount(d.conv, int(g.group)), "cudnnSetConvolutionGroupCount ", g.group);
  cudnn_check(cudnnSetConvolutionMathType(d.conv, g.math), "cudnnSetConvolutionMathType");
}

}  // namespace mirt::cuda
