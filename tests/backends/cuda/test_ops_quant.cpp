// tests/backends/cuda/test_ops_quant.cpp — QuantizeLinear, DequantizeLinear (per-tensor, per-axis,
// blocked), DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv and the
// Bitwise ops / BitShift on the cuda backend against the cpu backend: quantized and integer
// outputs bit-exact, float outputs within 1e-4 (float32) or the 16-bit types' rounding (float16
// 2e-3, bfloat16 1.6e-2). Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include <random>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16, I8 = MIRT_DTYPE_INT8,
                     U8 = MIRT_DTYPE_UINT8, I32 = MIRT_DTYPE_INT32, I64 = MIRT_DTYPE_INT64;

template <class T>
tensor_data rand_int(mirt_dtype dtype, shape_t shape, uint32_t seed, int64_t lo, int64_t hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<T> v(size_t(numel(shape)));
  for (T& x : v) x = T(dist(gen));
  return tensor_data::of(dtype, std::move(shape), v);
}

void compare_floats(const op_call& c) {
  compare_typed(c, F32, 1e-4);
  compare_typed(c, F16, 2e-3);
  compare_typed(c, BF16, 1.6e-2);
}
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("QuantizeLinear per-tensor, per-axis and blocked (int8, uint8; ties to even, saturation) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data ties = f32({10}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 300.f, -300.f, 127.5f, -128.5f});
  compare_typed({"QuantizeLinear", {ties, f32({}, {1.f})}, {{I8, {10}}}}, F32, 0);
  compare_typed({"QuantizeLinear", {ties, f32({}, {1.f}), tensor_data::of(U8, {}, std::vector<uint8_t>{3})}, {{U8, {10}}}}, F32, 0);
  const tensor_data x = rand_f32({3, 50}, 1, -40, 40);
  for (mirt_dtype dt : {F32, F16, BF16}) {
    CAPTURE(int(dt));
    compare_typed({"QuantizeLinear", {x, f32({}, {0.25f}), tensor_data::of(I8, {}, std::vector<int8_t>{-5})}, {{I8, {3, 50}}}}, dt, 0);
    compare_typed({"QuantizeLinear", {x, f32({}, {0.37f}), tensor_data::of(U8, {}, std::vector<uint8_t>{128})}, {{U8, {3, 50}}}}, dt, 0);
    const tensor_data x3 = rand_f32({2, 3, 4}, 2, -5, 5);
    compare_typed({"QuantizeLinear", {x3, f32({3}, {0.05f, 0.1f, 0.02f}), tensor_data::of(U8, {3}, std::vector<uint8_t>{0, 100, 255})},
                   {{U8, {2, 3, 4}}}, {attr_i("axis", 1)}}, dt, 0);
    compare_typed({"QuantizeLinear", {x3, f32({4}, {0.05f, 0.1f, 0.02f, 0.3f})}, {{I8, {2, 3, 4}}}, {attr_i("axis", -1)}}, dt, 0);
    const tensor_data x6 = rand_f32({2, 6, 4}, 3, -5, 5);
    compare_typed({"QuantizeLinear", {x6, rand_f32({2, 2, 4}, 4, 0.02f, 0.1f), rand_int<int8_t>(I8, {2, 2, 4}, 5, -20, 20)},
                   {{I8, {2, 6, 4}}}, {attr_i("axis", 1), attr_i("block_size", 4)}}, dt, 0);
  }
  compare_typed({"QuantizeLinear", {rand_int<int32_t>(I32, {77}, 6, -5000, 5000), f32({}, {20.f})}, {{I8, {77}}}}, F32, 0);
}

TEST_CASE("DequantizeLinear per-tensor, per-axis and blocked (int8, uint8, int32 inputs) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data q8 = rand_int<int8_t>(I8, {3, 50}, 10, -128, 127), u8 = rand_int<uint8_t>(U8, {3, 50}, 11, 0, 255);
  compare_floats({"DequantizeLinear", {q8, f32({}, {0.25f}), tensor_data::of(I8, {}, std::vector<int8_t>{-5})}, {{F32, {3, 50}}}});
  compare_floats({"DequantizeLinear", {u8, f32({}, {0.013f})}, {{F32, {3, 50}}}});
  compare_floats({"DequantizeLinear", {u8, f32({50}, std::vector<float>(50, 0.02f)), rand_int<uint8_t>(U8, {50}, 12, 0, 255)},
                  {{F32, {3, 50}}}, {attr_i("axis", 1)}});
  compare_floats({"DequantizeLinear", {rand_int<int8_t>(I8, {2, 6, 4}, 13, -128, 127), rand_f32({2, 3, 4}, 14, 0.01f, 0.1f),
                                       rand_int<int8_t>(I8, {2, 3, 4}, 15, -10, 10)},
                  {{F32, {2, 6, 4}}}, {attr_i("axis", 1), attr_i("block_size", 2)}});
  compare_floats({"DequantizeLinear", {rand_int<int32_t>(I32, {40}, 16, -100000, 100000), f32({}, {0.001f}),
                                       tensor_data::of(I32, {}, std::vector<int32_t>{77})},
                  {{F32, {40}}}});
}

