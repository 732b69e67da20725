// backends/cuda/kernels/elementwise_binary.cu — broadcast binary ops, comparisons, logic and Where.
//
// Kernels:
//   binary_same_vec   float, float16, bfloat16, both operands of the output's shape, 16-byte
//                     aligned: 4 or 8 per load.
//   binary_same       operands of the output's shape (contiguous), any dtype.
//   binary_bcast_vec  broadcasting where each operand's innermost stride is 0 or 1: 16 bytes a step.
//   binary_strided    numpy broadcasting through a strided_map (unit dims dropped, runs merged).
//   where_strided     cond ? x : y, three-way broadcasting, by element size.
// Reference: backends/cpu/ops/elementwise_binary.cpp (same NaN and integer-division rules).
// float16 and bfloat16 compute in float (compute_t): one rounding, at the store.
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/cuda/kernels/elementwise.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

template <binary_op Op>
struct binary_fn;

template <> struct binary_fn<binary_op::add> { template <class T> __device__ T operator()(T a, T b) const { return a + b; } };
template <> struct binary_fn<binary_op::sub> { template <class T> __device__ T operator()(T a, T b) const { return a - b; } };
template <> struct binary_fn<binary_op::mul> { template <class T> __device__ T operator()(T a, T b) const { return a * b; } };
template <>
struct binary_fn<binary_op::div> {
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      // ONNX leaves integer division by zero (and MIN / -1) undefined; like the CPU backend we give 0.
      if (b == 0 || (b == T(-1) && a == std::numeric_limits<T>::min())) return 0;
    }
    return a / b;
  }
};
template <>
struct binary_fn<binary_op::pow> {
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, float>) return powf(a, b);
    else return T(::pow(double(a), double(b)));
  }
};
// Max and Min propagate NaN, as numpy.maximum does.
template <>
struct binary_fn<binary_op::max> {
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (isnan(a) || isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    return a < b ? b : a;
  }
};
template <>
struct binary_fn<binary_op::min> {
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (isnan(a) || isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    return b < a ? b : a;
  }
};
template <> struct binary_fn<binary_op::prelu> { template <class T> __device__ T operator()(T x, T s) const { return x < T(0) ? s * x : x; } };
template <> struct binary_fn<binary_op::equal> { template <class T> __device__ uint8_t operator()(T a, T b) const { return a == b; } };
template <> struct binary_fn<binary_op::less> { template <class T> __device__ uint8_t operator()(T a, T b) const { return a < b; } };
template <> struct binary_fn<binary_op::less_equal> { template <class T> __device__ uint8_t operator()(T a, T b) const { return a <= b; } };
template <> struct binary_fn<binary_op::greater> { template <class T> __device__ uint8_t operator()(T a, T b) const { return a > b; } };
template <> struct binary_fn<binary_op::greater_equal> { template <class T> __device__ uint8_t operator()(T a, T b) const { return a >= b; } };
template <> struct binary_fn<binary_op::logical_and> { template <class T> __device__ uint8_t operator()(T a, T b) const { return a != 0 && b != 0; } };
template <> struct binary_fn<binary_op::logical_or> { template <class T> __device__ uint8_t operator()(T a, T b) const { return a != 0 || b != 0; } };
template <> struct binary_fn<binary_op::logical_xor> { template <class T> __device__ uint8_t operator()(T a, T b) const { return (a != 0) != (b != 0); } };
// Mod: fmod=0 takes the divisor's sign (Python), fmod=1 the dividend's (C); integer division by zero
// (and MIN % -1) gives 0, as the cpu backend.
template <bool CStyle>
struct mod_fn {
  template <class T>
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0 || (b == T(-1) && a == std::numeric_limits<T>::min())) return 0;
      T r = T(a % b);
      if (!CStyle && r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
      return r;
    } else {
      T r = T(::fmod(a, b));
      if (!CStyle && r != T(0) && ((r < T(0)) != (b < T(0)))) r = T(r + b);
      return r;
    }
  }
};
template <> struct binary_fn<binary_op::mod> : mod_fn<false> {};
template <> struct binary_fn<binary_op::fmod> : mod_fn<true> {};

constexpr bool is_predicate(binary_op op) {
  return op == binary_op::equal || op == binary_op::less || op == binary_op::less_equal || op == binary_op::greater ||
         op == binary_op::greater_equal || op == binary_op::logical_and || op == binary_op::logical_or ||
         op == binary_op::logical_xor;
}

// a, b, out: (np, 16 bytes of T), 16-byte aligned
template <binary_op Op, class T>
__global__ void binary_same_vec(const pack16<T>* a, const pack16<T>* b, pack16<T>* out, int64_t np) {
  using C = compute_t<T>;
  const binary_fn<Op> f;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < np; i += int64_t(gridDim.x) * blockDim.x) {
    const pack16<T> x = a[i], y = b[i];
    pack16<T> r;
#pragma unroll
    for (int k = 0; k < int(16 / sizeof(T)); ++k) r.v[k] = T(f(C(x.v[k]), C(y.v[k])));
    out[i] = r;
  }
}

