// backends/cuda/kernels/int_matmul.cu — MatMulInteger and QLinearMatMul, one output value per
// thread with an int32 dot product. Reference: backends/cpu/ops/quant_matmul.cpp.
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/int_matmul.hpp"
#include "backends/cuda/kernels/requantize.cuh"

namespace mirt::cuda {
namespace {

template <class A, class B, class Y>
__global__ void int_matmul(int_matmul_params p) {
  const A* a = static_cast<const A*>(p.a);
  const B* b = static_cast<const B*>(p.b);
  Y* y = static_cast<Y*>(p.y);
  const int64_t per_batch = p.m * p.n, total = p.batches * per_batch;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t batch = e / per_batch, i = (e % per_batch) / p.n, j = e % p.n;
    int64_t off[2];
    map_offsets(p.batch_map, batch, off);
    const int32_t za = p.a_zero ? int_at(p.a_zero, p.a_zero_dtype, p.a_zero_per_row ? i : 0) : 0;
    const int32_t zb = p.b_zero ? int_at(p.b_zero, p.b_zero_dtype, p.b_zero_per_col ? j : 0) : 0;
    const A* row = a + off[0] + i * p.k;
    const B* col = b + off[1] + j;
    int32_t acc = 0;
    for (int64_t r = 0; r < p.k; ++r) acc += (int32_t(row[r]) - za) * (int32_t(col[r * p.n]) - zb);
    if constexpr (std::is_same_v<Y, int32_t>) {
      y[e] = acc;
    } else {
      const float sa = scale_at(p.a_scale, p.scale_dtype, p.a_scale_per_row ? i : 0);
      const float sb = scale_at(p.b_scale, p.b_scale_dtype, p.b_scale_per_col ? j : 0);
      const float sy = scale_at(p.y_scale, p.y_scale_dtype, 0);
      const double mult = scale_ratio(sa, sb, sy, p.scale_dtype);
      const double zy = p.y_zero ? double(int_at(p.y_zero, p.y_zero_dtype, 0)) : 0.0;
      y[e] = saturate_round<Y>(__dmul_rn(double(acc), mult), zy);
    }
  }
}

template <class A, class B>
status by_output(const int_matmul_params& p, cudaStream_t stream) {
  const int64_t total = p.batches * p.m * p.n;
  switch (p.y_dtype) {
    case MIRT_DTYPE_INT32: int_matmul<A, B, int32_t><<<grid_for(total), k_block, 0, stream>>>(p); break;
    case MIRT_DTYPE_INT8: int_matmul<A, B, int8_t><<<grid_for(total), k_block, 0, stream>>>(p); break;
    case MIRT_DTYPE_UINT8: int_matmul<A, B, uint8_t><<<grid_for(total), k_block, 0, stream>>>(p); break;
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "integer matmul: output dtype is not int32, int8 or uint8");
  }
  return check_launch("int_matmul");
}

template <class A>
status by_b(const int_matmul_params& p, cudaStream_t stream) {
  if (p.b_dtype == MIRT_DTYPE_UINT8) return by_output<A, uint8_t>(p, stream);
  return by_output<A, int8_t>(p, stream);
}

}  // namespace

status launch_int_matmul(const int_matmul_params& p, cudaStream_t stream) {
  if (p.batches * p.m * p.n == 0) return {};
  if (!p.a || !p.b || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "integer matmul: NULL buffer");
  if (p.y_dtype != MIRT_DTYPE_INT32 && (!p.a_scale || !p.b_scale || !p.y_scale))
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "QLinearMatMul: a scale is missing");
  if (p.a_dtype == MIRT_DTYPE_UINT8) return by_b<uint8_t>(p, stream);
  return by_b<int8_t>(p, stream);
}

}  // namespace mirt::cuda
