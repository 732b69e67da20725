// backends/cuda/kernels/elementwise_unary.cu — activations and math functions, y = f(x).
//
// Kernels:
//   unary_vec    float, float16, bfloat16 with 16-byte aligned x and y: 4 or 8 elements per load.
//   unary_scalar any dtype, one element per thread, grid-stride (also the tail of unary_vec).
// float16 and bfloat16 compute in float (compute_t): one rounding, at the store.
// Reference: backends/cpu/ops/elementwise_unary.cpp. y may alias x: each element is read before
// it is written by the same thread.
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>

#include "backends/cuda/kernels/elementwise.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

// Per-call constants every functor may read.
struct unary_args {
  float alpha, beta;
  double lo, hi;
  const void* lo_ptr;
  const void* hi_ptr;
  mirt_dtype storage;  // the dtype lo_ptr and hi_ptr point to
};

// A device scalar of the storage dtype, in the compute type T.
template <class T>
__device__ T load_bound(const void* p, mirt_dtype storage) {
  if constexpr (std::is_same_v<T, float>) {
    if (storage == MIRT_DTYPE_FLOAT16) return __half2float(*static_cast<const __half*>(p));
    if (storage == MIRT_DTYPE_BFLOAT16) return __bfloat162float(*static_cast<const __nv_bfloat16*>(p));
  }
  return *static_cast<const T*>(p);
}

template <class T, unary_op Op>
struct unary_fn;

#define MIRT_FLOAT_UNARY(OP, EXPR)                                                        \
  template <>                                                                             \
  struct unary_fn<float, unary_op::OP> {                                                  \
    float a, b;                                                                           \
    __device__ explicit unary_fn(const unary_args& u) : a(u.alpha), b(u.beta) {}          \
    __device__ float operator()(float x) const { (void)a; (void)b; return EXPR; }        \
  };

MIRT_FLOAT_UNARY(sigmoid, x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x)))
MIRT_FLOAT_UNARY(tanh, tanhf(x))
MIRT_FLOAT_UNARY(erf, erff(x))
MIRT_FLOAT_UNARY(gelu, 0.5f * x * (1.f + erff(x * 0.70710678118654752440f)))
MIRT_FLOAT_UNARY(gelu_tanh, 0.5f * x * (1.f + tanhf(0.79788456080286535588f * (x + 0.044715f * x * x * x))))
MIRT_FLOAT_UNARY(exp, expf(x))
MIRT_FLOAT_UNARY(log, logf(x))
MIRT_FLOAT_UNARY(sqrt, sqrtf(x))
MIRT_FLOAT_UNARY(reciprocal, 1.f / x)
MIRT_FLOAT_UNARY(leaky_relu, x < 0.f ? a * x : x)
MIRT_FLOAT_UNARY(hard_sigmoid, fminf(fmaxf(a * x + b, 0.f), 1.f))
MIRT_FLOAT_UNARY(hard_swish, x * fminf(fmaxf(x / 6.f + 0.5f, 0.f), 1.f))
MIRT_FLOAT_UNARY(floor, floorf(x))
MIRT_FLOAT_UNARY(ceil, ceilf(x))
MIRT_FLOAT_UNARY(sin, sinf(x))
MIRT_FLOAT_UNARY(cos, cosf(x))
MIRT_FLOAT_UNARY(softplus, x > 0.f ? x + log1pf(expf(-x)) : log1pf(expf(x)))
MIRT_FLOAT_UNARY(elu, x < 0.f ? a * expm1f(x) : x)
MIRT_FLOAT_UNARY(acos, acosf(x))
MIRT_FLOAT_UNARY(acosh, acoshf(x))
MIRT_FLOAT_UNARY(asin, asinf(x))
MIRT_FLOAT_UNARY(asinh, asinhf(x))
MIRT_FLOAT_UNARY(atan, atanf(x))
MIRT_FLOAT_UNARY(atanh, atanhf(x))
MIRT_FLOAT_UNARY(cosh, coshf(x))
MIRT_FLOAT_UNARY(sinh, sinhf(x))
MIRT_FLOAT_UNARY(tan, tanf(x))
MIRT_FLOAT_UNARY(round, rintf(x))  // ties to even, as ONNX Round
MIRT_FLOAT_UNARY(mish, x * tanhf(x > 20.f ? x : log1pf(expf(x))))
MIRT_FLOAT_UNARY(selu, x > 0.f ? b * x : b * a * expm1f(x))
MIRT_FLOAT_UNARY(celu, fmaxf(0.f, x) + fminf(0.f, a * expm1f(x / a)))
MIRT_FLOAT_UNARY(softsign, x / (1.f + fabsf(x)))
MIRT_FLOAT_UNARY(thresholded_relu, x > a ? x : 0.f)
MIRT_FLOAT_UNARY(shrink, x < -a ? x + b : x > a ? x - b : 0.f)
MIRT_FLOAT_UNARY(swish, x / (1.f + expf(-a * x)))
#undef MIRT_FLOAT_UNARY