// a, b, out: (n)
template <binary_op Op, class T, class R>
__global__ void binary_same(const T* a, const T* b, R* out, int64_t n) {
  using C = compute_t<T>;
  const binary_fn<Op> f;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = R(f(C(a[i]), C(b[i])));
}

// out: (map.shape) dense; a, b: read through map.strides[1], map.strides[2]
template <binary_op Op, class T, class R>
__global__ void binary_strided(const T* a, const T* b, R* out, int64_t n, strided_map<3> map) {
  using C = compute_t<T>;
  const binary_fn<Op> f;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[3];
    map_offsets(map, i, off);
    out[off[0]] = R(f(C(a[off[1]]), C(b[off[2]])));
  }
}

// out: (map.shape) dense; 16 bytes of out per thread step. An operand with a unit innermost stride
// is read 16 bytes at a time, one with a zero innermost stride (broadcast along it) as one element
// repeated. Bias adds ([rows, n] + [n]), scalar operands and attention masks take this path.
template <binary_op Op, class T>
__global__ void binary_bcast_vec(const T* a, const T* b, T* out, int64_t np, strided_map<3> map, bool a_vec, bool b_vec) {
  using C = compute_t<T>;
  const binary_fn<Op> f;
  constexpr int per = int(16 / sizeof(T));
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < np; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[3];
    map_offsets(map, i * per, off);
    pack16<T> x, y, r;
    if (a_vec) {
      x = *reinterpret_cast<const pack16<T>*>(a + off[1]);
    } else {
      const T v = a[off[1]];
#pragma unroll
      for (int k = 0; k < per; ++k) x.v[k] = v;
    }
    if (b_vec) {
      y = *reinterpret_cast<const pack16<T>*>(b + off[2]);
    } else {
      const T v = b[off[2]];
#pragma unroll
      for (int k = 0; k < per; ++k) y.v[k] = v;
    }
#pragma unroll
    for (int k = 0; k < per; ++k) r.v[k] = T(f(C(x.v[k]), C(y.v[k])));
    *reinterpret_cast<pack16<T>*>(out + off[0]) = r;
  }
}

// Whether operand k of map can be read by binary_bcast_vec (as a vector when *vec), with per
// elements in 16 bytes.
inline bool vec_operand(const strided_map<3>& m, int k, const void* base, int64_t per, bool* vec) {
  const int inner = m.rank - 1;
  const int64_t s = m.strides[k][inner];
  if (s != 0 && s != 1) return false;
  *vec = s == 1;
  if (!*vec) return true;
  if (reinterpret_cast<uintptr_t>(base) % 16 != 0) return false;
  for (int d = 0; d < inner; ++d)
    if (m.strides[k][d] % per != 0) return false;
  return true;
}

template <binary_op Op, class T>
status run(const binary_params& p, cudaStream_t stream) {
  using R = std::conditional_t<is_predicate(Op), uint8_t, T>;
  const T* a = static_cast<const T*>(p.a);
  const T* b = static_cast<const T*>(p.b);
  R* out = static_cast<R*>(p.out);
  // Both operands dense in the output's shape: one merged dim with unit strides (or rank 0).
  const bool same = p.map.rank == 0 || (p.map.rank == 1 && p.map.strides[0][0] == 1 && p.map.strides[1][0] == 1 &&
                                        p.map.strides[2][0] == 1);
  if (same) {
    int64_t done = 0;
    if constexpr (is_real_v<T> && std::is_same_v<R, T>) {
      constexpr int64_t per = 16 / sizeof(T);
      const bool aligned = (reinterpret_cast<uintptr_t>(a) | reinterpret_cast<uintptr_t>(b) | reinterpret_cast<uintptr_t>(out)) % 16 == 0;
      if (aligned && p.n >= per) {
        const int64_t np = p.n / per;
        binary_same_vec<Op, T><<<grid_for(np), k_block, 0, stream>>>(reinterpret_cast<const pack16<T>*>(a),
                                                                      reinterpret_cast<const pack16<T>*>(b),
                                                                      reinterpret_cast<pack16<T>*>(out), np);
        if (status s = check_launch("binary_same_vec"); !s.ok()) return s;
        done = np * per;
      }
    }
    if (done < p.n) binary_same<Op, T, R><<<grid_for(p.n - done), k_block, 0, stream>>>(a + done, b + done, out + done, p.n - done);
    return check_launch("binary_same");
  }
  if constexpr (is_real_v<T> && std::is_same_v<R, T>) {
    constexpr int64_t per = 16 / sizeof(T);
    bool out_vec = false, a_vec = false, b_vec = false;
    if (p.map.rank >= 1 && p.map.shape[p.map.rank - 1] % per == 0 && vec_operand(p.map, 0, out, per, &out_vec) && out_vec &&
        vec_operand(p.map, 1, a, per, &a_vec) && vec_operand(p.map, 2, b, per, &b_vec)) {
      const int64_t np = p.n / per;
      binary_bcast_vec<Op, T><<<grid_for(np), k_block, 0, stream>>>(a, b, out, np, p.map, a_vec, b_vec);
      return check_launch("binary_bcast_vec");
    }
  }
  binary_strided<Op, T, R><<<grid_for(p.n), k_block, 0, stream>>>(a, b, out, p.n, p.map);
  return check_launch("binary_strided");
}

