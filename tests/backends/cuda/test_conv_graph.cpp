// tests/backends/cuda/test_conv_graph.cpp — Conv and mirt::FusedConv on cuDNN's graph API (ops/
// cudnn_graph.cpp): the plan the kernel built is a graph engine (its log line says which), the
// result matches the cpu backend's Conv + Add + Relu (float16 channels-last within 3e-3 of the
// rounded operands' float32 result, float32 within 1e-4 with TF32 off), and a shape cuDNN
// rejects fails naming the layer and cuDNN's message.
#include <cuda_fp16.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tests/backends/cuda/harness.hpp"
#include "tests/backends/cuda/nhwc_halves.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16;

float through_f16(float v) { return __half2float(__float2half_rn(v)); }
tensor_data rounded(const tensor_data& t) {
  std::vector<float> v = t.values<float>();
  for (float& e : v) e = through_f16(e);
  return tensor_data::of(F32, t.shape, v, t.constant);
}

tensor_data as_f16(const tensor_data& t, bool nhwc) {
  std::vector<float> v = t.values<float>();
  if (nhwc) v = relayout(v, t.shape, true);
  return tensor_data::of(F16, t.shape, halves(v), t.constant);
}

// The cpu backend's Conv(x, w, b), + z, Relu, in double.
std::vector<double> reference(const tensor_data& x, const tensor_data& w, const tensor_data& b, const tensor_data& z, const shape_t& ys,
                              const std::vector<attr>& attrs) {
  const op_result cpu = run_cpu({"Conv", {x, w, b}, {{F32, ys}}, attrs});
  REQUIRE(cpu.code == MIRT_STATUS_OK);
  const std::vector<float> conv = cpu.outputs[0].values<float>(), zv = z.values<float>();
  std::vector<double> e(conv.size());
  for (size_t i = 0; i < e.size(); ++i) e[i] = std::max(0.0, double(conv[i]) + double(zv[i]));
  return e;
}

double worst_error(const std::vector<float>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    REQUIRE(std::isfinite(got[i]));
    worst = std::max(worst, std::fabs(got[i] - expected[i]) / std::max(1.0, std::fabs(expected[i])));
  }
  return worst;
}

// Whether the kernel logged that it planned a cuDNN graph engine (not the legacy call).
bool planned_graph_engine() {
  const std::vector<std::string> lines = take_log_lines();
  return std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return l.find("cuDNN graph engine") != std::string::npos; });
}

}  // namespace

TEST_SUITE("cuda_conv_graph") {

TEST_CASE("FusedConv NHWC float16 with bias, residual and Relu runs on a cuDNN graph plan and matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  struct layer {
    shape_t xs, ws, ys;
    std::vector<attr> attrs;
  };
  // A ResNet bottleneck's 3x3 stride-2 and 1x1 expansion, and 36 output channels (the epilogue one
  // element per thread: not a multiple of 8).
  const std::vector<layer> layers = {
      {{2, 32, 14, 14}, {64, 32, 3, 3}, {2, 64, 7, 7}, {attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 2})}},
      {{2, 64, 7, 7}, {256, 64, 1, 1}, {2, 256, 7, 7}, {}},
      {{1, 24, 9, 11}, {36, 24, 3, 3}, {1, 36, 9, 11}, {attr_ints("pads", {1, 1, 1, 1})}},
  };
  for (const layer& l : layers) {
    CAPTURE(l.xs[1]);
    CAPTURE(l.ys[1]);
    const tensor_data x = rounded(rand_f32(l.xs, 90)), w = rounded(rand_f32(l.ws, 91, -0.25f, 0.25f, true)),
                      b = rounded(rand_f32({l.ws[0]}, 92, -1, 1, true)), z = rounded(rand_f32(l.ys, 93, -2, 2));
    const std::vector<double> expected = reference(x, w, b, z, l.ys, l.attrs);
    std::vector<attr> attrs = l.attrs;
    attrs.push_back(attr_s("layout", "NHWC"));
    attrs.push_back(attr_s("activation", "Relu"));
    for (const char* tactic : {"cudnn_graph_conv_bias_act_r0", "cudnn_graph_split_conv_bias_act_r0"}) {
      CAPTURE(tactic);
      op_call call{"FusedConv", {as_f16(x, true), as_f16(w, false), as_f16(b, false), as_f16(z, true)}, {{F16, l.ys}}, attrs};
      call.tactic = tactic;
      take_log_lines();
      const op_result gpu = run_cuda(call);
      INFO("cuda: ", gpu.message);
      REQUIRE(gpu.code == MIRT_STATUS_OK);
      CHECK(planned_graph_engine());
      std::vector<float> got;
      for (uint16_t h : gpu.outputs[0].values<uint16_t>()) got.push_back(from_f16(h));
      CHECK(worst_error(relayout(got, l.ys, false), expected) <= 3e-3);
    }
  }
}

