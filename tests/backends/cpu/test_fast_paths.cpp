// tests/backends/cpu/test_fast_paths.cpp — the oneDNN and vector-loop paths that only large tensors
// take (eltwise, Erf, LayerNormalization, Softmax, pools), the workspace protocol and concurrency.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

std::vector<double> map_ref(const std::vector<float>& x, const std::function<double(double)>& f) {
  std::vector<double> r;
  for (float v : x) r.push_back(f(v));
  return r;
}

double softplus(double x) { return std::log1p(std::exp(x)); }

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("large float unary tensors (oneDNN eltwise and vector loops) match float64, also in place") {
  const double sqrt2_pi = std::sqrt(2 / 3.14159265358979323846);
  const std::map<std::string, std::function<double(double)>> refs = {
      {"Sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"Tanh", [](double x) { return std::tanh(x); }},
      {"Erf", [](double x) { return std::erf(x); }},
      {"Gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"Exp", [](double x) { return std::exp(x); }},
      {"Elu", [](double x) { return x < 0 ? std::exp(x) - 1 : x; }},
      {"Mish", [](double x) { return x * std::tanh(softplus(x)); }},
      {"HardSwish", [](double x) { return x * std::clamp(x / 6 + 0.5, 0.0, 1.0); }},
  };
  const auto x = random_floats(3 * 1007, -6, 6, 61);
  for (const auto& [op, f] : refs) {
    CAPTURE(op);
    op_call c{op, {f32({3, 1007}, x)}, {{MIRT_DTYPE_FLOAT32, {3, 1007}}}};
    check_close(run_f32(c), map_ref(x, f), 2e-5);
    c.in_place = true;
    check_close(run_f32(c), map_ref(x, f), 2e-5);
  }
  const auto pos = random_floats(2048, 0.01f, 50, 62);
  check_close(run_f32({"Log", {f32({2048}, pos)}, {{MIRT_DTYPE_FLOAT32, {2048}}}}), map_ref(pos, [](double v) { return std::log(v); }), 2e-5);
  check_close(run_f32({"Sqrt", {f32({2048}, pos)}, {{MIRT_DTYPE_FLOAT32, {2048}}}}), map_ref(pos, [](double v) { return std::sqrt(v); }), 2e-5);
  check_close(run_f32({"Gelu", {f32({2048}, x)}, {{MIRT_DTYPE_FLOAT32, {2048}}}, {attr_s("approximate", "tanh")}}),
              map_ref(std::vector<float>(x.begin(), x.begin() + 2048),
                    [&](double v) { return 0.5 * v * (1 + std::tanh(sqrt2_pi * (v + 0.044715 * v * v * v))); }),
              2e-5);
}

TEST_CASE("Erf is within 5e-7 of float64 erf across its range, at every vector tail length") {
  std::vector<float> x;
  for (int i = -40000; i <= 40000; ++i) x.push_back(float(i) * 1e-4f);  // [-4, 4], steps of 1e-4
  for (float v : {0.f, -0.f, 1e-30f, -1e-30f, 0.5f, -0.5f, 0.50001f, 9.f, -9.f, 30.f, -1e4f}) x.push_back(v);
  check_close(run_f32({"Erf", {f32({int64_t(x.size())}, x)}, {{MIRT_DTYPE_FLOAT32, {int64_t(x.size())}}}}),
              map_ref(x, [](double v) { return std::erf(v); }), 5e-7);
  for (int64_t n = 1; n <= 33; ++n) {
    const std::vector<float> part(x.begin() + 39000, x.begin() + 39000 + n);
    CAPTURE(n);
    op_call c{"Erf", {f32({n}, part)}, {{MIRT_DTYPE_FLOAT32, {n}}}};
    c.in_place = n % 2 == 0;
    check_close(run_f32(c), map_ref(part, [](double v) { return std::erf(v); }), 5e-7);
  }
  const std::vector<float> nan = {NAN, INFINITY, -INFINITY};
  const auto r = run_f32({"Erf", {f32({3}, nan)}, {{MIRT_DTYPE_FLOAT32, {3}}}});
  CHECK(std::isnan(r[0]));
  CHECK(r[1] == 1.f);
  CHECK(r[2] == -1.f);
}

TEST_CASE("LayerNormalization of long rows, with offset values, matches float64") {
  const int64_t rows = 37, n = 771;
  auto x = random_floats(rows * n, -3, 3, 63);
  for (size_t i = 0; i < x.size(); ++i) x[i] += 100.f * float(i / size_t(n) % 3);  // means far from 0
  const auto scale = random_floats(n, 0.5, 2, 64), bias = random_floats(n, -1, 1, 65);
  std::vector<double> expected(x.size()), mean_ref, inv_ref;
  for (int64_t r = 0; r < rows; ++r) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < n; ++i) m += x[size_t(r * n + i)];
    m /= double(n);
    for (int64_t i = 0; i < n; ++i) v += (x[size_t(r * n + i)] - m) * (x[size_t(r * n + i)] - m);
    v /= double(n);
    mean_ref.push_back(m);
    inv_ref.push_back(1 / std::sqrt(v + 1e-5));
    for (int64_t i = 0; i < n; ++i) expected[size_t(r * n + i)] = (x[size_t(r * n + i)] - m) * inv_ref.back() * scale[size_t(i)] + bias[size_t(i)];
  }
  const shape_t s = {rows, n}, stat = {rows, 1};
  const op_result r = run({"LayerNormalization", {f32(s, x), f32({n}, scale), f32({n}, bias)},
                           {{MIRT_DTYPE_FLOAT32, s}, {MIRT_DTYPE_FLOAT32, stat}, {MIRT_DTYPE_FLOAT32, stat}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  check_close(r.outputs[0].values<float>(), expected, 2e-5);
  check_close(r.outputs[1].values<float>(), mean_ref, 1e-6);
  check_close(r.outputs[2].values<float>(), inv_ref, 1e-5);
}

TEST_CASE("Softmax and LogSoftmax of long rows and along an outer axis") {
  const shape_t s = {3, 257, 5};
  const auto x = random_floats(3 * 257 * 5, -20, 20, 66);
  for (const int64_t axis : {1, 2}) {
    const int64_t n = s[size_t(axis)], inner = axis == 1 ? 5 : 1, outer = 3 * 257 * 5 / (n * inner);
    std::vector<double> sm(x.size()), lsm(x.size());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        double mx = -INFINITY, sum = 0;
        auto at = [&](int64_t k) { return size_t((o * n + k) * inner + i); };
        for (int64_t k = 0; k < n; ++k) mx = std::max(mx, double(x[at(k)]));
        for (int64_t k = 0; k < n; ++k) sum += std::exp(x[at(k)] - mx);
        for (int64_t k = 0; k < n; ++k) {
          sm[at(k)] = std::exp(x[at(k)] - mx) / sum;
          lsm[at(k)] = x[at(k)] - mx - std::log(sum);
        }
      }
    CAPTURE(axis);
    check_close(run_f32({"Softmax", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, s}}, {attr_i("axis", axis)}}), sm, 1e-5);
    check_close(run_f32({"LogSoftmax", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, s}}, {attr_i("axis", axis)}}), lsm, 1e-5);
  }
}

