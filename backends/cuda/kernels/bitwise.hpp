// backends/cuda/kernels/bitwise.hpp — BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot and BitShift on
// integers, with numpy broadcasting for the binary forms.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class bitwise_op { and_, or_, xor_, not_, shift_left, shift_right };

// out = op(a, b) over the integer dtype (int8, uint8, int32, int64) on the bits as unsigned; a
// shift by the type's width or more gives 0. not_ reads a only (map operands: out, a, a).
struct bitwise_params {
  bitwise_op op = bitwise_op::and_;
  mirt_dtype dtype = MIRT_DTYPE_INT32;
  const void* a = nullptr;
  const void* b = nullptr;
  void* out = nullptr;
  int64_t n = 0;       // elements of out
  strided_map<3> map;  // operands: out, a, b
};
status launch_bitwise(const bitwise_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
