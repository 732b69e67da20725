// tests/backends/cpu/test_attention.cpp — Attention on the edges the ONNX node tests leave out:
// a fully masked query row, causal masking with nonpad_kv_seqlen, and bad attributes; and
// mirt::FusedAttention with empty head dimensions.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

// float64 attention of 4-D q [B,H,S,D], k/v [B,Hkv,T,D] with an additive [B,1,S,T] bias (may hold -inf).
std::vector<double> ref_attention(const std::vector<float>& q, const std::vector<float>& k, const std::vector<float>& v,
                                  const std::vector<double>& bias, int64_t b, int64_t h, int64_t hkv, int64_t s,
                                  int64_t t, int64_t d) {
  std::vector<double> y(size_t(b * h * s * d), 0.0);
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t hi = 0; hi < h; ++hi)
      for (int64_t i = 0; i < s; ++i) {
        const int64_t kh = hi / (h / hkv);
        std::vector<double> p(static_cast<size_t>(t));
        double mx = -INFINITY, sum = 0;
        for (int64_t j = 0; j < t; ++j) {
          double dot = 0;
          for (int64_t e = 0; e < d; ++e)
            dot += double(q[size_t(((bi * h + hi) * s + i) * d + e)]) * k[size_t(((bi * hkv + kh) * t + j) * d + e)];
          p[size_t(j)] = dot / std::sqrt(double(d)) + bias[size_t((bi * s + i) * t + j)];
          mx = std::max(mx, p[size_t(j)]);
        }
        if (std::isinf(mx)) continue;  // fully masked: zeros
        for (double& x : p) sum += (x = std::exp(x - mx));
        for (int64_t j = 0; j < t; ++j)
          for (int64_t e = 0; e < d; ++e)
            y[size_t(((bi * h + hi) * s + i) * d + e)] += p[size_t(j)] / sum * v[size_t(((bi * hkv + kh) * t + j) * d + e)];
      }
  return y;
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("Attention gives zeros for a query row whose bool mask allows no key") {
  const int64_t s = 3, t = 4, d = 2;
  const auto q = random_floats(s * d, -1, 1, 1), k = random_floats(t * d, -1, 1, 2), v = random_floats(t * d, -1, 1, 3);
  const std::vector<uint8_t> mask = {1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1};  // row 1 fully masked
  std::vector<double> bias(size_t(s * t));
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = mask[i] ? 0 : -INFINITY;
  op_call call{"Attention", {f32({1, 1, s, d}, q), f32({1, 1, t, d}, k), f32({1, 1, t, d}, v), boolean({s, t}, mask)},
               {{MIRT_DTYPE_FLOAT32, {1, 1, s, d}}}};
  const auto y = run_f32(call);
  check_close(y, ref_attention(q, k, v, bias, 1, 1, 1, s, t, d));
  CHECK(y[2] == 0.0f);
  CHECK(y[3] == 0.0f);
}

TEST_CASE("Attention with grouped heads, is_causal and nonpad_kv_seqlen aligns the causal frontier per batch") {
  const int64_t b = 2, h = 4, hkv = 2, s = 2, t = 5, d = 3;
  const auto q = random_floats(b * h * s * d, -1, 1, 4), k = random_floats(b * hkv * t * d, -1, 1, 5),
             v = random_floats(b * hkv * t * d, -1, 1, 6);
  const std::vector<int64_t> valid = {5, 3};
  std::vector<double> bias(size_t(b * s * t));
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t i = 0; i < s; ++i)
      for (int64_t j = 0; j < t; ++j)
        bias[size_t((bi * s + i) * t + j)] = j <= i + valid[size_t(bi)] - s && j < valid[size_t(bi)] ? 0 : -INFINITY;
  op_call call{"Attention",
               {f32({b, h, s, d}, q), f32({b, hkv, t, d}, k), f32({b, hkv, t, d}, v), omitted(), omitted(), omitted(),
                i64({b}, valid)},
               {{MIRT_DTYPE_FLOAT32, {b, h, s, d}}},
               {attr_i("is_causal", 1)}};
  check_close(run_f32(call), ref_attention(q, k, v, bias, b, h, hkv, s, t, d));
}

TEST_CASE("Attention refuses an out-of-range qk_matmul_output_mode and 3-D inputs without head counts") {
  const auto x = random_floats(8);
  op_call call{"Attention", {f32({1, 1, 2, 4}, x), f32({1, 1, 2, 4}, x), f32({1, 1, 2, 4}, x)},
               {{MIRT_DTYPE_FLOAT32, {1, 1, 2, 4}}}, {attr_i("qk_matmul_output_mode", 7)}};
  op_result r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message.find("qk_matmul_output_mode") != std::string::npos);
  op_call flat{"Attention", {f32({1, 2, 4}, x), f32({1, 2, 4}, x), f32({1, 2, 4}, x)}, {{MIRT_DTYPE_FLOAT32, {1, 2, 4}}}};
  r = run(flat);
  CHECK(r.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message.find("q_num_heads") != std::string::npos);
}

}  // TEST_SUITE

TEST_CASE("FusedAttention with empty head dimensions: Dk 0 weights V by the softmax of the mask alone, Skv 0 gives zeros") {
  const int64_t sq = 3, h = 2, skv = 4, dv = 5;
  const std::vector<float> v = random_floats(skv * h * dv, -1, 1, 81), mask = random_floats(sq * skv, -2, 2, 82);
  std::vector<double> want(size_t(sq * h * dv), 0.0);
  for (int64_t i = 0; i < sq; ++i) {
    double m = -INFINITY, sum = 0;
    for (int64_t j = 0; j < skv; ++j) m = std::max(m, double(mask[size_t(i * skv + j)]));
    for (int64_t j = 0; j < skv; ++j) sum += std::exp(mask[size_t(i * skv + j)] - m);
    for (int64_t hh = 0; hh < h; ++hh)
      for (int64_t j = 0; j < skv; ++j)
        for (int64_t e = 0; e < dv; ++e)
          want[size_t((i * h + hh) * dv + e)] += std::exp(mask[size_t(i * skv + j)] - m) / sum * v[size_t((j * h + hh) * dv + e)];
  }
  const std::vector<float> y = run_f32({"FusedAttention",
                                        {f32({1, sq, h, 0}, {}), f32({1, skv, h, 0}, {}), f32({1, skv, h, dv}, v),
                                         f32({sq, skv}, mask)},
                                        {{MIRT_DTYPE_FLOAT32, {1, sq, h, dv}}},
                                        {attr_f("scale", 0.5f)}});
  check_close(y, want, 1e-6);
  const std::vector<float> none = run_f32({"FusedAttention",
                                           {f32({1, sq, h, 2}, random_floats(sq * h * 2, -1, 1, 83)), f32({1, 0, h, 2}, {}),
                                            f32({1, 0, h, dv}, {})},
                                           {{MIRT_DTYPE_FLOAT32, {1, sq, h, dv}}},
                                           {attr_f("scale", 0.5f)}});
  check_close(none, std::vector<double>(size_t(sq * h * dv), 0.0), 0);
}
