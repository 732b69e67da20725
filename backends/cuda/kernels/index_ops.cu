// backends/cuda/kernels/index_ops.cu — Trilu, OneHot, GatherND, ScatterND and ScatterElements.
//
// Kernels (one output or update element per thread, grid-stride):
//   trilu_mask        copies or zeroes by (i, j) of the element's matrix.
//   one_hot_fill      values[1] where j is the element's index, else values[0].
//   gather_nd_copy    the source element of (tuple, s) from the tuple's k indices.
//   scatter_nd_apply  after out = data: each update element to its destination, stored (none) or
//   scatter_el_apply  combined by an atomic (integer add/mul/max/min, float max/min). Those are
//                     order-independent, so the result is deterministic; float add/mul would not
//                     be and are refused by the op wrapper.
// Reference: backends/cpu/ops/trilu.cpp, one_hot.cpp, scatter.cpp.
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <type_traits>

#include "backends/cuda/kernels/index_check.cuh"
#include "backends/cuda/kernels/index_ops.hpp"

namespace mirt::cuda {
namespace {

#define MIRT_GRID_STRIDE(i, n) \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += int64_t(gridDim.x) * blockDim.x)

// Calls f(U{}) with the unsigned type of the element size.
template <class F>
status by_element_size(size_t es, const char* what, F&& f) {
  switch (es) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: return make_error(MIRT_STATUS_UNSUPPORTED, std::string(what) + ": element size not 1, 2, 4 or 8");
  }
}

template <class U>
__global__ void trilu_mask(const U* x, U* y, int64_t n, int64_t rows, int64_t cols, int64_t k, bool upper) {
  MIRT_GRID_STRIDE(e, n) {
    const int64_t j = e % cols, i = (e / cols) % rows;
    const bool keep = upper ? j - i >= k : j - i <= k;
    y[e] = keep ? x[e] : U(0);
  }
}

template <class I>
__device__ inline int64_t index_value(const I* p, int64_t at) {
  return int64_t(p[at]);
}
__device__ inline int64_t index_value(const float* p, int64_t at) {
  const float v = p[at];
  return isfinite(v) ? int64_t(v) : INT64_MIN;  // not finite: no position
}

template <class U, class I>
__global__ void one_hot_fill(const I* idx, const U* values, U* out, int64_t n, int64_t depth, int64_t inner) {
  MIRT_GRID_STRIDE(e, n) {
    const int64_t r = e % inner, j = (e / inner) % depth, o = e / (inner * depth);
    int64_t v = index_value(idx, o * inner + r);
    if (v < 0 && v >= -depth) v += depth;
    out[e] = values[v == j ? 1 : 0];
  }
}

// The flat data offset of tuple t's k indices, or -1 when one is out of range (reported through
// first_bad when report is set: one thread per tuple does).
template <class I>
__device__ inline int64_t tuple_offset(const I* idx, int64_t t, int64_t k, const int64_t* extent, const int64_t* stride,
                                       unsigned long long* first_bad, bool report) {
  int64_t at = 0;
  for (int64_t j = 0; j < k; ++j) {
    int64_t v = int64_t(idx[t * k + j]);
    if (v < 0) v += extent[j];
    if (v < 0 || v >= extent[j]) {
      if (report) report_bad_index(first_bad, t * k + j);
      return -1;
    }
    at += v * stride[j];
  }
  return at;
}

template <class U, class I>
__global__ void gather_nd_copy(gather_nd_params p, const I* idx) {
  const U* data = static_cast<const U*>(p.data);
  U* out = static_cast<U*>(p.out);
  const int64_t n = p.batches * p.tuples_per_batch * p.slice;
  MIRT_GRID_STRIDE(e, n) {
    const int64_t s = e % p.slice, t = e / p.slice, b = t / p.tuples_per_batch;
    const int64_t at = tuple_offset(idx, t, p.k, p.extent, p.stride, p.first_bad, s == 0);
    out[e] = at < 0 ? U(0) : data[b * p.data_batch + at + s];
  }
}

// *dst (op)= v, atomically unless the reduction is none.
template <class T>
__device__ inline void combine(T* dst, T v, scatter_reduction r) {
  if (r == scatter_reduction::none) {
    *dst = v;
  } else if constexpr (sizeof(T) == 4 || sizeof(T) == 8) {
    using W = std::conditional_t<sizeof(T) == 4, unsigned int, unsigned long long>;
    W* word = reinterpret_cast<W*>(dst);
    W old = *word, seen;
    do {
      seen = old;
      T a;
      memcpy(&a, &seen, sizeof(T));
      T b = a;
      switch (r) {
        case scatter_reduction::add: b = T(a + v); break;
        case scatter_reduction::mul: b = T(a * v); break;
        case scatter_reduction::max: b = a < v ? v : a; break;
        case scatter_reduction::min: b = v < a ? v : a; break;
        default: break;
      }
      W nw;
      memcpy(&nw, &b, sizeof(T));
      old = atomicCAS(word, seen, nw);
    } while (old != seen);
  }
}

template <class T, class I>
__global__ void scatter_nd_apply(scatter_nd_params p, const I* idx) {
  const T* upd = static_cast<const T*>(p.updates);
  T* out = static_cast<T*>(p.out);
  const int64_t n = p.tuples * p.slice;
  MIRT_GRID_STRIDE(e, n) {
    const int64_t s = e % p.slice, t = e / p.slice;
    const int64_t at = tuple_offset(idx, t, p.k, p.extent, p.stride, p.first_bad, s == 0);
    if (at >= 0) combine(out + at + s, upd[e], p.reduction);
  }
}

template <class T, class I>
__global__ void scatter_el_apply(scatter_elements_params p, const I* idx) {
  const T* upd = static_cast<const T*>(p.updates);
  T* out = static_cast<T*>(p.out);
  MIRT_GRID_STRIDE(e, p.n) {
    int64_t rem = e, at = 0;
    bool inside = true;
    for (int d = p.rank - 1; d >= 0; --d) {
      int64_t c = rem % p.shape[d];
      rem /= p.shape[d];
      if (d == p.axis) {
        c = int64_t(idx[e]);
        if (c < 0) c += p.extent;
        inside = inside && c >= 0 && c < p.extent;
      }
      at += c * p.data_strides[d];
    }
    if (inside) combine(out + at, upd[e], p.reduction);
    else report_bad_index(p.first_bad, e);
  }
}

// Calls f(T{}) with the type the scatter combines in: the dtype's for reductions, else by size.
template <class F>
status scatter_type(mirt_dtype dtype, size_t element_size, scatter_reduction r, const char* what, F&& f) {
  if (r == scatter_reduction::none) return by_element_size(element_size, what, f);
  switch (dtype) {
    case MIRT_DTYPE_INT32: return f(int32_t{});
    case MIRT_DTYPE_INT64: return f(int64_t{});
    case MIRT_DTYPE_FLOAT32:
      if (r == scatter_reduction::max || r == scatter_reduction::min) return f(float{});
      [[fallthrough]];
    default: return make_error(MIRT_STATUS_UNSUPPORTED, std::string(what) + ": this reduction takes int32, int64 or (max, min) float32");
  }
}

}  // namespace

