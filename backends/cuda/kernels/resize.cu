// backends/cuda/kernels/resize.cu — Resize (opsets 10 to 19).
//
// Kernels:
//   resize_interp     float32, float16, bfloat16: one output element per thread sums its taps (the
//                     product of per-dim taps over the resized dims) in float32; every mode.
//   resize_antialias  float32, float16, bfloat16, linear or cubic with antialias=1: as
//                     resize_interp, but each downscaled dim's filter is widened by 1 / scale (about
//                     2 / scale or 4 / scale taps), weights computed per tap and normalized to sum
//                     1, summed in double as the reference does.
//   resize_nearest    any dtype by element size: one tap, a copy.
// Per dim the source coordinate and its taps follow backends/cpu/ops/resize.cpp (the reference),
// through the same backends/support/resize_modes.hpp arithmetic, in double so that nearest's
// rounding rules pick the same index; an integer coordinate reads as ratio 1 from the position
// below, as the reference does. tf_crop_and_resize outside the input gives extrapolation_value (the
// reference's separable passes give the same, their weights summing to 1).
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/resize.hpp"

namespace mirt::cuda {
namespace {

constexpr int k_max_taps = 4;

__device__ double source_coord(const resize_params& p, int d, double y) {
  return support::resize_source_coord(p.transform, y, p.scale[d], double(p.in_shape[d]), double(p.out_shape[d]), p.roi0[d], p.roi1[d]);
}

// The taps of output coordinate c on resized dim d: input indices (clamped) and weights. False
// when tf_crop_and_resize puts it outside the input.
__device__ bool taps_of(const resize_params& p, int d, int64_t c, int64_t* idx, float* w, int& count) {
  const int64_t in = p.in_shape[d];
  const double x = source_coord(p, d, double(c));
  if (p.transform == resize_coord::tf_crop_and_resize && (x < 0 || x > double(in - 1))) return false;
  const double fl = floor(x);
  const bool integer = x == fl;
  if (p.mode == resize_interp::nearest) {
    const int64_t pick = support::resize_nearest_index(p.rule, x);
    idx[0] = pick < 0 ? 0 : pick >= in ? in - 1 : pick;
    w[0] = 1;
    count = 1;
    return true;
  }
  const int64_t base = integer ? int64_t(fl) - 1 : int64_t(fl);
  const double r = integer ? 1 : x - fl;
  double c4[k_max_taps];
  int64_t first;
  if (p.mode == resize_interp::linear) {
    count = 2;
    first = 0;
    c4[0] = 1 - r;
    c4[1] = r;
  } else {
    const double A = p.cubic_a, s = 1 - r;
    count = 4;
    first = -1;
    c4[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
    c4[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
    c4[2] = ((A + 2) * s - (A + 3)) * s * s + 1;
    c4[3] = ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A;
  }
  double sum = 0;
  for (int k = 0; k < count; ++k) {
    const int64_t j = base + first + k;
    if (p.exclude_outside && (j < 0 || j >= in)) c4[k] = 0;
    sum += c4[k];
  }
  for (int k = 0; k < count; ++k) {
    const int64_t j = base + first + k;
    idx[k] = j < 0 ? 0 : j >= in ? in - 1 : j;
    w[k] = float(p.exclude_outside && sum != 0 ? c4[k] / sum : c4[k]);
  }
  return true;
}

template <class T>
__global__ void resize_interp_kernel(const T* x, T* y, resize_params p) {
  using C = compute_t<T>;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t idx[k_max_rank][k_max_taps];
    float w[k_max_rank][k_max_taps];
    int count[k_max_rank];
    int64_t rest = i, total = 1;
    bool outside = false;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t c = rest % p.out_shape[d];
      rest /= p.out_shape[d];
      if (p.resized[d]) {
        if (!taps_of(p, d, c, idx[d], w[d], count[d])) outside = true;
      } else {
        idx[d][0] = c;
        w[d][0] = 1;
        count[d] = 1;
      }
      total *= count[d];
    }
    if (outside) {
      y[i] = T(C(p.extrapolation));
      continue;
    }
    float acc = 0;
    for (int64_t t = 0; t < total; ++t) {
      int64_t r = t, at = 0;
      float weight = 1;
      for (int d = p.rank - 1; d >= 0; --d) {
        const int k = int(r % count[d]);
        r /= count[d];
        at += idx[d][k] * p.in_strides[d];
        weight *= w[d][k];
      }
      if (weight != 0) acc += weight * float(x[at]);
    }
    y[i] = T(C(acc));
  }
}

// One dim of an output element under antialiasing: taps at input positions start + k (clamped),
// k < count, weighing filter(|stretch (first + k - ratio)|) * norm; a copied dim has one tap.
struct antialias_dim {
  int64_t start = 0, first = 0, count = 1;
  double ratio = 0, stretch = 1, norm = 1;
  bool filtered = false;
};

// Tap k's weight before normalization (0 outside the input under exclude_outside).
__device__ double antialias_raw_weight(const resize_params& p, const antialias_dim& a, int64_t k, int64_t in) {
  const int64_t j = a.start + k;
  if (p.exclude_outside && (j < 0 || j >= in)) return 0;
  return support::resize_filter(p.mode, double(p.cubic_a), fabs(a.stretch * (double(a.first + k) - a.ratio)));
}

// The taps of output coordinate c on dim d; false when tf_crop_and_resize puts it outside the input.
// A dim resized up (scale >= 1) keeps the plain filter: stretch 1 gives linear's 2 and cubic's 4 taps.
__device__ bool antialias_dim_of(const resize_params& p, int d, int64_t c, antialias_dim& a) {
  if (!p.resized[d]) {
    a.start = c;
    return true;
  }
  const int64_t in = p.in_shape[d];
  const double x = source_coord(p, d, double(c));
  if (p.transform == resize_coord::tf_crop_and_resize && (x < 0 || x > double(in - 1))) return false;
  const double fl = floor(x);
  const bool integer = x == fl;
  a.ratio = integer ? 1 : x - fl;
  a.stretch = p.scale[d] < 1 ? p.scale[d] : 1;
  a.first = support::resize_antialias_first(p.mode, a.stretch);
  a.count = support::resize_antialias_count(a.first);
  a.start = (integer ? int64_t(fl) - 1 : int64_t(fl)) + a.first;
  a.filtered = true;
  double sum = 0;
  for (int64_t k = 0; k < a.count; ++k) sum += antialias_raw_weight(p, a, k, in);
  a.norm = sum != 0 ? 1 / sum : 0;
  return true;
}

template <class T>
__global__ void resize_antialias_kernel(const T* x, T* y, resize_params p) {
  using C = compute_t<T>;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x) {
    antialias_dim dim[k_max_rank];
    int64_t rest = i, total = 1;
    bool outside = false;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t c = rest % p.out_shape[d];
      rest /= p.out_shape[d];
      if (!antialias_dim_of(p, d, c, dim[d])) outside = true;
      total *= dim[d].count;
    }
    if (outside) {
      y[i] = T(C(p.extrapolation));
      continue;
    }
    double acc = 0;
    for (int64_t t = 0; t < total; ++t) {
      int64_t r = t, at = 0;
      double weight = 1;
      for (int d = p.rank - 1; d >= 0 && weight != 0; --d) {
        const antialias_dim& a = dim[d];
        const int64_t k = r % a.count, in = p.in_shape[d];
        r /= a.count;
        const int64_t j = a.start + k;
        at += (j < 0 ? 0 : j >= in ? in - 1 : j) * p.in_strides[d];
        if (a.filtered) weight *= antialias_raw_weight(p, a, k, in) * a.norm;
      }
      if (weight != 0) acc += weight * double(float(x[at]));
    }
    y[i] = T(C(float(acc)));
  }
}

