// backends/cuda/kernels/bitwise.cu — the Bitwise ops and BitShift, one output element per thread
// through a strided map (broadcasting). Reference: backends/cpu/ops/bitwise_predicates.cpp.
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "backends/cuda/kernels/bitwise.hpp"

namespace mirt::cuda {
namespace {

template <class T, bitwise_op Op>
__device__ T apply(T x, T y) {
  using U = std::make_unsigned_t<T>;
  constexpr U width = U(sizeof(T) * 8);
  if constexpr (Op == bitwise_op::and_) return T(U(x) & U(y));
  else if constexpr (Op == bitwise_op::or_) return T(U(x) | U(y));
  else if constexpr (Op == bitwise_op::xor_) return T(U(x) ^ U(y));
  else if constexpr (Op == bitwise_op::not_) return T(U(~U(x)));
  else if constexpr (Op == bitwise_op::shift_left) return T(U(y) >= width ? U(0) : U(U(x) << U(y)));
  else return T(U(y) >= width ? U(0) : U(U(x) >> U(y)));
}

template <class T, bitwise_op Op>
__global__ void bitwise_strided(const T* a, const T* b, T* out, int64_t n, strided_map<3> map) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[3];
    map_offsets(map, i, off);
    out[off[0]] = apply<T, Op>(a[off[1]], b[off[2]]);
  }
}

template <class T, bitwise_op Op>
status run(const bitwise_params& p, cudaStream_t stream) {
  bitwise_strided<T, Op><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const T*>(p.a), static_cast<const T*>(p.b),
                                                                static_cast<T*>(p.out), p.n, p.map);
  return check_launch("bitwise_strided");
}

template <class T>
status by_op(const bitwise_params& p, cudaStream_t stream) {
  switch (p.op) {
    case bitwise_op::and_: return run<T, bitwise_op::and_>(p, stream);
    case bitwise_op::or_: return run<T, bitwise_op::or_>(p, stream);
    case bitwise_op::xor_: return run<T, bitwise_op::xor_>(p, stream);
    case bitwise_op::not_: return run<T, bitwise_op::not_>(p, stream);
    case bitwise_op::shift_left: return run<T, bitwise_op::shift_left>(p, stream);
    case bitwise_op::shift_right: return run<T, bitwise_op::shift_right>(p, stream);
  }
  return make_error(MIRT_STATUS_INTERNAL, "bitwise: unknown op");
}

}  // namespace

status launch_bitwise(const bitwise_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.a || !p.b || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "bitwise: NULL buffer");
  switch (p.dtype) {
    case MIRT_DTYPE_INT8: return by_op<int8_t>(p, stream);
    case MIRT_DTYPE_UINT8: return by_op<uint8_t>(p, stream);
    case MIRT_DTYPE_INT32: return by_op<int32_t>(p, stream);
    case MIRT_DTYPE_INT64: return by_op<int64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "bitwise: dtype is not int8, uint8, int32 or int64");
  }
}

}  // namespace mirt::cuda
