// tests/backends/cpu/test_matmul.cpp — MatMul (batched, broadcast, 1-D) and Gemm against float64 loops.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

// numpy.matmul in float64, including 1-D promotion and batch broadcasting.
std::vector<double> ref_matmul(const std::vector<float>& a, shape_t sa, const std::vector<float>& b, shape_t sb,
                               shape_t& out) {
  const bool a1 = sa.size() == 1, b1 = sb.size() == 1;
  if (a1) sa.insert(sa.begin(), 1);
  if (b1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  const shape_t ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
  const shape_t batch = broadcast(ba, bb);
  std::vector<double> r(size_t(numel(batch) * m * n));
  for (int64_t p = 0; p < numel(batch); ++p) {
    const int64_t pa = broadcast_index(ba, batch, p), pb = broadcast_index(bb, batch, p);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t q = 0; q < k; ++q) s += double(a[size_t((pa * m + i) * k + q)]) * b[size_t((pb * k + q) * n + j)];
        r[size_t((p * m + i) * n + j)] = s;
      }
  }
  out = batch;
  if (!a1) out.push_back(m);
  if (!b1) out.push_back(n);
  return r;
}

void check_matmul(const shape_t& sa, const shape_t& sb, bool const_b = false) {
  const auto a = random_floats(numel(sa), -1, 1, 31), b = random_floats(numel(sb), -1, 1, 32);
  shape_t out;
  const auto expected = ref_matmul(a, sa, b, sb, out);
  CAPTURE(sa.size());
  CAPTURE(sb.size());
  check_close(run_f32({"MatMul", {f32(sa, a), f32(sb, b, const_b)}, {{MIRT_DTYPE_FLOAT32, out}}}), expected, 1e-5);
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("MatMul of matrices, batches and broadcast batches matches numpy semantics") {
  check_matmul({3, 5}, {5, 4});
  check_matmul({2, 3, 5}, {2, 5, 4});
  check_matmul({2, 3, 5}, {5, 4}, true);
  check_matmul({5, 4}, {3, 4, 6});
  check_matmul({2, 1, 3, 5}, {1, 4, 5, 2});
  check_matmul({1, 3, 5}, {4, 5, 2}, true);
}

TEST_CASE("MatMul promotes 1-D operands and drops their dims") {
  check_matmul({5}, {5, 4});
  check_matmul({3, 5}, {5});
  check_matmul({5}, {5});
  check_matmul({2, 3, 5}, {5});
  check_matmul({5}, {2, 5, 3});
}

TEST_CASE("MatMul and Softmax of float64 compute in double, with broadcast batches and a middle axis") {
  const shape_t sa = {2, 1, 3, 4}, sb = {3, 4, 2};
  const auto a = random_floats(numel(sa), -1, 1, 41), b = random_floats(numel(sb), -1, 1, 42);
  shape_t out;
  const auto expected = ref_matmul(a, sa, b, sb, out);
  REQUIRE(out == shape_t{2, 3, 3, 2});
  op_result r = run({"MatMul", {tensor_data::of<double>(MIRT_DTYPE_FLOAT64, sa, std::vector<double>(a.begin(), a.end())),
                                tensor_data::of<double>(MIRT_DTYPE_FLOAT64, sb, std::vector<double>(b.begin(), b.end()))},
                     {{MIRT_DTYPE_FLOAT64, out}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  const auto got = r.outputs[0].values<double>();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-12));

  // LogSoftmax along axis 1 of [2, 3, 2]: large values, so a missing max shift would overflow exp.
  const std::vector<double> x = {800, 1, 801, 2, 802, 3, -1, 0, -2, 0, -3, 0};
  r = run({"LogSoftmax", {tensor_data::of<double>(MIRT_DTYPE_FLOAT64, {2, 3, 2}, x)}, {{MIRT_DTYPE_FLOAT64, {2, 3, 2}}}, {attr_i("axis", 1)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  const auto y = r.outputs[0].values<double>();
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t i = 0; i < 2; ++i) {
      double m = -INFINITY, sum = 0;
      for (int64_t k = 0; k < 3; ++k) m = std::max(m, x[size_t(o * 6 + k * 2 + i)]);
      for (int64_t k = 0; k < 3; ++k) sum += std::exp(x[size_t(o * 6 + k * 2 + i)] - m);
      for (int64_t k = 0; k < 3; ++k) {
        const size_t at = size_t(o * 6 + k * 2 + i);
        CHECK(y[at] == doctest::Approx(x[at] - m - std::log(sum)).epsilon(1e-12));
      }
    }
}

TEST_CASE("Gemm applies alpha, beta, transposes and a broadcast C") {
  const int64_t m = 4, k = 6, n = 5;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (const shape_t& sc : {shape_t{n}, shape_t{m, 1}, shape_t{m, n}, shape_t{}, shape_t{1, n}}) {
        const shape_t sa = ta ? shape_t{k, m} : shape_t{m, k}, sb = tb ? shape_t{n, k} : shape_t{k, n};
        const auto a = random_floats(m * k, -1, 1, 33), b = random_floats(k * n, -1, 1, 34),
                   c = random_floats(numel(sc), -1, 1, 35);
        const double alpha = 0.5, beta = -2;
        std::vector<double> expected(size_t(m * n));
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (int64_t q = 0; q < k; ++q) s += double(ta ? a[size_t(q * m + i)] : a[size_t(i * k + q)]) * (tb ? b[size_t(j * k + q)] : b[size_t(q * n + j)]);
            expected[size_t(i * n + j)] = alpha * s + beta * c[size_t(broadcast_index(sc, {m, n}, i * n + j))];
          }
        CAPTURE(ta);
        CAPTURE(tb);
        CAPTURE(sc.size());
        op_call call{"Gemm", {f32(sa, a), f32(sb, b, tb == 1), f32(sc, c)}, {{MIRT_DTYPE_FLOAT32, {m, n}}},
                     {attr_f("alpha", 0.5f), attr_f("beta", -2.f), attr_i("transA", ta), attr_i("transB", tb)}};
        check_close(run_f32(call), expected, 1e-5);
      }
}

TEST_CASE("Gemm without C is a scaled product") {
  const auto a = random_floats(6, -1, 1, 36), b = random_floats(6, -1, 1, 37);
  std::vector<double> expected(4);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int q = 0; q < 3; ++q) expected[size_t(i * 2 + j)] += 3.0 * a[size_t(i * 3 + q)] * b[size_t(q * 2 + j)];
  check_close(run_f32({"Gemm", {f32({2, 3}, a), f32({3, 2}, b)}, {{MIRT_DTYPE_FLOAT32, {2, 2}}}, {attr_f("alpha", 3.f)}}), expected);
}

TEST_CASE("Det of a batch of matrices, with row swaps, a singular one, and float64") {
  // [3, 3, 3]: a permutation (det -1, needs pivoting), a singular matrix, a general one (det -306).
  const std::vector<float> x = {0, 1, 0, 1, 0, 0, 0, 0, 1,  1, 2, 3, 2, 4, 6, 0, 1, 5,  6, 1, 1, 4, -2, 5, 2, 8, 7};
  check_close(run_f32({"Det", {f32({3, 3, 3}, x)}, {{MIRT_DTYPE_FLOAT32, {3}}}}), {-1, 0, -306});
  op_result r = run({"Det", {tensor_data::of<double>(MIRT_DTYPE_FLOAT64, {2, 2}, {1e-3, 2, 3, 4})}, {{MIRT_DTYPE_FLOAT64, {}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<double>()[0] == doctest::Approx(1e-3 * 4 - 6).epsilon(1e-14));
}

TEST_CASE("MatMul with a constant matrix B runs as an inner product over A's folded leading dims") {
  const shape_t sa = {2, 3, 5}, sb = {5, 4};
  const auto a = random_floats(numel(sa), -1, 1, 51), b = random_floats(numel(sb), -1, 1, 52);
  shape_t out;
  const auto expected = ref_matmul(a, sa, b, sb, out);
  op_result r = run({"MatMul", {f32(sa, a), f32(sb, b, true)}, {{MIRT_DTYPE_FLOAT32, out}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.tactic == "onednn_inner_product");
  check_close(r.outputs[0].values<float>(), expected, 1e-5);
  // A B that batches is no matrix: the general MatMul kernel takes it.
  r = run({"MatMul", {f32({1, 3, 5}, a), f32({2, 5, 2}, b, true)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 2}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.tactic == "onednn_matmul");
}

TEST_CASE("FusedMatMul adds the bias and applies Relu or Gelu (erf) in one kernel") {
  const shape_t sa = {2, 3, 6}, sb = {6, 5};
  const auto a = random_floats(numel(sa), -2, 2, 61), b = random_floats(numel(sb), -1, 1, 62);
  const auto bias = random_floats(5, -1, 1, 63);
  shape_t out;
  const auto product = ref_matmul(a, sa, b, sb, out);
  for (const std::string act : {"", "Relu", "Gelu"}) {
    CAPTURE(act);
    std::vector<double> expected(product.size());
    for (size_t i = 0; i < product.size(); ++i) {
      const double h = product[i] + bias[i % 5];
      expected[i] = act == "Relu" ? std::max(h, 0.0) : act == "Gelu" ? 0.5 * h * (1 + std::erf(h / std::sqrt(2.0))) : h;
    }
    op_result r = run({"FusedMatMul", {f32(sa, a), f32(sb, b, true), f32({5}, bias, true)}, {{MIRT_DTYPE_FLOAT32, out}},
                       {attr_s("activation", act)}});
    REQUIRE(r.code == MIRT_STATUS_OK);
    check_close(r.outputs[0].values<float>(), expected, 1e-5);
  }
  // A bias given at run time (not constant) works too.
  std::vector<double> expected(product.size());
  for (size_t i = 0; i < product.size(); ++i) expected[i] = product[i] + bias[i % 5];
  check_close(run_f32({"FusedMatMul", {f32(sa, a), f32(sb, b, true), f32({5}, bias)}, {{MIRT_DTYPE_FLOAT32, out}}}), expected,
              1e-5);
}

TEST_CASE("FusedMatMul refuses what its kernel cannot run, naming why") {
  const auto a = random_floats(6, -1, 1, 71), b = random_floats(6, -1, 1, 72), bias = random_floats(3, -1, 1, 73);
  op_result r = run({"FusedMatMul", {f32({3, 2}, a), f32({2, 3}, b, true), f32({3}, bias, true)}, {{MIRT_DTYPE_FLOAT32, {3, 3}}},
                     {attr_s("activation", "Tanh")}});
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("Tanh") != std::string::npos);
  r = run({"FusedMatMul", {f32({3, 2}, a), f32({2, 3}, b), f32({3}, bias, true)}, {{MIRT_DTYPE_FLOAT32, {3, 3}}}});
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("constant") != std::string::npos);
}

}  // TEST_SUITE
