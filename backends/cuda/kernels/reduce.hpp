// backends/cuda/kernels/reduce.hpp — ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSum/LogSumExp
// over any axes.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// log_sum_exp subtracts the maximum before exponentiating.
enum class reduce_op { sum, mean, max, min, prod, l1, l2, sum_square, log_sum, log_sum_exp };

// y[o] = reduce over r of x[kept offset(o) + reduced offset(r)].
struct reduce_params {
  reduce_op op = reduce_op::sum;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x and y
  const void* x = nullptr;
  void* y = nullptr;        // (outputs) dense
  int64_t outputs = 0;      // elements of y
  int64_t count = 0;        // elements reduced into each output
  strided_map<1> kept;      // over the kept dims, strides into x
  strided_map<1> reduced;   // over the reduced dims, strides into x
};
status launch_reduce(const reduce_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
