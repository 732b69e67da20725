// backends/cuda/kernels/to_channels_last.cu — NCHW data to channels-last (NHWC), converting
// float32 to float16/bfloat16 on the way when asked: the Reformat at an image input, where the
// layout pass folds the precision pass's input Cast into it (one pass over the image, not three).
//
// Kernels:
//   few_channels<In, Out>  one thread per pixel, its C <= 8 values read from C planes (coalesced
//                          across the warp) and written contiguously; a 32x32 tile would sit
//                          mostly idle on an image's 3 rows.
//   tiled<In, Out>         the shared-memory tiled transpose of transpose.cu, converting.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/layout.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__device__ float to_float(T x) {
  if constexpr (std::is_same_v<T, __half>) return __half2float(x);
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return __bfloat162float(x);
  else return x;
}

template <class Out, class In>
__device__ Out convert(In x) {
  if constexpr (std::is_same_v<In, Out>) return x;
  else if constexpr (std::is_same_v<Out, __half>) return __float2half_rn(to_float(x));
  else if constexpr (std::is_same_v<Out, __nv_bfloat16>) return __float2bfloat16_rn(to_float(x));
  else return to_float(x);
}

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
      if (c < channels) v[c] = convert<Out>(src[c * pixels]);
    Out* dst = out + i * channels;
#pragma unroll
    for (int c = 0; c < k_max_few; ++c)
      if (c < channels) dst[c] = v[c];
  }
}

constexpr int k_tile = 32, k_rows_per_pass = 8;
constexpr int64_t k_max_grid_z = 65535;

// out[b][c][r] = in[b][r][c] (rows = channels, cols = pixels); blockIdx.z = batch.
template <class In, class Out>
__global__ void tiled(const In* in, Out* out, int64_t rows, int64_t cols) {
  __shared__ float tile[k_tile][k_tile + 1];  // float holds each of the three types exactly
  const int64_t plane = rows * cols;
  const In* src = in + int64_t(blockIdx.z) * plane;
  Out* dst = out + int64_t(blockIdx.z) * plane;
  const int64_t r0 = int64_t(blockIdx.y) * k_tile, c0 = int64_t(blockIdx.x) * k_tile;
  for (int i = threadIdx.y; i < k_tile; i += k_rows_per_pass) {
    const int64_t r = r0 + i, c = c0 + threadIdx.x;
    if (r < rows && c < cols) tile[i][threadIdx.x] = to_float(src[r * cols + c]);
  }
  __syncthreads();
  for (int i = threadIdx.y; i < k_tile; i += k_rows_per_pass) {
    const int64_t c = c0 + i, r = r0 + threadIdx.x;
    if (c < cols && r < rows) dst[c * rows + r] = convert<Out>(tile[threadIdx.x][i]);
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
  if (ceil_div(p.channels, k_tile) > 65535) return make_error(MIRT_STATUS_UNSUPPORTED, "to channels-last: more than 2097120 channels");
  const int64_t plane = p.channels * p.pixels;
  for (int64_t b = 0; b < p.batch; b += k_max_grid_z) {
    const int64_t chunk = p.batch - b < k_max_grid_z ? p.batch - b : k_max_grid_z;
    const dim3 grid(unsigned(ceil_div(p.pixels, k_tile)), unsigned(ceil_div(p.channels, k_tile)), unsigned(chunk));
    tiled<In, Out><<<grid, dim3(k_tile, k_rows_per_pass), 0, stream>>>(in + b * plane, out + b * plane, p.channels, p.pixels);
    const status s = check_launch("to_channels_last tiled");
    if (!s.ok()) return s;
  }
  return {};
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
