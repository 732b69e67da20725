// tests/backends/cuda/test_ops.cpp — every op of the cuda backend against the cpu backend on the same
// random inputs (FP32, TF32 off: relative tolerance 1e-4; integer and bool outputs bit-exact).
// Each case skips itself, with a MESSAGE, when the machine has no GPU.
#include <doctest/doctest.h>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, I64 = MIRT_DTYPE_INT64, I32 = MIRT_DTYPE_INT32, BOOL = MIRT_DTYPE_BOOL;

op_call unary(const std::string& op, shape_t s, float lo = -3, float hi = 3, std::vector<attr> attrs = {}) {
  return op_call{op, {rand_f32(s, 11, lo, hi)}, {{F32, s}}, std::move(attrs)};
}
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("unary activations match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Erf", "Gelu", "Exp", "Neg", "Abs", "Reciprocal", "HardSwish", "Identity",
                         "Floor", "Ceil", "Softplus"}) {
    CAPTURE(op);
    compare_with_cpu(unary(op, {3, 1001}));  // odd length: vector body plus a scalar tail
  }
  compare_with_cpu(unary("Log", {1000}, 0.01f, 5));
  compare_with_cpu(unary("Sqrt", {1000}, 0, 5));
  compare_with_cpu(unary("Gelu", {257}, -3, 3, {attr_s("approximate", "tanh")}));
  compare_with_cpu(unary("LeakyRelu", {257}, -3, 3, {attr_f("alpha", 0.2f)}));
  compare_with_cpu(unary("HardSigmoid", {257}, -6, 6, {attr_f("alpha", 0.25f), attr_f("beta", 0.4f)}));
  compare_with_cpu(unary("Elu", {257}, -3, 3, {attr_f("alpha", 0.7f)}));
}

TEST_CASE("Clip with bound inputs, with one omitted, and on int64 matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"Clip", {rand_f32({5, 33}, 1, -3, 3), f32({}, {-0.5f}), f32({}, {1.25f})}, {{F32, {5, 33}}}});
  compare_with_cpu({"Clip", {rand_f32({5, 33}, 2, -3, 3), omitted(), f32({}, {0.5f})}, {{F32, {5, 33}}}});
  compare_with_cpu({"Clip", {i64({6}, {-9, -2, 0, 3, 7, 100}), i64({}, {-3}), i64({}, {5})}, {{I64, {6}}}});
}

TEST_CASE("broadcast binary ops match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"Add", "Sub", "Mul", "Max", "Min"}) {
    CAPTURE(op);
    compare_with_cpu({op, {rand_f32({4, 257}, 3), rand_f32({4, 257}, 4)}, {{F32, {4, 257}}}});              // same shape
    compare_with_cpu({op, {rand_f32({2, 3, 4, 5}, 5), rand_f32({3, 1, 5}, 6)}, {{F32, {2, 3, 4, 5}}}});     // broadcast
    compare_with_cpu({op, {rand_f32({7, 9}, 7), rand_f32({}, 8)}, {{F32, {7, 9}}}});                         // scalar
  }
  compare_with_cpu({"Div", {rand_f32({6, 50}, 9), rand_f32({50}, 10, 0.5f, 2)}, {{F32, {6, 50}}}});
  compare_with_cpu({"Pow", {rand_f32({6, 50}, 11, 0.1f, 3), rand_f32({6, 1}, 12, -2, 2)}, {{F32, {6, 50}}}});
  compare_with_cpu({"PRelu", {rand_f32({2, 4, 3, 3}, 13), rand_f32({4, 1, 1}, 14)}, {{F32, {2, 4, 3, 3}}}});
  compare_with_cpu({"Add", {i64({2, 3}, {1, 2, 3, 4, 5, 6}), i64({3}, {10, 20, 30})}, {{I64, {2, 3}}}});
  compare_with_cpu({"Div", {i32({4}, {7, -7, 9, 5}), i32({4}, {2, 2, 0, -1})}, {{I32, {4}}}});
  compare_with_cpu({"Sum", {rand_f32({3, 4}, 15), rand_f32({4}, 16), rand_f32({3, 1}, 17)}, {{F32, {3, 4}}}});
}