template <class U>
__global__ void resize_nearest_kernel(const U* x, U* y, resize_params p) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, at = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t c = rest % p.out_shape[d];
      rest /= p.out_shape[d];
      int64_t src = c;
      if (p.resized[d]) {
        float w;
        int count;
        taps_of(p, d, c, &src, &w, count);  // tf_crop_and_resize is refused for these dtypes
      }
      at += src * p.in_strides[d];
    }
    y[i] = x[at];
  }
}

}  // namespace

status launch_resize(const resize_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "resize: NULL buffer");
  if (p.rank < 1 || p.rank > k_max_rank) return make_error(MIRT_STATUS_UNSUPPORTED, "resize: rank outside 1 to MIRT_MAX_RANK");
  const bool real = p.dtype == MIRT_DTYPE_FLOAT32 || p.dtype == MIRT_DTYPE_FLOAT16 || p.dtype == MIRT_DTYPE_BFLOAT16;
  const bool antialias = p.antialias && p.mode != resize_interp::nearest;
  if (real)
    return dispatch_real(p.dtype, "resize", [&](auto tag) {
      using T = typename decltype(tag)::type;
      if (antialias) {
        resize_antialias_kernel<T><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const T*>(p.x), static_cast<T*>(p.y), p);
        return check_launch("resize_antialias");
      }
      resize_interp_kernel<T><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const T*>(p.x), static_cast<T*>(p.y), p);
      return check_launch("resize_interp");
    });
  if (p.mode != resize_interp::nearest || p.transform == resize_coord::tf_crop_and_resize)
    return make_error(MIRT_STATUS_UNSUPPORTED, "resize: linear, cubic and tf_crop_and_resize take float32, float16 or bfloat16");
  auto run = [&](auto u) {
    using U = decltype(u);
    resize_nearest_kernel<U><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const U*>(p.x), static_cast<U*>(p.y), p);
    return check_launch("resize_nearest");
  };
  switch (p.element_size) {
    case 1: return run(uint8_t{});
    case 2: return run(uint16_t{});
    case 4: return run(uint32_t{});
    case 8: return run(uint64_t{});
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "resize: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
