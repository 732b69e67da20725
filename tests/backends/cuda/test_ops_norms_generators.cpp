// tests/backends/cuda/test_ops_norms_generators.cpp — Hardmax, LpNormalization, LRN,
// MeanVarianceNormalization, Shrink, Swish, EyeLike, the window generators and ReverseSequence on
// the cuda backend against the cpu backend: float32 within 1e-4, float64 1e-9, float16 2e-3,
// bfloat16 1.6e-2 (relative to max(1, |cpu|)); integer, bool and Hardmax outputs bit-exact in
// float32. Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16,
                     I8 = MIRT_DTYPE_INT8, U8 = MIRT_DTYPE_UINT8, I32 = MIRT_DTYPE_INT32, I64 = MIRT_DTYPE_INT64,
                     BOOL = MIRT_DTYPE_BOOL;
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("Hardmax and LpNormalization (axes, p 1 and 2, ties, zero norms) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t axis : {-1, 0, 1}) {
    CAPTURE(axis);
    compare_float_dtypes({"Hardmax", {rand_f32({4, 7, 5}, 1)}, {{F32, {4, 7, 5}}}, {attr_i("axis", axis)}});
    for (int64_t p : {1, 2})
      compare_float_dtypes({"LpNormalization", {rand_f32({4, 7, 5}, 2, -3, 3)}, {{F32, {4, 7, 5}}}, {attr_i("axis", axis), attr_i("p", p)}});
  }
  compare_float_dtypes({"Hardmax", {f32({2, 4}, {1, 3, 3, 0, -1, -1, -1, -1})}, {{F32, {2, 4}}}});  // first maximum wins
  compare_float_dtypes({"Hardmax", {rand_f32({3, 2000}, 3)}, {{F32, {3, 2000}}}});
  compare_float_dtypes({"LpNormalization", {f32({2, 3}, {0, 0, 0, 1, -2, 2})}, {{F32, {2, 3}}}});
}

TEST_CASE("LRN and MeanVarianceNormalization match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_float_dtypes({"LRN", {rand_f32({2, 7, 5, 6}, 10, -2, 2)}, {{F32, {2, 7, 5, 6}}}, {attr_i("size", 3)}});
  compare_float_dtypes({"LRN", {rand_f32({2, 6, 9}, 11, -2, 2)}, {{F32, {2, 6, 9}}},
                      {attr_i("size", 4), attr_f("alpha", 0.01f), attr_f("beta", 0.5f), attr_f("bias", 2.f)}});
  compare_float_dtypes({"MeanVarianceNormalization", {rand_f32({2, 3, 4, 5}, 12, -2, 3)}, {{F32, {2, 3, 4, 5}}}});
  compare_float_dtypes({"MeanVarianceNormalization", {rand_f32({3, 300, 7}, 13, 1, 4)}, {{F32, {3, 300, 7}}}, {attr_ints("axes", {1})}});
  compare_float_dtypes({"MeanVarianceNormalization", {rand_f32({2, 3, 4, 5}, 14)}, {{F32, {2, 3, 4, 5}}}, {attr_ints("axes", {0, -1})}});
  compare_float_dtypes({"MeanVarianceNormalization", {rand_f32({4, 5}, 15)}, {{F32, {4, 5}}}, {attr_ints("axes", {0, 1})}});
}

TEST_CASE("Shrink and Swish match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_typed({"Shrink", {rand_f32({3, 1001}, 20, -2, 2)}, {{F32, {3, 1001}}}}, F32, 1e-4);
  compare_typed({"Shrink", {rand_f32({517}, 21, -2, 2)}, {{F32, {517}}}, {attr_f("lambd", 1.2f), attr_f("bias", 0.3f)}}, F32, 1e-4);
  compare_typed({"Swish", {rand_f32({3, 1001}, 22, -8, 8)}, {{F32, {3, 1001}}}}, F32, 1e-4);
  compare_typed({"Swish", {rand_f32({517}, 23, -8, 8)}, {{F32, {517}}}, {attr_f("alpha", 1.702f)}}, F32, 1e-4);
}

TEST_CASE("EyeLike and the window generators (every output dtype, periodic and symmetric) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (mirt_dtype out : {F32, I32, I64, I8, U8, BOOL}) {
    CAPTURE(int(out));
    for (int64_t k : {0, 2, -1, 9})
      compare_typed({"EyeLike", {rand_f32({4, 6}, 30)}, {{out, {4, 6}}}, {attr_i("k", k)}}, F32, 0);
  }
  compare_typed({"EyeLike", {rand_f32({5, 3}, 31)}, {{F64, {5, 3}}}, {attr_i("k", -2)}}, F32, 0);
  compare_typed({"EyeLike", {rand_f32({5, 3}, 31)}, {{F16, {5, 3}}}}, F32, 0);
  compare_typed({"EyeLike", {rand_f32({5, 3}, 31)}, {{BF16, {5, 3}}}, {attr_i("k", 1)}}, F32, 0);
  for (const char* op : {"HannWindow", "HammingWindow", "BlackmanWindow"})
    for (int64_t periodic : {0, 1})
      for (int64_t n : {1, 10, 257}) {
        CAPTURE(op);
        CAPTURE(periodic);
        CAPTURE(n);
        const tensor_data size = i64({}, {n}, true);
        compare_typed({op, {size}, {{F32, {n}}}, {attr_i("periodic", periodic)}}, F32, 1e-6);
        compare_typed({op, {size}, {{F64, {n}}}, {attr_i("periodic", periodic)}}, F32, 1e-12);
        compare_typed({op, {size}, {{F16, {n}}}, {attr_i("periodic", periodic)}}, F32, 1e-3);
        if (n == 1)  // integer windows truncate; longer ones have values within an ulp of 1
          compare_typed({op, {i32({}, {int32_t(n)}, true)}, {{I32, {n}}}, {attr_i("periodic", periodic)}}, F32, 0);
      }
}

TEST_CASE("ReverseSequence (time-major and batch-major, every element size) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({5, 3, 4}, 40);
  compare_typed({"ReverseSequence", {x, i64({3}, {5, 0, 3})}, {{F32, {5, 3, 4}}}}, F32, 0);
  compare_typed({"ReverseSequence", {x, i32({5}, {1, 2, 3, 3, 0})}, {{F32, {5, 3, 4}}}, {attr_i("batch_axis", 0), attr_i("time_axis", 1)}},
                F32, 0);
  compare_typed({"ReverseSequence", {x, i64({3}, {4, 1, 5})}, {{F32, {5, 3, 4}}}}, F64, 0);
  compare_typed({"ReverseSequence", {x, i64({3}, {2, 5, 1})}, {{F32, {5, 3, 4}}}}, F16, 0);
  std::vector<uint8_t> bytes(4 * 6);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 37);
  compare_typed({"ReverseSequence", {tensor_data::of(U8, {4, 6}, bytes), i64({4}, {6, 2, 0, 4})}, {{U8, {4, 6}}},
                 {attr_i("batch_axis", 0), attr_i("time_axis", 1)}}, F32, 0);
}

}  // TEST_SUITE
