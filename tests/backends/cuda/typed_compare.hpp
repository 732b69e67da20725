// tests/backends/cuda/typed_compare.hpp — runs one node on both backends in another float dtype
// (float64, float16, bfloat16) and compares by relative error, for ops whose cpu kernels take
// that dtype themselves (compare_with_cpu checks such outputs bit-exact).
#pragma once

#include "tests/backends/cuda/harness.hpp"

namespace cuda_test {

// The call with its float32 inputs (and float32 outputs) converted to `dtype` (inputs rounded
// once, the same values for both backends). Other dtypes stay as they are.
op_call as_dtype(const op_call& call, mirt_dtype dtype);

// Runs as_dtype(call, dtype) on the cpu and cuda backends, REQUIREs success and CHECKs every float
// output within rel_tol (relative to max(1, |cpu|); NaN and infinities must match); other outputs
// bit-exact. A tactic the call names is the cuda backend's (the cpu backend takes its first).
void compare_typed(const op_call& call, mirt_dtype dtype, double rel_tol);

// For ops whose cpu kernels are float32 only: runs call on the cpu backend with its float32 inputs
// rounded through `reduced` (float16 or bfloat16) but kept float32, and on the cuda backend with
// those inputs and its float32 outputs in `reduced`; CHECKs as compare_typed does.
void compare_rounded_with_cpu(const op_call& call, mirt_dtype reduced, double rel_tol);

// A float tensor's values (float64, float32, float16 or bfloat16) as doubles.
std::vector<double> as_doubles(const tensor_data& t);

// compare_typed in every float dtype at the op tests' tolerances: float32 1e-4, float64 1e-9,
// float16 2e-3, bfloat16 1.6e-2.
void compare_float_dtypes(const op_call& call);

}  // namespace cuda_test