TEST_CASE("FusedConv NCHW float32 with bias, residual and Relu runs on a cuDNN graph plan and matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const shape_t xs = {2, 8, 10, 12}, ys = {2, 16, 10, 12};
  const std::vector<attr> conv_attrs = {attr_ints("pads", {1, 1, 1, 1})};
  const tensor_data x = rand_f32(xs, 94), w = rand_f32({16, 8, 3, 3}, 95, -1, 1, true), b = rand_f32({16}, 96, -1, 1, true),
                    z = rand_f32(ys, 97, -2, 2);
  const std::vector<double> expected = reference(x, w, b, z, ys, conv_attrs);
  std::vector<attr> attrs = conv_attrs;
  attrs.push_back(attr_s("activation", "Relu"));
  for (const char* tactic : {"cudnn_graph_conv_bias_act_r0", "cudnn_graph_split_conv_bias_act_r0"}) {
    CAPTURE(tactic);
    op_call call{"FusedConv", {x, w, b, z}, {{F32, ys}}, attrs};
    call.tactic = tactic;
    take_log_lines();
    const op_result gpu = run_cuda(call);
    INFO("cuda: ", gpu.message);
    REQUIRE(gpu.code == MIRT_STATUS_OK);
    CHECK(planned_graph_engine());
    CHECK(worst_error(gpu.outputs[0].values<float>(), expected) <= 1e-4);  // float32, TF32 off
  }
}

TEST_CASE("Conv on the cuDNN graph API: 1-D and 3-D shapes plan graph engines and match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  take_log_lines();
  compare_with_cpu({"Conv", {rand_f32({2, 3, 20}, 98), rand_f32({5, 3, 5}, 99, -1, 1, true), rand_f32({5}, 100, -1, 1, true)},
                    {{F32, {2, 5, 20}}}, {attr_ints("pads", {2, 2})}});
  CHECK(planned_graph_engine());
  compare_with_cpu({"Conv", {rand_f32({1, 2, 6, 7, 8}, 101), rand_f32({3, 2, 3, 3, 3}, 102, -1, 1, true)}, {{F32, {1, 3, 4, 5, 6}}}});
  CHECK(planned_graph_engine());
}

TEST_CASE("a FusedConv whose input channels do not fit its weights fails naming the layer and cuDNN's message") {
  CUDA_TEST_REQUIRE_GPU();
  // 6 input channels against weights of 4 (and group 1): no convolution cuDNN can plan.
  const op_call bad{"FusedConv", {rand_f32({1, 6, 8, 8}, 103), rand_f32({4, 4, 3, 3}, 104, -1, 1, true), rand_f32({4}, 105, -1, 1, true)},
                    {{F32, {1, 4, 8, 8}}}, {attr_ints("pads", {1, 1, 1, 1}), attr_s("activation", "Relu")}};
  const op_result r = run_cuda(bad);
  CHECK(r.code != MIRT_STATUS_OK);
  INFO(r.message);
  CHECK(r.message.find("test/layer") != std::string::npos);
  CHECK(r.message.find("cuDNN error") != std::string::npos);
}

}  // TEST_SUITE
