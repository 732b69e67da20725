// tests/backends/cuda/test_layout.cpp — channels-last on the cuda backend: mirt::Reformat against a
// host transpose (and converting float32 to float16 against a host rounding), and mirt::FusedConv with layout NHWC in float16 (each cuDNN graph rank tactic)
// against the cpu backend's float32 Conv on the same rounded operands.
#include <cuda_fp16.h>
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cuda/harness.hpp"
#include "tests/backends/cuda/nhwc_halves.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16;

}  // namespace

TEST_SUITE("cuda_layout") {

TEST_CASE("Reformat moves float32 and float16 data between NCHW and NHWC like a host transpose") {
  CUDA_TEST_REQUIRE_GPU();
  for (const shape_t& s : {shape_t{2, 24, 5, 7}, shape_t{1, 40, 33, 35}, shape_t{3, 1, 2, 2}, shape_t{2, 3, 9, 11}}) {
    CAPTURE(s[1]);
    const std::vector<float> x = rand_f32(s, 70).values<float>();
    const op_result nhwc = run_cuda({"Reformat", {tensor_data::of(F32, s, x)}, {{F32, s}}, {attr_s("to", "NHWC")}});
    INFO("cuda: ", nhwc.message);
    REQUIRE(nhwc.code == MIRT_STATUS_OK);
    CHECK(nhwc.outputs[0].values<float>() == relayout(x, s, true));
    const op_result back = run_cuda({"Reformat", {nhwc.outputs[0]}, {{F32, s}}, {attr_s("to", "NCHW")}});
    REQUIRE(back.code == MIRT_STATUS_OK);
    CHECK(back.outputs[0].values<float>() == x);
    const std::vector<uint16_t> h = halves(x);
    const op_result half = run_cuda({"Reformat", {tensor_data::of(F16, s, h)}, {{F16, s}}, {attr_s("to", "NHWC")}});
    REQUIRE(half.code == MIRT_STATUS_OK);
    CHECK(half.outputs[0].values<uint16_t>() == relayout(h, s, true));
  }
  const op_result bad = run_cuda({"Reformat", {rand_f32({1, 2, 3, 4}, 71)}, {{F32, {1, 2, 3, 4}}}, {attr_s("to", "NCDHW")}});
  CHECK(bad.code != MIRT_STATUS_OK);
  CHECK(bad.message.find("NCDHW") != std::string::npos);
}

TEST_CASE("Reformat to NHWC converting float32 to float16 (an image input's Cast folded in) rounds like a host Cast") {
  CUDA_TEST_REQUIRE_GPU();
  // 3 channels: one thread per pixel; 24: the tiled transpose.
  for (const shape_t& s : {shape_t{2, 3, 9, 11}, shape_t{2, 24, 5, 7}}) {
    CAPTURE(s[1]);
    const std::vector<float> x = rand_f32(s, 72, -70000, 70000).values<float>();  // past float16's range too
    const op_result r = run_cuda({"Reformat", {tensor_data::of(F32, s, x)}, {{F16, s}}, {attr_s("to", "NHWC"), attr_i("dtype", 10)}});
    INFO("cuda: ", r.message);
    REQUIRE(r.code == MIRT_STATUS_OK);
    CHECK(r.outputs[0].values<uint16_t>() == halves(relayout(x, s, true)));
  }
  const op_result back =
      run_cuda({"Reformat", {rand_f32({1, 3, 2, 2}, 73)}, {{F16, {1, 3, 2, 2}}}, {attr_s("to", "NCHW"), attr_i("dtype", 10)}});
  CHECK(back.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(back.message.find("float32 to float16") != std::string::npos);
}

TEST_CASE("FusedConv with layout NHWC in float16 matches the cpu Conv + Add + Relu for every graph rank tactic") {
  CUDA_TEST_REQUIRE_GPU();
  const shape_t xs = {2, 16, 9, 11}, ys = {2, 32, 9, 11};
  auto rounded = [](const tensor_data& t) {
    std::vector<float> v = t.values<float>();
    for (float& e : v) e = from_f16(to_f16(e));
    return tensor_data::of(F32, t.shape, v, t.constant);
  };
  const tensor_data x = rounded(rand_f32(xs, 72)), w = rounded(rand_f32({32, 16, 3, 3}, 73, -0.3f, 0.3f, true)),
                    b = rounded(rand_f32({32}, 74, -1, 1, true)), z = rounded(rand_f32(ys, 75, -2, 2));
  const op_result cpu = run_cpu({"Conv", {x, w, b}, {{F32, ys}}, {attr_ints("pads", {1, 1, 1, 1})}});
  REQUIRE(cpu.code == MIRT_STATUS_OK);
  const std::vector<float> conv = cpu.outputs[0].values<float>(), zv = z.values<float>();
  auto f16 = [](const tensor_data& t, bool nhwc) {
    std::vector<float> v = t.values<float>();
    if (nhwc) v = relayout(v, t.shape, true);
    return tensor_data::of(F16, t.shape, halves(v), t.constant);
  };
  // Rank 0 always runs (the legacy call where the graph API has no engine); a later rank that
  // cuDNN's heuristics do not offer at this shape is refused as UNSUPPORTED, saying so. The whole
  // layer on one graph (fused) and the convolution alone + the epilogue kernel (split).
  for (const char* tactic : {"cudnn_graph_conv_bias_act_r0", "cudnn_graph_conv_bias_act_r1", "cudnn_graph_split_conv_bias_act_r0"})
    for (const bool relu : {false, true})
      for (const bool residual : {false, true}) {
        CAPTURE(tactic);
        CAPTURE(relu);
        CAPTURE(residual);
        op_call call{"FusedConv", {f16(x, true), f16(w, false), f16(b, false)}, {{F16, ys}},
                     {attr_ints("pads", {1, 1, 1, 1}), attr_s("layout", "NHWC")}};
        call.tactic = tactic;
        if (residual) call.inputs.push_back(f16(z, true));
        if (relu) call.attrs.push_back(attr_s("activation", "Relu"));
        const op_result gpu = run_cuda(call);
        INFO("cuda: ", gpu.message);
        if (gpu.code == MIRT_STATUS_UNSUPPORTED && std::string(tactic).back() != '0') {
          CHECK(gpu.message.find("usable engine configurations") != std::string::npos);
          continue;
        }
        REQUIRE(gpu.code == MIRT_STATUS_OK);
        std::vector<float> got;
        for (uint16_t h : gpu.outputs[0].values<uint16_t>()) got.push_back(from_f16(h));
        got = relayout(got, ys, false);
        double worst = 0;
        for (size_t i = 0; i < got.size(); ++i) {
          double e = double(conv[i]) + (residual ? double(zv[i]) : 0.0);
          if (relu && e < 0) e = 0;
          REQUIRE(std::isfinite(got[i]));
          worst = std::max(worst, std::fabs(got[i] - e) / std::max(1.0, std::fabs(e)));
        }
        CHECK(worst <= 3e-3);  // float16 output rounding and accumulation order (k_gemm_f16)
      }
}

TEST_CASE("FusedConv with layout NHWC on a 3-channel image stem (padded to 4 inside) matches the cpu Conv + Relu") {
  CUDA_TEST_REQUIRE_GPU();
  const shape_t xs = {2, 3, 20, 18}, ys = {2, 16, 10, 9};
  auto rounded = [](const tensor_data& t) {
    std::vector<float> v = t.values<float>();
    for (float& e : v) e = from_f16(to_f16(e));
    return tensor_data::of(F32, t.shape, v, t.constant);
  };
  const tensor_data x = rounded(rand_f32(xs, 79)), w = rounded(rand_f32({16, 3, 7, 7}, 80, -0.2f, 0.2f, true)),
                    b = rounded(rand_f32({16}, 81, -1, 1, true));
  const std::vector<attr> conv_attrs = {attr_ints("pads", {3, 3, 3, 3}), attr_ints("strides", {2, 2})};
  const op_result cpu = run_cpu({"Conv", {x, w, b}, {{F32, ys}}, conv_attrs});
  REQUIRE(cpu.code == MIRT_STATUS_OK);
  const std::vector<float> conv = cpu.outputs[0].values<float>();
  std::vector<attr> attrs = conv_attrs;
  attrs.push_back(attr_s("layout", "NHWC"));
  attrs.push_back(attr_s("activation", "Relu"));
  const op_result gpu = run_cuda({"FusedConv",
                                  {tensor_data::of(F16, xs, halves(relayout(x.values<float>(), xs, true))),
                                   tensor_data::of(F16, w.shape, halves(w.values<float>()), true),
                                   tensor_data::of(F16, b.shape, halves(b.values<float>()), true)},
                                  {{F16, ys}},
                                  attrs});
  INFO("cuda: ", gpu.message);
  REQUIRE(gpu.code == MIRT_STATUS_OK);
  std::vector<float> got;
  for (uint16_t h : gpu.outputs[0].values<uint16_t>()) got.push_back(from_f16(h));
  got = relayout(got, ys, false);
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double e = std::max(0.0, double(conv[i]));
    REQUIRE(std::isfinite(got[i]));
    worst = std::max(worst, std::fabs(got[i] - e) / std::max(1.0, std::fabs(e)));
  }
  CHECK(worst <= 3e-3);
}

TEST_CASE("MaxPool with layout NHWC (16-byte channel runs and single channels) matches the cpu MaxPool") {
  CUDA_TEST_REQUIRE_GPU();
  const std::vector<attr> window = {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})};
  for (const shape_t& xs : {shape_t{2, 16, 15, 15}, shape_t{2, 6, 9, 9}}) {
    CAPTURE(xs[1]);
    const shape_t ys = {xs[0], xs[1], (xs[2] + 1) / 2, (xs[3] + 1) / 2};
    const std::vector<float> x = rand_f32(xs, 78).values<float>();
    const op_result cpu = run_cpu({"MaxPool", {tensor_data::of(F32, xs, x)}, {{F32, ys}}, window});
    REQUIRE(cpu.code == MIRT_STATUS_OK);
    const std::vector<float> expected = relayout(cpu.outputs[0].values<float>(), ys, true);
    std::vector<attr> nhwc = window;
    nhwc.push_back(attr_s("layout", "NHWC"));
    const op_result f32_run = run_cuda({"MaxPool", {tensor_data::of(F32, xs, relayout(x, xs, true))}, {{F32, ys}}, nhwc});
    INFO("cuda: ", f32_run.message);
    REQUIRE(f32_run.code == MIRT_STATUS_OK);
    CHECK(f32_run.outputs[0].values<float>() == expected);
    const op_result f16_run = run_cuda({"MaxPool", {tensor_data::of(F16, xs, halves(relayout(x, xs, true)))}, {{F16, ys}}, nhwc});
    REQUIRE(f16_run.code == MIRT_STATUS_OK);
    CHECK(f16_run.outputs[0].values<uint16_t>() == halves(expected));  // max commutes with rounding
  }
}

TEST_CASE("FusedConv with layout NHWC refuses non-constant weights and other layouts by name") {
  CUDA_TEST_REQUIRE_GPU();
  const op_call moving{"FusedConv", {rand_f32({1, 8, 4, 4}, 76), rand_f32({8, 8, 1, 1}, 77)}, {{F32, {1, 8, 4, 4}}},
                       {attr_s("layout", "NHWC")}};
  const op_result a = run_cuda(moving);
  CHECK(a.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(a.message.find("constant weights") != std::string::npos);
  op_call other = moving;
  other.inputs[1].constant = true;
  other.attrs = {attr_s("layout", "CHWN")};
  const op_result c = run_cuda(other);
  CHECK(c.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(c.message.find("CHWN") != std::string::npos);
}

}  // TEST_SUITE
