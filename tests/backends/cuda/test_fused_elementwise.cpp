// tests/backends/cuda/test_fused_elementwise.cpp — mirt::FusedElementwise programs on the cuda
// backend against the cpu backend (float32, relative 1e-4), covering every op a program may name;
// float16 and bfloat16 are in test_precision.cpp.
#include <doctest/doctest.h>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32;

// A program over one input: ops, two operands per op (>= 0: register, < 0: constant), constants.
op_call program(shape_t shape, uint32_t seed, std::vector<std::string> ops, std::vector<int64_t> operands,
                std::vector<float> constants) {
  op_call call{"FusedElementwise", {rand_f32(shape, seed, -3, 3)}, {{F32, shape}}};
  call.attrs = {attr{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, std::move(ops)},
                attr{"operands", MIRT_ATTRIBUTE_TYPE_INTS, std::move(operands), {}, {}},
                attr{"constants", MIRT_ATTRIBUTE_TYPE_FLOATS, {}, std::move(constants), {}}};
  return call;
}

// x * 0.5 * (1 + erf(x / sqrt 2)), as the builder fuses GELU spelled out.
op_call gelu(shape_t shape) {
  return program(shape, 7, {"Div", "Erf", "Add", "Mul", "Mul"}, {0, -1, 1, 0, 2, -2, 0, 3, 4, -3}, {1.41421356f, 1.0f, 0.5f});
}

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("FusedElementwise programs using every op match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu(gelu({3, 1001}));
  // Every op with operands kept in its domain (Log of >= 1, Pow of a base >= 1, Div by exp >= 1).
  compare_with_cpu(program({4, 257}, 8,
                           {"Abs", "Sqrt", "Add", "Log", "Exp", "Sigmoid", "Tanh", "Mul", "Sin", "Cos", "Max", "Min", "Pow",
                            "Div", "Sub", "Softplus"},
                           {0, 0, 1, 0, 2, -1, 3, 0, 4, 0, 0, 0, 0, 0, 6, 7, 0, 0, 0, 0, 9, 10, 11, 8, 3, -2, 13, 5, 14, 12, 15, 0},
                           {1.0f, 1.5f}));
  compare_with_cpu(program({1000}, 9, {"Neg", "Relu", "Erf", "Floor", "Ceil", "Add", "Add", "Reciprocal", "Mul", "Add"},
                           {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 5, 2, -1, 7, 0, 8, 3, 9, 6}, {1.0f}));
}

TEST_CASE("a FusedElementwise program with an unknown op or a bad operand is refused naming it") {
  CUDA_TEST_REQUIRE_GPU();
  const op_result unknown = run_cuda(program({8}, 10, {"Relu", "Bogus"}, {0, 0, 1, 0}, {}));
  CHECK(unknown.code != MIRT_STATUS_OK);
  CHECK(unknown.message.find("Bogus") != std::string::npos);
  const op_result operand = run_cuda(program({8}, 11, {"Add"}, {0, 3}, {}));
  CHECK(operand.code != MIRT_STATUS_OK);
  CHECK(operand.message.find("operand 3") != std::string::npos);
}

}  // TEST_SUITE
