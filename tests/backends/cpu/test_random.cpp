// tests/backends/cpu/test_random.cpp — the random generators on the cpu backend: values in range
// with the moments of their distribution (bounds several standard errors wide), the same seed giving
// the same draws and no seed giving different ones, the *Like forms taking their input's shape and
// dtype, Bernoulli's 0/1 per probability, and bad attributes refused naming the layer.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

constexpr int64_t n = 20000;

double mean_of(const std::vector<float>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }
double variance_of(const std::vector<float>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (float x : v) s += (x - m) * (x - m);
  return s / double(v.size() - 1);
}

op_call uniform(std::vector<attr> attrs) {
  attrs.push_back(attr_ints("shape", {n}));
  return {"RandomUniform", {}, {{MIRT_DTYPE_FLOAT32, {n}}}, attrs};
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("RandomUniform draws in [low, high) with the uniform mean and variance; a seed repeats, no seed does not") {
  const std::vector<float> a = run_f32(uniform({attr_f("low", -2), attr_f("high", 3), attr_f("seed", 5)}));
  CHECK(*std::min_element(a.begin(), a.end()) >= -2.0f);
  CHECK(*std::max_element(a.begin(), a.end()) < 3.0f);
  // mean 0.5, variance 25/12; the standard error of the mean is about 0.01.
  CHECK(std::abs(mean_of(a) - 0.5) < 0.06);
  CHECK(std::abs(variance_of(a) - 25.0 / 12) < 0.1);
  CHECK(run_f32(uniform({attr_f("low", -2), attr_f("high", 3), attr_f("seed", 5)})) == a);
  CHECK(run_f32(uniform({attr_f("low", -2), attr_f("high", 3), attr_f("seed", 6)})) != a);
  CHECK(run_f32(uniform({})) != run_f32(uniform({})));
}

TEST_CASE("RandomNormal and RandomNormalLike have the asked mean and scale, in the input's or the asked dtype") {
  op_call normal{"RandomNormal", {}, {{MIRT_DTYPE_FLOAT32, {n}}}, {attr_f("mean", 4), attr_f("scale", 0.5f), attr_ints("shape", {n})}};
  const std::vector<float> v = run_f32(normal);
  CHECK(std::abs(mean_of(v) - 4.0) < 0.02);
  CHECK(std::abs(std::sqrt(variance_of(v)) - 0.5) < 0.02);
  // Like: [100, 200] of float64 in, float64 out with the same moments.
  op_call like{"RandomNormalLike", {tensor_data::of(MIRT_DTYPE_FLOAT64, {100, 200}, std::vector<double>(n, 0.0))},
               {{MIRT_DTYPE_FLOAT64, {100, 200}}}, {attr_f("mean", -1), attr_f("scale", 2), attr_f("seed", 3)}};
  const op_result r = run(like);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<double> d = r.outputs.at(0).values<double>();
  const std::vector<float> f(d.begin(), d.end());
  CHECK(std::abs(mean_of(f) + 1.0) < 0.08);
  CHECK(std::abs(std::sqrt(variance_of(f)) - 2.0) < 0.08);
}

TEST_CASE("Bernoulli gives 0 where p is 0, 1 where p is 1, and about p elsewhere, in the asked dtype") {
  std::vector<float> p(n);
  for (int64_t i = 0; i < n; ++i) p[size_t(i)] = i % 3 == 0 ? 0.0f : i % 3 == 1 ? 1.0f : 0.3f;
  const op_result r = run({"Bernoulli", {tensor_data::of(MIRT_DTYPE_FLOAT32, {n}, p)}, {{MIRT_DTYPE_BOOL, {n}}}, {attr_i("dtype", 9)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<uint8_t> b = r.outputs.at(0).values<uint8_t>();
  int64_t ones_at_03 = 0, count_03 = 0;
  for (int64_t i = 0; i < n; ++i) {
    CHECK(b[size_t(i)] <= 1);
    if (i % 3 == 0) CHECK(b[size_t(i)] == 0);
    if (i % 3 == 1) CHECK(b[size_t(i)] == 1);
    if (i % 3 == 2) ones_at_03 += b[size_t(i)], ++count_03;
  }
  CHECK(std::abs(double(ones_at_03) / double(count_03) - 0.3) < 0.03);
}

TEST_CASE("random ops refuse low >= high, a scale <= 0 and an integer output, naming the layer") {
  const op_result a = run(uniform({attr_f("low", 1), attr_f("high", 1)}));
  CHECK(a.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(a.message.find("low < high") != std::string::npos);
  CHECK(a.message.find("test/layer") != std::string::npos);
  const op_result b = run({"RandomNormal", {}, {{MIRT_DTYPE_FLOAT32, {4}}}, {attr_f("scale", 0), attr_ints("shape", {4})}});
  CHECK(b.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(b.message.find("scale") != std::string::npos);
  const op_result c = run({"RandomUniform", {}, {{MIRT_DTYPE_INT32, {4}}}, {attr_ints("shape", {4})}});
  CHECK(c.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(c.message.find("int32") != std::string::npos);
}

}  // TEST_SUITE
