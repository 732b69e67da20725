// tests/backends/cpu/test_conv.cpp — Conv and ConvTranspose against direct float64 loops.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

struct conv_case {
  shape_t x, w;
  int64_t group = 1;
  std::vector<int64_t> strides, dilations, pads, output_padding;  // pads: begins then ends
  std::string auto_pad = "NOTSET";
  bool bias = true;
  bool const_weights = true;
  bool dynamic = false;
  int threads = 1;
  std::string tactic;  // empty: the first offered
  bool float16 = false;  // operands and output in float16 (the reference sees the rounded operands)
  // mirt::FusedConv: activation(Conv + residual), when either is set
  std::string activation;
  float alpha = 0, beta = 0;
  bool residual = false;
  bool nhwc = false;  // FusedConv with layout "NHWC": X, Z and Y are handed over channels-last
};

// [N,C,H,W] data moved to channels-last and back (the logical shape stays NCHW).
std::vector<float> nchw_to_nhwc(const std::vector<float>& v, const shape_t& s) {
  std::vector<float> r(v.size());
  const int64_t hw = s[2] * s[3];
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t p = 0; p < hw; ++p) r[size_t((n * hw + p) * s[1] + c)] = v[size_t((n * s[1] + c) * hw + p)];
  return r;
}
std::vector<float> nhwc_to_nchw(const std::vector<float>& v, const shape_t& s) {
  std::vector<float> r(v.size());
  const int64_t hw = s[2] * s[3];
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t p = 0; p < hw; ++p) r[size_t((n * s[1] + c) * hw + p)] = v[size_t((n * hw + p) * s[1] + c)];
  return r;
}

double activate(const conv_case& c, double v) {
  if (c.activation == "Relu") return std::max(v, 0.0);
  if (c.activation == "LeakyRelu") return v < 0 ? c.alpha * v : v;
  if (c.activation == "Clip") return std::min(std::max(v, double(c.alpha)), double(c.beta));
  if (c.activation == "Sigmoid") return 1 / (1 + std::exp(-v));
  if (c.activation == "HardSwish") return v * std::max(0.0, std::min(1.0, v / 6 + 0.5));
  return v;
}

int64_t get(const std::vector<int64_t>& v, size_t i, int64_t d) { return i < v.size() ? v[i] : d; }

// Pads and output extents as ONNX defines them (the core's job at build time).
void geometry(const conv_case& c, bool transposed, shape_t& y, std::vector<int64_t>& pl) {
  const size_t sr = c.x.size() - 2;
  y = {c.x[0], transposed ? c.w[1] * c.group : c.w[0]};
  pl.assign(sr, 0);
  for (size_t i = 0; i < sr; ++i) {
    const int64_t s = get(c.strides, i, 1), d = get(c.dilations, i, 1), span = (c.w[2 + i] - 1) * d + 1, in = c.x[2 + i];
    int64_t out;
    if (transposed) {
      const int64_t op = get(c.output_padding, i, 0);
      if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
        out = in * s;
        const int64_t total = s * (in - 1) + op + span - out;
        pl[i] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      } else {
        pl[i] = get(c.pads, i, 0);
        out = s * (in - 1) + op + span - pl[i] - get(c.pads, sr + i, 0);
      }
    } else if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + span - in);
      pl[i] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (c.auto_pad == "VALID") {
      out = (in - span) / s + 1;
    } else {
      pl[i] = get(c.pads, i, 0);
      out = (in + pl[i] + get(c.pads, sr + i, 0) - span) / s + 1;
    }
    y.push_back(out);
  }
}

std::vector<double> reference(const conv_case& c, bool transposed, const std::vector<float>& x, const std::vector<float>& w,
                              const std::vector<float>& b, const shape_t& y, const std::vector<int64_t>& pl) {
  const size_t sr = c.x.size() - 2;
  std::vector<double> out(size_t(numel(y)), 0.0);
  const int64_t g = c.group, cin = c.x[1], cout = y[1], icg = cin / g, ocg = cout / g;
  const shape_t xsp(c.x.begin() + 2, c.x.end()), ysp(y.begin() + 2, y.end()), ksp(c.w.begin() + 2, c.w.end());
  const int64_t nx = numel(xsp), ny = numel(ysp), nk = numel(ksp);
  for (int64_t n = 0; n < c.x[0]; ++n)
    for (int64_t ic = 0; ic < cin; ++ic) {
      const int64_t grp = ic / icg;
      for (int64_t oc = grp * ocg; oc < (grp + 1) * ocg; ++oc)
        for (int64_t k = 0; k < nk; ++k) {
          const auto kidx = unravel(k, ksp);
          const double wv = transposed ? w[size_t((ic * ocg + oc % ocg) * nk + k)] : w[size_t((oc * icg + ic % icg) * nk + k)];
          // Conv gathers each output from inputs; ConvTranspose scatters each input into outputs.
          const int64_t outer = transposed ? nx : ny;
          for (int64_t p = 0; p < outer; ++p) {
            const auto pidx = unravel(p, transposed ? xsp : ysp);
            int64_t other = 0;
            bool inside = true;
            for (size_t i = 0; i < sr; ++i) {
              const int64_t pos = pidx[i] * get(c.strides, i, 1) - pl[i] + kidx[i] * get(c.dilations, i, 1);
              const int64_t lim = transposed ? ysp[i] : xsp[i];
              inside = inside && pos >= 0 && pos < lim;
              other = other * lim + pos;
            }
            if (!inside) continue;
            if (transposed) out[size_t((n * cout + oc) * ny + other)] += x[size_t((n * cin + ic) * nx + p)] * wv;
            else out[size_t((n * cout + oc) * ny + p)] += x[size_t((n * cin + ic) * nx + other)] * wv;
          }
        }
    }
  if (!b.empty())
    for (size_t i = 0; i < out.size(); ++i) out[i] += b[(i / size_t(ny)) % size_t(cout)];
  return out;
}