// Functions of every numeric dtype.
template <class T>
struct unary_fn<T, unary_op::relu> {
  __device__ explicit unary_fn(const unary_args&) {}
  __device__ T operator()(T x) const { return x < T(0) ? T(0) : x; }
};
template <class T>
struct unary_fn<T, unary_op::neg> {
  __device__ explicit unary_fn(const unary_args&) {}
  __device__ T operator()(T x) const { return T(-x); }
};
template <class T>
struct unary_fn<T, unary_op::abs> {
  __device__ explicit unary_fn(const unary_args&) {}
  __device__ T operator()(T x) const { return x < T(0) ? T(-x) : x; }
};
template <class T>
struct unary_fn<T, unary_op::sign> {
  __device__ explicit unary_fn(const unary_args&) {}
  __device__ T operator()(T x) const { return T(x > T(0) ? 1 : x < T(0) ? -1 : 0); }
};
template <class T>
struct unary_fn<T, unary_op::identity> {
  __device__ explicit unary_fn(const unary_args&) {}
  __device__ T operator()(T x) const { return x; }
};
template <class T>
struct unary_fn<T, unary_op::logical_not> {
  __device__ explicit unary_fn(const unary_args&) {}
  __device__ T operator()(T x) const { return T(x == T(0)); }
};
template <class T>
struct unary_fn<T, unary_op::divide> {
  T d;
  __device__ explicit unary_fn(const unary_args& u) : d(T(u.alpha)) {}
  __device__ T operator()(T x) const { return T(x / d); }
};
// min(max(x, lo), hi) as ONNX defines it (lo > hi gives hi); device scalars override attributes.
template <class T>
struct unary_fn<T, unary_op::clip> {
  T lo, hi;
  __device__ explicit unary_fn(const unary_args& u)
      : lo(u.lo_ptr ? load_bound<T>(u.lo_ptr, u.storage) : T(u.lo)), hi(u.hi_ptr ? load_bound<T>(u.hi_ptr, u.storage) : T(u.hi)) {}
  __device__ T operator()(T x) const {
    const T m = x < lo ? lo : x;
    return hi < m ? hi : m;
  }
};

// x, y: (n)
template <class T, unary_op Op>
__global__ void unary_scalar(const T* x, T* y, int64_t n, unary_args u) {
  using C = compute_t<T>;
  const unary_fn<C, Op> f(u);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = T(f(C(x[i])));
}

// x, y: (np, 16 bytes of T), 16-byte aligned
template <class T, unary_op Op>
__global__ void unary_vec(const pack16<T>* x, pack16<T>* y, int64_t np, unary_args u) {
  using C = compute_t<T>;
  const unary_fn<C, Op> f(u);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < np; i += int64_t(gridDim.x) * blockDim.x) {
    pack16<T> v = x[i];
#pragma unroll
    for (int k = 0; k < int(16 / sizeof(T)); ++k) v.v[k] = T(f(C(v.v[k])));
    y[i] = v;
  }
}

template <class T, unary_op Op>
status run(const unary_params& p, cudaStream_t stream) {
  const unary_args u{p.alpha, p.beta, p.clip_lo, p.clip_hi, p.clip_lo_ptr, p.clip_hi_ptr, p.dtype};
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  int64_t done = 0;
  if constexpr (is_real_v<T>) {
    constexpr int64_t per = 16 / sizeof(T);
    const bool aligned = (reinterpret_cast<uintptr_t>(x) | reinterpret_cast<uintptr_t>(y)) % 16 == 0;
    if (aligned && p.n >= per) {
      const int64_t np = p.n / per;
      unary_vec<T, Op><<<grid_for(np), k_block, 0, stream>>>(reinterpret_cast<const pack16<T>*>(x),
                                                               reinterpret_cast<pack16<T>*>(y), np, u);
      done = np * per;
      if (status s = check_launch("unary_vec"); !s.ok()) return s;
    }
  }
  if (done < p.n) unary_scalar<T, Op><<<grid_for(p.n - done), k_block, 0, stream>>>(x + done, y + done, p.n - done, u);
  return check_launch("unary_scalar");
}

