// backends/cuda/kernels/tile_transpose.cuh — the batched 2-D transpose through shared-memory tiles
// that mirt::Reformat (transpose.cu) and the converting image-input Reformat (to_channels_last.cu)
// share: a warp's reads and its writes are both coalesced, unlike a strided copy that walks one side
// with a stride.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <type_traits>

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x as To: the same bits when the types match, else through float (float, __half, __nv_bfloat16).
template <class To, class From>
__device__ To convert_element(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else {
    float f;
    if constexpr (std::is_same_v<From, __half>) f = __half2float(x);
    else if constexpr (std::is_same_v<From, __nv_bfloat16>) f = __bfloat162float(x);
    else f = x;
    if constexpr (std::is_same_v<To, __half>) return __float2half_rn(f);
    else if constexpr (std::is_same_v<To, __nv_bfloat16>) return __float2bfloat16_rn(f);
    else return f;
  }
}

namespace tile_transpose {

constexpr int k_tile = 32, k_rows_per_pass = 8;
constexpr int64_t k_max_grid_z = 65535;

// out[b][c][r] = in[b][r][c] as Out; blockIdx.z = batch (offset by the launcher's chunk). Tile, the
// shared-memory element, holds every In value exactly.
template <class In, class Out, class Tile>
__global__ void kernel(const In* in, Out* out, int64_t rows, int64_t cols) {
  __shared__ Tile tile[k_tile][k_tile + 1];  // +1: a column's reads hit 32 different banks
  const int64_t plane = rows * cols;
  const In* src = in + int64_t(blockIdx.z) * plane;
  Out* dst = out + int64_t(blockIdx.z) * plane;
  const int64_t r0 = int64_t(blockIdx.y) * k_tile, c0 = int64_t(blockIdx.x) * k_tile;
  for (int i = threadIdx.y; i < k_tile; i += k_rows_per_pass) {
    const int64_t r = r0 + i, c = c0 + threadIdx.x;
    if (r < rows && c < cols) tile[i][threadIdx.x] = convert_element<Tile>(src[r * cols + c]);
  }
  __syncthreads();
  for (int i = threadIdx.y; i < k_tile; i += k_rows_per_pass) {
    const int64_t c = c0 + i, r = r0 + threadIdx.x;
    if (c < cols && r < rows) dst[c * rows + r] = convert_element<Out>(tile[threadIdx.x][i]);
  }
}

}  // namespace tile_transpose

// Transposes batch planes [rows][cols] of in into planes [cols][rows] of out, converting each element
// through Tile. what names the caller in errors.
template <class Tile, class In, class Out>
status launch_tiled_transpose(const In* in, Out* out, int64_t batch, int64_t rows, int64_t cols, cudaStream_t stream,
                              const char* what) {
  using namespace tile_transpose;
  if (ceil_div(rows, k_tile) > 65535) return make_error(MIRT_STATUS_UNSUPPORTED, std::string(what) + ": more than 2097120 rows");
  const int64_t plane = rows * cols;
  for (int64_t b = 0; b < batch; b += k_max_grid_z) {
    const int64_t chunk = batch - b < k_max_grid_z ? batch - b : k_max_grid_z;
    const dim3 grid(unsigned(ceil_div(cols, k_tile)), unsigned(ceil_div(rows, k_tile)), unsigned(chunk));
    kernel<In, Out, Tile><<<grid, dim3(k_tile, k_rows_per_pass), 0, stream>>>(in + b * plane, out + b * plane, rows, cols);
    const status s = check_launch(what);
    if (!s.ok()) return s;
  }
  return {};
}

}  // namespace mirt::cuda
