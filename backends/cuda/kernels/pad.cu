// backends/cuda/kernels/pad.cu — Pad (constant, reflect, edge, wrap; Tile as wrap), fills and
// Range, GatherElements: one output element per thread, grid-stride, by element size.
//
// Kernels:
//   pad_map          out[o] = in[mapped coordinates of o] or the fill value.
//   fill_pattern     out[i] = one element's bytes.
//   range_fill       out[i] = start + i * delta.
//   gather_elements  out[i] = data[i's coordinates with the axis one from indices[i]].
// References: backends/cpu/ops/pad.cpp, shape_ops.cpp (Tile, ConstantOfShape, Range), gather.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/index_check.cuh"
#include "backends/cuda/kernels/indexing.hpp"

namespace mirt::cuda {
namespace {

// The input coordinate for i in a dim of n, or -1 for the constant (reflect mirrors about the edge
// elements: period 2(n - 1)).
__device__ int64_t map_coord(int64_t i, int64_t n, pad_mode mode) {
  if (i >= 0 && i < n) return i;
  if (mode == pad_mode::constant || n == 0) return -1;
  if (mode == pad_mode::edge) return i < 0 ? 0 : n - 1;
  if (mode == pad_mode::wrap) return ((i % n) + n) % n;
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  const int64_t m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

template <class U>
__global__ void pad_map(const U* in, U* out, const U* fill, pad_params p) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, at = 0;
    bool inside = true;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t c = rest % p.out_shape[d];
      rest /= p.out_shape[d];
      const int64_t s = map_coord(c - p.begin[d], p.in_shape[d], p.mode);
      if (s < 0) inside = false;
      at += s * p.in_strides[d];
    }
    out[i] = inside ? in[at] : (fill ? *fill : U(0));
  }
}

template <class U>
__global__ void fill_pattern(U* out, U value, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) out[i] = value;
}

template <class T>
__global__ void range_fill(const T* start, const T* delta, T* out, int64_t n) {
  const T s = *start, d = *delta;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = T(s + T(i) * d);
}

template <class U, class I>
__global__ void gather_elements(const U* data, const I* idx, U* out, gather_elements_params p) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t k = int64_t(idx[i]);
    if (k < 0) k += p.extent;
    if (k < 0 || k >= p.extent) {
      report_bad_index(p.first_bad, i);
      out[i] = U(0);
      continue;
    }
    int64_t rest = i, at = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t c = rest % p.shape[d];
      rest /= p.shape[d];
      at += (d == p.axis ? k : c) * p.data_strides[d];
    }
    out[i] = data[at];
  }
}

// Calls f(U{}) with an unsigned integer type of element_size bytes.
template <class F>
status by_size(size_t element_size, const char* what, F&& f) {
  switch (element_size) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: return make_error(MIRT_STATUS_UNSUPPORTED, std::string(what) + ": element size not 1, 2, 4 or 8");
  }
}

}  // namespace

status launch_pad(const pad_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.in || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "pad: NULL buffer");
  if (p.rank < 0 || p.rank > k_max_rank) return make_error(MIRT_STATUS_UNSUPPORTED, "pad: rank above MIRT_MAX_RANK");
  return by_size(p.element_size, "pad", [&](auto u) {
    using U = decltype(u);
    pad_map<U><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const U*>(p.in), static_cast<U*>(p.out),
                                                       static_cast<const U*>(p.fill), p);
    return check_launch("pad_map");
  });
}

status launch_fill(const fill_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "fill: NULL buffer");
  return by_size(p.element_size, "fill", [&](auto u) {
    using U = decltype(u);
    fill_pattern<U><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<U*>(p.out), U(p.pattern), p.n);
    return check_launch("fill_pattern");
  });
}

status launch_range(const range_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.start || !p.delta || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "range: NULL buffer");
  auto run = [&](auto t) {
    using T = decltype(t);
    range_fill<T><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const T*>(p.start), static_cast<const T*>(p.delta),
                                                          static_cast<T*>(p.out), p.n);
    return check_launch("range_fill");
  };
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run(float{});
    case MIRT_DTYPE_FLOAT64: return run(double{});
    case MIRT_DTYPE_INT32: return run(int32_t{});
    case MIRT_DTYPE_INT64: return run(int64_t{});
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "range: dtype is not float32, float64, int32 or int64");
  }
}

status launch_gather_elements(const gather_elements_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.data || !p.indices || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "gather_elements: NULL buffer");
  if (p.rank < 1 || p.rank > k_max_rank || p.axis < 0 || p.axis >= p.rank)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "gather_elements: bad rank or axis");
  return by_size(p.element_size, "gather_elements", [&](auto u) {
    using U = decltype(u);
    if (p.indices_int64)
      gather_elements<U, int64_t><<<grid_for(p.n), k_block, 0, stream>>>(
          static_cast<const U*>(p.data), static_cast<const int64_t*>(p.indices), static_cast<U*>(p.out), p);
    else
      gather_elements<U, int32_t><<<grid_for(p.n), k_block, 0, stream>>>(
          static_cast<const U*>(p.data), static_cast<const int32_t*>(p.indices), static_cast<U*>(p.out), p);
    return check_launch("gather_elements");
  });
}

}  // namespace mirt::cuda