void check_conv(const conv_case& c, bool transposed) {
  shape_t y;
  std::vector<int64_t> pl;
  geometry(c, transposed, y, pl);
  auto x = random_floats(numel(c.x), -1, 1, 21), w = random_floats(numel(c.w), -1, 1, 22);
  const int64_t cout = y[1];
  auto b = c.bias ? random_floats(cout, -1, 1, 23) : std::vector<float>{};
  if (c.float16) x = round_to_half(x), w = round_to_half(w), b = round_to_half(b);
  const auto operand = [&](shape_t shape, const std::vector<float>& v, bool constant) {
    return c.float16 ? f16(std::move(shape), v, constant) : f32(std::move(shape), v, constant);
  };
  const bool fused = c.residual || !c.activation.empty() || c.nhwc;
  op_call call{fused ? "FusedConv" : transposed ? "ConvTranspose" : "Conv",
               {operand(c.x, c.nhwc ? nchw_to_nhwc(x, c.x) : x, false), operand(c.w, w, c.const_weights)},
               {{c.float16 ? MIRT_DTYPE_FLOAT16 : MIRT_DTYPE_FLOAT32, y}}};
  if (c.bias) call.inputs.push_back(operand({cout}, b, c.const_weights));
  auto z = random_floats(numel(y), -1, 1, 24);
  if (c.float16) z = round_to_half(z);
  if (c.residual) {
    if (!c.bias) call.inputs.push_back(omitted());
    call.inputs.push_back(operand(y, c.nhwc ? nchw_to_nhwc(z, y) : z, false));
  }
  if (c.nhwc) call.attrs.push_back(attr_s("layout", "NHWC"));
  if (!c.activation.empty()) {
    call.attrs.push_back(attr_s("activation", c.activation));
    call.attrs.push_back(attr_f("activation_alpha", c.alpha));
    call.attrs.push_back(attr_f("activation_beta", c.beta));
  }
  call.attrs.push_back(attr_i("group", c.group));
  if (!c.strides.empty()) call.attrs.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) call.attrs.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) call.attrs.push_back(attr_ints("pads", c.pads));
  if (!c.output_padding.empty()) call.attrs.push_back(attr_ints("output_padding", c.output_padding));
  if (c.auto_pad != "NOTSET") call.attrs.push_back(attr_s("auto_pad", c.auto_pad));
  call.dynamic_build = c.dynamic;
  call.threads = c.threads;
  call.tactic = c.tactic;
  const op_result r = run(call);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.tactic.find("onednn") != std::string::npos);
  if (!c.tactic.empty()) CHECK(r.tactic == c.tactic);
  if (c.float16) {  // float32 accumulation, one rounding to float16 (relative error 2^-11)
    const std::vector<float> got = half_values(r.outputs[0]);
    std::vector<double> expected = reference(c, transposed, x, w, b, y, pl);
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = activate(c, expected[i] + (c.residual ? z[i] : 0.0));
    check_close(got, expected, 1e-3);
  } else {
    std::vector<double> expected = reference(c, transposed, x, w, b, y, pl);
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = activate(c, expected[i] + (c.residual ? z[i] : 0.0));
    const std::vector<float> got = r.outputs[0].values<float>();
    check_close(c.nhwc ? nhwc_to_nchw(got, y) : got, expected, 1e-4);
  }
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("Conv 2D matches the reference with bias, strides and asymmetric pads") {
  conv_case c{{2, 3, 9, 8}, {4, 3, 3, 3}};
  c.strides = {2, 1};
  c.pads = {1, 0, 2, 1};
  check_conv(c, false);
}