TEST_CASE("comparisons and logic write bool like the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data a = f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), b = f32({4}, {4, 2, 6, 1});
  for (const char* op : {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"}) {
    CAPTURE(op);
    compare_with_cpu({op, {a, b}, {{BOOL, {2, 4}}}});
  }
  for (const char* op : {"And", "Or", "Xor"}) {
    CAPTURE(op);
    compare_with_cpu({op, {boolean({4}, {0, 1, 0, 1}), boolean({2, 1}, {0, 1})}, {{BOOL, {2, 4}}}});
  }
  compare_with_cpu({"Where", {boolean({2, 1, 3}, {1, 0, 1, 0, 0, 1}), rand_f32({4, 3}, 18), rand_f32({2, 4, 1}, 19)}, {{F32, {2, 4, 3}}}});
  compare_with_cpu({"Where", {boolean({3}, {1, 0, 1}), i64({3}, {1, 2, 3}), i64({1}, {-1})}, {{I64, {3}}}});
}

TEST_CASE("MatMul (plain, batched, broadcast, constant B, 1-D) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"MatMul", {rand_f32({64, 32}, 20), rand_f32({32, 48}, 21)}, {{F32, {64, 48}}}});
  compare_with_cpu({"MatMul", {rand_f32({3, 17, 33}, 22), rand_f32({3, 33, 19}, 23)}, {{F32, {3, 17, 19}}}});
  compare_with_cpu({"MatMul", {rand_f32({2, 1, 5, 7}, 24), rand_f32({3, 7, 6}, 25)}, {{F32, {2, 3, 5, 6}}}});
  compare_with_cpu({"MatMul", {rand_f32({5, 7}, 26), rand_f32({4, 7, 3}, 27)}, {{F32, {4, 5, 3}}}});
  compare_with_cpu({"MatMul", {rand_f32({4, 16, 128}, 28), rand_f32({128, 96}, 29, -1, 1, true)}, {{F32, {4, 16, 96}}}});
  compare_with_cpu({"MatMul", {rand_f32({9}, 30), rand_f32({9, 4}, 31)}, {{F32, {4}}}});
  compare_with_cpu({"MatMul", {rand_f32({2, 3, 9}, 32), rand_f32({9}, 33)}, {{F32, {2, 3}}}});
}

TEST_CASE("Gemm (transposes, bias epilogue, alpha and beta with a matrix C) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"Gemm", {rand_f32({8, 64}, 34), rand_f32({10, 64}, 35, -1, 1, true), rand_f32({10}, 36, -1, 1, true)},
                    {{F32, {8, 10}}}, {attr_i("transB", 1)}});
  compare_with_cpu({"Gemm", {rand_f32({64, 8}, 37), rand_f32({64, 10}, 38), rand_f32({8, 10}, 39)},
                    {{F32, {8, 10}}}, {attr_i("transA", 1), attr_f("alpha", 0.5f), attr_f("beta", 2.f)}});
  compare_with_cpu({"Gemm", {rand_f32({5, 6}, 40), rand_f32({6, 7}, 41), rand_f32({5, 1}, 42)}, {{F32, {5, 7}}}});
  compare_with_cpu({"Gemm", {rand_f32({5, 6}, 43), rand_f32({7, 6}, 44)}, {{F32, {5, 7}}}, {attr_i("transB", 1)}});
}

TEST_CASE("Conv (pads, strides, dilations, groups, bias; 1D, 2D, 3D) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"Conv", {rand_f32({2, 3, 16, 16}, 45), rand_f32({8, 3, 3, 3}, 46, -1, 1, true), rand_f32({8}, 47, -1, 1, true)},
                    {{F32, {2, 8, 16, 16}}}, {attr_ints("pads", {1, 1, 1, 1})}});
  compare_with_cpu({"Conv", {rand_f32({1, 4, 17, 15}, 48), rand_f32({6, 4, 3, 3}, 49, -1, 1, true)}, {{F32, {1, 6, 8, 7}}},
                    {attr_ints("strides", {2, 2}), attr_ints("dilations", {2, 1}), attr_ints("pads", {1, 0, 1, 0})}});
  compare_with_cpu({"Conv", {rand_f32({1, 8, 10, 10}, 50), rand_f32({8, 1, 3, 3}, 51, -1, 1, true), rand_f32({8}, 52, -1, 1, true)},
                    {{F32, {1, 8, 10, 10}}}, {attr_i("group", 8), attr_ints("pads", {1, 1, 1, 1})}});
  compare_with_cpu({"Conv", {rand_f32({2, 8, 9, 9}, 53), rand_f32({6, 4, 1, 1}, 54, -1, 1, true)}, {{F32, {2, 6, 9, 9}}},
                    {attr_i("group", 2)}});
  compare_with_cpu({"Conv", {rand_f32({2, 3, 20}, 55), rand_f32({5, 3, 5}, 56, -1, 1, true)}, {{F32, {2, 5, 20}}},
                    {attr_s("auto_pad", "SAME_UPPER")}});
  compare_with_cpu({"Conv", {rand_f32({1, 2, 6, 7, 8}, 57), rand_f32({3, 2, 3, 3, 3}, 58, -1, 1, true)}, {{F32, {1, 3, 4, 5, 6}}}});
  // Weights given at run time (not constant).
  compare_with_cpu({"Conv", {rand_f32({1, 3, 8, 8}, 59), rand_f32({4, 3, 3, 3}, 60)}, {{F32, {1, 4, 6, 6}}}});
}

