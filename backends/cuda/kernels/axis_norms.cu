// backends/cuda/kernels/axis_norms.cu — Hardmax, LpNormalization, LRN, MeanVarianceNormalization.
//
// Kernels:
//   axis_norm_columns  one thread per (outer, inner) column of [outer, n, inner]: Hardmax's first
//                      maximum, or the Lp norm in double (the cpu backend's order of sums).
//   lrn_elements       one thread per element, its channel window summed in double.
//   mvn_groups         one block per group: sum and sum of squares in double (block reduction),
//                      then the group's elements normalized.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/axis_norms.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

template <class F>
status dispatch_float(mirt_dtype dtype, const char* what, F&& f) {
  if (dtype == MIRT_DTYPE_FLOAT64) return f(type_tag<double>{});
  return dispatch_real(dtype, what, f);
}

template <class T>
__global__ void axis_norm_columns(axis_norm_params p) {
  using C = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  const int64_t columns = p.outer * p.inner;
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < columns; c += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = c / p.inner, i = c % p.inner, base = o * p.n * p.inner + i;
    if (p.kind == axis_norm_kind::hardmax) {
      C best = C(-INFINITY);
      int64_t at = 0;
      for (int64_t j = 0; j < p.n; ++j) {
        const C v = C(x[base + j * p.inner]);
        if (v > best) best = v, at = j;
      }
      for (int64_t j = 0; j < p.n; ++j) y[base + j * p.inner] = T(C(j == at ? 1 : 0));
      continue;
    }
    double s = 0;
    for (int64_t j = 0; j < p.n; ++j) {
      const double v = fabs(double(C(x[base + j * p.inner])));
      s += p.p == 1 ? v : __dmul_rn(v, v);
    }
    const double norm = p.p == 1 ? s : sqrt(s);
    for (int64_t j = 0; j < p.n; ++j) {
      const int64_t at = base + j * p.inner;
      y[at] = T(norm == 0 ? C(0) : C(double(C(x[at])) / norm));
    }
  }
}

template <class T>
__global__ void lrn_elements(lrn_params p) {
  using C = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  const int64_t n = p.batch * p.channels * p.spatial, before = (p.size - 1) / 2, after = p.size / 2;
  const double scale = double(p.alpha) / double(p.size);
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t s = e % p.spatial, ch = (e / p.spatial) % p.channels, b = e / (p.spatial * p.channels);
    const int64_t lo = ch - before < 0 ? 0 : ch - before, hi = ch + after > p.channels - 1 ? p.channels - 1 : ch + after;
    double sq = 0;
    for (int64_t k = lo; k <= hi; ++k) {
      const double v = double(C(x[(b * p.channels + k) * p.spatial + s]));
      sq += __dmul_rn(v, v);
    }
    y[e] = T(C(double(C(x[e])) / pow(__dadd_rn(double(p.bias), __dmul_rn(scale, sq)), double(p.beta))));
  }
}

__device__ inline int64_t offset_of(const strided_map<1>& m, int64_t i) {
  int64_t off[1];
  map_offsets(m, i, off);
  return off[0];
}

// Sums of a block's threads; every thread gets the totals.
__device__ inline void block_sum2(double& a, double& b) {
  __shared__ double sa[32], sb[32];
  for (int o = 16; o > 0; o /= 2) a += __shfl_xor_sync(0xffffffffu, a, o), b += __shfl_xor_sync(0xffffffffu, b, o);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
  if (lane == 0) sa[warp] = a, sb[warp] = b;
  __syncthreads();
  a = 0, b = 0;
  for (int w = 0; w < warps; ++w) a += sa[w], b += sb[w];
}

template <class T>
__global__ void mvn_groups(mvn_params p) {
  using C = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  for (int64_t g = blockIdx.x; g < p.groups; g += gridDim.x) {
    const int64_t base = offset_of(p.kept, g);
    double s = 0, sq = 0;
    for (int64_t r = threadIdx.x; r < p.count; r += blockDim.x) {
      const double v = double(C(x[base + offset_of(p.reduced, r)]));
      s += v, sq += __dmul_rn(v, v);
    }
    block_sum2(s, sq);
    const double count = double(p.count), mean = s / count;
    double var = sq / count - __dmul_rn(mean, mean);
    var = var < 0 ? 0 : var;
    const double denom = sqrt(var) + 1e-9;
    for (int64_t r = threadIdx.x; r < p.count; r += blockDim.x) {
      const int64_t at = base + offset_of(p.reduced, r);
      y[at] = T(C((double(C(x[at])) - mean) / denom));
    }
    __syncthreads();  // block_sum2's shared slots are reused by the next group
  }
}

}  // namespace

status launch_axis_norm(const axis_norm_params& p, cudaStream_t stream) {
  const int64_t columns = p.outer * p.inner;
  if (columns * p.n == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "axis norm: NULL buffer");
  return dispatch_float(p.dtype, p.kind == axis_norm_kind::hardmax ? "Hardmax" : "LpNormalization", [&](auto tag) {
    axis_norm_columns<typename decltype(tag)::type><<<grid_for(columns), k_block, 0, stream>>>(p);
    return check_launch("axis_norm_columns");
  });
}

status launch_lrn(const lrn_params& p, cudaStream_t stream) {
  const int64_t n = p.batch * p.channels * p.spatial;
  if (n == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "LRN: NULL buffer");
  if (p.size <= 0) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "LRN: size is not positive");
  return dispatch_float(p.dtype, "LRN", [&](auto tag) {
    lrn_elements<typename decltype(tag)::type><<<grid_for(n), k_block, 0, stream>>>(p);
    return check_launch("lrn_elements");
  });
}

status launch_mvn(const mvn_params& p, cudaStream_t stream) {
  if (p.groups * p.count == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "MeanVarianceNormalization: NULL buffer");
  return dispatch_float(p.dtype, "MeanVarianceNormalization", [&](auto tag) {
    mvn_groups<typename decltype(tag)::type><<<grid_for(p.groups, 1), k_block, 0, stream>>>(p);
    return check_launch("mvn_groups");
  });
}

}  // namespace mirt::cuda
