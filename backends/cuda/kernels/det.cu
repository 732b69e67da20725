// backends/cuda/kernels/det.cu — Det, one thread per matrix (small matrices: models take the
// determinant of 2x2 to 4x4 transforms). Reference: backends/cpu/ops/det.cpp; products and
// differences rounded one at a time (no fused multiply-add), as the cpu backend computes them.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/det.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

__device__ double lu_determinant(double* a, int64_t n) {
  double det = 1;
  for (int64_t c = 0; c < n; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (fabs(a[r * n + c]) > fabs(a[pivot * n + c])) pivot = r;
    const double p = a[pivot * n + c];
    if (p == 0) return 0;  // singular
    if (pivot != c) {
      for (int64_t k = 0; k < n; ++k) {
        const double t = a[c * n + k];
        a[c * n + k] = a[pivot * n + k];
        a[pivot * n + k] = t;
      }
      det = -det;
    }
    det = __dmul_rn(det, p);
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = __ddiv_rn(a[r * n + c], p);
      for (int64_t k = c + 1; k < n; ++k) a[r * n + k] = __dsub_rn(a[r * n + k], __dmul_rn(f, a[c * n + k]));
    }
  }
  return det;
}

template <class T>
__global__ void determinants(det_params p) {
  using C = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  const int64_t nn = p.n * p.n;
  for (int64_t m = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; m < p.mats; m += int64_t(gridDim.x) * blockDim.x) {
    double* a = p.work + m * nn;
    for (int64_t i = 0; i < nn; ++i) a[i] = double(C(x[m * nn + i]));
    y[m] = T(C(lu_determinant(a, p.n)));
  }
}

template <class F>
status dispatch_float(mirt_dtype dtype, const char* what, F&& f) {
  if (dtype == MIRT_DTYPE_FLOAT64) return f(type_tag<double>{});
  return dispatch_real(dtype, what, f);
}

}  // namespace

status launch_det(const det_params& p, cudaStream_t stream) {
  if (p.mats == 0) return {};
  if (!p.x || !p.y || (p.n > 0 && !p.work)) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "Det: NULL buffer");
  return dispatch_float(p.dtype, "Det", [&](auto tag) {
    determinants<typename decltype(tag)::type><<<grid_for(p.mats, 64), 64, 0, stream>>>(p);
    return check_launch("determinants");
  });
}

}  // namespace mirt::cuda