status launch_trilu(const trilu_params& p, cudaStream_t stream) {
  const int64_t n = p.mats * p.rows * p.cols;
  if (n == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "trilu: NULL buffer");
  return by_element_size(p.element_size, "trilu", [&](auto u) {
    using U = decltype(u);
    trilu_mask<U><<<grid_for(n), k_block, 0, stream>>>(static_cast<const U*>(p.x), static_cast<U*>(p.y), n, p.rows, p.cols, p.k, p.upper);
    return check_launch("trilu_mask");
  });
}

status launch_one_hot(const one_hot_params& p, cudaStream_t stream) {
  const int64_t n = p.outer * p.depth * p.inner;
  if (n == 0) return {};
  if (!p.indices || !p.values || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "one_hot: NULL buffer");
  return by_element_size(p.element_size, "one_hot", [&](auto u) {
    using U = decltype(u);
    const auto* v = static_cast<const U*>(p.values);
    U* out = static_cast<U*>(p.out);
    switch (p.index_dtype) {
      case MIRT_DTYPE_INT64:
        one_hot_fill<<<grid_for(n), k_block, 0, stream>>>(static_cast<const int64_t*>(p.indices), v, out, n, p.depth, p.inner);
        break;
      case MIRT_DTYPE_INT32:
        one_hot_fill<<<grid_for(n), k_block, 0, stream>>>(static_cast<const int32_t*>(p.indices), v, out, n, p.depth, p.inner);
        break;
      case MIRT_DTYPE_FLOAT32:
        one_hot_fill<<<grid_for(n), k_block, 0, stream>>>(static_cast<const float*>(p.indices), v, out, n, p.depth, p.inner);
        break;
      default: return make_error(MIRT_STATUS_UNSUPPORTED, "one_hot: indices are not int32, int64 or float32");
    }
    return check_launch("one_hot_fill");
  });
}

