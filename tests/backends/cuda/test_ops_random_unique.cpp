// tests/backends/cuda/test_ops_random_unique.cpp — Unique on the cuda backend against the cpu backend
// (every output bit-exact: sorted and by first occurrence, flattened and along an axis, -0.0 with
// 0.0, several dtypes, 5000 elements), and the random generators by their distributions (their draws
// differ from the cpu backend's by design): range, mean and variance within about 5 standard errors,
// a seed repeating, runs and seeds differing, Bernoulli's 0/1. Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16,
                     I32 = MIRT_DTYPE_INT32, I64 = MIRT_DTYPE_INT64, BOOL = MIRT_DTYPE_BOOL;

// Unique's call with all four outputs, `count` distinct slices of the n along the axis.
op_call unique(tensor_data x, shape_t y_shape, int64_t count, int64_t n, std::vector<attr> attrs) {
  const mirt_dtype dtype = x.dtype;
  return {"Unique", {std::move(x)}, {{dtype, std::move(y_shape)}, {I64, {count}}, {I64, {n}}, {I64, {count}}}, std::move(attrs)};
}

std::vector<double> draws(const op_call& call) {
  const op_result r = run_cuda(call);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  return as_doubles(r.outputs.at(0));
}

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }
double variance_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / double(v.size() - 1);
}

constexpr int64_t n = 40001;  // odd: the last pair's second draw is cut off
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("Unique (sorted and by first occurrence, flattened and along axes, -0.0 and 0.0) matches the cpu backend in every output") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data flat = f32({6}, {2, 1, 1, 3, 4, 3});
  const tensor_data zeros = f32({4}, {0.0f, -0.0f, 1, -0.0f});
  const tensor_data rows = f32({4, 3}, {1, 2, 3, 0, 5, 6, 1, 2, 3, 0, 5, 5});
  const tensor_data cols = f32({2, 5}, {1, 0, 1, 2, 0, 3, 4, 3, 5, 4});
  for (int64_t sorted : {1, 0}) {
    CAPTURE(sorted);
    compare_typed(unique(flat, {4}, 4, 6, {attr_i("sorted", sorted)}), F32, 0);
    compare_typed(unique(zeros, {2}, 2, 4, {attr_i("sorted", sorted)}), F32, 0);
    for (mirt_dtype dt : {F32, F64, F16, BF16}) {
      CAPTURE(int(dt));
      compare_typed(unique(rows, {3, 3}, 3, 4, {attr_i("sorted", sorted), attr_i("axis", 0)}), dt, 0);
      compare_typed(unique(cols, {2, 3}, 3, 5, {attr_i("sorted", sorted), attr_i("axis", -1)}), dt, 0);
    }
    compare_with_cpu(unique(i64({3, 2, 2}, {5, 6, 7, 8, 5, 6, 7, 8, 1, 2, 3, 4}), {2, 2, 2}, 2, 3, {attr_i("sorted", sorted), attr_i("axis", 0)}));
    compare_with_cpu(unique(i32({5}, {-3, 7, -3, 0, 7}), {3}, 3, 5, {attr_i("sorted", sorted)}));
    compare_with_cpu(unique(boolean({2, 3}, {1, 0, 1, 1, 0, 1}), {2}, 2, 6, {attr_i("sorted", sorted)}));
    compare_with_cpu(unique(boolean({2, 3}, {1, 0, 1, 1, 0, 1}), {2, 2}, 2, 3, {attr_i("sorted", sorted), attr_i("axis", 1)}));
  }
  // Only y asked for. (No empty input: the harness hands the cpu backend a zero-byte input as a null
  // pointer, which it reads as omitted.)
  compare_with_cpu({"Unique", {flat}, {{F32, {4}}}});
}

TEST_CASE("Unique of 5000 random integers and of 3000 rows matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  std::mt19937 gen(5);
  std::vector<int64_t> values(5000);
  for (int64_t& v : values) v = int64_t(gen() % 700) - 350;
  const int64_t count = int64_t(std::set<int64_t>(values.begin(), values.end()).size());
  std::vector<float> rows(3000 * 2);
  for (float& v : rows) v = float(gen() % 4);
  std::set<std::pair<float, float>> distinct;
  for (size_t r = 0; r < 3000; ++r) distinct.insert({rows[2 * r], rows[2 * r + 1]});
  const int64_t row_count = int64_t(distinct.size());
  for (int64_t sorted : {1, 0}) {
    compare_with_cpu(unique(i64({5000}, values), {count}, count, 5000, {attr_i("sorted", sorted)}));
    compare_with_cpu(unique(f32({3000, 2}, rows), {row_count, 2}, row_count, 3000, {attr_i("sorted", sorted), attr_i("axis", 0)}));
  }
}

