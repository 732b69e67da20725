// tests/backends/cpu/test_quant_integer.cpp — MatMulInteger, QLinearMatMul, ConvInteger and
// QLinearConv on what the ONNX node tests leave out (broadcast batches, per-row/per-column/per-
// channel zero points and scales, groups, dilations, auto_pad, bias, ties and saturation),
// against int64/float64 loops.
#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"
#include "tests/backends/cpu/test_quant_reference.hpp"

using namespace cpu_test;
using namespace quant_test;

namespace {

// Reference 2-D convolution (NCHW, groups, strides, dilations, begin pads) of shifted values.
std::vector<int64_t> conv_ref(const std::vector<int64_t>& x, const shape_t& xs, const std::vector<int64_t>& w,
                              const shape_t& ws, const shape_t& ys, int64_t group, std::array<int64_t, 2> stride,
                              std::array<int64_t, 2> dilation, std::array<int64_t, 2> pad) {
  std::vector<int64_t> y(size_t(numel(ys)), 0);
  const int64_t cg = xs[1] / group, mg = ws[0] / group;
  for (int64_t n = 0; n < ys[0]; ++n)
    for (int64_t m = 0; m < ys[1]; ++m)
      for (int64_t oh = 0; oh < ys[2]; ++oh)
        for (int64_t ow = 0; ow < ys[3]; ++ow) {
          int64_t sum = 0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t kh = 0; kh < ws[2]; ++kh)
              for (int64_t kw = 0; kw < ws[3]; ++kw) {
                const int64_t ih = oh * stride[0] - pad[0] + kh * dilation[0], iw = ow * stride[1] - pad[1] + kw * dilation[1];
                if (ih < 0 || ih >= xs[2] || iw < 0 || iw >= xs[3]) continue;
                const int64_t ci = (m / mg) * cg + c;
                sum += x[size_t(((n * xs[1] + ci) * xs[2] + ih) * xs[3] + iw)] * w[size_t(((m * ws[1] + c) * ws[2] + kh) * ws[3] + kw)];
              }
          y[size_t(((n * ys[1] + m) * ys[2] + oh) * ys[3] + ow)] = sum;
        }
  return y;
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("MatMulInteger broadcasts a 2-D B over A's batches with per-row and per-column zero points") {
  const int64_t b = 2, m = 3, k = 5, n = 4;
  const auto a = random_q8<uint8_t>(b * m * k, 1);
  const auto w = random_q8<int8_t>(k * n, 2);
  const std::vector<uint8_t> za = {0, 128, 255};
  const std::vector<int8_t> zb = {-128, 0, 5, 127};
  op_call call{"MatMulInteger", {q8<uint8_t>({b, m, k}, a), q8<int8_t>({k, n}, w), q8<uint8_t>({m}, za), q8<int8_t>({n}, zb)},
               {{MIRT_DTYPE_INT32, {b, m, n}}}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const auto got = r.outputs[0].values<int32_t>();
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += (int64_t(a[size_t((bi * m + i) * k + p)]) - za[size_t(i)]) * (int64_t(w[size_t(p * n + j)]) - zb[size_t(j)]);
        CHECK(got[size_t((bi * m + i) * n + j)] == sum);
      }
  call.inputs[3] = q8<int8_t>({3}, {1, 2, 3});
  r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(r.message.find("zero point of B") != std::string::npos);
}

TEST_CASE("QLinearMatMul rounds ties to even before the zero point and saturates") {
  // a_scale * b_scale / y_scale = 0.5 makes every odd accumulator a tie.
  const int64_t m = 4, k = 3, n = 5;
  const auto a = random_q8<int8_t>(m * k, 3);
  const auto w = random_q8<int8_t>(k * n, 4);
  for (const float y_scale : {1.0f, 0.01f}) {  // 0.01: most outputs saturate
    op_call call{"QLinearMatMul",
                 {q8<int8_t>({m, k}, a), f32({}, {0.5f}), q8<int8_t>({}, {0}), q8<int8_t>({k, n}, w), f32({}, {1.0f}),
                  q8<int8_t>({}, {0}), f32({}, {y_scale}), q8<uint8_t>({}, {100})},
                 {{MIRT_DTYPE_UINT8, {m, n}}}};
    op_result r = run(call);
    REQUIRE(r.code == MIRT_STATUS_OK);
    const auto got = as_ints<uint8_t>(r.outputs[0]);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t acc = 0;
        for (int64_t p = 0; p < k; ++p) acc += int64_t(a[size_t(i * k + p)]) * w[size_t(p * n + j)];
        CHECK(got[size_t(i * n + j)] == requantize<uint8_t>(double(acc) * double(0.5f / y_scale), 100));
      }
  }
}

