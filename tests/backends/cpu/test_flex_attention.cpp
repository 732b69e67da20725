// tests/backends/cpu/test_flex_attention.cpp — FlexAttention (ai.onnx.preview) against a float64
// reference written here: softmax(Q K^T * scale) V per query head, grouped-query heads reading
// key/value head h / (Hq / Hkv), in float32 and float16.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

struct flex_case {
  int64_t b = 2, hq = 4, hkv = 4, l = 3, s = 5, e = 8, ev = 8;
  float scale = -1;  // < 0: the default 1/sqrt(e)
  bool float16 = false;
};

tensor_data operand(bool float16, shape_t shape, const std::vector<float>& v) {
  return float16 ? f16(std::move(shape), v) : f32(std::move(shape), v);
}

void check_flex(const flex_case& c) {
  auto q = random_floats(c.b * c.hq * c.l * c.e, -2, 2, 111), k = random_floats(c.b * c.hkv * c.s * c.e, -2, 2, 112);
  auto v = random_floats(c.b * c.hkv * c.s * c.ev, -1, 1, 113);
  if (c.float16) q = round_to_half(q), k = round_to_half(k), v = round_to_half(v);
  const double scale = c.scale >= 0 ? c.scale : 1 / std::sqrt(double(c.e));
  std::vector<double> want;
  for (int64_t b = 0; b < c.b; ++b)
    for (int64_t h = 0; h < c.hq; ++h)
      for (int64_t l = 0; l < c.l; ++l) {
        const int64_t kh = h / (c.hq / c.hkv);
        std::vector<double> p(size_t(c.s));
        double top = -INFINITY, sum = 0;
        for (int64_t s = 0; s < c.s; ++s) {
          double dot = 0;
          for (int64_t e = 0; e < c.e; ++e)
            dot += double(q[size_t(((b * c.hq + h) * c.l + l) * c.e + e)]) * double(k[size_t(((b * c.hkv + kh) * c.s + s) * c.e + e)]);
          p[size_t(s)] = dot * scale, top = std::max(top, p[size_t(s)]);
        }
        for (double& x : p) x = std::exp(x - top), sum += x;
        for (int64_t e = 0; e < c.ev; ++e) {
          double acc = 0;
          for (int64_t s = 0; s < c.s; ++s) acc += p[size_t(s)] / sum * double(v[size_t(((b * c.hkv + kh) * c.s + s) * c.ev + e)]);
          want.push_back(acc);
        }
      }
  op_call call{"FlexAttention",
               {operand(c.float16, {c.b, c.hq, c.l, c.e}, q), operand(c.float16, {c.b, c.hkv, c.s, c.e}, k),
                operand(c.float16, {c.b, c.hkv, c.s, c.ev}, v)},
               {{c.float16 ? MIRT_DTYPE_FLOAT16 : MIRT_DTYPE_FLOAT32, {c.b, c.hq, c.l, c.ev}}}};
  if (c.scale >= 0) call.attrs.push_back(attr_f("scale", c.scale));
  op_result r = run(call);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  if (!c.float16) return check_close(r.outputs[0].values<float>(), want, 1e-5);
  const std::vector<float> got = half_values(r.outputs[0]);
  check_close(got, want, 1e-3);  // float16 output rounding of values below 1
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("FlexAttention: default and given scale, grouped-query heads, a wider V, float16, against a float64 reference") {
  flex_case c;
  SUBCASE("default scale") {}
  SUBCASE("scale 0.3") { c.scale = 0.3f; }
  SUBCASE("grouped-query heads (8 query heads on 2)") { c.hq = 8, c.hkv = 2; }
  SUBCASE("V head size 12, one query") { c.ev = 12, c.l = 1; }
  SUBCASE("float16, grouped-query heads") { c.float16 = true, c.hq = 4, c.hkv = 2; }
  check_flex(c);
}

}  // TEST_SUITE