TEST_CASE("Softmax and LogSoftmax on the last and on a middle axis match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t n : {10, 100, 1000, 3000}) {
    CAPTURE(n);
    compare_with_cpu({"Softmax", {rand_f32({7, n}, 61, -5, 5)}, {{F32, {7, n}}}});
    compare_with_cpu({"LogSoftmax", {rand_f32({7, n}, 62, -5, 5)}, {{F32, {7, n}}}});
  }
  compare_with_cpu({"Softmax", {rand_f32({2, 5, 7}, 63, -5, 5)}, {{F32, {2, 5, 7}}}, {attr_i("axis", 1)}});
  compare_with_cpu({"LogSoftmax", {rand_f32({3, 4, 6}, 64, -5, 5)}, {{F32, {3, 4, 6}}}, {attr_i("axis", 0)}});
}

TEST_CASE("LayerNormalization and BatchNormalization match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"LayerNormalization", {rand_f32({4, 8, 64}, 65), rand_f32({64}, 66, -1, 1, true), rand_f32({64}, 67, -1, 1, true)},
                    {{F32, {4, 8, 64}}}});
  compare_with_cpu({"LayerNormalization", {rand_f32({3, 5000}, 68), rand_f32({5000}, 69), rand_f32({5000}, 70)}, {{F32, {3, 5000}}}});
  compare_with_cpu({"LayerNormalization", {rand_f32({2, 8, 16}, 71), rand_f32({8, 16}, 72)}, {{F32, {2, 8, 16}}},
                    {attr_i("axis", -2), attr_f("epsilon", 1e-3f)}});
  compare_with_cpu({"LayerNormalization", {rand_f32({6, 32}, 73), rand_f32({32}, 74)},
                    {{F32, {6, 32}}, {F32, {6, 1}}, {F32, {6, 1}}}});
  compare_with_cpu({"BatchNormalization", {rand_f32({2, 4, 5, 5}, 75), rand_f32({4}, 76), rand_f32({4}, 77), rand_f32({4}, 78),
                                           rand_f32({4}, 79, 0.5f, 2)},
                    {{F32, {2, 4, 5, 5}}}});
}

TEST_CASE("MaxPool, AveragePool and the global pools match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"MaxPool", {rand_f32({2, 3, 15, 15}, 80)}, {{F32, {2, 3, 8, 8}}},
                    {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})}});
  compare_with_cpu({"MaxPool", {rand_f32({1, 2, 9, 9}, 81)}, {{F32, {1, 2, 4, 4}}, {I64, {1, 2, 4, 4}}},
                    {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}});
  compare_with_cpu({"AveragePool", {rand_f32({2, 3, 11, 11}, 82)}, {{F32, {2, 3, 6, 6}}},
                    {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1}),
                     attr_i("count_include_pad", 1)}});
  compare_with_cpu({"AveragePool", {rand_f32({2, 3, 11}, 83)}, {{F32, {2, 3, 5}}},
                    {attr_ints("kernel_shape", {3}), attr_ints("strides", {2})}});
  compare_with_cpu({"GlobalAveragePool", {rand_f32({2, 64, 7, 7}, 84)}, {{F32, {2, 64, 1, 1}}}});
  compare_with_cpu({"GlobalMaxPool", {rand_f32({2, 5, 9, 3}, 85)}, {{F32, {2, 5, 1, 1}}}});
}

TEST_CASE("Transpose, Expand, Concat, Slice and Gather match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"Transpose", {rand_f32({2, 3, 4, 5}, 86)}, {{F32, {2, 4, 5, 3}}}, {attr_ints("perm", {0, 2, 3, 1})}});
  compare_with_cpu({"Transpose", {rand_f32({6, 7}, 87)}, {{F32, {7, 6}}}});
  compare_with_cpu({"Transpose", {i64({2, 3}, {1, 2, 3, 4, 5, 6})}, {{I64, {3, 2}}}});
  compare_with_cpu({"Expand", {rand_f32({3, 1}, 88), i64({3}, {2, 3, 4}, true)}, {{F32, {2, 3, 4}}}});
  compare_with_cpu({"Concat", {rand_f32({2, 3, 4}, 89), rand_f32({2, 1, 4}, 90), rand_f32({2, 5, 4}, 91)}, {{F32, {2, 9, 4}}},
                    {attr_i("axis", 1)}});
  compare_with_cpu({"Concat", {i64({2}, {1, 2}), i64({1}, {3})}, {{I64, {3}}}, {attr_i("axis", 0)}});
  compare_with_cpu({"Slice", {rand_f32({5, 6, 7}, 92), i64({2}, {1, -1}, true), i64({2}, {4, 0}, true), i64({2}, {0, 2}, true),
                              i64({2}, {2, -2}, true)},
                    {{F32, {2, 6, 3}}}});
  // Starts/ends given at run time: read back from the device.
  compare_with_cpu({"Slice", {rand_f32({8, 4}, 93), i64({1}, {2}), i64({1}, {7})}, {{F32, {5, 4}}}});
  compare_with_cpu({"Gather", {rand_f32({5, 4}, 94), i64({3}, {4, -1, 0})}, {{F32, {3, 4}}}});
  compare_with_cpu({"Gather", {rand_f32({3, 6, 2}, 95), i32({2, 2}, {5, 0, 2, 2})}, {{F32, {3, 2, 2, 2}}}, {attr_i("axis", 1)}});
  // Rows of 16-byte vectors (an embedding table: 768 floats a row), as the row kernel copies them;
  // outer > 1 (axis 1) and int32 indices too.
  compare_with_cpu({"Gather", {rand_f32({40, 768}, 96), i64({2, 3}, {39, -1, 0, 7, 7, 20})}, {{F32, {2, 3, 768}}}});
  compare_with_cpu({"Gather", {rand_f32({2, 9, 64}, 97), i32({4}, {8, 0, -9, 3})}, {{F32, {2, 4, 64}}}, {attr_i("axis", 1)}});
}

