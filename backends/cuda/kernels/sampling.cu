// backends/cuda/kernels/sampling.cu — GridSample and RoiAlign.
//
// Kernels:
//   grid_sample_points  one thread per (batch, output point): the taps along each dim (index and
//                       weight, at most 4), then every channel as the sum over their combinations
//                       (the last dim's taps varying fastest, as the cpu backend sums them).
//   roi_align_bins      one thread per output value (roi, channel, bin): its grid of bilinear samples.
//   affine_grid_points  one thread per output point: theta's rows times its homogeneous coordinates.
// References: backends/cpu/ops/grid_sample.cpp, roi_align.cpp, affine_grid.cpp.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/sampling.hpp"

namespace mirt::cuda {
namespace {

__device__ inline double grid_value(const void* g, mirt_dtype dtype, int64_t i) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT64: return static_cast<const double*>(g)[i];
    case MIRT_DTYPE_FLOAT16: return __half2float(static_cast<const __half*>(g)[i]);
    case MIRT_DTYPE_BFLOAT16: return __bfloat162float(static_cast<const __nv_bfloat16*>(g)[i]);
    default: return static_cast<const float*>(g)[i];
  }
}

template <class T>
__global__ void grid_sample_points(grid_sample_params p) {
  using C = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  int64_t in_plane = 1, stride[k_grid_max_dims];
  for (int d = p.rank - 1; d >= 0; --d) stride[d] = in_plane, in_plane *= p.in[d];
  const int64_t total = p.batch * p.points;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / p.points, pt = t % p.points;
    support::grid_taps<C> taps[k_grid_max_dims];
    int combos = 1;
    for (int d = 0; d < p.rank; ++d) {
      taps[d] = support::taps_along<C>(p.mode, p.padding, p.align_corners, C(grid_value(p.grid, p.grid_dtype, t * p.rank + (p.rank - 1 - d))),
                                       p.in[d]);
      combos *= taps[d].count;
    }
    for (int64_t c = 0; c < p.channels; ++c) {
      const T* plane = x + (b * p.channels + c) * in_plane;
      C sum = 0;
      for (int k = 0; k < combos; ++k) {
        // Digits of k, the last dim's fastest; the weight multiplied in dim order from 1.
        int digit[k_grid_max_dims];
        for (int d = p.rank - 1, rest = k; d >= 0; --d) digit[d] = rest % taps[d].count, rest /= taps[d].count;
        int64_t off = 0;
        C w = C(1);
        for (int d = 0; d < p.rank; ++d) {
          const int64_t idx = taps[d].index[digit[d]];
          off = off < 0 || idx < 0 ? -1 : off + idx * stride[d];
          w = w * taps[d].weight[digit[d]];
        }
        if (off >= 0) sum += w * C(plane[off]);
      }
      y[(b * p.channels + c) * p.points + pt] = T(sum);
    }
  }
}

template <class T, class B>
__global__ void roi_align_bins(roi_align_params p, const B* batch) {
  using C = compute_t<T>;
  const T *x = static_cast<const T*>(p.x), *rois = static_cast<const T*>(p.rois);
  T* y = static_cast<T*>(p.y);
  const int64_t total = p.count * p.channels * p.out_h * p.out_w;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t pw = e % p.out_w, ph = (e / p.out_w) % p.out_h, c = (e / (p.out_w * p.out_h)) % p.channels,
                  r = e / (p.out_w * p.out_h * p.channels);
    const int64_t image_at = int64_t(batch[r]);
    if (image_at < 0 || image_at >= p.n) {
      y[e] = T(C(0));
      continue;
    }
    const double offset = p.half_pixel ? 0.5 : 0.0, scale = double(p.scale);
    const double x0 = double(C(rois[r * 4 + 0])) * scale - offset, y0 = double(C(rois[r * 4 + 1])) * scale - offset;
    double roi_w = double(C(rois[r * 4 + 2])) * scale - offset - x0, roi_h = double(C(rois[r * 4 + 3])) * scale - offset - y0;
    if (!p.half_pixel) roi_w = roi_w > 1.0 ? roi_w : 1.0, roi_h = roi_h > 1.0 ? roi_h : 1.0;
    const double bin_h = roi_h / double(p.out_h), bin_w = roi_w / double(p.out_w);
    const int64_t grid_h = p.ratio > 0 ? p.ratio : int64_t(ceil(roi_h / double(p.out_h)));
    const int64_t grid_w = p.ratio > 0 ? p.ratio : int64_t(ceil(roi_w / double(p.out_w)));
    const double samples = double(grid_h * grid_w > 1 ? grid_h * grid_w : 1);
    const T* image = x + (image_at * p.channels + c) * p.height * p.width;
    double acc = 0;
    bool first = true;
    for (int64_t iy = 0; iy < grid_h; ++iy)
      for (int64_t ix = 0; ix < grid_w; ++ix) {
        double yy = y0 + double(ph) * bin_h + (double(iy) + 0.5) * bin_h / double(grid_h);
        double xx = x0 + double(pw) * bin_w + (double(ix) + 0.5) * bin_w / double(grid_w);
        double w[4] = {0, 0, 0, 0}, v[4] = {0, 0, 0, 0};
        if (!(yy < -1.0 || yy > double(p.height) || xx < -1.0 || xx > double(p.width))) {
          yy = yy > 0.0 ? yy : 0.0, xx = xx > 0.0 ? xx : 0.0;
          int64_t ylo = int64_t(yy), xlo = int64_t(xx), yhi = ylo + 1, xhi = xlo + 1;
          if (ylo >= p.height - 1) ylo = yhi = p.height - 1, yy = double(ylo);
          if (xlo >= p.width - 1) xlo = xhi = p.width - 1, xx = double(xlo);
          const double ly = yy - double(ylo), lx = xx - double(xlo);
          w[0] = (1 - ly) * (1 - lx), w[1] = (1 - ly) * lx, w[2] = ly * (1 - lx), w[3] = ly * lx;
          v[0] = double(C(image[ylo * p.width + xlo])), v[1] = double(C(image[ylo * p.width + xhi]));
          v[2] = double(C(image[yhi * p.width + xlo])), v[3] = double(C(image[yhi * p.width + xhi]));
        }
        if (p.max) {
          double m = w[0] * v[0];
          for (int k = 1; k < 4; ++k) m = w[k] * v[k] > m ? w[k] * v[k] : m;
          acc = first ? m : (m > acc ? m : acc);
          first = false;
        } else {
          acc += w[0] * v[0] + w[1] * v[1] + w[2] * v[2] + w[3] * v[3];
        }
      }
    y[e] = T(C(p.max ? acc : acc / samples));
  }
}

