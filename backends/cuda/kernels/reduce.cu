// backends/cuda/kernels/reduce.cu — reductions over any set of axes.
//
// Kernels:
//   reduce_warp_per_output  one warp per output element; lanes stride over the reduced elements
//                           (contiguous when the reduced axes are innermost), then a shuffle tree.
// Reference: backends/cpu/ops/reduce.cpp (float sums accumulate in double there and here).
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/cuda/kernels/reduce.hpp"

namespace mirt::cuda {
namespace {

template <class A>
__device__ A shfl(A v, int o) {
  return __shfl_xor_sync(0xffffffffu, v, o);
}

template <reduce_op Op, class A>
__device__ A combine(A a, A b) {
  if constexpr (Op == reduce_op::max) return b > a ? b : a;
  else if constexpr (Op == reduce_op::min) return b < a ? b : a;
  else if constexpr (Op == reduce_op::prod) return a * b;
  else return a + b;
}

template <reduce_op Op, class T, class A>
__device__ A lift(T v) {
  if constexpr (Op == reduce_op::l1) return v < T(0) ? -A(v) : A(v);
  else if constexpr (Op == reduce_op::l2 || Op == reduce_op::sum_square) return A(v) * A(v);
  else return A(v);
}

template <reduce_op Op, class T, class A>
__device__ A identity() {
  if constexpr (Op == reduce_op::max)
    return std::is_floating_point_v<T> ? -std::numeric_limits<A>::infinity() : A(std::numeric_limits<T>::lowest());
  else if constexpr (Op == reduce_op::min)
    return std::is_floating_point_v<T> ? std::numeric_limits<A>::infinity() : A(std::numeric_limits<T>::max());
  else if constexpr (Op == reduce_op::prod) return A(1);
  else return A(0);
}

// x: strided by kept/reduced; y: (outputs); 8 warps per block, grid-stride over outputs
template <reduce_op Op, class T>
__global__ void reduce_warp_per_output(const T* x, T* y, int64_t outputs, int64_t count, strided_map<1> kept,
                                       strided_map<1> reduced) {
  using A = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t o = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; o < outputs; o += warps) {
    int64_t base[1];
    map_offsets(kept, o, base);
    A acc = identity<Op, T, A>();
    A shift = A(0);  // log_sum_exp: the maximum, subtracted before exp
    if constexpr (Op == reduce_op::log_sum_exp) {
      A m = identity<reduce_op::max, T, A>();
      for (int64_t r = lane; r < count; r += 32) {
        int64_t off[1];
        map_offsets(reduced, r, off);
        m = combine<reduce_op::max, A>(m, A(x[base[0] + off[0]]));
      }
      for (int s = 16; s > 0; s >>= 1) m = combine<reduce_op::max, A>(m, shfl(m, s));
      shift = isinf(double(m)) ? A(0) : m;
    }
    for (int64_t r = lane; r < count; r += 32) {
      int64_t off[1];
      map_offsets(reduced, r, off);
      if constexpr (Op == reduce_op::log_sum_exp) acc += A(exp(double(x[base[0] + off[0]]) - double(shift)));
      else acc = combine<Op, A>(acc, lift<Op, T, A>(x[base[0] + off[0]]));
    }
    for (int s = 16; s > 0; s >>= 1) acc = combine<Op, A>(acc, shfl(acc, s));
    if (lane == 0) {
      A v = acc;
      if constexpr (Op == reduce_op::mean) {
        if (count > 0) v = A(v / A(count));
        else v = std::is_floating_point_v<T> ? A(NAN) : A(0);
      }
      if constexpr (Op == reduce_op::l2) v = A(sqrt(double(v)));
      if constexpr (Op == reduce_op::log_sum) v = A(log(double(v)));
      if constexpr (Op == reduce_op::log_sum_exp) v = A(log(double(v)) + double(shift));
      y[o] = T(v);
    }
  }
}

template <reduce_op Op, class T>
status run(const reduce_params& p, cudaStream_t stream) {
  constexpr int warps_per_block = 8;
  reduce_warp_per_output<Op, T><<<grid_for(p.outputs, warps_per_block), 32 * warps_per_block, 0, stream>>>(
      static_cast<const T*>(p.x), static_cast<T*>(p.y), p.outputs, p.count, p.kept, p.reduced);
  return check_launch("reduce_warp_per_output");
}

template <reduce_op Op>
status by_dtype(const reduce_params& p, cudaStream_t stream) {
  if constexpr (Op == reduce_op::log_sum || Op == reduce_op::log_sum_exp) {
    if (p.dtype == MIRT_DTYPE_FLOAT32) return run<Op, float>(p, stream);
    if (p.dtype == MIRT_DTYPE_FLOAT64) return run<Op, double>(p, stream);
    return make_error(MIRT_STATUS_UNSUPPORTED, "reduce: log_sum and log_sum_exp take float32 or float64");
  }
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run<Op, float>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run<Op, double>(p, stream);
    case MIRT_DTYPE_INT32: return run<Op, int32_t>(p, stream);
    case MIRT_DTYPE_INT64: return run<Op, int64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "reduce: unsupported dtype");
  }
}

}  // namespace

status launch_reduce(const reduce_params& p, cudaStream_t stream) {
  if (p.outputs < 0 || p.count < 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "reduce: negative extent");
  if (p.outputs == 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "reduce: NULL buffer");
  switch (p.op) {
    case reduce_op::sum: return by_dtype<reduce_op::sum>(p, stream);
    case reduce_op::mean: return by_dtype<reduce_op::mean>(p, stream);
    case reduce_op::max: return by_dtype<reduce_op::max>(p, stream);
    case reduce_op::min: return by_dtype<reduce_op::min>(p, stream);
    case reduce_op::prod: return by_dtype<reduce_op::prod>(p, stream);
    case reduce_op::l1: return by_dtype<reduce_op::l1>(p, stream);
    case reduce_op::l2: return by_dtype<reduce_op::l2>(p, stream);
    case reduce_op::sum_square: return by_dtype<reduce_op::sum_square>(p, stream);
    case reduce_op::log_sum: return by_dtype<reduce_op::log_sum>(p, stream);
    case reduce_op::log_sum_exp: return by_dtype<reduce_op::log_sum_exp>(p, stream);
  }
  return make_error(MIRT_STATUS_INTERNAL, "reduce: unknown op");
}

}  // namespace mirt::cuda