status launch_gather_nd(const gather_nd_params& p, cudaStream_t stream) {
  const int64_t n = p.batches * p.tuples_per_batch * p.slice;
  if (n == 0) return {};
  if (!p.data || !p.indices || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "gather_nd: NULL buffer");
  if (p.k < 0 || p.k > k_max_rank) return make_error(MIRT_STATUS_UNSUPPORTED, "gather_nd: index tuples longer than the rank limit");
  return by_element_size(p.element_size, "gather_nd", [&](auto u) {
    using U = decltype(u);
    if (p.indices_int64) gather_nd_copy<U><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.indices));
    else gather_nd_copy<U><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.indices));
    return check_launch("gather_nd_copy");
  });
}

status launch_scatter_nd(const scatter_nd_params& p, cudaStream_t stream) {
  if (!p.data || !p.out) return p.data_n == 0 ? status{} : make_error(MIRT_STATUS_INVALID_ARGUMENT, "scatter_nd: NULL buffer");
  if (p.k < 0 || p.k > k_max_rank) return make_error(MIRT_STATUS_UNSUPPORTED, "scatter_nd: index tuples longer than the rank limit");
  if (p.out != p.data) {
    const cudaError_t e = cudaMemcpyAsync(p.out, p.data, size_t(p.data_n) * p.element_size, cudaMemcpyDeviceToDevice, stream);
    if (e != cudaSuccess) return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("scatter_nd: copying data: ") + cudaGetErrorString(e));
  }
  const int64_t n = p.tuples * p.slice;
  if (n == 0) return {};
  if (!p.indices || !p.updates) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "scatter_nd: NULL buffer");
  return scatter_type(p.dtype, p.element_size, p.reduction, "scatter_nd", [&](auto t) {
    using T = decltype(t);
    if (p.indices_int64) scatter_nd_apply<T><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.indices));
    else scatter_nd_apply<T><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.indices));
    return check_launch("scatter_nd_apply");
  });
}

status launch_scatter_elements(const scatter_elements_params& p, cudaStream_t stream) {
  if (!p.data || !p.out) return p.data_n == 0 ? status{} : make_error(MIRT_STATUS_INVALID_ARGUMENT, "scatter_elements: NULL buffer");
  if (p.out != p.data) {
    const cudaError_t e = cudaMemcpyAsync(p.out, p.data, size_t(p.data_n) * p.element_size, cudaMemcpyDeviceToDevice, stream);
    if (e != cudaSuccess)
      return make_error(MIRT_STATUS_DEVICE_ERROR, std::string("scatter_elements: copying data: ") + cudaGetErrorString(e));
  }
  if (p.n == 0) return {};
  if (!p.indices || !p.updates) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "scatter_elements: NULL buffer");
  return scatter_type(p.dtype, p.element_size, p.reduction, "scatter_elements", [&](auto t) {
    using T = decltype(t);
    if (p.indices_int64) scatter_el_apply<T><<<grid_for(p.n), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.indices));
    else scatter_el_apply<T><<<grid_for(p.n), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.indices));
    return check_launch("scatter_el_apply");
  });
}

}  // namespace mirt::cuda
