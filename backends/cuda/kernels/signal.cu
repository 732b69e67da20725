// backends/cuda/kernels/signal.cu — the gather and scatter around the DFT and STFT's cuFFT
// transforms: one thread per complex entry, grid-stride. float16 and bfloat16 widen to float32
// (cuFFT's C2C), float64 stays double (Z2Z).
#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/signal.hpp"

namespace mirt::cuda {
namespace {

template <class R>
struct complex_of;
template <>
struct complex_of<float> {
  using type = float2;  // cufftComplex
};
template <>
struct complex_of<double> {
  using type = double2;  // cufftDoubleComplex
};

__device__ inline int64_t line_start(const line_layout& g, int64_t line) {
  const int64_t o = line / g.inner, i = line - o * g.inner;
  return o * g.outer_stride + i * g.inner_stride;
}

template <class T, class R>
__global__ void gather_lines(signal_gather_params p) {
  using Z = typename complex_of<R>::type;
  const T* x = static_cast<const T*>(p.x);
  const T* window = static_cast<const T*>(p.window);
  Z* work = static_cast<Z*>(p.work);
  const int64_t total = p.lines * p.n;
  for (int64_t at = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; at < total; at += int64_t(gridDim.x) * blockDim.x) {
    const int64_t line = at / p.n, j = at - line * p.n;
    const bool conjugate = p.mirror && j > p.n / 2;
    const int64_t src = conjugate ? p.n - j : j;
    R re = 0, im = 0;
    if (src < p.avail) {
      const int64_t from = line_start(p.layout, line) + src * p.layout.step;
      re = widen_to<R>(x[from]);
      if (p.parts == 2) im = widen_to<R>(x[from + 1]);
      if (window) {
        const R w = widen_to<R>(window[j]);
        re *= w, im *= w;
      }
    }
    work[at] = Z{re, conjugate ? -im : im};
  }
}

template <class T, class R>
__global__ void scatter_bins(signal_scatter_params p) {
  using Z = typename complex_of<R>::type;
  const Z* work = static_cast<const Z*>(p.work);
  T* y = static_cast<T*>(p.y);
  const R scale = R(p.scale);
  const int64_t total = p.lines * p.bins;
  for (int64_t at = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; at < total; at += int64_t(gridDim.x) * blockDim.x) {
    const int64_t line = at / p.bins, k = at - line * p.bins;
    const Z v = work[line * p.n + k];
    const int64_t to = line_start(p.layout, line) + k * p.layout.step;
    y[to] = narrow_to<T>(v.x * scale);
    if (p.parts == 2) y[to + 1] = narrow_to<T>(v.y * scale);
  }
}

// Calls f(type_tag<T>{}, type_tag<R>{}): the stored type and the type the transform computes in.
template <class F>
status dispatch_signal(mirt_dtype dtype, const char* what, F&& f) {
  if (dtype == MIRT_DTYPE_FLOAT64) return f(type_tag<double>{}, type_tag<double>{});
  return dispatch_real(dtype, what, [&](auto tag) { return f(tag, type_tag<float>{}); });
}

}  // namespace

status launch_signal_gather(const signal_gather_params& p, cudaStream_t stream) {
  if (p.lines * p.n == 0) return {};
  if (!p.x || !p.work) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "signal gather: NULL buffer");
  return dispatch_signal(p.dtype, "signal gather", [&](auto t, auto r) {
    gather_lines<typename decltype(t)::type, typename decltype(r)::type><<<grid_for(p.lines * p.n), k_block, 0, stream>>>(p);
    return check_launch("gather_lines");
  });
}

status launch_signal_scatter(const signal_scatter_params& p, cudaStream_t stream) {
  if (p.lines * p.bins == 0) return {};
  if (!p.work || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "signal scatter: NULL buffer");
  if (p.bins > p.n) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "signal scatter: more bins than the transform has");
  return dispatch_signal(p.dtype, "signal scatter", [&](auto t, auto r) {
    scatter_bins<typename decltype(t)::type, typename decltype(r)::type><<<grid_for(p.lines * p.bins), k_block, 0, stream>>>(p);
    return check_launch("scatter_bins");
  });
}

}  // namespace mirt::cuda