TEST_CASE("Conv handles groups with dilation and no bias") {
  conv_case c{{1, 4, 10, 10}, {6, 2, 3, 3}, 2};
  c.dilations = {2, 2};
  c.pads = {2, 2, 2, 2};
  c.bias = false;
  check_conv(c, false);
}

TEST_CASE("Conv handles depthwise (group equals channels) with stride 2") {
  conv_case c{{1, 8, 11, 11}, {8, 1, 3, 3}, 8};
  c.strides = {2, 2};
  c.pads = {1, 1, 1, 1};
  check_conv(c, false);
}

TEST_CASE("Conv auto_pad SAME_UPPER, SAME_LOWER and VALID with stride 2") {
  for (const std::string mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    conv_case c{{1, 2, 8, 7}, {3, 2, 4, 3}};
    c.strides = {2, 2};
    c.auto_pad = mode;
    CAPTURE(mode);
    check_conv(c, false);
  }
}

TEST_CASE("Conv 1D and 3D match the reference") {
  conv_case c1{{2, 3, 17}, {5, 3, 4}};
  c1.strides = {3};
  c1.pads = {2, 1};
  c1.dilations = {2};
  check_conv(c1, false);
  conv_case c3{{1, 2, 5, 6, 7}, {4, 2, 3, 2, 3}};
  c3.pads = {1, 0, 1, 1, 1, 0};
  c3.strides = {1, 2, 2};
  check_conv(c3, false);
}

TEST_CASE("Conv with runtime weights and shapes unknown at build time") {
  conv_case c{{3, 4, 7, 9}, {2, 4, 3, 3}};
  c.const_weights = false;
  c.dynamic = true;
  c.pads = {1, 1, 1, 1};
  check_conv(c, false);
}

TEST_CASE("Conv executes concurrently from several threads on one kernel") {
  conv_case c{{1, 8, 16, 16}, {8, 8, 3, 3}};
  c.pads = {1, 1, 1, 1};
  c.threads = 4;
  c.dynamic = true;
  check_conv(c, false);
}

TEST_CASE("every Conv and ConvTranspose layout tactic matches the reference") {
  for (const char* tactic : {"onednn_conv", "onednn_conv_nchw16c", "onednn_conv_nchw"}) {
    CAPTURE(tactic);
    conv_case c{{2, 32, 7, 6}, {32, 16, 3, 3}};
    c.group = 2;
    c.pads = {1, 1, 1, 1};
    c.tactic = tactic;
    check_conv(c, false);
  }
  for (const char* tactic : {"onednn_deconv", "onednn_deconv_nchw16c", "onednn_deconv_nchw"}) {
    CAPTURE(tactic);
    conv_case c{{1, 16, 5, 5}, {16, 16, 3, 3}};
    c.strides = {2, 2};
    c.tactic = tactic;
    check_conv(c, true);
  }
}

TEST_CASE("FusedConv adds the residual and applies the activation in every layout tactic") {
  struct act {
    const char* name;
    float alpha, beta;
  };
  for (const char* tactic : {"onednn_conv", "onednn_conv_nchw16c", "onednn_conv_nchw"})
    for (const act a : {act{"", 0, 0}, act{"Relu", 0, 0}, act{"Clip", -0.5f, 0.5f}, act{"LeakyRelu", 0.1f, 0},
                        act{"Sigmoid", 0, 0}, act{"HardSwish", 0, 0}})
      for (const bool residual : {false, true}) {
        if (!residual && a.name[0] == 0) continue;
        CAPTURE(tactic);
        CAPTURE(a.name);
        CAPTURE(residual);
        conv_case c{{1, 32, 7, 6}, {32, 32, 3, 3}};
        c.pads = {1, 1, 1, 1};
        c.tactic = tactic;
        c.activation = a.name;
        c.alpha = a.alpha;
        c.beta = a.beta;
        c.residual = residual;
        c.bias = residual;  // also the residual without a bias (input 2 omitted)
        check_conv(c, false);
      }
}

TEST_CASE("FusedConv of float16 computes in float32 with its residual and activation") {
  conv_case c{{1, 8, 5, 5}, {8, 8, 3, 3}};
  c.pads = {1, 1, 1, 1};
  c.float16 = true;
  c.activation = "Relu";
  c.residual = true;
  check_conv(c, false);
}

TEST_CASE("FusedConv refuses an activation it cannot fuse, naming it") {
  const auto x = random_floats(1 * 3 * 5 * 5, -1, 1, 31), w = random_floats(4 * 3 * 9, -1, 1, 32);
  const op_result r = run({"FusedConv", {f32({1, 3, 5, 5}, x), f32({4, 3, 3, 3}, w, true)}, {{MIRT_DTYPE_FLOAT32, {1, 4, 3, 3}}},
                           {attr_s("activation", "Softplus")}});
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("Softplus") != std::string::npos);
}