__device__ inline double normalized(int64_t i, int64_t n, bool align) {
  if (align) return n > 1 ? -1.0 + 2.0 * double(i) / double(n - 1) : -1.0;
  return -1.0 + (2.0 * double(i) + 1.0) / double(n);
}

template <class T>
__global__ void affine_grid_points(affine_grid_params p) {
  using C = compute_t<T>;
  const T* theta = static_cast<const T*>(p.theta);
  T* y = static_cast<T*>(p.y);
  const int64_t points = p.depth * p.height * p.width, total = p.batch * points, cols = p.rank + 1;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t w = t % p.width, h = (t / p.width) % p.height, d = (t / (p.width * p.height)) % p.depth, n = t / points;
    const double c[4] = {normalized(w, p.width, p.align_corners), normalized(h, p.height, p.align_corners),
                         p.rank == 3 ? normalized(d, p.depth, p.align_corners) : 1.0, 1.0};
    const T* m = theta + n * p.rank * cols;
    for (int r = 0; r < p.rank; ++r) {
      double s = 0;
      for (int k = 0; k < cols; ++k) s = __dadd_rn(s, __dmul_rn(double(C(m[r * cols + k])), c[k]));
      y[t * p.rank + r] = T(C(s));
    }
  }
}

template <class F>
status dispatch_float(mirt_dtype dtype, const char* what, F&& f) {
  if (dtype == MIRT_DTYPE_FLOAT64) return f(type_tag<double>{});
  return dispatch_real(dtype, what, f);
}

}  // namespace

status launch_grid_sample(const grid_sample_params& p, cudaStream_t stream) {
  const int64_t total = p.batch * p.points;
  if (total * p.channels == 0) return {};
  if (!p.x || !p.grid || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "GridSample: NULL buffer");
  if (p.rank < 1 || p.rank > k_grid_max_dims) return make_error(MIRT_STATUS_UNSUPPORTED, "GridSample: 1 to 6 spatial dims");
  return dispatch_float(p.dtype, "GridSample", [&](auto tag) {
    grid_sample_points<typename decltype(tag)::type><<<grid_for(total, 128), 128, 0, stream>>>(p);
    return check_launch("grid_sample_points");
  });
}

status launch_affine_grid(const affine_grid_params& p, cudaStream_t stream) {
  const int64_t total = p.batch * p.depth * p.height * p.width;
  if (total == 0) return {};
  if (!p.theta || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "AffineGrid: NULL buffer");
  if (p.rank != 2 && p.rank != 3) return make_error(MIRT_STATUS_UNSUPPORTED, "AffineGrid: 2 or 3 spatial dims");
  return dispatch_float(p.dtype, "AffineGrid", [&](auto tag) {
    affine_grid_points<typename decltype(tag)::type><<<grid_for(total), k_block, 0, stream>>>(p);
    return check_launch("affine_grid_points");
  });
}

status launch_roi_align(const roi_align_params& p, cudaStream_t stream) {
  const int64_t total = p.count * p.channels * p.out_h * p.out_w;
  if (total == 0) return {};
  if (!p.x || !p.rois || !p.batch || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "RoiAlign: NULL buffer");
  return dispatch_float(p.dtype, "RoiAlign", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (p.batch_int64) roi_align_bins<T, int64_t><<<grid_for(total), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.batch));
    else roi_align_bins<T, int32_t><<<grid_for(total), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.batch));
    return check_launch("roi_align_bins");
  });
}

}  // namespace mirt::cuda
