// tests/backends/cuda/test_ops_multinomial.cpp — Multinomial on the cuda backend, by its
// distribution (its draws differ from the cpu backend's by design): each row's class frequencies
// against softmax(row) in float64 (5 standard deviations a class and a chi-square bound), -inf
// classes never drawn and +inf classes sharing all the mass, a seed repeating and another seed
// differing, int32 and int64 outputs, float16 logits, a row without a distribution (-1), and bad
// attributes refused. Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {

constexpr int64_t k_samples = 20000;

op_call multinomial(tensor_data logits, int64_t samples, std::vector<attr> attrs, mirt_dtype out = MIRT_DTYPE_INT64) {
  attrs.push_back(attr_i("sample_size", samples));
  const int64_t rows = logits.shape.at(0);
  return {"Multinomial", {std::move(logits)}, {{out, {rows, samples}}}, std::move(attrs)};
}

std::vector<int64_t> draws_of(const op_call& call) {
  const op_result r = run_cuda(call);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const tensor_data& y = r.outputs.at(0);
  if (y.dtype == MIRT_DTYPE_INT64) return y.values<int64_t>();
  const std::vector<int32_t> v = y.values<int32_t>();
  return {v.begin(), v.end()};
}

// CHECKs row r's draws against softmax(logits row) in float64.
void check_frequencies(const std::vector<int64_t>& d, const std::vector<float>& logits, int64_t r, int64_t classes) {
  std::vector<double> p(static_cast<size_t>(classes), 0.0);
  double total = 0;
  for (int64_t c = 0; c < classes; ++c) total += p[size_t(c)] = std::exp(double(logits[size_t(r * classes + c)]));
  std::vector<int64_t> count(static_cast<size_t>(classes), 0);
  for (int64_t s = 0; s < k_samples; ++s) {
    const int64_t k = d[size_t(r * k_samples + s)];
    REQUIRE(k >= 0);
    REQUIRE(k < classes);
    ++count[size_t(k)];
  }
  double chi2 = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const double pc = p[size_t(c)] / total, expected = pc * double(k_samples);
    CHECK_MESSAGE(std::abs(double(count[size_t(c)]) - expected) <= 5 * std::sqrt(expected * (1 - pc)) + 1e-9, "row ", r, " class ", c,
                  ": ", count[size_t(c)], " draws, expected ", expected);
    if (expected > 0) chi2 += (double(count[size_t(c)]) - expected) * (double(count[size_t(c)]) - expected) / expected;
  }
  CHECK_MESSAGE(chi2 < 21.1, "row ", r, " chi-square ", chi2);  // 3 degrees of freedom: P(chi2 > 21.1) < 1e-4
}

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("Multinomial draws each class about as often as softmax(row) says, row by row; a seed repeats, another differs") {
  CUDA_TEST_REQUIRE_GPU();
  // Row 0 favours class 2, row 1 is uniform, row 2 never draws class 0 (-inf) and splits 1:3 after.
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> logits{0.5f, -1.0f, 2.0f, 0.0f, 0.3f, 0.3f, 0.3f, 0.3f, -inf, 0.0f, std::log(3.0f), -2.0f};
  const op_call call = multinomial(f32({3, 4}, logits), k_samples, {attr_f("seed", 11)});
  const std::vector<int64_t> d = draws_of(call);
  REQUIRE(d.size() == size_t(3 * k_samples));
  for (int64_t r = 0; r < 3; ++r) check_frequencies(d, logits, r, 4);
  CHECK(draws_of(call) == d);
  CHECK(draws_of(multinomial(f32({3, 4}, logits), k_samples, {attr_f("seed", 12)})) != d);
  // float16 logits, int32 output: the same distributions.
  op_call half = as_dtype(multinomial(f32({3, 4}, logits), k_samples, {attr_f("seed", 3)}, MIRT_DTYPE_INT32), MIRT_DTYPE_FLOAT16);
  std::vector<float> rounded;
  for (double v : as_doubles(half.inputs[0])) rounded.push_back(float(v));
  const std::vector<int64_t> h = draws_of(half);
  for (int64_t r = 0; r < 3; ++r) check_frequencies(h, rounded, r, 4);
}

TEST_CASE("Multinomial: +inf classes take all the mass, a row without a distribution draws -1, bad attributes are refused") {
  CUDA_TEST_REQUIRE_GPU();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<int64_t> d = draws_of(multinomial(f32({2, 4}, {0, inf, 5, inf, -inf, -inf, -inf, -inf}), 1000, {attr_f("seed", 1)}));
  int64_t ones = 0;
  for (int64_t s = 0; s < 1000; ++s) {
    const int64_t k = d[size_t(s)];
    CHECK((k == 1 || k == 3));
    ones += k == 1;
    CHECK(d[size_t(1000 + s)] == -1);  // -inf everywhere: no class
  }
  CHECK(std::abs(double(ones) - 500) <= 5 * std::sqrt(250.0));  // the two +inf classes share evenly
  CHECK(draws_of(multinomial(f32({1, 2}, {0, std::nanf("")}), 3, {}))[0] == -1);
  const op_result size = run_cuda(multinomial(f32({1, 2}, {0, 0}), 0, {}));
  CHECK(size.code == MIRT_STATUS_INVALID_GRAPH);
  const op_result out = run_cuda(multinomial(f32({1, 2}, {0, 0}), 1, {}, MIRT_DTYPE_FLOAT32));
  CHECK(out.code != MIRT_STATUS_OK);
}

}  // TEST_SUITE
