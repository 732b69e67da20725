// backends/cuda/kernels/arg_select.cu — ArgMax/ArgMin and TopK along one axis.
//
// Kernels:
//   arg_reduce  one thread per (outer, inner) position scans the axis.
//   topk_rank   one thread per element: its rank in its row (how many elements come before it in
//               the sorted order, equal values ordered by index) is unique, so an element of rank
//               j < k writes output slot j. O(n^2) comparisons per row, no shared state: simple and
//               exact; fine for the axis lengths of classification heads and detection candidates.
// float16 and bfloat16 compare in float. References: backends/cpu/ops/reduce.cpp (ArgMax/ArgMin),
// backends/cpu/ops/topk.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/indexing.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__device__ compute_t<T> load(const T* p, int64_t i) {
  return compute_t<T>(p[i]);
}

template <class T>
__global__ void arg_reduce(const T* x, int64_t* out, int64_t outer, int64_t n, int64_t inner, bool max, bool last) {
  const int64_t total = outer * inner;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = t / inner, i = t % inner;
    const T* row = x + o * n * inner + i;
    int64_t best = 0;
    compute_t<T> bv = load(row, 0);
    for (int64_t j = 1; j < n; ++j) {
      const compute_t<T> v = load(row, j * inner);
      const bool better = max ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv);
      if (better) bv = v, best = j;
    }
    out[t] = best;
  }
}

template <class T>
__global__ void topk_rank(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner, int64_t k,
                          bool largest) {
  const int64_t total = outer * n * inner;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = t % inner, e = (t / inner) % n, o = t / (inner * n);
    const T* row = x + o * n * inner + i;
    const compute_t<T> v = load(row, e * inner);
    int64_t rank = 0;
    for (int64_t j = 0; j < n && rank < k; ++j) {
      const compute_t<T> w = load(row, j * inner);
      const bool before = largest ? w > v : w < v;
      if (before || (w == v && j < e)) ++rank;
    }
    if (rank < k) {
      const int64_t dst = (o * k + rank) * inner + i;
      values[dst] = row[e * inner];
      if (indices) indices[dst] = e;
    }
  }
}

template <class F>
status by_dtype(mirt_dtype dtype, const char* what, F&& f) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return f(type_tag<float>{});
    case MIRT_DTYPE_FLOAT16: return f(type_tag<__half>{});
    case MIRT_DTYPE_BFLOAT16: return f(type_tag<__nv_bfloat16>{});
    case MIRT_DTYPE_FLOAT64: return f(type_tag<double>{});
    case MIRT_DTYPE_INT32: return f(type_tag<int32_t>{});
    case MIRT_DTYPE_INT64: return f(type_tag<int64_t>{});
    default: return make_error(MIRT_STATUS_UNSUPPORTED, std::string(what) + ": dtype is not a float or int32/int64 type");
  }
}

}  // namespace

status launch_arg_reduce(const arg_reduce_params& p, cudaStream_t stream) {
  if (p.outer * p.inner == 0) return {};
  if (p.n <= 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "arg_reduce: the reduced axis is empty");
  if (!p.x || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "arg_reduce: NULL buffer");
  return by_dtype(p.dtype, "arg_reduce", [&](auto tag) {
    using T = typename decltype(tag)::type;
    arg_reduce<T><<<grid_for(p.outer * p.inner), k_block, 0, stream>>>(static_cast<const T*>(p.x), p.out, p.outer, p.n, p.inner,
                                                                        p.max, p.select_last);
    return check_launch("arg_reduce");
  });
}

status launch_topk(const topk_params& p, cudaStream_t stream) {
  if (p.outer * p.inner * p.k == 0) return {};
  if (p.k > p.n || p.k < 0) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "topk: k outside [0, n]");
  if (!p.x || !p.values) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "topk: NULL buffer");
  return by_dtype(p.dtype, "topk", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int64_t total = p.outer * p.n * p.inner;
    topk_rank<T><<<grid_for(total), k_block, 0, stream>>>(static_cast<const T*>(p.x), static_cast<T*>(p.values), p.indices, p.outer,
                                                          p.n, p.inner, p.k, p.largest);
    return check_launch("topk_rank");
  });
}

}  // namespace mirt::cuda
