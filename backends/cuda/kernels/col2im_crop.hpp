// backends/cuda/kernels/col2im_crop.hpp — Col2Im (columns summed back into images) and
// CenterCropPad (a centered window copied, zeros where the output pads).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

constexpr int k_col2im_max_dims = 6;

// Col2Im: x [N, C * prod(block), prod(blocks)] into y [N, C, image...]: each output value sums, in
// the order of the block offsets (the cpu backend's order), the column entries whose sliding-window
// tap lands on it. float32, float64, float16, bfloat16 (sums in the compute type).
struct col2im_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;
  int64_t batch = 0, channels = 0;
  int spatial = 0;
  int64_t image[k_col2im_max_dims] = {}, block[k_col2im_max_dims] = {}, blocks[k_col2im_max_dims] = {};
  int64_t dilation[k_col2im_max_dims] = {}, stride[k_col2im_max_dims] = {}, pad_begin[k_col2im_max_dims] = {};
};
status launch_col2im(const col2im_params& p, cudaStream_t stream);

// CenterCropPad: y[o] = x[o + shift] where inside x, else zero bytes; any element size 1 to 8.
struct center_crop_params {
  const void* x = nullptr;
  void* y = nullptr;
  size_t element_size = 4;
  int rank = 0;
  int64_t in[k_max_rank] = {}, out[k_max_rank] = {}, shift[k_max_rank] = {};
};
status launch_center_crop(const center_crop_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