TEST_CASE("DynamicQuantizeLinear (mixed signs, all positive, all zero) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const tensor_data& x : {rand_f32({4, 1000}, 20, -3, 5), rand_f32({7, 3}, 21, 1, 2), f32({5}, {0, 0, 0, 0, 0}),
                               rand_f32({3000}, 22, -100, -1)}) {
    CAPTURE(x.shape.size());
    compare_typed({"DynamicQuantizeLinear", {x}, {{U8, x.shape}, {F32, {}}, {U8, {}}}}, F32, 0);
  }
}

TEST_CASE("BitwiseAnd, BitwiseOr, BitwiseXor (broadcasting), BitwiseNot and BitShift match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor"}) {
    CAPTURE(op);
    compare_typed({op, {rand_int<int8_t>(I8, {3, 17}, 30, -128, 127), rand_int<int8_t>(I8, {17}, 31, -128, 127)}, {{I8, {3, 17}}}}, F32, 0);
    compare_typed({op, {rand_int<uint8_t>(U8, {3, 1}, 32, 0, 255), rand_int<uint8_t>(U8, {1, 5}, 33, 0, 255)}, {{U8, {3, 5}}}}, F32, 0);
    compare_typed({op, {rand_int<int32_t>(I32, {257}, 34, -2000000000, 2000000000), rand_int<int32_t>(I32, {257}, 35, -5, 2000000000)},
                   {{I32, {257}}}}, F32, 0);
    compare_typed({op, {rand_int<int64_t>(I64, {2, 3, 4}, 36, -(int64_t(1) << 60), int64_t(1) << 60), rand_int<int64_t>(I64, {}, 37, -9, 9)},
                   {{I64, {2, 3, 4}}}}, F32, 0);
  }
  compare_typed({"BitwiseNot", {rand_int<int8_t>(I8, {33}, 40, -128, 127)}, {{I8, {33}}}}, F32, 0);
  compare_typed({"BitwiseNot", {rand_int<uint8_t>(U8, {33}, 41, 0, 255)}, {{U8, {33}}}}, F32, 0);
  compare_typed({"BitwiseNot", {rand_int<int32_t>(I32, {2, 9}, 42, -100000, 100000)}, {{I32, {2, 9}}}}, F32, 0);
  compare_typed({"BitwiseNot", {rand_int<int64_t>(I64, {9}, 43, -100000, 100000)}, {{I64, {9}}}}, F32, 0);
  for (const char* dir : {"LEFT", "RIGHT"}) {
    CAPTURE(dir);
    compare_typed({"BitShift", {rand_int<uint8_t>(U8, {4, 10}, 44, 0, 255), rand_int<uint8_t>(U8, {10}, 45, 0, 9)}, {{U8, {4, 10}}},
                   {attr_s("direction", dir)}}, F32, 0);
  }
}

