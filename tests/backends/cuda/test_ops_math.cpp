// tests/backends/cuda/test_ops_math.cpp — the cuda backend's trigonometric and other elementwise
// functions, Mod, Mean, ArgMax/ArgMin, TopK, GatherElements, ReduceLogSum(Exp), CastLike,
// Dropout, Range, ConstantOfShape, Size, IsNaN, IsInf, CumSum and CumProd against the cpu backend (float32: relative tolerance
// 1e-4; integer and bool outputs bit-exact). Each case skips itself when the machine has no GPU.
#include <doctest/doctest.h>

#include <limits>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, I64 = MIRT_DTYPE_INT64, I32 = MIRT_DTYPE_INT32, BOOL = MIRT_DTYPE_BOOL;

op_call unary(const std::string& op, shape_t s, float lo, float hi, std::vector<attr> attrs = {}) {
  return op_call{op, {rand_f32(s, 7, lo, hi)}, {{F32, s}}, std::move(attrs)};
}
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("trigonometric, hyperbolic and other float unary functions match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"Tan", "Atan", "Sinh", "Cosh", "Asinh", "Softsign", "Mish", "Round"}) {
    CAPTURE(op);
    compare_with_cpu(unary(op, {3, 1001}, -3, 3));  // odd length: vector body plus a scalar tail
  }
  for (const char* op : {"Acos", "Asin", "Atanh"}) {
    CAPTURE(op);
    compare_with_cpu(unary(op, {517}, -0.95f, 0.95f));
  }
  compare_with_cpu(unary("Acosh", {517}, 1, 5));
  compare_with_cpu({"Round", {f32({8}, {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.49f, 3.7f})}, {{F32, {8}}}});  // ties to even
  compare_with_cpu(unary("Selu", {257}, -3, 3));
  compare_with_cpu(unary("Selu", {257}, -3, 3, {attr_f("alpha", 1.5f), attr_f("gamma", 0.9f)}));
  compare_with_cpu(unary("Celu", {257}, -3, 3, {attr_f("alpha", 0.5f)}));
  compare_with_cpu(unary("ThresholdedRelu", {257}, -3, 3, {attr_f("alpha", 0.3f)}));
  compare_with_cpu({"Not", {boolean({5}, {0, 1, 1, 0, 1})}, {{BOOL, {5}}}});
}

TEST_CASE("Mod (both fmod forms, integer and float) and Mean match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const std::vector<int64_t> a = {7, -7, 7, -7, 0, 5, 9}, b = {3, 3, -3, -3, 2, 0, 4};
  for (int64_t fmod : {0, 1}) {
    CAPTURE(fmod);
    compare_with_cpu({"Mod", {i64({7}, a), i64({7}, b)}, {{I64, {7}}}, {attr_i("fmod", fmod)}});
    compare_with_cpu({"Mod", {i32({7}, {7, -7, 7, -7, 0, 5, 9}), i32({1}, {-4})}, {{I32, {7}}}, {attr_i("fmod", fmod)}});
    compare_with_cpu({"Mod", {rand_f32({4, 33}, 1, -5, 5), rand_f32({33}, 2, 0.5f, 2)}, {{F32, {4, 33}}}, {attr_i("fmod", fmod)}});
  }
  compare_with_cpu({"Mean", {rand_f32({3, 4}, 3), rand_f32({4}, 4), rand_f32({3, 1}, 5)}, {{F32, {3, 4}}}});
  compare_with_cpu({"Mean", {rand_f32({2, 5}, 6), rand_f32({2, 5}, 7)}, {{F32, {2, 5}}}});
}

TEST_CASE("ArgMax, ArgMin (keepdims, select_last_index) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"ArgMax", "ArgMin"}) {
    CAPTURE(op);
    compare_with_cpu({op, {rand_f32({3, 5, 7}, 10)}, {{I64, {3, 1, 7}}}, {attr_i("axis", 1)}});
    compare_with_cpu({op, {rand_f32({3, 5, 700}, 11)}, {{I64, {3, 5}}}, {attr_i("axis", -1), attr_i("keepdims", 0)}});
    const tensor_data ties = i64({2, 4}, {1, 3, 3, 0, 2, 2, 1, 2});
    compare_with_cpu({op, {ties}, {{I64, {2, 1}}}, {attr_i("axis", 1)}});
    compare_with_cpu({op, {ties}, {{I64, {2, 1}}}, {attr_i("axis", 1), attr_i("select_last_index", 1)}});
  }
}

