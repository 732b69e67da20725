// tests/backends/cuda/test_fast_paths.cpp — the cuda kernels' specialized paths against the cpu
// backend, at shapes that select them (and at neighbours that must fall back): broadcast binaries
// 16 bytes at a time (bias rows, scalars, attention masks), strided copies 16 bytes at a time
// (head transposes), register-resident LayerNorm rows (one-pass statistics included), and the 2-D
// MaxPool.
#include <doctest/doctest.h>

#include <vector>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32;
}

TEST_SUITE("cuda_fast_paths") {

TEST_CASE("broadcast Add, Mul and Div with a bias row, a scalar or a mask match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // bias row [n] over [rows, n] (vectorized), either side
  compare_with_cpu({"Add", {rand_f32({64, 768}, 80), rand_f32({768}, 81, -1, 1, true)}, {{F32, {64, 768}}}});
  compare_with_cpu({"Add", {rand_f32({768}, 82, -1, 1, true), rand_f32({3, 20, 768}, 83)}, {{F32, {3, 20, 768}}}});
  // a scalar operand, and an attention mask [b,1,1,s] over [b,h,s,s]
  compare_with_cpu({"Mul", {rand_f32({4, 16, 32}, 84), rand_f32({}, 85, -1, 1, true)}, {{F32, {4, 16, 32}}}});
  compare_with_cpu({"Div", {rand_f32({2, 12, 16, 16}, 86), f32({1}, {8.f}, true)}, {{F32, {2, 12, 16, 16}}}});
  compare_with_cpu({"Add", {rand_f32({2, 12, 16, 16}, 87), rand_f32({2, 1, 1, 16}, 88)}, {{F32, {2, 12, 16, 16}}}});
  // inner extents that do not fill 16 bytes, and a column broadcast: the general kernel
  compare_with_cpu({"Add", {rand_f32({5, 6}, 89), rand_f32({6}, 90)}, {{F32, {5, 6}}}});
  compare_with_cpu({"Sub", {rand_f32({8, 12}, 91), rand_f32({8, 1}, 92)}, {{F32, {8, 12}}}});
}

TEST_CASE("Transpose of attention heads (contiguous rows) and of other axes matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"Transpose", {rand_f32({2, 16, 12, 64}, 93)}, {{F32, {2, 12, 16, 64}}}, {attr_ints("perm", {0, 2, 1, 3})}});
  compare_with_cpu({"Transpose", {rand_f32({2, 12, 16, 64}, 94)}, {{F32, {2, 16, 12, 64}}}, {attr_ints("perm", {0, 2, 1, 3})}});
  compare_with_cpu({"Transpose", {rand_f32({2, 5, 3, 6}, 95)}, {{F32, {2, 3, 5, 6}}}, {attr_ints("perm", {0, 2, 1, 3})}});
  compare_with_cpu({"Transpose", {rand_f32({2, 12, 16, 64}, 96)}, {{F32, {2, 12, 64, 16}}}, {attr_ints("perm", {0, 1, 3, 2})}});
}

TEST_CASE("LayerNormalization rows of 768, 1000 and 770 values match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const int64_t cols : {768, 1000, 770, 1024, 1028}) {
    CAPTURE(cols);
    compare_with_cpu({"LayerNormalization", {rand_f32({3, 7, cols}, 97), rand_f32({cols}, 98, -1, 1, true), rand_f32({cols}, 99, -1, 1, true)},
                      {{F32, {3, 7, cols}}}});
  }
}

// Rows of up to 2048 take one-pass statistics (row_vectors.cuh's row_statistics), shifted by the
// row's first value: a mean far from zero would cancel without the shift (the variance here is a
// 1e-7 part of the mean square), and a first value far from the rest is the shift's worst case.
TEST_CASE("LayerNormalization rows far from zero, or with an outlier first value, match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data scale = rand_f32({768}, 103, -1, 1, true), bias = rand_f32({768}, 104, -1, 1, true);
  compare_with_cpu({"LayerNormalization", {rand_f32({4, 768}, 105, 1000, 1001), scale, bias}, {{F32, {4, 768}}}});
  std::vector<float> outlier(4 * 768);
  for (size_t i = 0; i < outlier.size(); ++i) outlier[i] = i % 768 == 0 ? 1e4f : float(int(i * 37 % 201) - 100) / 100.f;
  compare_with_cpu({"LayerNormalization", {f32({4, 768}, outlier), scale, bias}, {{F32, {4, 768}}}});
}

TEST_CASE("2-D MaxPool (pads, strides, ceil mode) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"MaxPool", {rand_f32({2, 8, 15, 15}, 100)}, {{F32, {2, 8, 8, 8}}},
                    {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})}});
  compare_with_cpu({"MaxPool", {rand_f32({1, 3, 10, 9}, 101)}, {{F32, {1, 3, 5, 4}}},
                    {attr_ints("kernel_shape", {2, 3}), attr_ints("strides", {2, 2}), attr_i("ceil_mode", 1)}});
}

}  // TEST_SUITE
