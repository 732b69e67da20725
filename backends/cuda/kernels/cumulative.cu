// backends/cuda/kernels/cumulative.cu — CumSum and CumProd: one thread per (outer, inner) line,
// walking its n elements in order (consecutive threads take consecutive inner elements, so each
// step's loads coalesce). float16 and bfloat16 accumulate in float32, integers wrap on overflow as
// the cpu backend does. Meant for the short axes exporters scan (position ids over a sequence).
#include <type_traits>

#include "backends/cuda/kernels/cumulative.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

template <class A>
__device__ A combine(bool product, A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    using U = std::make_unsigned_t<A>;
    return A(product ? U(U(a) * U(b)) : U(U(a) + U(b)));
  } else {
    return product ? a * b : a + b;
  }
}

template <class T>
__global__ void scan_lines(cumulative_params p) {
  using A = compute_t<T>;
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  const int64_t lines = p.outer * p.inner;
  for (int64_t line = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; line < lines; line += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = line / p.inner, i = line - o * p.inner;
    const int64_t base = o * p.n * p.inner + i;
    A acc = p.product ? A(1) : A(0);
    for (int64_t s = 0; s < p.n; ++s) {
      const int64_t at = base + (p.reverse ? p.n - 1 - s : s) * p.inner;
      const A v = static_cast<A>(x[at]);
      if (p.exclusive) {
        y[at] = T(acc);
        acc = combine(p.product, acc, v);
      } else {
        acc = combine(p.product, acc, v);
        y[at] = T(acc);
      }
    }
  }
}

template <class T>
status run(const cumulative_params& p, cudaStream_t stream) {
  scan_lines<T><<<grid_for(p.outer * p.inner), k_block, 0, stream>>>(p);
  return check_launch(p.product ? "CumProd" : "CumSum");
}

}  // namespace

status launch_cumulative(const cumulative_params& p, cudaStream_t stream) {
  if (p.outer * p.n * p.inner == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "cumulative: NULL buffer");
  switch (p.dtype) {
    case MIRT_DTYPE_INT32: return run<int32_t>(p, stream);
    case MIRT_DTYPE_INT64: return run<int64_t>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run<double>(p, stream);
    default: return dispatch_real(p.dtype, "cumulative", [&](auto tag) { return run<typename decltype(tag)::type>(p, stream); });
  }
}

}  // namespace mirt::cuda