template <class T>
status run_numeric(const unary_params& p, cudaStream_t stream) {
  switch (p.op) {
    case unary_op::relu: return run<T, unary_op::relu>(p, stream);
    case unary_op::neg: return run<T, unary_op::neg>(p, stream);
    case unary_op::abs: return run<T, unary_op::abs>(p, stream);
    case unary_op::sign: return run<T, unary_op::sign>(p, stream);
    case unary_op::identity: return run<T, unary_op::identity>(p, stream);
    case unary_op::clip: return run<T, unary_op::clip>(p, stream);
    case unary_op::divide: return run<T, unary_op::divide>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "this unary function takes float32 only");
  }
}

template <class T>
status run_float(const unary_params& p, cudaStream_t stream) {
  switch (p.op) {
    case unary_op::sigmoid: return run<T, unary_op::sigmoid>(p, stream);
    case unary_op::tanh: return run<T, unary_op::tanh>(p, stream);
    case unary_op::erf: return run<T, unary_op::erf>(p, stream);
    case unary_op::gelu: return run<T, unary_op::gelu>(p, stream);
    case unary_op::gelu_tanh: return run<T, unary_op::gelu_tanh>(p, stream);
    case unary_op::exp: return run<T, unary_op::exp>(p, stream);
    case unary_op::log: return run<T, unary_op::log>(p, stream);
    case unary_op::sqrt: return run<T, unary_op::sqrt>(p, stream);
    case unary_op::reciprocal: return run<T, unary_op::reciprocal>(p, stream);
    case unary_op::leaky_relu: return run<T, unary_op::leaky_relu>(p, stream);
    case unary_op::hard_sigmoid: return run<T, unary_op::hard_sigmoid>(p, stream);
    case unary_op::hard_swish: return run<T, unary_op::hard_swish>(p, stream);
    case unary_op::floor: return run<T, unary_op::floor>(p, stream);
    case unary_op::ceil: return run<T, unary_op::ceil>(p, stream);
    case unary_op::sin: return run<T, unary_op::sin>(p, stream);
    case unary_op::cos: return run<T, unary_op::cos>(p, stream);
    case unary_op::softplus: return run<T, unary_op::softplus>(p, stream);
    case unary_op::elu: return run<T, unary_op::elu>(p, stream);
    case unary_op::acos: return run<T, unary_op::acos>(p, stream);
    case unary_op::acosh: return run<T, unary_op::acosh>(p, stream);
    case unary_op::asin: return run<T, unary_op::asin>(p, stream);
    case unary_op::asinh: return run<T, unary_op::asinh>(p, stream);
    case unary_op::atan: return run<T, unary_op::atan>(p, stream);
    case unary_op::atanh: return run<T, unary_op::atanh>(p, stream);
    case unary_op::cosh: return run<T, unary_op::cosh>(p, stream);
    case unary_op::sinh: return run<T, unary_op::sinh>(p, stream);
    case unary_op::tan: return run<T, unary_op::tan>(p, stream);
    case unary_op::round: return run<T, unary_op::round>(p, stream);
    case unary_op::mish: return run<T, unary_op::mish>(p, stream);
    case unary_op::selu: return run<T, unary_op::selu>(p, stream);
    case unary_op::celu: return run<T, unary_op::celu>(p, stream);
    case unary_op::softsign: return run<T, unary_op::softsign>(p, stream);
    case unary_op::thresholded_relu: return run<T, unary_op::thresholded_relu>(p, stream);
    case unary_op::shrink: return run<T, unary_op::shrink>(p, stream);
    case unary_op::swish: return run<T, unary_op::swish>(p, stream);
    default: return run_numeric<T>(p, stream);
  }
}

}  // namespace

status launch_unary(const unary_params& p, cudaStream_t stream) {
  if (p.n < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "unary: negative element count");
  if (p.n == 0) return {};
  if (p.x == nullptr || p.y == nullptr) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "unary: NULL buffer");
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run_float<float>(p, stream);
    case MIRT_DTYPE_FLOAT16: return run_float<__half>(p, stream);
    case MIRT_DTYPE_BFLOAT16: return run_float<__nv_bfloat16>(p, stream);
    case MIRT_DTYPE_INT32: return run_numeric<int32_t>(p, stream);
    case MIRT_DTYPE_INT64: return run_numeric<int64_t>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run_numeric<double>(p, stream);
    case MIRT_DTYPE_BOOL:
      if (p.op == unary_op::logical_not) return run<uint8_t, unary_op::logical_not>(p, stream);
      return make_error(MIRT_STATUS_UNSUPPORTED, "unary: bool takes Not only");
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "unary: unsupported dtype");
  }
}

}  // namespace mirt::cuda