TEST_CASE("TopK (largest and smallest, any axis, ties, K = n) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"TopK", {rand_f32({4, 50}, 12), i64({1}, {5}, true)}, {{F32, {4, 5}}, {I64, {4, 5}}}});
  compare_with_cpu({"TopK", {rand_f32({2, 9, 3}, 13), i64({1}, {4})}, {{F32, {2, 4, 3}}, {I64, {2, 4, 3}}},
                    {attr_i("axis", 1), attr_i("largest", 0)}});
  compare_with_cpu({"TopK", {i64({2, 5}, {3, 1, 3, 2, 3, 0, 0, 5, 0, 1}), i64({1}, {5}, true)}, {{I64, {2, 5}}, {I64, {2, 5}}}});
  compare_with_cpu({"TopK", {i64({2, 5}, {3, 1, 3, 2, 3, 0, 0, 5, 0, 1}), i64({1}, {3}, true)}, {{I64, {2, 3}}, {I64, {2, 3}}},
                    {attr_i("largest", 0)}});
  compare_with_cpu({"TopK", {rand_f32({1, 3000}, 14), i64({1}, {100}, true)}, {{F32, {1, 100}}, {I64, {1, 100}}}});
}

TEST_CASE("GatherElements (axes 0 and 1, negative and int32 indices) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"GatherElements", {rand_f32({3, 4}, 15), i64({2, 4}, {0, 2, -1, 1, 2, 0, 1, -3})}, {{F32, {2, 4}}}});
  compare_with_cpu({"GatherElements", {rand_f32({3, 4}, 16), i32({3, 2}, {3, 0, 1, 1, -4, 2})}, {{F32, {3, 2}}}, {attr_i("axis", 1)}});
  compare_with_cpu({"GatherElements", {i64({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), i64({2, 1, 3}, {1, 0, 1, 0, 0, 1})},
                    {{I64, {2, 1, 3}}}, {attr_i("axis", 1)}});
}

TEST_CASE("ReduceLogSum and ReduceLogSumExp match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"ReduceLogSum", {rand_f32({4, 5, 300}, 17, 0.1f, 2), i64({1}, {-1}, true)}, {{F32, {4, 5, 1}}}});
  compare_with_cpu({"ReduceLogSum", {rand_f32({4, 5, 6}, 18, 0.1f, 2)}, {{F32, {1, 1, 1}}}});
  compare_with_cpu({"ReduceLogSumExp", {rand_f32({4, 5, 300}, 19, -50, 80), i64({1}, {-1}, true)}, {{F32, {4, 5, 1}}}});
  compare_with_cpu({"ReduceLogSumExp", {rand_f32({4, 5, 6}, 20, -3, 3), i64({2}, {0, 2}, true)}, {{F32, {5}}}, {attr_i("keepdims", 0)}});
}

TEST_CASE("CastLike, Dropout, Range, ConstantOfShape and Size match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"CastLike", {f32({5}, {-2.7f, -0.5f, 0.f, 3.9f, 1e6f}), i64({1}, {0})}, {{I64, {5}}}});
  compare_with_cpu({"Dropout", {rand_f32({3, 7}, 21)}, {{F32, {3, 7}}, {BOOL, {3, 7}}}});
  compare_with_cpu({"Dropout", {rand_f32({9}, 22), f32({}, {0.3f}, true)}, {{F32, {9}}}});
  compare_with_cpu({"Range", {f32({}, {1.5f}), f32({}, {10}), f32({}, {0.7f})}, {{F32, {13}}}});
  compare_with_cpu({"Range", {i64({}, {10}), i64({}, {-5}), i64({}, {-3})}, {{I64, {5}}}});
  compare_with_cpu({"Range", {i32({}, {0}), i32({}, {7}), i32({}, {2})}, {{I32, {4}}}});
  const tensor_data shape = i64({3}, {2, 3, 4}, true);
  compare_with_cpu({"ConstantOfShape", {shape}, {{F32, {2, 3, 4}}}, {attr_f("value", 2.5f)}});
  compare_with_cpu({"ConstantOfShape", {shape}, {{I64, {2, 3, 4}}}, {attr_i("value", -7)}});
  compare_with_cpu({"ConstantOfShape", {shape}, {{F32, {2, 3, 4}}}});
  compare_with_cpu({"Size", {rand_f32({2, 3, 5}, 23)}, {{I64, {}}}});
}

TEST_CASE("IsNaN and IsInf (each sign, float32 and float64) write the same bools as the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> v = {nan, inf, -inf, 0.0f, -0.0f, 1.5f, -3e38f, 1e-40f, -nan};
  for (int i = 0; i < 600; ++i) v.push_back(i % 7 == 0 ? nan : i % 5 == 0 ? (i % 2 ? inf : -inf) : float(i) - 300);
  const shape_t s{int64_t(v.size())};
  const std::vector<double> d(v.begin(), v.end());
  for (const tensor_data& x : {f32(s, v), tensor_data::of(MIRT_DTYPE_FLOAT64, s, d)}) {
    CAPTURE(int(x.dtype));
    compare_with_cpu({"IsNaN", {x}, {{BOOL, s}}});
    compare_with_cpu({"IsInf", {x}, {{BOOL, s}}});
    compare_with_cpu({"IsInf", {x}, {{BOOL, s}}, {attr_i("detect_negative", 0)}});
    compare_with_cpu({"IsInf", {x}, {{BOOL, s}}, {attr_i("detect_positive", 0)}});
  }
  // The masks are not all false: the kernel really looked.
  const op_result r = run_cuda({"IsNaN", {f32(s, v)}, {{BOOL, s}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<uint8_t> mask = r.outputs[0].values<uint8_t>();
  CHECK(mask[0] == 1);
  CHECK(mask[1] == 0);
}

TEST_CASE("CumSum and CumProd (exclusive, reverse, any axis, float and int64) match the cpu backend; a computed axis is refused") {
  CUDA_TEST_REQUIRE_GPU();
  const shape_t s{3, 5, 4};
  for (int64_t axis : {0, 1, -1})
    for (int64_t exclusive : {0, 1})
      for (int64_t reverse : {0, 1}) {
        CAPTURE(axis);
        CAPTURE(exclusive);
        CAPTURE(reverse);
        const std::vector<attr> flags = {attr_i("exclusive", exclusive), attr_i("reverse", reverse)};
        compare_with_cpu({"CumSum", {rand_f32(s, 3), i64({}, {axis}, true)}, {{F32, s}}, flags});
        compare_with_cpu({"CumProd", {rand_f32(s, 4, 0.5f, 1.5f), i32({1}, {int32_t(axis)}, true)}, {{F32, s}}, flags});
        std::vector<int64_t> ids(60);
        for (size_t i = 0; i < ids.size(); ++i) ids[i] = int64_t(i % 3 == 0);  // an attention mask's ones
        compare_with_cpu({"CumSum", {i64(s, ids), i64({}, {axis}, true)}, {{I64, s}}, flags});
      }
  const op_result r = run_cuda({"CumSum", {rand_f32(s, 3), i64({}, {1})}, {{F32, s}}});
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("axis") != std::string::npos);
}

TEST_CASE("Dropout with training_mode true is refused at tactic lookup") {
  CUDA_TEST_REQUIRE_GPU();
  op_call call{"Dropout", {rand_f32({4}, 24), f32({}, {0.5f}, true), boolean({}, {1})}, {{F32, {4}}}};
  call.inputs[2].constant = true;  // only a constant training_mode is known at lookup
  const op_result refused = run_cuda(call);
  INFO("cuda backend: ", refused.message);
  CHECK(refused.code != MIRT_STATUS_OK);
  CHECK(refused.message.find("training_mode") != std::string::npos);
}

}  // TEST_SUITE
