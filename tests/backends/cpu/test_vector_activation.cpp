// tests/backends/cpu/test_vector_activation.cpp — the vectorized Sigmoid and Tanh loops the
// recurrent kernels use, against double-precision std:: functions over a sweep that crosses the
// series/exp boundary of tanh, the range where float exp underflows, and the special values.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/vector_activation.hpp"

namespace {

// Values from -100 to 100, denser near 0, plus the boundaries and tiny magnitudes.
std::vector<float> sweep() {
  std::vector<float> xs;
  for (int i = -4000; i <= 4000; ++i) xs.push_back(float(i) * 0.025f);
  for (float m : {1e-30f, 1e-8f, 1e-4f, 0.2499f, 0.25f, 0.2501f, 20.0f, 87.0f, 88.0f, 100.0f}) {
    xs.push_back(m);
    xs.push_back(-m);
  }
  return xs;
}

// Largest relative error where the reference is at least 1e-37, largest absolute error below (exp
// flushes results under float's normal range, about 1.2e-38, to 0).
struct errors {
  double relative = 0, absolute = 0;
};

errors compare(const std::vector<float>& x, const std::vector<float>& y, double (*reference)(double)) {
  errors e;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = reference(x[i]), diff = std::fabs(double(y[i]) - want);
    if (std::fabs(want) >= 1e-37) e.relative = std::max(e.relative, diff / std::fabs(want));
    else e.absolute = std::max(e.absolute, diff);
  }
  return e;
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double tanh_ref(double x) { return std::tanh(x); }

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("sigmoid_rows and tanh_rows match double precision to 3e-7 relative, in place or not") {
  const std::vector<float> x = sweep();
  std::vector<float> s(x.size()), t(x.size());
  mirt::cpu::sigmoid_rows(x.data(), s.data(), int64_t(x.size()));
  mirt::cpu::tanh_rows(x.data(), t.data(), int64_t(x.size()));
  const errors es = compare(x, s, sigmoid), et = compare(x, t, tanh_ref);
  CHECK(es.relative < 3e-7);
  CHECK(es.absolute < 1e-37);
  CHECK(et.relative < 3e-7);
  CHECK(et.absolute == 0);
  std::vector<float> in_place = x;
  mirt::cpu::tanh_rows(in_place.data(), in_place.data(), int64_t(x.size()));
  CHECK(in_place == t);
}

TEST_CASE("sigmoid_rows and tanh_rows: infinities saturate, NaN stays NaN, signs are kept") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {inf, -inf, nan, 0.0f, -0.0f};
  std::vector<float> s(x.size()), t(x.size());
  mirt::cpu::sigmoid_rows(x.data(), s.data(), int64_t(x.size()));
  mirt::cpu::tanh_rows(x.data(), t.data(), int64_t(x.size()));
  CHECK(s[0] == 1.0f);
  CHECK(s[1] == 0.0f);
  CHECK(std::isnan(s[2]));
  CHECK(s[3] == 0.5f);
  CHECK(t[0] == 1.0f);
  CHECK(t[1] == -1.0f);
  CHECK(std::isnan(t[2]));
  CHECK(t[3] == 0.0f);
  CHECK(std::signbit(t[4]));
}

}  // TEST_SUITE
