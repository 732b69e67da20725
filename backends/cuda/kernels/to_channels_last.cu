// backends/cuda/kernels/to_channels_last.cu — NCHW data to channels-last (NHWC), converting
// float32 to float16/bfloat16 on the way when asked: the Reformat at an image input, where the
// layout pass folds the precision pass's input Cast into it (one pass over the image, not three).
//
// Kernels:
//   few_channels<In, Out>  one thread per pixel, its C <= 8 values read from C planes (coalesced
//                          across the warp) and written contiguously; a 32x32 tile would sit
//                          mostly idle on an image's 3 rows.
//   launch_tiled_transpose  the shared-memory tiled transpose (tile_transpose.cuh), converting.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/layout.hpp"
#include "backends/cuda/kernels/tile_transpose.cuh"

namespace mirt::cuda {
namespace {

constexpr int k_max_few = 8;

// in: [N][C][P], out: [N][P][C]; i runs over N*P.
template <class In, class Out>
__global__ void few_channels(const In* __restrict__ in, Out* __restrict__ out, int64_t total, int64_t pixels, int channels) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = i / pixels, p = i - b * pixels;
    const In* src = in + b * channels * pixels + p;
    Out v[k_max_few];
#pragma unroll
    for (int c = 0; c < k_max_few; ++c)
      if (c < channels) v[c] = convert_element<Out>(src[c * pixels]);
    Out* dst = out + i * channels;
#pragma unroll
    for (int c = 0; c < k_max_few; ++c)
      if (c < channels) dst[c] = v[c];
  }
}

template <class In, class Out>
status run(const to_channels_last_params& p, cudaStream_t stream) {
  const auto* in = static_cast<const In*>(p.in);
  auto* out = static_cast<Out*>(p.out);
  if (p.channels <= k_max_few) {
    const int64_t total = p.batch * p.pixels;
    few_channels<In, Out><<<grid_for(total), k_block, 0, stream>>>(in, out, total, p.pixels, int(p.channels));
    return check_launch("to_channels_last few_channels");
  }
  // float holds each of the three types exactly.
  return launch_tiled_transpose<float>(in, out, p.batch, p.channels, p.pixels, stream, "to channels-last");
}

}  // namespace

status launch_to_channels_last(const to_channels_last_params& p, cudaStream_t stream) {
  if (p.batch <= 0 || p.channels <= 0 || p.pixels <= 0) return {};
  if (!p.in || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "to channels-last: NULL buffer");
  return dispatch_real(p.from, "to channels-last (input)", [&](auto in_tag) {
    using In = typename decltype(in_tag)::type;
    return dispatch_real(p.to, "to channels-last (output)", [&](auto out_tag) {
      using Out = typename decltype(out_tag)::type;
      return run<In, Out>(p, stream);
    });
  });
}

}  // namespace mirt::cuda
