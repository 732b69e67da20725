// tests/backends/cpu/test_random.cpp — the random generators on the cpu backend: values in range
// with the moments of their distribution (bounds several standard errors wide), the same seed giving
// the same draws and no seed giving different ones, the *Like forms taking their input's shape and
// dtype, Bernoulli's 0/1 per probability, Multinomial's class frequencies against softmax of its input,
// and bad attributes and inputs refused naming the layer.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
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

op_call multinomial(const std::vector<float>& logits, int64_t rows, int64_t samples, std::vector<attr> attrs,
                    mirt_dtype out = MIRT_DTYPE_INT64) {
  attrs.push_back(attr_i("sample_size", samples));
  const int64_t classes = int64_t(logits.size()) / rows;
  return {"Multinomial", {f32({rows, classes}, logits)}, {{out, {rows, samples}}}, attrs};
}

std::vector<int64_t> draws_of(const op_call& call) {
  const op_result r = run(call);
  REQUIRE_MESSAGE(r.code == MIRT_STATUS_OK, r.message);
  const tensor_data& y = r.outputs.at(0);
  if (y.dtype == MIRT_DTYPE_INT64) return y.values<int64_t>();
  const std::vector<int32_t> v = y.values<int32_t>();
  return {v.begin(), v.end()};
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

TEST_CASE("Multinomial draws each class about as often as softmax(row) says, row by row; a seed repeats") {
  // Row 0 favours class 2, row 1 is uniform, row 2 never draws class 0 (-inf) and splits 1:3 after.
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> logits{0.5f, -1.0f, 2.0f, 0.0f, 0.3f, 0.3f, 0.3f, 0.3f, -inf, 0.0f, std::log(3.0f), -2.0f};
  const int64_t rows = 3, classes = 4, samples = n;
  const std::vector<int64_t> d = draws_of(multinomial(logits, rows, samples, {attr_f("seed", 11)}));
  REQUIRE(d.size() == size_t(rows * samples));
  for (int64_t r = 0; r < rows; ++r) {
    // softmax in double, the reference the frequencies must match.
    std::vector<double> p(classes);
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) total += p[size_t(c)] = std::exp(double(logits[size_t(r * classes + c)]));
    std::vector<int64_t> count(classes, 0);
    for (int64_t s = 0; s < samples; ++s) {
      const int64_t k = d[size_t(r * samples + s)];
      REQUIRE(k >= 0);
      REQUIRE(k < classes);
      ++count[size_t(k)];
    }
    double chi2 = 0;
    for (int64_t c = 0; c < classes; ++c) {
      const double pc = p[size_t(c)] / total, expected = pc * double(samples);
      // 5 standard deviations of a binomial count; a class of probability 0 is never drawn.
      CHECK_MESSAGE(std::abs(double(count[size_t(c)]) - expected) <= 5 * std::sqrt(expected * (1 - pc)) + 1e-9,
                    "row ", r, " class ", c, ": ", count[size_t(c)], " draws, expected ", expected);
      if (expected > 0) chi2 += (double(count[size_t(c)]) - expected) * (double(count[size_t(c)]) - expected) / expected;
    }
    // 3 degrees of freedom at most: chi-square above 21.1 has probability < 1e-4.
    CHECK_MESSAGE(chi2 < 21.1, "row ", r, " chi-square ", chi2);
  }
  CHECK(draws_of(multinomial(logits, rows, samples, {attr_f("seed", 11)})) == d);
  CHECK(draws_of(multinomial(logits, rows, samples, {attr_f("seed", 12)})) != d);
}

TEST_CASE("Multinomial writes int32 by default and follows an int64 'dtype'; +inf classes take all the mass") {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<int64_t> d32 = draws_of(multinomial({0, inf, 5, inf}, 1, 1000, {attr_f("seed", 1)}, MIRT_DTYPE_INT32));
  int64_t ones = 0;
  for (int64_t k : d32) {
    CHECK((k == 1 || k == 3));
    ones += k == 1;
  }
  CHECK(std::abs(double(ones) - 500) <= 5 * std::sqrt(250.0));  // the two +inf classes share evenly
  const std::vector<int64_t> d64 = draws_of(multinomial({0, 0}, 1, 100, {attr_i("dtype", 7), attr_f("seed", 1)}));
  CHECK(std::all_of(d64.begin(), d64.end(), [](int64_t k) { return k == 0 || k == 1; }));
}

TEST_CASE("Multinomial refuses rank != 2, sample_size < 1, a float output and a NaN row, naming the layer") {
  const op_result rank = run({"Multinomial", {f32({2, 2, 2}, std::vector<float>(8, 0))}, {{MIRT_DTYPE_INT32, {2, 1}}}, {}});
  CHECK(rank.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(rank.message.find("rank 3, expected 2") != std::string::npos);
  CHECK(rank.message.find("test/layer") != std::string::npos);
  const op_result size = run(multinomial({0, 0}, 1, 0, {}, MIRT_DTYPE_INT32));
  CHECK(size.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(size.message.find("'sample_size' is 0") != std::string::npos);
  CHECK(size.message.find("test/layer") != std::string::npos);
  const op_result out = run(multinomial({0, 0}, 1, 1, {}, MIRT_DTYPE_FLOAT32));
  CHECK(out.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(out.message.find("expected int32 or int64") != std::string::npos);
  const op_result nan = run(multinomial({0, std::nanf("")}, 1, 1, {}));
  CHECK(nan.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(nan.message.find("row 0 class 1 is NaN") != std::string::npos);
  CHECK(nan.message.find("test/layer") != std::string::npos);
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
