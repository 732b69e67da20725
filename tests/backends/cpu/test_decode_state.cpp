// tests/backends/cpu/test_decode_state.cpp — CausalConvWithState in decode steps that chain their
// state (two steps equal one longer call), with bias and SiLU; TensorScatter at a
// middle axis, circular wrap-around and a linear write past the end.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("CausalConvWithState: two chained decode steps equal one call over both, against a direct sum") {
  const int64_t B = 2, C = 3, K = 4, L1 = 3, L2 = 2, L = L1 + L2;
  const auto x = random_floats(B * C * L, -1, 1, 41), w = random_floats(C * K, -1, 1, 42), bias = random_floats(C, -1, 1, 43);
  // Reference: zero left context, y[t] = silu(b + sum_j w[j] x[t + j - (K - 1)]).
  std::vector<double> want(size_t(B * C * L));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < L; ++t) {
        double s = bias[size_t(c)];
        for (int64_t j = 0; j < K; ++j) {
          const int64_t at = t + j - (K - 1);
          if (at >= 0) s += double(w[size_t(c * K + j)]) * x[size_t((b * C + c) * L + at)];
        }
        want[size_t((b * C + c) * L + t)] = s / (1 + std::exp(-s));
      }
  auto slice = [&](int64_t from, int64_t len) {
    std::vector<float> out;
    for (int64_t bc = 0; bc < B * C; ++bc)
      for (int64_t t = from; t < from + len; ++t) out.push_back(x[size_t(bc * L + t)]);
    return out;
  };
  op_call first{"CausalConvWithState", {f32({B, C, L1}, slice(0, L1)), f32({C, 1, K}, w), f32({C}, bias)},
                {{MIRT_DTYPE_FLOAT32, {B, C, L1}}, {MIRT_DTYPE_FLOAT32, {B, C, K - 1}}}, {attr_s("activation", "silu")}};
  op_result r1 = run(first);
  REQUIRE(r1.code == MIRT_STATUS_OK);
  op_call second{"CausalConvWithState", {f32({B, C, L2}, slice(L1, L2)), f32({C, 1, K}, w), f32({C}, bias),
                                         f32({B, C, K - 1}, r1.outputs[1].values<float>())},
                 {{MIRT_DTYPE_FLOAT32, {B, C, L2}}, {MIRT_DTYPE_FLOAT32, {B, C, K - 1}}}, {attr_s("activation", "silu")}};
  op_result r2 = run(second);
  REQUIRE(r2.code == MIRT_STATUS_OK);
  std::vector<float> got;
  const auto y1 = r1.outputs[0].values<float>(), y2 = r2.outputs[0].values<float>();
  for (int64_t bc = 0; bc < B * C; ++bc) {
    for (int64_t t = 0; t < L1; ++t) got.push_back(y1[size_t(bc * L1 + t)]);
    for (int64_t t = 0; t < L2; ++t) got.push_back(y2[size_t(bc * L2 + t)]);
  }
  check_close(got, want);
  // The last state holds the last K - 1 inputs.
  std::vector<double> state;
  for (int64_t bc = 0; bc < B * C; ++bc)
    for (int64_t t = L - (K - 1); t < L; ++t) state.push_back(x[size_t(bc * L + t)]);
  check_close(r2.outputs[1].values<float>(), state);
}

TEST_CASE("TensorScatter at axis 1 (circular wrap-around) and a linear write past the end fails") {
  // cache [2, 4, 3], update [2, 3, 3] at axis 1; batch 0 writes at 2 (wraps to 2, 3, 0), batch 1 at 0.
  std::vector<float> cache(2 * 4 * 3), update = random_floats(2 * 3 * 3, -1, 1, 44);
  for (size_t i = 0; i < cache.size(); ++i) cache[i] = float(i);
  op_call call{"TensorScatter", {f32({2, 4, 3}, cache), f32({2, 3, 3}, update), i64({2}, {2, 0})},
               {{MIRT_DTYPE_FLOAT32, {2, 4, 3}}}, {attr_i("axis", 1), attr_s("mode", "circular")}};
  std::vector<double> want(cache.begin(), cache.end());
  const int64_t start[2] = {2, 0};
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t s = 0; s < 3; ++s)
      for (int64_t e = 0; e < 3; ++e) want[size_t((b * 4 + (start[b] + s) % 4) * 3 + e)] = update[size_t((b * 3 + s) * 3 + e)];
  check_close(run_f32(call), want);
  call.attrs = {attr_i("axis", 1)};
  op_result r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("write_indices[0] is 2: 3 updates do not fit a cache of 4") != std::string::npos);
}

}  // TEST_SUITE