TEST_CASE("ConvInteger with groups, stride, dilation, SAME_UPPER padding and per-channel weight zero points") {
  const shape_t xs = {1, 4, 7, 6}, ws = {6, 2, 3, 2}, ys = {1, 6, 4, 3};  // group 2; stride 2 -> ceil(7/2), ceil(6/2)
  const auto x = random_q8<uint8_t>(numel(xs), 5);
  const auto w = random_q8<int8_t>(numel(ws), 6);
  const std::vector<int8_t> zw = {0, 1, -1, 50, -50, 127};
  const uint8_t zx = 7;
  op_call call{"ConvInteger", {q8<uint8_t>(xs, x), q8<int8_t>(ws, w), q8<uint8_t>({}, {zx}), q8<int8_t>({6}, zw)},
               {{MIRT_DTYPE_INT32, ys}},
               {attr_i("group", 2), attr_ints("strides", {2, 2}), attr_ints("dilations", {2, 1}), attr_s("auto_pad", "SAME_UPPER")}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  std::vector<int64_t> xv, wv;
  for (uint8_t v : x) xv.push_back(int64_t(v) - zx);
  for (size_t i = 0; i < w.size(); ++i) wv.push_back(int64_t(w[i]) - zw[i / size_t(numel({2, 3, 2}))]);
  // SAME_UPPER: total pad (out-1)*s + (k-1)*d + 1 - in, the smaller half first: H 6+5-7=4 -> 2; W 4+2-6=0.
  const auto want = conv_ref(xv, xs, wv, ws, ys, 2, {2, 2}, {2, 1}, {2, 0});
  const auto got = r.outputs[0].values<int32_t>();
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK_MESSAGE(got[i] == want[i], "at ", i);
}

TEST_CASE("QLinearConv adds the int32 bias and requantizes with per-channel weight scales") {
  const shape_t xs = {2, 3, 5, 5}, ws = {4, 3, 3, 3}, ys = {2, 4, 5, 5};
  const auto x = random_q8<int8_t>(numel(xs), 7);
  const auto w = random_q8<int8_t>(numel(ws), 8);
  const std::vector<float> sw = {0.001f, 0.002f, 0.0005f, 0.004f};
  const std::vector<int32_t> bias = {-1000, 0, 250, 7777};
  const float sx = 0.05f, sy = 0.2f;
  op_call call{"QLinearConv",
               {q8<int8_t>(xs, x), f32({}, {sx}), q8<int8_t>({}, {-3}), q8<int8_t>(ws, w), f32({4}, sw),
                q8<int8_t>({}, {0}), f32({}, {sy}), q8<int8_t>({}, {10}), i32({4}, bias)},
               {{MIRT_DTYPE_INT8, ys}},
               {attr_ints("pads", {1, 1, 1, 1})}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  std::vector<int64_t> xv(x.begin(), x.end()), wv(w.begin(), w.end());
  for (auto& v : xv) v += 3;
  const auto acc = conv_ref(xv, xs, wv, ws, ys, 1, {1, 1}, {1, 1}, {1, 1});
  const auto got = as_ints<int8_t>(r.outputs[0]);
  for (size_t i = 0; i < got.size(); ++i) {
    const size_t m = (i / 25) % 4;
    const double mult = double(sx * sw[m] / sy);
    CHECK_MESSAGE(got[i] == requantize<int8_t>(double(acc[i] + bias[m]) * mult, 10), "at ", i);
  }
  call.inputs[4] = f32({3}, {0.1f, 0.1f, 0.1f});
  r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(r.message.find("w_scale") != std::string::npos);
}

}  // TEST_SUITE
