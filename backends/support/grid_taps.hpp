// backends/support/grid_taps.hpp — ONNX GridSample's sampling along one dim: where a normalized
// coordinate falls (align_corners or not), and the input indices and weights that nearest, linear
// or cubic (A = -0.75) sampling reads there, with the padding mode applied. One copy for the cpu
// backend and, compiled by nvcc, the cuda kernels; the attribute reader, host only, is declared at
// the end out of .cu files' sight.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define MIRT_HOST_DEVICE __host__ __device__
#else
#define MIRT_HOST_DEVICE
#endif

namespace mirt::support {

enum class grid_mode { nearest, linear, cubic };
enum class grid_padding { zeros, border, reflection };

// x reflected into [lo, hi] by bouncing off the borders.
template <class C>
MIRT_HOST_DEVICE inline C reflect(C x, C lo, C hi) {
  const C range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const C dx = lo - x;
    const int64_t n = int64_t(dx / range);
    const C r = dx - C(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const C dx = x - hi;
    const int64_t n = int64_t(dx / range);
    const C r = dx - C(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

// Up to 4 taps: input index (-1 reads as zero) and weight.
template <class C>
struct grid_taps {
  int count = 0;
  int64_t index[4] = {};
  C weight[4] = {};
};

template <class C>
MIRT_HOST_DEVICE inline C round_half_even(C x) {
#if defined(__CUDA_ARCH__)
  return rint(x);
#else
  return std::rint(x);  // as numpy.rint
#endif
}

template <class C>
MIRT_HOST_DEVICE inline C round_down(C x) {
#if defined(__CUDA_ARCH__)
  return floor(x);
#else
  return std::floor(x);
#endif
}

// The taps along a dim of `size` values for normalized coordinate g (-1 and 1 the ends).
template <class C>
MIRT_HOST_DEVICE inline grid_taps<C> taps_along(grid_mode mode, grid_padding padding, bool align_corners, C g, int64_t size) {
  C xc = align_corners ? (g + 1) / 2 * C(size - 1) : ((g + 1) * C(size) - 1) / 2;
  if (mode == grid_mode::nearest) xc = round_half_even(xc);
  const C lo = align_corners ? C(0) : C(-0.5), hi = align_corners ? C(size - 1) : C(size) - C(0.5);
  if (xc < lo || xc > hi) {
    if (padding == grid_padding::border) xc = xc < C(0) ? C(0) : xc > C(size - 1) ? C(size - 1) : xc;
    else if (padding == grid_padding::reflection) xc = reflect(xc, lo, hi);
  }
  // A tap's index as the padding mode reads it.
  auto at = [&](int64_t i) -> int64_t {
    if (i >= 0 && i < size) return i;
    if (padding == grid_padding::zeros) return -1;
    const int64_t j = padding == grid_padding::border ? i : int64_t(reflect(C(i), lo, hi));
    return j < 0 ? 0 : j > size - 1 ? size - 1 : j;
  };
  grid_taps<C> t;
  if (mode == grid_mode::nearest) {
    t.count = 1, t.index[0] = at(int64_t(xc)), t.weight[0] = C(1);
    return t;
  }
  const int64_t x0 = int64_t(round_down(xc));
  const C frac = xc - C(x0);
  if (mode == grid_mode::linear) {
    t.count = 2;
    t.index[0] = at(x0), t.weight[0] = 1 - frac;
    t.index[1] = at(x0 + 1), t.weight[1] = frac;
    return t;
  }
  const C a = C(-0.75), x_0 = frac + 1, x_1 = frac, x_2 = 1 - frac, x_3 = 2 - frac;
  t.count = 4;
  t.weight[0] = ((a * x_0 - 5 * a) * x_0 + 8 * a) * x_0 - 4 * a;
  t.weight[1] = ((a + 2) * x_1 - (a + 3)) * x_1 * x_1 + 1;
  t.weight[2] = ((a + 2) * x_2 - (a + 3)) * x_2 * x_2 + 1;
  t.weight[3] = ((a * x_3 - 5 * a) * x_3 + 8 * a) * x_3 - 4 * a;
  for (int k = 0; k < 4; ++k) t.index[k] = at(x0 - 1 + k);
  return t;
}

}  // namespace mirt::support

#ifndef __CUDACC__
#include "backends/support/node_view.hpp"

namespace mirt::support {

// GridSample's attributes mode, padding_mode and align_corners.
struct grid_sample_options {
  grid_mode mode = grid_mode::linear;
  grid_padding padding = grid_padding::zeros;
  bool align_corners = false;
};

// Reads them; fails with INVALID_GRAPH naming an attribute with an unknown value.
grid_sample_options read_grid_sample_options(const node_view& node);

}  // namespace mirt::support
#endif
