// backends/cuda/kernels/col2im_crop.cu — Col2Im and CenterCropPad, one output element per thread
// (Col2Im gathers its taps, so no atomics). Reference: backends/cpu/ops/col2im_center_crop.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/col2im_crop.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__global__ void col2im_gather(col2im_params p) {
  using C = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  int64_t plane = 1, block_size = 1, columns = 1;
  for (int d = 0; d < p.spatial; ++d) plane *= p.image[d], block_size *= p.block[d], columns *= p.blocks[d];
  const int64_t total = p.batch * p.channels * plane, rows = p.channels * block_size;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t nc = e / plane, n = nc / p.channels, c = nc % p.channels;
    int64_t q[k_col2im_max_dims];
    int64_t rest = e % plane;
    for (int d = p.spatial - 1; d >= 0; --d) q[d] = rest % p.image[d], rest /= p.image[d];
    C sum = 0;
    for (int64_t k = 0; k < block_size; ++k) {
      int64_t kr = k, col = 0, scale = 1;
      bool hit = true;
      for (int d = p.spatial - 1; d >= 0; --d) {
        const int64_t kb = kr % p.block[d];
        kr /= p.block[d];
        const int64_t num = q[d] + p.pad_begin[d] - kb * p.dilation[d];
        if (num < 0 || num % p.stride[d] != 0 || num / p.stride[d] >= p.blocks[d]) {
          hit = false;
          break;
        }
        col += (num / p.stride[d]) * scale;
        scale *= p.blocks[d];
      }
      if (hit) sum += C(x[(n * rows + c * block_size + k) * columns + col]);
    }
    y[e] = T(sum);
  }
}

template <class U>
__global__ void crop_pad(center_crop_params p, int64_t total) {
  const U* x = static_cast<const U*>(p.x);
  U* y = static_cast<U*>(p.y);
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = e, at = 0, scale = 1;
    bool inside = true;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t i = rest % p.out[d] + p.shift[d];
      rest /= p.out[d];
      inside = inside && i >= 0 && i < p.in[d];
      at += i * scale;
      scale *= p.in[d];
    }
    y[e] = inside ? x[at] : U(0);
  }
}

template <class F>
status dispatch_float(mirt_dtype dtype, const char* what, F&& f) {
  if (dtype == MIRT_DTYPE_FLOAT64) return f(type_tag<double>{});
  return dispatch_real(dtype, what, f);
}

}  // namespace

status launch_col2im(const col2im_params& p, cudaStream_t stream) {
  int64_t plane = 1;
  for (int d = 0; d < p.spatial; ++d) plane *= p.image[d];
  const int64_t total = p.batch * p.channels * plane;
  if (total == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "Col2Im: NULL buffer");
  if (p.spatial < 1 || p.spatial > k_col2im_max_dims) return make_error(MIRT_STATUS_UNSUPPORTED, "Col2Im: 1 to 6 spatial dims");
  return dispatch_float(p.dtype, "Col2Im", [&](auto tag) {
    col2im_gather<typename decltype(tag)::type><<<grid_for(total), k_block, 0, stream>>>(p);
    return check_launch("col2im_gather");
  });
}

status launch_center_crop(const center_crop_params& p, cudaStream_t stream) {
  int64_t total = 1;
  for (int d = 0; d < p.rank; ++d) total *= p.out[d];
  if (total == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "CenterCropPad: NULL buffer");
  switch (p.element_size) {
    case 1: crop_pad<uint8_t><<<grid_for(total), k_block, 0, stream>>>(p, total); break;
    case 2: crop_pad<uint16_t><<<grid_for(total), k_block, 0, stream>>>(p, total); break;
    case 4: crop_pad<uint32_t><<<grid_for(total), k_block, 0, stream>>>(p, total); break;
    case 8: crop_pad<uint64_t><<<grid_for(total), k_block, 0, stream>>>(p, total); break;
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "CenterCropPad: element size not 1, 2, 4 or 8");
  }
  return check_launch("crop_pad");
}

}  // namespace mirt::cuda
