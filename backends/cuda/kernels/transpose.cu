// backends/cuda/kernels/transpose.cu — batched 2-D transposes of raw elements through the
// shared-memory tiles of tile_transpose.cuh. mirt::Reformat (NCHW <-> NHWC) is one:
// [N][C][HW] <-> [N][HW][C]. Also the channel padding of an NHWC image stem's input (3 channels to 4)
// before its convolution.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/tile_transpose.cuh"

namespace mirt::cuda {
namespace {

template <class U>
status run(const batched_transpose_params& p, cudaStream_t stream) {
  return launch_tiled_transpose<U>(static_cast<const U*>(p.in), static_cast<U*>(p.out), p.batch, p.rows, p.cols, stream,
                                   "transpose");
}

// out: (pixels, padded); in: (pixels, channels). One thread per pixel: no 64-bit division per
// element (the per-element version took 0.13 ms on ResNet-50's 128-image input).
template <class U>
__global__ void pad_channels(const U* in, U* out, int64_t pixels, int channels, int padded) {
  for (int64_t p = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; p < pixels; p += int64_t(gridDim.x) * blockDim.x) {
    const U* src = in + p * channels;
    U* dst = out + p * padded;
    for (int k = 0; k < padded; ++k) dst[k] = k < channels ? src[k] : U(0);
  }
}

template <class U>
status run_pad(const pad_channels_params& p, cudaStream_t stream) {
  pad_channels<U><<<grid_for(p.pixels), k_block, 0, stream>>>(static_cast<const U*>(p.in), static_cast<U*>(p.out), p.pixels,
                                                               int(p.channels), int(p.padded));
  return check_launch("pad_channels");
}

}  // namespace

status launch_pad_channels(const pad_channels_params& p, cudaStream_t stream) {
  if (p.pixels <= 0 || p.padded <= 0) return {};
  if (!p.in || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "pad channels: NULL buffer");
  if (p.channels > p.padded) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "pad channels: more channels than the padded count");
  switch (p.element_size) {
    case 2: return run_pad<uint16_t>(p, stream);
    case 4: return run_pad<uint32_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "pad channels: element size not 2 or 4");
  }
}

status launch_batched_transpose(const batched_transpose_params& p, cudaStream_t stream) {
  if (p.batch <= 0 || p.rows <= 0 || p.cols <= 0) return {};
  if (!p.in || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "transpose: NULL buffer");
  switch (p.element_size) {
    case 1: return run<uint8_t>(p, stream);
    case 2: return run<uint16_t>(p, stream);
    case 4: return run<uint32_t>(p, stream);
    case 8: return run<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "transpose: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