TEST_CASE("the channel-blocked Conv tactic is offered only for known multiples of 16 channels") {
  const auto x = random_floats(1 * 3 * 5 * 5, -1, 1, 31), w = random_floats(4 * 3 * 9, -1, 1, 32);
  op_call call{"Conv", {f32({1, 3, 5, 5}, x), f32({4, 3, 3, 3}, w, true)}, {{MIRT_DTYPE_FLOAT32, {1, 4, 3, 3}}}};
  call.tactic = "onednn_conv_nchw";
  CHECK(run(call).code == MIRT_STATUS_OK);
  call.tactic = "onednn_conv_nchw16c";
  CHECK(run(call).code == MIRT_STATUS_NOT_FOUND);
}

TEST_CASE("ConvTranspose matches the reference with stride, pads and output_padding") {
  conv_case c{{2, 3, 5, 4}, {3, 2, 3, 3}};
  c.strides = {2, 2};
  c.pads = {1, 0, 1, 1};
  c.output_padding = {1, 1};
  check_conv(c, true);
}

TEST_CASE("ConvTranspose handles groups, dilation and output_padding beyond the end pad") {
  conv_case c{{1, 4, 4, 5}, {4, 3, 2, 3}, 2};
  c.strides = {3, 2};
  c.dilations = {2, 1};
  c.output_padding = {2, 1};
  check_conv(c, true);
}

TEST_CASE("ConvTranspose 1D and SAME_UPPER auto padding") {
  conv_case c1{{1, 2, 6}, {2, 3, 3}};
  c1.strides = {2};
  c1.pads = {1, 1};
  check_conv(c1, true);
  conv_case c2{{1, 2, 4, 4}, {2, 2, 3, 3}};
  c2.strides = {2, 2};
  c2.auto_pad = "SAME_UPPER";
  check_conv(c2, true);
}

TEST_CASE("Conv and ConvTranspose of float16 compute in float32, with constant or runtime weights") {
  conv_case c{{1, 4, 5, 6}, {6, 2, 3, 3}};
  c.group = 2;
  c.pads = {1, 0, 1, 2};
  c.strides = {1, 2};
  c.float16 = true;
  check_conv(c, false);
  c.const_weights = false;
  check_conv(c, false);
  conv_case t{{1, 4, 3, 3}, {4, 3, 2, 2}};
  t.strides = {2, 2};
  t.float16 = true;
  check_conv(t, true);
}

}  // TEST_SUITE

TEST_SUITE("cpu") {

// The layout pass's channels-last FusedConv: both tactics (in place on NHWC; oneDNN's own layout
// with reorders), channel counts that are not multiples of 16, depthwise with ReLU6, residual + Relu.
TEST_CASE("FusedConv with layout NHWC reads and writes channels-last data and matches the reference") {
  for (const char* tactic : {"onednn_conv_nhwc", "onednn_conv_nhwc_any"}) {
    CAPTURE(tactic);
    conv_case plain{{2, 24, 7, 9}, {40, 24, 3, 3}};
    plain.pads = {1, 1, 1, 1};
    plain.nhwc = true;
    plain.tactic = tactic;
    check_conv(plain, false);

    conv_case depthwise{{1, 24, 11, 11}, {24, 1, 3, 3}, 24};
    depthwise.strides = {2, 2};
    depthwise.pads = {1, 1, 1, 1};
    depthwise.activation = "Clip";
    depthwise.beta = 6;
    depthwise.nhwc = true;
    depthwise.tactic = tactic;
    check_conv(depthwise, false);

    conv_case residual{{1, 16, 6, 6}, {16, 16, 1, 1}};
    residual.residual = true;
    residual.activation = "Relu";
    residual.nhwc = true;
    residual.tactic = tactic;
    check_conv(residual, false);
  }
}

TEST_CASE("an NHWC layout is refused for plain Conv and for 1-D convolutions") {
  const op_result conv = run({"Conv", {f32({1, 4, 5, 5}, random_floats(100)), f32({4, 4, 1, 1}, random_floats(16), true)},
                              {{MIRT_DTYPE_FLOAT32, {1, 4, 5, 5}}}, {attr_s("layout", "NHWC")}});
  CHECK(conv.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(conv.message.find("layout 'NHWC'") != std::string::npos);
  const op_result one_d = run({"FusedConv", {f32({1, 4, 5}, random_floats(20)), f32({4, 4, 1}, random_floats(16), true)},
                               {{MIRT_DTYPE_FLOAT32, {1, 4, 5}}}, {attr_s("layout", "NHWC")}});
  CHECK(one_d.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(one_d.message.find("FusedConv") != std::string::npos);
}

}  // TEST_SUITE