TEST_CASE("Softmax keeps exact zeros for -inf, and a trailing unit axis is still innermost") {
  const std::vector<float> x = {1.f, -INFINITY, 2.f, -1e30f, 0.5f, -INFINITY};
  const auto r = run_f32({"Softmax", {f32({2, 3, 1}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 1}}}, {attr_i("axis", 1)}});
  const double e = std::exp(-1.0);
  check_close(r, {e / (1 + e), 0, 1 / (1 + e), 0, 1, 0}, 1e-6);
  CHECK(r[1] == 0.f);
  CHECK(r[3] == 0.f);
  CHECK(r[5] == 0.f);
}

TEST_CASE("oneDNN kernels give the same result with a workspace, without one, and from 4 threads at once") {
  const auto x = random_floats(2 * 8 * 20 * 20, -1, 1, 67), w = random_floats(16 * 8 * 9, -1, 1, 68);
  op_call conv{"Conv", {f32({2, 8, 20, 20}, x), f32({16, 8, 3, 3}, w, true)}, {{MIRT_DTYPE_FLOAT32, {2, 16, 20, 20}}},
               {attr_ints("pads", {1, 1, 1, 1})}};
  op_call pool{"MaxPool", {f32({2, 8, 20, 20}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 8, 10, 10}}},
               {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}};
  op_call softmax{"Softmax", {f32({2, 8, 20, 20}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 8, 20, 20}}}};
  op_call tanh{"Tanh", {f32({2, 8, 20, 20}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 8, 20, 20}}}};
  for (op_call* c : {&conv, &pool, &softmax, &tanh}) {
    CAPTURE(c->op);
    const auto with = run_f32(*c);
    c->workspace = false;
    CHECK(run_f32(*c) == with);
    c->workspace = true;
    c->threads = 4;
    c->repeat = 3;
    CHECK(run_f32(*c) == with);
  }
}

}  // TEST_SUITE
