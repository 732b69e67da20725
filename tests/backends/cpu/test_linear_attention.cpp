// tests/backends/cpu/test_linear_attention.cpp — LinearAttention against float64 references written
// here: the gated rule in its parallel (non-recurrent) form with grouped query heads and a past
// state, and the gated delta rule step by step, whose state chains across two calls.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

attr update_rule(const std::string& rule) { return attr_s("update_rule", rule); }

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("LinearAttention gated with 4 query heads over 2 kv heads and a past state, against the parallel form") {
  const int64_t B = 2, T = 3, Hq = 4, Hkv = 2, dk = 3, dv = 2, G = Hq / Hkv;
  const auto q = random_floats(B * T * Hq * dk, -1, 1, 51), k = random_floats(B * T * Hkv * dk, -1, 1, 52);
  const auto v = random_floats(B * T * Hkv * dv, -1, 1, 53), decay = random_floats(B * T * Hkv * dk, -0.5f, 0, 54);
  const auto past = random_floats(B * Hkv * dk * dv, -1, 1, 55);
  // out_t = scale sum_i q_t[i] (past[i][j] prod_{r<=t} g_r[i] + sum_{s<=t} k_s[i] v_s[j] prod_{s<r<=t} g_r[i]), g = exp(decay).
  const double scale = 1 / std::sqrt(double(dk));
  auto g = [&](int64_t b, int64_t r, int64_t h, int64_t i) { return std::exp(double(decay[size_t(((b * T + r) * Hkv + h) * dk + i)])); };
  std::vector<double> want(size_t(B * T * Hq * dv)), want_state(size_t(B * Hkv * dk * dv));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t hq = 0; hq < Hq; ++hq) {
      const int64_t h = hq / G;
      for (int64_t t = 0; t < T; ++t)
        for (int64_t j = 0; j < dv; ++j) {
          double sum = 0;
          for (int64_t i = 0; i < dk; ++i) {
            double kept = past[size_t(((b * Hkv + h) * dk + i) * dv + j)];
            for (int64_t r = 0; r <= t; ++r) kept *= g(b, r, h, i);
            for (int64_t s = 0; s <= t; ++s) {
              double term = double(k[size_t(((b * T + s) * Hkv + h) * dk + i)]) * v[size_t(((b * T + s) * Hkv + h) * dv + j)];
              for (int64_t r = s + 1; r <= t; ++r) term *= g(b, r, h, i);
              kept += term;
            }
            sum += double(q[size_t(((b * T + t) * Hq + hq) * dk + i)]) * kept;
            if (t == T - 1 && hq % G == 0) want_state[size_t(((b * Hkv + h) * dk + i) * dv + j)] = kept;
          }
          want[size_t(((b * T + t) * Hq + hq) * dv + j)] = scale * sum;
        }
    }
  op_call call{"LinearAttention",
               {f32({B, T, Hq * dk}, q), f32({B, T, Hkv * dk}, k), f32({B, T, Hkv * dv}, v), f32({B, Hkv, dk, dv}, past),
                f32({B, T, Hkv * dk}, decay)},
               {{MIRT_DTYPE_FLOAT32, {B, T, Hq * dv}}, {MIRT_DTYPE_FLOAT32, {B, Hkv, dk, dv}}},
               {attr_i("q_num_heads", Hq), attr_i("kv_num_heads", Hkv), update_rule("gated")}};
  op_result r = run(call);
  REQUIRE_MESSAGE(r.code == MIRT_STATUS_OK, r.message);
  check_close(r.outputs[0].values<float>(), want);
  check_close(r.outputs[1].values<float>(), want_state);
}

TEST_CASE("LinearAttention gated delta (per-head decay, one beta for all heads, explicit scale): two chained calls equal the rule step by step") {
  const int64_t B = 1, T1 = 2, T2 = 3, T = T1 + T2, H = 2, dk = 2, dv = 3;
  const auto q = random_floats(B * T * H * dk, -1, 1, 61), k = random_floats(B * T * H * dk, -1, 1, 62);
  const auto v = random_floats(B * T * H * dv, -1, 1, 63), decay = random_floats(B * T * H, -0.5f, 0, 64);
  const auto beta = random_floats(B * T, 0, 1, 65);
  const float scale = 0.7f;
  // The rule, one step at a time: S = exp(decay) S; S += k (beta (v - S^T k))^T; out = scale q^T S.
  std::vector<double> want(size_t(B * T * H * dv));
  for (int64_t h = 0; h < H; ++h) {
    std::vector<double> s(static_cast<size_t>(dk * dv), 0.0);
    for (int64_t t = 0; t < T; ++t) {
      for (double& x : s) x *= std::exp(double(decay[size_t(t * H + h)]));
      std::vector<double> w(static_cast<size_t>(dv));
      for (int64_t j = 0; j < dv; ++j) {
        double read = 0;
        for (int64_t i = 0; i < dk; ++i) read += s[size_t(i * dv + j)] * k[size_t((t * H + h) * dk + i)];
        w[size_t(j)] = beta[size_t(t)] * (v[size_t((t * H + h) * dv + j)] - read);
      }
      for (int64_t i = 0; i < dk; ++i)
        for (int64_t j = 0; j < dv; ++j) s[size_t(i * dv + j)] += k[size_t((t * H + h) * dk + i)] * w[size_t(j)];
      for (int64_t j = 0; j < dv; ++j) {
        double sum = 0;
        for (int64_t i = 0; i < dk; ++i) sum += q[size_t((t * H + h) * dk + i)] * s[size_t(i * dv + j)];
        want[size_t((t * H + h) * dv + j)] = scale * sum;
      }
    }
  }
  // Steps [from, from + len) of a [1, T, width] tensor.
  auto steps = [](const std::vector<float>& x, int64_t width, int64_t from, int64_t len) {
    return std::vector<float>(x.begin() + from * width, x.begin() + (from + len) * width);
  };
  auto call = [&](int64_t from, int64_t len, const std::vector<float>* past) {
    op_call c{"LinearAttention",
              {f32({B, len, H * dk}, steps(q, H * dk, from, len)), f32({B, len, H * dk}, steps(k, H * dk, from, len)),
               f32({B, len, H * dv}, steps(v, H * dv, from, len)), past ? f32({B, H, dk, dv}, *past) : omitted(),
               f32({B, len, H}, steps(decay, H, from, len)), f32({B, len, 1}, steps(beta, 1, from, len))},
              {{MIRT_DTYPE_FLOAT32, {B, len, H * dv}}, {MIRT_DTYPE_FLOAT32, {B, H, dk, dv}}},
              {attr_i("q_num_heads", H), attr_i("kv_num_heads", H), attr_f("scale", scale)}};
    op_result r = run(c);
    REQUIRE_MESSAGE(r.code == MIRT_STATUS_OK, r.message);
    return r;
  };
  op_result first = call(0, T1, nullptr);
  const std::vector<float> state = first.outputs[1].values<float>();
  op_result second = call(T1, T2, &state);
  std::vector<float> got = first.outputs[0].values<float>();
  for (float x : second.outputs[0].values<float>()) got.push_back(x);
  check_close(got, want);
}

}  // TEST_SUITE