TEST_CASE("Reshape, Flatten, Squeeze, Unsqueeze, Identity, Shape and Cast match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"Reshape", {rand_f32({2, 3, 4}, 96), i64({2}, {6, 4}, true)}, {{F32, {6, 4}}}});
  compare_with_cpu({"Flatten", {rand_f32({2, 3, 4}, 97)}, {{F32, {2, 12}}}, {attr_i("axis", 1)}});
  compare_with_cpu({"Squeeze", {rand_f32({2, 1, 4}, 98), i64({1}, {1}, true)}, {{F32, {2, 4}}}});
  compare_with_cpu({"Unsqueeze", {rand_f32({2, 4}, 99), i64({1}, {0}, true)}, {{F32, {1, 2, 4}}}});
  compare_with_cpu({"Identity", {rand_f32({17}, 100)}, {{F32, {17}}}});
  compare_with_cpu({"Shape", {rand_f32({2, 3, 5}, 101)}, {{I64, {3}}}});
  compare_with_cpu({"Shape", {rand_f32({2, 3, 5, 7}, 102)}, {{I64, {2}}}, {attr_i("start", 1), attr_i("end", 3)}});
  compare_with_cpu({"Cast", {f32({6}, {-2.7f, -0.5f, 0.f, 0.5f, 3.9f, 1e10f})}, {{I64, {6}}}, {attr_i("to", 7)}});
  compare_with_cpu({"Cast", {i64({3}, {-5, 0, 1234567})}, {{F32, {3}}}, {attr_i("to", 1)}});
  compare_with_cpu({"Cast", {f32({4}, {0.f, -1.f, 0.25f, 3.f})}, {{BOOL, {4}}}, {attr_i("to", 9)}});
  compare_with_cpu({"Cast", {boolean({3}, {1, 0, 1})}, {{F32, {3}}}, {attr_i("to", 1)}});
  compare_with_cpu({"Cast", {i32({3}, {-1, 7, 100000})}, {{I64, {3}}}, {attr_i("to", 7)}});
}

TEST_CASE("ReduceMean, ReduceSum, ReduceMax (axes attribute and input, keepdims) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceL2"}) {
    CAPTURE(op);
    compare_with_cpu({op, {rand_f32({4, 5, 300}, 103), i64({1}, {-1}, true)}, {{F32, {4, 5, 1}}}});
    compare_with_cpu({op, {rand_f32({4, 5, 6}, 104), i64({2}, {0, 2}, true)}, {{F32, {5}}}, {attr_i("keepdims", 0)}});
    compare_with_cpu({op, {rand_f32({3, 7}, 105)}, {{F32, {1, 1}}}});
  }
  compare_with_cpu({"ReduceSum", {i64({2, 3}, {1, 2, 3, 4, 5, 6}), i64({1}, {1})}, {{I64, {2, 1}}}});
}

TEST_CASE("TF32 Gemm and Conv stay close to the fp32 cpu result") {
  CUDA_TEST_REQUIRE_GPU();
  op_call mm{"MatMul", {rand_f32({128, 256}, 106), rand_f32({256, 64}, 107)}, {{F32, {128, 64}}}};
  mm.precision_flags = 1;  // MIRT_PRECISION_FLAG_TF32
  compare_with_cpu(mm, 2e-2);
  op_call conv{"Conv", {rand_f32({1, 16, 12, 12}, 108), rand_f32({16, 16, 3, 3}, 109, -1, 1, true)}, {{F32, {1, 16, 10, 10}}}};
  conv.precision_flags = 1;
  compare_with_cpu(conv, 2e-2);
}

}  // TEST_SUITE
