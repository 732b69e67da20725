// backends/cuda/kernels/loss.cu — the two losses.
//
// Kernels:
//   log_softmax_columns  one thread per (n, d) column: max, log of the sum of exponentials, and the
//                        log-probabilities into the workspace (and log_prob), in double.
//   target_losses        one thread per target: its loss and weight (into y for reduction none).
//   reduce_losses        one block: the sums of the losses and weights, then y.
// Reference: backends/cpu/ops/loss.cpp.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/loss.hpp"

namespace mirt::cuda {
namespace {

template <class T>
__global__ void log_softmax_columns(loss_params p) {
  using C = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* out = static_cast<T*>(p.log_prob);
  const int64_t columns = p.n * p.d;
  for (int64_t col = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; col < columns; col += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = col / p.d, i = col % p.d, base = b * p.classes * p.d + i;
    double mx = -INFINITY, sum = 0;
    for (int64_t c = 0; c < p.classes; ++c) mx = fmax(mx, widen_to<double>(C(x[base + c * p.d])));
    for (int64_t c = 0; c < p.classes; ++c) sum += exp(widen_to<double>(C(x[base + c * p.d])) - mx);
    const double lse = log(sum);
    for (int64_t c = 0; c < p.classes; ++c) {
      const int64_t at = base + c * p.d;
      const double v = (widen_to<double>(C(x[at])) - mx) - lse;
      p.work[at] = v;
      if (out) out[at] = T(C(v));
    }
  }
}

template <class T, class I>
__global__ void target_losses(loss_params p, const I* target, double* losses, double* weights) {
  using C = compute_t<T>;
  const T *x = static_cast<const T*>(p.x), *weight = static_cast<const T*>(p.weight);
  T* y = static_cast<T*>(p.y);
  const int64_t count = p.n * p.d;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t t = int64_t(target[e]), b = e / p.d, i = e % p.d;
    double loss = 0, w = 0;
    if (!(p.has_ignore && t == p.ignore_index) && t >= 0 && t < p.classes) {
      w = weight ? widen_to<double>(C(weight[t])) : 1.0;
      const int64_t at = (b * p.classes + t) * p.d + i;
      loss = -w * (p.softmax ? p.work[at] : widen_to<double>(C(x[at])));
    }
    if (p.reduction == loss_reduction::none) y[e] = T(C(loss));
    losses[e] = loss, weights[e] = w;
  }
}

constexpr int k_sum_threads = 1024;

template <class T>
__global__ void __launch_bounds__(k_sum_threads) reduce_losses(loss_params p, const double* losses, const double* weights) {
  using C = compute_t<T>;
  double total = 0, weight_sum = 0;
  for (int64_t e = threadIdx.x; e < p.n * p.d; e += blockDim.x) total += losses[e], weight_sum += weights[e];
  __shared__ double st[32], sw[32];
  for (int o = 16; o > 0; o /= 2) total += __shfl_xor_sync(0xffffffffu, total, o), weight_sum += __shfl_xor_sync(0xffffffffu, weight_sum, o);
  if (threadIdx.x % 32 == 0) st[threadIdx.x / 32] = total, sw[threadIdx.x / 32] = weight_sum;
  __syncthreads();
  if (threadIdx.x != 0) return;
  total = 0, weight_sum = 0;
  for (int w = 0; w < k_sum_threads / 32; ++w) total += st[w], weight_sum += sw[w];
  static_cast<T*>(p.y)[0] = T(C(p.reduction == loss_reduction::sum ? total : total / weight_sum));
}

template <class T>
status run(const loss_params& p, cudaStream_t stream) {
  const int64_t count = p.n * p.d;
  if (p.softmax && count * p.classes > 0) {
    log_softmax_columns<T><<<grid_for(count), k_block, 0, stream>>>(p);
    if (status s = check_launch("log_softmax_columns"); !s.ok()) return s;
  }
  double* losses = p.work + (p.softmax ? count * p.classes : 0);
  double* weights = losses + count;
  if (count > 0) {
    if (p.target_int64) target_losses<T, int64_t><<<grid_for(count), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.target), losses, weights);
    else target_losses<T, int32_t><<<grid_for(count), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.target), losses, weights);
    if (status s = check_launch("target_losses"); !s.ok()) return s;
  }
  if (p.reduction == loss_reduction::none) return {};
  reduce_losses<T><<<1, k_sum_threads, 0, stream>>>(p, losses, weights);
  return check_launch("reduce_losses");
}

}  // namespace

size_t loss_workspace(int64_t n, int64_t classes, int64_t d, bool softmax) {
  return size_t((softmax ? n * classes * d : 0) + 2 * n * d) * sizeof(double);
}

status launch_loss(const loss_params& p, cudaStream_t stream) {
  if (!p.x || !p.target || !p.y || !p.work) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "loss: NULL buffer");
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run<float>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run<double>(p, stream);
    case MIRT_DTYPE_FLOAT16: return run<__half>(p, stream);
    case MIRT_DTYPE_BFLOAT16: return run<__nv_bfloat16>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "loss: dtype is not float32, float64, float16 or bfloat16");
  }
}

}  // namespace mirt::cuda