TEST_CASE("RandomUniform(Like) draws in [low, high) with the uniform moments in each float dtype; a seed repeats, seeds differ") {
  CUDA_TEST_REQUIRE_GPU();
  for (mirt_dtype dt : {F32, F64, F16, BF16}) {
    CAPTURE(int(dt));
    const op_call call{"RandomUniform", {}, {{dt, {n}}}, {attr_f("low", -2), attr_f("high", 3), attr_f("seed", 5), attr_ints("shape", {n})}};
    const std::vector<double> a = draws(call);
    REQUIRE(a.size() == size_t(n));
    CHECK(*std::min_element(a.begin(), a.end()) >= -2.0);
    CHECK(*std::max_element(a.begin(), a.end()) < 3.0);
    // mean 0.5 (standard error 0.0072), variance 25/12 (standard error about 0.015)
    CHECK(std::abs(mean_of(a) - 0.5) < 0.04);
    CHECK(std::abs(variance_of(a) - 25.0 / 12) < 0.08);
    CHECK(draws(call) == a);
    op_call other = call;
    other.attrs[2] = attr_f("seed", 6);
    CHECK(draws(other) != a);
  }
  // Like: the input's shape and, without 'dtype', its dtype; no seed draws differently each time.
  const op_call like{"RandomUniformLike", {f32({50, 40}, std::vector<float>(2000, 0))}, {{F32, {50, 40}}}, {}};
  const std::vector<double> b = draws(like);
  CHECK(std::abs(mean_of(b) - 0.5) < 0.04);
  CHECK(draws(like) != b);
}

TEST_CASE("RandomNormal(Like) have the asked mean and scale; Bernoulli gives 0/1 at the asked rate in any dtype") {
  CUDA_TEST_REQUIRE_GPU();
  for (mirt_dtype dt : {F32, F64, F16}) {
    CAPTURE(int(dt));
    const std::vector<double> v =
        draws({"RandomNormal", {}, {{dt, {n}}}, {attr_f("mean", 4), attr_f("scale", 0.5f), attr_f("seed", 9), attr_ints("shape", {n})}});
    // standard errors: mean 0.0025, standard deviation about 0.0018
    CHECK(std::abs(mean_of(v) - 4.0) < 0.015);
    CHECK(std::abs(std::sqrt(variance_of(v)) - 0.5) < 0.012);
    // tails: about 4.55% beyond 2 scales (standard error 0.1%)
    const double beyond = double(std::count_if(v.begin(), v.end(), [](double x) { return std::abs(x - 4) > 1; })) / double(v.size());
    CHECK(std::abs(beyond - 0.0455) < 0.006);
  }
  const std::vector<double> like =
      draws({"RandomNormalLike", {tensor_data::of(F64, {100, 200}, std::vector<double>(20000, 0.0))}, {{F64, {100, 200}}},
             {attr_f("mean", -1), attr_f("scale", 2)}});
  CHECK(std::abs(mean_of(like) + 1.0) < 0.08);
  CHECK(std::abs(std::sqrt(variance_of(like)) - 2.0) < 0.06);

  std::vector<float> p(n);
  for (int64_t i = 0; i < n; ++i) p[size_t(i)] = i % 3 == 0 ? 0.0f : i % 3 == 1 ? 1.0f : 0.3f;
  for (mirt_dtype out : {BOOL, I64, F32}) {
    CAPTURE(int(out));
    const op_result r = run_cuda({"Bernoulli", {f32({n}, p)}, {{out, {n}}}, {attr_f("seed", 2)}});
    INFO(r.message);
    REQUIRE(r.code == MIRT_STATUS_OK);
    std::vector<double> b;
    if (out == BOOL) for (uint8_t v : r.outputs[0].values<uint8_t>()) b.push_back(v);
    if (out == I64) for (int64_t v : r.outputs[0].values<int64_t>()) b.push_back(double(v));
    if (out == F32) b = as_doubles(r.outputs[0]);
    int64_t ones = 0, count = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double v = b[size_t(i)];
      REQUIRE((v == 0 || v == 1));
      if (i % 3 == 0) CHECK(v == 0);
      if (i % 3 == 1) CHECK(v == 1);
      if (i % 3 == 2) ones += int64_t(v), ++count;
    }
    CHECK(std::abs(double(ones) / double(count) - 0.3) < 0.02);  // standard error 0.004
  }
}

}  // TEST_SUITE