TEST_CASE("MatMulInteger and QLinearMatMul (batching, 1-D operands, zero points and scales per row/column) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data a = rand_int<uint8_t>(U8, {3, 4, 5}, 50, 0, 255), b = rand_int<uint8_t>(U8, {5, 6}, 51, 0, 255);
  compare_typed({"MatMulInteger", {a, b}, {{I32, {3, 4, 6}}}}, F32, 0);
  compare_typed({"MatMulInteger", {a, b, tensor_data::of(U8, {}, std::vector<uint8_t>{128}), rand_int<uint8_t>(U8, {6}, 52, 0, 255)},
                 {{I32, {3, 4, 6}}}}, F32, 0);
  compare_typed({"MatMulInteger", {rand_int<int8_t>(I8, {2, 1, 3, 4}, 53, -128, 127), rand_int<int8_t>(I8, {5, 4, 2}, 54, -128, 127),
                                   rand_int<int8_t>(I8, {3}, 55, -9, 9)},
                 {{I32, {2, 5, 3, 2}}}}, F32, 0);
  compare_typed({"MatMulInteger", {rand_int<uint8_t>(U8, {70}, 56, 0, 255), rand_int<int8_t>(I8, {70, 3}, 57, -128, 127)}, {{I32, {3}}}},
                F32, 0);
  const std::vector<tensor_data> q = {rand_int<uint8_t>(U8, {2, 3, 5}, 60, 0, 255), f32({}, {0.02f}), tensor_data::of(U8, {}, std::vector<uint8_t>{120}),
                                      rand_int<uint8_t>(U8, {5, 4}, 61, 0, 255), rand_f32({4}, 62, 0.01f, 0.05f), rand_int<uint8_t>(U8, {4}, 63, 100, 150),
                                      f32({}, {0.05f}), tensor_data::of(U8, {}, std::vector<uint8_t>{10})};
  for (mirt_dtype dt : {F32, F16, BF16}) {
    CAPTURE(int(dt));
    compare_typed({"QLinearMatMul", q, {{U8, {2, 3, 4}}}}, dt, 0);
    compare_typed({"QLinearMatMul", {rand_int<int8_t>(I8, {4, 7}, 64, -128, 127), rand_f32({4}, 65, 0.01f, 0.03f), omitted(),
                                     rand_int<int8_t>(I8, {7, 3}, 66, -128, 127), f32({}, {0.03f}), omitted(), f32({}, {0.1f}),
                                     tensor_data::of(I8, {}, std::vector<int8_t>{-3})},
                   {{I8, {4, 3}}}}, dt, 0);
  }
}

TEST_CASE("ConvInteger and QLinearConv (pads, strides, dilations, groups, auto_pad, 1-D; zero points and scales per channel; bias) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_int<uint8_t>(U8, {1, 3, 7, 8}, 70, 0, 255), w = rand_int<uint8_t>(U8, {4, 3, 3, 3}, 71, 0, 255);
  compare_typed({"ConvInteger", {x, w}, {{I32, {1, 4, 5, 6}}}}, F32, 0);
  compare_typed({"ConvInteger", {x, w, tensor_data::of(U8, {}, std::vector<uint8_t>{100}), rand_int<uint8_t>(U8, {4}, 72, 0, 255)},
                 {{I32, {1, 4, 4, 8}}}, {attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 1})}}, F32, 0);
  compare_typed({"ConvInteger", {rand_int<int8_t>(I8, {2, 4, 6, 6}, 73, -128, 127), rand_int<int8_t>(I8, {6, 2, 3, 3}, 74, -128, 127)},
                 {{I32, {2, 6, 4, 4}}}, {attr_i("group", 2)}}, F32, 0);
  compare_typed({"ConvInteger", {rand_int<uint8_t>(U8, {1, 2, 9}, 75, 0, 255), rand_int<int8_t>(I8, {3, 2, 3}, 76, -128, 127)},
                 {{I32, {1, 3, 5}}}, {attr_ints("dilations", {2})}}, F32, 0);
  compare_typed({"ConvInteger", {x, rand_int<uint8_t>(U8, {2, 3, 3, 3}, 77, 0, 255)}, {{I32, {1, 2, 4, 4}}},
                 {attr_ints("strides", {2, 2}), attr_s("auto_pad", "SAME_UPPER")}}, F32, 0);
  for (mirt_dtype dt : {F32, F16, BF16}) {
    CAPTURE(int(dt));
    compare_typed({"QLinearConv", {x, f32({}, {0.02f}), tensor_data::of(U8, {}, std::vector<uint8_t>{110}),
                                   rand_int<int8_t>(I8, {4, 3, 3, 3}, 78, -128, 127), rand_f32({4}, 79, 0.002f, 0.01f),
                                   tensor_data::of(I8, {4}, std::vector<int8_t>{0, 0, 0, 0}), f32({}, {0.3f}),
                                   tensor_data::of(U8, {}, std::vector<uint8_t>{128}), i32({4}, {-500, 0, 300, 7000})},
                   {{U8, {1, 4, 4, 8}}}, {attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 1})}},
                  dt, 0);
    compare_typed({"QLinearConv", {rand_int<int8_t>(I8, {2, 4, 6, 6}, 80, -128, 127), f32({}, {0.05f}), omitted(),
                                   rand_int<int8_t>(I8, {6, 2, 3, 3}, 81, -128, 127), f32({}, {0.004f}), omitted(), f32({}, {0.5f}),
                                   tensor_data::of(I8, {}, std::vector<int8_t>{-2})},
                   {{I8, {2, 6, 4, 4}}}, {attr_i("group", 2)}},
                  dt, 0);
  }
}

}  // TEST_SUITE