constexpr bool is_logic(binary_op op) {
  return op == binary_op::logical_and || op == binary_op::logical_or || op == binary_op::logical_xor;
}

template <binary_op Op>
status by_dtype(const binary_params& p, cudaStream_t stream) {
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run<Op, float>(p, stream);
    case MIRT_DTYPE_FLOAT16:
      if constexpr (!is_logic(Op)) return run<Op, __half>(p, stream);
      break;
    case MIRT_DTYPE_BFLOAT16:
      if constexpr (!is_logic(Op)) return run<Op, __nv_bfloat16>(p, stream);
      break;
    case MIRT_DTYPE_INT32: return run<Op, int32_t>(p, stream);
    case MIRT_DTYPE_INT64: return run<Op, int64_t>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run<Op, double>(p, stream);
    case MIRT_DTYPE_BOOL:
      if constexpr (is_predicate(Op)) return run<Op, uint8_t>(p, stream);
      [[fallthrough]];
    default: break;
  }
  return make_error(MIRT_STATUS_UNSUPPORTED, "binary: unsupported dtype for this op");
}

// out, cond, x, y walked by map (operands in that order)
template <class U>
__global__ void where_strided(const uint8_t* cond, const U* x, const U* y, U* out, int64_t n, strided_map<4> map) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[4];
    map_offsets(map, i, off);
    out[off[0]] = cond[off[1]] ? x[off[2]] : y[off[3]];
  }
}

template <class U>
status run_where(const where_params& p, cudaStream_t stream) {
  where_strided<U><<<grid_for(p.n), k_block, 0, stream>>>(p.cond, static_cast<const U*>(p.x), static_cast<const U*>(p.y),
                                                          static_cast<U*>(p.out), p.n, p.map);
  return check_launch("where_strided");
}

}  // namespace

status launch_binary(const binary_params& p, cudaStream_t stream) {
  if (p.n < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "binary: negative element count");
  if (p.n == 0) return {};
  if (!p.a || !p.b || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "binary: NULL buffer");
  switch (p.op) {
    case binary_op::add: return by_dtype<binary_op::add>(p, stream);
    case binary_op::sub: return by_dtype<binary_op::sub>(p, stream);
    case binary_op::mul: return by_dtype<binary_op::mul>(p, stream);
    case binary_op::div: return by_dtype<binary_op::div>(p, stream);
    case binary_op::pow: return by_dtype<binary_op::pow>(p, stream);
    case binary_op::max: return by_dtype<binary_op::max>(p, stream);
    case binary_op::min: return by_dtype<binary_op::min>(p, stream);
    case binary_op::prelu: return by_dtype<binary_op::prelu>(p, stream);
    case binary_op::equal: return by_dtype<binary_op::equal>(p, stream);
    case binary_op::less: return by_dtype<binary_op::less>(p, stream);
    case binary_op::less_equal: return by_dtype<binary_op::less_equal>(p, stream);
    case binary_op::greater: return by_dtype<binary_op::greater>(p, stream);
    case binary_op::greater_equal: return by_dtype<binary_op::greater_equal>(p, stream);
    case binary_op::logical_and: return by_dtype<binary_op::logical_and>(p, stream);
    case binary_op::logical_or: return by_dtype<binary_op::logical_or>(p, stream);
    case binary_op::logical_xor: return by_dtype<binary_op::logical_xor>(p, stream);
    case binary_op::mod: return by_dtype<binary_op::mod>(p, stream);
    case binary_op::fmod: return by_dtype<binary_op::fmod>(p, stream);
  }
  return make_error(MIRT_STATUS_INTERNAL, "binary: unknown op");
}

status launch_where(const where_params& p, cudaStream_t stream) {
  if (p.n <= 0) return {};
  if (!p.cond || !p.x || !p.y || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "where: NULL buffer");
  switch (p.element_size) {
    case 1: return run_where<uint8_t>(p, stream);
    case 2: return run_where<uint16_t>(p, stream);
    case 4: return run_where<uint32_t>(p, stream);
    case 8: return run_where<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "where: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
